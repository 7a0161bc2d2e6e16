/* Cloud-gateway comparators (rib/personality_aws.h): one test per
 * documented rule, each quoting the rule, both argument orders; the
 * trap engineers fall into (MED across different customer ASNs); and
 * the incumbent and ECMP behaviour through a real Loc-RIB. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rib/loc_rib.h"
#include "rib/personality_aws.h"
#include "rib_test_attrs.h"

static struct rib_peer peers[4];
static struct rib_decision_opts opts;

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++) {
		memset(&peers[i], 0, sizeof(peers[i]));
		peers[i].id = (uint32_t)i + 1;
		addr_from_v4(&peers[i].addr, 0xa9fef701u + 4u * (uint32_t)i); /* 169.254.247.1+4i */
		peers[i].router_id = 0x0a000001u + (uint32_t)i;
		peers[i].as = 65001 + (uint32_t)i;
		peers[i].ebgp = true;
	}
	rib_decision_opts_default(&opts);
	return 0;
}

static void set_med(struct bgp_attrs *a, uint32_t med)
{
	a->med = med;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_MED);
}

static void set_comm(struct bgp_attrs *a, uint32_t c)
{
	assert_int_equal(bgp_attrs_set_communities(a, &c, 1), 0);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_COMMUNITIES);
}

/* AS_SEQUENCE: first, then n-1 more; prepends = first repeated. */
static struct bgp_attrs *seq(uint32_t first, unsigned n) { return test_attrs_seq(first, n); }

static struct bgp_attrs *prepended(uint32_t as, unsigned times)
{
	struct bgp_attrs *a = bgp_attrs_new();
	uint8_t segs[2 + 4 * 16];
	assert_true(times >= 1 && times <= 16);
	segs[0] = BGP_AS_SEQUENCE;
	segs[1] = (uint8_t)times;
	for (unsigned i = 0; i < times; i++) {
		segs[2 + 4 * i] = (uint8_t)(as >> 24);
		segs[3 + 4 * i] = (uint8_t)(as >> 16);
		segs[4 + 4 * i] = (uint8_t)(as >> 8);
		segs[5 + 4 * i] = (uint8_t)as;
	}
	assert_int_equal(bgp_attrs_set_aspath(a, segs, 2 + 4 * times), 0);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN);
	return a;
}

static struct rib_path path(int peer, struct bgp_attrs *a)
{
	return (struct rib_path){ .peer = &peers[peer], .attrs = a, .igp_cost = UINT32_MAX,
				  .nh_reachable = true };
}

/* a beats b at exactly step, whichever is passed first. */
static void expect_better(const struct rib_comparator *c, const struct rib_path *a,
			  const struct rib_path *b, enum rib_decision_step step)
{
	enum rib_decision_step s = RIB_STEP_COUNT;
	assert_true(c->compare(&opts, a, b, &s) < 0);
	assert_string_equal(rib_decision_step_name(s), rib_decision_step_name(step));
	s = RIB_STEP_COUNT;
	assert_true(c->compare(&opts, b, a, &s) > 0);
	assert_int_equal(s, step);
}

/* "A tunnel counts as UP only while its BGP session is Established";
 * "only healthy tunnels" are candidates.  Paths of a down session are
 * withdrawn by the daemon; an unresolvable next hop is ineligible. */
static void test_vgw_healthy_only(void **state)
{
	(void)state;
	struct rib_path a = path(1, seq(65002, 3)), b = path(0, seq(65001, 1));
	b.nh_reachable = false;
	expect_better(&rib_comparator_aws_vgw, &a, &b, RIB_STEP_NEXTHOP);
	const struct rib_path *list[] = { &b, &a };
	assert_int_equal(rib_best_select(&rib_comparator_aws_vgw, &opts, list, 2), 1);
	bgp_attrs_unref(a.attrs);
	bgp_attrs_unref(b.attrs);
}

/* "Direct Connect BGP routes > VPN static routes > VPN BGP routes",
 * before AS_PATH is looked at. */
static void test_vgw_source_order(void **state)
{
	(void)state;
	peers[0].source = RIB_SOURCE_DX_BGP;
	peers[1].source = RIB_SOURCE_VPN_STATIC;
	peers[2].source = RIB_SOURCE_VPN_BGP;
	struct rib_path dx = path(0, seq(65001, 5)), st = path(1, seq(65002, 3)),
			vpn = path(2, seq(65003, 1));
	expect_better(&rib_comparator_aws_vgw, &dx, &st, RIB_STEP_SOURCE);
	expect_better(&rib_comparator_aws_vgw, &st, &vpn, RIB_STEP_SOURCE);
	expect_better(&rib_comparator_aws_vgw, &dx, &vpn, RIB_STEP_SOURCE);
	bgp_attrs_unref(dx.attrs);
	bgp_attrs_unref(st.attrs);
	bgp_attrs_unref(vpn.attrs);
}

/* Transit gateway: "static > prefix-list > VPC propagated > Direct
 * Connect gateway propagated > Connect propagated > VPN propagated". */
static void test_tgw_static_first(void **state)
{
	(void)state;
	peers[0].source = RIB_SOURCE_DX_BGP;
	peers[1].source = RIB_SOURCE_VPN_STATIC;
	peers[2].source = RIB_SOURCE_VPN_BGP;
	struct rib_path dx = path(0, seq(65001, 1)), st = path(1, seq(65002, 3)),
			vpn = path(2, seq(65003, 1));
	expect_better(&rib_comparator_aws_tgw, &st, &dx, RIB_STEP_SOURCE);
	expect_better(&rib_comparator_aws_tgw, &dx, &vpn, RIB_STEP_SOURCE);
	bgp_attrs_unref(dx.attrs);
	bgp_attrs_unref(st.attrs);
	bgp_attrs_unref(vpn.attrs);
}

/* The VPC's local route always wins. */
static void test_local_wins(void **state)
{
	(void)state;
	peers[0].source = RIB_SOURCE_LOCAL;
	peers[1].source = RIB_SOURCE_DX_BGP;
	struct rib_path l = path(0, seq(64512, 3)), dx = path(1, seq(65002, 1));
	expect_better(&rib_comparator_aws_vgw, &l, &dx, RIB_STEP_SOURCE);
	expect_better(&rib_comparator_aws_tgw, &l, &dx, RIB_STEP_SOURCE);
	expect_better(&rib_comparator_aws_dx, &l, &dx, RIB_STEP_SOURCE);
	bgp_attrs_unref(l.attrs);
	bgp_attrs_unref(dx.attrs);
}

/* "Shortest AS_PATH", also against a lower MED. */
static void test_vgw_shortest_as_path(void **state)
{
	(void)state;
	struct rib_path a = path(0, seq(65001, 1)), b = path(1, seq(65001, 2));
	set_med(a.attrs, 200);
	set_med(b.attrs, 10);
	expect_better(&rib_comparator_aws_vgw, &a, &b, RIB_STEP_AS_PATH);
	expect_better(&rib_comparator_aws_tgw, &a, &b, RIB_STEP_AS_PATH);
	bgp_attrs_unref(a.attrs);
	bgp_attrs_unref(b.attrs);
}

/* "Lowest MED, compared only when the first AS in the AS_SEQUENCE is
 * the same": two tunnels of one customer gateway. */
static void test_vgw_med_same_first_as(void **state)
{
	(void)state;
	struct rib_path a = path(0, seq(65001, 1)), b = path(1, seq(65001, 1));
	set_med(a.attrs, 10);
	set_med(b.attrs, 20);
	expect_better(&rib_comparator_aws_vgw, &a, &b, RIB_STEP_MED);
	/* b now has the lower address's peer: MED still decides. */
	struct rib_path c = path(1, a.attrs), d = path(0, b.attrs);
	expect_better(&rib_comparator_aws_vgw, &c, &d, RIB_STEP_MED);
	bgp_attrs_unref(a.attrs);
	bgp_attrs_unref(b.attrs);
}

/* The trap: two customer gateways with different ASNs and different
 * MEDs are NOT ordered by MED (the first AS differs), so "MED 10 on the
 * primary" does nothing; AS-path prepending on the backup orders them. */
static void test_trap_med_across_asns(void **state)
{
	(void)state;
	/* Router 2 (peer 0, the lower address) has the worse MED. */
	struct rib_path r2 = path(0, seq(65522, 1)), r1 = path(1, seq(65521, 1));
	set_med(r1.attrs, 10);
	set_med(r2.attrs, 200);
	enum rib_decision_step s;
	int c = rib_comparator_aws_vgw.compare(&opts, &r1, &r2, &s);
	assert_int_not_equal(s, RIB_STEP_MED);
	/* ... so the lower MED loses here: the tie-break picks router 2. */
	assert_true(c > 0);
	assert_int_equal(s, RIB_STEP_PEER_ADDR);
	/* Prepending on router 2 makes router 1 win, at the AS_PATH step. */
	struct rib_path r2p = path(0, prepended(65522, 3));
	set_med(r2p.attrs, 200);
	expect_better(&rib_comparator_aws_vgw, &r1, &r2p, RIB_STEP_AS_PATH);
	bgp_attrs_unref(r1.attrs);
	bgp_attrs_unref(r2.attrs);
	bgp_attrs_unref(r2p.attrs);
}

/* Ours (AWS: "the choice among equal paths is AWS's"): the incumbent
 * keeps the traffic, then the lowest peer address. */
static void test_vgw_incumbent_then_address(void **state)
{
	(void)state;
	struct rib_path a = path(0, seq(65001, 1)), b = path(1, seq(65002, 1));
	expect_better(&rib_comparator_aws_vgw, &a, &b, RIB_STEP_PEER_ADDR);
	b.incumbent = true;
	expect_better(&rib_comparator_aws_vgw, &b, &a, RIB_STEP_INCUMBENT);
	/* Not before the documented steps: a shorter path still wins. */
	struct rib_path c = path(0, seq(65001, 1)), d = path(1, seq(65002, 2));
	d.incumbent = true;
	expect_better(&rib_comparator_aws_vgw, &c, &d, RIB_STEP_AS_PATH);
	bgp_attrs_unref(a.attrs);
	bgp_attrs_unref(b.attrs);
	bgp_attrs_unref(c.attrs);
	bgp_attrs_unref(d.attrs);
}

/* AWS documents no ORIGIN, router id or LOCAL_PREF step for the VPN
 * gateway: paths that differ only there are equal up to the tie-break. */
static void test_vgw_ignores_undocumented(void **state)
{
	(void)state;
	struct rib_path a = path(1, seq(65001, 1)), b = path(0, seq(65001, 1));
	a.attrs->origin = BGP_ORIGIN_IGP;
	b.attrs->origin = BGP_ORIGIN_INCOMPLETE;
	a.attrs->local_pref = 500;
	a.attrs->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
	enum rib_decision_step s;
	assert_true(rib_comparator_aws_vgw.compare(&opts, &a, &b, &s) > 0);
	assert_int_equal(s, RIB_STEP_PEER_ADDR);
	bgp_attrs_unref(a.attrs);
	bgp_attrs_unref(b.attrs);
}

/* Direct Connect: "7224:7100 (low), 7224:7200 (medium, default),
 * 7224:7300 (high), evaluated before AS_PATH". */
static void test_dx_local_pref_communities(void **state)
{
	(void)state;
	struct rib_path hi = path(1, seq(65001, 4)), dflt = path(0, seq(65002, 1)),
			lo = path(2, seq(65003, 1));
	set_comm(hi.attrs, AWS_COMM_LP_HIGH);
	set_comm(lo.attrs, AWS_COMM_LP_LOW);
	assert_int_equal(aws_dx_local_pref(dflt.attrs), 200);
	expect_better(&rib_comparator_aws_dx, &hi, &dflt, RIB_STEP_LP_COMMUNITY);
	expect_better(&rib_comparator_aws_dx, &dflt, &lo, RIB_STEP_LP_COMMUNITY);
	/* An explicit medium equals the default: AS_PATH decides. */
	struct rib_path med = path(2, seq(65003, 2));
	set_comm(med.attrs, AWS_COMM_LP_MEDIUM);
	expect_better(&rib_comparator_aws_dx, &dflt, &med, RIB_STEP_AS_PATH);
	/* The VPN gateway does not read them. */
	expect_better(&rib_comparator_aws_vgw, &dflt, &hi, RIB_STEP_AS_PATH);
	bgp_attrs_unref(hi.attrs);
	bgp_attrs_unref(dflt.attrs);
	bgp_attrs_unref(lo.attrs);
	bgp_attrs_unref(med.attrs);
}

static struct prefix pfx(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

static unsigned changes;
static uint32_t last_best;
static void on_change(void *arg, const struct loc_rib_change *c)
{
	(void)arg;
	changes++;
	last_best = c->new_best ? c->new_best->peer->id : 0;
}

/* "One tunnel is chosen as the egress path ... the choice among equal
 * paths is AWS's (random, can change)": ours keeps the chosen tunnel
 * while it lives, and moves only when it fails. */
static void test_vgw_loc_rib_stable_choice(void **state)
{
	(void)state;
	struct loc_rib_config cfg = { .cmp = &rib_comparator_aws_vgw };
	rib_decision_opts_default(&cfg.opts);
	struct loc_rib *lr = loc_rib_new(&cfg, on_change, NULL);
	assert_non_null(lr);
	struct prefix d = pfx("0.0.0.0/0");
	struct bgp_attrs *a2 = seq(65522, 1), *a1 = seq(65521, 1);
	/* The higher address arrives first and is chosen ... */
	struct rib_path p2 = path(1, a2), p1 = path(0, a1);
	assert_int_equal(loc_rib_update(lr, &d, &p2), 0);
	assert_int_equal(loc_rib_best(lr, &d)->peer->id, peers[1].id);
	/* ... an equal newcomer with a lower address does not take over ... */
	changes = 0;
	assert_int_equal(loc_rib_update(lr, &d, &p1), 0);
	assert_int_equal(loc_rib_best(lr, &d)->peer->id, peers[1].id);
	assert_int_equal(changes, 0);
	/* ... nor when the incumbent re-announces the same route ... */
	assert_int_equal(loc_rib_update(lr, &d, &p2), 0);
	assert_int_equal(loc_rib_best(lr, &d)->peer->id, peers[1].id);
	/* ... explain says why the other lost ... */
	struct loc_rib_explain ex[2];
	assert_int_equal(loc_rib_explain(lr, &d, ex, 2), 2);
	assert_true(ex[0].best);
	assert_int_equal(ex[1].lost_at, RIB_STEP_INCUMBENT);
	/* ... it fails: the other takes over, and keeps it on return. */
	assert_int_equal(loc_rib_withdraw(lr, &d, peers[1].id), 1);
	assert_int_equal(loc_rib_best(lr, &d)->peer->id, peers[0].id);
	assert_int_equal(loc_rib_update(lr, &d, &p2), 0);
	assert_int_equal(loc_rib_best(lr, &d)->peer->id, peers[0].id);
	assert_int_equal(last_best, peers[0].id);
	/* A VGW never shares traffic (no ECMP). */
	const struct rib_path *mp[4];
	assert_int_equal(loc_rib_multipath(lr, &d, mp, 4), 1);
	loc_rib_free(lr);
	bgp_attrs_unref(a1);
	bgp_attrs_unref(a2);
}

/* Transit gateway, vpn-ecmp: "equal routes from several VPN
 * attachments share traffic when the advertised ASN, AS path ... are
 * the same"; a different path of the same length does not. */
static void test_tgw_ecmp(void **state)
{
	(void)state;
	struct loc_rib_config cfg = { .cmp = &rib_comparator_aws_tgw, .multipath = 4 };
	rib_decision_opts_default(&cfg.opts);
	struct loc_rib *lr = loc_rib_new(&cfg, NULL, NULL);
	assert_non_null(lr);
	struct prefix d = pfx("0.0.0.0/0");
	struct bgp_attrs *x = seq(65521, 2), *y = seq(65521, 2), *z = seq(65523, 2);
	struct rib_path a = path(0, x), b = path(1, y), c = path(2, z);
	assert_int_equal(loc_rib_update(lr, &d, &a), 0);
	assert_int_equal(loc_rib_update(lr, &d, &b), 0);
	assert_int_equal(loc_rib_update(lr, &d, &c), 0);
	const struct rib_path *mp[4];
	assert_int_equal(loc_rib_multipath(lr, &d, mp, 4), 2);
	assert_int_equal(mp[0]->peer->id, peers[0].id);
	assert_int_equal(mp[1]->peer->id, peers[1].id);
	/* A static route wins alone: "static VPNs get no ECMP". */
	peers[3].source = RIB_SOURCE_VPN_STATIC;
	struct rib_path s = path(3, x);
	assert_int_equal(loc_rib_update(lr, &d, &s), 0);
	assert_int_equal(loc_rib_multipath(lr, &d, mp, 4), 1);
	assert_int_equal(mp[0]->peer->id, peers[3].id);
	loc_rib_free(lr);
	bgp_attrs_unref(x);
	bgp_attrs_unref(y);
	bgp_attrs_unref(z);
}

static void test_by_name(void **state)
{
	(void)state;
	assert_ptr_equal(rib_comparator_by_name("aws-vgw"), &rib_comparator_aws_vgw);
	assert_ptr_equal(rib_comparator_by_name("aws-tgw"), &rib_comparator_aws_tgw);
	assert_ptr_equal(rib_comparator_by_name("aws-dx"), &rib_comparator_aws_dx);
	assert_ptr_equal(rib_comparator_by_name("rfc4271"), &rib_comparator_rfc4271);
	assert_null(rib_comparator_by_name("aws"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_vgw_healthy_only, setup),
		cmocka_unit_test_setup(test_vgw_source_order, setup),
		cmocka_unit_test_setup(test_tgw_static_first, setup),
		cmocka_unit_test_setup(test_local_wins, setup),
		cmocka_unit_test_setup(test_vgw_shortest_as_path, setup),
		cmocka_unit_test_setup(test_vgw_med_same_first_as, setup),
		cmocka_unit_test_setup(test_trap_med_across_asns, setup),
		cmocka_unit_test_setup(test_vgw_incumbent_then_address, setup),
		cmocka_unit_test_setup(test_vgw_ignores_undocumented, setup),
		cmocka_unit_test_setup(test_dx_local_pref_communities, setup),
		cmocka_unit_test_setup(test_vgw_loc_rib_stable_choice, setup),
		cmocka_unit_test_setup(test_tgw_ecmp, setup),
		cmocka_unit_test_setup(test_by_name, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
