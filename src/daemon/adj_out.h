/* What one change of a prefix's best path, or one walk over the table,
 * does to one peer's Adj-RIB-Out entry (RFC 4271 3.2, 9.2), decided
 * from what the entry says was sent (rib/loc_rib_out.h) and whether the
 * best path now goes to the peer.  A pure function, so the rule is
 * unit-tested without sessions. */
#ifndef EGRESS_DAEMON_ADJ_OUT_H
#define EGRESS_DAEMON_ADJ_OUT_H

#include <stdbool.h>

#include "rib/loc_rib_out.h"

enum adj_out_action {
	ADJ_OUT_NOTHING = 0, /* the peer has it as it is, or never had it */
	ADJ_OUT_ANNOUNCE,    /* queue the export, mark the entry current */
	ADJ_OUT_WITHDRAW,    /* queue a withdrawal, drop the entry */
};

/* st: the peer's entry (loc_rib_out_get); changed: the Loc-RIB reported
 * that the best path changed (false: a walk, the initial dump or a
 * re-export, passes the prefix); exportable: there is a best path and
 * the peer gets attributes from it (the export rules and its policy
 * said so). */
enum adj_out_action adj_out_action(enum loc_out_state st, bool changed, bool exportable);

#endif
