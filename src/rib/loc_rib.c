/* Loc-RIB: see rib/loc_rib.h.
 *
 * The trie value of a prefix is its path list head with the low bit
 * set when the head is the selected best (pool objects are pointer
 * aligned, so the bit is free): a prefix costs its trie node(s) and its
 * paths, nothing else.  No path eligible (RFC 4271 9.1.2.1) means the
 * bit is clear and the prefix has no best.
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
#include "rib/loc_rib.h"
#include "rib/multipath.h"
#include "rib/trie.h"

struct loc_path {
	struct loc_path *next;
	struct rib_path path;
};

struct loc_rib {
	struct loc_rib_config cfg;
	loc_rib_change_fn fn;
	void *arg;
	struct trie trie;
	struct pool paths;
	size_t n_paths;
	/* Work arrays reused by every selection, so an update does not
	 * allocate once they have grown to the largest path count. */
	const struct rib_path **scratch;
	size_t scratch_cap;
	struct rib_path *mp_old;     /* multipath set before a change */
	const struct rib_path **mp_new;
	bool report_paths;           /* loc_rib_report_paths */
};

#define BEST_BIT ((uintptr_t)1)

static int scratch_reserve(struct loc_rib *lr, size_t n);

static struct loc_path *val_head(void *v) { return (struct loc_path *)((uintptr_t)v & ~BEST_BIT); }
static bool val_best(void *v) { return ((uintptr_t)v & BEST_BIT) != 0; }
static void *val_make(struct loc_path *h, bool best)
{
	return (void *)((uintptr_t)h | (best ? BEST_BIT : 0));
}

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
	(void)arg;
	(void)p;
	for (struct loc_path *lp = val_head(v); lp; lp = lp->next)
		bgp_attrs_unref(lp->path.attrs);
	return 0;
}

void loc_rib_free(struct loc_rib *lr)
{
	if (!lr)
		return;
	/* The visitor only drops attribute references, it does not touch
	 * the trie, so one unbounded walk is allowed here. */
	trie_walk(&lr->trie, AF_INET, NULL, 0, unref_visit, NULL, NULL);
	trie_walk(&lr->trie, AF_INET6, NULL, 0, unref_visit, NULL, NULL);
	trie_destroy(&lr->trie);
	pool_destroy(&lr->paths);
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
	struct loc_path *head = val_head(*slot);
	size_t n = scratch_fill(lr, head);
	int b = rib_best_select(lr->cfg.cmp, &lr->cfg.opts, lr->scratch, n);
	/* The incumbent flag follows the best (rib/decision.h), so a
	 * comparator that keeps the chosen path among equals can see it. */
	for (struct loc_path *lp = head; lp; lp = lp->next)
		lp->path.incumbent = false;
	if (b < 0) {
		*slot = val_make(head, false);
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
	}
	*slot = val_make(head, true);
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
static void report(struct loc_rib *lr, const struct prefix *p, struct snapshot *s, void *v)
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
		};
		lr->fn(lr->arg, &c);
	}
	snapshot_drop(lr, s);
}

int loc_rib_update(struct loc_rib *lr, const struct prefix *p, const struct rib_path *path)
{
	if (!path || !path->peer || !path->attrs)
		return -EINVAL;
	/* One trie descent finds the prefix or adds it with this path;
	 * taking a path from the pool first is only a free-list pop, and
	 * it goes back if the peer already had a path here. */
	struct loc_path *fresh = pool_alloc(&lr->paths);
	if (!fresh)
		return -ENOMEM;
	fresh->next = NULL;
	fresh->path = *path;
	bool eligible = rib_path_eligible(path);
	/* A newcomer is never the incumbent; the only path of a new
	 * prefix is its best when eligible (set below). */
	fresh->path.incumbent = false;
	void **slot;
	int rc = trie_insert_or_get(&lr->trie, p, val_make(fresh, eligible), &slot);
	if (rc < 0) {
		pool_free(&lr->paths, fresh);
		return rc;
	}
	if (rc == 1) {
		/* New prefix: one path, best if eligible; no selection run. */
		fresh->path.incumbent = eligible;
		bgp_attrs_ref(path->attrs);
		lr->n_paths++;
		if (eligible && lr->fn) {
			struct loc_rib_change c = { .prefix = p, .new_best = &fresh->path,
						    .best_changed = true,
						    .multipath_changed = lr->cfg.multipath > 1 };
			lr->fn(lr->arg, &c);
		}
		return 0;
	}

	struct loc_path *head = val_head(*slot), *pp = NULL, *pprev = NULL, *tail = NULL;
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
		tail->next = fresh;
		lr->n_paths++;
	}
	*slot = val_make(head, false);
	reselect(lr, slot);
	report(lr, p, &s, *slot);
	return 0;
}

int loc_rib_withdraw(struct loc_rib *lr, const struct prefix *p, uint32_t peer_id)
{
	struct trie_pos pos;
	void **slot = trie_lookup_pos(&lr->trie, p, &pos);
	if (!slot)
		return 0;
	struct loc_path *head = val_head(*slot), *pp = NULL, *pprev = NULL, *prev = NULL;
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
	bgp_attrs_unref(pp->path.attrs);
	pool_free(&lr->paths, pp);
	lr->n_paths--;
	void *v = NULL;
	if (head) {
		*slot = val_make(head, false);
		reselect(lr, slot);
		v = *slot;
	} else {
		trie_delete_pos(&lr->trie, &pos);
	}
	report(lr, p, &s, v);
	return 1;
}

struct peer_collect {
	uint32_t peer_id;
	struct prefix *batch;
	size_t n;
};

static int peer_collect_visit(void *arg, const struct prefix *p, void *v)
{
	struct peer_collect *c = arg;
	for (struct loc_path *lp = val_head(v); lp; lp = lp->next) {
		if (lp->path.peer->id == c->peer_id) {
			c->batch[c->n++] = *p;
			break;
		}
	}
	return 0;
}

int loc_rib_peer_withdraw(struct loc_rib *lr, int af, uint32_t peer_id,
			  const struct prefix *cursor, size_t budget, struct prefix *next)
{
	enum { CHUNK = 256 };
	struct prefix batch[CHUNK], cur;
	const struct prefix *from = cursor;
	size_t done = 0;
	for (;;) {
		size_t chunk = CHUNK;
		if (budget && budget - done < chunk)
			chunk = budget - done;
		struct peer_collect c = { .peer_id = peer_id, .batch = batch };
		/* Collect first, withdraw after: the walk must not see the
		 * trie change under it. */
		int rc = trie_walk(&lr->trie, af, from, chunk, peer_collect_visit, &c, &cur);
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < c.n; i++)
			loc_rib_withdraw(lr, &batch[i], peer_id);
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
			if (!slot)
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
			report(lr, &b->p[i], &s, *slot);
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
		if (best && &lp->path != best)
			lr->cfg.cmp->compare(&lr->cfg.opts, best, &lp->path, &step);
		else if (!best)
			step = RIB_STEP_NEXTHOP; /* nothing eligible */
		out[n] = (struct loc_rib_explain){ .path = &lp->path, .lost_at = step,
						   .best = &lp->path == best };
	}
	return n;
}

size_t loc_rib_count(const struct loc_rib *lr, int af) { return trie_count(&lr->trie, af); }
size_t loc_rib_path_count(const struct loc_rib *lr) { return lr->n_paths; }

struct walk_adapter {
	loc_rib_visit_fn fn;
	void *arg;
};

static int walk_visit(void *arg, const struct prefix *p, void *v)
{
	struct walk_adapter *w = arg;
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
	paths->items = lr->n_paths;
	paths->bytes = pool_bytes(&lr->paths) + lr->scratch_cap * sizeof(*lr->scratch) +
		       lr->cfg.multipath * (sizeof(*lr->mp_old) + sizeof(*lr->mp_new));
}
