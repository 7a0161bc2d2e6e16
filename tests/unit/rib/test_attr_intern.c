/* Attribute interning: equal sets share one copy, the copy leaves the
 * table with its last reference, accounting follows, and the table
 * survives growth, shrinking and deletion from probe clusters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rib/attr_intern.h"

/* A set that differs from others by med and AS path. */
static struct bgp_attrs *mk(uint32_t med, uint32_t asn)
{
	struct bgp_attrs *a = bgp_attrs_new();
	assert_non_null(a);
	uint8_t path[] = { BGP_AS_SEQUENCE, 2, 0, 0, 0xfd, 0xe8, (uint8_t)(asn >> 24),
			   (uint8_t)(asn >> 16), (uint8_t)(asn >> 8), (uint8_t)asn };
	assert_int_equal(bgp_attrs_set_aspath(a, path, sizeof(path)), 0);
	a->origin = BGP_ORIGIN_IGP;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP) |
		      BGP_ATTR_BIT(BGP_ATTR_MED);
	a->nexthop.s_addr = htonl(0xc0000201);
	a->med = med;
	return a;
}

static void test_equal_sets_share(void **state)
{
	(void)state;
	struct attr_table t;
	attr_table_init(&t);
	struct bgp_attrs *a = attr_intern(&t, mk(10, 65001));
	struct bgp_attrs *b = attr_intern(&t, mk(10, 65001)); /* the copy is freed */
	struct bgp_attrs *c = attr_intern(&t, mk(20, 65001));
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_ptr_not_equal(a, c);
	assert_int_equal(a->refcnt, 2);
	assert_int_equal(attr_table_count(&t), 2);
	assert_int_equal(t.hits, 1);
	assert_int_equal(t.misses, 2);
	/* Interning an interned set again is a no-op on the reference. */
	assert_ptr_equal(attr_intern(&t, a), a);
	assert_int_equal(a->refcnt, 2);
	/* A caller that keeps its own reference gets the shared one too. */
	struct bgp_attrs *d = mk(20, 65001);
	bgp_attrs_ref(d);
	struct bgp_attrs *c2 = attr_intern(&t, d);
	assert_ptr_equal(c2, c);
	assert_int_equal(c->refcnt, 2);
	assert_int_equal(d->refcnt, 1);
	assert_int_equal(d->hook_id, 0);
	bgp_attrs_unref(d);
	bgp_attrs_unref(c2);

	struct rib_mem_stats s;
	attr_table_mem(&t, &s);
	assert_int_equal(s.items, 2);
	assert_int_equal(t.attr_bytes, attr_size(a) + attr_size(c));
	/* Interned sets are frozen: one block, the 40-byte struct and the
	 * 10-byte AS path (no MP next hops, no aggregator), counted as
	 * glibc's 64-byte chunk. */
	assert_true(a->frozen);
	assert_int_equal(sizeof(*a), 40);
	assert_null(bgp_attrs_mp_nh(a));
	assert_int_equal(attr_size(a), 64);
	assert_true(s.bytes > t.attr_bytes);

	bgp_attrs_unref(a);
	assert_int_equal(attr_table_count(&t), 2);
	bgp_attrs_unref(b); /* last reference: leaves the table */
	assert_int_equal(attr_table_count(&t), 1);
	assert_int_equal(t.attr_bytes, attr_size(c));
	/* An equal set interned now is a new entry, not the freed one. */
	struct bgp_attrs *e = attr_intern(&t, mk(10, 65001));
	assert_int_equal(e->refcnt, 1);
	assert_int_equal(attr_table_count(&t), 2);
	bgp_attrs_unref(e);
	bgp_attrs_unref(c);
	assert_int_equal(attr_table_count(&t), 0);
	assert_int_equal(t.attr_bytes, 0);
	attr_table_destroy(&t);
}

static void test_dup_is_private(void **state)
{
	(void)state;
	struct attr_table t;
	attr_table_init(&t);
	struct bgp_attrs *a = attr_intern(&t, mk(1, 65002));
	struct bgp_attrs *d = bgp_attrs_dup(a);
	assert_non_null(d);
	assert_int_equal(d->hook_id, 0);
	d->med = 2; /* modifying the copy leaves the shared one alone */
	assert_int_equal(a->med, 1);
	bgp_attrs_unref(d);
	assert_int_equal(attr_table_count(&t), 1);
	struct bgp_attrs *d2 = attr_intern(&t, mk(2, 65002));
	assert_ptr_not_equal(d2, a);
	bgp_attrs_unref(d2);
	bgp_attrs_unref(a);
	assert_int_equal(attr_table_count(&t), 0);
	attr_table_destroy(&t);
}

/* Sets alive when the table goes stay usable and unhooked. */
static void test_destroy_with_live_sets(void **state)
{
	(void)state;
	struct attr_table t, u;
	attr_table_init(&t);
	attr_table_init(&u);
	struct bgp_attrs *a = attr_intern(&t, mk(5, 65003));
	/* Interned elsewhere: the other table shares a copy of its own. */
	bgp_attrs_ref(a);
	struct bgp_attrs *b = attr_intern(&u, a);
	assert_ptr_not_equal(a, b);
	assert_int_equal(b->hook_id, u.hook_id);
	assert_int_not_equal(u.hook_id, t.hook_id);
	assert_int_equal(attr_table_count(&u), 1);
	attr_table_destroy(&t);
	assert_int_equal(a->hook_id, 0);
	bgp_attrs_unref(a);
	bgp_attrs_unref(b);
	assert_int_equal(attr_table_count(&u), 0);
	attr_table_destroy(&u);
}

/* A set using every field the hash reads; variant v changes one. */
static struct bgp_attrs *mk_full(int v)
{
	struct bgp_attrs *a = mk(1, 65010);
	struct bgp_attrs_mut *m = bgp_attrs_mut(a);
	struct addr nh, ll;
	assert_int_equal(addr_parse(v == 1 ? "2001:db8::2" : "2001:db8::1", &nh), 0);
	assert_int_equal(addr_parse(v == 2 ? "fe80::2" : "fe80::1", &ll), 0);
	assert_int_equal(bgp_attrs_set_mp_nexthop(a, &nh, &ll), 0);
	a->n_ext_communities = 1;
	m->ext_communities = calloc(1, 8);
	m->ext_communities[7] = (uint8_t)(v == 3 ? 9 : 8);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_EXT_COMMUNITIES);
	struct bgp_large_community lc = { 65010, 1, v == 4 ? 3u : 2u };
	assert_int_equal(bgp_attrs_set_large_communities(a, &lc, 1), 0);
	uint32_t c[3] = { 1, 2, v == 5 ? 4u : 3u };
	assert_int_equal(bgp_attrs_set_communities(a, c, 3), 0);
	a->n_unknown = 1;
	m->unknown = calloc(1, sizeof(*m->unknown));
	m->unknown[0] = (struct bgp_attr_raw){ .flags = BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_TRANSITIVE,
					       .code = 99, .len = 11, .data = calloc(1, 11) };
	m->unknown[0].data[10] = (uint8_t)(v == 6 ? 1 : 0);
	a->local_pref = v == 7 ? 50 : 100;
	m->agg.id = v == 8 ? 2 : 1;
	return a;
}

static void test_every_field_counts(void **state)
{
	(void)state;
	struct attr_table t;
	attr_table_init(&t);
	struct bgp_attrs *base = attr_intern(&t, mk_full(0));
	struct bgp_attrs *same = attr_intern(&t, mk_full(0));
	assert_ptr_equal(base, same);
	struct bgp_attrs *v[9];
	for (int i = 1; i < 9; i++) {
		v[i] = attr_intern(&t, mk_full(i));
		assert_ptr_not_equal(v[i], base);
		for (int j = 1; j < i; j++)
			assert_ptr_not_equal(v[i], v[j]);
	}
	assert_int_equal(attr_table_count(&t), 9);
	assert_true(attr_size(base) > sizeof(*base) + 12 + 8 + 12 + 11);
	for (int i = 1; i < 9; i++)
		bgp_attrs_unref(v[i]);
	bgp_attrs_unref(base);
	bgp_attrs_unref(same);
	assert_int_equal(attr_table_count(&t), 0);
	assert_int_equal(t.attr_bytes, 0);
	attr_table_destroy(&t);
}

/* Interning freezes: the shared copy is one block equal to what was
 * interned (IPv6 next hop and link-local, unknown attributes, a 300-ASN
 * path in two segments, 400 large communities), a frozen set new to the
 * table is taken as it is, a frozen equal one finds the shared copy, and
 * the table counts the block as the allocator hands it out. */
static void test_intern_freezes(void **state)
{
	(void)state;
	struct attr_table t;
	attr_table_init(&t);
	enum { ASNS = 300, LC = 400 };
	uint8_t path[2 * 2 + ASNS * 4];
	size_t o = 0;
	for (unsigned seg = 0, left = ASNS; left; seg++) {
		unsigned k = left > 255 ? 255 : left;
		path[o++] = BGP_AS_SEQUENCE;
		path[o++] = (uint8_t)k;
		for (unsigned i = 0; i < k; i++, o += 4) {
			uint32_t asn = 4200000000u + seg * 1000 + i;
			path[o] = (uint8_t)(asn >> 24);
			path[o + 1] = (uint8_t)(asn >> 16);
			path[o + 2] = (uint8_t)(asn >> 8);
			path[o + 3] = (uint8_t)asn;
		}
		left -= k;
	}
	struct bgp_large_community *lc = calloc(LC, sizeof(*lc));
	assert_non_null(lc);
	for (unsigned i = 0; i < LC; i++)
		lc[i] = (struct bgp_large_community){ 65010, i, i * 3 };

	struct bgp_attrs *m = mk_full(0);
	assert_int_equal(bgp_attrs_set_aspath(m, path, o), 0);
	assert_int_equal(bgp_attrs_set_large_communities(m, lc, LC), 0);
	struct bgp_attrs *keep = bgp_attrs_dup(m); /* to compare with */
	assert_non_null(keep);
	struct bgp_attrs *a = attr_intern(&t, m); /* m is gone now */
	assert_non_null(a);
	assert_true(a->frozen);
	assert_int_equal(a->hook_id, t.hook_id);
	assert_true(bgp_attrs_equal(a, keep));
	assert_int_equal(a->hash, bgp_attrs_hash(keep));
	assert_int_equal(bgp_aspath_length(bgp_attrs_aspath(a), a->aspath_len), ASNS);
	assert_int_equal(a->n_large_communities, LC);
	assert_int_equal(bgp_attrs_large_communities(a)[LC - 1].local2, (LC - 1) * 3);
	assert_int_equal(bgp_attrs_mp_nexthop_ll(a)->af, AF_INET6);
	assert_int_equal(bgp_attrs_unknown(a)[0].len, 11);
	size_t block = bgp_attrs_frozen_size(a);
	assert_true(block >= sizeof(*a) + sizeof(struct bgp_mp_nexthop) + o + LC * 12 + 12 + 8 +
				     16 + 11);
	assert_int_equal(attr_size(a), (block + 8 + 15) / 16 * 16);
	assert_int_equal(t.attr_bytes, attr_size(a));
	/* A mutable set holds its arrays apart: each counts its chunk. */
	assert_true(attr_size(keep) > attr_size(a));

	/* An equal mutable set and an equal frozen one both find it. */
	struct bgp_attrs *b = attr_intern(&t, bgp_attrs_dup(keep));
	assert_ptr_equal(b, a);
	struct bgp_attrs *fz = bgp_attrs_freeze(keep);
	assert_non_null(fz);
	struct bgp_attrs *c = attr_intern(&t, fz); /* fz freed: a hit */
	assert_ptr_equal(c, a);
	assert_int_equal(a->refcnt, 3);
	assert_int_equal(t.hits, 2);

	/* A frozen set new to the table is interned as it is. */
	assert_int_equal(bgp_attrs_set_mp_nexthop(keep, bgp_attrs_mp_nexthop(keep), NULL), 0);
	struct bgp_attrs *nl = bgp_attrs_freeze(keep);
	assert_non_null(nl);
	struct bgp_attrs *d = attr_intern(&t, nl);
	assert_ptr_equal(d, nl);
	assert_ptr_not_equal(d, a);
	assert_int_equal(attr_table_count(&t), 2);
	assert_int_equal(t.attr_bytes, attr_size(a) + attr_size(d));

	bgp_attrs_unref(d);
	bgp_attrs_unref(c);
	bgp_attrs_unref(b);
	assert_int_equal(attr_table_count(&t), 1);
	bgp_attrs_unref(a);
	assert_int_equal(attr_table_count(&t), 0);
	assert_int_equal(t.attr_bytes, 0);
	bgp_attrs_unref(keep);
	free(lc);
	attr_table_destroy(&t);
}

static void test_many_grow_shrink(void **state)
{
	(void)state;
	enum { N = 20000 };
	struct attr_table t;
	attr_table_init(&t);
	struct bgp_attrs **v = calloc(N, sizeof(*v));
	for (unsigned i = 0; i < N; i++) {
		v[i] = attr_intern(&t, mk(i, 65000 + i % 7));
		assert_non_null(v[i]);
	}
	assert_int_equal(attr_table_count(&t), N);
	size_t big = t.cap;
	assert_true(big >= N * 4 / 3);
	/* Remove in a scattered order; every survivor must still be found
	 * from its home slot afterwards. */
	for (unsigned i = 0; i < N; i++) {
		unsigned k = (i * 7919u) % N;
		if (k % 10 == 0)
			continue;
		bgp_attrs_unref(v[k]);
		v[k] = NULL;
	}
	assert_int_equal(attr_table_count(&t), N / 10);
	assert_true(t.cap < big);
	for (unsigned i = 0; i < N; i += 10) {
		struct bgp_attrs *x = attr_intern(&t, mk(i, 65000 + i % 7));
		assert_ptr_equal(x, v[i]);
		bgp_attrs_unref(x);
	}
	assert_int_equal(attr_table_count(&t), N / 10);
	for (unsigned i = 0; i < N; i += 10)
		bgp_attrs_unref(v[i]);
	assert_int_equal(attr_table_count(&t), 0);
	assert_int_equal(t.attr_bytes, 0);
	free(v);
	attr_table_destroy(&t);
}

/* Every entry is reachable from its home slot (no empty slot between),
 * and its slot holds its address and the low bits of its hash
 * (attr_intern.c: growing, shrinking and deletion trust those bits for
 * the home slot instead of reading the set's hash). */
static bool slots_ok(const struct attr_table *t)
{
	size_t mask = t->cap - 1, n = 0;
	uint32_t bits = (UINT32_C(1) << ATTR_SLOT_HASH_BITS) - 1;
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->slots[i].v)
			continue;
		n++;
		const struct bgp_attrs *a = attr_slot_set(&t->slots[i]);
		if (attr_slot_hash_bits(&t->slots[i]) != (a->hash & bits))
			return false;
		for (size_t j = a->hash & mask; j != i; j = (j + 1) & mask)
			if (!t->slots[j].v)
				return false;
	}
	return n == attr_table_count(t);
}

static void check_slots(const struct attr_table *t)
{
	assert_true(slots_ok(t));
}

/* The check catches a broken table: an entry moved one slot before its
 * home (as a backward shift that ignored the home would do), or a slot
 * whose hash bits are not its set's. */
static void test_slots_check_fails_when_broken(void **state)
{
	(void)state;
	struct attr_table t;
	attr_table_init(&t);
	struct bgp_attrs *a = attr_intern(&t, mk(1, 65001));
	assert_non_null(a);
	check_slots(&t);
	size_t mask = t.cap - 1, i = a->hash & mask, k = (i - 1) & mask;
	struct attr_slot good = t.slots[i];
	t.slots[k] = good;
	t.slots[i].v = 0;
	assert_false(slots_ok(&t));
	t.slots[k].v = 0;
	t.slots[i].v = good.v ^ (UINT64_C(1) << (ATTR_SLOT_ADDR_BITS + 7));
	assert_false(slots_ok(&t));
	t.slots[i] = good;
	check_slots(&t);
	bgp_attrs_unref(a);
	attr_table_destroy(&t);
}

static void test_slots_follow_moves(void **state)
{
	(void)state;
	enum { N = 6000 };
	struct attr_table t;
	attr_table_init(&t);
	struct bgp_attrs **v = calloc(N, sizeof(*v));
	for (unsigned i = 0; i < N; i++) {
		v[i] = attr_intern(&t, mk(i, 65000 + i % 5));
		assert_non_null(v[i]);
		if (i % 1000 == 999)
			check_slots(&t); /* after growth */
	}
	for (unsigned i = 0; i < N; i++) {
		unsigned k = (i * 4099u) % N;
		bgp_attrs_unref(v[k]);
		v[k] = NULL;
		if (i % 97 == 0)
			check_slots(&t); /* after backward shifts and shrinks */
	}
	assert_int_equal(attr_table_count(&t), 0);
	free(v);
	attr_table_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_sets_share),
		cmocka_unit_test(test_dup_is_private),
		cmocka_unit_test(test_destroy_with_live_sets),
		cmocka_unit_test(test_every_field_counts),
		cmocka_unit_test(test_many_grow_shrink),
		cmocka_unit_test(test_slots_follow_moves),
		cmocka_unit_test(test_slots_check_fails_when_broken),
		cmocka_unit_test(test_intern_freezes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
