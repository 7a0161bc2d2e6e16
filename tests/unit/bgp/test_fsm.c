#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bgp/fsm.h"

/* A recording fake: every action the FSM takes is noted here. */
struct rec {
	double timers[BGP_TIMER_COUNT]; /* last value set; 0 = stopped */
	int timer_sets[BGP_TIMER_COUNT];
	int connects, drops, opens, keepalives, notifies;
	uint8_t last_code, last_sub;
	int transitions;
	enum bgp_state last_from, last_to;
	double now;
};

static void r_timer(void *ctx, enum bgp_fsm_timer t, double secs)
{
	struct rec *r = ctx;
	r->timers[t] = secs;
	r->timer_sets[t]++;
}
static void r_connect(void *ctx) { ((struct rec *)ctx)->connects++; }
static void r_drop(void *ctx) { ((struct rec *)ctx)->drops++; }
static void r_open(void *ctx) { ((struct rec *)ctx)->opens++; }
static void r_ka(void *ctx) { ((struct rec *)ctx)->keepalives++; }
static void r_notify(void *ctx, const struct bgp_notify *n)
{
	struct rec *r = ctx;
	r->notifies++;
	r->last_code = n->code;
	r->last_sub = n->subcode;
}
static void r_state(void *ctx, enum bgp_state from, enum bgp_state to)
{
	struct rec *r = ctx;
	r->transitions++;
	r->last_from = from;
	r->last_to = to;
}
static double r_now(void *ctx) { return ((struct rec *)ctx)->now; }

static const struct bgp_fsm_ops rec_ops = {
	.timer = r_timer, .connect = r_connect, .drop = r_drop, .send_open = r_open,
	.send_keepalive = r_ka, .send_notify = r_notify, .state_change = r_state,
	.now = r_now,
};

static void setup(struct bgp_fsm *f, struct rec *r, bool passive, uint16_t delay_open)
{
	memset(r, 0, sizeof(*r));
	struct bgp_fsm_config c = { .passive = passive, .hold_time = 90, .keepalive = 0,
				    .connect_retry = 30, .delay_open = delay_open };
	bgp_fsm_init(f, &c, &rec_ops, r);
}

static void ev(struct bgp_fsm *f, enum bgp_fsm_event e)
{
	bgp_fsm_event(f, e, 0, NULL);
}

/* Drives an active peer to Established with the peer proposing hold 30. */
static void establish(struct bgp_fsm *f, struct rec *r)
{
	ev(f, BGP_EV_START);
	ev(f, BGP_EV_TCP_UP);
	bgp_fsm_event(f, BGP_EV_OPEN, 30, NULL);
	ev(f, BGP_EV_KEEPALIVE);
	assert_int_equal(f->state, BGP_STATE_ESTABLISHED);
	(void)r;
}

static void test_active_path_to_established(void **state)
{
	(void)state;
	struct bgp_fsm f;
	struct rec r;
	setup(&f, &r, false, 0);
	assert_int_equal(f.state, BGP_STATE_IDLE);

	ev(&f, BGP_EV_START);
	assert_int_equal(f.state, BGP_STATE_CONNECT);
	assert_int_equal(r.connects, 1);
	assert_true(r.timers[BGP_TIMER_CONNECT_RETRY] == 30);

	ev(&f, BGP_EV_TCP_UP);
	assert_int_equal(f.state, BGP_STATE_OPENSENT);
	assert_int_equal(r.opens, 1);
	assert_true(r.timers[BGP_TIMER_CONNECT_RETRY] == 0);
	assert_true(r.timers[BGP_TIMER_HOLD] == BGP_OPEN_HOLD_TIME);

	bgp_fsm_event(&f, BGP_EV_OPEN, 30, NULL);
	assert_int_equal(f.state, BGP_STATE_OPENCONFIRM);
	assert_int_equal(r.keepalives, 1);
	/* min(90, 30) = 30, keepalive 30 / 3 */
	assert_int_equal(f.hold_time, 30);
	assert_int_equal(f.keepalive, 10);
	assert_true(r.timers[BGP_TIMER_HOLD] == 30);
	assert_true(r.timers[BGP_TIMER_KEEPALIVE] == 10);

	ev(&f, BGP_EV_KEEPALIVE);
	assert_int_equal(f.state, BGP_STATE_ESTABLISHED);
	assert_int_equal(r.last_from, BGP_STATE_OPENCONFIRM);
	assert_int_equal(r.last_to, BGP_STATE_ESTABLISHED);

	/* Traffic restarts the hold timer; our keepalive timer re-arms. */
	int holds = r.timer_sets[BGP_TIMER_HOLD];
	ev(&f, BGP_EV_UPDATE);
	assert_int_equal(r.timer_sets[BGP_TIMER_HOLD], holds + 1);
	ev(&f, BGP_EV_KEEPALIVE_EXP);
	assert_int_equal(r.keepalives, 2);
	assert_true(r.timers[BGP_TIMER_KEEPALIVE] == 10);
	assert_int_equal(r.notifies, 0);
	assert_int_equal(r.drops, 0);
}

static void test_passive_waits_in_active(void **state)
{
	(void)state;
	struct bgp_fsm f;
	struct rec r;
	setup(&f, &r, true, 0);
	ev(&f, BGP_EV_START);
	assert_int_equal(f.state, BGP_STATE_ACTIVE);
	assert_int_equal(r.connects, 0);
	ev(&f, BGP_EV_CONNECT_RETRY_EXP);
	assert_int_equal(f.state, BGP_STATE_ACTIVE);
	assert_int_equal(r.connects, 0);
	ev(&f, BGP_EV_TCP_UP);
	assert_int_equal(f.state, BGP_STATE_OPENSENT);
}

static void test_connect_failure_goes_active_then_retries(void **state)
{
	(void)state;
	struct bgp_fsm f;
	struct rec r;
	setup(&f, &r, false, 0);
	ev(&f, BGP_EV_START);
	ev(&f, BGP_EV_TCP_FAIL);
	assert_int_equal(f.state, BGP_STATE_ACTIVE);
	assert_true(r.timers[BGP_TIMER_CONNECT_RETRY] == 30);
	/* Not an oscillation: no idle hold-down armed. */
	assert_int_equal(r.timer_sets[BGP_TIMER_IDLE_HOLD], 0);
	ev(&f, BGP_EV_CONNECT_RETRY_EXP);
	assert_int_equal(f.state, BGP_STATE_CONNECT);
	assert_int_equal(r.connects, 2);
	/* The peer closes after our OPEN: back to Active (RFC 4271 8.2.2). */
	ev(&f, BGP_EV_TCP_UP);
	ev(&f, BGP_EV_TCP_FAIL);
	assert_int_equal(f.state, BGP_STATE_ACTIVE);
}

static void test_hold_expiry_sends_4_and_damps(void **state)
{
	(void)state;
	struct bgp_fsm f;
	struct rec r;
	setup(&f, &r, false, 0);
	establish(&f, &r);
	ev(&f, BGP_EV_HOLD_EXP);
	assert_int_equal(f.state, BGP_STATE_IDLE);
	assert_int_equal(r.notifies, 1);
	assert_int_equal(r.last_code, BGP_ERR_HOLD_TIMER);
	assert_int_equal(r.last_sub, 0);
	assert_int_equal(r.drops, 1);
	assert_true(r.timers[BGP_TIMER_IDLE_HOLD] == BGP_IDLE_HOLD_MIN);
	assert_true(r.timers[BGP_TIMER_HOLD] == 0);
	assert_true(r.timers[BGP_TIMER_KEEPALIVE] == 0);
	/* Idle ignores messages and starts itself after the hold-down. */
	ev(&f, BGP_EV_TCP_UP);
	assert_int_equal(f.state, BGP_STATE_IDLE);
	ev(&f, BGP_EV_IDLE_HOLD_EXP);
	assert_int_equal(f.state, BGP_STATE_CONNECT);
}

static void test_idle_hold_grows_caps_and_resets(void **state)
{
	(void)state;
	struct bgp_fsm f;
	struct rec r;
	setup(&f, &r, false, 0);
	ev(&f, BGP_EV_START);
	double expect = BGP_IDLE_HOLD_MIN;
	for (int i = 0; i < 10; i++) {
		ev(&f, BGP_EV_TCP_UP);
		/* The peer rejects us with a NOTIFICATION each time. */
		ev(&f, BGP_EV_NOTIFY);
		assert_int_equal(f.state, BGP_STATE_IDLE);
		assert_true(r.timers[BGP_TIMER_IDLE_HOLD] == expect);
		expect = expect * 2 > BGP_IDLE_HOLD_MAX ? BGP_IDLE_HOLD_MAX : expect * 2;
		ev(&f, BGP_EV_IDLE_HOLD_EXP);
		assert_int_equal(f.state, BGP_STATE_CONNECT);
	}
	assert_true(r.timers[BGP_TIMER_IDLE_HOLD] == BGP_IDLE_HOLD_MAX);
	assert_int_equal(f.connect_retry_counter, 10);

	/* A short Established period does not reset the damping ... */
	ev(&f, BGP_EV_TCP_UP);
	bgp_fsm_event(&f, BGP_EV_OPEN, 90, NULL);
	ev(&f, BGP_EV_KEEPALIVE);
	r.now += 5;
	ev(&f, BGP_EV_TCP_FAIL);
	assert_true(r.timers[BGP_TIMER_IDLE_HOLD] == BGP_IDLE_HOLD_MAX);
	/* ... a stable one does. */
	ev(&f, BGP_EV_IDLE_HOLD_EXP);
	ev(&f, BGP_EV_TCP_UP);
	bgp_fsm_event(&f, BGP_EV_OPEN, 90, NULL);
	ev(&f, BGP_EV_KEEPALIVE);
	r.now += BGP_IDLE_HOLD_STABLE + 1;
	ev(&f, BGP_EV_TCP_FAIL);
	assert_true(r.timers[BGP_TIMER_IDLE_HOLD] == BGP_IDLE_HOLD_MIN);
}

static void test_unexpected_messages_rfc6608(void **state)
{
	(void)state;
	struct bgp_fsm f;
	struct rec r;

	setup(&f, &r, false, 0);
	ev(&f, BGP_EV_START);
	ev(&f, BGP_EV_TCP_UP);
	ev(&f, BGP_EV_KEEPALIVE); /* before any OPEN */
	assert_int_equal(f.state, BGP_STATE_IDLE);
	assert_int_equal(r.last_code, BGP_ERR_FSM);
	assert_int_equal(r.last_sub, BGP_ERR_FSM_OPENSENT);

	setup(&f, &r, false, 0);
	ev(&f, BGP_EV_START);
	ev(&f, BGP_EV_TCP_UP);
	ev(&f, BGP_EV_UPDATE);
	assert_int_equal(r.last_sub, BGP_ERR_FSM_OPENSENT);

	setup(&f, &r, false, 0);
	ev(&f, BGP_EV_START);
	ev(&f, BGP_EV_TCP_UP);
	bgp_fsm_event(&f, BGP_EV_OPEN, 90, NULL);
	ev(&f, BGP_EV_UPDATE);
	assert_int_equal(f.state, BGP_STATE_IDLE);
	assert_int_equal(r.last_code, BGP_ERR_FSM);
	assert_int_equal(r.last_sub, BGP_ERR_FSM_OPENCONFIRM);

	setup(&f, &r, false, 0);
	ev(&f, BGP_EV_START);
	ev(&f, BGP_EV_TCP_UP);
	bgp_fsm_event(&f, BGP_EV_OPEN, 90, NULL);
	bgp_fsm_event(&f, BGP_EV_OPEN, 90, NULL);
	assert_int_equal(r.last_sub, BGP_ERR_FSM_OPENCONFIRM);

	setup(&f, &r, false, 0);
	establish(&f, &r);
	bgp_fsm_event(&f, BGP_EV_OPEN, 90, NULL);
	assert_int_equal(f.state, BGP_STATE_IDLE);
	assert_int_equal(r.last_code, BGP_ERR_FSM);
	assert_int_equal(r.last_sub, BGP_ERR_FSM_ESTABLISHED);
	assert_int_equal(r.notifies, 1);
	assert_int_equal(r.drops, 1);
}

static void test_errors_and_notifications(void **state)
{
	(void)state;
	struct bgp_fsm f;
	struct rec r;
	struct bgp_notify n = { .code = BGP_ERR_OPEN, .subcode = BGP_ERR_OPEN_BAD_AS };

	/* A bad OPEN: the codec's NOTIFICATION goes out, then Idle. */
	setup(&f, &r, false, 0);
	ev(&f, BGP_EV_START);
	ev(&f, BGP_EV_TCP_UP);
	bgp_fsm_event(&f, BGP_EV_MSG_ERR, 0, &n);
	assert_int_equal(f.state, BGP_STATE_IDLE);
	assert_int_equal(r.last_code, BGP_ERR_OPEN);
	assert_int_equal(r.last_sub, BGP_ERR_OPEN_BAD_AS);

	/* RFC 7606 session reset in Established. */
	setup(&f, &r, false, 0);
	establish(&f, &r);
	struct bgp_notify u = { .code = BGP_ERR_UPDATE, .subcode = BGP_ERR_UPD_ATTR_LIST };
	bgp_fsm_event(&f, BGP_EV_UPDATE_ERR, 0, &u);
	assert_int_equal(f.state, BGP_STATE_IDLE);
	assert_int_equal(r.last_code, BGP_ERR_UPDATE);
	assert_int_equal(r.last_sub, BGP_ERR_UPD_ATTR_LIST);

	/* A received NOTIFICATION is never answered with one. */
	setup(&f, &r, false, 0);
	establish(&f, &r);
	ev(&f, BGP_EV_NOTIFY);
	assert_int_equal(f.state, BGP_STATE_IDLE);
	assert_int_equal(r.notifies, 0);
	assert_int_equal(r.last_from, BGP_STATE_ESTABLISHED);

	/* RFC 9687 send hold timer. */
	setup(&f, &r, false, 0);
	establish(&f, &r);
	ev(&f, BGP_EV_SEND_HOLD_EXP);
	assert_int_equal(r.last_code, BGP_ERR_SEND_HOLD_TIMER);
	assert_int_equal(f.state, BGP_STATE_IDLE);
}

static void test_manual_stop(void **state)
{
	(void)state;
	struct bgp_fsm f;
	struct rec r;
	setup(&f, &r, false, 0);
	establish(&f, &r);
	struct bgp_notify c = { .code = BGP_ERR_CEASE, .subcode = BGP_CEASE_ADMIN_SHUTDOWN };
	bgp_fsm_event(&f, BGP_EV_STOP, 0, &c);
	assert_int_equal(f.state, BGP_STATE_IDLE);
	assert_int_equal(r.last_code, BGP_ERR_CEASE);
	assert_int_equal(r.last_sub, BGP_CEASE_ADMIN_SHUTDOWN);
	/* An operator stop is final: no automatic restart. */
	assert_true(r.timers[BGP_TIMER_IDLE_HOLD] == 0);
	ev(&f, BGP_EV_IDLE_HOLD_EXP);
	assert_int_equal(f.state, BGP_STATE_IDLE);
	assert_int_equal(r.connects, 1);

	/* Stop before any OPEN went out: nothing to notify. */
	setup(&f, &r, false, 0);
	ev(&f, BGP_EV_START);
	bgp_fsm_event(&f, BGP_EV_STOP, 0, &c);
	assert_int_equal(r.notifies, 0);
	assert_int_equal(f.state, BGP_STATE_IDLE);
}

static void test_delay_open(void **state)
{
	(void)state;
	struct bgp_fsm f;
	struct rec r;
	/* The peer's OPEN arrives first: ours and a KEEPALIVE answer it. */
	setup(&f, &r, false, 5);
	ev(&f, BGP_EV_START);
	ev(&f, BGP_EV_TCP_UP);
	assert_int_equal(f.state, BGP_STATE_CONNECT);
	assert_int_equal(r.opens, 0);
	assert_true(r.timers[BGP_TIMER_DELAY_OPEN] == 5);
	bgp_fsm_event(&f, BGP_EV_OPEN, 60, NULL);
	assert_int_equal(f.state, BGP_STATE_OPENCONFIRM);
	assert_int_equal(r.opens, 1);
	assert_int_equal(r.keepalives, 1);
	assert_true(r.timers[BGP_TIMER_DELAY_OPEN] == 0);
	assert_int_equal(f.hold_time, 60);

	/* DelayOpen runs out: we send our OPEN. */
	setup(&f, &r, true, 5);
	ev(&f, BGP_EV_START);
	ev(&f, BGP_EV_TCP_UP);
	assert_int_equal(f.state, BGP_STATE_ACTIVE);
	ev(&f, BGP_EV_DELAY_OPEN_EXP);
	assert_int_equal(f.state, BGP_STATE_OPENSENT);
	assert_int_equal(r.opens, 1);
}

static void test_hold_zero_means_no_timers(void **state)
{
	(void)state;
	struct bgp_fsm f;
	struct rec r;
	setup(&f, &r, false, 0);
	ev(&f, BGP_EV_START);
	ev(&f, BGP_EV_TCP_UP);
	bgp_fsm_event(&f, BGP_EV_OPEN, 0, NULL);
	assert_int_equal(f.hold_time, 0);
	assert_int_equal(f.keepalive, 0);
	assert_true(r.timers[BGP_TIMER_HOLD] == 0);
	assert_true(r.timers[BGP_TIMER_KEEPALIVE] == 0);
	int holds = r.timer_sets[BGP_TIMER_HOLD];
	ev(&f, BGP_EV_KEEPALIVE);
	assert_int_equal(f.state, BGP_STATE_ESTABLISHED);
	ev(&f, BGP_EV_UPDATE);
	assert_int_equal(r.timer_sets[BGP_TIMER_HOLD], holds);
}

static void test_negotiate_timers(void **state)
{
	(void)state;
	uint16_t h, k;
	bgp_fsm_negotiate_timers(90, 0, 180, &h, &k);
	assert_int_equal(h, 90);
	assert_int_equal(k, 30);
	bgp_fsm_negotiate_timers(30, 10, 90, &h, &k);
	assert_int_equal(h, 30);
	assert_int_equal(k, 10);
	/* Configured keepalive larger than hold / 3 is capped. */
	bgp_fsm_negotiate_timers(90, 60, 9, &h, &k);
	assert_int_equal(h, 9);
	assert_int_equal(k, 3);
	bgp_fsm_negotiate_timers(3, 0, 3, &h, &k);
	assert_int_equal(k, 1);
	bgp_fsm_negotiate_timers(90, 30, 0, &h, &k);
	assert_int_equal(h, 0);
	assert_int_equal(k, 0);
	assert_true(bgp_fsm_send_hold_time(30) == 480);
	assert_true(bgp_fsm_send_hold_time(0) == 480);
	assert_true(bgp_fsm_send_hold_time(300) == 600);
}

static void test_collision_resolution(void **state)
{
	(void)state;
	/* Local id higher: keep our outgoing connection. */
	assert_false(bgp_fsm_collision_keep_new(0x0a000002, 0x0a000001, false));
	assert_true(bgp_fsm_collision_keep_new(0x0a000002, 0x0a000001, true));
	/* Remote id higher: keep the one the remote opened. */
	assert_true(bgp_fsm_collision_keep_new(0x0a000001, 0x0a000002, false));
	assert_false(bgp_fsm_collision_keep_new(0x0a000001, 0x0a000002, true));
	/* Compared as integers, not bytes of a signed value. */
	assert_true(bgp_fsm_collision_keep_new(0x7f000001, 0xc0000201, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_active_path_to_established),
		cmocka_unit_test(test_passive_waits_in_active),
		cmocka_unit_test(test_connect_failure_goes_active_then_retries),
		cmocka_unit_test(test_hold_expiry_sends_4_and_damps),
		cmocka_unit_test(test_idle_hold_grows_caps_and_resets),
		cmocka_unit_test(test_unexpected_messages_rfc6608),
		cmocka_unit_test(test_errors_and_notifications),
		cmocka_unit_test(test_manual_stop),
		cmocka_unit_test(test_delay_open),
		cmocka_unit_test(test_hold_zero_means_no_timers),
		cmocka_unit_test(test_negotiate_timers),
		cmocka_unit_test(test_collision_resolution),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
