/* Per-peer Adj-RIBs found by peer id, plus the Loc-RIB and the intern
 * table.  Peer ids are small and dense (the speaker hands them out from
 * 1), so a growable array indexed by id is all the lookup structure
 * needed. */
#include "rib/rib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct rib_peer_tables {
	struct adj_rib *in;
	struct adj_rib *out;
};

struct rib {
	struct rib_peer_tables *peers;
	size_t n;
	struct loc_rib *loc;
	struct attr_table attrs;
};

struct rib *rib_new(void)
{
	struct rib *r = calloc(1, sizeof(struct rib));
	if (r)
		attr_table_init(&r->attrs);
	return r;
}

void rib_free(struct rib *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		adj_rib_free(r->peers[i].in);
		adj_rib_free(r->peers[i].out);
	}
	free(r->peers);
	loc_rib_free(r->loc);
	/* Last: the sets above released their references into it. */
	attr_table_destroy(&r->attrs);
	free(r);
}

static struct rib_peer_tables *rib_tables(struct rib *r, uint32_t id, bool create)
{
	if (id < r->n)
		return &r->peers[id];
	if (!create)
		return NULL;
	size_t nn = (size_t)id + 1 > r->n * 2 ? (size_t)id + 1 : r->n * 2;
	struct rib_peer_tables *np = realloc(r->peers, nn * sizeof(*np));
	if (!np)
		return NULL;
	memset(np + r->n, 0, (nn - r->n) * sizeof(*np));
	r->peers = np;
	r->n = nn;
	return &r->peers[id];
}

static struct adj_rib *rib_get(struct rib *r, uint32_t id, bool create, bool in)
{
	struct rib_peer_tables *t = rib_tables(r, id, create);
	if (!t)
		return NULL;
	struct adj_rib **slot = in ? &t->in : &t->out;
	if (!*slot && create)
		*slot = adj_rib_new();
	return *slot;
}

struct adj_rib *rib_adj_in(struct rib *r, uint32_t peer_id, bool create)
{
	return rib_get(r, peer_id, create, true);
}

struct adj_rib *rib_adj_out(struct rib *r, uint32_t peer_id, bool create)
{
	return rib_get(r, peer_id, create, false);
}

void rib_peer_remove(struct rib *r, uint32_t peer_id)
{
	struct rib_peer_tables *t = rib_tables(r, peer_id, false);
	if (!t)
		return;
	adj_rib_free(t->in);
	adj_rib_free(t->out);
	t->in = t->out = NULL;
}

int rib_loc_create(struct rib *r, const struct loc_rib_config *cfg, loc_rib_change_fn fn,
		   void *arg)
{
	if (r->loc)
		return -EEXIST;
	r->loc = loc_rib_new(cfg, fn, arg);
	return r->loc ? 0 : -ENOMEM;
}

struct loc_rib *rib_loc(struct rib *r) { return r->loc; }

struct attr_table *rib_attr_table(struct rib *r) { return &r->attrs; }

void rib_mem(const struct rib *r, struct rib_mem_report *m)
{
	memset(m, 0, sizeof(*m));
	if (r->loc)
		loc_rib_mem(r->loc, &m->trie, &m->paths);
	attr_table_mem(&r->attrs, &m->attrs);
	/* The Adj-RIBs' own tables; their attributes are in the intern
	 * table. */
	for (size_t i = 0; i < r->n; i++) {
		m->adj_in.items += adj_rib_count(r->peers[i].in);
		m->adj_in.bytes += adj_rib_bytes(r->peers[i].in);
		m->adj_out.items += adj_rib_count(r->peers[i].out);
		m->adj_out.bytes += adj_rib_bytes(r->peers[i].out);
	}
}
