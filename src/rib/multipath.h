/* Multipath: the equal-cost paths that feed ECMP in the FIB (issue 3,
 * `multipath N`).  A path joins the best when the comparator cannot
 * separate them up to and including its multipath_through step (the
 * IGP cost, RFC 4271 9.1.2.2 e, for rib_comparator_rfc4271), so they
 * share LOCAL_PREF, AS_PATH length, ORIGIN, MED where compared, and
 * eBGP/iBGP; only the arbitrary tie-breaks after that differ.  By
 * default they must also come from the same neighbouring AS, since
 * paths through different networks are not equal in practice;
 * `relax` drops that condition. */
#ifndef EGRESS_RIB_MULTIPATH_H
#define EGRESS_RIB_MULTIPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "rib/decision.h"

/* Writes the best path (paths[best]) and then the eligible paths equal
 * to it, in array order, to out, at most max in all; returns how many.
 * 0 if max is 0 or best is out of range or ineligible. */
size_t rib_multipath_select(const struct rib_comparator *c, const struct rib_decision_opts *o,
			    const struct rib_path *const *paths, size_t n, size_t best,
			    size_t max, bool relax, const struct rib_path **out);

/* Whether p may share traffic with best under those rules. */
bool rib_multipath_equal(const struct rib_comparator *c, const struct rib_decision_opts *o,
			 const struct rib_path *best, const struct rib_path *p, bool relax);

#endif
