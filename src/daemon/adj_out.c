/* The Adj-RIB-Out rule: see daemon/adj_out.h. */
#include "daemon/adj_out.h"

enum adj_out_action adj_out_action(enum loc_out_state st, const struct loc_out_src *sent,
				   const struct rib_path *best, bool exportable)
{
	if (!best || !exportable)
		/* Withdrawn only if it was sent (RFC 4271 9.2: a route the
		 * peer never had needs no withdrawal); an entry of an older
		 * export function counts as sent. */
		return st == LOC_OUT_NONE ? ADJ_OUT_NOTHING : ADJ_OUT_WITHDRAW;
	/* The export is a function of the source attributes, the source
	 * peer (verdicts, our own routes, MED: daemon/export.c), the
	 * receiver's export function and the prefix: when the first two
	 * are what the entry's current function was given, the peer has
	 * these attributes already.  Anything else is announced: a
	 * duplicate is harmless, a stale route is not. */
	if (st == LOC_OUT_CUR && sent->attrs == best->attrs && sent->peer_id == best->peer->id)
		return ADJ_OUT_NOTHING;
	return ADJ_OUT_ANNOUNCE;
}
