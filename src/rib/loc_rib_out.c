/* Adj-RIB-Out entries in the Loc-RIB's prefix records: see
 * rib/loc_rib_out.h.
 *
 * Generations.  Each peer has a counter cur and the value base it had
 * when its current session began.  An entry stores cur when set.  It
 * belongs to the current session when it was set at or after base, and
 * may still wait in the output queue when it was set at cur, i.e. after
 * the queue was last seen empty (loc_rib_out_drained moves cur on only
 * if an entry took the old value).  Comparisons are of distances back
 * from cur in 32-bit arithmetic, so the counter may wrap; an entry would
 * be misread only after 2^32 moves without being touched, and stale
 * entries do not live that long: the flush of a lost peer's paths and
 * the next session's dump both pass every prefix and reclaim them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rib/loc_rib_priv.h"

struct loc_peer_state *loc_peer_peek(const struct loc_rib *lr, uint32_t peer_id)
{
	return peer_id < lr->n_peer_state ? &lr->peers[peer_id] : NULL;
}

struct loc_peer_state *loc_peer_get(struct loc_rib *lr, uint32_t peer_id)
{
	if (peer_id < lr->n_peer_state)
		return &lr->peers[peer_id];
	if (peer_id >= LOC_PEER_MAX)
		return NULL;
	size_t n = lr->n_peer_state ? lr->n_peer_state : 8;
	while (n <= peer_id)
		n *= 2;
	struct loc_peer_state *np = realloc(lr->peers, n * sizeof(*np));
	if (!np)
		return NULL;
	memset(np + lr->n_peer_state, 0, (n - lr->n_peer_state) * sizeof(*np));
	lr->peers = np;
	lr->n_peer_state = n;
	return &lr->peers[peer_id];
}

static bool out_live(const struct loc_rib *lr, const struct loc_out *o)
{
	const struct loc_peer_state *ps = loc_peer_peek(lr, o->peer_id);
	return ps && (uint32_t)(ps->cur - o->gen) <= (uint32_t)(ps->cur - ps->base);
}

static void out_drop(struct loc_rib *lr, struct loc_out *o)
{
	bgp_attrs_unref(o->attrs);
	pool_free(&lr->outs, o);
	lr->n_outs--;
}

void loc_out_reclaim(struct loc_rib *lr, struct loc_rib_rec *r)
{
	for (struct loc_out **link = &r->outs; *link;) {
		struct loc_out *o = *link;
		if (out_live(lr, o)) {
			link = &o->next;
			continue;
		}
		*link = o->next;
		out_drop(lr, o);
	}
}

bool loc_out_any_live(const struct loc_rib *lr, const struct loc_rib_rec *r)
{
	for (const struct loc_out *o = r->outs; o; o = o->next)
		if (out_live(lr, o))
			return true;
	return false;
}

void loc_out_free_all(struct loc_rib *lr, struct loc_rib_rec *r)
{
	while (r->outs) {
		struct loc_out *o = r->outs;
		r->outs = o->next;
		out_drop(lr, o);
	}
}

bool loc_rec_gc(struct loc_rib *lr, struct loc_rib_rec *r, const struct trie_pos *pos)
{
	if (r->paths)
		return false;
	loc_out_reclaim(lr, r);
	if (r->outs)
		return false;
	trie_delete_pos(&lr->trie, pos);
	pool_free(&lr->recs, r);
	return true;
}

struct loc_rib_rec *loc_rib_rec_find(struct loc_rib *lr, const struct prefix *p)
{
	void *v = trie_lookup(&lr->trie, p);
	return v ? loc_val_rec(v) : NULL;
}

/* peer_id's live entry in r, reclaiming stale ones on the way. */
static struct loc_out **out_find(struct loc_rib *lr, struct loc_rib_rec *r, uint32_t peer_id)
{
	struct loc_out **link = &r->outs;
	while (*link) {
		struct loc_out *o = *link;
		if (!out_live(lr, o)) {
			*link = o->next;
			out_drop(lr, o);
			continue;
		}
		if (o->peer_id == peer_id)
			return link;
		link = &o->next;
	}
	return NULL;
}

struct bgp_attrs *loc_rib_out_get(struct loc_rib *lr, struct loc_rib_rec *r,
				  uint32_t peer_id, bool *pending)
{
	struct loc_out **link = r ? out_find(lr, r, peer_id) : NULL;
	if (pending)
		*pending = link && (*link)->gen == lr->peers[peer_id].cur;
	return link ? (*link)->attrs : NULL;
}

int loc_rib_out_set(struct loc_rib *lr, struct loc_rib_rec *r, uint32_t peer_id,
		    struct bgp_attrs *attrs)
{
	struct loc_out **link = out_find(lr, r, peer_id);
	if (!attrs) {
		if (link) {
			struct loc_out *o = *link;
			*link = o->next;
			out_drop(lr, o);
			lr->peers[peer_id].out_live--;
		}
		return 0;
	}
	struct loc_peer_state *ps = loc_peer_get(lr, peer_id);
	if (!ps)
		return peer_id >= LOC_PEER_MAX ? -EINVAL : -ENOMEM;
	struct loc_out *o = link ? *link : NULL;
	if (!o) {
		o = pool_alloc(&lr->outs);
		if (!o)
			return -ENOMEM;
		o->peer_id = peer_id;
		o->attrs = NULL;
		o->next = r->outs;
		r->outs = o;
		lr->n_outs++;
		ps->out_live++;
	}
	bgp_attrs_ref(attrs);
	if (o->attrs)
		bgp_attrs_unref(o->attrs);
	o->attrs = attrs;
	o->gen = ps->cur;
	ps->dirty = true;
	return 0;
}

bool loc_rib_out_remove(struct loc_rib *lr, const struct prefix *p, uint32_t peer_id)
{
	struct trie_pos pos;
	void **slot = trie_lookup_pos(&lr->trie, p, &pos);
	if (!slot)
		return false;
	struct loc_rib_rec *r = loc_val_rec(*slot);
	bool had = out_find(lr, r, peer_id) != NULL;
	loc_rib_out_set(lr, r, peer_id, NULL);
	loc_rec_gc(lr, r, &pos);
	return had;
}

int loc_rib_out_reset(struct loc_rib *lr, uint32_t peer_id)
{
	struct loc_peer_state *ps = loc_peer_get(lr, peer_id);
	if (!ps)
		return peer_id >= LOC_PEER_MAX ? -EINVAL : -ENOMEM;
	ps->cur++;
	ps->base = ps->cur;
	ps->dirty = false;
	ps->out_live = 0;
	return 0;
}

void loc_rib_out_drained(struct loc_rib *lr, uint32_t peer_id)
{
	struct loc_peer_state *ps = loc_peer_peek(lr, peer_id);
	if (ps && ps->dirty) {
		ps->cur++;
		ps->dirty = false;
	}
}

size_t loc_rib_out_count(const struct loc_rib *lr, uint32_t peer_id)
{
	const struct loc_peer_state *ps = loc_peer_peek(lr, peer_id);
	return ps ? ps->out_live : 0;
}

void loc_rib_out_mem(const struct loc_rib *lr, struct rib_mem_stats *s)
{
	s->items = lr->n_outs;
	s->bytes = pool_bytes(&lr->outs) + lr->n_peer_state * sizeof(*lr->peers);
}
