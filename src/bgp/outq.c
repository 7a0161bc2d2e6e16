/* Output queue: batches of withdrawals, attribute groups and markers.
 *
 * Replacing a pending prefix needs to find it in the open batch.  The
 * first replace in a batch builds an index of the batch (prefix -> where
 * it waits, and attributes -> group) that every later change keeps up,
 * so a replace costs O(1) however large the batch.  Batches that only
 * ever see the _fresh calls (a full table to a new peer) never pay for
 * the index.  A removed prefix's place is taken by the last of its
 * vector: the order of prefixes inside one UPDATE carries no meaning. */
#include "bgp/outq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
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

/* Where an unsent prefix waits: vec < BGP_FAM_COUNT is wd[vec], else
 * groups[vec - BGP_FAM_COUNT].p; pos its index there.  vec UINT32_MAX:
 * empty slot.  hash is the prefix's ix_hash: a probe compares it before
 * reading the prefix, and a deletion's backward shift takes the home
 * slot from it, so neither reads the vector of every entry it passes
 * (a cache miss each; in the four-feeder withdrawal, where a million
 * or two routes wait indexed, that reading was about half of egressd's
 * CPU: prefix_eq, prefix_hash, ix_del). */
struct outq_ref {
	uint32_t vec, pos, hash;
};

/* A group by its attributes' hash; gi = index + 1, 0 empty. */
struct outq_gref {
	uint32_t hash, gi;
};

struct outq_batch {
	struct pvec wd[BGP_FAM_COUNT];
	struct outq_group *groups;
	size_t n_groups, cap_groups, group_off;
	struct outq_mark *marks;
	size_t n_marks, cap_marks, mark_off;
	struct outq_batch *next;
	/* The index, built on the first replace (indexed): every unsent
	 * prefix (open addressing, linear probing, load <= 1/2) and every
	 * group. */
	bool indexed;
	struct outq_ref *ix;
	size_t ix_cap, ix_n;
	struct outq_gref *gix;
	size_t gix_cap, gix_n;
};

struct bgp_outq {
	struct outq_batch *head, *tail;
};

static int fam_of(const struct prefix *p)
{
	return p->addr.af == AF_INET6 ? BGP_FAM_IPV6_UNICAST : BGP_FAM_IPV4_UNICAST;
}

/* A vector starts at 4 prefixes: an attribute group mostly gets the few
 * prefixes of one received UPDATE (3.5 on average on the 1M-prefix
 * bench).  Starting at 16 made each group a 400-byte chunk, allocated
 * between long-lived attribute sets and trie buckets and freed once
 * sent: 10-11 MB of free chunks the heap kept at full table (mallinfo2,
 * `show memory` allocator.free_bytes), 1.2-1.5 MB at 4. */
static int pvec_push(struct pvec *v, const struct prefix *p)
{
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 4;
		struct prefix *nv = realloc(v->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		v->v = nv;
		v->cap = nc;
	}
	v->v[v->n++] = *p;
	return 0;
}

/* ---- the batch index ---- */

static struct pvec *ref_vec(struct outq_batch *b, uint32_t vec)
{
	return vec < BGP_FAM_COUNT ? &b->wd[vec] : &b->groups[vec - BGP_FAM_COUNT].p;
}

static const struct prefix *ref_prefix(struct outq_batch *b, const struct outq_ref *r)
{
	return &ref_vec(b, r->vec)->v[r->pos];
}

static inline uint32_t ix_hash(const struct prefix *p)
{
	uint64_t h = prefix_hash(p);
	h *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(h ^ (h >> 32));
}

/* Slot holding p (whose ix_hash is h), or the empty slot where it
 * would go. */
static size_t ix_find_h(struct outq_batch *b, const struct prefix *p, uint32_t h)
{
	size_t mask = b->ix_cap - 1, i = h & mask;
	while (b->ix[i].vec != UINT32_MAX &&
	       (b->ix[i].hash != h || !prefix_eq(ref_prefix(b, &b->ix[i]), p)))
		i = (i + 1) & mask;
	return i;
}

static size_t ix_find(struct outq_batch *b, const struct prefix *p)
{
	return ix_find_h(b, p, ix_hash(p));
}

/* Puts r (its hash still to be set) in its slot. */
static void ix_set(struct outq_batch *b, struct outq_ref r)
{
	const struct prefix *p = ref_prefix(b, &r);
	r.hash = ix_hash(p);
	b->ix[ix_find_h(b, p, r.hash)] = r;
}

static int ix_reserve(struct outq_batch *b, size_t n);

static int ix_put(struct outq_batch *b, uint32_t vec, uint32_t pos)
{
	if (ix_reserve(b, b->ix_n + 1) < 0)
		return -ENOMEM;
	struct outq_ref r = { vec, pos, 0 };
	const struct prefix *p = ref_prefix(b, &r);
	r.hash = ix_hash(p);
	size_t i = ix_find_h(b, p, r.hash);
	if (b->ix[i].vec == UINT32_MAX)
		b->ix_n++;
	b->ix[i] = r;
	return 0;
}

/* Every unsent prefix into a table sized for n. */
static int ix_reserve(struct outq_batch *b, size_t n)
{
	if (n * 2 <= b->ix_cap)
		return 0;
	size_t cap = b->ix_cap ? b->ix_cap : 64;
	while (n * 2 > cap)
		cap *= 2;
	struct outq_ref *nix = malloc(cap * sizeof(*nix));
	if (!nix)
		return -ENOMEM;
	memset(nix, 0xff, cap * sizeof(*nix));
	free(b->ix);
	b->ix = nix;
	b->ix_cap = cap;
	b->ix_n = 0;
	for (uint32_t f = 0; f < BGP_FAM_COUNT; f++)
		for (size_t i = b->wd[f].off; i < b->wd[f].n; i++) {
			ix_set(b, (struct outq_ref){ f, (uint32_t)i, 0 });
			b->ix_n++;
		}
	for (size_t g = b->group_off; g < b->n_groups; g++) {
		struct pvec *v = &b->groups[g].p;
		for (size_t i = v->off; i < v->n; i++) {
			ix_set(b, (struct outq_ref){ (uint32_t)(g + BGP_FAM_COUNT), (uint32_t)i, 0 });
			b->ix_n++;
		}
	}
	return 0;
}

/* Drops p from the index (backward shift, no tombstones); its entry
 * must still be in place in its vector. */
static void ix_del(struct outq_batch *b, const struct prefix *p)
{
	size_t mask = b->ix_cap - 1, hole = ix_find(b, p);
	if (b->ix[hole].vec == UINT32_MAX)
		return;
	b->ix[hole].vec = UINT32_MAX;
	b->ix_n--;
	for (size_t j = (hole + 1) & mask; b->ix[j].vec != UINT32_MAX; j = (j + 1) & mask) {
		size_t home = b->ix[j].hash & mask;
		bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
		if (!stays) {
			b->ix[hole] = b->ix[j];
			b->ix[j].vec = UINT32_MAX;
			hole = j;
		}
	}
}

static uint32_t group_hash(const struct bgp_attrs *a, uint8_t af)
{
	return bgp_attrs_hash(a) ^ af;
}

static int gix_put(struct outq_batch *b, size_t gi, uint32_t hash)
{
	if ((b->gix_n + 1) * 2 > b->gix_cap) {
		size_t cap = b->gix_cap ? b->gix_cap * 2 : 64;
		struct outq_gref *n = calloc(cap, sizeof(*n));
		if (!n)
			return -ENOMEM;
		for (size_t i = 0; i < b->gix_cap; i++) {
			if (!b->gix[i].gi)
				continue;
			size_t j = b->gix[i].hash & (cap - 1);
			while (n[j].gi)
				j = (j + 1) & (cap - 1);
			n[j] = b->gix[i];
		}
		free(b->gix);
		b->gix = n;
		b->gix_cap = cap;
	}
	size_t j = hash & (b->gix_cap - 1);
	while (b->gix[j].gi)
		j = (j + 1) & (b->gix_cap - 1);
	b->gix[j] = (struct outq_gref){ hash, (uint32_t)gi + 1 };
	b->gix_n++;
	return 0;
}

/* A withdrawal queued unindexed may be followed, in the same batch, by
 * an announcement of the same prefix queued unindexed too (the caller
 * knew no announcement was pending, not that no withdrawal was).  Sent
 * as they are, that is right: the batch's withdrawals go first, in
 * their own UPDATEs.  Once the batch is indexed the index must hold one
 * place per prefix, so the withdrawal, which the announcement replaces
 * anyway (RFC 4271 3.1), is dropped; the index points at the
 * announcement (groups are indexed after withdrawals). */
static void batch_dedup(struct outq_batch *b)
{
	for (uint32_t f = 0; f < BGP_FAM_COUNT; f++) {
		struct pvec *v = &b->wd[f];
		/* Downwards: what moves into a hole was checked already. */
		for (size_t i = v->n; i-- > v->off;) {
			size_t at = ix_find(b, &v->v[i]);
			if (b->ix[at].vec == f)
				continue;
			size_t last = v->n - 1;
			if (i != last) {
				v->v[i] = v->v[last];
				b->ix[ix_find(b, &v->v[i])].pos = (uint32_t)i;
			}
			v->n--;
			b->ix_n--;
		}
	}
}

/* Builds the index of the batch on its first replace. */
static int batch_index(struct outq_batch *b)
{
	if (b->indexed)
		return 0;
	size_t unsent = 1;
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		unsent += b->wd[f].n - b->wd[f].off;
	for (size_t g = b->group_off; g < b->n_groups; g++)
		unsent += b->groups[g].p.n - b->groups[g].p.off;
	if (ix_reserve(b, unsent) < 0)
		return -ENOMEM;
	batch_dedup(b);
	for (size_t g = b->group_off; g < b->n_groups; g++)
		if (gix_put(b, g, group_hash(b->groups[g].attrs, b->groups[g].af)) < 0)
			return -ENOMEM;
	b->indexed = true;
	return 0;
}

/* Removes p from wherever it waits unsent in the batch (indexed).
 * Returns the vector it was in, or -1. */
static int batch_remove(struct outq_batch *b, const struct prefix *p)
{
	size_t i = ix_find(b, p);
	if (b->ix[i].vec == UINT32_MAX)
		return -1;
	struct outq_ref r = b->ix[i];
	struct pvec *v = ref_vec(b, r.vec);
	ix_del(b, p);
	size_t last = v->n - 1;
	if (r.pos != last) {
		v->v[r.pos] = v->v[last];
		b->ix[ix_find(b, &v->v[r.pos])].pos = r.pos;
	}
	v->n--;
	return (int)r.vec;
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
	free(b->ix);
	free(b->gix);
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

static struct outq_group *new_group(struct outq_batch *b, struct bgp_attrs *attrs, uint8_t af)
{
	if (b->n_groups == b->cap_groups) {
		size_t nc = b->cap_groups ? b->cap_groups * 2 : 4;
		struct outq_group *ng = realloc(b->groups, nc * sizeof(*ng));
		if (!ng)
			return NULL;
		b->groups = ng;
		b->cap_groups = nc;
	}
	if (b->indexed && gix_put(b, b->n_groups, group_hash(attrs, af)) < 0)
		return NULL;
	struct outq_group *g = &b->groups[b->n_groups++];
	memset(g, 0, sizeof(*g));
	g->attrs = bgp_attrs_ref(attrs);
	g->af = af;
	return g;
}

/* The unsent group with these attributes (indexed batch), or a new one. */
static struct outq_group *find_group(struct outq_batch *b, struct bgp_attrs *attrs, uint8_t af)
{
	if (b->n_groups > b->group_off) {
		struct outq_group *g = &b->groups[b->n_groups - 1];
		if (g->attrs == attrs && g->af == af)
			return g;
	}
	uint32_t h = group_hash(attrs, af);
	for (size_t j = h & (b->gix_cap - 1); b->gix_cap && b->gix[j].gi;
	     j = (j + 1) & (b->gix_cap - 1)) {
		size_t gi = b->gix[j].gi - 1;
		struct outq_group *g = &b->groups[gi];
		/* A sent group keeps its slot, without attributes. */
		if (b->gix[j].hash == h && gi >= b->group_off && g->attrs && g->af == af &&
		    (g->attrs == attrs || bgp_attrs_equal(g->attrs, attrs)))
			return g;
	}
	return new_group(b, attrs, af);
}

/* Appends p to vector vec of the batch, indexed if the batch is. */
static int batch_push(struct outq_batch *b, uint32_t vec, const struct prefix *p)
{
	struct pvec *v = ref_vec(b, vec);
	if (pvec_push(v, p) < 0)
		return -ENOMEM;
	if (b->indexed && ix_put(b, vec, (uint32_t)(v->n - 1)) < 0) {
		v->n--;
		return -ENOMEM;
	}
	return 0;
}

int bgp_outq_announce(struct bgp_outq *q, struct bgp_attrs *attrs, const struct prefix *p,
		      size_t n)
{
	struct outq_batch *b = open_batch(q);
	if (!b || batch_index(b) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		batch_remove(b, &p[i]);
		struct outq_group *g = find_group(b, attrs, p[i].addr.af);
		if (!g || batch_push(b, (uint32_t)(g - b->groups) + BGP_FAM_COUNT, &p[i]) < 0)
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
	/* An indexed batch keeps one place per prefix: a pending
	 * withdrawal is replaced, at O(1) through the index. */
	if (b->indexed)
		return bgp_outq_announce(q, attrs, p, n);
	for (size_t i = 0; i < n; i++) {
		struct outq_group *g = NULL;
		if (b->n_groups > b->group_off) {
			g = &b->groups[b->n_groups - 1];
			if (g->attrs != attrs || g->af != p[i].addr.af)
				g = NULL;
		}
		if (!g && !(g = new_group(b, attrs, p[i].addr.af)))
			return -ENOMEM;
		if (batch_push(b, (uint32_t)(g - b->groups) + BGP_FAM_COUNT, &p[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

int bgp_outq_withdraw_fresh(struct bgp_outq *q, const struct prefix *p, size_t n)
{
	struct outq_batch *b = open_batch(q);
	if (!b)
		return -ENOMEM;
	if (b->indexed)
		return bgp_outq_withdraw(q, p, n);
	for (size_t i = 0; i < n; i++)
		if (batch_push(b, (uint32_t)fam_of(&p[i]), &p[i]) < 0)
			return -ENOMEM;
	return 0;
}

int bgp_outq_withdraw(struct bgp_outq *q, const struct prefix *p, size_t n)
{
	struct outq_batch *b = open_batch(q);
	if (!b || batch_index(b) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t at = ix_find(b, &p[i]);
		uint32_t wd = (uint32_t)fam_of(&p[i]);
		if (b->ix[at].vec == wd)
			continue; /* already waiting as a withdrawal */
		batch_remove(b, &p[i]);
		if (batch_push(b, wd, &p[i]) < 0)
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

/* The next k unsent prefixes of v went out: no longer replaceable. */
static void sent(struct outq_batch *b, struct pvec *v, size_t k)
{
	if (b->indexed)
		for (size_t i = v->off; i < v->off + k; i++)
			ix_del(b, &v->v[i]);
	v->off += k;
}

/* Drops the consumed front (*off elements of elem bytes) of an array of
 * *n, once it is at least half of it, so each element moves at most once
 * on average; then gives back what a burst reserved (growth doubles, so
 * shrinking only below a quarter never oscillates).  Returns the
 * array, moved or not; a failed shrink keeps the bigger one. */
static void *front_compact(void *arr, size_t elem, size_t *off, size_t *n, size_t *cap)
{
	if (*off < 32 || *off < *n - *off)
		return arr;
	size_t left = *n - *off;
	memmove(arr, (char *)arr + *off * elem, left * elem);
	*n = left;
	*off = 0;
	if (*cap > 64 && left < *cap / 4) {
		void *na = realloc(arr, *cap / 2 * elem);
		if (na) {
			*cap /= 2;
			return na;
		}
	}
	return arr;
}

/* The same for a withdrawal vector: a full table withdrawn while the
 * socket drains keeps adding to the batch's open vector. */
static void wd_compact(struct outq_batch *b, struct pvec *v)
{
	if (!b->indexed)
		v->v = front_compact(v->v, sizeof(*v->v), &v->off, &v->n, &v->cap);
}

/* Drops the sent groups from the front of an unindexed batch's array.
 * A batch stays open while routes keep coming faster than the socket
 * drains (a full table to a new peer): without this its array holds a
 * place for every group it ever had, 13.7 MB of 48-byte groups at the
 * 1M-prefix bench's end (25 MB reserved), all sent.  An indexed batch
 * keeps its array: the index holds positions in it. */
static void groups_compact(struct outq_batch *b)
{
	if (!b->indexed)
		b->groups = front_compact(b->groups, sizeof(*b->groups), &b->group_off,
					  &b->n_groups, &b->cap_groups);
}

/* Sends one batch as far as the budget allows; true when it is done. */
static int drain_batch(struct outq_batch *b, const struct bgp_encode_ctx *ctx,
		       struct wbuf *w, size_t budget, bool *done)
{
	*done = false;
	/* Here, not after the groups: a drain mostly stops on the budget
	 * in the middle of them. */
	groups_compact(b);
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		struct pvec *v = &b->wd[f];
		wd_compact(b, v);
		while (v->off < v->n) {
			if (w->len >= budget)
				return 0;
			long k = bgp_update_encode_withdraw(w, ctx, v->v + v->off, v->n - v->off);
			if (k < 0)
				return (int)k;
			sent(b, v, (size_t)k);
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
				sent(b, &g->p, g->p.n - g->p.off);
				break;
			}
			if (k < 0)
				return (int)k;
			sent(b, &g->p, (size_t)k);
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

static size_t pvec_bytes(const struct pvec *v)
{
	return v->v ? alloc_chunk_bytes(v->cap * sizeof(*v->v)) : 0;
}

void bgp_outq_mem(const struct bgp_outq *q, size_t *routes, size_t *bytes)
{
	size_t n = 0, m = q ? alloc_chunk_bytes(sizeof(*q)) : 0;
	for (const struct outq_batch *b = q ? q->head : NULL; b; b = b->next) {
		m += alloc_chunk_bytes(sizeof(*b));
		for (int f = 0; f < BGP_FAM_COUNT; f++) {
			n += b->wd[f].n - b->wd[f].off;
			m += pvec_bytes(&b->wd[f]);
		}
		/* Sent groups keep their place in the array (the index
		 * holds positions), without their prefixes. */
		m += alloc_chunk_bytes(b->cap_groups * sizeof(*b->groups));
		for (size_t g = b->group_off; g < b->n_groups; g++) {
			n += b->groups[g].p.n - b->groups[g].p.off;
			m += pvec_bytes(&b->groups[g].p);
		}
		m += alloc_chunk_bytes(b->cap_marks * sizeof(*b->marks));
		m += alloc_chunk_bytes(b->ix_cap * sizeof(*b->ix));
		m += alloc_chunk_bytes(b->gix_cap * sizeof(*b->gix));
	}
	*routes = n;
	*bytes = m;
}
