/* The Adj-RIB-Out rule (daemon/adj_out.h): what a change of the best
 * path, or a walk, does to a peer's out entry, now that the entry
 * records neither the export nor its source, only that it was sent and
 * by which export function; then the rule driven by a Loc-RIB the way
 * daemon/sync.c drives it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "daemon/adj_out.h"
#include "rib/loc_rib.h"
#include "../rib/rib_test_attrs.h"

/* A reported change: announced whenever the peer gets the new best,
 * even over a current entry (it stood for the old best's export). */
static void test_change_announces(void **state)
{
	(void)state;
	assert_int_equal(adj_out_action(LOC_OUT_CUR, true, true), ADJ_OUT_ANNOUNCE);
	assert_int_equal(adj_out_action(LOC_OUT_OLD, true, true), ADJ_OUT_ANNOUNCE);
	assert_int_equal(adj_out_action(LOC_OUT_NONE, true, true), ADJ_OUT_ANNOUNCE);
	/* ... or withdrawn when the new best does not go to the peer, or
	 * there is none, if anything was sent. */
	assert_int_equal(adj_out_action(LOC_OUT_CUR, true, false), ADJ_OUT_WITHDRAW);
	assert_int_equal(adj_out_action(LOC_OUT_OLD, true, false), ADJ_OUT_WITHDRAW);
	assert_int_equal(adj_out_action(LOC_OUT_NONE, true, false), ADJ_OUT_NOTHING);
}

/* A walk (the initial dump, a re-export after a reload): a current
 * entry is the export of the best already; an entry of an older export
 * function, or marked unknown, is sent again when the function passes
 * it and withdrawn when it does not, never taken for absent. */
static void test_walk(void **state)
{
	(void)state;
	assert_int_equal(adj_out_action(LOC_OUT_CUR, false, true), ADJ_OUT_NOTHING);
	assert_int_equal(adj_out_action(LOC_OUT_OLD, false, true), ADJ_OUT_ANNOUNCE);
	assert_int_equal(adj_out_action(LOC_OUT_NONE, false, true), ADJ_OUT_ANNOUNCE);
	assert_int_equal(adj_out_action(LOC_OUT_CUR, false, false), ADJ_OUT_WITHDRAW);
	assert_int_equal(adj_out_action(LOC_OUT_OLD, false, false), ADJ_OUT_WITHDRAW);
	assert_int_equal(adj_out_action(LOC_OUT_NONE, false, false), ADJ_OUT_NOTHING);
}

/* A stand-in for sync.c: one receiving peer, exporting every best
 * path (or, blocked, sending nothing and marking its entry unknown, as
 * export_prefix does for a peer that cannot be sent a family). */
#define RX 9

struct sender {
	struct loc_rib *lr;
	bool blocked;
	unsigned announced, withdrawn, reports;
};

static void sender_apply(struct sender *s, const struct rib_path *best, struct loc_rib_rec *r,
			 bool changed)
{
	enum loc_out_state st = loc_rib_out_get(s->lr, r, RX, NULL);
	switch (adj_out_action(st, changed, best != NULL)) {
	case ADJ_OUT_NOTHING:
		break;
	case ADJ_OUT_ANNOUNCE:
		s->announced++;
		assert_int_equal(loc_rib_out_set(s->lr, r, RX, true), 0);
		break;
	case ADJ_OUT_WITHDRAW:
		s->withdrawn++;
		assert_int_equal(loc_rib_out_set(s->lr, r, RX, false), 0);
		break;
	}
}

static void on_change(void *arg, const struct loc_rib_change *c)
{
	struct sender *s = arg;
	if (!c->best_changed)
		return;
	s->reports++;
	if (s->blocked) {
		loc_rib_out_unknown(s->lr, c->rec, RX);
		return;
	}
	sender_apply(s, c->new_best, c->rec, true);
}

static int walk_visit(void *arg, const struct prefix *p, const struct rib_path *best,
		      struct loc_rib_rec *r)
{
	(void)p;
	sender_apply(arg, best, r, false);
	return 0;
}

static void walk(struct sender *s)
{
	assert_int_equal(loc_rib_walk_rec(s->lr, AF_INET, NULL, 0, walk_visit, s, NULL), 0);
}

static struct rib_peer src_peers[2];

static struct bgp_attrs *attrs(uint32_t med)
{
	return test_attrs_med(65001, med);
}

static struct rib_path path(int peer, struct bgp_attrs *a)
{
	return (struct rib_path){ .peer = &src_peers[peer], .attrs = a, .igp_cost = 1,
				  .nh_reachable = true };
}

static struct loc_rib *mk(struct sender *s)
{
	struct loc_rib_config cfg = { .multipath = 1 };
	rib_decision_opts_default(&cfg.opts);
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 2; i++) {
		memset(&src_peers[i], 0, sizeof(src_peers[i]));
		src_peers[i].id = (uint32_t)i + 1;
		addr_from_v4(&src_peers[i].addr, 0xc0000201u + (uint32_t)i);
		src_peers[i].router_id = (uint32_t)i + 1;
		src_peers[i].as = 65001;
		src_peers[i].ebgp = true;
	}
	s->lr = loc_rib_new(&cfg, on_change, s);
	assert_non_null(s->lr);
	return s->lr;
}

/* What used to be "same source, nothing sent": the same route again
 * from upstream (an equal set, even another copy of it) is no change
 * the Loc-RIB reports, so nothing is queued; a real change is
 * announced, and so is a change back. */
static void test_unchanged_best_sends_nothing(void **state)
{
	(void)state;
	struct sender s;
	struct loc_rib *lr = mk(&s);
	struct prefix p;
	assert_int_equal(prefix_parse("203.0.113.0/24", &p), 0);
	struct bgp_attrs *a = attrs(10), *a2 = attrs(10), *b = attrs(5);
	struct rib_path pa = path(0, a), pa2 = path(0, a2), pb = path(1, b);
	assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	assert_int_equal(s.announced, 1);
	assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	assert_int_equal(loc_rib_update(lr, &p, &pa2), 0);
	assert_int_equal(s.reports, 1);
	assert_int_equal(s.announced, 1);
	/* A better path, then its withdrawal: each announced. */
	assert_int_equal(loc_rib_update(lr, &p, &pb), 0);
	assert_int_equal(s.announced, 2);
	assert_int_equal(loc_rib_withdraw(lr, &p, src_peers[1].id), 1);
	assert_int_equal(s.announced, 3);
	/* A walk (a dump interleaved with these changes) finds it sent. */
	walk(&s);
	assert_int_equal(s.announced, 3);
	/* The last path goes: withdrawn, the entry with it. */
	assert_int_equal(loc_rib_withdraw(lr, &p, src_peers[0].id), 1);
	assert_int_equal(s.withdrawn, 1);
	assert_int_equal(loc_rib_out_count(lr, RX), 0);
	loc_rib_free(lr);
	bgp_attrs_unref(a);
	bgp_attrs_unref(a2);
	bgp_attrs_unref(b);
}

/* The early return: a change the peer could not be sent (a family RFC
 * 7606 disabled) leaves its entry unknown, not current: a walk sends
 * the best again instead of taking the old route for it, and a later
 * withdrawal still reaches the peer. */
static void test_missed_change_not_current(void **state)
{
	(void)state;
	struct sender s;
	struct loc_rib *lr = mk(&s);
	struct prefix p, q;
	assert_int_equal(prefix_parse("203.0.113.0/24", &p), 0);
	assert_int_equal(prefix_parse("198.51.100.0/24", &q), 0);
	struct bgp_attrs *a = attrs(10), *b = attrs(5);
	struct rib_path pa = path(0, a), pb = path(1, b);
	assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	assert_int_equal(loc_rib_update(lr, &q, &pa), 0);
	assert_int_equal(s.announced, 2);
	s.blocked = true;
	assert_int_equal(loc_rib_update(lr, &p, &pb), 0);
	assert_int_equal(loc_rib_out_get(lr, loc_rib_rec_find(lr, &p), RX, NULL), LOC_OUT_OLD);
	assert_int_equal(loc_rib_out_get(lr, loc_rib_rec_find(lr, &q), RX, NULL), LOC_OUT_CUR);
	s.blocked = false;
	walk(&s);
	assert_int_equal(s.announced, 3); /* p again, q not */
	assert_int_equal(loc_rib_out_get(lr, loc_rib_rec_find(lr, &p), RX, NULL), LOC_OUT_CUR);
	/* Missed again, then every path goes: still withdrawn. */
	s.blocked = true;
	assert_int_equal(loc_rib_withdraw(lr, &p, src_peers[1].id), 1);
	s.blocked = false;
	assert_int_equal(loc_rib_withdraw(lr, &p, src_peers[0].id), 1);
	assert_int_equal(s.withdrawn, 1);
	assert_int_equal(loc_rib_out_count(lr, RX), 1);
	loc_rib_free(lr);
	bgp_attrs_unref(a);
	bgp_attrs_unref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_change_announces),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_unchanged_best_sends_nothing),
		cmocka_unit_test(test_missed_change_not_current),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
