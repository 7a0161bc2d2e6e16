/* Path-compressed binary trie: see rib/trie.h.
 *
 * Keys are kept as host-order 32-bit words (one for IPv4, four for
 * IPv6), so the common prefix of two keys is an XOR and a count of
 * leading zeros per word instead of a bit-by-bit loop.  A node's key has
 * every bit past its length cleared. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
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
	if (memcmp(m, key, words * 4) != 0)
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
	t->root[0] = t->root[1] = NULL;
	t->count[0] = t->count[1] = 0;
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
	*err = -ENOMEM;
	unsigned plen = p->len;
	struct trie_node **slot = &t->root[fam], *n;

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
	struct trie_node *n = t->root[fam];
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

void *trie_match(const struct trie *t, const struct prefix *p, struct prefix *match)
{
	uint32_t key[4];
	int fam;
	if (key_from_prefix(p, key, &fam))
		return NULL;
	const struct trie_node *n = t->root[fam], *best = NULL;
	while (n && n->len <= p->len && key_common(n->key, key, n->len) == n->len) {
		if (n->value)
			best = n;
		if (n->len == p->len)
			break;
		n = n->child[key_bit(key, n->len)];
	}
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
	if (key_from_prefix(p, key, &fam))
		return NULL;
	struct trie_node **slot = &t->root[fam], **pslot = NULL, *n;
	while ((n = *slot) != NULL) {
		if (n->len > p->len || key_common(n->key, key, n->len) < n->len)
			return NULL;
		if (n->len == p->len)
			break;
		pslot = slot;
		slot = &n->child[key_bit(key, n->len)];
	}
	if (!n || !n->value)
		return NULL;
	*pos = (struct trie_pos){ .slot = slot, .pslot = pslot, .fam = fam };
	return &n->value;
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

int trie_walk(const struct trie *t, int af, const struct prefix *cursor, size_t budget,
	      trie_visit_fn fn, void *arg, struct prefix *next)
{
	int fam = af_fam(af);
	if (fam < 0)
		return -EINVAL;
	const struct trie_node *stack[WALK_STACK];
	size_t sp = 0;
#define PUSH(x)                                       \
	do {                                          \
		if ((x) != NULL) {                    \
			if (sp == WALK_STACK)         \
				return -EOVERFLOW;    \
			stack[sp++] = (x);            \
		}                                     \
	} while (0)

	const struct trie_node *n = t->root[fam];
	if (!cursor || cursor->addr.af == 0) {
		PUSH(n);
	} else {
		uint32_t ck[4];
		int cfam;
		if (key_from_prefix(cursor, ck, &cfam) || cfam != fam)
			return -EINVAL;
		unsigned cl = cursor->len;
		/* Seek: leave on the stack exactly the subtrees that sort
		 * after the cursor, nearest last. */
		while (n) {
			unsigned l = key_common(n->key, ck, n->len < cl ? n->len : cl);
			if (l == n->len) {
				if (n->len == cl) {
					PUSH(n->child[1]);
					PUSH(n->child[0]);
					break;
				}
				/* n covers the cursor and sorts before it;
				 * its 1-side sorts after when the cursor
				 * lies on the 0-side. */
				unsigned b = key_bit(ck, n->len);
				if (b == 0)
					PUSH(n->child[1]);
				n = n->child[b];
			} else if (l == cl) {
				PUSH(n); /* more specific than the cursor */
				break;
			} else {
				if (key_bit(n->key, l))
					PUSH(n); /* branches off after it */
				break;
			}
		}
	}

	size_t done = 0;
	while (sp) {
		n = stack[--sp];
		PUSH(n->child[1]);
		PUSH(n->child[0]);
		if (!n->value)
			continue;
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
			/* Every subtree left holds a value: leaves always do
			 * and value-less nodes have two children. */
			return sp ? 1 : 0;
		}
	}
#undef PUSH
	return 0;
}

void trie_mem(const struct trie *t, struct rib_mem_stats *s)
{
	s->items = pool_live(&t->pool4) + pool_live(&t->pool6);
	s->bytes = pool_bytes(&t->pool4) + pool_bytes(&t->pool6);
}
