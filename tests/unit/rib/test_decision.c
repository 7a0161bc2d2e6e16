/* Decision process (RFC 4271 9.1): one test per step, each checked in
 * both argument orders so a comparator that ignores its arguments'
 * order cannot pass, plus the MED rules and deterministic MED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "rib/decision.h"
#include "rib_test_attrs.h"

static struct rib_peer peers[4];
static struct rib_decision_opts opts;

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++) {
		memset(&peers[i], 0, sizeof(peers[i]));
		peers[i].id = (uint32_t)i + 1;
		addr_from_v4(&peers[i].addr, 0xc0000201u + (uint32_t)i); /* 192.0.2.1+i */
		peers[i].router_id = 0x0a000001u + (uint32_t)i;          /* 10.0.0.1+i */
		peers[i].as = 65001 + (uint32_t)i;
		peers[i].ebgp = true;
	}
	rib_decision_opts_default(&opts);
	return 0;
}

/* Attribute set with an AS_SEQUENCE of n ASNs starting at first. */
static struct bgp_attrs *attrs_seq(uint32_t first, unsigned n)
{
	struct bgp_attrs *a = test_attrs_seq(first, n);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	return a;
}

static void set_med(struct bgp_attrs *a, uint32_t med)
{
	a->med = med;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_MED);
}

static void set_lp(struct bgp_attrs *a, uint32_t lp)
{
	a->local_pref = lp;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
}

static struct rib_path path(int peer, struct bgp_attrs *a)
{
	return (struct rib_path){ .peer = &peers[peer], .attrs = a, .received = 0,
				  .igp_cost = 10, .nh_reachable = true };
}

/* a must win over b at exactly `step`, whichever is passed first. */
static void expect_better(const struct rib_path *a, const struct rib_path *b,
			  enum rib_decision_step step)
{
	enum rib_decision_step s = RIB_STEP_COUNT;
	assert_true(rib_path_compare(&opts, a, b, &s) < 0);
	assert_string_equal(rib_decision_step_name(s), rib_decision_step_name(step));
	s = RIB_STEP_COUNT;
	assert_true(rib_path_compare(&opts, b, a, &s) > 0);
	assert_int_equal(s, step);
}

static void free_paths(struct rib_path *a, struct rib_path *b)
{
	if (a->attrs != b->attrs)
		bgp_attrs_unref(b->attrs);
	bgp_attrs_unref(a->attrs);
}

/* RFC 4271 9.1.2.1: an unresolvable next hop makes a route ineligible,
 * whatever its other attributes. */
static void test_step_nexthop(void **state)
{
	(void)state;
	struct rib_path a = path(1, attrs_seq(65002, 3)), b = path(0, attrs_seq(65001, 1));
	set_lp(b.attrs, 500);
	b.nh_reachable = false;
	expect_better(&a, &b, RIB_STEP_NEXTHOP);
	assert_false(rib_path_eligible(&b));
	free_paths(&a, &b);
}

/* RFC 4271 9.1.1: highest LOCAL_PREF first, before AS path length. */
static void test_step_local_pref(void **state)
{
	(void)state;
	struct rib_path a = path(1, attrs_seq(65002, 3)), b = path(0, attrs_seq(65001, 1));
	set_lp(a.attrs, 200);
	set_lp(b.attrs, 100);
	expect_better(&a, &b, RIB_STEP_LOCAL_PREF);
	/* A missing LOCAL_PREF counts as the configured default. */
	a.attrs->present &= ~BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
	set_lp(b.attrs, 50);
	expect_better(&a, &b, RIB_STEP_LOCAL_PREF);
	opts.default_local_pref = 10;
	expect_better(&b, &a, RIB_STEP_LOCAL_PREF);
	free_paths(&a, &b);
}

/* RFC 4271 9.1.2.2 a: fewest ASes; an AS_SET counts 1. */
static void test_step_as_path_length(void **state)
{
	(void)state;
	struct rib_path a = path(1, attrs_seq(65002, 2)), b = path(0, attrs_seq(65001, 3));
	expect_better(&a, &b, RIB_STEP_AS_PATH);
	/* 65002 {1 2 3 4 5} has length 2 and beats a 3-AS sequence. */
	uint8_t set[] = { BGP_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xea, BGP_AS_SET, 5, 0, 0, 0, 1,
			  0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5 };
	assert_int_equal(bgp_attrs_set_aspath(a.attrs, set, sizeof(set)), 0);
	expect_better(&a, &b, RIB_STEP_AS_PATH);
	free_paths(&a, &b);
}

/* RFC 5065 5.3: confederation segments do not count in the length,
 * and are skipped when finding the neighbour AS for MED. */
static void test_step_as_path_confed(void **state)
{
	(void)state;
	struct rib_path a = path(1, attrs_seq(65002, 2)), b = path(0, attrs_seq(65001, 3));
	uint8_t confed[] = { BGP_AS_CONFED_SEQUENCE, 3, 0, 0, 0xff, 0x01, 0, 0, 0xff, 0x02,
			     0, 0, 0xff, 0x03, BGP_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xe9 };
	assert_int_equal(bgp_attrs_set_aspath(b.attrs, confed, sizeof(confed)), 0);
	expect_better(&b, &a, RIB_STEP_AS_PATH);
	assert_int_equal(rib_path_neighbor_as(&b), 65001);
	assert_int_equal(rib_path_neighbor_as(&a), 65002);
	/* An empty path is a route of our own AS: neighbour AS "local". */
	assert_int_equal(bgp_attrs_set_aspath(a.attrs, NULL, 0), 0);
	assert_int_equal(rib_path_neighbor_as(&a), 0);
	free_paths(&a, &b);
}

/* RFC 4271 9.1.2.2 b: lowest ORIGIN: IGP < EGP < INCOMPLETE. */
static void test_step_origin(void **state)
{
	(void)state;
	struct rib_path a = path(1, attrs_seq(65002, 2)), b = path(0, attrs_seq(65001, 2));
	a.attrs->origin = BGP_ORIGIN_IGP;
	b.attrs->origin = BGP_ORIGIN_EGP;
	expect_better(&a, &b, RIB_STEP_ORIGIN);
	a.attrs->origin = BGP_ORIGIN_EGP;
	b.attrs->origin = BGP_ORIGIN_INCOMPLETE;
	expect_better(&a, &b, RIB_STEP_ORIGIN);
	free_paths(&a, &b);
}

/* RFC 4271 9.1.2.2 c: lowest MED between routes from the same
 * neighbouring AS. */
static void test_step_med_same_as(void **state)
{
	(void)state;
	struct rib_path a = path(1, attrs_seq(65001, 2)), b = path(0, attrs_seq(65001, 2));
	set_med(a.attrs, 10);
	set_med(b.attrs, 20);
	expect_better(&a, &b, RIB_STEP_MED);
	free_paths(&a, &b);
}

/* ... and not between different neighbouring ASes, unless
 * always-compare-med. */
static void test_step_med_other_as(void **state)
{
	(void)state;
	struct rib_path a = path(0, attrs_seq(65001, 2)), b = path(1, attrs_seq(65002, 2));
	set_med(a.attrs, 20);
	set_med(b.attrs, 10);
	expect_better(&a, &b, RIB_STEP_ROUTER_ID); /* lower MED of b ignored */
	opts.always_compare_med = true;
	expect_better(&b, &a, RIB_STEP_MED);
	free_paths(&a, &b);
}

/* RFC 4271 9.1.2.2 c: a route without MED has the lowest value (0);
 * med-missing-as-worst turns that around. */
static void test_step_med_missing(void **state)
{
	(void)state;
	struct rib_path a = path(1, attrs_seq(65001, 2)), b = path(0, attrs_seq(65001, 2));
	set_med(b.attrs, 5);
	expect_better(&a, &b, RIB_STEP_MED);
	set_med(b.attrs, 0); /* MED 0 and no MED are equal: next step decides */
	expect_better(&b, &a, RIB_STEP_ROUTER_ID);
	opts.med_missing_as_worst = true;
	set_med(b.attrs, 5);
	expect_better(&b, &a, RIB_STEP_MED);
	free_paths(&a, &b);
}

/* RFC 4271 9.1.2.2 d: eBGP over iBGP. */
static void test_step_ebgp(void **state)
{
	(void)state;
	peers[0].ebgp = false;
	struct rib_path a = path(1, attrs_seq(65002, 2)), b = path(0, attrs_seq(65001, 2));
	b.igp_cost = 0;
	expect_better(&a, &b, RIB_STEP_EBGP);
	free_paths(&a, &b);
}

/* RFC 4271 9.1.2.2 e: lowest interior cost; unknown is the highest. */
static void test_step_igp_cost(void **state)
{
	(void)state;
	struct rib_path a = path(1, attrs_seq(65002, 2)), b = path(0, attrs_seq(65001, 2));
	a.igp_cost = 5;
	b.igp_cost = 20;
	expect_better(&a, &b, RIB_STEP_IGP_COST);
	b.igp_cost = UINT32_MAX;
	a.igp_cost = UINT32_MAX - 1;
	expect_better(&a, &b, RIB_STEP_IGP_COST);
	free_paths(&a, &b);
}

/* RFC 5004 2: optionally keep the older of two external routes instead
 * of deciding on the BGP Identifier; never between iBGP routes. */
static void test_step_oldest(void **state)
{
	(void)state;
	struct rib_path a = path(1, attrs_seq(65002, 2)), b = path(0, attrs_seq(65001, 2));
	a.received = 100;
	b.received = 200;
	expect_better(&b, &a, RIB_STEP_ROUTER_ID);
	opts.prefer_oldest = true;
	expect_better(&a, &b, RIB_STEP_OLDEST);
	peers[0].ebgp = peers[1].ebgp = false;
	expect_better(&b, &a, RIB_STEP_ROUTER_ID);
	free_paths(&a, &b);
}

/* RFC 4271 9.1.2.2 f: lowest BGP Identifier. */
static void test_step_router_id(void **state)
{
	(void)state;
	peers[1].router_id = 0x01000000; /* lower than peer 0's 10.0.0.1 */
	struct rib_path a = path(1, attrs_seq(65002, 2)), b = path(0, attrs_seq(65001, 2));
	expect_better(&a, &b, RIB_STEP_ROUTER_ID);
	free_paths(&a, &b);
}

/* RFC 4271 9.1.2.2 g: lowest peer address (two sessions to one
 * speaker share its identifier). */
static void test_step_peer_addr(void **state)
{
	(void)state;
	peers[0].router_id = peers[1].router_id;
	struct rib_path a = path(0, attrs_seq(65001, 2)), b = path(1, attrs_seq(65001, 2));
	expect_better(&a, &b, RIB_STEP_PEER_ADDR);
	/* IPv4 peer addresses sort before IPv6 ones. */
	assert_int_equal(addr_parse("2001:db8::1", &peers[0].addr), 0);
	expect_better(&b, &a, RIB_STEP_PEER_ADDR);
	free_paths(&a, &b);
}

static void test_equal_and_names(void **state)
{
	(void)state;
	struct rib_path a = path(0, attrs_seq(65001, 2));
	enum rib_decision_step s = RIB_STEP_COUNT;
	assert_int_equal(rib_path_compare(&opts, &a, &a, &s), 0);
	assert_int_equal(s, RIB_STEP_EQUAL);
	for (int i = 0; i < RIB_STEP_COUNT; i++)
		for (int j = 0; j < i; j++)
			assert_string_not_equal(rib_decision_step_name(i), rib_decision_step_name(j));
	assert_string_equal(rib_decision_step_name(RIB_STEP_COUNT), "unknown");
	assert_ptr_equal(rib_comparator_rfc4271.compare, rib_path_compare);
	bgp_attrs_unref(a.attrs);
}

/* The classic circle: A beats B (router-id), B beats C (router-id),
 * C beats A (MED, same neighbour AS 65001).  Folding in arrival order
 * gives a different winner for different orders; deterministic MED
 * (RFC 4271 9.1.2.2 c applied within each neighbour AS first) always
 * picks B: C wins AS 65001, then B beats C. */
static void test_deterministic_med(void **state)
{
	(void)state;
	peers[0].router_id = 1;
	peers[1].router_id = 2;
	peers[2].router_id = 3;
	struct rib_path A = path(0, attrs_seq(65001, 2)), B = path(1, attrs_seq(65002, 2)),
			C = path(2, attrs_seq(65001, 2));
	set_med(A.attrs, 20);
	set_med(C.attrs, 10);
	enum rib_decision_step s;
	assert_true(rib_path_compare(&opts, &A, &B, &s) < 0 && s == RIB_STEP_ROUTER_ID);
	assert_true(rib_path_compare(&opts, &B, &C, &s) < 0 && s == RIB_STEP_ROUTER_ID);
	assert_true(rib_path_compare(&opts, &C, &A, &s) < 0 && s == RIB_STEP_MED);

	static const int perms[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
					 { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
	const struct rib_path *all[3] = { &A, &B, &C };
	bool won[3] = { false, false, false };
	for (int k = 0; k < 6; k++) {
		const struct rib_path *v[3] = { all[perms[k][0]], all[perms[k][1]],
						all[perms[k][2]] };
		opts.deterministic_med = false;
		int w = rib_best_select(&rib_comparator_rfc4271, &opts, v, 3);
		assert_true(w >= 0 && w < 3);
		won[perms[k][w]] = true;
		opts.deterministic_med = true;
		w = rib_best_select(&rib_comparator_rfc4271, &opts, v, 3);
		assert_ptr_equal(v[w], &B);
	}
	/* Without it, the arrival order decides: every path wins once. */
	assert_true(won[0] && won[1] && won[2]);
	bgp_attrs_unref(A.attrs);
	bgp_attrs_unref(B.attrs);
	bgp_attrs_unref(C.attrs);
}

static void test_select_eligible(void **state)
{
	(void)state;
	struct rib_path a = path(0, attrs_seq(65001, 1)), b = path(1, attrs_seq(65002, 4));
	const struct rib_path *v[2] = { &a, &b };
	assert_int_equal(rib_best_select(&rib_comparator_rfc4271, &opts, v, 2), 0);
	a.nh_reachable = false;
	assert_int_equal(rib_best_select(&rib_comparator_rfc4271, &opts, v, 2), 1);
	b.nh_reachable = false;
	assert_int_equal(rib_best_select(&rib_comparator_rfc4271, &opts, v, 2), -ENOENT);
	opts.deterministic_med = true;
	assert_int_equal(rib_best_select(&rib_comparator_rfc4271, &opts, v, 2), -ENOENT);
	assert_int_equal(rib_best_select(&rib_comparator_rfc4271, &opts, v, 0), -ENOENT);
	free_paths(&a, &b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_step_nexthop, setup),
		cmocka_unit_test_setup(test_step_local_pref, setup),
		cmocka_unit_test_setup(test_step_as_path_length, setup),
		cmocka_unit_test_setup(test_step_as_path_confed, setup),
		cmocka_unit_test_setup(test_step_origin, setup),
		cmocka_unit_test_setup(test_step_med_same_as, setup),
		cmocka_unit_test_setup(test_step_med_other_as, setup),
		cmocka_unit_test_setup(test_step_med_missing, setup),
		cmocka_unit_test_setup(test_step_ebgp, setup),
		cmocka_unit_test_setup(test_step_igp_cost, setup),
		cmocka_unit_test_setup(test_step_oldest, setup),
		cmocka_unit_test_setup(test_step_router_id, setup),
		cmocka_unit_test_setup(test_step_peer_addr, setup),
		cmocka_unit_test_setup(test_equal_and_names, setup),
		cmocka_unit_test_setup(test_deterministic_med, setup),
		cmocka_unit_test_setup(test_select_eligible, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
