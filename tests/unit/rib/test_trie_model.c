/* The prefix trie against a brute-force model (tests/fuzz/trie_model.h,
 * shared with the fuzz target): pseudo-random operation sequences for
 * IPv4 and IPv6, and hand-shaped tables (a /16 full of host routes, the
 * default routes, a real-table-like spread of /24s) with sliced walks
 * that delete as they go. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../fuzz/trie_model.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint8_t rnd8(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)(rng >> 32);
}

/* Many random operation strings, short and long. */
static void test_random_sequences(void **state)
{
	(void)state;
	static uint8_t buf[4096];
	for (int run = 0; run < 60; run++) {
		size_t n = run < 40 ? 64 + (size_t)run * 16 : sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = rnd8();
		tm_run(buf, n);
	}
}

/* Only IPv6 (odd shape bytes), so the IPv6 index and long keys get
 * exercised as much as IPv4. */
static void test_random_ipv6(void **state)
{
	(void)state;
	static uint8_t buf[4096];
	for (int run = 0; run < 20; run++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = rnd8() | 1; /* every byte odd: shape says IPv6 */
		tm_run(buf, sizeof(buf));
	}
}

static struct prefix pfx(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

/* An adversarial slot: every /32 of one /16, the /16 itself and its /24s,
 * with other slots around it.  The slot must not stay a sorted array
 * (each insert or delete would move up to the whole slot), and every
 * answer must still match the model, through slices that delete. */
static void test_full_slash16_of_hosts(void **state)
{
	(void)state;
	struct tm m = { 0 };
	trie_init(&m.t);
	tm_bulk(&m, pfx("10.1.0.0/16"), 24, 256, false);
	tm_bulk(&m, pfx("10.0.0.0/16"), 24, 256, false);
	tm_bulk(&m, pfx("10.2.0.0/16"), 20, 16, false);
	tm_bulk(&m, pfx("10.1.0.0/16"), 16, 1, false);
	tm_bulk(&m, pfx("10.1.0.0/16"), 32, 65536, false);
	tm_compare(&m);
	/* The big slot's 65,793 prefixes are nodes; only the other two
	 * slots (256 and 16 prefixes) are sorted arrays. */
	assert_int_equal(m.t.bucket_entries, 256 + 16);
	assert_int_equal(trie_count(&m.t, AF_INET), 256 + 256 + 16 + 65536 + 1);
	/* Longest match inside the slot: host route, then /24 when the host
	 * route goes, then the /16. */
	struct prefix h = pfx("10.1.7.9/32"), got;
	assert_ptr_equal(trie_match(&m.t, &h, &got), tm_get(&m, &h));
	assert_true(prefix_eq(&got, &h));
	assert_ptr_equal(trie_delete(&m.t, &h), tm_del(&m, &h));
	assert_non_null(trie_match(&m.t, &h, &got));
	assert_int_equal(got.len, 24);
	/* Sliced walks that delete the cursor and insert as they go. */
	static uint8_t ops[2048];
	for (size_t i = 0; i < sizeof(ops); i++)
		ops[i] = rnd8();
	m.in = ops;
	m.len = sizeof(ops);
	m.at = 0;
	tm_sliced_walk(&m, AF_INET, 997);
	tm_compare(&m);
	/* And out again: nothing may stay behind. */
	tm_bulk(&m, pfx("10.1.0.0/16"), 32, 65536, true);
	tm_compare(&m);
	while (m.n) {
		m.n--;
		assert_ptr_equal(trie_delete(&m.t, &m.e[m.n].p), m.e[m.n].v);
	}
	struct rib_mem_stats s;
	trie_mem(&m.t, &s);
	assert_int_equal(s.items, 0);
	assert_int_equal(m.t.bucket_bytes, 0);
	trie_destroy(&m.t);
	free(m.e);
}

/* A table shaped like the benchmark's: /24s and /16-/23s spread over
 * many slots (sorted arrays), plus the default route and host routes,
 * checked in full, sliced with deletes, and by longest match. */
static void test_spread_table(void **state)
{
	(void)state;
	struct tm m = { 0 };
	trie_init(&m.t);
	for (int i = 0; i < 20000; i++) {
		struct prefix p;
		memset(&p, 0, sizeof(p));
		unsigned r = rnd8() % 100;
		p.len = (uint8_t)(r < 60 ? 24 : r < 95 ? 16 + r % 8 : r < 98 ? 32 : r % 16);
		uint32_t a = (uint32_t)(1 + rnd8() % 223) << 24 | (uint32_t)rnd8() << 16 |
			     (uint32_t)rnd8() << 8 | rnd8();
		addr_from_v4(&p.addr, a);
		prefix_mask(&p);
		void *v = TM_V(i);
		assert_int_equal(trie_insert(&m.t, &p, v), tm_set(&m, &p, v));
	}
	struct prefix d4 = pfx("0.0.0.0/0"), d6 = pfx("::/0"), h6 = pfx("2001:db8::1/128");
	assert_int_equal(trie_insert(&m.t, &d4, TM_V(1)), tm_set(&m, &d4, TM_V(1)));
	assert_int_equal(trie_insert(&m.t, &d6, TM_V(2)), tm_set(&m, &d6, TM_V(2)));
	assert_int_equal(trie_insert(&m.t, &h6, TM_V(3)), tm_set(&m, &h6, TM_V(3)));
	tm_compare(&m);
	assert_true(m.t.bucket_entries > 0); /* the spread slots are arrays */
	for (int i = 0; i < 5000; i++) {
		struct prefix q;
		memset(&q, 0, sizeof(q));
		addr_from_v4(&q.addr, (uint32_t)rnd8() << 24 | (uint32_t)rnd8() << 16 |
					      (uint32_t)rnd8() << 8 | rnd8());
		q.len = (uint8_t)(16 + rnd8() % 17);
		prefix_mask(&q);
		struct prefix got;
		const struct tm_ent *want = tm_match(&m, &q);
		assert_non_null(want); /* the default route at least */
		assert_ptr_equal(trie_match(&m.t, &q, &got), want->v);
		assert_true(prefix_eq(&got, &want->p));
	}
	static uint8_t ops[8192];
	for (size_t i = 0; i < sizeof(ops); i++)
		ops[i] = rnd8();
	m.in = ops;
	m.len = sizeof(ops);
	m.at = 0;
	tm_sliced_walk(&m, AF_INET, 64);
	tm_compare(&m);
	/* Delete every other prefix through lookup_pos/delete_pos. */
	size_t k = 0;
	for (size_t i = 0; i < m.n; i++) {
		struct trie_pos pos;
		if (i % 2 == 0) {
			m.e[k++] = m.e[i];
			continue;
		}
		void **slot = trie_lookup_pos(&m.t, &m.e[i].p, &pos);
		assert_non_null(slot);
		assert_ptr_equal(*slot, m.e[i].v);
		assert_ptr_equal(trie_delete_pos(&m.t, &pos), m.e[i].v);
	}
	m.n = k;
	tm_compare(&m);
	while (m.n) {
		m.n--;
		assert_ptr_equal(trie_delete(&m.t, &m.e[m.n].p), m.e[m.n].v);
	}
	struct rib_mem_stats s;
	trie_mem(&m.t, &s);
	assert_int_equal(s.items, 0);
	assert_int_equal(m.t.bucket_bytes, 0);
	trie_destroy(&m.t);
	free(m.e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_sequences),
		cmocka_unit_test(test_random_ipv6),
		cmocka_unit_test(test_full_slash16_of_hosts),
		cmocka_unit_test(test_spread_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
