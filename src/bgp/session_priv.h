/* Private state of sessions, shared by session.c (speaker, peers, FSM
 * glue), session_io.c (connections, reading and writing) and
 * session_rx.c (what each received message does). */
#ifndef EGRESS_BGP_SESSION_PRIV_H
#define EGRESS_BGP_SESSION_PRIV_H

#include <ev.h>

#include "bgp/fsm.h"
#include "bgp/outq.h"
#include "bgp/session.h"
#include "core/log.h"

/* Input buffer: one whole largest message plus one read. */
#define BGP_IN_CAP (2 * BGP_MAX_MSG_EXT + 1)
/* Bytes read and handled per read event before we yield to the loop:
 * a flooding peer gets its turn once per loop iteration like everyone
 * else, and timers are served in between (DESIGN 10, OpenBGPD). */
#define BGP_READ_BUDGET (64 * 1024)
/* Seconds of work on received messages per loop iteration, all
 * connections together: past it a connection stops after the message
 * in hand and carries on in the next iteration, so a flood from several
 * peers never holds timers (an idle peer's KEEPALIVE, RFC 4271 4.4)
 * for longer than this plus one message's work. */
#define BGP_RX_ITER_BUDGET 0.02
/* How late a KEEPALIVE may leave because of the iteration running when
 * its timer came due: the receive budget and the slices of table work
 * stay well inside it. */
#define BGP_KEEPALIVE_MARGIN 0.1
/* Encoded output kept ahead of the socket; more waits in the outq. */
#define BGP_OUT_BUDGET (64 * 1024)

struct bgp_conn {
	struct bgp_session_priv *s;
	int fd;
	bool outgoing;
	bool connecting;        /* connect() in progress */
	int connect_err;        /* immediate connect() failure, delivered async */
	int write_err;          /* write failure, delivered async */
	bool open_sent;         /* our OPEN went out on this connection */
	bool open_recv;         /* (pending connection) its OPEN arrived */
	struct bgp_open open;   /* (pending connection) that OPEN */
	ev_io rio, wio;
	/* Zero-delay: whole messages left in `in` when the iteration's
	 * budget ran out, handled in the next one (no read event may
	 * come for bytes already read). */
	ev_timer resume;
	uint8_t *in;
	size_t in_len;
	struct wbuf out;
	size_t out_off;         /* bytes of out already written */
	int busy;               /* inside a read callback: free later */
	bool dead;              /* closed; freed when no longer busy */
	struct addr local;
	uint16_t local_port;
};

struct bgp_listener {
	struct bgp_speaker *sp;
	int fd;
	struct addr addr;
	uint16_t port;
	ev_io io;
};

struct bgp_speaker {
	struct ev_loop *loop;
	struct bgp_callbacks cb;
	void *ctx;
	struct bgp_peer **peers;
	size_t n_peers, cap_peers;
	uint32_t next_id;
	struct bgp_listener **ls; /* each allocated alone: watchers never move */
	size_t n_ls;
	struct log_ratelimit unknown_rl;
};

struct bgp_session_priv {
	struct bgp_speaker *sp;
	struct bgp_peer *peer;
	struct bgp_fsm fsm;
	ev_timer timers[BGP_TIMER_COUNT];
	ev_timer send_hold;      /* RFC 9687 */
	ev_timer pump;           /* zero-delay: pack queued routes, then write */
	struct bgp_conn *conn;   /* the FSM's connection */
	struct bgp_conn *pending;/* second connection during a collision */
	struct bgp_outq *outq;
	struct bgp_caps local_caps;
	struct log_ratelimit upd_rl;
	char name[ADDR_STRLEN];  /* peer address, for log lines */
};

/* session_io.c */
struct bgp_conn *bgp_conn_new(struct bgp_session_priv *s, int fd, bool outgoing);
void bgp_conn_close(struct bgp_conn *c);
void bgp_conn_connect(struct bgp_session_priv *s);
/* Writes what can go now; arms the write watcher for the rest. */
void bgp_conn_flush(struct bgp_conn *c);
size_t bgp_conn_out_pending(const struct bgp_conn *c);
/* Bytes c holds: itself and its input and output buffers. */
size_t bgp_conn_mem(const struct bgp_conn *c);
/* Moves the unsent bytes to the front of the output buffer. */
void bgp_conn_compact(struct bgp_conn *c);
void bgp_session_schedule_pump(struct bgp_session_priv *s);

/* session_rx.c: one whole message from c (header already checked). */
void bgp_session_rx(struct bgp_conn *c, const struct bgp_hdr *h, const uint8_t *body,
		    size_t len);
/* The header of c's next message is bad: notify and drop. */
void bgp_session_rx_hdr_err(struct bgp_conn *c, const struct bgp_notify *err);
/* The connection c failed or the peer closed it. */
void bgp_session_conn_failed(struct bgp_conn *c, int err);
/* c's outgoing connect completed. */
void bgp_session_conn_up(struct bgp_conn *c);
/* Largest message c accepts now. */
size_t bgp_session_max_in(const struct bgp_conn *c);

/* session.c */
void bgp_session_send_open(struct bgp_session_priv *s, struct bgp_conn *c);
void bgp_session_send_notify(struct bgp_session_priv *s, struct bgp_conn *c,
			     const struct bgp_notify *n);
void bgp_session_decode_ctx(const struct bgp_session_priv *s, struct bgp_decode_ctx *ctx);

#endif
