/* A session's end on the mock kernel, in the order the daemon runs it
 * (routes.c on_down): the groups through the dead next hop are
 * repointed first, in one committed batch, then the sliced flush
 * re-decides every prefix and installs what the Loc-RIB now says.  The
 * repair must be the only kernel request: the per-prefix installs find
 * each route already where it belongs, so they neither undo the repair
 * nor rewrite a route (prefix-independent convergence, issue 4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "fib/fib.h"
#include "fib_fixture.h"

#define N_ROUTES 2000u

struct ctx {
	struct fib *fib;
	struct fib_mock *mock;
	struct fib_nexthop a, b;
};

static void open_ctx(struct ctx *c)
{
	struct fib_config cfg = {.ecmp = true};
	c->mock = fixture_open(&cfg, true, NULL, NULL, &c->fib);
	c->a = NH("192.0.2.1", 2);
	c->b = NH("198.51.100.1", 3);
}

static void install(struct ctx *c, struct prefix p, const struct fib_nexthop *nhs, unsigned n,
		    const struct fib_nexthop *bk)
{
	struct fib_route r = fixture_route(p, nhs, n, bk);
	assert_int_equal(fib_route_install(c->fib, &r), 0);
}

static void expect_only_b(struct ctx *c, struct prefix p)
{
	struct fib_nhset got;
	uint32_t id;
	assert_int_equal(fib_mock_route_get(c->mock, &p, &id, &got), 0);
	assert_int_equal(got.n, 1);
	assert_int_equal(fib_nexthop_cmp(&got.nh[0], &c->b), 0);
}

/* The session's end: the repair in a batch of its own, committed, then
 * the flush's per-prefix installs (in batches, as the daemon's slices
 * are) with the re-decided next hops {B} and no backup left.  Returns
 * the kernel requests of the repair. */
static size_t session_end(struct ctx *c, unsigned first, unsigned n)
{
	size_t before = fib_mock_request_count(c->mock);
	fib_batch_begin(c->fib);
	assert_true(fib_nexthop_down(c->fib, &c->a) >= 0);
	assert_int_equal(fib_batch_commit(c->fib), 0);
	size_t repair = fib_mock_request_count(c->mock) - before;
	/* Traffic has moved before the first prefix is re-decided. */
	for (unsigned i = first; i < first + n; i++)
		expect_only_b(c, P4(i));

	size_t after_repair = fib_mock_request_count(c->mock);
	for (unsigned s = first; s < first + n; s += 500) {
		fib_batch_begin(c->fib);
		for (unsigned i = s; i < s + 500 && i < first + n; i++)
			install(c, P4(i), &c->b, 1, NULL);
		assert_int_equal(fib_batch_commit(c->fib), 0);
	}
	assert_int_equal(fib_mock_request_count(c->mock), after_repair);
	for (unsigned i = first; i < first + n; i++)
		expect_only_b(c, P4(i));
	return repair;
}

/* session/ecmp: every route on {A, B}; A's session ends. */
static void test_ecmp_member_session_end(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c);
	struct fib_nexthop ab[2] = {c.a, c.b};
	fib_batch_begin(c.fib);
	for (unsigned i = 0; i < N_ROUTES; i++)
		install(&c, P4(i), ab, 2, NULL);
	assert_int_equal(fib_batch_commit(c.fib), 0);
	assert_int_equal(fib_mock_group_count(c.mock), 1);
	/* The group replace and A's nexthop object going; no route. */
	size_t repair = session_end(&c, 0, N_ROUTES);
	assert_true(repair >= 1);
	assert_true(repair <= 2);
	assert_int_equal(fib_mock_route_count(c.mock), N_ROUTES);
	fib_destroy(c.fib);
}

/* session/backup: every route on {A} with backup {B}, and some other
 * prefixes on B alone already (a group {B} exists: the repaired group
 * stays apart from it rather than every route moving over). */
static void test_backup_session_end_beside_existing_group(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c);
	fib_batch_begin(c.fib);
	for (unsigned i = 0; i < N_ROUTES; i++)
		install(&c, P4(i), &c.a, 1, &c.b);
	for (unsigned i = N_ROUTES; i < N_ROUTES + 10; i++)
		install(&c, P4(i), &c.b, 1, NULL);
	assert_int_equal(fib_batch_commit(c.fib), 0);
	assert_int_equal(fib_mock_group_count(c.mock), 2);
	size_t repair = session_end(&c, 0, N_ROUTES);
	assert_true(repair >= 1);
	assert_true(repair <= 2); /* the replace, and A's nexthop object going */
	for (unsigned i = N_ROUTES; i < N_ROUTES + 10; i++)
		expect_only_b(&c, P4(i));
	fib_destroy(c.fib);
}

/* The re-decision may still move a route the repair could not place
 * (here: a prefix with no backup loses its only path and is deleted);
 * the others stay untouched. */
static void test_orphans_deleted_others_untouched(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c);
	fib_batch_begin(c.fib);
	install(&c, P4(0), &c.a, 1, NULL);
	for (unsigned i = 1; i < 100; i++)
		install(&c, P4(i), &c.a, 1, &c.b);
	assert_int_equal(fib_batch_commit(c.fib), 0);
	size_t before = fib_mock_request_count(c.mock);
	fib_batch_begin(c.fib);
	assert_int_equal(fib_nexthop_down(c.fib, &c.a), 1); /* one orphaned group */
	assert_int_equal(fib_batch_commit(c.fib), 0);
	for (unsigned i = 1; i < 100; i++)
		expect_only_b(&c, P4(i));
	size_t mid = fib_mock_request_count(c.mock);
	assert_true(mid > before);
	struct prefix p0 = P4(0);
	fib_batch_begin(c.fib);
	assert_int_equal(fib_route_delete(c.fib, &p0), 0);
	for (unsigned i = 1; i < 100; i++)
		install(&c, P4(i), &c.b, 1, NULL);
	assert_int_equal(fib_batch_commit(c.fib), 0);
	assert_int_equal(fib_mock_route_count(c.mock), 99);
	/* The delete (and its group going), nothing for the 99. */
	assert_true(fib_mock_request_count(c.mock) - mid <= 3);
	fib_destroy(c.fib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ecmp_member_session_end),
		cmocka_unit_test(test_backup_session_end_beside_existing_group),
		cmocka_unit_test(test_orphans_deleted_others_untouched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
