/* Next-hop sets: canonical order, duplicates, validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "fib/fib.h"

static struct fib_nexthop nh(const char *gw, int ifindex, uint8_t weight)
{
	struct fib_nexthop n = {.ifindex = ifindex, .weight = weight};
	if (gw)
		assert_int_equal(addr_parse(gw, &n.gw), 0);
	return n;
}

static void test_order_does_not_matter(void **state)
{
	(void)state;
	struct fib_nhset a = {0}, b = {0};
	struct fib_nexthop x = nh("192.0.2.1", 2, 0), y = nh("192.0.2.9", 3, 0);
	fib_nhset_add(&a, &x);
	fib_nhset_add(&a, &y);
	fib_nhset_add(&b, &y);
	fib_nhset_add(&b, &x);
	assert_int_equal(fib_nhset_normalize(&a), 0);
	assert_int_equal(fib_nhset_normalize(&b), 0);
	assert_true(fib_nhset_eq(&a, &b));
	assert_int_equal(fib_nhset_hash(&a), fib_nhset_hash(&b));
	assert_int_equal(a.nh[0].weight, 1); /* 0 means 1 */
}

static void test_duplicates_collapse(void **state)
{
	(void)state;
	struct fib_nhset s = {0};
	struct fib_nexthop x = nh("2001:db8::1", 4, 5), x2 = nh("2001:db8::1", 4, 9);
	fib_nhset_add(&s, &x);
	fib_nhset_add(&s, &x2);
	assert_int_equal(fib_nhset_normalize(&s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.nh[0].weight, 5);
}

static void test_weights_and_ifindex_distinguish(void **state)
{
	(void)state;
	struct fib_nhset a = {0}, b = {0}, c = {0};
	struct fib_nexthop x = nh("192.0.2.1", 2, 1), xw = nh("192.0.2.1", 2, 2),
			   xi = nh("192.0.2.1", 3, 1);
	fib_nhset_add(&a, &x);
	fib_nhset_add(&b, &xw);
	fib_nhset_add(&c, &xi);
	fib_nhset_normalize(&a);
	fib_nhset_normalize(&b);
	fib_nhset_normalize(&c);
	assert_false(fib_nhset_eq(&a, &b));
	assert_false(fib_nhset_eq(&a, &c));
}

static void test_invalid_members(void **state)
{
	(void)state;
	struct fib_nhset s = {0};
	struct fib_nexthop none = {0}; /* no gateway, no device */
	fib_nhset_add(&s, &none);
	assert_int_equal(fib_nhset_normalize(&s), -EINVAL);
	struct fib_nhset t = {0};
	struct fib_nexthop bad = {.gw.af = 77, .ifindex = 1};
	fib_nhset_add(&t, &bad);
	assert_int_equal(fib_nhset_normalize(&t), -EINVAL);
	struct fib_nhset full = {0};
	struct fib_nexthop x = nh(NULL, 1, 1);
	for (int i = 0; i < FIB_NH_MAX; i++)
		assert_int_equal(fib_nhset_add(&full, &x), 0);
	assert_int_equal(fib_nhset_add(&full, &x), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_does_not_matter),
		cmocka_unit_test(test_duplicates_collapse),
		cmocka_unit_test(test_weights_and_ifindex_distinguish),
		cmocka_unit_test(test_invalid_members),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
