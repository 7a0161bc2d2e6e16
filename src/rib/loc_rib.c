/* Loc-RIB: see rib/loc_rib.h.
 *
 * The trie value of a prefix is its record (rib/loc_rib_priv.h: paths
 * and Adj-RIB-Out entries) with the low bit set when the head path is
 * the selected best (pool objects are pointer aligned, so the bit is
 * free).  No path eligible (RFC 4271 9.1.2.1) means the bit is clear and
 * the prefix has no best.  A record without paths (only out entries
 * left, loc_rib_out.c) is invisible to the decision, the walks and the
 * counts.
 *
 * The list is the best first, then the others in arrival order; a
 * re-announced path moves to the end.  The plain (non-deterministic
 * MED) fold therefore starts from the incumbent, so a new path must
 * beat the current best rather than whatever arrived first. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pool.h"
#include "rib/loc_rib_priv.h"
#include "rib/multipath.h"

static int scratch_reserve(struct loc_rib *lr, size_t n);

static struct loc_path *val_head(void *v) { return loc_val_rec(v)->paths; }
static bool val_best(void *v) { return loc_val_best(v); }

static struct loc_path *path_node(const struct rib_path *p)
{
	return (struct loc_path *)((char *)p - offsetof(struct loc_path, path));
}

struct loc_rib *loc_rib_new(const struct loc_rib_config *cfg, loc_rib_change_fn fn, void *arg)
{
	struct loc_rib *lr = calloc(1, sizeof(*lr));
	if (!lr)
		return NULL;
	lr->cfg = *cfg;
	if (!lr->cfg.cmp)
		lr->cfg.cmp = &rib_comparator_rfc4271;
	if (lr->cfg.multipath == 0)
		lr->cfg.multipath = 1;
	lr->fn = fn;
	lr->arg = arg;
	trie_init(&lr->trie);
	pool_init(&lr->paths, sizeof(struct loc_path), 0);
	pool_init(&lr->recs, sizeof(struct loc_rib_rec), 0);
	pool_init(&lr->outs, sizeof(struct loc_out), 0);
	if (scratch_reserve(lr, 8) < 0) {
		loc_rib_free(lr);
		return NULL;
	}
	if (lr->cfg.multipath > 1) {
		lr->mp_old = calloc(lr->cfg.multipath, sizeof(*lr->mp_old));
		lr->mp_new = calloc(lr->cfg.multipath, sizeof(*lr->mp_new));
		if (!lr->mp_old || !lr->mp_new) {
			loc_rib_free(lr);
			return NULL;
		}
	}
	return lr;
}

static int unref_visit(void *arg, const struct prefix *p, void *v)
{
	(void)p;
	for (struct loc_path *lp = val_head(v); lp; lp = lp->next)
		bgp_attrs_unref(lp->path.attrs);
	loc_out_free_all(arg, loc_val_rec(v));
	return 0;
}

void loc_rib_free(struct loc_rib *lr)
{
	if (!lr)
		return;
	/* The visitor only drops attribute references, it does not touch
	 * the trie, so one unbounded walk is allowed here. */
	trie_walk(&lr->trie, AF_INET, NULL, 0, unref_visit, lr, NULL);
	trie_walk(&lr->trie, AF_INET6, NULL, 0, unref_visit, lr, NULL);
	trie_destroy(&lr->trie);
	pool_destroy(&lr->paths);
	pool_destroy(&lr->recs);
	pool_destroy(&lr->outs);
	free(lr->peers);
	free(lr->scratch);
	free(lr->mp_old);
	free(lr->mp_new);
	free(lr);
}

static int scratch_reserve(struct loc_rib *lr, size_t n)
{
	if (n <= lr->scratch_cap)
		return 0;
	size_t cap = lr->scratch_cap ? lr->scratch_cap : 8;
	while (cap < n)
		cap *= 2;
	const struct rib_path **s = realloc(lr->scratch, cap * sizeof(*s));
	if (!s)
		return -ENOMEM;
	lr->scratch = s;
	lr->scratch_cap = cap;
	return 0;
}

/* The list as an array in lr->scratch (reserved by the caller). */
static size_t scratch_fill(struct loc_rib *lr, struct loc_path *head)
{
	size_t n = 0;
	for (struct loc_path *lp = head; lp; lp = lp->next)
		lr->scratch[n++] = &lp->path;
	return n;
}

/* Runs the decision process over the prefix's paths, moves the winner
 * to the head and records whether there is one. */
static void reselect(struct loc_rib *lr, void **slot)
{
	struct loc_rib_rec *rec = loc_val_rec(*slot);
	struct loc_path *head = rec->paths;
	size_t n = scratch_fill(lr, head);
	int b = rib_best_select(lr->cfg.cmp, &lr->cfg.opts, lr->scratch, n);
	/* The incumbent flag follows the best (rib/decision.h), so a
	 * comparator that keeps the chosen path among equals can see it. */
	for (struct loc_path *lp = head; lp; lp = lp->next)
		lp->path.incumbent = false;
	if (b < 0) {
		*slot = loc_val_make(rec, false);
		return;
	}
	struct loc_path *w = path_node(lr->scratch[b]);
	w->path.incumbent = true;
	if (w != head) {
		struct loc_path *prev = head;
		while (prev->next != w)
			prev = prev->next;
		prev->next = w->next;
		w->next = head;
		head = w;
		rec->paths = head;
	}
	*slot = loc_val_make(rec, true);
}

/* The multipath set of a prefix (best first), at most max entries. */
static size_t mp_collect(struct loc_rib *lr, void *v, const struct rib_path **out, size_t max)
{
	if (!v || !val_best(v))
		return 0;
	size_t n = scratch_fill(lr, val_head(v));
	return rib_multipath_select(lr->cfg.cmp, &lr->cfg.opts, lr->scratch, n, 0, max,
				    lr->cfg.multipath_relax, out);
}

/* Same route as far as export and forwarding care. */
static bool path_same(const struct rib_path *a, const struct rib_path *b)
{
	return a->peer == b->peer && a->nh_reachable == b->nh_reachable &&
	       a->igp_cost == b->igp_cost &&
	       (a->attrs == b->attrs || bgp_attrs_equal(a->attrs, b->attrs));
}

/* State before a change, held (with attribute references) until the
 * change has been reported. */
struct snapshot {
	bool has_best;
	struct rib_path best;
	size_t n_mp; /* entries in lr->mp_old */
};

static void snapshot_take(struct loc_rib *lr, void *v, struct snapshot *s)
{
	s->has_best = v && val_best(v);
	s->n_mp = 0;
	if (!s->has_best)
		return;
	s->best = val_head(v)->path;
	bgp_attrs_ref(s->best.attrs);
	if (lr->cfg.multipath > 1) {
		s->n_mp = mp_collect(lr, v, lr->mp_new, lr->cfg.multipath);
		for (size_t i = 0; i < s->n_mp; i++) {
			lr->mp_old[i] = *lr->mp_new[i];
			bgp_attrs_ref(lr->mp_old[i].attrs);
		}
	}
}

static void snapshot_drop(struct loc_rib *lr, struct snapshot *s)
{
	if (s->has_best)
		bgp_attrs_unref(s->best.attrs);
	for (size_t i = 0; i < s->n_mp; i++)
		bgp_attrs_unref(lr->mp_old[i].attrs);
	s->has_best = false;
	s->n_mp = 0;
}

/* Compares the prefix's state now (v, NULL if it is gone) with the
 * snapshot, tells the callback if the best or the multipath set moved,
 * and drops the snapshot. */
static void report(struct loc_rib *lr, const struct prefix *p, struct snapshot *s, void *v,
		   struct loc_rib_rec *rec)
{
	const struct rib_path *nb = v && val_best(v) ? &val_head(v)->path : NULL;
	bool best_changed = s->has_best != (nb != NULL) || (nb && !path_same(&s->best, nb));
	bool mp_changed = false;
	if (lr->cfg.multipath > 1) {
		size_t n = mp_collect(lr, v, lr->mp_new, lr->cfg.multipath);
		mp_changed = n != s->n_mp;
		for (size_t i = 0; i < s->n_mp && !mp_changed; i++) {
			bool found = false;
			for (size_t j = 0; j < n && !found; j++)
				found = path_same(&lr->mp_old[i], lr->mp_new[j]);
			mp_changed = !found;
		}
	}
	bool others = !best_changed && !mp_changed && nb && lr->report_paths;
	if ((best_changed || mp_changed || others) && lr->fn) {
		struct loc_rib_change c = {
			.prefix = p,
			.old_best = s->has_best ? &s->best : NULL,
			.new_best = nb,
			.best_changed = best_changed,
			.multipath_changed = mp_changed,
			.others_changed = others,
			.rec = rec,
		};
		lr->fn(lr->arg, &c);
	}
	snapshot_drop(lr, s);
}

/* The peer's route count of the prefix's family moves by delta. */
static void routes_count(struct loc_rib *lr, const struct prefix *p, uint32_t peer_id, int delta)
{
	struct loc_peer_state *ps = loc_peer_peek(lr, peer_id);
	if (ps && delta > 0)
		ps->routes[loc_fam(p)]++;
	else if (ps)
		ps->routes[loc_fam(p)]--;
}

int loc_rib_update(struct loc_rib *lr, const struct prefix *p, const struct rib_path *path)
{
	if (!path || !path->peer || !path->attrs)
		return -EINVAL;
	/* The per-peer counters must exist before anything changes. */
	if (path->peer->id < LOC_PEER_MAX && !loc_peer_get(lr, path->peer->id))
		return -ENOMEM;
	/* One trie descent finds the prefix or adds it with this path;
	 * taking a path and a record from their pools first is only a
	 * free-list pop each, and they go back if not needed. */
	struct loc_path *fresh = pool_alloc(&lr->paths);
	struct loc_rib_rec *nrec = fresh ? pool_alloc(&lr->recs) : NULL;
	if (!nrec) {
		if (fresh)
			pool_free(&lr->paths, fresh);
		return -ENOMEM;
	}
	fresh->next = NULL;
	fresh->path = *path;
	bool eligible = rib_path_eligible(path);
	/* A newcomer is never the incumbent; the only path of a new
	 * prefix is its best when eligible (set below). */
	fresh->path.incumbent = false;
	nrec->paths = fresh;
	nrec->outs = NULL;
	void **slot;
	int rc = trie_insert_or_get(&lr->trie, p, loc_val_make(nrec, eligible), &slot);
	if (rc < 0) {
		pool_free(&lr->paths, fresh);
		pool_free(&lr->recs, nrec);
		return rc;
	}
	if (rc == 1) {
		/* New prefix: one path, best if eligible; no selection run. */
		fresh->path.incumbent = eligible;
		bgp_attrs_ref(path->attrs);
		lr->n_paths++;
		lr->n_prefixes[loc_fam(p)]++;
		routes_count(lr, p, path->peer->id, 1);
		if (eligible && lr->fn) {
			struct loc_rib_change c = { .prefix = p, .new_best = &fresh->path,
						    .best_changed = true,
						    .multipath_changed = lr->cfg.multipath > 1,
						    .rec = nrec };
			lr->fn(lr->arg, &c);
		}
		return 0;
	}
	pool_free(&lr->recs, nrec);
	struct loc_rib_rec *rec = loc_val_rec(*slot);

	struct loc_path *head = rec->paths, *pp = NULL, *pprev = NULL, *tail = NULL;
	size_t n = 0;
	for (struct loc_path *lp = head; lp; lp = lp->next) {
		if (lp->path.peer->id == path->peer->id) {
			pp = lp;
			pprev = tail;
		}
		tail = lp;
		n++;
	}
	if (pp) {
		pool_free(&lr->paths, fresh);
		fresh = NULL;
	}
	if (scratch_reserve(lr, n + 1) < 0) {
		pool_free(&lr->paths, fresh);
		return -ENOMEM;
	}

	struct snapshot s;
	snapshot_take(lr, *slot, &s);
	bgp_attrs_ref(path->attrs);
	if (pp) {
		/* RFC 4271 3.1: a new route for the same prefix from the same
		 * peer implicitly withdraws the old one. */
		struct bgp_attrs *old = pp->path.attrs;
		bool incumbent = pp->path.incumbent; /* the same path, newer attributes */
		pp->path = *path;
		pp->path.incumbent = incumbent;
		bgp_attrs_unref(old);
		if (pp != tail) { /* newest arrival goes last */
			if (pprev)
				pprev->next = pp->next;
			else
				head = pp->next;
			tail->next = pp;
			pp->next = NULL;
		}
	} else {
		/* A record kept only for its out entries has no tail. */
		if (tail)
			tail->next = fresh;
		else
			head = fresh;
		if (!tail)
			lr->n_prefixes[loc_fam(p)]++;
		lr->n_paths++;
		routes_count(lr, p, path->peer->id, 1);
	}
	rec->paths = head;
	*slot = loc_val_make(rec, false);
	reselect(lr, slot);
	report(lr, p, &s, *slot, rec);
	return 0;
}

int loc_rib_withdraw(struct loc_rib *lr, const struct prefix *p, uint32_t peer_id)
{
	struct trie_pos pos;
	void **slot = trie_lookup_pos(&lr->trie, p, &pos);
	if (!slot)
		return 0;
	struct loc_rib_rec *rec = loc_val_rec(*slot);
	struct loc_path *head = rec->paths, *pp = NULL, *pprev = NULL, *prev = NULL;
	size_t n = 0;
	for (struct loc_path *lp = head; lp; prev = lp, lp = lp->next) {
		if (lp->path.peer->id == peer_id) {
			pp = lp;
			pprev = prev;
		}
		n++;
	}
	if (!pp)
		return 0;
	/* The scratch array never shrinks and already held this list
	 * when it was last selected; this cannot fail in practice, but
	 * must come before anything changes. */
	if (scratch_reserve(lr, n) < 0)
		return -ENOMEM;
	struct snapshot s;
	snapshot_take(lr, *slot, &s);
	if (pprev)
		pprev->next = pp->next;
	else
		head = pp->next;
	/* The best path goes: once the change is reported, the snapshot
	 * does not hold its set either (out entries never do).  If nothing
	 * else does, its intern slot loads meanwhile (a full withdrawal
	 * releases a set every 3-4 prefixes, each a cache miss in the
	 * table when taken in line). */
	if (!pprev && s.has_best)
		bgp_attrs_prefetch_release(pp->path.attrs, 2);
	bgp_attrs_unref(pp->path.attrs);
	pool_free(&lr->paths, pp);
	lr->n_paths--;
	routes_count(lr, p, peer_id, -1);
	rec->paths = head;
	*slot = loc_val_make(rec, false);
	if (head)
		reselect(lr, slot);
	else
		lr->n_prefixes[loc_fam(p)]--;
	/* The callback sees the record (its out entries) even when the
	 * last path went; it changes out entries only, never the trie, so
	 * pos stays valid for the deletion after it. */
	report(lr, p, &s, *slot, rec);
	if (!head)
		loc_rec_gc(lr, rec, &pos);
	return 1;
}

struct peer_collect {
	uint32_t peer_id;
	uint64_t max_received;
	struct prefix *batch;
	size_t n;
	struct loc_rib *lr;
};

static int peer_collect_visit(void *arg, const struct prefix *p, void *v)
{
	struct peer_collect *c = arg;
	struct loc_rib_rec *rec = loc_val_rec(v);
	/* The walk passes every prefix anyway: the out entries of ended
	 * sessions go here (changes no trie node), and a record left
	 * with nothing is collected for deletion after the walk. */
	if (rec->outs)
		loc_out_reclaim(c->lr, rec);
	if (!rec->paths && !rec->outs) {
		c->batch[c->n++] = *p;
		return 0;
	}
	for (struct loc_path *lp = rec->paths; lp; lp = lp->next) {
		if (lp->path.peer->id == c->peer_id) {
			if (lp->path.received <= c->max_received)
				c->batch[c->n++] = *p;
			break;
		}
	}
	return 0;
}

static int peer_withdraw(struct loc_rib *lr, int af, uint32_t peer_id, uint64_t max_received,
			 const struct prefix *cursor, size_t budget, struct prefix *next,
			 size_t *removed);

int loc_rib_peer_withdraw(struct loc_rib *lr, int af, uint32_t peer_id,
			  const struct prefix *cursor, size_t budget, struct prefix *next)
{
	return peer_withdraw(lr, af, peer_id, UINT64_MAX, cursor, budget, next, NULL);
}

int loc_rib_peer_withdraw_older(struct loc_rib *lr, int af, uint32_t peer_id,
				uint64_t max_received, const struct prefix *cursor, size_t budget,
				struct prefix *next, size_t *removed)
{
	return peer_withdraw(lr, af, peer_id, max_received, cursor, budget, next, removed);
}

static int peer_withdraw(struct loc_rib *lr, int af, uint32_t peer_id, uint64_t max_received,
			 const struct prefix *cursor, size_t budget, struct prefix *next,
			 size_t *removed)
{
	enum { CHUNK = 256 };
	struct prefix batch[CHUNK], cur;
	const struct prefix *from = cursor;
	size_t done = 0;
	for (;;) {
		size_t chunk = CHUNK;
		if (budget && budget - done < chunk)
			chunk = budget - done;
		struct peer_collect c = { .peer_id = peer_id, .max_received = max_received,
					  .batch = batch, .lr = lr };
		/* Collect first, withdraw after: the walk must not see the
		 * trie change under it. */
		int rc = trie_walk(&lr->trie, af, from, chunk, peer_collect_visit, &c, &cur);
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < c.n; i++) {
			int w = loc_rib_withdraw(lr, &batch[i], peer_id);
			if (w == 1 && removed)
				(*removed)++;
			if (w == 0) {
				struct trie_pos pos;
				void **slot = trie_lookup_pos(&lr->trie, &batch[i], &pos);
				if (slot)
					loc_rec_gc(lr, loc_val_rec(*slot), &pos);
			}
		}
		if (rc == 0)
			return 0;
		from = &cur;
		done += chunk;
		if (budget && done >= budget) {
			if (next)
				*next = cur;
			return 1;
		}
	}
}

int loc_rib_set_config(struct loc_rib *lr, const struct loc_rib_config *cfg)
{
	struct loc_rib_config c = *cfg;
	if (!c.cmp)
		c.cmp = &rib_comparator_rfc4271;
	if (c.multipath == 0)
		c.multipath = 1;
	struct rib_path *mp_old = NULL;
	const struct rib_path **mp_new = NULL;
	if (c.multipath > 1) {
		mp_old = calloc(c.multipath, sizeof(*mp_old));
		mp_new = calloc(c.multipath, sizeof(*mp_new));
		if (!mp_old || !mp_new) {
			free(mp_old);
			free(mp_new);
			return -ENOMEM;
		}
	}
	/* No snapshot is alive between calls, so the arrays can go. */
	free(lr->mp_old);
	free(lr->mp_new);
	lr->mp_old = mp_old;
	lr->mp_new = mp_new;
	lr->cfg = c;
	return 0;
}

/* Prefixes of one reselect chunk: collected by the walk, reselected
 * after it, so the walk never runs over a prefix being reported on. */
enum { RESELECT_CHUNK = 256 };
struct reselect_batch {
	struct prefix p[RESELECT_CHUNK];
	size_t n;
};

static int reselect_visit(void *arg, const struct prefix *p, void *v)
{
	struct reselect_batch *b = arg;
	(void)v;
	b->p[b->n++] = *p;
	return 0;
}

/* The "before" of each prefix is its current head (the best under the
 * old options); its multipath set is taken under the new rules, the old
 * ones being gone, so a multipath change is reported whenever the new
 * set differs from what the new rules grant the old best: what the FIB
 * must hear after a `multipath` change anyway. */
int loc_rib_reselect(struct loc_rib *lr, int af, const struct prefix *cursor, size_t budget,
		     struct prefix *next)
{
	struct reselect_batch *b = malloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	struct prefix cur;
	const struct prefix *from = cursor;
	size_t done = 0;
	int ret = 0;
	for (;;) {
		size_t chunk = RESELECT_CHUNK;
		if (budget && budget - done < chunk)
			chunk = budget - done;
		b->n = 0;
		int rc = trie_walk(&lr->trie, af, from, chunk, reselect_visit, b, &cur);
		if (rc < 0) {
			ret = rc;
			break;
		}
		for (size_t i = 0; i < b->n; i++) {
			struct trie_pos pos;
			void **slot = trie_lookup_pos(&lr->trie, &b->p[i], &pos);
			if (!slot || !val_head(*slot))
				continue;
			size_t n = 0;
			for (struct loc_path *lp = val_head(*slot); lp; lp = lp->next)
				n++;
			if (scratch_reserve(lr, n) < 0) {
				free(b);
				return -ENOMEM;
			}
			struct snapshot s;
			snapshot_take(lr, *slot, &s);
			reselect(lr, slot);
			report(lr, &b->p[i], &s, *slot, loc_val_rec(*slot));
		}
		if (rc == 0)
			break;
		from = &cur;
		done += chunk;
		if (budget && done >= budget) {
			if (next)
				*next = cur;
			ret = 1;
			break;
		}
	}
	free(b);
	return ret;
}

const struct rib_path *loc_rib_best(const struct loc_rib *lr, const struct prefix *p)
{
	void *v = trie_lookup(&lr->trie, p);
	return v && val_best(v) ? &val_head(v)->path : NULL;
}

size_t loc_rib_paths(const struct loc_rib *lr, const struct prefix *p,
		     const struct rib_path **out, size_t max)
{
	void *v = trie_lookup(&lr->trie, p);
	size_t n = 0;
	for (struct loc_path *lp = v ? val_head(v) : NULL; lp; lp = lp->next, n++)
		if (n < max)
			out[n] = &lp->path;
	return n;
}

size_t loc_rib_multipath(struct loc_rib *lr, const struct prefix *p,
			 const struct rib_path **out, size_t max)
{
	void *v = trie_lookup(&lr->trie, p);
	if (!v)
		return 0;
	size_t n = 0;
	for (struct loc_path *lp = val_head(v); lp; lp = lp->next)
		n++;
	if (scratch_reserve(lr, n) < 0)
		return 0;
	if (max > lr->cfg.multipath)
		max = lr->cfg.multipath;
	return mp_collect(lr, v, out, max);
}

void loc_rib_report_paths(struct loc_rib *lr, bool on)
{
	lr->report_paths = on;
}

const struct rib_path *loc_rib_best_without(struct loc_rib *lr, const struct prefix *p,
					    bool (*skip)(void *arg, const struct rib_path *path),
					    void *arg)
{
	void *v = trie_lookup(&lr->trie, p);
	if (!v)
		return NULL;
	size_t n = 0;
	for (struct loc_path *lp = val_head(v); lp; lp = lp->next)
		n++;
	if (scratch_reserve(lr, n) < 0)
		return NULL;
	n = 0;
	for (struct loc_path *lp = val_head(v); lp; lp = lp->next)
		if (!skip(arg, &lp->path))
			lr->scratch[n++] = &lp->path;
	int b = n ? rib_best_select(lr->cfg.cmp, &lr->cfg.opts, lr->scratch, n) : -ENOENT;
	return b < 0 ? NULL : lr->scratch[b];
}

size_t loc_rib_explain(const struct loc_rib *lr, const struct prefix *p,
		       struct loc_rib_explain *out, size_t max)
{
	void *v = trie_lookup(&lr->trie, p);
	if (!v)
		return 0;
	struct loc_path *head = val_head(v);
	const struct rib_path *best = val_best(v) ? &head->path : NULL;
	size_t n = 0;
	for (struct loc_path *lp = head; lp; lp = lp->next, n++) {
		if (n >= max)
			continue;
		enum rib_decision_step step = RIB_STEP_EQUAL;
		if (best && &lp->path != best && !rib_path_eligible(&lp->path))
			step = RIB_STEP_NEXTHOP; /* never a candidate (9.1.2) */
		else if (best && &lp->path != best)
			lr->cfg.cmp->compare(&lr->cfg.opts, best, &lp->path, &step);
		else if (!best)
			step = RIB_STEP_NEXTHOP; /* nothing eligible */
		out[n] = (struct loc_rib_explain){ .path = &lp->path, .lost_at = step,
						   .best = &lp->path == best };
	}
	return n;
}

size_t loc_rib_count(const struct loc_rib *lr, int af)
{
	return af == AF_INET ? lr->n_prefixes[0] : af == AF_INET6 ? lr->n_prefixes[1]
		: lr->n_prefixes[0] + lr->n_prefixes[1];
}
size_t loc_rib_path_count(const struct loc_rib *lr) { return lr->n_paths; }

struct walk_adapter {
	loc_rib_visit_fn fn;
	void *arg;
};

static int walk_visit(void *arg, const struct prefix *p, void *v)
{
	struct walk_adapter *w = arg;
	if (!val_head(v))
		return 0; /* only out entries: not a Loc-RIB prefix */
	return w->fn(w->arg, p, val_best(v) ? &val_head(v)->path : NULL);
}

int loc_rib_walk(const struct loc_rib *lr, int af, const struct prefix *cursor, size_t budget,
		 loc_rib_visit_fn fn, void *arg, struct prefix *next)
{
	struct walk_adapter w = { fn, arg };
	return trie_walk(&lr->trie, af, cursor, budget, walk_visit, &w, next);
}

void loc_rib_mem(const struct loc_rib *lr, struct rib_mem_stats *trie,
		 struct rib_mem_stats *paths)
{
	trie_mem(&lr->trie, trie);
	/* The prefix records belong with the trie: one per prefix. */
	trie->bytes += pool_bytes(&lr->recs);
	paths->items = lr->n_paths;
	paths->bytes = pool_bytes(&lr->paths) + lr->scratch_cap * sizeof(*lr->scratch) +
		       lr->cfg.multipath * (sizeof(*lr->mp_old) + sizeof(*lr->mp_new));
}
