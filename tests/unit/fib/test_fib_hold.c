/* The initial download (fib_hold.c) on the mock kernel: routes
 * installed while held are kept from the kernel (their groups are not),
 * then written in slices in the route index's order, not the order
 * they came in; changes and deletes meanwhile, and a table that grows
 * under the walk, lose nothing; backup routes wait for the primaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fib/fib.h"
#include "fib_fixture.h"

#define NROUTES 4096

/* The mock with its route writes recorded in order. */
static struct fib_backend_ops rec_ops;
static const struct fib_backend_ops *mock_ops;
static struct prefix order[4 * NROUTES];
static size_t norder;

static int rec_route_set(void *be, const struct prefix *pfx, uint32_t metric, uint32_t nh_id,
			 const struct fib_nhset *nhs)
{
	if (norder < sizeof(order) / sizeof(order[0]))
		order[norder++] = *pfx;
	return mock_ops->route_set(be, pfx, metric, nh_id, nhs);
}

static struct fib_mock *open_rec(bool backups, struct fib **fib)
{
	struct fib_backend be;
	assert_int_equal(fib_mock_open(true, &be), 0);
	struct fib_mock *mock = fib_mock_from(&be);
	mock_ops = be.ops;
	rec_ops = *be.ops;
	rec_ops.route_set = rec_route_set;
	be.ops = &rec_ops;
	norder = 0;
	struct fib_config cfg = {.ecmp = true, .backup_routes = backups};
	assert_int_equal(fib_create(&cfg, be, NULL, NULL, fib), 0);
	return mock;
}

static void install(struct fib *f, struct prefix p, const struct fib_nexthop *nh,
		    const struct fib_nexthop *bk)
{
	struct fib_route r = fixture_route(p, nh, 1, bk);
	assert_int_equal(fib_route_install(f, &r), 0);
}

static size_t held(const struct fib *f)
{
	struct fib_stats st;
	fib_stats_get(f, &st);
	return st.held;
}

static void test_held_then_written_in_index_order(void **state)
{
	(void)state;
	struct fib *f;
	struct fib_mock *m = open_rec(false, &f);
	struct fib_nexthop a = NH("192.0.2.1", 2);
	fib_hold(f);
	assert_true(fib_holding(f));
	fib_batch_begin(f);
	for (unsigned i = 0; i < NROUTES; i++)
		install(f, P4(i), &a, NULL);
	assert_int_equal(fib_batch_commit(f), 0);
	/* The group went, no route did. */
	assert_int_equal(fib_mock_route_count(m), 0);
	assert_int_equal(fib_mock_group_count(m), 1);
	assert_int_equal(held(f), NROUTES);
	struct fib_stats st;
	fib_stats_get(f, &st);
	assert_true(st.holding);
	/* Slices of 1000. */
	assert_int_equal(fib_hold_release(f, 1000), NROUTES - 1000);
	assert_true(fib_holding(f));
	assert_int_equal(fib_mock_route_count(m), 1000);
	size_t left;
	while ((left = fib_hold_release(f, 1000)) > 0)
		;
	assert_false(fib_holding(f));
	assert_int_equal(fib_mock_route_count(m), NROUTES);
	assert_int_equal(norder, NROUTES);
	/* Not the ascending order they came in: shuffled, so about half
	 * of the neighbours are in ascending order, not all. */
	size_t up = 0;
	for (size_t i = 1; i < norder; i++)
		up += prefix_cmp(&order[i - 1], &order[i]) < 0;
	assert_true(up > NROUTES / 4 && up < 3 * NROUTES / 4);
	assert_int_equal(fib_check(f, NULL, NULL), 0);
	/* Nothing held: nothing more to write, later writes go at once. */
	assert_int_equal(fib_hold_release(f, 1000), 0);
	install(f, P4(NROUTES), &a, NULL);
	assert_int_equal(fib_mock_route_count(m), NROUTES + 1);
	fib_destroy(f);
}

static void test_changes_and_deletes_while_held(void **state)
{
	(void)state;
	struct fib *f;
	struct fib_mock *m = open_rec(false, &f);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("198.51.100.1", 3);
	fib_hold(f);
	for (unsigned i = 0; i < 100; i++)
		install(f, P4(i), &a, NULL);
	/* Changed while held: still one route to write, with the change. */
	install(f, P4(1), &b, NULL);
	/* Deleted while held: never written. */
	assert_int_equal(fib_route_delete(f, &(struct prefix){P4(2).addr, 24}), 0);
	assert_int_equal(held(f), 99);
	assert_int_equal(fib_mock_route_count(m), 0);
	/* Under way: a change goes at once and leaves the ones to write. */
	assert_int_equal(fib_hold_release(f, 10), 89);
	struct prefix p3 = P4(3);
	bool written = false;
	for (size_t i = 0; i < norder; i++)
		written |= prefix_cmp(&order[i], &p3) == 0;
	install(f, p3, &b, NULL);
	assert_int_equal(held(f), written ? 89 : 88);
	while (fib_hold_release(f, 10) > 0)
		;
	assert_int_equal(fib_mock_route_count(m), 99);
	struct fib_nhset got;
	assert_int_equal(fib_mock_route_get(m, &(struct prefix){P4(1).addr, 24}, NULL, &got), 0);
	assert_int_equal(fib_nexthop_cmp(&got.nh[0], &b), 0);
	assert_int_equal(fib_mock_route_get(m, &p3, NULL, &got), 0);
	assert_int_equal(fib_nexthop_cmp(&got.nh[0], &b), 0);
	assert_int_equal(fib_mock_route_get(m, &(struct prefix){P4(2).addr, 24}, NULL, &got),
			 -ENOENT);
	assert_int_equal(fib_check(f, NULL, NULL), 0);
	fib_destroy(f);
}

/* Inserts during the download make the index grow (a rehash) and
 * deletes shift entries back: the walk still finds every held route. */
static void test_table_changing_under_the_walk(void **state)
{
	(void)state;
	struct fib *f;
	struct fib_mock *m = open_rec(false, &f);
	struct fib_nexthop a = NH("192.0.2.1", 2);
	fib_hold(f);
	for (unsigned i = 0; i < 200; i++)
		install(f, P4(i), &a, NULL);
	assert_int_equal(fib_hold_release(f, 50), 150);
	for (unsigned i = 200; i < NROUTES; i++)
		install(f, P4(i), &a, NULL);
	for (unsigned i = 200; i < NROUTES; i += 3)
		assert_int_equal(fib_route_delete(f, &(struct prefix){P4(i).addr, 24}), 0);
	assert_int_equal(held(f), 150);
	while (fib_hold_release(f, 50) > 0)
		;
	assert_int_equal(held(f), 0);
	struct fib_stats st;
	fib_stats_get(f, &st);
	assert_int_equal(fib_mock_route_count(m), st.routes);
	assert_int_equal(fib_check(f, NULL, NULL), 0);
	fib_destroy(f);
}

static void test_backups_wait_for_the_primaries(void **state)
{
	(void)state;
	struct fib *f;
	struct fib_mock *m = open_rec(true, &f);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("198.51.100.1", 3);
	fib_hold(f);
	for (unsigned i = 0; i < 10; i++)
		install(f, P4(i), &a, &b);
	/* Queued, not written: alone it would carry the traffic. */
	assert_int_equal(fib_backup_write(f, 100), 10);
	assert_int_equal(fib_mock_route_count(m), 0);
	assert_int_equal(fib_hold_release(f, 100), 0);
	assert_int_equal(fib_mock_route_count(m), 10);
	assert_int_equal(fib_backup_write(f, 100), 0);
	assert_int_equal(fib_mock_route_count(m), 20);
	assert_int_equal(fib_check(f, NULL, NULL), 0);
	fib_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_held_then_written_in_index_order),
		cmocka_unit_test(test_changes_and_deletes_while_held),
		cmocka_unit_test(test_table_changing_under_the_walk),
		cmocka_unit_test(test_backups_wait_for_the_primaries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
