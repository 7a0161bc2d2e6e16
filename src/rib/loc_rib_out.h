/* The Adj-RIBs-Out (RFC 4271 3.2) and per-peer views of the Adj-RIBs-In,
 * both kept in the Loc-RIB's prefix records (rib/loc_rib_priv.h):
 * the prefix is found once, by the Loc-RIB's own descent, and what was
 * sent to each peer sits next to its paths, so an update that reaches
 * the change callback costs no second lookup per peer.
 *
 * An out entry holds the attributes last queued to one peer.  Sessions
 * end: a per-peer generation number makes every entry of an ended
 * session read as absent at once (loc_rib_out_reset), and such stale
 * entries are reclaimed whenever their record is touched or the peer's
 * paths are flushed (loc_rib_peer_withdraw visits every prefix), so a
 * new session's dump never takes a prefix for "already sent".  The same
 * numbers tell whether an entry may still wait in the peer's output
 * queue: set since the queue was last seen empty (loc_rib_out_drained)
 * or not, which is what lets the caller queue without searching. */
#ifndef EGRESS_RIB_LOC_RIB_OUT_H
#define EGRESS_RIB_LOC_RIB_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "core/addr.h"
#include "rib/adj_rib.h"
#include "rib/mem.h"

struct loc_rib;
struct loc_rib_rec;
struct rib_path;

/* p's record, or NULL.  Valid until the next update or withdrawal. */
struct loc_rib_rec *loc_rib_rec_find(struct loc_rib *lr, const struct prefix *p);

/* The attributes last queued to peer_id for r's prefix, or NULL (never
 * sent, withdrawn, or sent on a session that has ended).  *pending (if
 * not NULL): they may still wait in the peer's output queue. */
struct bgp_attrs *loc_rib_out_get(struct loc_rib *lr, struct loc_rib_rec *r,
				  uint32_t peer_id, bool *pending);
/* Records attrs (a reference is taken) as queued to peer_id now, or
 * removes the entry when attrs is NULL.  Never deletes the record (the
 * trie does not change, so it may be called from the change callback
 * and from walks).  0 or -ENOMEM. */
int loc_rib_out_set(struct loc_rib *lr, struct loc_rib_rec *r, uint32_t peer_id,
		    struct bgp_attrs *attrs);
/* Removes peer_id's entry of p, and p's record if nothing is left in it.
 * true if there was a live entry. */
bool loc_rib_out_remove(struct loc_rib *lr, const struct prefix *p, uint32_t peer_id);
/* A session of peer_id ended or starts: all its out entries read as
 * absent from now on.  -ENOMEM only for a peer id never seen, when its
 * state cannot be allocated (it has no entries then). */
int loc_rib_out_reset(struct loc_rib *lr, uint32_t peer_id);
/* The peer's output queue was seen empty: nothing set until now is
 * pending any more. */
void loc_rib_out_drained(struct loc_rib *lr, uint32_t peer_id);
/* Live out entries of peer_id (prefixes sent on its current session). */
size_t loc_rib_out_count(const struct loc_rib *lr, uint32_t peer_id);

/* Paths peer_id offers for family af (AF_INET, AF_INET6; 0 both),
 * ineligible ones included: its Adj-RIB-In's size.  Peer ids from 65536
 * up (pseudo-peers) are not counted, and have no out entries (-EINVAL). */
size_t loc_rib_peer_routes(const struct loc_rib *lr, uint32_t peer_id, int af);

/* Sliced walk in prefix order over peer_id's paths (out false: path set,
 * attrs its attributes) or its live out entries (out true: path NULL),
 * of family af; cursor, budget (prefixes looked at), next and the
 * result as loc_rib_walk.  The visitor may change out entries, not the
 * Loc-RIB. */
typedef int (*loc_rib_peer_visit_fn)(void *arg, const struct prefix *p,
				     const struct rib_path *path, struct bgp_attrs *attrs);
int loc_rib_peer_walk(struct loc_rib *lr, int af, uint32_t peer_id, bool out,
		      const struct prefix *cursor, size_t budget, loc_rib_peer_visit_fn fn,
		      void *arg, struct prefix *next);
/* All of it (both families) as a sorted snapshot holding references,
 * freed by adj_rib_entries_free: for display and re-sends. */
int loc_rib_peer_entries(struct loc_rib *lr, uint32_t peer_id, bool out,
			 struct adj_rib_entry **e, size_t *n);

/* loc_rib_walk that also hands over the record (the initial dump sets
 * out entries without a second descent). */
typedef int (*loc_rib_rec_visit_fn)(void *arg, const struct prefix *p,
				    const struct rib_path *best, struct loc_rib_rec *r);
int loc_rib_walk_rec(struct loc_rib *lr, int af, const struct prefix *cursor, size_t budget,
		     loc_rib_rec_visit_fn fn, void *arg, struct prefix *next);

/* Out entries held (stale ones included) and their pool's bytes. */
void loc_rib_out_mem(const struct loc_rib *lr, struct rib_mem_stats *s);

#endif
