/* Interned path attributes: see rib/attr_intern.h.
 *
 * An open-addressing hash table of 8-byte slots (address and the low
 * 21 bits of the hash on x86-64, rib/attr_intern.h).  Growing, shrinking
 * and a deletion's backward shift take each entry's home slot from its
 * slot instead of reading the set's hash, a cache miss per entry moved
 * past (up to 2^21 slots; beyond, from the set).  A probe reads a set
 * only when the slot's hash bits match: that rejects every entry of
 * another home, and one of the same home with 21 - log2(slots) bits
 * (1 in 2 at 2^20 slots; the 16-bit tag of the hash's high bits did
 * better there, but a lookup meets another entry of its own home only
 * about load-factor times on average, 0.54 at the bench's 569k sets).  At
 * the 1M-prefix bench's 569k sets the 2^20 slots take 8.4 MB instead of
 * 12.6 MB with 12-byte slots, and interning got no slower (its smaller
 * table misses the cache less than reading a set's hash costs when the
 * table grows or a deletion shifts a cluster).  Deletion shifts the
 * following cluster back instead of leaving tombstones, so lookups stay
 * short after many withdrawals.
 *
 * The hash is bgp_attrs_hash (bgp/attr_hash.c), stored in every frozen
 * set: an interned set is always frozen (one block, see bgp_attrs_freeze),
 * so its release finds its slot without reading the set's arrays, and a
 * set that arrives frozen (export builds them so) is looked up without
 * hashing it again. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "rib/attr_intern.h"

#define MIN_CAP 64

static struct attr_table *table_of(struct bgp_attrs_hook *h)
{
	return (struct attr_table *)((char *)h - offsetof(struct attr_table, hook));
}

/* What the allocator really hands out for a request of n bytes: glibc's
 * malloc on 64-bit adds an 8-byte header and rounds the chunk to 16
 * bytes, 32 at least.  Counting requests alone hid 20-40% of the
 * attribute memory when each set was three to six mallocs. */
static size_t alloc_bytes(size_t n)
{
	size_t c = (n + 8 + 15) & ~(size_t)15;
	return c < 32 ? 32 : c;
}

size_t attr_size(const struct bgp_attrs *a)
{
	if (a->frozen)
		return alloc_bytes(bgp_attrs_frozen_size(a));
	/* A mutable set is a struct bgp_attrs_mut and a malloc per array. */
	const struct bgp_attrs_mut *m = bgp_attrs_cmut(a);
	size_t n = alloc_bytes(sizeof(*m));
	if (m->aspath)
		n += alloc_bytes(a->aspath_len);
	if (m->communities)
		n += alloc_bytes((size_t)a->n_communities * 4);
	if (m->ext_communities)
		n += alloc_bytes((size_t)a->n_ext_communities * 8);
	if (m->large_communities)
		n += alloc_bytes((size_t)a->n_large_communities * sizeof(*m->large_communities));
	if (m->mp_nh)
		n += alloc_bytes(sizeof(*m->mp_nh));
	if (m->unknown) {
		n += alloc_bytes((size_t)a->n_unknown * sizeof(*m->unknown));
		for (unsigned i = 0; i < a->n_unknown; i++)
			if (m->unknown[i].data)
				n += alloc_bytes(m->unknown[i].len);
	}
	return n;
}

#define SLOT_HASH_MASK ((UINT64_C(1) << ATTR_SLOT_HASH_BITS) - 1)

static inline struct bgp_attrs *slot_get(const struct attr_slot *s)
{
	return attr_slot_set(s);
}

/* The home slot of entry s in a table of mask + 1 slots: from the hash
 * bits in the slot when they cover the mask, else from the set. */
static inline size_t slot_home(const struct attr_slot *s, size_t mask)
{
	if (mask <= SLOT_HASH_MASK)
		return attr_slot_hash_bits(s) & mask;
	return slot_get(s)->hash & mask;
}

/* The slot value's hash part for hash: what a probe compares. */
static inline uint64_t slot_tag(uint32_t hash)
{
	return ((uint64_t)hash & SLOT_HASH_MASK) << ATTR_SLOT_ADDR_BITS;
}

static inline bool slot_fits(const struct bgp_attrs *a)
{
	uint64_t p = (uint64_t)(uintptr_t)a;
	return (p & ((UINT64_C(1) << ATTR_SLOT_ALIGN_BITS) - 1)) == 0 &&
	       p >> (ATTR_SLOT_ADDR_BITS + ATTR_SLOT_ALIGN_BITS) == 0;
}

static inline void slot_put(struct attr_slot *s, struct bgp_attrs *a, uint32_t hash)
{
	s->v = slot_tag(hash) | (uint64_t)(uintptr_t)a >> ATTR_SLOT_ALIGN_BITS;
}

static inline bool slot_used(const struct attr_slot *s)
{
	return s->v != 0;
}

/* Moves every entry into a fresh array of new_cap slots. */
static int table_resize(struct attr_table *t, size_t new_cap)
{
	struct attr_slot *slots = calloc(new_cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	size_t mask = new_cap - 1;
	for (size_t i = 0; i < t->cap; i++) {
		if (!slot_used(&t->slots[i]))
			continue;
		size_t j = slot_home(&t->slots[i], mask);
		while (slot_used(&slots[j]))
			j = (j + 1) & mask;
		slots[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = slots;
	t->cap = new_cap;
	return 0;
}

/* Halves the table in place (t->count < t->cap / 4): the entries are
 * packed at the front, moved to the top of the array, and reinserted
 * into the lower half, which realloc then keeps.  No second array: a
 * mass withdrawal shrinks the table while the freed attribute sets are
 * still resident, and a new half-size array on top of that was the
 * process's peak (the 1M-prefix bench's VmHWM went 4 MB past the full
 * table's). */
static void table_shrink(struct attr_table *t)
{
	size_t n = 0, half = t->cap / 2, mask = half - 1;
	for (size_t i = 0; i < t->cap; i++)
		if (slot_used(&t->slots[i]))
			t->slots[n++] = t->slots[i];
	struct attr_slot *top = t->slots + t->cap - n;
	memmove(top, t->slots, n * sizeof(*top));
	memset(t->slots, 0, half * sizeof(*t->slots));
	for (size_t k = 0; k < n; k++) {
		size_t j = slot_home(&top[k], mask);
		while (slot_used(&t->slots[j]))
			j = (j + 1) & mask;
		t->slots[j] = top[k];
	}
	struct attr_slot *s = realloc(t->slots, half * sizeof(*s));
	if (s) /* else the upper half stays allocated, unused */
		t->slots = s;
	t->cap = half;
}

/* Empties slot i and pulls later members of its cluster back so every
 * entry stays reachable from its home slot (no tombstones). */
static void slot_remove(struct attr_table *t, size_t i)
{
	size_t mask = t->cap - 1, j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (!slot_used(&t->slots[j]))
			break;
		size_t home = slot_home(&t->slots[j], mask);
		/* Entry j may fill the hole at i only if its home slot is
		 * not in (i, j] cyclically. */
		bool home_between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (home_between)
			continue;
		t->slots[i] = t->slots[j];
		i = j;
	}
	t->slots[i] = (struct attr_slot){ 0 };
}

static void table_release(struct bgp_attrs_hook *h, struct bgp_attrs *a)
{
	struct attr_table *t = table_of(h);
	uint32_t hash = a->hash; /* interned sets are frozen */
	size_t mask = t->cap - 1;
	struct attr_slot want;
	slot_put(&want, a, hash);
	for (size_t i = hash & mask; slot_used(&t->slots[i]); i = (i + 1) & mask) {
		if (t->slots[i].v != want.v)
			continue;
		slot_remove(t, i);
		t->count--;
		t->attr_bytes -= attr_size(a);
		/* Give memory back after a mass withdrawal. */
		if (t->cap > MIN_CAP && t->count < t->cap / 8)
			table_shrink(t);
		break;
	}
	a->hook_id = 0;
}

/* The release's first probe reads the set's home slot: a cache (and
 * TLB) miss in a table of a full feed's sets, most of a mass
 * withdrawal's time in the table when taken in line. */
static void table_prefetch(struct bgp_attrs_hook *h, const struct bgp_attrs *a)
{
	const struct attr_table *t = table_of(h);
	if (t->cap)
		__builtin_prefetch(&t->slots[a->hash & (t->cap - 1)], 1);
}

void attr_table_init(struct attr_table *t)
{
	*t = (struct attr_table){ .hook = { .release = table_release, .prefetch = table_prefetch } };
}

void attr_table_destroy(struct attr_table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		if (slot_used(&t->slots[i]))
			slot_get(&t->slots[i])->hook_id = 0;
	free(t->slots);
	/* No set carries the id any more: another table may have it. */
	bgp_attrs_hook_unregister(t->hook_id);
	attr_table_init(t);
}

struct bgp_attrs *attr_intern(struct attr_table *t, struct bgp_attrs *a)
{
	/* The hook id is taken at the first intern, where a failure can
	 * be reported (attr_table_init cannot). */
	if (!t->hook_id) {
		int id = bgp_attrs_hook_register(&t->hook);
		if (id < 0)
			return NULL;
		t->hook_id = (uint8_t)id;
	}
	if (a->hook_id == t->hook_id)
		return a;
	if (a->hook_id) {
		/* Interned in another table: share a copy of our own here. */
		struct bgp_attrs *d = bgp_attrs_freeze(a);
		if (!d)
			return NULL;
		struct bgp_attrs *r = attr_intern(t, d);
		if (!r) {
			bgp_attrs_unref(d);
			return NULL;
		}
		bgp_attrs_unref(a);
		return r;
	}
	uint32_t hash = bgp_attrs_hash(a);
	if (t->cap) {
		size_t mask = t->cap - 1;
		uint64_t tag = slot_tag(hash);
		for (size_t i = hash & mask; slot_used(&t->slots[i]); i = (i + 1) & mask) {
			if ((t->slots[i].v >> ATTR_SLOT_ADDR_BITS << ATTR_SLOT_ADDR_BITS) != tag)
				continue;
			struct bgp_attrs *s = slot_get(&t->slots[i]);
			if (s->hash == hash && bgp_attrs_equal(s, a)) {
				bgp_attrs_ref(s);
				t->hits++;
				bgp_attrs_unref(a);
				return s;
			}
		}
	}
	/* Load factor at most 3/4 keeps linear probes short. */
	if ((t->count + 1) * 4 > t->cap * 3 &&
	    table_resize(t, t->cap ? t->cap * 2 : MIN_CAP) < 0)
		return NULL;
	/* The shared copy is frozen: one block, hash inside.  A set that
	 * comes frozen is taken as it is (immutable, so whoever else holds
	 * it may share it); otherwise the caller's reference moves to a
	 * new frozen copy and the mutable original is dropped. */
	struct bgp_attrs *f = a;
	if (!a->frozen) {
		f = bgp_attrs_freeze_hashed(a, hash);
		if (!f)
			return NULL;
	}
	if (!slot_fits(f)) {
		if (f != a)
			bgp_attrs_unref(f);
		return NULL;
	}
	if (f != a)
		bgp_attrs_unref(a);
	size_t mask = t->cap - 1, i = hash & mask;
	while (slot_used(&t->slots[i]))
		i = (i + 1) & mask;
	slot_put(&t->slots[i], f, hash);
	t->count++;
	t->misses++;
	t->attr_bytes += attr_size(f);
	f->hook_id = t->hook_id;
	return f;
}

void attr_table_mem(const struct attr_table *t, struct rib_mem_stats *s)
{
	s->items = t->count;
	s->bytes = t->attr_bytes + t->cap * sizeof(*t->slots);
}
