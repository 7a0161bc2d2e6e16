/* Backup routes (fib_backup.c) on the mock kernel: a second route per
 * prefix at the backup priority through the backup's group, written
 * after the primaries, surviving the kernel's own flush of a dead
 * link's groups, moved and withdrawn with their primary, every kernel
 * error mapped to its prefix, known to fib_check and fib_resync. */
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

#define NROUTES 100
#define BM FIB_BACKUP_METRIC_DEFAULT

static struct fib_route R(struct prefix p, const struct fib_nexthop *nh,
			  const struct fib_nexthop *bk)
{
	return fixture_route(p, nh, 1, bk);
}

struct ctx {
	struct fib *fib;
	struct fib_mock *mock;
	unsigned nerr;
	struct prefix err_pfx;
	int err;
};

static void on_error(void *arg, const struct prefix *pfx, int err)
{
	struct ctx *c = arg;
	c->nerr++;
	c->err_pfx = *pfx;
	c->err = err;
}

static void open_ctx(struct ctx *c, bool backups)
{
	memset(c, 0, sizeof(*c));
	struct fib_config cfg = {.ecmp = true, .backup_routes = backups};
	c->mock = fixture_open(&cfg, true, on_error, c, &c->fib);
}

/* The kernel's route of priority metric for p goes through `want`
 * (NULL: there is none). */
static void expect_route(struct ctx *c, struct prefix p, uint32_t metric,
			 const struct fib_nexthop *want)
{
	struct fib_nhset got;
	int rc = fib_mock_route_get_metric(c->mock, &p, metric, NULL, &got);
	if (!want) {
		assert_int_equal(rc, -ENOENT);
		return;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(got.n, 1);
	assert_int_equal(fib_nexthop_cmp(&got.nh[0], want), 0);
}

static void install_all(struct ctx *c, const struct fib_nexthop *nh,
			const struct fib_nexthop *bk)
{
	fib_batch_begin(c->fib);
	for (unsigned i = 0; i < NROUTES; i++) {
		struct fib_route r = R(P4(i), nh, bk);
		assert_int_equal(fib_route_install(c->fib, &r), 0);
	}
	assert_int_equal(fib_batch_commit(c->fib), 0);
}

static void test_written_after_primaries(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("198.51.100.1", 3);
	install_all(&c, &a, &b);
	/* Primaries only, the backups queued. */
	assert_int_equal(fib_mock_route_count(c.mock), NROUTES);
	assert_int_equal(fib_backup_pending(c.fib), NROUTES);
	expect_route(&c, P4(7), BM, NULL);
	/* A budget: part now, the rest later. */
	assert_int_equal(fib_backup_write(c.fib, 30), NROUTES - 30);
	assert_int_equal(fib_mock_route_count(c.mock), NROUTES + 30);
	assert_int_equal(fib_backup_write(c.fib, 1000), 0);
	assert_int_equal(fib_mock_route_count(c.mock), 2 * NROUTES);
	for (unsigned i = 0; i < NROUTES; i++) {
		expect_route(&c, P4(i), 0, &a);
		expect_route(&c, P4(i), BM, &b);
	}
	/* Groups {A | backup B} for the primaries and {B} for the backups. */
	assert_int_equal(fib_mock_group_count(c.mock), 2);
	struct fib_stats st;
	fib_stats_get(c.fib, &st);
	assert_int_equal(st.backups, NROUTES);
	assert_int_equal(st.backups_pending, 0);
	struct fib_nhset bs;
	uint32_t bid = 0;
	int berr = 1;
	assert_int_equal(fib_backup_lookup(c.fib, &(struct prefix){P4(3).addr, 24}, &bs, &bid,
					   &berr), 0);
	assert_int_equal(berr, 0);
	assert_true(bid != 0);
	assert_int_equal(fib_nexthop_cmp(&bs.nh[0], &b), 0);
	assert_int_equal(fib_check(c.fib, NULL, NULL), 0);
	/* Writing again changes nothing. */
	size_t req = fib_mock_request_count(c.mock);
	install_all(&c, &a, &b);
	assert_int_equal(fib_backup_write(c.fib, 1000), 0);
	assert_int_equal(fib_mock_request_count(c.mock), req);
	fib_destroy(c.fib);
}

static void test_survive_kernel_flush_then_converge(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("198.51.100.1", 3);
	install_all(&c, &a, &b);
	fib_backup_write(c.fib, 1000);
	/* A's link goes down: the kernel deletes nexthop A, the group it
	 * emptied and every primary route on it. */
	struct fib_nhset pnh;
	uint32_t gid;
	assert_int_equal(fib_route_lookup(c.fib, &(struct prefix){P4(0).addr, 24}, &pnh, &gid,
					  NULL), 0);
	uint32_t grp[FIB_NH_MAX];
	unsigned ng = 0;
	assert_int_equal(fib_mock_group_get(c.mock, gid, grp, &ng), 0);
	assert_int_equal(ng, 1);
	assert_int_equal(fib_mock_nh_forget(c.mock, grp[0]), 0);
	/* Forwarding goes on through every backup route, nothing written. */
	for (unsigned i = 0; i < NROUTES; i++) {
		expect_route(&c, P4(i), 0, NULL);
		expect_route(&c, P4(i), BM, &b);
	}
	size_t req = fib_mock_request_count(c.mock);
	assert_int_equal(fib_nexthop_gone(c.fib, &a), 1);
	assert_int_equal(fib_mock_request_count(c.mock), req);
	/* The primaries are known gone (not "missing"), the backups there. */
	assert_int_equal(fib_check(c.fib, NULL, NULL), 0);
	assert_int_equal(fib_backup_pending(c.fib), 0);
	/* The Loc-RIB re-decides: B is best, with no backup: exactly what
	 * the backup routes forward by.  They become the routes: no route
	 * is written, only the dead group and its nexthop are let go (two
	 * deletes the kernel has already done). */
	install_all(&c, &b, NULL);
	assert_int_equal(fib_mock_request_count(c.mock), req + 2);
	req = fib_mock_request_count(c.mock);
	assert_int_equal(fib_backup_pending(c.fib), 0);
	struct fib_stats st;
	fib_stats_get(c.fib, &st);
	assert_int_equal(st.routes_failed, 0);
	for (unsigned i = 0; i < NROUTES; i++) {
		struct fib_nhset nhs;
		int err = 1;
		assert_int_equal(fib_route_lookup(c.fib, &(struct prefix){P4(i).addr, 24}, &nhs,
						  NULL, &err), 0);
		assert_int_equal(err, 0);
		assert_int_equal(fib_nexthop_cmp(&nhs.nh[0], &b), 0);
		expect_route(&c, P4(i), 0, NULL);
		expect_route(&c, P4(i), BM, &b);
	}
	assert_int_equal(fib_mock_route_count(c.mock), NROUTES);
	assert_int_equal(fib_check(c.fib, NULL, NULL), 0);
	/* Installing the same again still writes nothing. */
	install_all(&c, &b, NULL);
	assert_int_equal(fib_mock_request_count(c.mock), req);
	/* A comes back: primaries through A are written, and the backup
	 * routes through B are already what they should be. */
	install_all(&c, &a, &b);
	assert_int_equal(fib_backup_pending(c.fib), 0);
	for (unsigned i = 0; i < NROUTES; i++) {
		expect_route(&c, P4(i), 0, &a);
		expect_route(&c, P4(i), BM, &b);
	}
	assert_int_equal(fib_check(c.fib, NULL, NULL), 0);
	/* Withdrawn: both routes and every object go. */
	fib_batch_begin(c.fib);
	for (unsigned i = 0; i < NROUTES; i++)
		assert_int_equal(fib_route_delete(c.fib, &(struct prefix){P4(i).addr, 24}), 0);
	assert_int_equal(fib_batch_commit(c.fib), 0);
	assert_int_equal(fib_mock_route_count(c.mock), 0);
	assert_int_equal(fib_mock_group_count(c.mock), 0);
	assert_int_equal(fib_mock_nh_count(c.mock), 0);
	assert_int_equal(c.nerr, 0);
	fib_destroy(c.fib);
}

/* The delete of a primary names no priority; were the primary already
 * flushed, it would take the backup route: the backup goes first. */
static void test_resync_while_promoted(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("198.51.100.1", 3);
	install_all(&c, &a, &b);
	fib_backup_write(c.fib, 1000);
	uint32_t gid = 0, grp[FIB_NH_MAX];
	unsigned ng = 0;
	assert_int_equal(fib_route_lookup(c.fib, &(struct prefix){P4(0).addr, 24}, NULL, &gid,
					  NULL), 0);
	assert_int_equal(fib_mock_group_get(c.mock, gid, grp, &ng), 0);
	assert_int_equal(fib_mock_nh_forget(c.mock, grp[0]), 0);
	assert_int_equal(fib_nexthop_gone(c.fib, &a), 1);
	install_all(&c, &b, NULL); /* promoted */
	assert_int_equal(fib_mock_route_count(c.mock), NROUTES);
	assert_int_equal(fib_resync(c.fib), 0);
	/* Primaries written, the backup routes (no backup wanted) queued
	 * for deletion and gone after the write. */
	assert_int_equal(fib_backup_write(c.fib, 1000), 0);
	for (unsigned i = 0; i < NROUTES; i++) {
		expect_route(&c, P4(i), 0, &b);
		expect_route(&c, P4(i), BM, NULL);
	}
	assert_int_equal(fib_check(c.fib, NULL, NULL), 0);
	fib_destroy(c.fib);
}

/* In the daemon the session over the dead link ends right after the
 * link event, and its repair (fib_nexthop_down) gives the emptied group
 * the backup's next hops and no backup; the backup routes must still
 * stay, whenever the idle writer runs, until the primaries are back. */
static void test_flush_then_session_repair_keeps_backups(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("198.51.100.1", 3);
	install_all(&c, &a, &b);
	fib_backup_write(c.fib, 1000);
	uint32_t gid = 0, grp[FIB_NH_MAX];
	unsigned ng = 0;
	assert_int_equal(fib_route_lookup(c.fib, &(struct prefix){P4(0).addr, 24}, NULL, &gid,
					  NULL), 0);
	assert_int_equal(fib_mock_group_get(c.mock, gid, grp, &ng), 0);
	assert_int_equal(fib_mock_nh_forget(c.mock, grp[0]), 0);
	assert_int_equal(fib_nexthop_gone(c.fib, &a), 1);
	assert_int_equal(fib_nexthop_down(c.fib, &a), 0);
	assert_int_equal(fib_backup_write(c.fib, 1000), 0);
	for (unsigned i = 0; i < NROUTES; i++)
		expect_route(&c, P4(i), BM, &b);
	/* The re-decision: kept as the routes, nothing written. */
	size_t req = fib_mock_request_count(c.mock);
	install_all(&c, &b, NULL);
	assert_int_equal(fib_backup_write(c.fib, 1000), 0);
	for (unsigned i = 0; i < NROUTES; i++) {
		expect_route(&c, P4(i), BM, &b);
		expect_route(&c, P4(i), 0, NULL);
	}
	assert_true(fib_mock_request_count(c.mock) - req <= 2);
	assert_int_equal(fib_check(c.fib, NULL, NULL), 0);
	fib_destroy(c.fib);
}

/* Graceful restart: the sweep deletes the previous run's nexthops and,
 * with them, its backup routes; the ones this run wants but has not
 * written yet are written first, so none goes missing. */
static void test_sweep_keeps_backups_still_queued(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("198.51.100.1", 3);
	struct prefix p = P4(1), stale = P4(2);
	/* Left by the previous run: backup routes for p and stale. */
	assert_int_equal(fib_mock_nh_plant(c.mock, 77, &b), 0);
	assert_int_equal(fib_mock_route_plant_metric(c.mock, &p, BM, 77), 0);
	assert_int_equal(fib_mock_route_plant_metric(c.mock, &stale, BM, 77), 0);
	struct fib_route r = R(p, &a, &b);
	assert_int_equal(fib_route_install(c.fib, &r), 0);
	assert_true(fib_backup_pending(c.fib) > 0);
	assert_int_equal(fib_resync(c.fib), 0);
	expect_route(&c, p, BM, &b);        /* ours, through our group */
	expect_route(&c, stale, BM, NULL);  /* nobody wants it */
	assert_int_equal(fib_backup_pending(c.fib), 0);
	uint32_t bid = 0;
	assert_int_equal(fib_backup_lookup(c.fib, &p, NULL, &bid, NULL), 0);
	uint32_t kid = 0;
	assert_int_equal(fib_mock_route_get_metric(c.mock, &p, BM, &kid, NULL), 0);
	assert_int_equal(kid, bid);
	assert_int_equal(fib_check(c.fib, NULL, NULL), 0);
	fib_destroy(c.fib);
}

static void test_withdraw_after_flush_leaves_nothing(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("198.51.100.1", 3);
	install_all(&c, &a, &b);
	fib_backup_write(c.fib, 1000);
	struct prefix p = P4(5);
	assert_int_equal(fib_mock_route_forget(c.mock, &p), 0); /* primary only */
	expect_route(&c, p, BM, &b);
	assert_int_equal(fib_route_delete(c.fib, &p), 0);
	expect_route(&c, p, BM, NULL);
	expect_route(&c, p, 0, NULL);
	expect_route(&c, P4(6), BM, &b); /* others untouched */
	fib_destroy(c.fib);
}

static void test_session_down_repair_drops_backups(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("198.51.100.1", 3);
	install_all(&c, &a, &b);
	fib_backup_write(c.fib, 1000);
	/* A's session ends: one group replace moves the primaries to B. */
	size_t req = fib_mock_request_count(c.mock);
	assert_int_equal(fib_nexthop_down(c.fib, &a), 0);
	assert_true(fib_mock_request_count(c.mock) - req <= 2);
	for (unsigned i = 0; i < NROUTES; i++)
		expect_route(&c, P4(i), 0, &b);
	/* The backup routes have nothing left to back up: deleted later
	 * (the group's routes are looked at then, not in the repair). */
	assert_true(fib_backup_pending(c.fib) > 0);
	assert_int_equal(fib_mock_route_count(c.mock), 2 * NROUTES);
	assert_int_equal(fib_backup_write(c.fib, 1000), 0);
	assert_int_equal(fib_mock_route_count(c.mock), NROUTES);
	/* The re-decision finds the routes where they are. */
	req = fib_mock_request_count(c.mock);
	install_all(&c, &b, NULL);
	assert_int_equal(fib_backup_pending(c.fib), 0);
	assert_int_equal(fib_mock_request_count(c.mock), req);
	assert_int_equal(fib_check(c.fib, NULL, NULL), 0);
	fib_destroy(c.fib);
}

static void test_same_interface_or_off_means_none(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true);
	/* The backup on the primary's own link dies with it. */
	struct fib_nexthop a = NH("192.0.2.1", 2), a2 = NH("192.0.2.2", 2);
	install_all(&c, &a, &a2);
	assert_int_equal(fib_backup_pending(c.fib), 0);
	assert_int_equal(fib_mock_route_count(c.mock), NROUTES);
	fib_destroy(c.fib);
	/* Switched off: none either. */
	open_ctx(&c, false);
	struct fib_nexthop b = NH("198.51.100.1", 3);
	install_all(&c, &a, &b);
	assert_int_equal(fib_backup_pending(c.fib), 0);
	assert_int_equal(fib_backup_write(c.fib, 1000), 0);
	assert_int_equal(fib_mock_route_count(c.mock), NROUTES);
	fib_destroy(c.fib);
}

static void test_errors_mapped_to_prefix(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("198.51.100.1", 3);
	install_all(&c, &a, &b);
	struct prefix bad = P4(42);
	fib_mock_fail_route(c.mock, &bad, -EINVAL);
	assert_int_equal(fib_backup_write(c.fib, 1000), 0);
	assert_int_equal(c.nerr, 1);
	assert_true(prefix_eq(&c.err_pfx, &bad));
	assert_int_equal(c.err, -EINVAL);
	int berr = 0;
	assert_int_equal(fib_backup_lookup(c.fib, &bad, NULL, NULL, &berr), 0);
	assert_int_equal(berr, -EINVAL);
	/* The refused one is not expected in the kernel; its primary and
	 * the others' backups are there. */
	expect_route(&c, bad, 0, &a);
	expect_route(&c, bad, BM, NULL);
	assert_int_equal(fib_mock_route_count(c.mock), 2 * NROUTES - 1);
	assert_int_equal(fib_check(c.fib, NULL, NULL), 0);
	/* The resync sends it again. */
	assert_int_equal(fib_resync(c.fib), 0);
	expect_route(&c, bad, BM, &b);
	fib_destroy(c.fib);
}

struct diffs {
	unsigned n[6];
	struct prefix last[6];
};

static void on_diff(void *arg, const struct prefix *pfx, enum fib_diff kind)
{
	struct diffs *d = arg;
	d->n[kind]++;
	d->last[kind] = *pfx;
}

static void test_check_and_resync(void **state)
{
	(void)state;
	struct ctx c;
	open_ctx(&c, true);
	struct fib_nexthop a = NH("192.0.2.1", 2), b = NH("198.51.100.1", 3);
	install_all(&c, &a, &b);
	fib_backup_write(c.fib, 1000);
	/* By hand: one backup route replaced by an inline one, one planted
	 * for a prefix we do not hold, one pointed at the primary's group,
	 * and a route of ours at some other priority (an earlier run's
	 * setting). */
	struct prefix inl = P4(1), extra = P4(500), moved = P4(2), odd = P4(3);
	uint32_t pgid = 0, bgid = 0;
	assert_int_equal(fib_route_lookup(c.fib, &moved, NULL, &pgid, NULL), 0);
	assert_int_equal(fib_backup_lookup(c.fib, &moved, NULL, &bgid, NULL), 0);
	assert_int_equal(fib_mock_route_plant_metric(c.mock, &inl, BM, 0), 0);
	assert_int_equal(fib_mock_route_plant_metric(c.mock, &extra, BM, bgid), 0);
	assert_int_equal(fib_mock_route_plant_metric(c.mock, &moved, BM, pgid), 0);
	assert_int_equal(fib_mock_route_plant_metric(c.mock, &odd, 77, bgid), 0);
	struct diffs d = {0};
	assert_int_equal(fib_check(c.fib, on_diff, &d), 4);
	assert_int_equal(d.n[FIB_DIFF_BACKUP_EXTRA], 1);
	assert_true(prefix_eq(&d.last[FIB_DIFF_BACKUP_EXTRA], &extra));
	assert_int_equal(d.n[FIB_DIFF_BACKUP_NEXTHOP], 2);
	assert_int_equal(d.n[FIB_DIFF_EXTRA], 1);
	assert_true(prefix_eq(&d.last[FIB_DIFF_EXTRA], &odd));
	assert_int_equal(d.n[FIB_DIFF_MISSING] + d.n[FIB_DIFF_NEXTHOP], 0);
	assert_int_equal(fib_resync(c.fib), 0);
	assert_int_equal(fib_check(c.fib, NULL, NULL), 0);
	assert_int_equal(fib_mock_route_get_metric(c.mock, &odd, 77, NULL, NULL), -ENOENT);
	assert_int_equal(fib_mock_route_get_metric(c.mock, &extra, BM, NULL, NULL), -ENOENT);
	expect_route(&c, inl, BM, &b);
	expect_route(&c, moved, BM, &b);
	assert_int_equal(fib_mock_route_count(c.mock), 2 * NROUTES);
	/* A backup route the kernel lost (deleted by hand) is reported. */
	struct fib_nexthop c3 = NH("203.0.113.1", 4);
	struct fib_route r = R(P4(9), &a, &c3);
	assert_int_equal(fib_route_install(c.fib, &r), 0);
	fib_backup_write(c.fib, 1000);
	uint32_t cid = 0;
	assert_int_equal(fib_backup_lookup(c.fib, &r.pfx, NULL, &cid, NULL), 0);
	/* {C} serves no one else: deleting it deletes that backup route. */
	assert_int_equal(fib_mock_nh_forget(c.mock, cid), 0);
	memset(&d, 0, sizeof(d));
	assert_int_equal(fib_check(c.fib, on_diff, &d), 1);
	assert_int_equal(d.n[FIB_DIFF_BACKUP_MISSING], 1);
	assert_true(prefix_eq(&d.last[FIB_DIFF_BACKUP_MISSING], &r.pfx));
	assert_string_equal(fib_diff_name(FIB_DIFF_BACKUP_MISSING), "backup missing");
	fib_destroy(c.fib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_written_after_primaries),
		cmocka_unit_test(test_survive_kernel_flush_then_converge),
		cmocka_unit_test(test_resync_while_promoted),
		cmocka_unit_test(test_flush_then_session_repair_keeps_backups),
		cmocka_unit_test(test_sweep_keeps_backups_still_queued),
		cmocka_unit_test(test_withdraw_after_flush_leaves_nothing),
		cmocka_unit_test(test_session_down_repair_drops_backups),
		cmocka_unit_test(test_same_interface_or_off_means_none),
		cmocka_unit_test(test_errors_mapped_to_prefix),
		cmocka_unit_test(test_check_and_resync),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
