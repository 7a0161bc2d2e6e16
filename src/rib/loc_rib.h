/* Loc-RIB (RFC 4271 3.2): per prefix, the candidate paths offered by
 * the peers' Adj-RIBs-In (after import policy), and the best of them
 * chosen by a decision comparator (rib/decision.h).
 *
 * Prefixes live in the shared trie (rib/trie.h); each holds a short
 * list of paths, one per peer, with the best at its head.  Paths come
 * from a pool, so an update allocates nothing once the pool is warm.
 *
 * Every update or withdrawal recomputes the best for its prefix and,
 * when the best (or the multipath set) changed, reports the change
 * through a callback.  The daemon connects that to export and to the
 * FIB; the RIB names neither (DESIGN.md 4).
 *
 * The paths of a prefix are its post-policy Adj-RIBs-In (RFC 4271 3.2):
 * a path that may not be a candidate (an AS_PATH loop, rib_path.as_loop)
 * stays listed, ineligible.  The Adj-RIB-Out entries hang off the same
 * prefix record (rib/loc_rib_out.h). */
#ifndef EGRESS_RIB_LOC_RIB_H
#define EGRESS_RIB_LOC_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "rib/decision.h"
#include "rib/mem.h"

struct loc_rib;
struct loc_rib_rec;

struct loc_rib_change {
	const struct prefix *prefix;
	/* Copies valid only during the callback; NULL when there was no
	 * best before (a new prefix, or only ineligible paths) or is none
	 * now (withdrawn, or no path eligible). */
	const struct rib_path *old_best;
	const struct rib_path *new_best;
	bool best_changed;      /* old and new best differ */
	bool multipath_changed; /* the equal-cost set differs (multipath > 1) */
	/* Neither moved but another candidate came, went or changed (only
	 * with loc_rib_report_paths on): the FIB's backup may have. */
	bool others_changed;
	/* The prefix's record: its Adj-RIB-Out entries are read and set
	 * through it (loc_rib_out_get/set) without another descent. */
	struct loc_rib_rec *rec;
};

/* Must not update or withdraw in the same Loc-RIB; reading is fine, and
 * so is changing out entries (loc_rib_out_set). */
typedef void (*loc_rib_change_fn)(void *arg, const struct loc_rib_change *c);

struct loc_rib_config {
	const struct rib_comparator *cmp; /* NULL: rib_comparator_rfc4271 */
	struct rib_decision_opts opts;
	size_t multipath;     /* equal-cost paths to keep, 0 or 1 = best only */
	bool multipath_relax; /* allow different neighbouring ASes */
};

/* fn may be NULL (no events).  NULL on -ENOMEM. */
struct loc_rib *loc_rib_new(const struct loc_rib_config *cfg, loc_rib_change_fn fn, void *arg);
/* Also report changes of candidates other than the best and the
 * multipath set (others_changed), for consumers that keep a backup
 * path (the FIB's prefix-independent repair).  Off by default. */
void loc_rib_report_paths(struct loc_rib *lr, bool on);
/* Drops every path and its attribute reference; no events. */
void loc_rib_free(struct loc_rib *lr);

/* Adds or replaces (implicit withdrawal, RFC 4271 3.1) the path that
 * path->peer offers for p.  The path is copied and a reference to its
 * attrs taken.  0, -EINVAL (no peer or attrs, bad prefix), -ENOMEM. */
int loc_rib_update(struct loc_rib *lr, const struct prefix *p, const struct rib_path *path);
/* Removes the path from peer_id for p.  1 if it was there, else 0
 * (-ENOMEM only if the selection work array cannot grow, before any
 * change). */
int loc_rib_withdraw(struct loc_rib *lr, const struct prefix *p, uint32_t peer_id);
/* Removes at most budget (0 = no limit) prefixes' worth of peer_id's
 * paths for family af, resuming after *cursor (family 0 = from the
 * start), e.g. after the session went down.  Returns 1 with *next set
 * when more remain, 0 when done, negative errno. */
int loc_rib_peer_withdraw(struct loc_rib *lr, int af, uint32_t peer_id,
			  const struct prefix *cursor, size_t budget, struct prefix *next);

/* loc_rib_peer_withdraw of only the paths whose received stamp is at
 * most max_received (RFC 4724 4.2: the stale routes of a restarting
 * peer, those it did not send again); *removed (if not NULL) grows by
 * the paths withdrawn. */
int loc_rib_peer_withdraw_older(struct loc_rib *lr, int af, uint32_t peer_id,
				uint64_t max_received, const struct prefix *cursor, size_t budget,
				struct prefix *next, size_t *removed);

/* Replaces the decision options, multipath count and comparator (a
 * reload).  Nothing is reselected here: the caller walks the table with
 * loc_rib_reselect, which reports what moved.  0 or -ENOMEM (then the
 * old configuration stays). */
int loc_rib_set_config(struct loc_rib *lr, const struct loc_rib_config *cfg);
/* Runs the decision process again for at most budget (0 = no limit)
 * prefixes of family af, resuming after *cursor (NULL = from the start),
 * and reports every best or multipath change through the callback as an
 * update would.  1 with *next set while more remain, 0 when done,
 * negative errno. */
int loc_rib_reselect(struct loc_rib *lr, int af, const struct prefix *cursor, size_t budget,
		     struct prefix *next);

/* Current best for p, or NULL.  Valid until the next change. */
const struct rib_path *loc_rib_best(const struct loc_rib *lr, const struct prefix *p);
/* Candidates for p, best first (when there is one), then by arrival;
 * writes at most max and returns how many there are. */
size_t loc_rib_paths(const struct loc_rib *lr, const struct prefix *p,
		     const struct rib_path **out, size_t max);
/* The best and the paths equal to it (rib/multipath.h), at most the
 * configured multipath count and max. */
size_t loc_rib_multipath(struct loc_rib *lr, const struct prefix *p,
			 const struct rib_path **out, size_t max);

/* The path the decision process would choose for p if the paths for
 * which skip(arg, path) is true were gone, or NULL: the FIB's backup
 * (the next-best path through other next hops), chosen by the Loc-RIB's
 * own comparator and options.  Valid until the next change. */
const struct rib_path *loc_rib_best_without(struct loc_rib *lr, const struct prefix *p,
					    bool (*skip)(void *arg, const struct rib_path *path),
					    void *arg);

/* For `explain`: a candidate and the decision step at which it loses to
 * the best (RIB_STEP_EQUAL for the best itself, or for a path nothing
 * separates from it). */
struct loc_rib_explain {
	const struct rib_path *path;
	enum rib_decision_step lost_at;
	bool best;
};
/* Fills at most max entries, in candidate order; returns how many
 * candidates there are. */
size_t loc_rib_explain(const struct loc_rib *lr, const struct prefix *p,
		       struct loc_rib_explain *out, size_t max);

/* Prefixes of family af (0 = both) and paths in all. */
size_t loc_rib_count(const struct loc_rib *lr, int af);
size_t loc_rib_path_count(const struct loc_rib *lr);

/* Sliced walk in prefix order as trie_walk (rib/trie.h) does; best is
 * NULL for a prefix whose paths are all ineligible. */
typedef int (*loc_rib_visit_fn)(void *arg, const struct prefix *p, const struct rib_path *best);
int loc_rib_walk(const struct loc_rib *lr, int af, const struct prefix *cursor, size_t budget,
		 loc_rib_visit_fn fn, void *arg, struct prefix *next);

/* The prefix trie's and the paths' own memory (attributes are counted by
 * their intern table). */
void loc_rib_mem(const struct loc_rib *lr, struct rib_mem_stats *trie,
		 struct rib_mem_stats *paths);

#include "rib/loc_rib_out.h"

#endif
