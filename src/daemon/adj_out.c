/* The Adj-RIB-Out rule: see daemon/adj_out.h. */
#include "daemon/adj_out.h"

enum adj_out_action adj_out_action(enum loc_out_state st, bool changed, bool exportable)
{
	if (!exportable)
		/* Withdrawn only if it was sent (RFC 4271 9.2: a route the
		 * peer never had needs no withdrawal); an entry of an older
		 * export function, or marked unknown, counts as sent. */
		return st == LOC_OUT_NONE ? ADJ_OUT_NOTHING : ADJ_OUT_WITHDRAW;
	/* A current entry stands for the export of the best path as it
	 * was before this change (every reported change reaches every
	 * sending peer, daemon/sync.c), so after a change it is announced
	 * even when the export comes out the same (a next hop's
	 * reachability or IGP cost moved, or two paths export alike): a
	 * duplicate only replaces the route with itself at the peer (RFC
	 * 4271 3.1), a stale route would stay.  A walk (the initial dump,
	 * a re-export) finds in a current entry what the peer should
	 * have: only absent and old entries need the export. */
	if (changed || st != LOC_OUT_CUR)
		return ADJ_OUT_ANNOUNCE;
	return ADJ_OUT_NOTHING;
}
