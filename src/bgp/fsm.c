/* RFC 4271 section 8.2.2, one state at a time.
 *
 * Our implementation folds events the session cannot tell apart
 * (Tcp_CR_Acked / TcpConnectionConfirmed, BGPOpen with or without
 * DelayOpen) and lets the session validate OPEN messages before the FSM
 * sees them.  Where the RFC moves to Idle on an unexpected event we send
 * the RFC 6608 subcode for the state we are in.  Differences from the
 * letter of 8.2.2, each for a reason:
 * - a failed outgoing connect in Connect goes to Active (listen and retry
 *   on ConnectRetry) instead of Idle, so two speakers started at
 *   different times still meet;
 * - timer events that arrive in a state that does not run that timer are
 *   ignored (they are our own stale timers, not the peer's fault). */
#include "bgp/fsm.h"

#include <stddef.h>

static void timer(struct bgp_fsm *f, enum bgp_fsm_timer t, double secs);

static const char *const ev_names[BGP_EV_COUNT] = {
	[BGP_EV_START] = "Start",
	[BGP_EV_STOP] = "Stop",
	[BGP_EV_CONNECT_RETRY_EXP] = "ConnectRetryTimer_Expires",
	[BGP_EV_HOLD_EXP] = "HoldTimer_Expires",
	[BGP_EV_KEEPALIVE_EXP] = "KeepaliveTimer_Expires",
	[BGP_EV_DELAY_OPEN_EXP] = "DelayOpenTimer_Expires",
	[BGP_EV_IDLE_HOLD_EXP] = "IdleHoldTimer_Expires",
	[BGP_EV_SEND_HOLD_EXP] = "SendHoldTimer_Expires",
	[BGP_EV_TCP_UP] = "TcpConnectionConfirmed",
	[BGP_EV_TCP_FAIL] = "TcpConnectionFails",
	[BGP_EV_OPEN] = "BGPOpen",
	[BGP_EV_MSG_ERR] = "BGPHeaderErr/BGPOpenMsgErr",
	[BGP_EV_NOTIFY] = "NotifMsg",
	[BGP_EV_KEEPALIVE] = "KeepAliveMsg",
	[BGP_EV_UPDATE] = "UpdateMsg",
	[BGP_EV_UPDATE_ERR] = "UpdateMsgErr",
};

const char *bgp_fsm_event_name(enum bgp_fsm_event ev)
{
	return (unsigned)ev < BGP_EV_COUNT ? ev_names[ev] : "?";
}

void bgp_fsm_negotiate_timers(uint16_t local_hold, uint16_t local_keepalive,
			      uint16_t remote_hold, uint16_t *hold, uint16_t *keepalive)
{
	uint16_t h = local_hold < remote_hold ? local_hold : remote_hold;
	*hold = h;
	if (h == 0) {
		*keepalive = 0;
		return;
	}
	uint16_t ka = h / 3;
	if (local_keepalive && local_keepalive < ka)
		ka = local_keepalive;
	*keepalive = ka ? ka : 1;
}

double bgp_fsm_send_hold_time(uint16_t hold_time)
{
	double t = 2.0 * hold_time;
	return t > 480.0 ? t : 480.0;
}

bool bgp_fsm_collision_keep_new(uint32_t local_id, uint32_t remote_id, bool new_outgoing)
{
	/* RFC 4271 6.8: if the local id is lower, keep the connection the
	 * remote side opened; otherwise keep ours.  Equal ids cannot happen
	 * for a valid OPEN (eBGP may share ids since RFC 6286, then the
	 * higher AS would decide; we keep ours, which is what ties give). */
	bool keep_remote_initiated = local_id < remote_id;
	return new_outgoing ? !keep_remote_initiated : keep_remote_initiated;
}

void bgp_fsm_collision_adopt(struct bgp_fsm *f)
{
	if (f->state != BGP_STATE_OPENCONFIRM)
		return;
	timer(f, BGP_TIMER_KEEPALIVE, 0);
	timer(f, BGP_TIMER_HOLD, BGP_OPEN_HOLD_TIME);
	f->state = BGP_STATE_OPENSENT;
}

void bgp_fsm_init(struct bgp_fsm *f, const struct bgp_fsm_config *cfg,
		  const struct bgp_fsm_ops *ops, void *ctx)
{
	*f = (struct bgp_fsm){
		.state = BGP_STATE_IDLE,
		.cfg = *cfg,
		.idle_hold = BGP_IDLE_HOLD_MIN,
		.ops = ops,
		.ctx = ctx,
	};
	if (!f->cfg.connect_retry)
		f->cfg.connect_retry = 120; /* RFC 4271 10 suggested value */
}

static void timer(struct bgp_fsm *f, enum bgp_fsm_timer t, double secs)
{
	f->ops->timer(f->ctx, t, secs);
}

static void stop_timers(struct bgp_fsm *f)
{
	for (int t = 0; t < BGP_TIMER_COUNT; t++)
		timer(f, (enum bgp_fsm_timer)t, 0);
	f->delay_open_running = false;
}

static void set_state(struct bgp_fsm *f, enum bgp_state to)
{
	enum bgp_state from = f->state;
	if (from == to)
		return;
	f->state = to;
	if (to == BGP_STATE_ESTABLISHED)
		f->established_at = f->ops->now(f->ctx);
	f->ops->state_change(f->ctx, from, to);
}

static void send_notify(struct bgp_fsm *f, uint8_t code, uint8_t sub)
{
	struct bgp_notify n = { .code = code, .subcode = sub };
	f->ops->send_notify(f->ctx, &n);
}

/* Leaves for Idle.  failure = the session broke (rather than an operator
 * stop): count it and, while started, arm the growing idle hold-down
 * after which the FSM starts itself again (AutomaticStart). */
static void go_idle(struct bgp_fsm *f, bool failure)
{
	bool was_established = f->state == BGP_STATE_ESTABLISHED;
	stop_timers(f);
	f->ops->drop(f->ctx);
	if (failure) {
		f->connect_retry_counter++;
		/* A session that held long enough was healthy: its end is
		 * not an oscillation, so the damping starts over. */
		if (was_established &&
		    f->ops->now(f->ctx) - f->established_at >= BGP_IDLE_HOLD_STABLE)
			f->idle_hold = BGP_IDLE_HOLD_MIN;
	}
	set_state(f, BGP_STATE_IDLE);
	if (failure && f->started) {
		timer(f, BGP_TIMER_IDLE_HOLD, f->idle_hold);
		f->idle_hold *= 2;
		if (f->idle_hold > BGP_IDLE_HOLD_MAX)
			f->idle_hold = BGP_IDLE_HOLD_MAX;
	}
}

static void fail(struct bgp_fsm *f, uint8_t code, uint8_t sub)
{
	send_notify(f, code, sub);
	go_idle(f, true);
}

/* RFC 6608 3: subcode names the state that got the unexpected message. */
static uint8_t fsm_err_subcode(enum bgp_state s)
{
	switch (s) {
	case BGP_STATE_OPENSENT: return BGP_ERR_FSM_OPENSENT;
	case BGP_STATE_OPENCONFIRM: return BGP_ERR_FSM_OPENCONFIRM;
	case BGP_STATE_ESTABLISHED: return BGP_ERR_FSM_ESTABLISHED;
	default: return BGP_ERR_FSM_UNSPECIFIED;
	}
}

static void start_connecting(struct bgp_fsm *f)
{
	timer(f, BGP_TIMER_CONNECT_RETRY, f->cfg.connect_retry);
	if (f->cfg.passive) {
		set_state(f, BGP_STATE_ACTIVE);
	} else {
		set_state(f, BGP_STATE_CONNECT);
		f->ops->connect(f->ctx);
	}
}

static void enter_opensent(struct bgp_fsm *f)
{
	f->ops->send_open(f->ctx);
	/* RFC 4271 8.2.2: "sets the HoldTimer to a large value" (4 min). */
	timer(f, BGP_TIMER_HOLD, BGP_OPEN_HOLD_TIME);
	set_state(f, BGP_STATE_OPENSENT);
}

/* Accepting the peer's OPEN: negotiated timers, KEEPALIVE, OpenConfirm. */
static void accept_open(struct bgp_fsm *f, uint16_t remote_hold)
{
	bgp_fsm_negotiate_timers(f->cfg.hold_time, f->cfg.keepalive, remote_hold,
				 &f->hold_time, &f->keepalive);
	f->ops->send_keepalive(f->ctx);
	timer(f, BGP_TIMER_HOLD, f->hold_time);
	timer(f, BGP_TIMER_KEEPALIVE, f->keepalive);
	set_state(f, BGP_STATE_OPENCONFIRM);
}

static void restart_hold(struct bgp_fsm *f)
{
	if (f->hold_time)
		timer(f, BGP_TIMER_HOLD, f->hold_time);
}

/* Connect and Active differ only in what ConnectRetry and a failed
 * connection do (RFC 4271 8.2.2). */
static void ev_connect_active(struct bgp_fsm *f, enum bgp_fsm_event ev, uint16_t remote_hold)
{
	switch (ev) {
	case BGP_EV_START:
		return;
	case BGP_EV_CONNECT_RETRY_EXP:
		f->ops->drop(f->ctx);
		f->delay_open_running = false;
		timer(f, BGP_TIMER_DELAY_OPEN, 0);
		start_connecting(f);
		return;
	case BGP_EV_TCP_UP:
		timer(f, BGP_TIMER_CONNECT_RETRY, 0);
		if (f->cfg.delay_open) {
			/* RFC 4271 8.2.2: wait for the peer's OPEN first. */
			f->delay_open_running = true;
			timer(f, BGP_TIMER_DELAY_OPEN, f->cfg.delay_open);
			timer(f, BGP_TIMER_HOLD, BGP_OPEN_HOLD_TIME);
			return;
		}
		enter_opensent(f);
		return;
	case BGP_EV_DELAY_OPEN_EXP:
		if (!f->delay_open_running)
			return;
		f->delay_open_running = false;
		enter_opensent(f);
		return;
	case BGP_EV_OPEN:
		if (!f->delay_open_running) {
			go_idle(f, true);
			return;
		}
		/* OPEN while DelayOpen runs: answer with ours, go straight
		 * to OpenConfirm. */
		f->delay_open_running = false;
		timer(f, BGP_TIMER_DELAY_OPEN, 0);
		timer(f, BGP_TIMER_CONNECT_RETRY, 0);
		f->ops->send_open(f->ctx);
		accept_open(f, remote_hold);
		return;
	case BGP_EV_TCP_FAIL:
		f->ops->drop(f->ctx);
		f->delay_open_running = false;
		timer(f, BGP_TIMER_DELAY_OPEN, 0);
		timer(f, BGP_TIMER_HOLD, 0);
		timer(f, BGP_TIMER_CONNECT_RETRY, f->cfg.connect_retry);
		set_state(f, BGP_STATE_ACTIVE);
		return;
	case BGP_EV_HOLD_EXP:
		if (f->delay_open_running)
			fail(f, BGP_ERR_HOLD_TIMER, 0);
		return;
	case BGP_EV_KEEPALIVE_EXP:
	case BGP_EV_IDLE_HOLD_EXP:
	case BGP_EV_SEND_HOLD_EXP:
		return;
	case BGP_EV_NOTIFY:
		go_idle(f, true);
		return;
	default:
		/* Any other message before we sent our OPEN breaks the
		 * protocol; RFC 4271 8.2.2 drops the connection, no
		 * NOTIFICATION, and goes Idle. */
		go_idle(f, true);
		return;
	}
}

static void ev_opensent(struct bgp_fsm *f, enum bgp_fsm_event ev, uint16_t remote_hold)
{
	switch (ev) {
	case BGP_EV_START:
	case BGP_EV_CONNECT_RETRY_EXP:
	case BGP_EV_KEEPALIVE_EXP:
	case BGP_EV_DELAY_OPEN_EXP:
	case BGP_EV_IDLE_HOLD_EXP:
	case BGP_EV_TCP_UP:
		return;
	case BGP_EV_HOLD_EXP:
		fail(f, BGP_ERR_HOLD_TIMER, 0);
		return;
	case BGP_EV_SEND_HOLD_EXP:
		fail(f, BGP_ERR_SEND_HOLD_TIMER, 0);
		return;
	case BGP_EV_TCP_FAIL:
		/* RFC 4271 8.2.2 OpenSent, event 18: back to Active. */
		f->ops->drop(f->ctx);
		timer(f, BGP_TIMER_HOLD, 0);
		timer(f, BGP_TIMER_CONNECT_RETRY, f->cfg.connect_retry);
		set_state(f, BGP_STATE_ACTIVE);
		return;
	case BGP_EV_OPEN:
		timer(f, BGP_TIMER_CONNECT_RETRY, 0);
		accept_open(f, remote_hold);
		return;
	case BGP_EV_NOTIFY:
		go_idle(f, true);
		return;
	default:
		fail(f, BGP_ERR_FSM, BGP_ERR_FSM_OPENSENT);
		return;
	}
}

static void ev_openconfirm_established(struct bgp_fsm *f, enum bgp_fsm_event ev)
{
	bool est = f->state == BGP_STATE_ESTABLISHED;
	switch (ev) {
	case BGP_EV_START:
	case BGP_EV_CONNECT_RETRY_EXP:
	case BGP_EV_DELAY_OPEN_EXP:
	case BGP_EV_IDLE_HOLD_EXP:
	case BGP_EV_TCP_UP:
		return;
	case BGP_EV_HOLD_EXP:
		fail(f, BGP_ERR_HOLD_TIMER, 0);
		return;
	case BGP_EV_SEND_HOLD_EXP:
		fail(f, BGP_ERR_SEND_HOLD_TIMER, 0);
		return;
	case BGP_EV_KEEPALIVE_EXP:
		f->ops->send_keepalive(f->ctx);
		if (f->keepalive)
			timer(f, BGP_TIMER_KEEPALIVE, f->keepalive);
		return;
	case BGP_EV_TCP_FAIL:
	case BGP_EV_NOTIFY:
		go_idle(f, true);
		return;
	case BGP_EV_KEEPALIVE:
		restart_hold(f);
		if (!est)
			set_state(f, BGP_STATE_ESTABLISHED);
		return;
	case BGP_EV_UPDATE:
		if (!est) {
			fail(f, BGP_ERR_FSM, BGP_ERR_FSM_OPENCONFIRM);
			return;
		}
		restart_hold(f);
		return;
	default:
		/* OPEN again, or anything else: RFC 6608 subcode by state. */
		fail(f, BGP_ERR_FSM, fsm_err_subcode(f->state));
		return;
	}
}

void bgp_fsm_event(struct bgp_fsm *f, enum bgp_fsm_event ev, uint16_t remote_hold,
		   const struct bgp_notify *n)
{
	/* Events that behave alike in every state first. */
	if (ev == BGP_EV_STOP) {
		f->started = false;
		if (n && f->state >= BGP_STATE_OPENSENT)
			f->ops->send_notify(f->ctx, n);
		f->connect_retry_counter = 0;
		f->idle_hold = BGP_IDLE_HOLD_MIN;
		go_idle(f, false);
		return;
	}
	if ((ev == BGP_EV_MSG_ERR || ev == BGP_EV_UPDATE_ERR) && f->state != BGP_STATE_IDLE) {
		if (ev == BGP_EV_UPDATE_ERR && f->state != BGP_STATE_ESTABLISHED) {
			fail(f, BGP_ERR_FSM, fsm_err_subcode(f->state));
			return;
		}
		if (n)
			f->ops->send_notify(f->ctx, n);
		go_idle(f, true);
		return;
	}

	switch (f->state) {
	case BGP_STATE_IDLE:
		if (ev == BGP_EV_START) {
			f->started = true;
			start_connecting(f);
		} else if (ev == BGP_EV_IDLE_HOLD_EXP && f->started) {
			start_connecting(f);
		}
		/* RFC 4271 8.2.2 Idle: every other event is ignored. */
		return;
	case BGP_STATE_CONNECT:
	case BGP_STATE_ACTIVE:
		ev_connect_active(f, ev, remote_hold);
		return;
	case BGP_STATE_OPENSENT:
		ev_opensent(f, ev, remote_hold);
		return;
	case BGP_STATE_OPENCONFIRM:
	case BGP_STATE_ESTABLISHED:
		ev_openconfirm_established(f, ev);
		return;
	}
}
