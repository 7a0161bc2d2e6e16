/* Path-compressed binary trie: see rib/trie.h.
 *
 * Keys are kept as host-order 32-bit words (one for IPv4, four for
 * IPv6), so the common prefix of two keys is an XOR and a count of
 * leading zeros per word instead of a bit-by-bit loop.  A node's key has
 * every bit past its length cleared.
 *
 * With the first-level index (rib/trie.h), a prefix of length >=
 * TRIE_INDEX_BITS lives in the sub-trie of its top bits and a shorter
 * one in the root trie.  Sub-tries hold whole keys, so every node
 * operation is the same code started from another root link; only
 * longest match (sub-trie, then root trie) and walks (a merge of the
 * two orders) need to know. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rib/trie.h"

struct trie_node {
	struct trie_node *child[2];
	void *value; /* NULL: a branch point only */
	uint8_t len;
	uint32_t key[]; /* 1 word (IPv4) or 4 (IPv6) */
};

#define FAM_V4 0
#define FAM_V6 1
/* A path from the root has strictly growing lengths 0..128, so at most
 * 129 nodes; a walk keeps at most one pending sibling per level plus the
 * two children of the node being left. */
#define WALK_STACK (2 * 130)

static unsigned fam_words(int fam) { return fam == FAM_V4 ? 1 : 4; }

static int af_fam(int af)
{
	return af == AF_INET ? FAM_V4 : af == AF_INET6 ? FAM_V6 : -1;
}

static inline unsigned key_bit(const uint32_t *k, unsigned i)
{
	return (k[i >> 5] >> (31 - (i & 31))) & 1u;
}

/* Length of the common leading bits of a and b, at most max. */
static inline unsigned key_common(const uint32_t *a, const uint32_t *b, unsigned max)
{
	for (unsigned w = 0; w * 32 < max; w++) {
		uint32_t x = a[w] ^ b[w];
		if (x) {
			unsigned l = w * 32 + (unsigned)__builtin_clz(x);
			return l < max ? l : max;
		}
	}
	return max;
}

static void key_mask(uint32_t *dst, const uint32_t *src, unsigned len, unsigned words)
{
	for (unsigned w = 0; w < words; w++) {
		if ((w + 1) * 32 <= len)
			dst[w] = src[w];
		else if (w * 32 >= len)
			dst[w] = 0;
		else
			dst[w] = src[w] & ~(UINT32_MAX >> (len - w * 32));
	}
}

/* Converts p to a key; -EINVAL for a bad family or length or host bits
 * set (the trie relies on them being zero, core/addr.h). */
static int key_from_prefix(const struct prefix *p, uint32_t key[4], int *fam)
{
	int f = af_fam(p->addr.af);
	if (f < 0 || p->len > addr_bits(p->addr.af))
		return -EINVAL;
	unsigned words = fam_words(f);
	for (unsigned w = 0; w < words; w++)
		key[w] = ((uint32_t)p->addr.b[4 * w] << 24) | ((uint32_t)p->addr.b[4 * w + 1] << 16) |
			 ((uint32_t)p->addr.b[4 * w + 2] << 8) | p->addr.b[4 * w + 3];
	uint32_t m[4];
	key_mask(m, key, p->len, words);
	for (unsigned w = 0; w < words; w++)
		if (m[w] != key[w])
			return -EINVAL;
	*fam = f;
	return 0;
}

static void node_prefix(const struct trie_node *n, int fam, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->addr.af = fam == FAM_V4 ? AF_INET : AF_INET6;
	p->len = n->len;
	for (unsigned w = 0; w < fam_words(fam); w++) {
		p->addr.b[4 * w] = (uint8_t)(n->key[w] >> 24);
		p->addr.b[4 * w + 1] = (uint8_t)(n->key[w] >> 16);
		p->addr.b[4 * w + 2] = (uint8_t)(n->key[w] >> 8);
		p->addr.b[4 * w + 3] = (uint8_t)n->key[w];
	}
}

#define INDEX_SLOTS ((size_t)1 << TRIE_INDEX_BITS)

static size_t index_slot(const uint32_t *key) { return key[0] >> (32 - TRIE_INDEX_BITS); }

/* The link the descent for (key, len) starts from. */
static struct trie_node **root_link(struct trie *t, int fam, const uint32_t *key, unsigned len)
{
	if (t->index[fam] && len >= TRIE_INDEX_BITS)
		return &t->index[fam][index_slot(key)];
	return &t->root[fam];
}

static struct trie_node *root_node(const struct trie *t, int fam, const uint32_t *key,
				   unsigned len)
{
	if (t->index[fam] && len >= TRIE_INDEX_BITS)
		return t->index[fam][index_slot(key)];
	return t->root[fam];
}

static struct pool *fam_pool(struct trie *t, int fam)
{
	return fam == FAM_V4 ? &t->pool4 : &t->pool6;
}

static struct trie_node *node_new(struct trie *t, int fam, const uint32_t *key, unsigned len,
				  void *value)
{
	struct trie_node *n = pool_alloc(fam_pool(t, fam));
	if (!n)
		return NULL;
	n->child[0] = n->child[1] = NULL;
	n->value = value;
	n->len = (uint8_t)len;
	key_mask(n->key, key, len, fam_words(fam));
	return n;
}

void trie_init(struct trie *t)
{
	memset(t, 0, sizeof(*t));
	/* offsetof, not sizeof: the key starts inside the tail padding,
	 * which makes an IPv4 node 32 bytes instead of 40. */
	pool_init(&t->pool4, offsetof(struct trie_node, key) + 4, 0);
	pool_init(&t->pool6, offsetof(struct trie_node, key) + 16, 0);
}

void trie_destroy(struct trie *t)
{
	/* Every node lives in a pool slab: dropping the slabs frees all. */
	pool_destroy(&t->pool4);
	pool_destroy(&t->pool6);
	free(t->index[0]);
	free(t->index[1]);
	trie_init(t);
}

/* Finds (key, plen) below *slot or links a new node for it holding
 * value.  Returns the node and sets *fresh, or NULL on -ENOMEM. */
static struct trie_node *node_insert_at(struct trie *t, struct trie_node **slot, int fam,
					const uint32_t *key, unsigned plen, void *value,
					bool replace, bool *fresh)
{
	struct trie_node *n;
	*fresh = false;
	while ((n = *slot) != NULL) {
		unsigned l = key_common(n->key, key, n->len < plen ? n->len : plen);
		if (l < n->len) {
			/* p leaves n's path above n: a new node goes in n's
			 * place, either p itself (it covers n) or a branch
			 * point where the two differ. */
			struct trie_node *m, *leaf;
			if (l == plen) {
				m = leaf = node_new(t, fam, key, plen, value);
				if (!m)
					return NULL;
				m->child[key_bit(n->key, plen)] = n;
			} else {
				leaf = node_new(t, fam, key, plen, value);
				m = leaf ? node_new(t, fam, key, l, NULL) : NULL;
				if (!m) {
					pool_free(fam_pool(t, fam), leaf);
					return NULL;
				}
				unsigned b = key_bit(key, l);
				m->child[b] = leaf;
				m->child[!b] = n;
			}
			*slot = m;
			t->count[fam]++;
			*fresh = true;
			return leaf;
		}
		if (n->len == plen) {
			if (n->value == NULL) {
				t->count[fam]++;
				*fresh = true;
				n->value = value;
			} else if (replace) {
				n->value = value;
			}
			return n;
		}
		slot = &n->child[key_bit(key, n->len)];
	}
	n = node_new(t, fam, key, plen, value);
	if (!n)
		return NULL;
	*slot = n;
	t->count[fam]++;
	*fresh = true;
	return n;
}

/* Position of (key, plen) below *slot, if it holds a value. */
static bool node_find_pos(struct trie_node **slot, int fam, const uint32_t *key, unsigned plen,
			  struct trie_pos *pos)
{
	struct trie_node **pslot = NULL, *n;
	while ((n = *slot) != NULL) {
		if (n->len > plen || key_common(n->key, key, n->len) < n->len)
			return false;
		if (n->len == plen)
			break;
		pslot = slot;
		slot = &n->child[key_bit(key, n->len)];
	}
	if (!n || !n->value)
		return false;
	*pos = (struct trie_pos){ .slot = slot, .pslot = pslot, .fam = fam };
	return true;
}

struct index_move {
	struct prefix p;
	void *value;
};

struct index_collect {
	struct index_move *v;
	size_t n, cap;
};

static int index_collect_visit(void *arg, const struct prefix *p, void *value)
{
	struct index_collect *c = arg;
	if (p->len < TRIE_INDEX_BITS)
		return 0;
	if (c->n == c->cap)
		return -EOVERFLOW; /* cannot happen: cap is the count */
	c->v[c->n++] = (struct index_move){ *p, value };
	return 0;
}

/* Builds the first-level index of a family and moves the long prefixes
 * under it.  Everything that allocates happens before the root trie is
 * touched, so a failure leaves the trie as it was (just unindexed). */
static void index_build(struct trie *t, int fam)
{
	struct trie_node **idx = calloc(INDEX_SLOTS, sizeof(*idx));
	struct index_collect c = { .v = malloc(t->count[fam] * sizeof(*c.v)), .cap = t->count[fam] };
	size_t moved = 0;
	bool ok = idx && c.v &&
		  trie_walk(t, fam == FAM_V4 ? AF_INET : AF_INET6, NULL, 0, index_collect_visit,
			    &c, NULL) == 0;
	for (; ok && moved < c.n; moved++) {
		uint32_t key[4];
		int f;
		bool fresh;
		key_from_prefix(&c.v[moved].p, key, &f);
		ok = node_insert_at(t, &idx[index_slot(key)], fam, key, c.v[moved].p.len,
				    c.v[moved].value, false, &fresh) != NULL;
	}
	if (ok) {
		/* Now drop them from the root trie (deleting never allocates)
		 * and switch over. */
		for (size_t i = 0; i < c.n; i++)
			trie_delete(t, &c.v[i].p);
		t->index[fam] = idx;
	} else {
		/* Undo the sub-tries built so far. */
		for (size_t i = 0; idx && i < moved; i++) {
			uint32_t key[4];
			int f;
			struct trie_pos pos;
			key_from_prefix(&c.v[i].p, key, &f);
			if (node_find_pos(&idx[index_slot(key)], fam, key, c.v[i].p.len, &pos))
				trie_delete_pos(t, &pos);
		}
		free(idx);
		t->index_failed[fam] = true;
	}
	free(c.v);
}

/* Finds p or links a new node for it holding value.  Returns the node
 * and sets *fresh, or NULL on -ENOMEM / -EINVAL (*err). */
static struct trie_node *node_insert(struct trie *t, const struct prefix *p, void *value,
				     bool replace, bool *fresh, int *err)
{
	uint32_t key[4];
	int fam;
	*fresh = false;
	*err = -EINVAL;
	if (!value || key_from_prefix(p, key, &fam))
		return NULL;
	/* Before the insert, so the node returned stays where it is. */
	if (!t->index[fam] && !t->index_failed[fam] && t->count[fam] + 1 >= TRIE_INDEX_MIN)
		index_build(t, fam);
	*err = -ENOMEM;
	return node_insert_at(t, root_link(t, fam, key, p->len), fam, key, p->len, value,
			      replace, fresh);
}

int trie_insert(struct trie *t, const struct prefix *p, void *value)
{
	bool fresh;
	int err;
	if (!node_insert(t, p, value, true, &fresh, &err))
		return err;
	return fresh;
}

int trie_insert_or_get(struct trie *t, const struct prefix *p, void *value, void ***slot)
{
	bool fresh;
	int err;
	struct trie_node *n = node_insert(t, p, value, false, &fresh, &err);
	if (!n)
		return err;
	*slot = &n->value;
	return fresh;
}

/* The node holding exactly p (with or without value), or NULL. */
static struct trie_node *node_find(const struct trie *t, const struct prefix *p)
{
	uint32_t key[4];
	int fam;
	if (key_from_prefix(p, key, &fam))
		return NULL;
	struct trie_node *n = root_node(t, fam, key, p->len);
	while (n && n->len <= p->len && key_common(n->key, key, n->len) == n->len) {
		if (n->len == p->len)
			return n;
		n = n->child[key_bit(key, n->len)];
	}
	return NULL;
}

void *trie_lookup(const struct trie *t, const struct prefix *p)
{
	struct trie_node *n = node_find(t, p);
	return n ? n->value : NULL;
}

void **trie_lookup_slot(struct trie *t, const struct prefix *p)
{
	struct trie_node *n = node_find(t, p);
	return n && n->value ? &n->value : NULL;
}

/* Longest prefix with a value covering (key, plen) below n. */
static const struct trie_node *node_match(const struct trie_node *n, const uint32_t *key,
					  unsigned plen)
{
	const struct trie_node *best = NULL;
	while (n && n->len <= plen && key_common(n->key, key, n->len) == n->len) {
		if (n->value)
			best = n;
		if (n->len == plen)
			break;
		n = n->child[key_bit(key, n->len)];
	}
	return best;
}

void *trie_match(const struct trie *t, const struct prefix *p, struct prefix *match)
{
	uint32_t key[4];
	int fam;
	if (key_from_prefix(p, key, &fam))
		return NULL;
	const struct trie_node *best = NULL;
	/* The sub-trie holds the longer candidates, the root trie the
	 * shorter ones: try them in that order. */
	if (t->index[fam] && p->len >= TRIE_INDEX_BITS)
		best = node_match(t->index[fam][index_slot(key)], key, p->len);
	if (!best)
		best = node_match(t->root[fam], key, p->len);
	if (!best)
		return NULL;
	if (match)
		node_prefix(best, fam, match);
	return best->value;
}

void **trie_lookup_pos(struct trie *t, const struct prefix *p, struct trie_pos *pos)
{
	uint32_t key[4];
	int fam;
	if (key_from_prefix(p, key, &fam) ||
	    !node_find_pos(root_link(t, fam, key, p->len), fam, key, p->len, pos))
		return NULL;
	return &(*pos->slot)->value;
}

void *trie_delete_pos(struct trie *t, const struct trie_pos *pos)
{
	struct trie_node *n = *pos->slot;
	void *v = n->value;
	n->value = NULL;
	t->count[pos->fam]--;
	if (n->child[0] && n->child[1])
		return v; /* still a branch point */
	struct pool *pool = fam_pool(t, pos->fam);
	struct trie_node *c = n->child[0] ? n->child[0] : n->child[1];
	*pos->slot = c;
	pool_free(pool, n);
	if (!c && pos->pslot) {
		/* A leaf went: a value-less parent is left with one child
		 * and path compression removes it too. */
		struct trie_node *par = *pos->pslot;
		if (!par->value) {
			*pos->pslot = par->child[0] ? par->child[0] : par->child[1];
			pool_free(pool, par);
		}
	}
	return v;
}

void *trie_delete(struct trie *t, const struct prefix *p)
{
	struct trie_pos pos;
	if (!trie_lookup_pos(t, p, &pos))
		return NULL;
	return trie_delete_pos(t, &pos);
}

/* Pre-order iterator over one trie (root or sub-trie): a stack of the
 * subtrees still to visit, the nearest on top. */
struct iter {
	const struct trie_node *stack[WALK_STACK];
	size_t sp;
	bool overflow;
};

static void it_push(struct iter *it, const struct trie_node *n)
{
	if (!n)
		return;
	if (it->sp == WALK_STACK) {
		it->overflow = true; /* cannot happen, see WALK_STACK */
		return;
	}
	it->stack[it->sp++] = n;
}

static void it_start(struct iter *it, const struct trie_node *root)
{
	it->sp = 0;
	it_push(it, root);
}

/* Leaves on the stack exactly the subtrees below n that sort after the
 * cursor (ck, cl), which need not be in the trie. */
static void it_seek(struct iter *it, const struct trie_node *n, const uint32_t *ck, unsigned cl)
{
	it->sp = 0;
	while (n) {
		unsigned l = key_common(n->key, ck, n->len < cl ? n->len : cl);
		if (l == n->len) {
			if (n->len == cl) {
				it_push(it, n->child[1]);
				it_push(it, n->child[0]);
				return;
			}
			/* n covers the cursor and sorts before it; its 1-side
			 * sorts after when the cursor lies on the 0-side. */
			unsigned b = key_bit(ck, n->len);
			if (b == 0)
				it_push(it, n->child[1]);
			n = n->child[b];
		} else if (l == cl) {
			it_push(it, n); /* more specific than the cursor */
			return;
		} else {
			if (key_bit(n->key, l))
				it_push(it, n); /* branches off after it */
			return;
		}
	}
}

/* Next node with a value, or NULL. */
static const struct trie_node *it_next(struct iter *it)
{
	while (it->sp) {
		const struct trie_node *n = it->stack[--it->sp];
		it_push(it, n->child[1]);
		it_push(it, n->child[0]);
		if (n->value)
			return n;
	}
	return NULL;
}

/* Next node with a value in the index's sub-tries, moving on to the
 * following slots as each runs out. */
static const struct trie_node *idx_next(struct trie_node *const *idx, size_t *slot,
					struct iter *it)
{
	for (;;) {
		const struct trie_node *n = it_next(it);
		if (n || !idx)
			return n;
		while (++*slot < INDEX_SLOTS && !idx[*slot])
			;
		if (*slot >= INDEX_SLOTS)
			return NULL;
		it_start(it, idx[*slot]);
	}
}

int trie_walk(const struct trie *t, int af, const struct prefix *cursor, size_t budget,
	      trie_visit_fn fn, void *arg, struct prefix *next)
{
	int fam = af_fam(af);
	if (fam < 0)
		return -EINVAL;
	struct trie_node *const *idx = t->index[fam];
	struct iter rit, xit; /* root trie, index sub-tries */
	size_t slot = 0;
	rit.overflow = xit.overflow = false;
	xit.sp = 0;
	if (!cursor || cursor->addr.af == 0) {
		it_start(&rit, t->root[fam]);
		if (idx)
			it_start(&xit, idx[0]);
	} else {
		uint32_t ck[4];
		int cfam;
		if (key_from_prefix(cursor, ck, &cfam) || cfam != fam)
			return -EINVAL;
		it_seek(&rit, t->root[fam], ck, cursor->len);
		if (idx) {
			/* Slots below the cursor's hold only smaller prefixes,
			 * slots above only larger ones; in its own slot, a
			 * cursor shorter than the slot comes before all. */
			slot = index_slot(ck);
			if (cursor->len >= TRIE_INDEX_BITS)
				it_seek(&xit, idx[slot], ck, cursor->len);
			else
				it_start(&xit, idx[slot]);
		}
	}

	/* Merge: a root-trie prefix P (shorter than the index bits) sorts
	 * before every sub-trie prefix in P's slot or above and after
	 * those below, since its address has zeros past its length. */
	const struct trie_node *rn = it_next(&rit);
	const struct trie_node *xn = idx_next(idx, &slot, &xit);
	size_t done = 0;
	while (rn || xn) {
		const struct trie_node *n;
		if (rn && (!xn || index_slot(rn->key) <= index_slot(xn->key))) {
			n = rn;
			rn = it_next(&rit);
		} else {
			n = xn;
			xn = idx_next(idx, &slot, &xit);
		}
		struct prefix p;
		node_prefix(n, fam, &p);
		int rc = fn(arg, &p, n->value);
		if (rc) {
			if (next)
				*next = p;
			return rc;
		}
		if (budget && ++done == budget) {
			if (next)
				*next = p;
			return rn || xn ? 1 : 0;
		}
	}
	return rit.overflow || xit.overflow ? -EOVERFLOW : 0;
}

void trie_mem(const struct trie *t, struct rib_mem_stats *s)
{
	s->items = pool_live(&t->pool4) + pool_live(&t->pool6);
	s->bytes = pool_bytes(&t->pool4) + pool_bytes(&t->pool6);
	for (int f = 0; f < 2; f++)
		if (t->index[f])
			s->bytes += INDEX_SLOTS * sizeof(*t->index[f]);
}
