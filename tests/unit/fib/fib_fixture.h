/* What the FIB's mock-kernel tests share: next hops and prefixes from
 * text, a route from them, and a mock kernel with a fib on top.  Each
 * helper asserts (cmocka), so a typo in a fixture fails the test that
 * made it, not a later comparison.  Include after <cmocka.h>. */
#ifndef EGRESS_TESTS_FIB_FIXTURE_H
#define EGRESS_TESTS_FIB_FIXTURE_H

#include <stdio.h>

#include "fib/fib.h"

/* A next hop through gw on ifindex, weight 1. */
static inline struct fib_nexthop NH(const char *gw, int ifindex)
{
	struct fib_nexthop n = {.ifindex = ifindex, .weight = 1};
	assert_int_equal(addr_parse(gw, &n.gw), 0);
	return n;
}

static inline struct prefix P(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

/* The i-th of 65536 distinct /24s in 10.0.0.0/8. */
static inline struct prefix P4(unsigned i)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "10.%u.%u.0/24", (i >> 8) & 255, i & 255);
	return P(buf);
}

/* p through the n next hops nhs, with backup bk (NULL: none). */
static inline struct fib_route fixture_route(struct prefix p, const struct fib_nexthop *nhs,
					     unsigned n, const struct fib_nexthop *bk)
{
	struct fib_route r = {.pfx = p};
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(fib_nhset_add(&r.nhs, &nhs[i]), 0);
	if (bk)
		assert_int_equal(fib_nhset_add(&r.backup, bk), 0);
	return r;
}

/* A mock kernel (with or without nexthop objects) and a fib on it. */
static inline struct fib_mock *fixture_open(const struct fib_config *cfg, bool nhobj,
					    fib_error_cb on_error, void *arg, struct fib **fib)
{
	struct fib_backend be;
	assert_int_equal(fib_mock_open(nhobj, &be), 0);
	struct fib_mock *mock = fib_mock_from(&be);
	assert_non_null(mock);
	assert_int_equal(fib_create(cfg, be, on_error, arg, fib), 0);
	return mock;
}

#endif
