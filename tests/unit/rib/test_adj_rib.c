#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "rib/adj_rib.h"
#include "rib/rib.h"

static struct prefix pfx(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

/* 10.i.j.0/24 for i*256+j = n, and 2001:db8:n::/48 */
static struct prefix pfx_n(unsigned n, bool v6)
{
	char buf[64];
	if (v6)
		snprintf(buf, sizeof(buf), "2001:db8:%x::/48", n);
	else
		snprintf(buf, sizeof(buf), "10.%u.%u.0/24", (n >> 8) & 255, n & 255);
	return pfx(buf);
}

static void test_update_replace_refcount(void **state)
{
	(void)state;
	struct adj_rib *r = adj_rib_new();
	struct bgp_attrs *a = bgp_attrs_new(), *b = bgp_attrs_new();
	struct prefix p = pfx("192.0.2.0/24");

	assert_int_equal(adj_rib_update(r, &p, a), 1);
	assert_int_equal(a->refcnt, 2);
	assert_ptr_equal(adj_rib_lookup(r, &p), a);
	/* Replacing drops the old reference and takes a new one. */
	assert_int_equal(adj_rib_update(r, &p, b), 0);
	assert_int_equal(a->refcnt, 1);
	assert_int_equal(b->refcnt, 2);
	assert_int_equal(adj_rib_count(r), 1);
	/* Same address, other length: another key. */
	struct prefix p2 = pfx("192.0.2.0/25");
	assert_null(adj_rib_lookup(r, &p2));
	assert_false(adj_rib_withdraw(r, &p2));
	assert_true(adj_rib_withdraw(r, &p));
	assert_false(adj_rib_withdraw(r, &p));
	assert_int_equal(b->refcnt, 1);
	assert_int_equal(adj_rib_count(r), 0);
	assert_int_equal(adj_rib_update(r, &p, NULL), -EINVAL);
	adj_rib_free(r);
	bgp_attrs_unref(a);
	bgp_attrs_unref(b);
}

/* Many inserts force growth; withdrawing every other one exercises the
 * backward-shift deletion: everything left must still be found. */
static void test_grow_and_delete_keep_lookups(void **state)
{
	(void)state;
	struct adj_rib *r = adj_rib_new();
	struct bgp_attrs *a = bgp_attrs_new();
	const unsigned N = 3000;
	for (unsigned i = 0; i < N; i++) {
		struct prefix p = pfx_n(i, i & 1);
		assert_int_equal(adj_rib_update(r, &p, a), 1);
	}
	assert_int_equal(adj_rib_count(r), N);
	assert_int_equal(a->refcnt, N + 1);
	for (unsigned i = 0; i < N; i += 3) {
		struct prefix p = pfx_n(i, i & 1);
		assert_true(adj_rib_withdraw(r, &p));
	}
	for (unsigned i = 0; i < N; i++) {
		struct prefix p = pfx_n(i, i & 1);
		if (i % 3 == 0)
			assert_null(adj_rib_lookup(r, &p));
		else
			assert_ptr_equal(adj_rib_lookup(r, &p), a);
	}
	assert_int_equal(adj_rib_count(r), N - N / 3);
	adj_rib_free(r);
	assert_int_equal(a->refcnt, 1);
	bgp_attrs_unref(a);
}

static void test_clear_one_family(void **state)
{
	(void)state;
	struct adj_rib *r = adj_rib_new();
	struct bgp_attrs *a = bgp_attrs_new();
	for (unsigned i = 0; i < 500; i++) {
		struct prefix p = pfx_n(i, i % 2);
		adj_rib_update(r, &p, a);
	}
	adj_rib_clear(r, AF_INET6);
	assert_int_equal(adj_rib_count(r), 250);
	for (unsigned i = 0; i < 500; i++) {
		struct prefix p = pfx_n(i, i % 2);
		if (i % 2)
			assert_null(adj_rib_lookup(r, &p));
		else
			assert_non_null(adj_rib_lookup(r, &p));
	}
	adj_rib_clear(r, 0);
	assert_int_equal(adj_rib_count(r), 0);
	assert_int_equal(a->refcnt, 1);
	adj_rib_free(r);
	bgp_attrs_unref(a);
}

static void test_entries_sorted_snapshot(void **state)
{
	(void)state;
	struct adj_rib *r = adj_rib_new();
	struct bgp_attrs *a = bgp_attrs_new();
	const char *in[] = {"10.2.0.0/16", "::/0", "10.1.0.0/16", "0.0.0.0/0", "10.1.0.0/24"};
	for (size_t i = 0; i < 5; i++) {
		struct prefix p = pfx(in[i]);
		adj_rib_update(r, &p, a);
	}
	struct adj_rib_entry *e;
	size_t n;
	assert_int_equal(adj_rib_entries(r, &e, &n), 0);
	assert_int_equal(n, 5);
	for (size_t i = 1; i < n; i++)
		assert_true(prefix_cmp(&e[i - 1].prefix, &e[i].prefix) < 0);
	/* The snapshot holds its own references: clearing the table must
	 * leave the entries usable. */
	adj_rib_clear(r, 0);
	assert_int_equal(a->refcnt, 6);
	adj_rib_entries_free(e, n);
	assert_int_equal(a->refcnt, 1);

	struct adj_rib *empty = adj_rib_new();
	assert_int_equal(adj_rib_entries(empty, &e, &n), 0);
	assert_int_equal(n, 0);
	assert_null(e);
	adj_rib_free(empty);
	adj_rib_free(r);
	bgp_attrs_unref(a);
}

/* The RIB's per-peer Adj-RIBs are the Loc-RIB's paths and out entries
 * (rib/loc_rib_out.h, tested in test_loc_rib_out); here: the memory
 * report counts them, and freeing the RIB drops every reference. */
static void test_rib_mem_counts_adj(void **state)
{
	(void)state;
	struct rib *rib = rib_new();
	struct rib_mem_report m;
	rib_mem(rib, &m); /* no Loc-RIB yet */
	assert_int_equal(m.adj_in.items, 0);
	struct loc_rib_config cfg = {0};
	assert_int_equal(rib_loc_create(rib, &cfg, NULL, NULL), 0);
	static struct rib_peer p3 = { .id = 3 }, p40 = { .id = 40 };
	struct bgp_attrs *a = bgp_attrs_new();
	struct prefix p = pfx("0.0.0.0/0"), q = pfx("10.0.0.0/8");
	struct rib_path path = { .peer = &p3, .attrs = a, .nh_reachable = true };
	assert_int_equal(loc_rib_update(rib_loc(rib), &p, &path), 0);
	assert_int_equal(loc_rib_update(rib_loc(rib), &q, &path), 0);
	assert_int_equal(loc_rib_out_set(rib_loc(rib), loc_rib_rec_find(rib_loc(rib), &p), 40, true),
			 0);
	rib_mem(rib, &m);
	assert_int_equal(m.adj_in.items, 2);
	assert_int_equal(m.adj_out.items, 1);
	assert_true(m.adj_out.bytes > 0);
	assert_int_equal(a->refcnt, 3); /* the paths: out entries hold none */
	(void)p40;
	rib_free(rib);
	assert_int_equal(a->refcnt, 1);
	bgp_attrs_unref(a);
}

/* Per-family counts (max-prefix is per family, RFC 4486 4): updates,
 * replacements, withdrawals and a family clear keep them right. */
static void test_count_per_family(void **state)
{
	(void)state;
	struct adj_rib *r = adj_rib_new();
	struct bgp_attrs *a = bgp_attrs_new();
	for (unsigned i = 0; i < 40; i++) {
		struct prefix p4 = pfx_n(i, false), p6 = pfx_n(i, true);
		assert_true(adj_rib_update(r, &p4, a) >= 0);
		if (i < 15)
			assert_true(adj_rib_update(r, &p6, a) >= 0);
	}
	struct prefix again = pfx_n(3, true);
	assert_int_equal(adj_rib_update(r, &again, a), 0); /* replaced: no change */
	assert_int_equal(adj_rib_count_af(r, AF_INET), 40);
	assert_int_equal(adj_rib_count_af(r, AF_INET6), 15);
	assert_true(adj_rib_withdraw(r, &again));
	assert_int_equal(adj_rib_count_af(r, AF_INET6), 14);
	adj_rib_clear(r, AF_INET);
	assert_int_equal(adj_rib_count_af(r, AF_INET), 0);
	assert_int_equal(adj_rib_count_af(r, AF_INET6), 14);
	adj_rib_clear(r, 0);
	assert_int_equal(adj_rib_count_af(r, AF_INET6), 0);
	adj_rib_free(r);
	bgp_attrs_unref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update_replace_refcount),
		cmocka_unit_test(test_grow_and_delete_keep_lookups),
		cmocka_unit_test(test_clear_one_family),
		cmocka_unit_test(test_entries_sorted_snapshot),
		cmocka_unit_test(test_rib_mem_counts_adj),
		cmocka_unit_test(test_count_per_family),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
