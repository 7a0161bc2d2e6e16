/* The Loc-RIB's insides, shared by loc_rib.c (paths and the decision),
 * loc_rib_out.c (the Adj-RIB-Out entries) and loc_rib_peer.c (per-peer
 * counters and walks).  Nothing outside src/rib includes this.
 *
 * One prefix record per prefix in the trie: its paths (one per peer,
 * the best first: together they are the post-policy Adj-RIBs-In, RFC
 * 4271 3.2) and its Adj-RIB-Out entries (what was last sent to each
 * peer).  The trie value is the record with BEST_BIT set when the head
 * path is the selected best.  A record goes when it has neither paths
 * nor live out entries. */
#ifndef EGRESS_RIB_LOC_RIB_PRIV_H
#define EGRESS_RIB_LOC_RIB_PRIV_H

#include <stdint.h>

#include "core/pool.h"
#include "rib/loc_rib.h"
#include "rib/loc_rib_out.h"
#include "rib/trie.h"

struct loc_path {
	struct loc_path *next;
	struct rib_path path;
};

/* An Adj-RIB-Out entry: never seen by the decision process.  It holds
 * neither the attributes sent nor what they were computed from, only
 * when it was set (issue 3: one per prefix and receiving peer, 16 MB
 * of them on a full table to one peer).  An entry of the current
 * export function stands for the export of the prefix's current best:
 * every change of the best the Loc-RIB reports is exported to every
 * sending peer at once (daemon/sync.c), and an entry that misses one is
 * marked unknown (loc_rib_out_unknown). */
struct loc_out {
	struct loc_out *next;
	uint32_t gen;     /* the peer's generation when set (loc_rib_out.c) */
	uint16_t peer_id; /* below LOC_PEER_MAX */
	uint16_t flags;   /* LOC_OUT_F_* */
};

/* Sent, but a change of the best passed the entry by: what the peer
 * has is unknown, as for an entry of an older export function. */
#define LOC_OUT_F_UNKNOWN 1u

struct loc_rib_rec {
	struct loc_path *paths; /* best first when BEST_BIT is set */
	struct loc_out *outs;
};

/* Per peer id: routes it offers per family (the Adj-RIB-In's count,
 * for max-prefix and `show neighbors`), and the generations that say
 * which out entries are of the current session and which may still
 * wait in its output queue (loc_rib_out.c). */
struct loc_peer_state {
	size_t routes[2]; /* [0] IPv4, [1] IPv6 */
	size_t out_live;  /* out entries of the current session */
	uint32_t cur;     /* generation of entries set now */
	uint32_t base;    /* first generation of the current session */
	uint32_t xbase;   /* first generation of the current export function */
	uint32_t pend;    /* first generation not yet seen drained */
	bool dirty;       /* an entry got cur since cur last moved */
};

struct loc_rib {
	struct loc_rib_config cfg;
	loc_rib_change_fn fn;
	void *arg;
	struct trie trie;
	struct pool paths;
	struct pool recs;
	struct pool outs;
	size_t n_paths;
	size_t n_outs;        /* out entries held, stale ones included */
	size_t n_prefixes[2]; /* records with at least one path */
	struct loc_peer_state *peers;
	size_t n_peer_state;
	loc_rib_out_export_fn out_export;
	void *out_export_arg;
	/* Work arrays reused by every selection, so an update does not
	 * allocate once they have grown to the largest path count. */
	const struct rib_path **scratch;
	size_t scratch_cap;
	struct rib_path *mp_old; /* multipath set before a change */
	const struct rib_path **mp_new;
	bool report_paths; /* loc_rib_report_paths */
};

#define LOC_BEST_BIT ((uintptr_t)1)

static inline struct loc_rib_rec *loc_val_rec(void *v)
{
	return (struct loc_rib_rec *)((uintptr_t)v & ~LOC_BEST_BIT);
}
static inline bool loc_val_best(void *v) { return ((uintptr_t)v & LOC_BEST_BIT) != 0; }
static inline void *loc_val_make(struct loc_rib_rec *r, bool best)
{
	return (void *)((uintptr_t)r | (best ? LOC_BEST_BIT : 0));
}
static inline int loc_fam(const struct prefix *p) { return p->addr.af == AF_INET6; }

/* Peer ids below this have a state (counters, out entries): the
 * daemon's sessions count from 1.  Pseudo-peers with ids past it (the
 * cloud personality's static routes) are neither counted nor sent to. */
#define LOC_PEER_MAX 65536u

/* The state of peer_id, grown on demand (NULL on -ENOMEM or for an id
 * past LOC_PEER_MAX); _peek does not grow and returns NULL for a peer
 * never seen. */
struct loc_peer_state *loc_peer_get(struct loc_rib *lr, uint32_t peer_id);
struct loc_peer_state *loc_peer_peek(const struct loc_rib *lr, uint32_t peer_id);

/* Drops the record's out entries of sessions that ended (loc_rib_out.c). */
void loc_out_reclaim(struct loc_rib *lr, struct loc_rib_rec *r);
/* Whether the record holds an out entry of a current session. */
bool loc_out_any_live(const struct loc_rib *lr, const struct loc_rib_rec *r);
/* Drops every out entry of the record (loc_rib_free). */
void loc_out_free_all(struct loc_rib *lr, struct loc_rib_rec *r);
/* Deletes the record r found at pos if it has neither paths nor live
 * out entries (its stale ones go with it); true if it did. */
bool loc_rec_gc(struct loc_rib *lr, struct loc_rib_rec *r, const struct trie_pos *pos);

#endif
