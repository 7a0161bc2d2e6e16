/* A named export policy on top of the export rules (daemon/export.h,
 * export_policy_apply): the policy sees what the rules built, so its
 * prepend adds to the eBGP one (RFC 4271 5.1.2) and "set next-hop
 * self" uses our address on the session; a reject sends nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "daemon/export.h"

#define LOCAL_AS 65202u

static const char conf_text[] =
	"router-id 10.0.0.2\n"
	"local-as 65202\n"
	"policy to-c {\n"
	"  term drop { match community 65202:666; reject }\n"
	"  term rest { prepend 2; set med 77; accept }\n"
	"}\n"
	"policy self { set next-hop self; accept }\n"
	"neighbor 192.0.2.3 { remote-as 65203; export to-c }\n"
	"neighbor 192.0.2.4 { remote-as 65202; export self }\n";

struct fixture {
	struct conf *c;
	struct policy_set *ps;
};

static int setup(void **state)
{
	static struct fixture f;
	struct conf_errors errs = {0};
	int rc = conf_load_string("test", conf_text, strlen(conf_text), &f.c, &errs);
	conf_errors_free(&errs);
	if (rc < 0 || policy_set_build(f.c, &f.ps) < 0)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	policy_set_free(f->ps);
	conf_free(f->c);
	return 0;
}

static struct rib_peer local_peer = { .id = DAEMON_LOCAL_PEER_ID, .as = LOCAL_AS };
static struct rib_peer ibgp_src = { .id = 2, .as = LOCAL_AS, .ebgp = false };

static struct export_target target(bool ebgp)
{
	struct export_target t = { .peer_id = 3, .peer_as = ebgp ? 65203 : LOCAL_AS,
				   .local_as = LOCAL_AS, .ebgp = ebgp };
	addr_parse("192.0.2.2", &t.self4);
	addr_parse("2001:db8::2", &t.self6);
	return t;
}

/* Learned over iBGP: AS_PATH [65201], NEXT_HOP 192.0.2.1, optionally
 * tagged 65202:666. */
static struct bgp_attrs *learned(bool tagged)
{
	struct bgp_attrs *a = bgp_attrs_new();
	assert_non_null(a);
	const uint8_t seg[] = { BGP_AS_SEQUENCE, 1, 0, 0, 0xfe, 0xb1 }; /* 65201 */
	assert_int_equal(bgp_attrs_set_aspath(a, seg, sizeof(seg)), 0);
	a->origin = BGP_ORIGIN_IGP;
	inet_pton(AF_INET, "192.0.2.1", &a->nexthop);
	a->local_pref = 250;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP) |
		      BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
	if (tagged) {
		uint32_t c = (65202u << 16) | 666;
		assert_int_equal(bgp_attrs_set_communities(a, &c, 1), 0);
	}
	return a;
}

static struct prefix pfx(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

/* Rules, then policy: one eBGP prepend + two from the policy, MED set
 * by the policy after the rules dropped the received one (5.1.4). */
static void test_prepend_on_top_and_med(void **state)
{
	struct fixture *f = *state;
	const struct policy *pol = policy_set_find(f->ps, "to-c");
	assert_non_null(pol);
	struct bgp_attrs *src = learned(false), *a = NULL;
	struct rib_path best = { .peer = &ibgp_src, .attrs = src, .nh_reachable = true };
	struct export_target t = target(true);
	struct prefix p = pfx("10.1.1.0/24");
	assert_int_equal(export_attrs(&t, &p, &best, &a), EXPORT_SEND);
	assert_int_equal(export_policy_apply(&t, pol, &p, &a), EXPORT_SEND);
	assert_non_null(a);
	uint32_t asns[8];
	assert_int_equal(bgp_aspath_asns(bgp_attrs_aspath(a), a->aspath_len, asns, 8), 4);
	assert_int_equal(asns[0], LOCAL_AS);
	assert_int_equal(asns[1], LOCAL_AS);
	assert_int_equal(asns[2], LOCAL_AS);
	assert_int_equal(asns[3], 65201);
	assert_true(bgp_attrs_has(a, BGP_ATTR_MED));
	assert_int_equal(a->med, 77);
	assert_false(bgp_attrs_has(a, BGP_ATTR_LOCAL_PREF));
	/* The best path's own set is not touched. */
	assert_int_equal(bgp_aspath_asns(bgp_attrs_aspath(src), src->aspath_len, asns, 8), 1);
	assert_false(bgp_attrs_has(src, BGP_ATTR_MED));
	bgp_attrs_unref(a);
	bgp_attrs_unref(src);
}

/* Our own prefix (empty AS_PATH) goes through the policy as well. */
static void test_originated(void **state)
{
	struct fixture *f = *state;
	const struct policy *pol = policy_set_find(f->ps, "to-c");
	struct bgp_attrs *src = bgp_attrs_new(), *a = NULL;
	assert_non_null(src);
	assert_int_equal(bgp_attrs_set_aspath(src, NULL, 0), 0);
	src->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN);
	struct rib_path best = { .peer = &local_peer, .attrs = src, .nh_reachable = true };
	struct export_target t = target(true);
	struct prefix p = pfx("10.9.0.0/24");
	assert_int_equal(export_attrs(&t, &p, &best, &a), EXPORT_SEND);
	assert_int_equal(export_policy_apply(&t, pol, &p, &a), EXPORT_SEND);
	uint32_t asns[8];
	assert_int_equal(bgp_aspath_asns(bgp_attrs_aspath(a), a->aspath_len, asns, 8), 3);
	assert_int_equal(a->med, 77);
	bgp_attrs_unref(a);
	bgp_attrs_unref(src);
}

/* A reject ends with nothing to send and the rules' set released
 * (ASan would report a leak). */
static void test_reject(void **state)
{
	struct fixture *f = *state;
	const struct policy *pol = policy_set_find(f->ps, "to-c");
	struct bgp_attrs *src = learned(true), *a = NULL;
	struct rib_path best = { .peer = &ibgp_src, .attrs = src, .nh_reachable = true };
	struct export_target t = target(true);
	struct prefix p = pfx("10.3.0.0/24");
	assert_int_equal(export_attrs(&t, &p, &best, &a), EXPORT_SEND);
	assert_int_equal(export_policy_apply(&t, pol, &p, &a), EXPORT_POLICY_REJECT);
	assert_null(a);
	assert_string_equal(export_verdict_name(EXPORT_POLICY_REJECT), "policy-reject");
	bgp_attrs_unref(src);
}

/* To iBGP the rules keep the learned next hop (5.1.3); the policy's
 * "set next-hop self" replaces it by our address on the session. */
static void test_nexthop_self_ibgp(void **state)
{
	struct fixture *f = *state;
	const struct policy *pol = policy_set_find(f->ps, "self");
	assert_non_null(pol);
	struct bgp_attrs *src = learned(false), *a = NULL;
	struct rib_path best = { .peer = &ibgp_src, .attrs = src, .nh_reachable = true };
	struct export_target t = target(false);
	t.peer_id = 5;
	struct rib_peer ebgp_src = { .id = 1, .as = 65201, .ebgp = true };
	best.peer = &ebgp_src; /* iBGP-learned would not go to iBGP (9.2) */
	struct prefix p = pfx("10.1.1.0/24");
	assert_int_equal(export_attrs(&t, &p, &best, &a), EXPORT_SEND);
	char buf[ADDR_STRLEN];
	struct addr nh = { .af = AF_INET, .v4 = a->nexthop };
	assert_string_equal(addr_fmt(&nh, buf), "192.0.2.1");
	assert_int_equal(export_policy_apply(&t, pol, &p, &a), EXPORT_SEND);
	nh.v4 = a->nexthop;
	assert_string_equal(addr_fmt(&nh, buf), "192.0.2.2");
	assert_int_equal(a->local_pref, 250);
	bgp_attrs_unref(a);
	bgp_attrs_unref(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepend_on_top_and_med),
		cmocka_unit_test(test_originated),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_nexthop_self_ibgp),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
