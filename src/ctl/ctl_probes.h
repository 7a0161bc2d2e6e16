/* JSON for `show probes` (issue 6): each probe's state, target, counts,
 * last results and transitions.  The daemon owns the probes; ctl only
 * formats what src/probe keeps. */
#ifndef EGRESS_CTL_CTL_PROBES_H
#define EGRESS_CTL_CTL_PROBES_H

#include <stddef.h>

struct json_t;
struct probe;

/* {"probes":[{name, kind, target, port?, via?, source?, interval_ms,
 * timeout_ms, rise, fall, state, ok, fail, results:[{time, ok, rtt_ms |
 * error}], transitions:[{time, from, to, reason}]}]}, newest first in
 * the lists; NULL on allocation failure. */
struct json_t *ctl_probes_json(struct probe *const *probes, size_t n);

#endif
