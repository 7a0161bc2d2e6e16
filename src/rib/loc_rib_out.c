/* Adj-RIB-Out entries in the Loc-RIB's prefix records: see
 * rib/loc_rib_out.h.
 *
 * Generations.  Each peer has a counter cur and three marks that are
 * values it had: base when its current session began, xbase when its
 * export function last changed, pend when its output queue was last
 * seen empty.  An entry stores cur when set.  It belongs to the current
 * session when it was set at or after base, is the export of its source
 * by the current function when set at or after xbase, and may still
 * wait in the output queue when set at or after pend
 * (loc_rib_out_drained moves cur on only if an entry may be pending).
 * Comparisons are of distances back from cur in 32-bit arithmetic, so
 * the counter may wrap; an entry would be misread only after 2^32 moves
 * without being touched, and stale entries do not live that long: the
 * flush of a lost peer's paths and the next session's dump both pass
 * every prefix and reclaim them.
 *
 * Source keys.  An entry names its source peer in 16 bits: a key
 * given to each peer id the first time it is a source, never taken
 * back (the peers that are sources are the sessions, our own
 * prefixes and a few pseudo-peers: far fewer than 65,536). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rib/loc_rib_priv.h"

/* An entry per prefix and peer: issue 3 wants it small (24 bytes, as
 * when it held the exported set). */
_Static_assert(sizeof(struct loc_out) <= 24, "an out entry grew past 24 bytes");
_Static_assert(LOC_PEER_MAX <= UINT16_MAX + 1u, "peer ids must fit loc_out.peer_id");

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

/* Whether o was set at or after the mark. */
static bool gen_since(const struct loc_peer_state *ps, const struct loc_out *o, uint32_t mark)
{
	return (uint32_t)(ps->cur - o->gen) <= (uint32_t)(ps->cur - mark);
}

static bool out_live(const struct loc_rib *lr, const struct loc_out *o)
{
	const struct loc_peer_state *ps = loc_peer_peek(lr, o->peer_id);
	return ps && gen_since(ps, o, ps->base);
}

static void out_drop(struct loc_rib *lr, struct loc_out *o)
{
	bgp_attrs_unref(o->src);
	pool_free(&lr->outs, o);
	lr->n_outs--;
}

uint32_t loc_out_refs(const struct loc_rib_rec *r, const struct bgp_attrs *a)
{
	uint32_t n = 0;
	for (const struct loc_out *o = r->outs; o; o = o->next)
		n += o->src == a;
	return n;
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

/* The key of source peer id, given now if it has none; -ENOMEM,
 * -ENOSPC. */
static int src_key_of(struct loc_rib *lr, uint32_t id)
{
	struct loc_peer_state *ps = NULL;
	if (id < LOC_PEER_MAX) {
		if (!(ps = loc_peer_get(lr, id)))
			return -ENOMEM;
		if (ps->src_key)
			return (int)(ps->src_key - 1);
	} else {
		if (lr->src_last < lr->n_src && lr->src_ids[lr->src_last] == id)
			return (int)lr->src_last;
		for (size_t k = 0; k < lr->n_src; k++) {
			if (lr->src_ids[k] == id) {
				lr->src_last = k;
				return (int)k;
			}
		}
	}
	if (lr->n_src > UINT16_MAX)
		return -ENOSPC;
	if (lr->n_src == lr->src_cap) {
		size_t cap = lr->src_cap ? lr->src_cap * 2 : 16;
		uint32_t *n = realloc(lr->src_ids, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		lr->src_ids = n;
		lr->src_cap = cap;
	}
	size_t k = lr->n_src++;
	lr->src_ids[k] = id;
	if (ps)
		ps->src_key = (uint32_t)k + 1;
	else
		lr->src_last = k;
	return (int)k;
}

enum loc_out_state loc_rib_out_get(struct loc_rib *lr, struct loc_rib_rec *r,
				   uint32_t peer_id, struct loc_out_src *src, bool *pending)
{
	struct loc_out **link = r ? out_find(lr, r, peer_id) : NULL;
	if (pending)
		*pending = false;
	if (!link)
		return LOC_OUT_NONE;
	const struct loc_out *o = *link;
	const struct loc_peer_state *ps = &lr->peers[peer_id];
	if (pending)
		*pending = gen_since(ps, o, ps->pend);
	if (src)
		*src = (struct loc_out_src){ o->src, lr->src_ids[o->src_key] };
	return gen_since(ps, o, ps->xbase) ? LOC_OUT_CUR : LOC_OUT_OLD;
}

int loc_rib_out_set(struct loc_rib *lr, struct loc_rib_rec *r, uint32_t peer_id,
		    const struct loc_out_src *src)
{
	struct loc_out **link = out_find(lr, r, peer_id);
	if (!src) {
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
	int key = src_key_of(lr, src->peer_id);
	if (key < 0)
		return key;
	ps = &lr->peers[peer_id]; /* the source's state may have moved the array */
	struct loc_out *o = link ? *link : NULL;
	if (!o) {
		o = pool_alloc(&lr->outs);
		if (!o)
			return -ENOMEM;
		o->peer_id = (uint16_t)peer_id;
		o->src = NULL;
		o->next = r->outs;
		r->outs = o;
		lr->n_outs++;
		ps->out_live++;
	}
	bgp_attrs_ref(src->attrs);
	if (o->src)
		bgp_attrs_unref(o->src);
	o->src = src->attrs;
	o->src_key = (uint16_t)key;
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
	ps->base = ps->xbase = ps->pend = ps->cur;
	ps->dirty = false;
	ps->out_live = 0;
	return 0;
}

int loc_rib_out_export_changed(struct loc_rib *lr, uint32_t peer_id)
{
	struct loc_peer_state *ps = loc_peer_get(lr, peer_id);
	if (!ps)
		return peer_id >= LOC_PEER_MAX ? -EINVAL : -ENOMEM;
	/* pend stays: what is queued is still queued. */
	ps->cur++;
	ps->xbase = ps->cur;
	ps->dirty = false;
	return 0;
}

void loc_rib_out_drained(struct loc_rib *lr, uint32_t peer_id)
{
	struct loc_peer_state *ps = loc_peer_peek(lr, peer_id);
	/* Entries from pend to cur may be pending; with none set at cur
	 * and pend at cur there is nothing to move. */
	if (ps && (ps->dirty || ps->pend != ps->cur)) {
		ps->cur++;
		ps->pend = ps->cur;
		ps->dirty = false;
	}
}

void loc_rib_out_export_set(struct loc_rib *lr, loc_rib_out_export_fn fn, void *arg)
{
	lr->out_export = fn;
	lr->out_export_arg = arg;
}

size_t loc_rib_out_count(const struct loc_rib *lr, uint32_t peer_id)
{
	const struct loc_peer_state *ps = loc_peer_peek(lr, peer_id);
	return ps ? ps->out_live : 0;
}

void loc_rib_out_mem(const struct loc_rib *lr, struct rib_mem_stats *s)
{
	s->items = lr->n_outs;
	s->bytes = pool_bytes(&lr->outs) + lr->n_peer_state * sizeof(*lr->peers) +
		   lr->src_cap * sizeof(*lr->src_ids);
}
