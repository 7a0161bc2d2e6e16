/* Multipath grouping: which paths may share traffic with the best. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rib/multipath.h"
#include "rib_test_attrs.h"

#define NP 8
static struct rib_peer peers[NP];
static struct rib_path paths[NP];
static const struct rib_path *ptrs[NP];
static struct rib_decision_opts opts;

static struct bgp_attrs *attrs_seq(uint32_t first, unsigned n, uint32_t med)
{
	struct bgp_attrs *a = test_attrs_seq(first, n);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_MED);
	a->med = med;
	return a;
}

/* Eight eBGP paths from AS 65001, path length 2, MED 0, IGP cost 10,
 * told apart only by router-id (peer i has router-id i+1). */
static int setup(void **state)
{
	(void)state;
	rib_decision_opts_default(&opts);
	for (int i = 0; i < NP; i++) {
		memset(&peers[i], 0, sizeof(peers[i]));
		peers[i].id = (uint32_t)i + 1;
		addr_from_v4(&peers[i].addr, 0xc0000201u + (uint32_t)i);
		peers[i].router_id = (uint32_t)i + 1;
		peers[i].as = 65001;
		peers[i].ebgp = true;
		paths[i] = (struct rib_path){ .peer = &peers[i], .attrs = attrs_seq(65001, 2, 0),
					      .igp_cost = 10, .nh_reachable = true };
		ptrs[i] = &paths[i];
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NP; i++)
		bgp_attrs_unref(paths[i].attrs);
	return 0;
}

static size_t select_mp(size_t max, bool relax, const struct rib_path **out)
{
	int best = rib_best_select(&rib_comparator_rfc4271, &opts, ptrs, NP);
	assert_true(best >= 0);
	return rib_multipath_select(&rib_comparator_rfc4271, &opts, ptrs, NP, (size_t)best, max,
				    relax, out);
}

static void test_all_equal_limited_by_n(void **state)
{
	(void)state;
	const struct rib_path *out[NP];
	/* Best first (lowest router-id is peer 0), then array order. */
	assert_int_equal(select_mp(NP, false, out), NP);
	for (int i = 0; i < NP; i++)
		assert_ptr_equal(out[i], &paths[i]);
	assert_int_equal(select_mp(3, false, out), 3);
	assert_ptr_equal(out[2], &paths[2]);
	assert_int_equal(select_mp(1, false, out), 1);
	assert_ptr_equal(out[0], &paths[0]);
	assert_int_equal(select_mp(0, false, out), 0);
	/* Best not at index 0: still first in the output. */
	peers[5].router_id = 0;
	assert_int_equal(select_mp(2, false, out), 2);
	assert_ptr_equal(out[0], &paths[5]);
	assert_ptr_equal(out[1], &paths[0]);
}

/* Every step up to IGP cost must tie; one path per disqualifier. */
static void test_unequal_paths_excluded(void **state)
{
	(void)state;
	paths[1].igp_cost = 11;                               /* 9.1.2.2 e */
	paths[2].nh_reachable = false;                        /* 9.1.2.1 */
	peers[3].ebgp = false;                                /* 9.1.2.2 d */
	paths[4].attrs->med = 5;                              /* 9.1.2.2 c */
	paths[5].attrs->origin = BGP_ORIGIN_INCOMPLETE;       /* 9.1.2.2 b */
	bgp_attrs_unref(paths[6].attrs);                      /* 9.1.2.2 a */
	paths[6].attrs = attrs_seq(65001, 3, 0);
	paths[7].attrs->local_pref = 90;                      /* 9.1.1 */
	paths[7].attrs->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
	const struct rib_path *out[NP];
	assert_int_equal(select_mp(NP, false, out), 1);
	assert_ptr_equal(out[0], &paths[0]);
	assert_int_equal(select_mp(NP, true, out), 1);
	/* Put one back: it joins. */
	paths[1].igp_cost = 10;
	assert_int_equal(select_mp(NP, false, out), 2);
	assert_ptr_equal(out[1], &paths[1]);
	/* The RFC 5004 step comes after IGP cost: it does not split. */
	opts.prefer_oldest = true;
	paths[1].received = 7;
	assert_int_equal(select_mp(NP, false, out), 2);
}

/* Same length through another neighbouring AS: only when relaxed. */
static void test_neighbor_as_relax(void **state)
{
	(void)state;
	for (int i = 4; i < NP; i++) {
		bgp_attrs_unref(paths[i].attrs);
		paths[i].attrs = attrs_seq(65100, 2, 0);
	}
	const struct rib_path *out[NP];
	assert_int_equal(select_mp(NP, false, out), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(rib_path_neighbor_as(out[i]), 65001);
	assert_int_equal(select_mp(NP, true, out), NP);
	assert_false(rib_multipath_equal(&rib_comparator_rfc4271, &opts, &paths[0], &paths[4],
					 false));
	assert_true(rib_multipath_equal(&rib_comparator_rfc4271, &opts, &paths[0], &paths[4],
					true));
	/* An ineligible best gives nothing. */
	paths[0].nh_reachable = false;
	assert_int_equal(rib_multipath_select(&rib_comparator_rfc4271, &opts, ptrs, NP, 0, NP,
					      true, out),
			 0);
	assert_int_equal(rib_multipath_select(&rib_comparator_rfc4271, &opts, ptrs, NP, NP, NP,
					      true, out),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_all_equal_limited_by_n, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unequal_paths_excluded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_neighbor_as_relax, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
