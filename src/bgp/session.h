/* BGP sessions: the RFC 4271 section 8 state machine, sockets and timers.
 *
 * A speaker owns the listening sockets and the peers.  It hands what it
 * learns upward through callbacks and never names the RIB (DESIGN 4):
 * the daemon wires the callbacks to the RIB and policy. */
#ifndef EGRESS_BGP_SESSION_H
#define EGRESS_BGP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/msg.h"
#include "bgp/update.h"
#include "core/addr.h"

struct ev_loop;

/* RFC 4271 8.2.2 states. */
enum bgp_state {
	BGP_STATE_IDLE,
	BGP_STATE_CONNECT,
	BGP_STATE_ACTIVE,
	BGP_STATE_OPENSENT,
	BGP_STATE_OPENCONFIRM,
	BGP_STATE_ESTABLISHED,
};
/* "Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established" */
const char *bgp_state_name(enum bgp_state s);

struct bgp_peer_config {
	struct addr addr;
	uint16_t port;            /* remote TCP port, 179 by default */
	uint32_t remote_as;
	uint32_t local_as;
	uint32_t router_id;       /* host byte order */
	char *description;        /* owned copies, may be NULL */
	char *password;           /* TCP MD5 (RFC 2385) */
	uint16_t hold_time;       /* proposed; 0 = no keepalives */
	uint16_t keepalive;
	uint16_t connect_retry;   /* seconds */
	uint16_t delay_open;      /* seconds, 0 = DelayOpen off (RFC 4271 8.1.1) */
	bool passive;
	bool ttl_security;        /* GTSM, RFC 5082 */
	struct addr local_addr;   /* af 0 = any */
	uint32_t families;        /* BGP_FAM_BIT mask to offer */
	/* Graceful restart capability (RFC 4724 3).  gr_off: none sent.
	 * gr_time: Restart Time, 0 = the built-in 120 s.  gr_families: the
	 * families listed (we can keep forwarding for them across our own
	 * restart); gr_restarted / gr_forwarding: R bit and, per family,
	 * F bit for the OPENs after a restart (bgp_peer_set_gr). */
	bool gr_off;
	uint16_t gr_time;
	uint32_t gr_families;
	bool gr_restarted;
	uint32_t gr_forwarding;
};

struct bgp_peer_stats {
	uint64_t msgs_in[6];      /* by type 1..5; [0] = total */
	uint64_t msgs_out[6];
	uint64_t updates_malformed;
	uint32_t established_count;
	uint32_t flaps;           /* Established -> down transitions */
};

struct bgp_peer {
	uint32_t id;              /* stable small integer, for the RIB */
	struct bgp_peer_config cfg;
	enum bgp_state state;
	double state_since;       /* mono_now() at the last state change */
	double established_since; /* 0 if never */
	struct bgp_open remote_open;   /* valid from OpenConfirm on */
	struct bgp_negotiated neg;     /* valid in Established */
	uint32_t disabled_families;    /* families stopped by RFC 7606 AFI/SAFI disable */
	struct bgp_notify last_notify_sent;
	struct bgp_notify last_notify_recv;
	char last_error[256];     /* human text of why the session last went down */
	/* The last session end came with a NOTIFICATION (sent or received);
	 * RFC 4724 4.2: only an end without one keeps routes for GR. */
	bool down_with_notify;
	struct bgp_peer_stats stats;
	struct bgp_session_priv *priv; /* sockets, timers, buffers */
};

struct bgp_speaker;

/* Upward calls.  The peer pointer stays valid until the peer is deleted. */
struct bgp_callbacks {
	void (*established)(struct bgp_peer *p, void *ctx);
	/* Left Established (or the connection died before); the RIB drops
	 * the peer's routes unless graceful restart keeps them stale. */
	void (*down)(struct bgp_peer *p, void *ctx);
	/* A decoded UPDATE after RFC 7606 handling; the callee may steal
	 * u->attrs (set it to NULL) and must not free u. */
	void (*update)(struct bgp_peer *p, struct bgp_update *u, void *ctx);
	void (*route_refresh)(struct bgp_peer *p, const struct bgp_route_refresh *rr, void *ctx);
	/* The session's AFI/SAFI was disabled (RFC 7606): drop its routes. */
	void (*family_disabled)(struct bgp_peer *p, enum bgp_family f, void *ctx);
};

struct bgp_speaker *bgp_speaker_new(struct ev_loop *loop, const struct bgp_callbacks *cb,
				    void *ctx);
void bgp_speaker_free(struct bgp_speaker *sp);
/* Opens a listening socket (IPv6 sockets are v6-only). */
int bgp_speaker_listen(struct bgp_speaker *sp, const struct addr *a, uint16_t port);

struct bgp_peer *bgp_peer_add(struct bgp_speaker *sp, const struct bgp_peer_config *cfg);
void bgp_peer_delete(struct bgp_speaker *sp, struct bgp_peer *p);
struct bgp_peer *bgp_peer_find(struct bgp_speaker *sp, const struct addr *a);
size_t bgp_speaker_peer_count(const struct bgp_speaker *sp);
struct bgp_peer *bgp_speaker_peer_at(const struct bgp_speaker *sp, size_t i);

/* ManualStart / ManualStop (RFC 4271 8.1.2).  stop sends Cease with the
 * given subcode and RFC 9003 message when the session is up. */
void bgp_peer_start(struct bgp_peer *p);
void bgp_peer_stop(struct bgp_peer *p, uint8_t cease_subcode, const char *msg);

/* Ends the session for a local reason that comes with a NOTIFICATION
 * (RFC 4486 Cease/Maximum Number of Prefixes Reached, say): sends n and
 * goes Idle as after an error, so the idle hold-down (doubling while it
 * keeps happening) passes before the session is tried again; a passive
 * peer waits for the other side to reconnect.  Safe from the update
 * callback.  why is kept as last_error. */
/* Stops the session without a NOTIFICATION: the TCP connection just
 * closes, which RFC 4724 4.2 lets a GR-capable peer read as our restart
 * (it keeps our routes stale for the Restart Time). */
void bgp_peer_stop_graceful(struct bgp_peer *p, const char *msg);
/* The R and F bits of the next OPENs (RFC 4724 3); cleared once the
 * restart procedure is over. */
void bgp_peer_set_gr(struct bgp_peer *p, bool restarted, uint32_t forwarding);
void bgp_peer_reset(struct bgp_peer *p, const struct bgp_notify *n, const char *why);

/* Output queue (only in Established; -ENOTCONN otherwise).  Prefixes are
 * packed into as few UPDATEs as fit; withdrawals go out before
 * announcements. */
int bgp_peer_announce(struct bgp_peer *p, struct bgp_attrs *attrs,
		      const struct prefix *pfx, size_t n);
int bgp_peer_withdraw(struct bgp_peer *p, const struct prefix *pfx, size_t n);
/* As announce/withdraw when the caller knows none of pfx is pending in
 * the output queue (it tracks what it queued since the queue was last
 * empty): no search of the queue, constant work per prefix. */
int bgp_peer_announce_fresh(struct bgp_peer *p, struct bgp_attrs *attrs,
			    const struct prefix *pfx, size_t n);
int bgp_peer_withdraw_fresh(struct bgp_peer *p, const struct prefix *pfx, size_t n);
/* Nothing waits in the output queue (everything is in the socket
 * buffer or sent). */
bool bgp_peer_outq_empty(const struct bgp_peer *p);
/* What a session holds beside the routing core (`show memory`, issue
 * 3): its output queue, and its connections with their buffers. */
struct bgp_peer_mem {
	size_t queued_routes; /* prefixes waiting in the output queue */
	size_t queue_bytes;   /* the queue's memory */
	size_t buffer_bytes;  /* connections: receive and send buffers */
};
void bgp_peer_mem(const struct bgp_peer *p, struct bgp_peer_mem *m);
int bgp_peer_send_eor(struct bgp_peer *p, enum bgp_family f);
int bgp_peer_send_route_refresh(struct bgp_peer *p, enum bgp_family f, uint8_t subtype);
/* Encoding parameters for this peer (valid in Established). */
void bgp_peer_encode_ctx(const struct bgp_peer *p, struct bgp_encode_ctx *ctx);
/* Seconds in the current state. */
double bgp_peer_uptime(const struct bgp_peer *p);
/* Our address on the session's connection (for NEXT_HOP); -ENOTCONN
 * without one. */
int bgp_peer_local_addr(const struct bgp_peer *p, struct addr *out);

#endif
