/* The Adj-RIBs-Out (RFC 4271 3.2) and per-peer views of the Adj-RIBs-In,
 * both kept in the Loc-RIB's prefix records (rib/loc_rib_priv.h):
 * the prefix is found once, by the Loc-RIB's own descent, and what was
 * sent to each peer sits next to its paths, so an update that reaches
 * the change callback costs no second lookup per peer.
 *
 * An out entry says only that something was queued to one peer, and
 * when: neither the attributes nor what they were computed from (issue
 * 3: a copy per source set and receiver was a second attribute table;
 * the source's reference was 8 of 24 bytes an entry).  Every change of
 * a prefix's best path the Loc-RIB reports goes to every sending peer
 * at once, so an entry of the current export function stands for the
 * export of the best path now, and the daemon's export function
 * (loc_rib_out_export_set) computes it when it is read.  An entry a
 * change passed by (the peer could not be sent to) is marked unknown
 * (loc_rib_out_unknown).  Sessions end: a per-peer generation number
 * makes every entry of an ended session read as absent at once
 * (loc_rib_out_reset), and such stale
 * entries are reclaimed whenever their record is touched or the peer's
 * paths are flushed (loc_rib_peer_withdraw visits every prefix), so a
 * new session's dump never takes a prefix for "already sent".  The same
 * numbers tell whether an entry may still wait in the peer's output
 * queue: set since the queue was last seen empty (loc_rib_out_drained)
 * or not, which is what lets the caller queue without searching.  And
 * they tell entries set by an export function a reload replaced, which
 * read as sent but with attributes unknown (loc_rib_out_export_changed). */
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

/* What an export is computed from: a path's attributes (the Loc-RIB
 * path's own set) and the id of the peer the path came from.  With the
 * receiver's export function (its session and export policy) and the
 * prefix it fixes the attributes sent exactly.  Out entries are read
 * with the prefix's best path now as their source. */
struct loc_out_src {
	struct bgp_attrs *attrs;
	uint32_t peer_id;
};

/* What an out entry says about peer_id and a prefix. */
enum loc_out_state {
	LOC_OUT_NONE = 0, /* never sent, withdrawn, or sent on a session that has ended */
	LOC_OUT_OLD,      /* sent, by an export function since replaced
			   * (loc_rib_out_export_changed) or before a change
			   * that passed it by (loc_rib_out_unknown): what
			   * exactly is unknown */
	LOC_OUT_CUR,      /* sent, the current export of the best path now */
};

/* peer_id's out entry for r's prefix (r may be NULL): its state.
 * *pending (if not NULL): what it sent may still wait in the peer's
 * output queue. */
enum loc_out_state loc_rib_out_get(struct loc_rib *lr, struct loc_rib_rec *r,
				   uint32_t peer_id, bool *pending);
/* sent: records that the export of r's best path was queued to peer_id
 * now, by its current export function (LOC_OUT_CUR from now on); else
 * removes the entry.  Never deletes the record (the trie does not
 * change, so it may be called from the change callback and from
 * walks).  0, -EINVAL for a pseudo-peer, -ENOMEM (only when there was
 * no entry). */
int loc_rib_out_set(struct loc_rib *lr, struct loc_rib_rec *r, uint32_t peer_id, bool sent);
/* A change of r's best path was not exported to peer_id (it sends
 * nothing of this family now, RFC 7606 AFI/SAFI disable, or its session
 * is ending): its entry, if any, reads LOC_OUT_OLD from now on, still
 * sent but no longer known to be the export of the best. */
void loc_rib_out_unknown(struct loc_rib *lr, struct loc_rib_rec *r, uint32_t peer_id);
/* Removes peer_id's entry of p, and p's record if nothing is left in it.
 * true if there was a live entry. */
bool loc_rib_out_remove(struct loc_rib *lr, const struct prefix *p, uint32_t peer_id);
/* A session of peer_id ended or starts: all its out entries read as
 * absent from now on.  -ENOMEM only for a peer id never seen, when its
 * state cannot be allocated (it has no entries then). */
int loc_rib_out_reset(struct loc_rib *lr, uint32_t peer_id);
/* peer_id's export function changed (a reload changed its export
 * policy): its entries read as LOC_OUT_OLD from now on, still sent but
 * no longer known to be the export of their source. */
int loc_rib_out_export_changed(struct loc_rib *lr, uint32_t peer_id);
/* The peer's output queue was seen empty: nothing set until now is
 * pending any more. */
void loc_rib_out_drained(struct loc_rib *lr, uint32_t peer_id);
/* Live out entries of peer_id (prefixes sent on its current session). */
size_t loc_rib_out_count(const struct loc_rib *lr, uint32_t peer_id);

/* The attributes the out entry of peer_id for p stands for: the
 * export of src, p's best path now (attrs NULL when it has none), by
 * the peer's export function in force (for an entry of an older one or
 * marked unknown, LOC_OUT_OLD, the best knowledge left: such entries
 * last only until the re-export a change of function starts, or the
 * next change of the best, has passed them).  *out: a new reference,
 * or NULL when the peer gets nothing from src.  0 or a negative errno.  Installed by the owner of the
 * export rules (the daemon); the Loc-RIB alone (no function set) reads
 * an entry as src->attrs. */
typedef int (*loc_rib_out_export_fn)(void *arg, uint32_t peer_id, const struct prefix *p,
				     const struct loc_out_src *src, struct bgp_attrs **out);
void loc_rib_out_export_set(struct loc_rib *lr, loc_rib_out_export_fn fn, void *arg);

/* A snapshot of peer_id's live out entries, both families in prefix
 * order, each with its prefix's best path now as the source (a
 * reference; attrs NULL when the prefix has no best): for re-sends and
 * for withdrawing all.  Freed by loc_rib_out_entries_free. */
struct loc_out_entry {
	struct prefix prefix;
	struct loc_out_src src;
	bool current; /* LOC_OUT_CUR, else LOC_OUT_OLD */
};
int loc_rib_out_entries(struct loc_rib *lr, uint32_t peer_id, struct loc_out_entry **e,
			size_t *n);
void loc_rib_out_entries_free(struct loc_out_entry *e, size_t n);

/* Paths peer_id offers for family af (AF_INET, AF_INET6; 0 both),
 * ineligible ones included: its Adj-RIB-In's size.  Peer ids from 65536
 * up (pseudo-peers) are not counted, and have no out entries (-EINVAL). */
size_t loc_rib_peer_routes(const struct loc_rib *lr, uint32_t peer_id, int af);

/* Sliced walk in prefix order over peer_id's paths (out false: path set,
 * attrs its attributes) or its live out entries (out true: path NULL,
 * attrs their export, loc_rib_out_export_fn; entries it yields nothing
 * for are skipped), of family af; cursor, budget (prefixes looked at), next and the
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
