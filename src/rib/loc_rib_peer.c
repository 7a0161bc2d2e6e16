/* Per-peer views of the Loc-RIB's prefix records (rib/loc_rib_out.h):
 * the Adj-RIB-In of a peer is its paths, the Adj-RIB-Out its out
 * entries; both are read by walking the records in prefix order.  The
 * walks are sliced like every other table walk (trie_walk's cursor is a
 * prefix, so the Loc-RIB may change between slices). */
#include <errno.h>
#include <stdlib.h>

#include "rib/loc_rib_priv.h"

size_t loc_rib_peer_routes(const struct loc_rib *lr, uint32_t peer_id, int af)
{
	const struct loc_peer_state *ps = loc_peer_peek(lr, peer_id);
	if (!ps)
		return 0;
	return af == AF_INET ? ps->routes[0] : af == AF_INET6 ? ps->routes[1]
		: ps->routes[0] + ps->routes[1];
}

/* What the out entries of the record in trie value v stand for: the
 * export of its best path now (rib/loc_rib_out.h); borrowed. */
static struct loc_out_src out_src(void *v)
{
	const struct loc_rib_rec *r = loc_val_rec(v);
	if (!loc_val_best(v))
		return (struct loc_out_src){ NULL, 0 };
	return (struct loc_out_src){ r->paths->path.attrs, r->paths->path.peer->id };
}

struct peer_walk {
	struct loc_rib *lr;
	uint32_t peer_id;
	bool out;
	loc_rib_peer_visit_fn fn;
	void *arg;
};

static int peer_walk_visit(void *arg, const struct prefix *p, void *v)
{
	struct peer_walk *w = arg;
	struct loc_rib_rec *r = loc_val_rec(v);
	if (!w->out) {
		for (struct loc_path *lp = r->paths; lp; lp = lp->next)
			if (lp->path.peer->id == w->peer_id)
				return w->fn(w->arg, p, &lp->path, lp->path.attrs);
		return 0;
	}
	enum loc_out_state st = r->outs ? loc_rib_out_get(w->lr, r, w->peer_id, NULL)
					: LOC_OUT_NONE;
	if (st == LOC_OUT_NONE)
		return 0;
	struct loc_out_src src = out_src(v);
	if (!src.attrs)
		return 0; /* no best: nothing is the export */
	if (!w->lr->out_export)
		return w->fn(w->arg, p, NULL, src.attrs);
	/* The export of the best now is what was sent (rib/loc_rib_out.h). */
	struct bgp_attrs *a = NULL;
	int rc = w->lr->out_export(w->lr->out_export_arg, w->peer_id, p, &src, &a);
	if (rc < 0 || !a)
		return rc < 0 ? rc : 0;
	rc = w->fn(w->arg, p, NULL, a);
	bgp_attrs_unref(a);
	return rc;
}

int loc_rib_peer_walk(struct loc_rib *lr, int af, uint32_t peer_id, bool out,
		      const struct prefix *cursor, size_t budget, loc_rib_peer_visit_fn fn,
		      void *arg, struct prefix *next)
{
	struct peer_walk w = { lr, peer_id, out, fn, arg };
	return trie_walk(&lr->trie, af, cursor, budget, peer_walk_visit, &w, next);
}

struct entries {
	struct adj_rib_entry *e;
	size_t n, cap;
};

static int entries_visit(void *arg, const struct prefix *p, const struct rib_path *path,
			 struct bgp_attrs *a)
{
	struct entries *x = arg;
	(void)path;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 64;
		struct adj_rib_entry *ne = realloc(x->e, cap * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		x->e = ne;
		x->cap = cap;
	}
	x->e[x->n].prefix = *p;
	x->e[x->n].attrs = bgp_attrs_ref(a);
	x->n++;
	return 0;
}

int loc_rib_peer_entries(struct loc_rib *lr, uint32_t peer_id, bool out,
			 struct adj_rib_entry **e, size_t *n)
{
	struct entries x = {0};
	*e = NULL;
	*n = 0;
	/* In prefix order, IPv4 first: sorted as adj_rib_entries sorts. */
	static const int afs[] = { AF_INET, AF_INET6 };
	for (size_t i = 0; i < 2; i++) {
		int rc = loc_rib_peer_walk(lr, afs[i], peer_id, out, NULL, 0, entries_visit, &x,
					   NULL);
		if (rc < 0) {
			adj_rib_entries_free(x.e, x.n);
			return rc;
		}
	}
	*e = x.e;
	*n = x.n;
	return 0;
}

struct out_entries {
	struct loc_rib *lr;
	uint32_t peer_id;
	struct loc_out_entry *e;
	size_t n, cap;
};

static int out_entries_visit(void *arg, const struct prefix *p, void *v)
{
	struct out_entries *x = arg;
	struct loc_rib_rec *r = loc_val_rec(v);
	enum loc_out_state st = r->outs ? loc_rib_out_get(x->lr, r, x->peer_id, NULL)
					: LOC_OUT_NONE;
	if (st == LOC_OUT_NONE)
		return 0;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 64;
		struct loc_out_entry *ne = realloc(x->e, cap * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		x->e = ne;
		x->cap = cap;
	}
	struct loc_out_src src = out_src(v);
	if (src.attrs)
		bgp_attrs_ref(src.attrs);
	x->e[x->n++] = (struct loc_out_entry){ *p, src, st == LOC_OUT_CUR };
	return 0;
}

int loc_rib_out_entries(struct loc_rib *lr, uint32_t peer_id, struct loc_out_entry **e,
			size_t *n)
{
	struct out_entries x = { .lr = lr, .peer_id = peer_id };
	*e = NULL;
	*n = 0;
	static const int afs[] = { AF_INET, AF_INET6 };
	for (size_t i = 0; i < 2; i++) {
		int rc = trie_walk(&lr->trie, afs[i], NULL, 0, out_entries_visit, &x, NULL);
		if (rc < 0) {
			loc_rib_out_entries_free(x.e, x.n);
			return rc;
		}
	}
	*e = x.e;
	*n = x.n;
	return 0;
}

void loc_rib_out_entries_free(struct loc_out_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bgp_attrs_unref(e[i].src.attrs);
	free(e);
}

struct rec_walk {
	loc_rib_rec_visit_fn fn;
	void *arg;
};

static int rec_walk_visit(void *arg, const struct prefix *p, void *v)
{
	struct rec_walk *w = arg;
	struct loc_rib_rec *r = loc_val_rec(v);
	if (!r->paths)
		return 0; /* only out entries: not a Loc-RIB prefix */
	return w->fn(w->arg, p, loc_val_best(v) ? &r->paths->path : NULL, r);
}

int loc_rib_walk_rec(struct loc_rib *lr, int af, const struct prefix *cursor, size_t budget,
		     loc_rib_rec_visit_fn fn, void *arg, struct prefix *next)
{
	struct rec_walk w = { fn, arg };
	return trie_walk(&lr->trie, af, cursor, budget, rec_walk_visit, &w, next);
}
