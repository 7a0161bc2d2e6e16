/* Uplink health probes on the event loop (issue 6): an ICMP echo or a
 * TCP connect to a target every interval, judged by rise/fall counts
 * (probe_fsm.h).  The daemon turns transitions into conditions that gate
 * origination; this module names nothing above core. */
#ifndef EGRESS_PROBE_PROBE_H
#define EGRESS_PROBE_PROBE_H

#include <ev.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"
#include "probe/probe_fsm.h"

enum probe_kind { PROBE_ICMP = 1, PROBE_TCP };

struct probe_params {
	enum probe_kind kind;
	struct addr target;
	uint16_t port;               /* PROBE_TCP */
	char ifname[IF_NAMESIZE];    /* "" = any (SO_BINDTODEVICE otherwise) */
	struct addr source;          /* af 0 = kernel's choice */
	uint32_t interval_ms;
	uint32_t timeout_ms;         /* <= interval_ms */
	uint8_t rise, fall;
};

struct probe;

/* Called after every transition; f->state is the new state and the
 * newest transition (probe_fsm_transition_at(f, 0)) says why. */
typedef void (*probe_change_fn)(struct probe *pr, const struct probe_fsm *f, void *arg);

/* The first attempt is made at once; NULL on allocation failure. */
struct probe *probe_new(struct ev_loop *loop, const char *name,
			const struct probe_params *pp, probe_change_fn fn, void *arg);
void probe_free(struct probe *pr);
/* 0 or negative errno (the first attempt happens on the loop). */
int probe_start(struct probe *pr);
const char *probe_name(const struct probe *pr);
const struct probe_params *probe_params(const struct probe *pr);
const struct probe_fsm *probe_fsm(const struct probe *pr);
/* Describes the target: "icmp 203.0.113.10" or "tcp 192.0.2.1:443". */
const char *probe_target_fmt(const struct probe_params *pp, char *buf, size_t n);

#endif
