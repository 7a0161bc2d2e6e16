/* `explain PREFIX`: the decision process for one prefix step by step:
 * the comparator's steps in order, every candidate with the attributes
 * those steps read, the step at which each loser lost to the best and
 * why, in words.  ctl formats; the daemon passes its Loc-RIB and the
 * comparator it runs. */
#ifndef EGRESS_CTL_CTL_EXPLAIN_H
#define EGRESS_CTL_CTL_EXPLAIN_H

#include <jansson.h>

#include "core/addr.h"
#include "rib/decision.h"

struct loc_rib;

/* The answer object (docs/control-protocol.md), or NULL on allocation
 * failure.  A prefix without candidates gives an empty "paths". */
json_t *ctl_explain(const struct loc_rib *lr, const struct rib_comparator *cmp,
		    const struct rib_decision_opts *opts, const struct prefix *p);

/* "vpn-bgp", "vpn-static", "dx-bgp", "local". */
const char *ctl_source_name(enum rib_source s);

#endif
