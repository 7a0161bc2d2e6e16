/* RFC 4271 section 10: timer values jittered into [0.75, 1.0] of the
 * base, spread over that whole range, never above the base. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/jitter.h"

static void test_range_and_spread(void **state)
{
	(void)state;
	jitter_seed(42);
	double lo = 1e9, hi = 0;
	int buckets[5] = { 0 };
	for (int i = 0; i < 100000; i++) {
		double v = jitter_timer(30.0);
		assert_true(v >= 22.5 && v <= 30.0);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
		int b = (int)((v - 22.5) / 1.5);
		buckets[b > 4 ? 4 : b]++;
	}
	/* The whole range is used: uniform, not a constant factor. */
	assert_true(lo < 22.6 && hi > 29.9);
	for (int b = 0; b < 5; b++)
		assert_true(buckets[b] > 18000 && buckets[b] < 22000);
}

static void test_zero_stays_zero(void **state)
{
	(void)state;
	/* A negotiated keepalive of 0 means "none" (RFC 4271 4.4). */
	assert_true(jitter_timer(0) == 0);
}

static void test_unseeded_works(void **state)
{
	(void)state;
	jitter_seed(0);
	double v = jitter_timer(3.0);
	assert_true(v >= 2.25 && v <= 3.0);
}

static void test_early_keeps_margin(void **state)
{
	(void)state;
	jitter_seed(7);
	double lo = 1e9, hi = 0;
	for (int i = 0; i < 100000; i++) {
		double v = jitter_timer_early(3.0, 0.1);
		assert_true(v >= 2.25 && v <= 2.9);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	assert_true(lo < 2.26 && hi > 2.89);
	/* A margin larger than a quarter of the base leaves 0.75 * base. */
	double v = jitter_timer_early(0.2, 0.1);
	assert_true(v > 0.1499999 && v < 0.1500001);
	assert_true(jitter_timer_early(0, 0.1) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_and_spread),
		cmocka_unit_test(test_zero_stays_zero),
		cmocka_unit_test(test_unseeded_works),
		cmocka_unit_test(test_early_keeps_margin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
