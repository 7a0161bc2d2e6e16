/* The RFC 4271 section 8 state machine as a pure module: events go in,
 * actions come out through an ops table.  No sockets, no clock of its
 * own (ops->now), so every transition is unit-tested.
 *
 * One struct bgp_fsm serves one peer.  Connection collisions (RFC 4271
 * 6.8) are resolved by the session layer, which runs the second
 * connection until its OPEN arrives and then asks
 * bgp_fsm_collision_keep_new(); the FSM only ever sees the surviving
 * connection. */
#ifndef EGRESS_BGP_FSM_H
#define EGRESS_BGP_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp/msg.h"
#include "bgp/session.h"

/* Events (RFC 4271 8.1), folded to what the session can tell apart. */
enum bgp_fsm_event {
	BGP_EV_START,              /* 1/3: ManualStart, AutomaticStart */
	BGP_EV_STOP,               /* 2: ManualStop (Cease given by the caller) */
	BGP_EV_CONNECT_RETRY_EXP,  /* 9 */
	BGP_EV_HOLD_EXP,           /* 10 */
	BGP_EV_KEEPALIVE_EXP,      /* 11 */
	BGP_EV_DELAY_OPEN_EXP,     /* 12 */
	BGP_EV_IDLE_HOLD_EXP,      /* 13 */
	BGP_EV_SEND_HOLD_EXP,      /* RFC 9687 */
	BGP_EV_TCP_UP,             /* 16/17: connection confirmed or accepted */
	BGP_EV_TCP_FAIL,           /* 18: connect failed or peer closed */
	BGP_EV_OPEN,               /* 19/20: a valid OPEN (already validated) */
	BGP_EV_MSG_ERR,            /* 21/22: header or OPEN error; notify given */
	BGP_EV_NOTIFY,             /* 24/25: NOTIFICATION received */
	BGP_EV_KEEPALIVE,          /* 26 */
	BGP_EV_UPDATE,             /* 27 (also ROUTE-REFRESH: both are "traffic") */
	BGP_EV_UPDATE_ERR,         /* 28: RFC 7606 session reset; notify given */
	BGP_EV_COUNT
};
const char *bgp_fsm_event_name(enum bgp_fsm_event ev);

enum bgp_fsm_timer {
	BGP_TIMER_CONNECT_RETRY,
	BGP_TIMER_HOLD,
	BGP_TIMER_KEEPALIVE,
	BGP_TIMER_DELAY_OPEN,
	BGP_TIMER_IDLE_HOLD,
	BGP_TIMER_COUNT
};

/* Actions.  The FSM never sends more than one NOTIFICATION per event and
 * always calls drop after it when the connection must go. */
struct bgp_fsm_ops {
	/* Arms (secs > 0) or stops (secs == 0) a timer. */
	void (*timer)(void *ctx, enum bgp_fsm_timer t, double secs);
	/* Starts an outgoing TCP connection; the result comes back as
	 * BGP_EV_TCP_UP or BGP_EV_TCP_FAIL. */
	void (*connect)(void *ctx);
	/* Closes the connection (after flushing what is queued). */
	void (*drop)(void *ctx);
	void (*send_open)(void *ctx);
	void (*send_keepalive)(void *ctx);
	void (*send_notify)(void *ctx, const struct bgp_notify *n);
	void (*state_change)(void *ctx, enum bgp_state from, enum bgp_state to);
	double (*now)(void *ctx);
};

/* Idle hold-down (RFC 4271 8.1.1 DampPeerOscillations): after a session
 * failure the peer waits in Idle before it starts again.  The wait starts
 * at BGP_IDLE_HOLD_MIN and doubles on every further failure up to
 * BGP_IDLE_HOLD_MAX; it falls back to the minimum once a session has
 * stayed Established for BGP_IDLE_HOLD_STABLE seconds.  Failures to open
 * a TCP connection do not count: the peer simply is not there yet, and
 * ConnectRetry already paces those attempts (RFC 4271 8.2.2 Connect
 * state, event 18, lets an implementation go to Active; we do). */
#define BGP_IDLE_HOLD_MIN 2.0
#define BGP_IDLE_HOLD_MAX 120.0
#define BGP_IDLE_HOLD_STABLE 60.0
/* RFC 4271 8.2.2: hold timer while waiting for the OPEN, "4 minutes". */
#define BGP_OPEN_HOLD_TIME 240.0

struct bgp_fsm_config {
	bool passive;
	uint16_t hold_time;      /* proposed */
	uint16_t keepalive;      /* configured; 0 = hold / 3 */
	uint16_t connect_retry;
	uint16_t delay_open;     /* 0 = off */
};

struct bgp_fsm {
	enum bgp_state state;
	struct bgp_fsm_config cfg;
	bool started;            /* between START and STOP (automatic restart) */
	bool delay_open_running;
	uint16_t hold_time;      /* negotiated, valid from OpenConfirm */
	uint16_t keepalive;
	double idle_hold;        /* next idle hold-down */
	double established_at;
	uint32_t connect_retry_counter;
	const struct bgp_fsm_ops *ops;
	void *ctx;
};

void bgp_fsm_init(struct bgp_fsm *f, const struct bgp_fsm_config *cfg,
		  const struct bgp_fsm_ops *ops, void *ctx);
/* remote_hold is the peer's proposed hold time (only for BGP_EV_OPEN);
 * n the NOTIFICATION to send (BGP_EV_MSG_ERR, BGP_EV_UPDATE_ERR) or
 * the Cease for BGP_EV_STOP (may be NULL). */
void bgp_fsm_event(struct bgp_fsm *f, enum bgp_fsm_event ev, uint16_t remote_hold,
		   const struct bgp_notify *n);

/* The session switched to the other connection of a collision, whose
 * valid OPEN is in hand: go back to OpenSent (quietly: the session is
 * not down) so that BGP_EV_OPEN for it follows (RFC 4271 6.8). */
void bgp_fsm_collision_adopt(struct bgp_fsm *f);

/* RFC 4271 6.8: of two connections to one peer keep the one opened by
 * the side with the higher BGP Identifier (compared as host-order
 * integers).  new_outgoing tells who opened the new connection.  True if
 * the new connection wins and the existing one must be closed with
 * Cease/Connection Collision Resolution. */
bool bgp_fsm_collision_keep_new(uint32_t local_id, uint32_t remote_id, bool new_outgoing);

/* Hold time and keepalive from both proposals (RFC 4271 4.2, 10):
 * hold = min(ours, theirs); keepalive = min(configured, hold / 3), and
 * 0 when hold is 0. */
void bgp_fsm_negotiate_timers(uint16_t local_hold, uint16_t local_keepalive,
			      uint16_t remote_hold, uint16_t *hold, uint16_t *keepalive);

/* RFC 9687 3: SendHoldTime = max(8 minutes, 2 x negotiated HoldTime).
 * It runs only while output is pending and the socket takes none of it,
 * so we keep it even with hold time 0: a peer that stops reading is
 * stuck either way. */
double bgp_fsm_send_hold_time(uint16_t hold_time);

#endif
