/* explain's JSON (ctl/ctl_explain.h) over a real Loc-RIB: the steps in
 * the comparator's order, the step at which each loser lost and why,
 * and whether MED was compared (the trap across customer ASNs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ctl/ctl_explain.h"
#include "rib/loc_rib.h"
#include "rib/personality_aws.h"

static struct rib_peer peers[2];

static struct bgp_attrs *attrs(uint32_t as, unsigned times, uint32_t med)
{
	struct bgp_attrs *a = bgp_attrs_new();
	uint8_t segs[2 + 4 * 8];
	segs[0] = BGP_AS_SEQUENCE;
	segs[1] = (uint8_t)times;
	for (unsigned i = 0; i < times; i++) {
		segs[2 + 4 * i] = (uint8_t)(as >> 24);
		segs[3 + 4 * i] = (uint8_t)(as >> 16);
		segs[4 + 4 * i] = (uint8_t)(as >> 8);
		segs[5 + 4 * i] = (uint8_t)as;
	}
	assert_int_equal(bgp_attrs_set_aspath(a, segs, 2 + 4 * times), 0);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_MED);
	a->med = med;
	return a;
}

static json_t *explain(const struct rib_comparator *c, unsigned prepend2, uint32_t med1,
		       uint32_t med2)
{
	for (int i = 0; i < 2; i++) {
		memset(&peers[i], 0, sizeof(peers[i]));
		peers[i].id = (uint32_t)i + 1;
		addr_from_v4(&peers[i].addr, 0x0a000102u + 0x100u * (uint32_t)i);
		peers[i].as = 64521 + (uint32_t)i;
		peers[i].ebgp = true;
	}
	struct loc_rib_config cfg = { .cmp = c };
	rib_decision_opts_default(&cfg.opts);
	struct loc_rib *lr = loc_rib_new(&cfg, NULL, NULL);
	struct prefix d;
	assert_int_equal(prefix_parse("0.0.0.0/0", &d), 0);
	struct bgp_attrs *a1 = attrs(64521, 1, med1), *a2 = attrs(64522, 1 + prepend2, med2);
	struct rib_path p1 = { .peer = &peers[0], .attrs = a1, .nh_reachable = true };
	struct rib_path p2 = { .peer = &peers[1], .attrs = a2, .nh_reachable = true };
	assert_int_equal(loc_rib_update(lr, &d, &p2), 0);
	assert_int_equal(loc_rib_update(lr, &d, &p1), 0);
	json_t *o = ctl_explain(lr, c, &cfg.opts, &d);
	assert_non_null(o);
	loc_rib_free(lr);
	bgp_attrs_unref(a1);
	bgp_attrs_unref(a2);
	return o;
}

static json_t *loser(json_t *o)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(o, "paths"), i, p)
		if (json_is_false(json_object_get(p, "best")))
			return p;
	fail_msg("no losing path");
	return NULL;
}

static void test_trap_med_not_compared(void **state)
{
	(void)state;
	/* Lower MED on 10.0.1.2 (AS 64521), but another first AS: the
	 * incumbent (10.0.2.2, first to arrive) stays. */
	json_t *o = explain(&rib_comparator_aws_vgw, 0, 10, 200);
	assert_string_equal(json_string_value(json_object_get(o, "comparator")), "aws-vgw");
	assert_string_equal(json_string_value(json_object_get(o, "decided_by")), "incumbent");
	json_t *l = loser(o);
	assert_string_equal(json_string_value(json_object_get(l, "neighbor")), "10.0.1.2");
	assert_true(json_is_false(json_object_get(l, "med_compared")));
	assert_string_equal(json_string_value(json_object_get(l, "lost_at")), "incumbent");
	json_t *steps = json_object_get(o, "steps");
	assert_int_equal(json_array_size(steps), 6);
	assert_string_equal(json_string_value(json_array_get(steps, 1)), "route-source");
	json_decref(o);
}

static void test_prepend_decides(void **state)
{
	(void)state;
	json_t *o = explain(&rib_comparator_aws_vgw, 2, 200, 10);
	assert_string_equal(json_string_value(json_object_get(o, "decided_by")), "as-path-length");
	json_t *l = loser(o);
	assert_string_equal(json_string_value(json_object_get(l, "neighbor")), "10.0.2.2");
	assert_string_equal(json_string_value(json_object_get(l, "reason")),
			    "AS_PATH length 3, longer than the best's 1");
	json_decref(o);
}

static void test_rfc_comparator_steps(void **state)
{
	(void)state;
	json_t *o = explain(&rib_comparator_rfc4271, 0, 10, 200);
	assert_int_equal(json_array_size(json_object_get(o, "steps")), 10);
	/* RFC 4271 falls through to router id (both 0) and peer address. */
	json_t *l = loser(o);
	assert_string_equal(json_string_value(json_object_get(l, "lost_at")), "peer-address");
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trap_med_not_compared),
		cmocka_unit_test(test_prepend_decides),
		cmocka_unit_test(test_rfc_comparator_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
