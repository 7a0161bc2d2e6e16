/* Prefix-set trie: ge/le edges and a 100,000-line set checked against a
 * linear scan of the same lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/prefix_set.h"

static struct prefix pfx(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

static bool m(const struct policy_pset *s, const char *p)
{
	struct prefix x = pfx(p);
	return policy_pset_match(s, &x);
}

static void add(struct policy_pset *s, const char *p, unsigned ge, unsigned le)
{
	struct prefix x = pfx(p);
	assert_int_equal(policy_pset_add(s, &x, ge, le), 0);
}

static void test_edges(void **state)
{
	(void)state;
	struct policy_pset *s = policy_pset_new();
	assert_non_null(s);
	assert_false(m(s, "10.0.0.0/8"));            /* empty set */
	add(s, "10.0.0.0/8", 8, 16);                 /* 10.0.0.0/8 le 16 */
	assert_true(m(s, "10.0.0.0/8"));
	assert_true(m(s, "10.1.0.0/16"));
	assert_true(m(s, "10.255.0.0/16"));
	assert_true(m(s, "10.128.0.0/9"));
	assert_false(m(s, "10.1.1.0/24"));           /* longer than le */
	assert_false(m(s, "10.0.0.0/7"));            /* shorter than the prefix */
	assert_false(m(s, "11.0.0.0/8"));
	assert_false(m(s, "::/0"));                  /* other family */
	add(s, "192.0.2.0/24", 24, 24);              /* exact */
	assert_true(m(s, "192.0.2.0/24"));
	assert_false(m(s, "192.0.2.0/25"));
	assert_false(m(s, "192.0.0.0/16"));
	add(s, "198.51.100.0/24", 32, 32);           /* ge 32 le 32: hosts only */
	assert_true(m(s, "198.51.100.7/32"));
	assert_false(m(s, "198.51.100.0/24"));
	assert_false(m(s, "198.51.100.0/31"));
	add(s, "2001:db8::/32", 48, 64);             /* ge 48 le 64 */
	assert_false(m(s, "2001:db8::/32"));
	assert_false(m(s, "2001:db8::/47"));
	assert_true(m(s, "2001:db8:1::/48"));
	assert_true(m(s, "2001:db8:1:2::/64"));
	assert_false(m(s, "2001:db8:1:2::/65"));
	assert_false(m(s, "2001:db9::/48"));
	add(s, "::/0", 128, 128);                    /* any IPv6 host route */
	assert_true(m(s, "2001:db9::1/128"));
	assert_false(m(s, "0.0.0.0/0"));
	add(s, "0.0.0.0/0", 0, 0);                   /* the default route only */
	assert_true(m(s, "0.0.0.0/0"));
	assert_false(m(s, "0.0.0.0/1"));
	add(s, "0.0.0.0/0", 32, 32);                 /* a second line, same node */
	assert_true(m(s, "0.0.0.0/0"));
	assert_true(m(s, "203.0.113.9/32"));
	assert_false(m(s, "203.0.113.0/24"));
	/* Lines that cannot match anything are refused. */
	struct prefix x = pfx("10.0.0.0/8");
	assert_int_equal(policy_pset_add(s, &x, 7, 16), -EINVAL);
	assert_int_equal(policy_pset_add(s, &x, 16, 8), -EINVAL);
	assert_int_equal(policy_pset_add(s, &x, 8, 33), -EINVAL);
	x.len = 4;                                   /* host bits now set */
	assert_int_equal(policy_pset_add(s, &x, 4, 4), -EINVAL);
	x = pfx("2001:db8::/32");
	assert_int_equal(policy_pset_add(s, &x, 32, 129), -EINVAL);
	policy_pset_free(s);
}

struct line {
	struct prefix p;
	unsigned ge, le;
};

static bool linear(const struct line *l, size_t n, const struct prefix *q)
{
	for (size_t i = 0; i < n; i++) {
		if (l[i].p.addr.af != q->addr.af || q->len < l[i].ge || q->len > l[i].le)
			continue;
		struct prefix c = *q;
		c.len = l[i].p.len;
		prefix_mask(&c);
		if (prefix_eq(&c, &l[i].p))
			return true;
	}
	return false;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible runs without libc's rand() state. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static void rand_prefix(struct prefix *p, uint8_t af, unsigned len)
{
	memset(p, 0, sizeof(*p));
	p->addr.af = af;
	for (unsigned i = 0; i < addr_bytes(af); i++)
		p->addr.b[i] = (uint8_t)rnd();
	/* Keep the first octets in a narrow range so that lines overlap and
	 * queries land inside them often. */
	p->addr.b[0] = af == AF_INET ? (uint8_t)(10 + rnd() % 4) : 0x20;
	p->len = (uint8_t)len;
	prefix_mask(p);
}

static void test_large_set(void **state)
{
	(void)state;
	enum { N = 100000, N6 = 2000, Q = 1500 };
	struct line *l = calloc(N + N6, sizeof(*l));
	assert_non_null(l);
	struct policy_pset *s = policy_pset_new();
	assert_non_null(s);
	for (size_t i = 0; i < N + N6; i++) {
		bool v6 = i >= N;
		unsigned max = v6 ? 128 : 32;
		unsigned len = v6 ? 16 + rnd() % 49 : 8 + rnd() % 17;
		rand_prefix(&l[i].p, v6 ? AF_INET6 : AF_INET, len);
		l[i].ge = len + rnd() % 3;
		l[i].le = l[i].ge + rnd() % 4;
		if (l[i].le > max)
			l[i].le = max;
		assert_int_equal(policy_pset_add(s, &l[i].p, l[i].ge, l[i].le), 0);
	}
	unsigned hits = 0, misses = 0;
	for (size_t k = 0; k < Q; k++) {
		struct prefix q;
		if (k % 2) {
			/* A line's prefix, lengthened by 0..5 bits: near the
			 * ge/le boundaries, so both answers come up. */
			const struct line *b = &l[rnd() % (N + N6)];
			q = b->p;
			unsigned len = q.len + rnd() % 6;
			if (len > addr_bits(q.addr.af))
				len = addr_bits(q.addr.af);
			for (unsigned i = q.len; i < len; i++)
				if (rnd() & 1)
					q.addr.b[i >> 3] |= (uint8_t)(0x80 >> (i & 7));
			q.len = (uint8_t)len;
		} else {
			bool v6 = k % 4 == 0;
			rand_prefix(&q, v6 ? AF_INET6 : AF_INET,
				    v6 ? rnd() % 129 : rnd() % 33);
		}
		bool want = linear(l, N + N6, &q);
		char buf[PREFIX_STRLEN];
		if (policy_pset_match(s, &q) != want)
			fail_msg("%s: trie says %d, scan says %d", prefix_fmt(&q, buf), !want, want);
		hits += want;
		misses += !want;
	}
	/* The samples exercised both outcomes, or the test proves little. */
	assert_true(hits > Q / 10);
	assert_true(misses > Q / 10);
	policy_pset_free(s);
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_large_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
