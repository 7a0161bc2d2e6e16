/* Output queue: batches of withdrawals, attribute groups and markers.
 *
 * Replacing a pending prefix scans the open batch linearly; that is fine
 * for the hundreds of prefixes this speaker originates, and the routing
 * core replaces it with per-prefix state in the Adj-RIB-Out. */
#include "bgp/outq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

struct pvec {
	struct prefix *v;
	size_t n, cap, off; /* [off, n) still to send */
};

struct outq_group {
	struct bgp_attrs *attrs;
	uint8_t af;
	struct pvec p;
};

enum { MARK_EOR, MARK_REFRESH };
struct outq_mark {
	uint8_t kind, fam, subtype;
};

struct outq_batch {
	struct pvec wd[BGP_FAM_COUNT];
	struct outq_group *groups;
	size_t n_groups, cap_groups, group_off;
	struct outq_mark *marks;
	size_t n_marks, cap_marks, mark_off;
	struct outq_batch *next;
};

struct bgp_outq {
	struct outq_batch *head, *tail;
};

static int fam_of(const struct prefix *p)
{
	return p->addr.af == AF_INET6 ? BGP_FAM_IPV6_UNICAST : BGP_FAM_IPV4_UNICAST;
}

static int pvec_push(struct pvec *v, const struct prefix *p)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 16;
		struct prefix *nv = realloc(v->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		v->v = nv;
		v->cap = nc;
	}
	v->v[v->n++] = *p;
	return 0;
}

/* Removes p from the unsent part; true if it was there. */
static bool pvec_remove(struct pvec *v, const struct prefix *p)
{
	for (size_t i = v->off; i < v->n; i++) {
		if (prefix_eq(&v->v[i], p)) {
			memmove(&v->v[i], &v->v[i + 1], (v->n - i - 1) * sizeof(*v->v));
			v->n--;
			return true;
		}
	}
	return false;
}

static bool pvec_has(const struct pvec *v, const struct prefix *p)
{
	for (size_t i = v->off; i < v->n; i++)
		if (prefix_eq(&v->v[i], p))
			return true;
	return false;
}

static void batch_free(struct outq_batch *b)
{
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		free(b->wd[f].v);
	for (size_t i = 0; i < b->n_groups; i++) {
		if (b->groups[i].attrs) /* NULL once the group was sent */
			bgp_attrs_unref(b->groups[i].attrs);
		free(b->groups[i].p.v);
	}
	free(b->groups);
	free(b->marks);
	free(b);
}

struct bgp_outq *bgp_outq_new(void)
{
	return calloc(1, sizeof(struct bgp_outq));
}

void bgp_outq_clear(struct bgp_outq *q)
{
	while (q->head) {
		struct outq_batch *b = q->head;
		q->head = b->next;
		batch_free(b);
	}
	q->tail = NULL;
}

void bgp_outq_free(struct bgp_outq *q)
{
	if (!q)
		return;
	bgp_outq_clear(q);
	free(q);
}

/* The batch new routes go into: the last one unless a marker closed it. */
static struct outq_batch *open_batch(struct bgp_outq *q)
{
	if (q->tail && q->tail->n_marks == 0)
		return q->tail;
	struct outq_batch *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	if (q->tail)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	return b;
}

static void forget_announce(struct outq_batch *b, const struct prefix *p)
{
	for (size_t i = b->group_off; i < b->n_groups; i++)
		if (pvec_remove(&b->groups[i].p, p))
			return;
}

static struct outq_group *find_group(struct outq_batch *b, struct bgp_attrs *attrs, uint8_t af)
{
	for (size_t i = b->group_off; i < b->n_groups; i++) {
		struct outq_group *g = &b->groups[i];
		if (g->af == af && (g->attrs == attrs || bgp_attrs_equal(g->attrs, attrs)))
			return g;
	}
	if (b->n_groups == b->cap_groups) {
		size_t nc = b->cap_groups ? b->cap_groups * 2 : 4;
		struct outq_group *ng = realloc(b->groups, nc * sizeof(*ng));
		if (!ng)
			return NULL;
		b->groups = ng;
		b->cap_groups = nc;
	}
	struct outq_group *g = &b->groups[b->n_groups++];
	memset(g, 0, sizeof(*g));
	g->attrs = bgp_attrs_ref(attrs);
	g->af = af;
	return g;
}

int bgp_outq_announce(struct bgp_outq *q, struct bgp_attrs *attrs, const struct prefix *p,
		      size_t n)
{
	struct outq_batch *b = open_batch(q);
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		pvec_remove(&b->wd[fam_of(&p[i])], &p[i]);
		forget_announce(b, &p[i]);
		struct outq_group *g = find_group(b, attrs, p[i].addr.af);
		if (!g || pvec_push(&g->p, &p[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The caller (the daemon's Adj-RIB-Out bookkeeping) guarantees none of
 * p is pending, so neither the open batch nor its groups are searched:
 * constant work per prefix for a full table.  Consecutive calls with
 * the same (interned) attributes share the last group. */
int bgp_outq_announce_fresh(struct bgp_outq *q, struct bgp_attrs *attrs,
			    const struct prefix *p, size_t n)
{
	struct outq_batch *b = open_batch(q);
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct outq_group *g = NULL;
		if (b->n_groups > b->group_off) {
			g = &b->groups[b->n_groups - 1];
			if (g->attrs != attrs || g->af != p[i].addr.af)
				g = NULL;
		}
		if (!g) {
			if (b->n_groups == b->cap_groups) {
				size_t nc = b->cap_groups ? b->cap_groups * 2 : 4;
				struct outq_group *ng = realloc(b->groups, nc * sizeof(*ng));
				if (!ng)
					return -ENOMEM;
				b->groups = ng;
				b->cap_groups = nc;
			}
			g = &b->groups[b->n_groups++];
			memset(g, 0, sizeof(*g));
			g->attrs = bgp_attrs_ref(attrs);
			g->af = p[i].addr.af;
		}
		if (pvec_push(&g->p, &p[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

int bgp_outq_withdraw_fresh(struct bgp_outq *q, const struct prefix *p, size_t n)
{
	struct outq_batch *b = open_batch(q);
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (pvec_push(&b->wd[fam_of(&p[i])], &p[i]) < 0)
			return -ENOMEM;
	return 0;
}

int bgp_outq_withdraw(struct bgp_outq *q, const struct prefix *p, size_t n)
{
	struct outq_batch *b = open_batch(q);
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct pvec *wd = &b->wd[fam_of(&p[i])];
		forget_announce(b, &p[i]);
		if (!pvec_has(wd, &p[i]) && pvec_push(wd, &p[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int add_mark(struct bgp_outq *q, uint8_t kind, enum bgp_family f, uint8_t subtype)
{
	struct outq_batch *b = q->tail;
	if (!b) {
		b = open_batch(q);
		if (!b)
			return -ENOMEM;
	}
	if (b->n_marks == b->cap_marks) {
		size_t nc = b->cap_marks ? b->cap_marks * 2 : 4;
		struct outq_mark *nm = realloc(b->marks, nc * sizeof(*nm));
		if (!nm)
			return -ENOMEM;
		b->marks = nm;
		b->cap_marks = nc;
	}
	b->marks[b->n_marks++] = (struct outq_mark){ kind, (uint8_t)f, subtype };
	return 0;
}

int bgp_outq_eor(struct bgp_outq *q, enum bgp_family f)
{
	return add_mark(q, MARK_EOR, f, 0);
}

int bgp_outq_refresh(struct bgp_outq *q, enum bgp_family f, uint8_t subtype)
{
	return add_mark(q, MARK_REFRESH, f, subtype);
}

bool bgp_outq_empty(const struct bgp_outq *q)
{
	return q->head == NULL;
}

/* Sends one batch as far as the budget allows; true when it is done. */
static int drain_batch(struct outq_batch *b, const struct bgp_encode_ctx *ctx,
		       struct wbuf *w, size_t budget, bool *done)
{
	*done = false;
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		struct pvec *v = &b->wd[f];
		while (v->off < v->n) {
			if (w->len >= budget)
				return 0;
			long k = bgp_update_encode_withdraw(w, ctx, v->v + v->off, v->n - v->off);
			if (k < 0)
				return (int)k;
			v->off += (size_t)k;
		}
	}
	while (b->group_off < b->n_groups) {
		struct outq_group *g = &b->groups[b->group_off];
		while (g->p.off < g->p.n) {
			if (w->len >= budget)
				return 0;
			size_t before = w->len;
			long k = bgp_update_encode_announce(w, ctx, g->attrs, g->p.v + g->p.off,
							    g->p.n - g->p.off);
			if (k == -EMSGSIZE && w->err == 0) {
				/* The attributes alone do not fit in one
				 * message: these routes cannot be sent at
				 * all.  Skip them rather than stall the
				 * queue (RFC 4271 9.2 leaves it to us). */
				wbuf_truncate(w, before);
				log_warn("outq: attributes too large for a %zu-byte message; "
					 "%zu prefixes not announced", ctx->max_msg,
					 g->p.n - g->p.off);
				g->p.off = g->p.n;
				break;
			}
			if (k < 0)
				return (int)k;
			g->p.off += (size_t)k;
		}
		bgp_attrs_unref(g->attrs);
		g->attrs = NULL;
		free(g->p.v);
		g->p.v = NULL;
		b->group_off++;
	}
	while (b->mark_off < b->n_marks) {
		if (w->len >= budget)
			return 0;
		const struct outq_mark *m = &b->marks[b->mark_off];
		int rc;
		if (m->kind == MARK_EOR) {
			rc = bgp_update_encode_eor(w, (enum bgp_family)m->fam);
		} else {
			struct bgp_route_refresh rr = { .subtype = m->subtype };
			bgp_family_to_afi_safi((enum bgp_family)m->fam, &rr.afi, &rr.safi);
			rc = bgp_refresh_encode(w, &rr);
		}
		if (rc < 0)
			return rc;
		b->mark_off++;
	}
	*done = true;
	return 0;
}

int bgp_outq_drain(struct bgp_outq *q, const struct bgp_encode_ctx *ctx, struct wbuf *w,
		   size_t budget)
{
	while (q->head && w->len < budget) {
		bool done;
		int rc = drain_batch(q->head, ctx, w, budget, &done);
		if (rc < 0)
			return rc;
		if (!done)
			return 0;
		struct outq_batch *b = q->head;
		q->head = b->next;
		if (!q->head)
			q->tail = NULL;
		batch_free(b);
	}
	return 0;
}
