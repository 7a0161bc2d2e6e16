/* Per-peer Adj-RIBs found by peer id.  Peer ids are small and dense
 * (the speaker hands them out from 1), so a growable array indexed by id
 * is all the lookup structure needed. */
#include "rib/rib.h"

#include <stdlib.h>
#include <string.h>

struct rib_peer_tables {
	struct adj_rib *in;
	struct adj_rib *out;
};

struct rib {
	struct rib_peer_tables *peers;
	size_t n;
};

struct rib *rib_new(void)
{
	return calloc(1, sizeof(struct rib));
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
