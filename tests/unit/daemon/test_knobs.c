/* Each decision knob, written in a config and applied to a Loc-RIB the
 * way egressd does (daemon/knobs.c), changes which path is best: the same
 * paths, with and without the statement, give different winners. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../conf/conf_test.h"
#include "../rib/rib_test_attrs.h"
#include "daemon/knobs.h"
#include "rib/loc_rib.h"

#define HEAD "router-id 10.0.0.1\nlocal-as 64521\n"

struct offer {
	uint32_t peer_as;    /* first AS of the path, also the peer's AS */
	unsigned aslen;
	int64_t med;         /* -1: none */
	int64_t local_pref;  /* -1: none */
	uint32_t router_id;  /* also the peer id */
};

static struct rib_peer peers[8];

static struct loc_rib *rib_from(const char *knobs)
{
	char text[512];
	snprintf(text, sizeof(text), HEAD "%s", knobs);
	struct conf *c = conf_test_ok(text);
	struct loc_rib_config cfg = {0};
	daemon_knobs_apply(&c->decision, &cfg);
	conf_free(c);
	struct loc_rib *lr = loc_rib_new(&cfg, NULL, NULL);
	assert_non_null(lr);
	return lr;
}

/* Offers the paths in array order (arrival order) for 192.0.2.0/24. */
static void offer_all(struct loc_rib *lr, const struct offer *o, size_t n)
{
	struct prefix p;
	assert_int_equal(prefix_parse("192.0.2.0/24", &p), 0);
	for (size_t i = 0; i < n; i++) {
		struct rib_peer *rp = &peers[o[i].router_id];
		*rp = (struct rib_peer){ .id = o[i].router_id, .router_id = o[i].router_id,
					 .as = o[i].peer_as, .ebgp = true };
		char a[32];
		snprintf(a, sizeof(a), "10.0.0.%u", o[i].router_id);
		assert_int_equal(addr_parse(a, &rp->addr), 0);
		struct bgp_attrs *at = test_attrs_seq(o[i].peer_as, o[i].aslen);
		if (o[i].med >= 0) {
			at->med = (uint32_t)o[i].med;
			at->present |= BGP_ATTR_BIT(BGP_ATTR_MED);
		}
		if (o[i].local_pref >= 0) {
			at->local_pref = (uint32_t)o[i].local_pref;
			at->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
		}
		struct rib_path path = { .peer = rp, .attrs = at, .received = i + 1,
					 .igp_cost = UINT32_MAX, .nh_reachable = true };
		assert_int_equal(loc_rib_update(lr, &p, &path), 0);
		bgp_attrs_unref(at);
	}
}

/* Router id (= peer id) of the best path with knobs written. */
static uint32_t best_with(const char *knobs, const struct offer *o, size_t n)
{
	struct loc_rib *lr = rib_from(knobs);
	offer_all(lr, o, n);
	struct prefix p;
	prefix_parse("192.0.2.0/24", &p);
	const struct rib_path *b = loc_rib_best(lr, &p);
	assert_non_null(b);
	uint32_t id = b->peer->id;
	loc_rib_free(lr);
	return id;
}

static size_t multipath_with(const char *knobs, const struct offer *o, size_t n)
{
	struct loc_rib *lr = rib_from(knobs);
	offer_all(lr, o, n);
	struct prefix p;
	prefix_parse("192.0.2.0/24", &p);
	const struct rib_path *mp[8];
	size_t k = loc_rib_multipath(lr, &p, mp, 8);
	loc_rib_free(lr);
	return k;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 4271 9.1.2.2 c compares MED only within a neighbour AS; with the
 * knob the lower MED of another AS wins over the lower router id. */
static void test_always_compare_med(void **state)
{
	(void)state;
	const struct offer o[] = { { 65001, 1, 50, -1, 1 }, { 65002, 1, 10, -1, 2 } };
	assert_int_equal(best_with("", o, N(o)), 1);
	assert_int_equal(best_with("always-compare-med\n", o, N(o)), 2);
}

/* A missing MED is the lowest (9.1.2.2 c) unless med-missing-as-worst. */
static void test_med_missing_as_worst(void **state)
{
	(void)state;
	const struct offer o[] = { { 65001, 1, -1, -1, 1 }, { 65001, 1, 10, -1, 2 } };
	assert_int_equal(best_with("", o, N(o)), 1);
	assert_int_equal(best_with("med-missing-as-worst\n", o, N(o)), 2);
}

/* RFC 5004: the older eBGP path stays rather than the lower router id. */
static void test_prefer_oldest(void **state)
{
	(void)state;
	const struct offer o[] = { { 65001, 1, -1, -1, 2 }, { 65002, 1, -1, -1, 1 } };
	assert_int_equal(best_with("", o, N(o)), 1);
	assert_int_equal(best_with("prefer-oldest\n", o, N(o)), 2);
}

/* A path without LOCAL_PREF counts as default-local-pref (9.1.1). */
static void test_default_local_pref(void **state)
{
	(void)state;
	const struct offer o[] = { { 65001, 1, -1, -1, 1 }, { 65001, 1, -1, 150, 2 } };
	assert_int_equal(best_with("", o, N(o)), 2);
	assert_int_equal(best_with("default-local-pref 200\n", o, N(o)), 1);
}

/* Three paths that beat each other in a circle: a < b by router id
 * (other AS, MED not compared), c < a by MED (same AS), b < c by router
 * id.  Arrival order a, b, c makes the plain fold end on c; grouping by
 * neighbour AS first (c wins AS 65001) then gives b. */
static void test_deterministic_med(void **state)
{
	(void)state;
	const struct offer o[] = { { 65001, 1, 20, -1, 1 }, { 65002, 1, 0, -1, 2 },
				   { 65001, 1, 10, -1, 3 } };
	assert_int_equal(best_with("", o, N(o)), 3);
	assert_int_equal(best_with("deterministic-med\n", o, N(o)), 2);
}

/* multipath N keeps the equal paths; relax lets other ASes join. */
static void test_multipath(void **state)
{
	(void)state;
	const struct offer same[] = { { 65001, 1, -1, -1, 1 }, { 65001, 1, -1, -1, 2 },
				      { 65001, 1, -1, -1, 3 } };
	assert_int_equal(multipath_with("", same, N(same)), 1);
	assert_int_equal(multipath_with("multipath 2\n", same, N(same)), 2);
	assert_int_equal(multipath_with("multipath 4\n", same, N(same)), 3);
	const struct offer other[] = { { 65001, 1, -1, -1, 1 }, { 65002, 1, -1, -1, 2 } };
	assert_int_equal(multipath_with("multipath 4\n", other, N(other)), 1);
	assert_int_equal(multipath_with("multipath 4 relax\n", other, N(other)), 2);
}

static size_t changes;
static uint32_t last_best;

static void on_change(void *arg, const struct loc_rib_change *c)
{
	(void)arg;
	if (c->best_changed) {
		changes++;
		last_best = c->new_best ? c->new_best->peer->id : 0;
	}
}

/* A reload: the same Loc-RIB gets new knobs and is reselected in
 * slices; the change of best is reported once, and a second pass
 * reports nothing. */
static void test_reselect_after_new_knobs(void **state)
{
	(void)state;
	struct loc_rib_config cfg = {0};
	rib_decision_opts_default(&cfg.opts);
	struct loc_rib *lr = loc_rib_new(&cfg, on_change, NULL);
	assert_non_null(lr);
	const struct offer o[] = { { 65001, 1, 50, -1, 1 }, { 65002, 1, 10, -1, 2 } };
	offer_all(lr, o, N(o));
	/* And some other prefixes, so the walk takes several slices. */
	for (unsigned i = 0; i < 10; i++) {
		struct prefix p;
		char t[32];
		snprintf(t, sizeof(t), "10.%u.0.0/16", i);
		assert_int_equal(prefix_parse(t, &p), 0);
		struct bgp_attrs *at = test_attrs_seq(65001, 1);
		struct rib_path path = { .peer = &peers[1], .attrs = at, .received = 100 + i,
					 .igp_cost = UINT32_MAX, .nh_reachable = true };
		assert_int_equal(loc_rib_update(lr, &p, &path), 0);
		bgp_attrs_unref(at);
	}
	changes = 0;
	struct conf *c = conf_test_ok(HEAD "always-compare-med\nmultipath 4 relax\n");
	daemon_knobs_apply(&c->decision, &cfg);
	conf_free(c);
	assert_int_equal(loc_rib_set_config(lr, &cfg), 0);
	struct prefix cur, next;
	bool has = false;
	int rc, slices = 0;
	while ((rc = loc_rib_reselect(lr, AF_INET, has ? &cur : NULL, 3, &next)) == 1) {
		cur = next;
		has = true;
		slices++;
	}
	assert_int_equal(rc, 0);
	assert_true(slices >= 3);
	assert_int_equal(changes, 1);
	assert_int_equal(last_best, 2);
	changes = 0;
	assert_int_equal(loc_rib_reselect(lr, AF_INET, NULL, 0, NULL), 0);
	assert_int_equal(changes, 0);
	loc_rib_free(lr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_always_compare_med),
		cmocka_unit_test(test_med_missing_as_worst),
		cmocka_unit_test(test_prefer_oldest),
		cmocka_unit_test(test_default_local_pref),
		cmocka_unit_test(test_deterministic_med),
		cmocka_unit_test(test_multipath),
		cmocka_unit_test(test_reselect_after_new_knobs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
