/* Prefix trie: exact and longest match, delete with path compression,
 * ordered and resumable walks, checked against a sorted reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rib/trie.h"

static struct prefix pfx(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

/* Distinct non-NULL values to store. */
static char vals[64];
#define V(i) ((void *)&vals[i])

static void test_exact_and_replace(void **state)
{
	(void)state;
	struct trie t;
	trie_init(&t);
	struct prefix a = pfx("10.0.0.0/8"), b = pfx("10.0.0.0/16"), c = pfx("10.128.0.0/9");
	assert_int_equal(trie_insert(&t, &b, V(1)), 1);
	assert_int_equal(trie_insert(&t, &a, V(2)), 1); /* covers an existing node */
	assert_int_equal(trie_insert(&t, &c, V(3)), 1);
	assert_int_equal(trie_insert(&t, &a, V(4)), 0); /* replace */
	assert_int_equal(trie_count(&t, AF_INET), 3);
	assert_ptr_equal(trie_lookup(&t, &a), V(4));
	assert_ptr_equal(trie_lookup(&t, &b), V(1));
	assert_ptr_equal(trie_lookup(&t, &c), V(3));
	struct prefix glue = pfx("10.0.0.0/9");
	assert_null(trie_lookup(&t, &glue));
	struct prefix other = pfx("11.0.0.0/8");
	assert_null(trie_lookup(&t, &other));
	void **slot = trie_lookup_slot(&t, &b);
	assert_non_null(slot);
	*slot = V(5);
	assert_ptr_equal(trie_lookup(&t, &b), V(5));
	/* Find-or-add: an existing prefix keeps its value. */
	void **sl = NULL;
	assert_int_equal(trie_insert_or_get(&t, &b, V(7), &sl), 0);
	assert_ptr_equal(*sl, V(5));
	struct prefix e = pfx("10.64.0.0/10");
	assert_int_equal(trie_insert_or_get(&t, &e, V(8), &sl), 1);
	assert_ptr_equal(*sl, V(8));
	assert_ptr_equal(trie_lookup(&t, &e), V(8));
	assert_int_equal(trie_insert_or_get(&t, &glue, V(9), &sl), 1); /* a branch point gets a value */
	assert_ptr_equal(trie_lookup(&t, &glue), V(9));
	assert_int_equal(trie_insert_or_get(&t, &e, NULL, &sl), -EINVAL);
	assert_ptr_equal(trie_delete(&t, &e), V(8));
	assert_ptr_equal(trie_delete(&t, &glue), V(9));
	/* Same bits, other family: a different key. */
	struct prefix v6 = pfx("a00::/8");
	assert_null(trie_lookup(&t, &v6));
	assert_int_equal(trie_insert(&t, &v6, V(6)), 1);
	assert_int_equal(trie_count(&t, AF_INET6), 1);
	assert_int_equal(trie_count(&t, 0), 4);
	trie_destroy(&t);
}

static void test_invalid(void **state)
{
	(void)state;
	struct trie t;
	trie_init(&t);
	struct prefix p = pfx("10.0.0.0/8");
	assert_int_equal(trie_insert(&t, &p, NULL), -EINVAL);
	p.addr.b[3] = 1; /* host bit set */
	assert_int_equal(trie_insert(&t, &p, V(1)), -EINVAL);
	p = pfx("10.0.0.0/8");
	p.len = 33;
	assert_int_equal(trie_insert(&t, &p, V(1)), -EINVAL);
	p.addr.af = 0;
	p.len = 8;
	assert_int_equal(trie_insert(&t, &p, V(1)), -EINVAL);
	assert_int_equal(trie_walk(&t, 0, NULL, 0, NULL, NULL, NULL), -EINVAL);
	trie_destroy(&t);
}

static void test_default_routes_and_host_routes(void **state)
{
	(void)state;
	struct trie t;
	trie_init(&t);
	struct prefix d4 = pfx("0.0.0.0/0"), d6 = pfx("::/0"), h4 = pfx("255.255.255.255/32"),
		      h6 = pfx("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	assert_int_equal(trie_insert(&t, &h4, V(1)), 1);
	assert_int_equal(trie_insert(&t, &d4, V(2)), 1);
	assert_int_equal(trie_insert(&t, &h6, V(3)), 1);
	assert_int_equal(trie_insert(&t, &d6, V(4)), 1);
	struct prefix m;
	assert_ptr_equal(trie_match(&t, &h4, &m), V(1));
	struct prefix x = pfx("1.2.3.4/32");
	assert_ptr_equal(trie_match(&t, &x, &m), V(2));
	assert_true(prefix_eq(&m, &d4));
	x = pfx("2001:db8::1/128");
	assert_ptr_equal(trie_match(&t, &x, &m), V(4));
	assert_true(prefix_eq(&m, &d6));
	assert_ptr_equal(trie_match(&t, &h6, NULL), V(3));
	assert_ptr_equal(trie_delete(&t, &d4), V(2));
	x = pfx("1.2.3.4/32");
	assert_null(trie_match(&t, &x, NULL));
	assert_int_equal(trie_count(&t, 0), 3);
	trie_destroy(&t);
}

static void test_longest_match(void **state)
{
	(void)state;
	struct trie t;
	trie_init(&t);
	struct prefix p8 = pfx("10.0.0.0/8"), p16 = pfx("10.1.0.0/16"), p24 = pfx("10.1.2.0/24"),
		      p6 = pfx("2001:db8::/32"), p6l = pfx("2001:db8:0:1::/64");
	trie_insert(&t, &p8, V(1));
	trie_insert(&t, &p16, V(2));
	trie_insert(&t, &p24, V(3));
	trie_insert(&t, &p6, V(4));
	trie_insert(&t, &p6l, V(5));
	struct prefix m, q;
	q = pfx("10.1.2.3/32");
	assert_ptr_equal(trie_match(&t, &q, &m), V(3));
	assert_true(prefix_eq(&m, &p24));
	q = pfx("10.1.3.3/32");
	assert_ptr_equal(trie_match(&t, &q, &m), V(2));
	q = pfx("10.2.0.0/16");
	assert_ptr_equal(trie_match(&t, &q, &m), V(1));
	q = pfx("10.1.0.0/16"); /* exact counts as covering */
	assert_ptr_equal(trie_match(&t, &q, &m), V(2));
	q = pfx("10.0.0.0/7"); /* shorter than everything */
	assert_null(trie_match(&t, &q, &m));
	q = pfx("11.0.0.1/32");
	assert_null(trie_match(&t, &q, &m));
	q = pfx("2001:db8:0:1::99/128");
	assert_ptr_equal(trie_match(&t, &q, &m), V(5));
	q = pfx("2001:db8:0:2::99/128");
	assert_ptr_equal(trie_match(&t, &q, &m), V(4));
	assert_true(prefix_eq(&m, &p6));
	/* A value-less branch point is not a match. */
	struct prefix a = pfx("192.168.0.0/24"), b = pfx("192.168.1.0/24");
	trie_insert(&t, &a, V(6));
	trie_insert(&t, &b, V(7));
	q = pfx("192.168.2.1/32");
	assert_null(trie_match(&t, &q, &m));
	trie_destroy(&t);
}

static void test_delete_compresses(void **state)
{
	(void)state;
	struct trie t;
	trie_init(&t);
	struct prefix a = pfx("192.168.0.0/24"), b = pfx("192.168.1.0/24"), c = pfx("192.168.0.0/16");
	trie_insert(&t, &a, V(1));
	trie_insert(&t, &b, V(2));
	struct rib_mem_stats s;
	trie_mem(&t, &s);
	assert_int_equal(s.items, 3); /* two leaves and their branch point */
	assert_true(s.bytes >= 3 * 32);
	assert_null(trie_delete(&t, &c));
	assert_ptr_equal(trie_delete(&t, &a), V(1));
	assert_null(trie_delete(&t, &a));
	trie_mem(&t, &s);
	assert_int_equal(s.items, 1); /* branch point went with the leaf */
	assert_ptr_equal(trie_lookup(&t, &b), V(2));
	/* A node with two children stays as a branch point. */
	trie_insert(&t, &a, V(1));
	trie_insert(&t, &c, V(3));
	struct prefix d = pfx("192.168.0.0/23");
	trie_insert(&t, &d, V(4));
	assert_ptr_equal(trie_delete(&t, &d), V(4));
	assert_ptr_equal(trie_lookup(&t, &a), V(1));
	assert_ptr_equal(trie_lookup(&t, &b), V(2));
	assert_ptr_equal(trie_delete(&t, &c), V(3)); /* one child: spliced */
	assert_ptr_equal(trie_lookup(&t, &a), V(1));
	assert_ptr_equal(trie_delete(&t, &a), V(1));
	assert_ptr_equal(trie_delete(&t, &b), V(2));
	trie_mem(&t, &s);
	assert_int_equal(s.items, 0);
	assert_int_equal(trie_count(&t, 0), 0);
	trie_destroy(&t);
}

/* ---- randomised comparison with a sorted array ---- */

struct collect {
	struct prefix *p;
	size_t n, cap;
};

static int collect_fn(void *arg, const struct prefix *p, void *value)
{
	struct collect *c = arg;
	assert_true(c->n < c->cap);
	assert_ptr_equal(value, V(p->len % 64));
	c->p[c->n++] = *p;
	return 0;
}

static int cmp_pfx(const void *a, const void *b) { return prefix_cmp(a, b); }

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static struct prefix rand_prefix(bool v6)
{
	struct prefix p;
	memset(&p, 0, sizeof(p));
	p.addr.af = v6 ? AF_INET6 : AF_INET;
	/* Mostly few distinct top bits so prefixes nest and share paths;
	 * the rest spread over many first-level index slots. */
	bool spread = rnd() % 4 == 0;
	for (unsigned i = 0; i < addr_bytes(p.addr.af); i++)
		p.addr.b[i] = (uint8_t)(i < 2 && !spread ? rnd() % 4 : rnd());
	p.len = (uint8_t)(rnd() % (addr_bits(p.addr.af) + 1));
	prefix_mask(&p);
	return p;
}

static void check_against(struct trie *t, int af, struct prefix *ref, size_t n)
{
	struct collect c = { .p = calloc(n + 1, sizeof(struct prefix)), .cap = n + 1 };
	/* Full walk: same set, same order. */
	assert_int_equal(trie_walk(t, af, NULL, 0, collect_fn, &c, NULL), 0);
	assert_int_equal(c.n, n);
	for (size_t i = 0; i < n; i++)
		assert_true(prefix_eq(&c.p[i], &ref[i]));
	/* Sliced walk, budget 7: the slices join up to the full walk. */
	c.n = 0;
	struct prefix cur = { 0 };
	int rc;
	size_t slices = 0;
	do {
		size_t before = c.n;
		rc = trie_walk(t, af, slices ? &cur : NULL, 7, collect_fn, &c, &cur);
		assert_true(rc == 0 || rc == 1);
		assert_true(c.n - before <= 7);
		slices++;
	} while (rc == 1);
	assert_int_equal(c.n, n);
	for (size_t i = 0; i < n; i++)
		assert_true(prefix_eq(&c.p[i], &ref[i]));
	free(c.p);
}

/* Below TRIE_INDEX_MIN the trie has no first-level index; above it,
 * the same answers must come from the index and the root trie. */
static void random_against_sorted(size_t N, bool indexed)
{
	for (int v6 = 0; v6 <= 1; v6++) {
		struct trie t;
		trie_init(&t);
		struct prefix *ref = calloc(N, sizeof(*ref));
		size_t n = 0;
		for (size_t i = 0; i < N; i++) {
			struct prefix p = rand_prefix(v6);
			int rc = trie_insert(&t, &p, V(p.len % 64));
			assert_true(rc == 0 || rc == 1);
			if (rc == 1)
				ref[n++] = p;
		}
		qsort(ref, n, sizeof(*ref), cmp_pfx);
		assert_int_equal(trie_count(&t, v6 ? AF_INET6 : AF_INET), n);
		assert_true((t.index[v6] != NULL) == indexed);
		check_against(&t, v6 ? AF_INET6 : AF_INET, ref, n);

		/* Longest match against a linear scan. */
		for (int i = 0; i < 500; i++) {
			struct prefix q = rand_prefix(v6);
			const struct prefix *best = NULL;
			for (size_t j = 0; j < n; j++) {
				struct prefix cut = q;
				if (ref[j].len > q.len)
					continue;
				cut.len = ref[j].len;
				prefix_mask(&cut);
				if (prefix_eq(&cut, &ref[j]) && (!best || ref[j].len > best->len))
					best = &ref[j];
			}
			struct prefix m;
			void *v = trie_match(&t, &q, &m);
			if (!best) {
				assert_null(v);
			} else {
				assert_non_null(v);
				assert_true(prefix_eq(&m, best));
			}
		}

		/* Delete every other one, check again, then the rest. */
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			if (i % 2) {
				assert_ptr_equal(trie_delete(&t, &ref[i]), V(ref[i].len % 64));
			} else {
				ref[k++] = ref[i];
			}
		}
		check_against(&t, v6 ? AF_INET6 : AF_INET, ref, k);
		for (size_t i = 0; i < k; i++)
			assert_non_null(trie_delete(&t, &ref[i]));
		struct rib_mem_stats s;
		trie_mem(&t, &s);
		assert_int_equal(s.items, 0);
		free(ref);
		trie_destroy(&t);
	}
}

static void test_random_small(void **state)
{
	(void)state;
	random_against_sorted(3000, false);
}

static void test_random_indexed(void **state)
{
	(void)state;
	random_against_sorted(TRIE_INDEX_MIN * 4, true);
}

/* The cursor need not be in the trie any more: a walk resumes after it
 * even when it was deleted between slices, and more-specifics of the
 * cursor still come after it. */
static void test_walk_cursor_deleted(void **state)
{
	(void)state;
	struct trie t;
	trie_init(&t);
	const char *names[] = { "10.0.0.0/8", "10.0.0.0/16", "10.0.1.0/24", "10.128.0.0/9",
				"11.0.0.0/8", "192.0.2.0/24" };
	struct prefix ps[6];
	for (int i = 0; i < 6; i++) {
		ps[i] = pfx(names[i]);
		trie_insert(&t, &ps[i], V(ps[i].len % 64));
	}
	struct collect c = { .p = calloc(8, sizeof(struct prefix)), .cap = 8 };
	struct prefix cur;
	assert_int_equal(trie_walk(&t, AF_INET, NULL, 2, collect_fn, &c, &cur), 1);
	assert_true(prefix_eq(&cur, &ps[1]));
	assert_non_null(trie_delete(&t, &ps[1]));
	assert_non_null(trie_delete(&t, &ps[2]));
	struct prefix n2 = pfx("10.0.0.0/20"); /* after the cursor, added meanwhile */
	trie_insert(&t, &n2, V(20));
	assert_int_equal(trie_walk(&t, AF_INET, &cur, 0, collect_fn, &c, &cur), 0);
	assert_int_equal(c.n, 6);
	assert_true(prefix_eq(&c.p[2], &n2));
	assert_true(prefix_eq(&c.p[3], &ps[3]));
	assert_true(prefix_eq(&c.p[4], &ps[4]));
	assert_true(prefix_eq(&c.p[5], &ps[5]));
	/* A cursor that never was in the trie. */
	c.n = 0;
	struct prefix x = pfx("10.200.0.0/16");
	assert_int_equal(trie_walk(&t, AF_INET, &x, 0, collect_fn, &c, NULL), 0);
	assert_int_equal(c.n, 2);
	assert_true(prefix_eq(&c.p[0], &ps[4]));
	/* The visitor's stop value comes back with its prefix. */
	free(c.p);
	trie_destroy(&t);
}

static int stop_fn(void *arg, const struct prefix *p, void *value)
{
	(void)p;
	(void)value;
	return --*(int *)arg == 0 ? -ECANCELED : 0;
}

static void test_walk_stop(void **state)
{
	(void)state;
	struct trie t;
	trie_init(&t);
	struct prefix a = pfx("2001:db8::/32"), b = pfx("2001:db8:1::/48");
	trie_insert(&t, &a, V(1));
	trie_insert(&t, &b, V(2));
	int left = 2;
	struct prefix at;
	assert_int_equal(trie_walk(&t, AF_INET6, NULL, 0, stop_fn, &left, &at), -ECANCELED);
	assert_true(prefix_eq(&at, &b));
	/* Budget equal to what is left: reports done, not "more". */
	left = 100;
	assert_int_equal(trie_walk(&t, AF_INET6, NULL, 2, stop_fn, &left, &at), 0);
	assert_int_equal(trie_walk(&t, AF_INET, NULL, 2, stop_fn, &left, &at), 0);
	trie_destroy(&t);
}

/* A sorted-array position is checked before use: if the slot changed
 * after the lookup (against the rules), delete_pos still deletes the
 * prefix it was given or nothing, never a neighbour. */
static void test_delete_pos_stale_array_entry(void **state)
{
	(void)state;
	struct trie t;
	trie_init(&t);
	for (uint32_t i = 0; i < TRIE_INDEX_MIN + 10; i++) {
		struct prefix p;
		memset(&p, 0, sizeof(p));
		addr_from_v4(&p.addr, 0x14000000u | i << 8); /* 20.0.0.0/24 on */
		p.len = 24;
		assert_int_equal(trie_insert(&t, &p, V(1)), 1);
	}
	assert_non_null(t.index[0]);
	struct prefix a = pfx("192.0.2.128/25"), b = pfx("192.0.2.0/25"), c = pfx("192.0.3.0/24");
	assert_int_equal(trie_insert(&t, &a, V(2)), 1);
	assert_int_equal(trie_insert(&t, &c, V(4)), 1);
	struct trie_pos pos;
	assert_non_null(trie_lookup_pos(&t, &a, &pos));
	assert_int_equal(trie_insert(&t, &b, V(3)), 1); /* moves a one place up */
	assert_ptr_equal(trie_delete_pos(&t, &pos), V(2));
	assert_null(trie_lookup(&t, &a));
	assert_ptr_equal(trie_lookup(&t, &b), V(3));
	assert_ptr_equal(trie_lookup(&t, &c), V(4));
	/* Gone meanwhile: nothing is deleted. */
	assert_non_null(trie_lookup_pos(&t, &b, &pos));
	assert_ptr_equal(trie_delete(&t, &b), V(3));
	assert_null(trie_delete_pos(&t, &pos));
	assert_ptr_equal(trie_lookup(&t, &c), V(4));
	assert_int_equal(trie_count(&t, AF_INET), TRIE_INDEX_MIN + 10 + 1);
	trie_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_and_replace),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_default_routes_and_host_routes),
		cmocka_unit_test(test_longest_match),
		cmocka_unit_test(test_delete_compresses),
		cmocka_unit_test(test_random_small),
		cmocka_unit_test(test_random_indexed),
		cmocka_unit_test(test_walk_cursor_deleted),
		cmocka_unit_test(test_walk_stop),
		cmocka_unit_test(test_delete_pos_stale_array_entry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
