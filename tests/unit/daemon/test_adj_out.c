/* The Adj-RIB-Out rule (daemon/adj_out.h): what a change of the best
 * path does to a peer's out entry, now that the entry records the
 * export's source and not its result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/adj_out.h"

static struct rib_peer a_peer = { .id = 3, .ebgp = true }, b_peer = { .id = 4, .ebgp = false };

static void test_same_source_sends_nothing(void **state)
{
	(void)state;
	struct bgp_attrs *x = bgp_attrs_new();
	struct rib_path best = { .peer = &a_peer, .attrs = x };
	struct loc_out_src sent = { x, a_peer.id };
	assert_int_equal(adj_out_action(LOC_OUT_CUR, &sent, &best, true), ADJ_OUT_NOTHING);
	bgp_attrs_unref(x);
}

/* The same interned set from another peer may export differently (it
 * may be the receiver itself, or iBGP): re-evaluated, and announced. */
static void test_other_source_peer_reannounced(void **state)
{
	(void)state;
	struct bgp_attrs *x = bgp_attrs_new();
	struct rib_path best = { .peer = &b_peer, .attrs = x };
	struct loc_out_src sent = { x, a_peer.id };
	assert_int_equal(adj_out_action(LOC_OUT_CUR, &sent, &best, true), ADJ_OUT_ANNOUNCE);
	/* ... or withdrawn when the new source does not go to the peer. */
	assert_int_equal(adj_out_action(LOC_OUT_CUR, &sent, &best, false), ADJ_OUT_WITHDRAW);
	bgp_attrs_unref(x);
}

static void test_other_source_set_reannounced(void **state)
{
	(void)state;
	struct bgp_attrs *x = bgp_attrs_new(), *y = bgp_attrs_new();
	struct rib_path best = { .peer = &a_peer, .attrs = y };
	struct loc_out_src sent = { x, a_peer.id };
	assert_int_equal(adj_out_action(LOC_OUT_CUR, &sent, &best, true), ADJ_OUT_ANNOUNCE);
	bgp_attrs_unref(x);
	bgp_attrs_unref(y);
}

/* An entry of an export function a reload replaced: sent, attributes
 * unknown.  Announced again when the new function passes it, even from
 * the very same source; withdrawn when it does not, never taken for
 * absent. */
static void test_old_export_generation(void **state)
{
	(void)state;
	struct bgp_attrs *x = bgp_attrs_new();
	struct rib_path best = { .peer = &a_peer, .attrs = x };
	struct loc_out_src sent = { x, a_peer.id };
	assert_int_equal(adj_out_action(LOC_OUT_OLD, &sent, &best, true), ADJ_OUT_ANNOUNCE);
	assert_int_equal(adj_out_action(LOC_OUT_OLD, &sent, &best, false), ADJ_OUT_WITHDRAW);
	assert_int_equal(adj_out_action(LOC_OUT_OLD, &sent, NULL, false), ADJ_OUT_WITHDRAW);
	bgp_attrs_unref(x);
}

/* Nothing sent: announced if exportable, else nothing to withdraw. */
static void test_absent_entry(void **state)
{
	(void)state;
	struct bgp_attrs *x = bgp_attrs_new();
	struct rib_path best = { .peer = &a_peer, .attrs = x };
	struct loc_out_src none = { 0 };
	assert_int_equal(adj_out_action(LOC_OUT_NONE, &none, &best, true), ADJ_OUT_ANNOUNCE);
	assert_int_equal(adj_out_action(LOC_OUT_NONE, &none, &best, false), ADJ_OUT_NOTHING);
	assert_int_equal(adj_out_action(LOC_OUT_NONE, &none, NULL, false), ADJ_OUT_NOTHING);
	/* The best went away: a current entry is withdrawn. */
	struct loc_out_src sent = { x, a_peer.id };
	assert_int_equal(adj_out_action(LOC_OUT_CUR, &sent, NULL, false), ADJ_OUT_WITHDRAW);
	bgp_attrs_unref(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_source_sends_nothing),
		cmocka_unit_test(test_other_source_peer_reannounced),
		cmocka_unit_test(test_other_source_set_reannounced),
		cmocka_unit_test(test_old_export_generation),
		cmocka_unit_test(test_absent_entry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
