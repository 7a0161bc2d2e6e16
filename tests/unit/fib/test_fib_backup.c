/* Prefix-independent repair of primary/backup routes on the mock
 * kernel: routes are grouped by (next hops, backup), a dead next hop
 * moves each group to its backup in one request whatever the number of
 * routes, and a next hop the kernel removed itself (link down) marks
 * the routes of groups it emptied for rewriting. */
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

static struct fib_route R(struct prefix p, const struct fib_nexthop *nh, unsigned n,
			  const struct fib_nexthop *bk)
{
	return fixture_route(p, nh, n, bk);
}

struct ctx {
	struct fib *fib;
	struct fib_mock *mock;
};

static void open_ctx(struct ctx *c)
{
	struct fib_config cfg = {.ecmp = true};
	c->mock = fixture_open(&cfg, true, NULL, NULL, &c->fib);
}

static void expect_via(struct ctx *c, struct prefix p, const struct fib_nexthop *want)
{
	struct fib_nhset got;
	uint32_t id;
	assert_int_equal(fib_mock_route_get(c->mock, &p, &id, &got), 0);
	assert_int_equal(got.n, 1);
	assert_int_equal(fib_nexthop_cmp(&got.nh[0], want), 0);
}

static uint32_t group_of(struct ctx *c, struct prefix p)
{
	uint32_t gid = 0;
	assert_int_equal(fib_route_lookup(c->fib, &p, NULL, &gid, NULL), 0);
	return gid;
}

static void test_backup_repair_is_one_request_per_group(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("198.51.100.1", 3),
			   d = NH("203.0.113.1", 4);
	fib_batch_begin(c.fib);
	for (unsigned i = 0; i < 1500; i++) {
		struct fib_route r = R(P4(i), &a, 1, i < 1000 ? &b : &d);
		assert_int_equal(fib_route_install(c.fib, &r), 0);
	}
	assert_int_equal(fib_batch_commit(c.fib), 0);
	/* Same members, different backups: two groups. */
	assert_int_equal(fib_mock_group_count(c.mock), 2);
	uint32_t g0 = group_of(&c, P4(0)), g1 = group_of(&c, P4(1200));
	assert_int_not_equal(g0, g1);
	expect_via(&c, P4(7), &a);

	size_t before = fib_mock_request_count(c.mock);
	assert_int_equal(fib_nexthop_down(c.fib, &a), 0);
	/* Per group: the backup's nexthop object and the replace; then
	 * a's object goes.  Not one request per route. */
	assert_int_equal(fib_mock_request_count(c.mock) - before, 5);
	for (unsigned i = 0; i < 1500; i += 101)
		expect_via(&c, P4(i), i < 1000 ? &b : &d);
	assert_int_equal(group_of(&c, P4(0)), g0);
	assert_int_equal(group_of(&c, P4(1200)), g1);

	/* The RIB's re-decision then installs {b} without backup: found
	 * where it is, nothing written. */
	before = fib_mock_request_count(c.mock);
	fib_batch_begin(c.fib);
	for (unsigned i = 0; i < 1000; i++) {
		struct fib_route r = R(P4(i), &b, 1, NULL);
		assert_int_equal(fib_route_install(c.fib, &r), 0);
	}
	assert_int_equal(fib_batch_commit(c.fib), 0);
	assert_int_equal(fib_mock_request_count(c.mock), before);
	assert_int_equal(fib_check(c.fib, NULL, NULL), 0);
	fib_destroy(c.fib);
}

static void test_gone_marks_routes_of_emptied_groups(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("198.51.100.1", 3),
			   d = NH("203.0.113.1", 4);
	struct fib_nexthop ad[] = {a, d};
	fib_batch_begin(c.fib);
	for (unsigned i = 0; i < 100; i++) {
		struct fib_route r = i < 60 ? R(P4(i), &a, 1, &b) : R(P4(i), ad, 2, NULL);
		assert_int_equal(fib_route_install(c.fib, &r), 0);
	}
	assert_int_equal(fib_batch_commit(c.fib), 0);
	/* The kernel flushed a (its link went down): the ECMP group keeps
	 * d, the group of a alone is gone with its 60 routes. */
	assert_int_equal(fib_nexthop_gone(c.fib, &a), 1);
	expect_via(&c, P4(80), &d);
	int err = 0;
	struct prefix p3 = P4(3);
	assert_int_equal(fib_route_lookup(c.fib, &p3, NULL, NULL, &err), 0);
	assert_int_equal(err, -ENETDOWN);
	struct fib_stats st;
	fib_stats_get(c.fib, &st);
	assert_int_equal(st.routes_failed, 60);
	/* Re-decided to b: written again, no longer failed. */
	size_t before = fib_mock_request_count(c.mock);
	for (unsigned i = 0; i < 60; i++) {
		struct fib_route r = R(P4(i), &b, 1, NULL);
		assert_int_equal(fib_route_install(c.fib, &r), 0);
	}
	assert_true(fib_mock_request_count(c.mock) - before >= 60);
	fib_stats_get(c.fib, &st);
	assert_int_equal(st.routes_failed, 0);
	expect_via(&c, P4(3), &b);
	fib_destroy(c.fib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backup_repair_is_one_request_per_group),
		cmocka_unit_test(test_gone_marks_routes_of_emptied_groups),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
