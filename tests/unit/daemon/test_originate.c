/* Conditional origination (daemon/condition.c, daemon/originate.c):
 * conditions flip prefixes in and out of the Loc-RIB, each flip is one
 * change event (what export turns into an UPDATE), setting a condition
 * to the state it has changes nothing, a policy on an origination sets
 * its attributes or rejects it, and a condition nobody defined is
 * created by daemon_condition_set (how probes register theirs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../conf/conf_test.h"
#include "daemon/daemon.h"

static size_t events;
static bool last_up;

static void on_change(void *arg, const struct loc_rib_change *c)
{
	(void)arg;
	if (c->best_changed) {
		events++;
		last_up = c->new_best != NULL;
	}
}

static struct daemon *daemon_for(const char *text)
{
	struct daemon *d = calloc(1, sizeof(*d));
	assert_non_null(d);
	d->conf = conf_test_ok(text);
	assert_int_equal(policy_set_build(d->conf, &d->policies), 0);
	d->rib = rib_new();
	assert_non_null(d->rib);
	struct loc_rib_config cfg = {0};
	rib_decision_opts_default(&cfg.opts);
	assert_int_equal(rib_loc_create(d->rib, &cfg, on_change, d), 0);
	d->local = (struct rib_peer){ .id = DAEMON_LOCAL_PEER_ID, .as = d->conf->local_as };
	events = 0;
	assert_int_equal(daemon_originate_init(d), 0);
	return d;
}

static void daemon_done(struct daemon *d)
{
	daemon_originate_free(d);
	rib_free(d->rib);
	policy_set_free(d->policies);
	conf_free(d->conf);
	free(d);
}

static const struct rib_path *best(struct daemon *d, const char *pfx)
{
	struct prefix p;
	assert_int_equal(prefix_parse(pfx, &p), 0);
	return loc_rib_best(rib_loc(d->rib), &p);
}

#define HEAD "router-id 10.0.0.1\nlocal-as 64521\n"

static void test_condition_flips_origination(void **state)
{
	(void)state;
	struct daemon *d = daemon_for(HEAD "condition uplink\noriginate 0.0.0.0/0 when uplink\n"
					  "originate 198.51.100.0/24\n");
	/* Unconditional one in, the gated one not (its condition starts down). */
	assert_int_equal(events, 1);
	assert_null(best(d, "0.0.0.0/0"));
	assert_non_null(best(d, "198.51.100.0/24"));
	assert_int_equal(daemon_condition_set(d, "uplink", true, "test"), 1);
	assert_int_equal(events, 2);
	assert_true(last_up);
	const struct rib_path *b = best(d, "0.0.0.0/0");
	assert_non_null(b);
	assert_int_equal(b->peer->id, DAEMON_LOCAL_PEER_ID);
	assert_true(d->origins[0].announced);
	assert_string_equal(d->origins[0].why, "condition uplink up: test");
	/* Same state again: no event, reason updated. */
	assert_int_equal(daemon_condition_set(d, "uplink", true, "again"), 0);
	assert_int_equal(events, 2);
	assert_string_equal(daemon_condition_find(d, "uplink")->reason, "again");
	assert_int_equal(daemon_condition_set(d, "uplink", false, "isp gone"), 1);
	assert_int_equal(events, 3);
	assert_false(last_up);
	assert_null(best(d, "0.0.0.0/0"));
	assert_false(d->origins[0].announced);
	assert_string_equal(d->origins[0].why, "condition uplink down: isp gone");
	assert_int_equal(daemon_condition_find(d, "uplink")->changes, 2);
	/* The other prefix never moved. */
	assert_non_null(best(d, "198.51.100.0/24"));
	daemon_done(d);
}

static void test_initial_up_and_policy(void **state)
{
	(void)state;
	struct daemon *d = daemon_for(HEAD "condition c up\n"
					  "policy med9 { set med 9; accept }\n"
					  "policy no { term x { match prefix 10.0.0.0/8; reject }\n"
					  "  default accept }\n"
					  "originate 0.0.0.0/0 policy med9 when c\n"
					  "originate 10.0.0.0/8 policy no\n");
	const struct rib_path *b = best(d, "0.0.0.0/0");
	assert_non_null(b);
	assert_true(bgp_attrs_has(b->attrs, BGP_ATTR_MED));
	assert_int_equal(b->attrs->med, 9);
	assert_null(best(d, "10.0.0.0/8"));
	assert_string_equal(d->origins[1].why, "rejected by policy no");
	daemon_done(d);
}

/* A probe registers its condition by setting it: not manual. */
static void test_set_creates_unknown(void **state)
{
	(void)state;
	struct daemon *d = daemon_for(HEAD "originate 0.0.0.0/0\n");
	assert_null(daemon_condition_find(d, "probe1"));
	assert_int_equal(daemon_condition_set(d, "probe1", true, "3 of 3 replies"), 1);
	const struct daemon_condition *c = daemon_condition_find(d, "probe1");
	assert_non_null(c);
	assert_true(c->up);
	assert_false(c->manual);
	assert_int_equal(daemon_condition_add(d, "probe1", false, false, NULL), -EEXIST);
	daemon_done(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_condition_flips_origination),
		cmocka_unit_test(test_initial_up_and_policy),
		cmocka_unit_test(test_set_creates_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
