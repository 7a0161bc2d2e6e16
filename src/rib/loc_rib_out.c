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
 * An entry of the current session and export function stands for the
 * export of the prefix's best path now (loc_rib_priv.h); one that a
 * change of the best passed by carries LOC_OUT_F_UNKNOWN and reads as
 * LOC_OUT_OLD until it is set again. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rib/loc_rib_priv.h"

/* An entry per prefix and receiving peer (1M of them for a full table
 * to one peer): issue 3 wants it small, 16 bytes, the pool's slot. */
_Static_assert(sizeof(struct loc_out) <= 16, "an out entry grew past 16 bytes");
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

enum loc_out_state loc_rib_out_get(struct loc_rib *lr, struct loc_rib_rec *r,
				   uint32_t peer_id, bool *pending)
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
	if (o->flags & LOC_OUT_F_UNKNOWN)
		return LOC_OUT_OLD;
	return gen_since(ps, o, ps->xbase) ? LOC_OUT_CUR : LOC_OUT_OLD;
}

int loc_rib_out_set(struct loc_rib *lr, struct loc_rib_rec *r, uint32_t peer_id, bool sent)
{
	struct loc_out **link = out_find(lr, r, peer_id);
	if (!sent) {
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
		o->peer_id = (uint16_t)peer_id;
		o->next = r->outs;
		r->outs = o;
		lr->n_outs++;
		ps->out_live++;
	}
	o->flags = 0;
	o->gen = ps->cur;
	ps->dirty = true;
	return 0;
}

void loc_rib_out_unknown(struct loc_rib *lr, struct loc_rib_rec *r, uint32_t peer_id)
{
	struct loc_out **link = r && r->outs ? out_find(lr, r, peer_id) : NULL;
	/* gen stays: whether it may be pending has not changed. */
	if (link)
		(*link)->flags |= LOC_OUT_F_UNKNOWN;
}

bool loc_rib_out_remove(struct loc_rib *lr, const struct prefix *p, uint32_t peer_id)
{
	struct trie_pos pos;
	void **slot = trie_lookup_pos(&lr->trie, p, &pos);
	if (!slot)
		return false;
	struct loc_rib_rec *r = loc_val_rec(*slot);
	bool had = out_find(lr, r, peer_id) != NULL;
	loc_rib_out_set(lr, r, peer_id, false);
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
	s->bytes = pool_bytes(&lr->outs) + lr->n_peer_state * sizeof(*lr->peers);
}
