/* The FIB on the mock kernel: groups per next-hop set, reuse, moves,
 * withdraws, prefix-independent repair, batches whose errors land on
 * the right route, and resync after lost answers (ENOBUFS). */
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

struct errlog {
	struct prefix pfx[64];
	int err[64];
	unsigned n;
};

static void on_error(void *arg, const struct prefix *pfx, int err)
{
	struct errlog *l = arg;
	if (l->n < 64) {
		l->pfx[l->n] = *pfx;
		l->err[l->n] = err;
	}
	l->n++;
}

struct ctx {
	struct fib *fib;
	struct fib_mock *mock;
	struct errlog errs;
};

static struct fib_route R(struct prefix p, unsigned n, const struct fib_nexthop *nhs)
{
	return fixture_route(p, nhs, n, NULL);
}

static void open_ctx(struct ctx *c, bool nhobj, bool ecmp)
{
	memset(c, 0, sizeof(*c));
	struct fib_config cfg = {.ecmp = ecmp};
	c->mock = fixture_open(&cfg, nhobj, on_error, &c->errs, &c->fib);
	assert_int_equal(fib_uses_nhobj(c->fib), nhobj);
}

static void expect_resolved(struct ctx *c, struct prefix p, unsigned n,
			    const struct fib_nexthop *want)
{
	struct fib_nhset got, exp = {0};
	uint32_t id;
	assert_int_equal(fib_mock_route_get(c->mock, &p, &id, &got), 0);
	for (unsigned i = 0; i < n; i++)
		fib_nhset_add(&exp, &want[i]);
	assert_int_equal(fib_nhset_normalize(&exp), 0);
	assert_true(fib_nhset_eq(&got, &exp));
}

static void test_multipath_set_gets_one_group(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true, true);
	struct fib_nexthop ab[] = {NH("192.0.2.1", 2), NH("198.51.100.1", 3)};
	struct fib_nexthop ba[] = {ab[1], ab[0]};
	fib_batch_begin(c.fib);
	for (unsigned i = 0; i < 10; i++) {
		struct fib_route r = R(P4(i), 2, i % 2 ? ab : ba);
		assert_int_equal(fib_route_install(c.fib, &r), 0);
	}
	assert_int_equal(fib_mock_route_count(c.mock), 0); /* queued, not sent */
	assert_int_equal(fib_batch_commit(c.fib), 0);
	assert_int_equal(fib_mock_route_count(c.mock), 10);
	assert_int_equal(fib_mock_group_count(c.mock), 1);
	assert_int_equal(fib_mock_nh_count(c.mock), 2);
	uint32_t gid = 0, id;
	for (unsigned i = 0; i < 10; i++) {
		struct prefix p = P4(i);
		expect_resolved(&c, p, 2, ab);
		assert_int_equal(fib_mock_route_get(c.mock, &p, &id, NULL), 0);
		if (i)
			assert_int_equal(id, gid); /* every route names the same group */
		gid = id;
	}
	uint32_t mem[FIB_NH_MAX];
	unsigned n;
	assert_int_equal(fib_mock_group_get(c.mock, gid, mem, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c.errs.n, 0);
	fib_destroy(c.fib);
}

static void test_groups_share_members(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true, true);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("192.0.2.2", 2),
			   cc = NH("2001:db8::1", 4);
	struct fib_nexthop s1[] = {a}, s2[] = {a, b}, s3[] = {b, a}, s4[] = {cc};
	fib_batch_begin(c.fib);
	struct fib_route r;
	r = R(P("10.0.0.0/8"), 1, s1);
	fib_route_install(c.fib, &r);
	r = R(P("10.1.0.0/16"), 2, s2);
	fib_route_install(c.fib, &r);
	r = R(P("10.2.0.0/16"), 2, s3);
	fib_route_install(c.fib, &r);
	r = R(P("2001:db8:1::/48"), 1, s4);
	fib_route_install(c.fib, &r);
	assert_int_equal(fib_batch_commit(c.fib), 0);
	assert_int_equal(fib_mock_group_count(c.mock), 3); /* {a}, {a,b}, {c} */
	assert_int_equal(fib_mock_nh_count(c.mock), 3);     /* a, b, c once each */
	struct fib_stats st;
	fib_stats_get(c.fib, &st);
	assert_int_equal(st.routes, 4);
	assert_int_equal(st.groups, 3);
	assert_int_equal(st.nexthops, 3);
	expect_resolved(&c, P("2001:db8:1::/48"), 1, s4);
	fib_destroy(c.fib);
}

static void test_route_moves_and_old_group_freed(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true, true);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("192.0.2.2", 2), d = NH("192.0.2.3", 3);
	struct fib_nexthop ab[] = {a, b}, dd[] = {d};
	struct fib_route r1 = R(P("10.1.0.0/16"), 2, ab), r2 = R(P("10.2.0.0/16"), 2, ab);
	assert_int_equal(fib_route_install(c.fib, &r1), 0); /* batches of one */
	assert_int_equal(fib_route_install(c.fib, &r2), 0);
	size_t req = fib_mock_request_count(c.mock);
	assert_int_equal(fib_route_install(c.fib, &r2), 0);
	assert_int_equal(fib_mock_request_count(c.mock), req); /* unchanged: nothing sent */

	/* r1 moves: {a,b} still has r2, so it stays. */
	r1 = R(P("10.1.0.0/16"), 1, dd);
	assert_int_equal(fib_route_install(c.fib, &r1), 0);
	expect_resolved(&c, P("10.1.0.0/16"), 1, dd);
	assert_int_equal(fib_mock_group_count(c.mock), 2);
	assert_int_equal(fib_mock_nh_count(c.mock), 3);
	/* r2 moves too: {a,b} has no route left, it and a, b go. */
	r2 = R(P("10.2.0.0/16"), 1, dd);
	assert_int_equal(fib_route_install(c.fib, &r2), 0);
	assert_int_equal(fib_mock_group_count(c.mock), 1);
	assert_int_equal(fib_mock_nh_count(c.mock), 1);
	uint32_t id1, id2;
	fib_mock_route_get(c.mock, &r1.pfx, &id1, NULL);
	fib_mock_route_get(c.mock, &r2.pfx, &id2, NULL);
	assert_int_equal(id1, id2);
	assert_int_equal(c.errs.n, 0);
	fib_destroy(c.fib);
}

static void test_withdraw_frees_unused(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true, true);
	struct fib_nexthop ab[] = {NH("192.0.2.1", 2), NH("192.0.2.2", 2)};
	fib_batch_begin(c.fib);
	for (unsigned i = 0; i < 100; i++) {
		struct fib_route r = R(P4(i), i < 50 ? 2 : 1, ab);
		assert_int_equal(fib_route_install(c.fib, &r), 0);
	}
	assert_int_equal(fib_batch_commit(c.fib), 0);
	assert_int_equal(fib_mock_group_count(c.mock), 2);
	fib_batch_begin(c.fib);
	for (unsigned i = 0; i < 50; i++) {
		struct prefix p = P4(i);
		assert_int_equal(fib_route_delete(c.fib, &p), 0);
	}
	assert_int_equal(fib_batch_commit(c.fib), 0);
	assert_int_equal(fib_mock_route_count(c.mock), 50);
	assert_int_equal(fib_mock_group_count(c.mock), 1); /* {a,b} went with its last route */
	assert_int_equal(fib_mock_nh_count(c.mock), 1);    /* b went with it, a stays */
	struct prefix gone = P4(3);
	assert_int_equal(fib_route_delete(c.fib, &gone), -ENOENT);
	assert_int_equal(fib_route_lookup(c.fib, &gone, NULL, NULL, NULL), -ENOENT);
	fib_batch_begin(c.fib);
	for (unsigned i = 50; i < 100; i++) {
		struct prefix p = P4(i);
		assert_int_equal(fib_route_delete(c.fib, &p), 0);
	}
	assert_int_equal(fib_batch_commit(c.fib), 0);
	assert_int_equal(fib_mock_route_count(c.mock), 0);
	assert_int_equal(fib_mock_group_count(c.mock), 0);
	assert_int_equal(fib_mock_nh_count(c.mock), 0);
	assert_int_equal(c.errs.n, 0);
	fib_destroy(c.fib);
}

static void test_nexthop_down_is_one_request(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true, true);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("198.51.100.1", 3);
	struct fib_nexthop ab[] = {a, b}, bb[] = {b};
	fib_batch_begin(c.fib);
	for (unsigned i = 0; i < 1000; i++) {
		struct fib_route r = R(P4(i), 2, ab);
		fib_route_install(c.fib, &r);
	}
	assert_int_equal(fib_batch_commit(c.fib), 0);
	size_t before = fib_mock_request_count(c.mock);
	assert_int_equal(fib_nexthop_down(c.fib, &a), 0);
	/* One group replace, plus deleting the now unused nexthop a:
	 * independent of the thousand routes. */
	assert_int_equal(fib_mock_request_count(c.mock) - before, 2);
	for (unsigned i = 0; i < 1000; i += 97)
		expect_resolved(&c, P4(i), 1, bb);
	assert_int_equal(fib_mock_nh_count(c.mock), 1);
	/* b dying leaves groups with no member: reported, left alone. */
	assert_int_equal(fib_nexthop_down(c.fib, &b), 1);
	expect_resolved(&c, P4(5), 1, bb);
	/* New routes with {b} find the replaced group. */
	struct fib_route r = R(P("192.168.0.0/16"), 1, bb);
	assert_int_equal(fib_route_install(c.fib, &r), 0);
	assert_int_equal(fib_mock_group_count(c.mock), 1);
	fib_destroy(c.fib);
}

static void test_group_replace_new_members(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true, true);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("192.0.2.2", 2), d = NH("192.0.2.3", 3);
	struct fib_nexthop ab[] = {a, b}, ad[] = {a, d};
	struct fib_nhset from = {0}, to = {0};
	fib_nhset_add(&from, &a);
	fib_nhset_add(&from, &b);
	fib_nhset_add(&to, &d);
	fib_nhset_add(&to, &a);
	assert_int_equal(fib_group_replace(c.fib, &from, &to), -ENOENT);
	for (unsigned i = 0; i < 20; i++) {
		struct fib_route r = R(P4(i), 2, ab);
		fib_route_install(c.fib, &r);
	}
	assert_int_equal(fib_group_replace(c.fib, &from, &to), 0);
	for (unsigned i = 0; i < 20; i++)
		expect_resolved(&c, P4(i), 2, ad);
	struct fib_nhset nhs;
	struct prefix p = P4(7);
	assert_int_equal(fib_route_lookup(c.fib, &p, &nhs, NULL, NULL), 0);
	fib_nhset_normalize(&to);
	assert_true(fib_nhset_eq(&nhs, &to));
	assert_int_equal(fib_mock_nh_count(c.mock), 2); /* b went */
	fib_destroy(c.fib);
}

static void test_inline_fallback(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, false, true);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("198.51.100.1", 3);
	struct fib_nexthop ab[] = {a, b}, bb[] = {b};
	fib_batch_begin(c.fib);
	for (unsigned i = 0; i < 100; i++) {
		struct fib_route r = R(P4(i), 2, ab);
		fib_route_install(c.fib, &r);
	}
	assert_int_equal(fib_batch_commit(c.fib), 0);
	assert_int_equal(fib_mock_group_count(c.mock), 0);
	assert_int_equal(fib_mock_nh_count(c.mock), 0);
	uint32_t id = 1;
	struct prefix p = P4(4);
	assert_int_equal(fib_mock_route_get(c.mock, &p, &id, NULL), 0);
	assert_int_equal(id, 0);
	expect_resolved(&c, p, 2, ab);
	size_t before = fib_mock_request_count(c.mock);
	assert_int_equal(fib_nexthop_down(c.fib, &a), 0);
	/* Without nexthop objects every route is rewritten. */
	assert_int_equal(fib_mock_request_count(c.mock) - before, 100);
	expect_resolved(&c, p, 1, bb);
	assert_int_equal(c.errs.n, 0);
	fib_destroy(c.fib);
}

static void test_ecmp_off_uses_one_path(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true, false);
	struct fib_nexthop ab[] = {NH("192.0.2.2", 2), NH("192.0.2.1", 2)};
	struct fib_route r = R(P("10.0.0.0/8"), 2, ab);
	assert_int_equal(fib_route_install(c.fib, &r), 0);
	struct fib_nexthop first[] = {ab[1]}; /* lowest in canonical order */
	expect_resolved(&c, r.pfx, 1, first);
	fib_destroy(c.fib);
}

static void test_errors_land_on_their_route(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true, true);
	struct fib_nexthop a[] = {NH("192.0.2.1", 2)};
	struct prefix bad = P4(57);
	fib_mock_fail_route(c.mock, &bad, -EEXIST);
	fib_batch_begin(c.fib);
	for (unsigned i = 0; i < 100; i++) {
		struct fib_route r = R(P4(i), 1, a);
		fib_route_install(c.fib, &r);
	}
	assert_int_equal(fib_batch_commit(c.fib), 0);
	assert_int_equal(c.errs.n, 1);
	assert_true(prefix_eq(&c.errs.pfx[0], &bad));
	assert_int_equal(c.errs.err[0], -EEXIST);
	assert_int_equal(fib_mock_route_count(c.mock), 99);
	int err = 0;
	assert_int_equal(fib_route_lookup(c.fib, &bad, NULL, NULL, &err), 0);
	assert_int_equal(err, -EEXIST);
	struct prefix good = P4(56);
	assert_int_equal(fib_route_lookup(c.fib, &good, NULL, NULL, &err), 0);
	assert_int_equal(err, 0);
	struct fib_stats st;
	fib_stats_get(c.fib, &st);
	assert_int_equal(st.routes_failed, 1);
	/* Installing the same route again retries it: it failed, so it is
	 * not taken for already installed. */
	struct fib_route r = R(bad, 1, a);
	assert_int_equal(fib_route_install(c.fib, &r), 0);
	assert_int_equal(fib_mock_route_count(c.mock), 100);
	fib_stats_get(c.fib, &st);
	assert_int_equal(st.routes_failed, 0);
	fib_destroy(c.fib);
}

static void test_failed_group_fails_its_routes_then_retries(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true, true);
	struct fib_nexthop ab[] = {NH("192.0.2.1", 2), NH("192.0.2.2", 2)};
	struct fib_nexthop one[] = {NH("203.0.113.1", 5)};
	fib_mock_fail_next(c.mock, FIB_OP_GROUP, -ENOSPC);
	fib_batch_begin(c.fib);
	struct fib_route r1 = R(P("10.1.0.0/16"), 2, ab), r2 = R(P("10.2.0.0/16"), 2, ab),
			 r3 = R(P("10.3.0.0/16"), 1, one);
	fib_route_install(c.fib, &r1);
	fib_route_install(c.fib, &r2);
	fib_route_install(c.fib, &r3);
	assert_int_equal(fib_batch_commit(c.fib), 0);
	/* The group failed; the kernel refuses both routes naming it and
	 * each error is reported for its own route; r3 is unaffected. */
	assert_int_equal(c.errs.n, 2);
	assert_true(prefix_eq(&c.errs.pfx[0], &r1.pfx));
	assert_true(prefix_eq(&c.errs.pfx[1], &r2.pfx));
	assert_int_equal(fib_mock_route_count(c.mock), 1);
	/* The next install sends the group again. */
	assert_int_equal(fib_route_install(c.fib, &r1), 0);
	assert_int_equal(fib_route_install(c.fib, &r2), 0);
	assert_int_equal(fib_mock_route_count(c.mock), 3);
	expect_resolved(&c, r2.pfx, 2, ab);
	assert_int_equal(c.errs.n, 2);
	fib_destroy(c.fib);
}

static void test_resync_after_enobufs(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true, true);
	struct fib_nexthop ab[] = {NH("192.0.2.1", 2), NH("192.0.2.2", 2)};
	fib_batch_begin(c.fib);
	for (unsigned i = 0; i < 200; i++) {
		struct fib_route r = R(P4(i), 1 + i % 2, ab);
		fib_route_install(c.fib, &r);
	}
	assert_int_equal(fib_batch_commit(c.fib), 0);
	/* A batch is lost whole: the FIB cannot know what the kernel did. */
	fib_mock_fail_commit(c.mock, -ENOBUFS);
	fib_batch_begin(c.fib);
	for (unsigned i = 200; i < 300; i++) {
		struct fib_route r = R(P4(i), 2, ab);
		fib_route_install(c.fib, &r);
	}
	for (unsigned i = 0; i < 10; i++) {
		struct prefix p = P4(i);
		fib_route_delete(c.fib, &p);
	}
	assert_int_equal(fib_batch_commit(c.fib), -ENOBUFS);
	assert_int_equal(fib_mock_route_count(c.mock), 200);
	/* ...and someone deletes one of ours by hand meanwhile. */
	struct prefix p150 = P4(150);
	assert_int_equal(fib_mock_route_forget(c.mock, &p150), 0);
	assert_int_equal(fib_resync(c.fib), 0);
	assert_int_equal(fib_mock_route_count(c.mock), 290);
	for (unsigned i = 10; i < 300; i += 7)
		expect_resolved(&c, P4(i), i >= 200 ? 2 : 1 + i % 2, ab);
	expect_resolved(&c, p150, 1, ab);
	struct prefix p3 = P4(3);
	assert_int_equal(fib_mock_route_get(c.mock, &p3, NULL, NULL), -ENOENT);
	assert_int_equal(fib_mock_group_count(c.mock), 2);
	assert_int_equal(c.errs.n, 0);
	fib_destroy(c.fib);
}

static void test_resync_restores_deleted_group(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true, true);
	struct fib_nexthop ab[] = {NH("192.0.2.1", 2), NH("192.0.2.2", 2)};
	fib_batch_begin(c.fib);
	for (unsigned i = 0; i < 50; i++) {
		struct fib_route r = R(P4(i), 2, ab);
		fib_route_install(c.fib, &r);
	}
	assert_int_equal(fib_batch_commit(c.fib), 0);
	uint32_t gid;
	struct prefix p = P4(1);
	assert_int_equal(fib_route_lookup(c.fib, &p, NULL, &gid, NULL), 0);
	/* `ip nexthop del id G` by hand: the kernel drops its routes too. */
	assert_int_equal(fib_mock_nh_forget(c.mock, gid), 0);
	assert_int_equal(fib_mock_route_count(c.mock), 0);
	assert_int_equal(fib_resync(c.fib), 0);
	assert_int_equal(fib_mock_route_count(c.mock), 50);
	assert_int_equal(fib_mock_group_count(c.mock), 1);
	expect_resolved(&c, P4(33), 2, ab);
	assert_int_equal(c.errs.n, 0);
	fib_destroy(c.fib);
}

static void test_startup_sweeps_stale(void **state)
{
	(void)state;
	struct fib_backend be;
	assert_int_equal(fib_mock_open(true, &be), 0);
	struct fib_mock *m = fib_mock_from(&be);
	/* What an earlier egressd left: a nexthop at our base id, a route
	 * through it, and an inline route. */
	struct fib_nexthop old = NH("192.0.2.77", 9);
	assert_int_equal(fib_mock_nh_plant(m, FIB_NH_ID_BASE_DEFAULT, &old), 0);
	struct prefix sp = P("172.16.0.0/12"), si = P("2001:db8:99::/48");
	assert_int_equal(fib_mock_route_plant(m, &sp, FIB_NH_ID_BASE_DEFAULT), 0);
	assert_int_equal(fib_mock_route_plant(m, &si, 0), 0);
	struct errlog errs = {0};
	struct fib *f;
	struct fib_config cfg = {.ecmp = true};
	assert_int_equal(fib_create(&cfg, be, on_error, &errs, &f), 0);
	/* New objects start above the stale id, so the new group (a
	 * different kind of object) never lands on it. */
	struct fib_nexthop a[] = {NH("192.0.2.1", 2)};
	struct fib_route r = R(P("10.0.0.0/8"), 1, a);
	assert_int_equal(fib_route_install(f, &r), 0);
	uint32_t gid = 0;
	assert_int_equal(fib_route_lookup(f, &r.pfx, NULL, &gid, NULL), 0);
	assert_true(gid > FIB_NH_ID_BASE_DEFAULT);
	assert_int_equal(errs.n, 0);
	/* Graceful restart: the stale route forwarded until now; the
	 * resync removes it and the stale nexthop, keeps ours. */
	assert_int_equal(fib_mock_route_count(m), 3);
	assert_int_equal(fib_resync(f), 0);
	assert_int_equal(fib_mock_route_count(m), 1);
	assert_int_equal(fib_mock_route_get(m, &sp, NULL, NULL), -ENOENT);
	assert_int_equal(fib_mock_route_get(m, &si, NULL, NULL), -ENOENT);
	assert_int_equal(fib_mock_nh_count(m), 1);
	assert_int_equal(fib_mock_group_count(m), 1);
	expect_resolved(&(struct ctx){.mock = m}, r.pfx, 1, a);
	fib_destroy(f);
}

struct diffs {
	struct prefix pfx[8];
	enum fib_diff kind[8];
	unsigned n;
};

static void on_diff(void *arg, const struct prefix *pfx, enum fib_diff kind)
{
	struct diffs *d = arg;
	if (d->n < 8) {
		d->pfx[d->n] = *pfx;
		d->kind[d->n] = kind;
	}
	d->n++;
}

static void test_check_lists_differences(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true, true);
	struct fib_nexthop a[] = {NH("192.0.2.1", 2)}, b[] = {NH("192.0.2.2", 2)};
	fib_batch_begin(c.fib);
	for (unsigned i = 0; i < 20; i++) {
		struct fib_route r = R(P4(i), 1, i == 19 ? b : a);
		fib_route_install(c.fib, &r);
	}
	assert_int_equal(fib_batch_commit(c.fib), 0);
	struct diffs d = {0};
	assert_int_equal(fib_check(c.fib, on_diff, &d), 0);
	assert_int_equal(d.n, 0);
	/* By hand: one deleted, one added with our protocol, one pointed
	 * at another nexthop (the group of route 19). */
	struct prefix gone = P4(4), extra = P("192.168.0.0/16"), moved = P4(7), p19 = P4(19);
	uint32_t other;
	assert_int_equal(fib_route_lookup(c.fib, &p19, NULL, &other, NULL), 0);
	assert_int_equal(fib_mock_route_forget(c.mock, &gone), 0);
	assert_int_equal(fib_mock_route_plant(c.mock, &extra, 0), 0);
	assert_int_equal(fib_mock_route_plant(c.mock, &moved, other), 0);
	assert_int_equal(fib_check(c.fib, on_diff, &d), 3);
	bool saw[3] = {false};
	for (unsigned i = 0; i < d.n; i++) {
		switch (d.kind[i]) {
		case FIB_DIFF_MISSING: assert_true(prefix_eq(&d.pfx[i], &gone)); break;
		case FIB_DIFF_EXTRA: assert_true(prefix_eq(&d.pfx[i], &extra)); break;
		case FIB_DIFF_NEXTHOP: assert_true(prefix_eq(&d.pfx[i], &moved)); break;
		default: fail_msg("no backup routes here, yet a backup difference"); break;
		}
		saw[d.kind[i]] = true;
	}
	assert_true(saw[0] && saw[1] && saw[2]);
	assert_string_equal(fib_diff_name(FIB_DIFF_MISSING), "missing");
	/* A resync mends all three. */
	assert_int_equal(fib_resync(c.fib), 0);
	assert_int_equal(fib_check(c.fib, NULL, NULL), 0);
	/* A route the kernel refused is not expected there. */
	struct prefix bad = P("10.99.0.0/16");
	fib_mock_fail_route(c.mock, &bad, -EINVAL);
	struct fib_route r = R(bad, 1, a);
	fib_route_install(c.fib, &r);
	assert_int_equal(fib_check(c.fib, NULL, NULL), 0);
	fib_destroy(c.fib);
}

static void test_check_inline(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, false, true);
	struct fib_nexthop ab[] = {NH("192.0.2.1", 2), NH("192.0.2.2", 2)};
	struct fib_route r = R(P("10.0.0.0/8"), 2, ab);
	fib_route_install(c.fib, &r);
	assert_int_equal(fib_check(c.fib, NULL, NULL), 0);
	/* replaced by hand with a one-path route (inline, ifindex 1) */
	assert_int_equal(fib_mock_route_plant(c.mock, &r.pfx, 0), 0);
	struct diffs d = {0};
	assert_int_equal(fib_check(c.fib, on_diff, &d), 1);
	assert_int_equal(d.kind[0], FIB_DIFF_NEXTHOP);
	fib_destroy(c.fib);
}

static void test_rejects_bad_routes(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true, true);
	struct fib_route r = {.pfx = P("10.0.0.0/8")};
	assert_int_equal(fib_route_install(c.fib, &r), -EINVAL); /* no next hop */
	struct fib_nexthop nodev[] = {NH("192.0.2.1", 0)};
	r = R(P("10.0.0.0/8"), 1, nodev);
	/* Nexthop objects need the device (the caller resolves it). */
	assert_int_equal(fib_route_install(c.fib, &r), -EINVAL);
	struct fib_stats st;
	fib_stats_get(c.fib, &st);
	assert_int_equal(st.routes, 0);
	assert_int_equal(st.groups, 0);
	assert_int_equal(st.nexthops, 0);
	/* Host bits are cleared, so both spellings are one route. */
	struct fib_nexthop a[] = {NH("192.0.2.1", 2)};
	r = R(P("10.0.0.0/8"), 1, a);
	r.pfx.addr.b[3] = 1;
	assert_int_equal(fib_route_install(c.fib, &r), 0);
	struct prefix clean = P("10.0.0.0/8");
	assert_int_equal(fib_route_lookup(c.fib, &clean, NULL, NULL, NULL), 0);
	fib_destroy(c.fib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multipath_set_gets_one_group),
		cmocka_unit_test(test_groups_share_members),
		cmocka_unit_test(test_route_moves_and_old_group_freed),
		cmocka_unit_test(test_withdraw_frees_unused),
		cmocka_unit_test(test_nexthop_down_is_one_request),
		cmocka_unit_test(test_group_replace_new_members),
		cmocka_unit_test(test_inline_fallback),
		cmocka_unit_test(test_ecmp_off_uses_one_path),
		cmocka_unit_test(test_errors_land_on_their_route),
		cmocka_unit_test(test_failed_group_fails_its_routes_then_retries),
		cmocka_unit_test(test_resync_after_enobufs),
		cmocka_unit_test(test_resync_restores_deleted_group),
		cmocka_unit_test(test_startup_sweeps_stale),
		cmocka_unit_test(test_check_lists_differences),
		cmocka_unit_test(test_check_inline),
		cmocka_unit_test(test_rejects_bad_routes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
