/* What the FIB's backup needs from the Loc-RIB: the path the decision
 * would pick without some of the candidates (loc_rib_best_without),
 * and, when asked for, events for changes of non-best candidates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rib/loc_rib.h"
#include "rib_test_attrs.h"

struct events {
	unsigned n, others;
};

static void on_change(void *arg, const struct loc_rib_change *c)
{
	struct events *e = arg;
	e->n++;
	if (c->others_changed) {
		e->others++;
		assert_false(c->best_changed);
		assert_false(c->multipath_changed);
		assert_non_null(c->new_best);
	}
}

static struct rib_peer peers[3];

static void add(struct loc_rib *lr, const struct prefix *p, unsigned i, unsigned aslen)
{
	struct bgp_attrs *a = test_attrs_seq(64500 + 10 * i, aslen);
	struct rib_path path = { .peer = &peers[i], .attrs = a, .received = i + 1,
				 .igp_cost = UINT32_MAX, .nh_reachable = true };
	assert_int_equal(loc_rib_update(lr, p, &path), 0);
	bgp_attrs_unref(a);
}

static bool skip_peer0(void *arg, const struct rib_path *path)
{
	(void)arg;
	return path->peer == &peers[0];
}

static bool skip_all(void *arg, const struct rib_path *path)
{
	(void)arg;
	(void)path;
	return true;
}

static void test_best_without_and_other_events(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		peers[i] = (struct rib_peer){ .id = i + 1, .as = 64500 + 10 * i, .ebgp = true,
					      .router_id = i + 1 };
		assert_int_equal(addr_parse(i == 0 ? "10.0.0.1" : i == 1 ? "10.0.0.2" : "10.0.0.3",
					    &peers[i].addr), 0);
	}
	struct events ev = {0};
	struct loc_rib_config cfg = {0};
	rib_decision_opts_default(&cfg.opts);
	struct loc_rib *lr = loc_rib_new(&cfg, on_change, &ev);
	assert_non_null(lr);
	struct prefix p;
	assert_int_equal(prefix_parse("198.51.100.0/24", &p), 0);

	add(lr, &p, 0, 1); /* best: shortest AS path */
	assert_int_equal(ev.n, 1);
	add(lr, &p, 2, 3); /* worse: without report_paths, no event */
	assert_int_equal(ev.n, 1);
	loc_rib_report_paths(lr, true);
	add(lr, &p, 1, 2); /* second best arrives: an "others" event */
	assert_int_equal(ev.n, 2);
	assert_int_equal(ev.others, 1);

	const struct rib_path *b = loc_rib_best_without(lr, &p, skip_peer0, NULL);
	assert_non_null(b);
	assert_ptr_equal(b->peer, &peers[1]); /* AS path 2 beats 3 */
	assert_null(loc_rib_best_without(lr, &p, skip_all, NULL));
	assert_ptr_equal(loc_rib_best(lr, &p)->peer, &peers[0]);

	/* The best going away is a best change, not an "others" one. */
	assert_int_equal(loc_rib_withdraw(lr, &p, peers[0].id), 1);
	assert_int_equal(ev.n, 3);
	assert_int_equal(ev.others, 1);
	loc_rib_free(lr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_best_without_and_other_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
