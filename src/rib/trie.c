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
 * two orders) need to know.
 *
 * An IPv4 index slot holds a sorted array (rib/trie_bucket.h) instead
 * of a sub-trie while it has at most TRIE_BUCKET_MAX prefixes; the link
 * then carries the array's address with its low bit set (pool nodes and
 * malloc blocks are at least 8-byte aligned, so a node link never has
 * it).  Only the functions that start at an index link look at the tag:
 * link_insert, link_find_pos, trie_delete_pos, find_value, trie_match
 * and the walk's index iterator. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rib/trie.h"
#include "rib/trie_bucket.h"

/* A bucket key keeps the 16 address bits below the slot's. */
_Static_assert(TRIE_INDEX_BITS == 16, "trie_bucket keys assume a /16 index");

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

static void key_prefix(const uint32_t *key, unsigned len, int fam, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->addr.af = fam == FAM_V4 ? AF_INET : AF_INET6;
	p->len = (uint8_t)len;
	for (unsigned w = 0; w < fam_words(fam); w++) {
		p->addr.b[4 * w] = (uint8_t)(key[w] >> 24);
		p->addr.b[4 * w + 1] = (uint8_t)(key[w] >> 16);
		p->addr.b[4 * w + 2] = (uint8_t)(key[w] >> 8);
		p->addr.b[4 * w + 3] = (uint8_t)key[w];
	}
}

static inline bool link_is_bucket(const struct trie_node *n) { return ((uintptr_t)n & 1u) != 0; }

static inline struct trie_bucket *link_bucket(const struct trie_node *n)
{
	return (struct trie_bucket *)((uintptr_t)n & ~(uintptr_t)1);
}

static inline struct trie_node *bucket_link(struct trie_bucket *b)
{
	return b ? (struct trie_node *)((uintptr_t)b | 1u) : NULL;
}

/* (key, len) of a prefix at least TRIE_INDEX_BITS long, in its slot. */
static inline uint32_t bucket_key(const uint32_t *key, unsigned len)
{
	return ((key[0] & 0xffffu) << 8) | len;
}

/* The value slot of bucket key k, or NULL. */
static void **bucket_find(struct trie_bucket *b, uint32_t k)
{
	size_t i = tb_lower(b, k);
	return i < b->n && tb_keys(b)[i] == k ? &b->val[i] : NULL;
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
	for (size_t i = 0; t->index[FAM_V4] && i < INDEX_SLOTS; i++)
		if (link_is_bucket(t->index[FAM_V4][i]))
			tb_free(link_bucket(t->index[FAM_V4][i]), &t->bucket_bytes);
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
	*pos = (struct trie_pos){ .slot = slot, .pslot = pslot, .fam = fam, .entry = -1 };
	return true;
}

/* node_find_pos from a link that may hold a bucket. */
static bool link_find_pos(struct trie_node **link, int fam, const uint32_t *key, unsigned plen,
			  struct trie_pos *pos)
{
	if (!link_is_bucket(*link))
		return node_find_pos(link, fam, key, plen, pos);
	struct trie_bucket *b = link_bucket(*link);
	uint32_t k = bucket_key(key, plen);
	size_t i = tb_lower(b, k);
	if (i >= b->n || tb_keys(b)[i] != k)
		return false;
	*pos = (struct trie_pos){ .slot = link, .pslot = NULL, .fam = fam, .entry = (int)i,
				  .bkey = k };
	return true;
}

static void node_free_tree(struct pool *pool, struct trie_node *n)
{
	/* Depth is bounded by the key length (33 levels for IPv4). */
	if (!n)
		return;
	node_free_tree(pool, n->child[0]);
	node_free_tree(pool, n->child[1]);
	pool_free(pool, n);
}

/* A full bucket becomes a node sub-trie (hi: the slot's top 16 bits).
 * 0, or -ENOMEM with the bucket as it was. */
static int bucket_to_nodes(struct trie *t, struct trie_node **link, int fam, uint32_t hi)
{
	struct trie_bucket *b = link_bucket(*link);
	const uint32_t *keys = tb_ckeys(b);
	struct trie_node *root = NULL;
	size_t i;
	bool fresh;
	for (i = 0; i < b->n; i++) {
		uint32_t key[4] = { hi | (keys[i] >> 8), 0, 0, 0 };
		if (!node_insert_at(t, &root, fam, key, tb_key_len(keys[i]), b->val[i], false,
				    &fresh))
			break;
	}
	/* node_insert_at counted them as new; they were already in. */
	t->count[fam] -= i;
	if (i < b->n) {
		node_free_tree(fam_pool(t, fam), root);
		return -ENOMEM;
	}
	t->bucket_entries -= b->n;
	tb_free(b, &t->bucket_bytes);
	*link = root;
	return 0;
}

/* Finds (key, plen) below *link or adds it holding value; in_index says
 * the link is an index slot (which may hold a bucket).  Returns the value
 * slot and sets *fresh, or NULL on -ENOMEM. */
static void **link_insert(struct trie *t, struct trie_node **link, bool in_index, int fam,
			  const uint32_t *key, unsigned plen, void *value, bool replace,
			  bool *fresh)
{
	*fresh = false;
	struct trie_node *n = *link;
	if (in_index && fam == FAM_V4 && (!n || link_is_bucket(n))) {
		struct trie_bucket *b = n ? link_bucket(n) : NULL;
		uint32_t k = bucket_key(key, plen);
		size_t i = b ? tb_lower(b, k) : 0;
		if (b && i < b->n && tb_keys(b)[i] == k) {
			if (replace)
				b->val[i] = value;
			return &b->val[i];
		}
		if (!b || b->n < TRIE_BUCKET_MAX) {
			if (tb_insert_at(&b, i, k, value, &t->bucket_bytes))
				return NULL;
			*link = bucket_link(b);
			t->count[fam]++;
			t->bucket_entries++;
			*fresh = true;
			return &b->val[i];
		}
		/* A big slot (a table of host routes in one /16, say): as
		 * nodes, inserts and deletes stay O(key length) instead of
		 * moving ever more of the array. */
		if (bucket_to_nodes(t, link, fam, key[0] & 0xffff0000u))
			return NULL;
	}
	struct trie_node *m = node_insert_at(t, link, fam, key, plen, value, replace, fresh);
	return m ? &m->value : NULL;
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
		ok = link_insert(t, &idx[index_slot(key)], true, fam, key, c.v[moved].p.len,
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
			if (link_find_pos(&idx[index_slot(key)], fam, key, c.v[i].p.len, &pos))
				trie_delete_pos(t, &pos);
		}
		free(idx);
		t->index_failed[fam] = true;
	}
	free(c.v);
}

/* Finds p or adds it holding value.  Returns its value slot and sets
 * *fresh, or NULL on -ENOMEM / -EINVAL (*err). */
static void **value_insert(struct trie *t, const struct prefix *p, void *value, bool replace,
			   bool *fresh, int *err)
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
	bool in_index = t->index[fam] && p->len >= TRIE_INDEX_BITS;
	return link_insert(t, root_link(t, fam, key, p->len), in_index, fam, key, p->len, value,
			   replace, fresh);
}

int trie_insert(struct trie *t, const struct prefix *p, void *value)
{
	bool fresh;
	int err;
	if (!value_insert(t, p, value, true, &fresh, &err))
		return err;
	return fresh;
}

int trie_insert_or_get(struct trie *t, const struct prefix *p, void *value, void ***slot)
{
	bool fresh;
	int err;
	void **v = value_insert(t, p, value, false, &fresh, &err);
	if (!v)
		return err;
	*slot = v;
	return fresh;
}

/* The value slot of exactly p (holding NULL for a branch point), or
 * NULL. */
static void **find_value(const struct trie *t, const struct prefix *p)
{
	uint32_t key[4];
	int fam;
	if (key_from_prefix(p, key, &fam))
		return NULL;
	struct trie_node *n = t->root[fam];
	if (t->index[fam] && p->len >= TRIE_INDEX_BITS) {
		n = t->index[fam][index_slot(key)];
		if (link_is_bucket(n))
			return bucket_find(link_bucket(n), bucket_key(key, p->len));
	}
	while (n && n->len <= p->len && key_common(n->key, key, n->len) == n->len) {
		if (n->len == p->len)
			return &n->value;
		n = n->child[key_bit(key, n->len)];
	}
	return NULL;
}

void *trie_lookup(const struct trie *t, const struct prefix *p)
{
	void **v = find_value(t, p);
	return v ? *v : NULL;
}

void **trie_lookup_slot(struct trie *t, const struct prefix *p)
{
	void **v = find_value(t, p);
	return v && *v ? v : NULL;
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

/* Longest prefix in bucket b covering (key, plen): the lengths that may
 * be present, longest first, each an exact search. */
static void *bucket_match(const struct trie_bucket *b, const uint32_t *key, unsigned plen,
			  unsigned *mlen)
{
	for (unsigned l = plen; l >= TRIE_INDEX_BITS; l--) {
		if (!(b->lens & tb_len_bit(l)))
			continue;
		uint32_t m = key[0] & ~(l == 32 ? 0u : UINT32_MAX >> l);
		uint32_t k = bucket_key(&m, l);
		size_t i = tb_lower(b, k);
		if (i < b->n && tb_ckeys(b)[i] == k) {
			*mlen = l;
			return b->val[i];
		}
	}
	return NULL;
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
	if (t->index[fam] && p->len >= TRIE_INDEX_BITS) {
		const struct trie_node *x = t->index[fam][index_slot(key)];
		if (link_is_bucket(x)) {
			unsigned mlen;
			void *v = bucket_match(link_bucket(x), key, p->len, &mlen);
			if (v) {
				if (match) {
					uint32_t m[4];
					key_mask(m, key, mlen, fam_words(fam));
					key_prefix(m, mlen, fam, match);
				}
				return v;
			}
		} else {
			best = node_match(x, key, p->len);
		}
	}
	if (!best)
		best = node_match(t->root[fam], key, p->len);
	if (!best)
		return NULL;
	if (match)
		key_prefix(best->key, best->len, fam, match);
	return best->value;
}

void **trie_lookup_pos(struct trie *t, const struct prefix *p, struct trie_pos *pos)
{
	uint32_t key[4];
	int fam;
	if (key_from_prefix(p, key, &fam) ||
	    !link_find_pos(root_link(t, fam, key, p->len), fam, key, p->len, pos))
		return NULL;
	if (pos->entry >= 0)
		return &link_bucket(*pos->slot)->val[pos->entry];
	return &(*pos->slot)->value;
}

void *trie_delete_pos(struct trie *t, const struct trie_pos *pos)
{
	if (pos->entry >= 0) {
		/* Entries move whenever their slot changes.  A caller that
		 * broke the "until the trie changes" rule must not make us
		 * delete a neighbour: check the key, search again if it
		 * moved, and delete nothing if it is gone. */
		if (!link_is_bucket(*pos->slot))
			return NULL;
		struct trie_bucket *b = link_bucket(*pos->slot);
		size_t i = (size_t)pos->entry;
		if (i >= b->n || tb_keys(b)[i] != pos->bkey) {
			i = tb_lower(b, pos->bkey);
			if (i >= b->n || tb_keys(b)[i] != pos->bkey)
				return NULL;
		}
		void *bv = b->val[i];
		tb_remove_at(&b, i, &t->bucket_bytes);
		*pos->slot = bucket_link(b);
		t->count[pos->fam]--;
		t->bucket_entries--;
		return bv;
	}
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

/* One prefix met by a walk, from a node or a bucket entry. */
struct went {
	uint32_t key[4];
	unsigned len;
	void *value;
};

static void node_went(const struct trie_node *n, int fam, struct went *e)
{
	memcpy(e->key, n->key, fam_words(fam) * sizeof(uint32_t));
	e->len = n->len;
	e->value = n->value;
}

/* Iterator over the index: the current slot's sub-trie or bucket. */
struct xiter {
	struct iter it;
	const struct trie_bucket *b; /* NULL: the slot is a sub-trie */
	size_t bi;                   /* next entry of b */
	uint32_t hi;                 /* b's slot in the top 16 key bits */
};

static void x_start(struct xiter *x, const struct trie_node *link, size_t slot)
{
	x->it.sp = 0;
	x->b = NULL;
	if (link_is_bucket(link)) {
		x->b = link_bucket(link);
		x->bi = 0;
		x->hi = (uint32_t)slot << (32 - TRIE_INDEX_BITS);
	} else {
		it_start(&x->it, link);
	}
}

/* As it_seek: only the slot's prefixes after the cursor remain. */
static void x_seek(struct xiter *x, const struct trie_node *link, size_t slot,
		   const uint32_t *ck, unsigned cl)
{
	x_start(x, link, slot);
	if (x->b) {
		uint32_t k = bucket_key(ck, cl);
		size_t i = tb_lower(x->b, k);
		if (i < x->b->n && tb_ckeys(x->b)[i] == k)
			i++;
		x->bi = i;
	} else {
		it_seek(&x->it, link, ck, cl);
	}
}

static bool x_next(struct xiter *x, int fam, struct went *e)
{
	if (x->b) {
		if (x->bi >= x->b->n)
			return false;
		uint32_t k = tb_ckeys(x->b)[x->bi];
		e->key[0] = x->hi | (k >> 8);
		e->len = tb_key_len(k);
		e->value = x->b->val[x->bi++];
		return true;
	}
	const struct trie_node *n = it_next(&x->it);
	if (!n)
		return false;
	node_went(n, fam, e);
	return true;
}

/* Next prefix in the index, moving on to the following slots as each
 * runs out. */
static bool idx_next(struct trie_node *const *idx, size_t *slot, struct xiter *x, int fam,
		     struct went *e)
{
	for (;;) {
		if (x_next(x, fam, e))
			return true;
		if (!idx)
			return false;
		while (++*slot < INDEX_SLOTS && !idx[*slot])
			;
		if (*slot >= INDEX_SLOTS)
			return false;
		x_start(x, idx[*slot], *slot);
	}
}

static bool root_next(struct iter *it, int fam, struct went *e)
{
	const struct trie_node *n = it_next(it);
	if (n)
		node_went(n, fam, e);
	return n != NULL;
}

int trie_walk(const struct trie *t, int af, const struct prefix *cursor, size_t budget,
	      trie_visit_fn fn, void *arg, struct prefix *next)
{
	int fam = af_fam(af);
	if (fam < 0)
		return -EINVAL;
	struct trie_node *const *idx = t->index[fam];
	struct iter rit;  /* root trie */
	struct xiter xit; /* index sub-tries and buckets */
	size_t slot = 0;
	rit.overflow = xit.it.overflow = false;
	xit.it.sp = 0;
	xit.b = NULL;
	if (!cursor || cursor->addr.af == 0) {
		it_start(&rit, t->root[fam]);
		if (idx)
			x_start(&xit, idx[0], 0);
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
				x_seek(&xit, idx[slot], slot, ck, cursor->len);
			else
				x_start(&xit, idx[slot], slot);
		}
	}

	/* Merge: a root-trie prefix P (shorter than the index bits) sorts
	 * before every sub-trie prefix in P's slot or above and after
	 * those below, since its address has zeros past its length. */
	struct went re, xe;
	bool rok = root_next(&rit, fam, &re);
	bool xok = idx_next(idx, &slot, &xit, fam, &xe);
	size_t done = 0;
	while (rok || xok) {
		struct prefix p;
		void *value;
		if (rok && (!xok || index_slot(re.key) <= index_slot(xe.key))) {
			key_prefix(re.key, re.len, fam, &p);
			value = re.value;
			rok = root_next(&rit, fam, &re);
		} else {
			key_prefix(xe.key, xe.len, fam, &p);
			value = xe.value;
			xok = idx_next(idx, &slot, &xit, fam, &xe);
		}
		int rc = fn(arg, &p, value);
		if (rc) {
			if (next)
				*next = p;
			return rc;
		}
		if (budget && ++done == budget) {
			if (next)
				*next = p;
			return rok || xok ? 1 : 0;
		}
	}
	return rit.overflow || xit.it.overflow ? -EOVERFLOW : 0;
}

void trie_mem(const struct trie *t, struct rib_mem_stats *s)
{
	s->items = pool_live(&t->pool4) + pool_live(&t->pool6) + t->bucket_entries;
	s->bytes = pool_bytes(&t->pool4) + pool_bytes(&t->pool6) + t->bucket_bytes;
	for (int f = 0; f < 2; f++)
		if (t->index[f])
			s->bytes += INDEX_SLOTS * sizeof(*t->index[f]);
}
