/* What one change of a prefix's best path does to one peer's
 * Adj-RIB-Out entry (RFC 4271 3.2, 9.2), decided from what the entry
 * says was sent (rib/loc_rib_out.h) and the export just computed.
 * A pure function, so the rule is unit-tested without sessions. */
#ifndef EGRESS_DAEMON_ADJ_OUT_H
#define EGRESS_DAEMON_ADJ_OUT_H

#include <stdbool.h>

#include "rib/decision.h"
#include "rib/loc_rib_out.h"

enum adj_out_action {
	ADJ_OUT_NOTHING = 0, /* the peer has it as it is, or never had it */
	ADJ_OUT_ANNOUNCE,    /* queue the export, record its source */
	ADJ_OUT_WITHDRAW,    /* queue a withdrawal, drop the entry */
};

/* st and sent: the peer's entry (loc_rib_out_get); best: the prefix's
 * best path now (NULL: none); exportable: the peer gets attributes
 * from it (the export rules and its policy said so). */
enum adj_out_action adj_out_action(enum loc_out_state st, const struct loc_out_src *sent,
				   const struct rib_path *best, bool exportable);

#endif
