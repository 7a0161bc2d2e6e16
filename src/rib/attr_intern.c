/* Interned path attributes: see rib/attr_intern.h.
 *
 * An open-addressing hash table with the hash kept next to each slot,
 * so growing never rehashes attribute bytes and a probe compares whole
 * sets (bgp_attrs_equal) only on a full hash match.  Deletion shifts the
 * following cluster back instead of leaving tombstones, so lookups stay
 * short after many withdrawals.
 *
 * The hash is our own rather than bgp_attrs_hash(): that one feeds FNV-1a
 * a byte at a time (~300 ns for a typical set here), and every set is
 * hashed twice in its life, on intern and on release.  This one mixes
 * eight bytes per step (~10x faster) over fields that bgp_attrs_equal
 * compares, so equal sets always hash alike. */
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

size_t attr_size(const struct bgp_attrs *a)
{
	size_t n = sizeof(*a) + a->aspath_len + (size_t)a->n_communities * 4 +
		   (size_t)a->n_ext_communities * 8 +
		   (size_t)a->n_large_communities * sizeof(*a->large_communities) +
		   (size_t)a->n_unknown * sizeof(*a->unknown);
	for (unsigned i = 0; i < a->n_unknown; i++)
		n += a->unknown[i].len;
	return n;
}

static inline uint64_t mix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

static uint64_t mix_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t w;
	for (; n >= 8; n -= 8, b += 8) {
		memcpy(&w, b, 8);
		h = mix(h, w);
	}
	if (n) {
		w = 0;
		memcpy(&w, b, n);
		h = mix(h, w ^ ((uint64_t)n << 56));
	}
	return h;
}

static uint32_t attrs_hash(const struct bgp_attrs *a)
{
	uint64_t h = 0x243f6a8885a308d3ull;
	h = mix(h, a->present);
	h = mix(h, (uint64_t)a->origin << 48 | (uint64_t)a->aspath_len << 32 | a->nexthop.s_addr);
	h = mix(h, (uint64_t)a->med << 32 | a->local_pref);
	h = mix(h, (uint64_t)a->aggregator_as << 32 | a->aggregator_id);
	if (a->mp_nexthop.af) {
		h = mix(h, a->mp_nexthop.af);
		h = mix_bytes(h, a->mp_nexthop.b, 16);
	}
	if (a->mp_nexthop_ll.af) {
		h = mix(h, a->mp_nexthop_ll.af);
		h = mix_bytes(h, a->mp_nexthop_ll.b, 16);
	}
	if (a->aspath_len)
		h = mix_bytes(h, a->aspath, a->aspath_len);
	h = mix(h, (uint64_t)a->n_communities << 48 | (uint64_t)a->n_ext_communities << 32 |
			   (uint64_t)a->n_large_communities << 16 | a->n_unknown);
	if (a->n_communities)
		h = mix_bytes(h, a->communities, (size_t)a->n_communities * 4);
	if (a->n_ext_communities)
		h = mix_bytes(h, a->ext_communities, (size_t)a->n_ext_communities * 8);
	for (unsigned i = 0; i < a->n_large_communities; i++)
		h = mix(h, (uint64_t)a->large_communities[i].global << 32 ^
				   (uint64_t)a->large_communities[i].local1 << 16 ^
				   a->large_communities[i].local2);
	for (unsigned i = 0; i < a->n_unknown; i++) {
		h = mix(h, (uint64_t)a->unknown[i].flags << 24 | (uint64_t)a->unknown[i].code << 16 |
				   a->unknown[i].len);
		if (a->unknown[i].len)
			h = mix_bytes(h, a->unknown[i].data, a->unknown[i].len);
	}
	return (uint32_t)(h ^ (h >> 32));
}

/* Moves every entry into fresh arrays of new_cap slots. */
static int table_resize(struct attr_table *t, size_t new_cap)
{
	struct bgp_attrs **slots = calloc(new_cap, sizeof(*slots));
	uint32_t *hashes = malloc(new_cap * sizeof(*hashes));
	if (!slots || !hashes) {
		free(slots);
		free(hashes);
		return -ENOMEM;
	}
	size_t mask = new_cap - 1;
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->slots[i])
			continue;
		size_t j = t->hashes[i] & mask;
		while (slots[j])
			j = (j + 1) & mask;
		slots[j] = t->slots[i];
		hashes[j] = t->hashes[i];
	}
	free(t->slots);
	free(t->hashes);
	t->slots = slots;
	t->hashes = hashes;
	t->cap = new_cap;
	return 0;
}

/* Empties slot i and pulls later members of its cluster back so every
 * entry stays reachable from its home slot (no tombstones). */
static void slot_remove(struct attr_table *t, size_t i)
{
	size_t mask = t->cap - 1, j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (!t->slots[j])
			break;
		size_t home = t->hashes[j] & mask;
		/* Entry j may fill the hole at i only if its home slot is
		 * not in (i, j] cyclically. */
		bool home_between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (home_between)
			continue;
		t->slots[i] = t->slots[j];
		t->hashes[i] = t->hashes[j];
		i = j;
	}
	t->slots[i] = NULL;
}

static void table_release(struct bgp_attrs_hook *h, struct bgp_attrs *a)
{
	struct attr_table *t = table_of(h);
	uint32_t hash = attrs_hash(a);
	size_t mask = t->cap - 1;
	for (size_t i = hash & mask; t->slots[i]; i = (i + 1) & mask) {
		if (t->slots[i] != a)
			continue;
		slot_remove(t, i);
		t->count--;
		t->attr_bytes -= attr_size(a);
		/* Give memory back after a mass withdrawal; failure to
		 * shrink only keeps the bigger table. */
		if (t->cap > MIN_CAP && t->count < t->cap / 8)
			(void)table_resize(t, t->cap / 2);
		break;
	}
	a->hook = NULL;
}

void attr_table_init(struct attr_table *t)
{
	*t = (struct attr_table){ .hook = { .release = table_release } };
}

void attr_table_destroy(struct attr_table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i])
			t->slots[i]->hook = NULL;
	free(t->slots);
	free(t->hashes);
	attr_table_init(t);
}

struct bgp_attrs *attr_intern(struct attr_table *t, struct bgp_attrs *a)
{
	if (a->hook == &t->hook)
		return a;
	if (a->hook) {
		/* Interned in another table: share a private copy here. */
		struct bgp_attrs *d = bgp_attrs_dup(a);
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
	uint32_t hash = attrs_hash(a);
	if (t->cap) {
		size_t mask = t->cap - 1;
		for (size_t i = hash & mask; t->slots[i]; i = (i + 1) & mask) {
			if (t->hashes[i] == hash && bgp_attrs_equal(t->slots[i], a)) {
				struct bgp_attrs *s = bgp_attrs_ref(t->slots[i]);
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
	size_t mask = t->cap - 1, i = hash & mask;
	while (t->slots[i])
		i = (i + 1) & mask;
	t->slots[i] = a;
	t->hashes[i] = hash;
	t->count++;
	t->misses++;
	t->attr_bytes += attr_size(a);
	a->hook = &t->hook;
	return a;
}

void attr_table_mem(const struct attr_table *t, struct rib_mem_stats *s)
{
	s->items = t->count;
	s->bytes = t->attr_bytes + t->cap * (sizeof(*t->slots) + sizeof(*t->hashes));
}
