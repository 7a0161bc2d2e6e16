/* The probe state machine: rise/fall counting, the history rings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "probe/probe_fsm.h"

static bool feed(struct probe_fsm *f, bool ok, double t)
{
	struct probe_result r = { .t = t, .ok = ok, .rtt_us = ok ? 1000 : 0,
				  .err = ok ? 0 : -ETIMEDOUT };
	return probe_fsm_result(f, &r);
}

static void test_starts_unknown_and_needs_rise(void **state)
{
	(void)state;
	struct probe_fsm f;
	probe_fsm_init(&f, 3, 2);
	assert_int_equal(f.state, PROBE_UNKNOWN);
	assert_false(feed(&f, true, 1));
	assert_false(feed(&f, true, 2));
	assert_int_equal(f.state, PROBE_UNKNOWN);
	assert_true(feed(&f, true, 3));
	assert_int_equal(f.state, PROBE_UP);
	const struct probe_transition *t = probe_fsm_transition_at(&f, 0);
	assert_non_null(t);
	assert_int_equal(t->from, PROBE_UNKNOWN);
	assert_int_equal(t->to, PROBE_UP);
	assert_true(t->t == 3);
	assert_string_equal(t->reason, "3 successes in a row");
}

static void test_fall_from_unknown(void **state)
{
	(void)state;
	struct probe_fsm f;
	probe_fsm_init(&f, 3, 2);
	assert_false(feed(&f, false, 1));
	assert_true(feed(&f, false, 2));
	assert_int_equal(f.state, PROBE_DOWN);
	/* Staying down records no further transition. */
	assert_false(feed(&f, false, 3));
	assert_int_equal(f.tr_n, 1);
}

static void test_single_loss_does_not_flap(void **state)
{
	(void)state;
	struct probe_fsm f;
	probe_fsm_init(&f, 2, 2);
	feed(&f, true, 1);
	feed(&f, true, 2);
	assert_int_equal(f.state, PROBE_UP);
	/* fail, ok, fail, ok: never two failures in a row. */
	for (int i = 0; i < 10; i++)
		assert_false(feed(&f, i % 2 == 0 ? false : true, 3 + i));
	assert_int_equal(f.state, PROBE_UP);
	assert_false(feed(&f, false, 20));
	assert_int_equal(f.state, PROBE_UP);
	assert_true(feed(&f, false, 21));
	assert_int_equal(f.state, PROBE_DOWN);
}

static void test_recovery_needs_rise_again(void **state)
{
	(void)state;
	struct probe_fsm f;
	probe_fsm_init(&f, 3, 1);
	feed(&f, true, 1);
	feed(&f, true, 2);
	feed(&f, true, 3);
	assert_true(feed(&f, false, 4));
	assert_int_equal(f.state, PROBE_DOWN);
	assert_string_equal(probe_fsm_transition_at(&f, 0)->reason, "1 failures in a row");
	feed(&f, true, 5);
	feed(&f, true, 6);
	feed(&f, false, 7); /* breaks the run */
	feed(&f, true, 8);
	feed(&f, true, 9);
	assert_int_equal(f.state, PROBE_DOWN);
	assert_true(feed(&f, true, 10));
	assert_int_equal(f.state, PROBE_UP);
	assert_int_equal(f.n_ok, 8);
	assert_int_equal(f.n_fail, 2);
	assert_int_equal(probe_fsm_transition_at(&f, 1)->to, PROBE_DOWN);
	assert_int_equal(probe_fsm_transition_at(&f, 2)->to, PROBE_UP);
	assert_null(probe_fsm_transition_at(&f, 3));
}

static void test_history_ring_keeps_newest(void **state)
{
	(void)state;
	struct probe_fsm f;
	probe_fsm_init(&f, 1, 1);
	for (int i = 0; i < PROBE_HIST * 2 + 3; i++)
		feed(&f, i % 3 != 0, i);
	assert_int_equal(f.res_n, PROBE_HIST);
	for (size_t i = 0; i < PROBE_HIST; i++) {
		const struct probe_result *r = probe_fsm_result_at(&f, i);
		assert_non_null(r);
		int want = PROBE_HIST * 2 + 2 - (int)i;
		assert_true(r->t == want);
		assert_int_equal(r->ok, want % 3 != 0);
	}
	assert_null(probe_fsm_result_at(&f, PROBE_HIST));
	assert_int_equal(f.tr_n, PROBE_HIST);
	/* Newest transition is the last change: i=33 failed (33 % 3 == 0)
	 * after i=32 succeeded; i=34 then went up again. */
	assert_int_equal(probe_fsm_transition_at(&f, 0)->to, PROBE_UP);
	assert_true(probe_fsm_transition_at(&f, 0)->t == 34);
	assert_int_equal(probe_fsm_transition_at(&f, 1)->to, PROBE_DOWN);
	assert_true(probe_fsm_transition_at(&f, 1)->t == 33);
}

static void test_zero_counts_mean_one(void **state)
{
	(void)state;
	struct probe_fsm f;
	probe_fsm_init(&f, 0, 0);
	assert_true(feed(&f, true, 1));
	assert_true(feed(&f, false, 2));
	assert_string_equal(probe_state_name(f.state), "down");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starts_unknown_and_needs_rise),
		cmocka_unit_test(test_fall_from_unknown),
		cmocka_unit_test(test_single_loss_does_not_flap),
		cmocka_unit_test(test_recovery_needs_rise_again),
		cmocka_unit_test(test_history_ring_keeps_newest),
		cmocka_unit_test(test_zero_counts_mean_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
