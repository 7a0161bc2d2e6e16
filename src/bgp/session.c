/* The speaker: listeners, peers, and the glue between the pure FSM
 * (bgp/fsm.c) and libev timers and connections (bgp/session_io.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bgp/session_priv.h"
#include "bgp/sockopt.h"
#include "core/jitter.h"

/* RFC 4724 3: restart time we advertise.  We advertise no AFI/SAFI in
 * the capability (we keep no forwarding state across a restart), so
 * peers retain none of our routes: GR here only says "I understand
 * End-of-RIB and act as a helper". */
#define BGP_GR_TIME 120

static const char *const state_names[] = {
	"Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established",
};

const char *bgp_state_name(enum bgp_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

/* ---- messages out ---- */

static void count_out(struct bgp_peer *p, uint8_t type)
{
	if (type < 6) {
		p->stats.msgs_out[type]++;
		p->stats.msgs_out[0]++;
	}
}

void bgp_session_send_open(struct bgp_session_priv *s, struct bgp_conn *c)
{
	if (!c || c->dead || c->open_sent)
		return;
	const struct bgp_peer_config *cfg = &s->peer->cfg;
	struct bgp_open o = {
		.version = BGP_VERSION,
		/* RFC 6793 4.1: AS_TRANS when ours does not fit 2 octets. */
		.my_as = cfg->local_as > 0xffff ? BGP_AS_TRANS : (uint16_t)cfg->local_as,
		.hold_time = cfg->hold_time,
		.bgp_id = cfg->router_id,
		.caps = s->local_caps,
	};
	int rc = bgp_open_encode(&c->out, &o);
	if (rc < 0) {
		log_err("peer %s: cannot encode OPEN: %s", s->name, strerror(-rc));
		return;
	}
	c->open_sent = true;
	count_out(s->peer, BGP_MSG_OPEN);
	bgp_conn_flush(c);
}

void bgp_session_send_notify(struct bgp_session_priv *s, struct bgp_conn *c,
			     const struct bgp_notify *n)
{
	if (!c || c->dead || c->fd < 0 || c->connecting)
		return;
	/* Appended behind whatever is queued: part of a message may be on
	 * the wire already, so nothing can be cut out.  bgp_conn_close()
	 * makes one last non-blocking attempt to write it all. */
	if (bgp_notify_encode(&c->out, n) < 0)
		return;
	count_out(s->peer, BGP_MSG_NOTIFICATION);
	char txt[200];
	bgp_notify_format(n, txt, sizeof(txt));
	if (c == s->conn) {
		s->peer->last_notify_sent = *n;
		s->peer->down_with_notify = true;
		snprintf(s->peer->last_error, sizeof(s->peer->last_error),
			 "sent NOTIFICATION: %s", txt);
	}
	log_warn("peer %s: sending NOTIFICATION: %s", s->name, txt);
	bgp_conn_flush(c);
}

void bgp_session_decode_ctx(const struct bgp_session_priv *s, struct bgp_decode_ctx *ctx)
{
	const struct bgp_peer *p = s->peer;
	ctx->as4 = p->neg.as4;
	ctx->ebgp = p->cfg.remote_as != p->cfg.local_as;
	ctx->families = p->neg.families & ~p->disabled_families;
	ctx->max_msg = p->neg.extended_message ? BGP_MAX_MSG_EXT : BGP_MAX_MSG;
}

void bgp_peer_encode_ctx(const struct bgp_peer *p, struct bgp_encode_ctx *ctx)
{
	ctx->as4 = p->neg.as4;
	ctx->ebgp = p->cfg.remote_as != p->cfg.local_as;
	ctx->max_msg = p->neg.extended_message ? BGP_MAX_MSG_EXT : BGP_MAX_MSG;
}

/* ---- output pump ---- */

static void pump_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct bgp_session_priv *s = w->data;
	struct bgp_conn *c = s->conn;
	if (!c || c->dead || s->peer->state != BGP_STATE_ESTABLISHED)
		return;
	if (bgp_conn_out_pending(c) < BGP_OUT_BUDGET && !bgp_outq_empty(s->outq)) {
		struct bgp_encode_ctx ctx;
		bgp_peer_encode_ctx(s->peer, &ctx);
		bgp_conn_compact(c);
		size_t before = c->out.len;
		int rc = bgp_outq_drain(s->outq, &ctx, &c->out, BGP_OUT_BUDGET);
		if (rc < 0)
			log_err("peer %s: cannot encode UPDATE: %s", s->name, strerror(-rc));
		/* Count what went in, message by message (type at byte 18). */
		for (size_t o = before; o + BGP_HEADER_LEN <= c->out.len;) {
			size_t l = ((size_t)c->out.data[o + 16] << 8) | c->out.data[o + 17];
			count_out(s->peer, c->out.data[o + 18]);
			if (l < BGP_HEADER_LEN)
				break;
			o += l;
		}
	}
	bgp_conn_flush(c);
	/* A pump that found the buffer full drained nothing; if the flush
	 * then emptied it, no write watcher is left to call us again and
	 * the rest of the queue would wait for the next route change. */
	if (!c->dead && s->conn == c && !bgp_outq_empty(s->outq) &&
	    bgp_conn_out_pending(c) < BGP_OUT_BUDGET / 2)
		bgp_session_schedule_pump(s);
	(void)loop;
}

void bgp_session_schedule_pump(struct bgp_session_priv *s)
{
	/* Zero delay: runs on the next loop iteration, after the caller
	 * has queued everything it wants to send, so routes pack. */
	if (!ev_is_active(&s->pump)) {
		ev_timer_set(&s->pump, 0, 0);
		ev_timer_start(s->sp->loop, &s->pump);
	}
}

/* ---- FSM actions ---- */

static void op_timer(void *ctx, enum bgp_fsm_timer t, double secs)
{
	struct bgp_session_priv *s = ctx;
	ev_timer_stop(s->sp->loop, &s->timers[t]);
	/* RFC 4271 10: KeepaliveTimer and ConnectRetryTimer are jittered
	 * to 0.75-1.0 of their value, so a keepalive leaves early rather
	 * than late when the loop is busy, and peers restarted together do
	 * not retry in lockstep.  Hold, DelayOpen and the idle hold-down
	 * keep their exact values. */
	if (t == BGP_TIMER_KEEPALIVE)
		/* The loop may be inside an iteration when it comes due
		 * (at most BGP_RX_ITER_BUDGET of receive work plus one
		 * message, sliced walks and output alike): leave room for
		 * that, so the peer never waits beyond the interval. */
		secs = jitter_timer_early(secs, BGP_KEEPALIVE_MARGIN);
	else if (t == BGP_TIMER_CONNECT_RETRY)
		secs = jitter_timer(secs);
	if (secs > 0) {
		ev_timer_set(&s->timers[t], secs, 0);
		ev_timer_start(s->sp->loop, &s->timers[t]);
	}
}

static void op_connect(void *ctx)
{
	bgp_conn_connect(ctx);
}

static void op_drop(void *ctx)
{
	struct bgp_session_priv *s = ctx;
	bgp_conn_close(s->conn);
	bgp_conn_close(s->pending);
	bgp_outq_clear(s->outq);
	ev_timer_stop(s->sp->loop, &s->pump);
}

static void op_send_open(void *ctx)
{
	struct bgp_session_priv *s = ctx;
	bgp_session_send_open(s, s->conn);
}

static void op_send_keepalive(void *ctx)
{
	struct bgp_session_priv *s = ctx;
	struct bgp_conn *c = s->conn;
	if (!c || c->dead || bgp_keepalive_encode(&c->out) < 0)
		return;
	count_out(s->peer, BGP_MSG_KEEPALIVE);
	bgp_conn_flush(c);
}

static void op_send_notify(void *ctx, const struct bgp_notify *n)
{
	struct bgp_session_priv *s = ctx;
	bgp_session_send_notify(s, s->conn, n);
}

static void op_state_change(void *ctx, enum bgp_state from, enum bgp_state to)
{
	struct bgp_session_priv *s = ctx;
	struct bgp_peer *p = s->peer;
	p->state = to;
	p->state_since = mono_now();
	if (to == BGP_STATE_ESTABLISHED || from == BGP_STATE_ESTABLISHED)
		log_info("peer %s: %s -> %s", s->name, bgp_state_name(from), bgp_state_name(to));
	else
		log_debug("peer %s: %s -> %s", s->name, bgp_state_name(from),
			  bgp_state_name(to));
	if (to == BGP_STATE_OPENCONFIRM) {
		bgp_caps_negotiate(&s->local_caps, &p->remote_open.caps, &p->neg);
		p->neg.hold_time = s->fsm.hold_time;
		p->neg.keepalive = s->fsm.keepalive;
	}
	if (to == BGP_STATE_ESTABLISHED) {
		p->established_since = p->state_since;
		p->stats.established_count++;
		p->disabled_families = 0;
		p->last_error[0] = 0;
		p->down_with_notify = false;
		/* RFC 4271 6.8: a connection still in OpenSent loses to an
		 * Established one. */
		if (s->pending) {
			struct bgp_notify n;
			bgp_notify_set(&n, BGP_ERR_CEASE, BGP_CEASE_COLLISION, NULL, 0);
			bgp_session_send_notify(s, s->pending, &n);
			bgp_conn_close(s->pending);
		}
		if (s->sp->cb.established)
			s->sp->cb.established(p, s->sp->ctx);
	} else if (from == BGP_STATE_ESTABLISHED) {
		p->stats.flaps++;
		if (s->sp->cb.down)
			s->sp->cb.down(p, s->sp->ctx);
	}
}

static double op_now(void *ctx)
{
	(void)ctx;
	return mono_now();
}

static const struct bgp_fsm_ops session_ops = {
	.timer = op_timer,
	.connect = op_connect,
	.drop = op_drop,
	.send_open = op_send_open,
	.send_keepalive = op_send_keepalive,
	.send_notify = op_send_notify,
	.state_change = op_state_change,
	.now = op_now,
};

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct bgp_session_priv *s = w->data;
	static const enum bgp_fsm_event map[BGP_TIMER_COUNT] = {
		[BGP_TIMER_CONNECT_RETRY] = BGP_EV_CONNECT_RETRY_EXP,
		[BGP_TIMER_HOLD] = BGP_EV_HOLD_EXP,
		[BGP_TIMER_KEEPALIVE] = BGP_EV_KEEPALIVE_EXP,
		[BGP_TIMER_DELAY_OPEN] = BGP_EV_DELAY_OPEN_EXP,
		[BGP_TIMER_IDLE_HOLD] = BGP_EV_IDLE_HOLD_EXP,
	};
	size_t t = (size_t)(w - s->timers);
	if (t == BGP_TIMER_HOLD)
		log_warn("peer %s: hold timer expired in %s", s->name,
			 bgp_state_name(s->peer->state));
	bgp_fsm_event(&s->fsm, map[t], 0, NULL);
	(void)loop;
}

static void send_hold_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct bgp_session_priv *s = w->data;
	log_warn("peer %s: send hold timer expired: the peer took no data for %.0f s "
		 "(RFC 9687)", s->name, bgp_fsm_send_hold_time(s->fsm.hold_time));
	bgp_fsm_event(&s->fsm, BGP_EV_SEND_HOLD_EXP, 0, NULL);
	(void)loop;
}

/* ---- listeners and incoming connections ---- */

/* Keys for one peer on every listener of its family (RFC 2385: the
 * listening socket must know the key before the SYN arrives). */
static void peer_keys_install(struct bgp_speaker *sp, struct bgp_peer *p, bool set)
{
	if (!p->cfg.password)
		return;
	for (size_t i = 0; i < sp->n_ls; i++) {
		if (sp->ls[i]->addr.af != p->cfg.addr.af)
			continue;
		int rc = bgp_sock_set_md5(sp->ls[i]->fd, sp->ls[i]->addr.af, &p->cfg.addr,
					  set ? p->cfg.password : NULL);
		if (rc < 0)
			log_err("peer %s: cannot set TCP MD5 key on listener: %s",
				p->priv->name, strerror(-rc));
	}
}

/* GTSM on a shared listener would lock out multi-hop peers, so it is
 * set there only when every peer of that family asks for it. */
static void listener_gtsm_refresh(struct bgp_speaker *sp, struct bgp_listener *l)
{
	size_t n = 0;
	for (size_t i = 0; i < sp->n_peers; i++) {
		const struct bgp_peer *p = sp->peers[i];
		if (p->cfg.addr.af != l->addr.af)
			continue;
		if (!p->cfg.ttl_security)
			return;
		n++;
	}
	int rc = n ? bgp_sock_set_gtsm(l->fd, l->addr.af) : 0;
	if (rc < 0)
		log_warn("listener: cannot enable GTSM: %s", strerror(-rc));
}

static void session_incoming(struct bgp_session_priv *s, int fd)
{
	const struct bgp_peer_config *cfg = &s->peer->cfg;
	(void)bgp_sock_set_cs6(fd, cfg->addr.af);
	(void)bgp_sock_set_nodelay(fd);
	if (cfg->ttl_security)
		(void)bgp_sock_set_gtsm(fd, cfg->addr.af);
	enum bgp_state st = s->fsm.state;
	if (st == BGP_STATE_IDLE || (s->pending && st != BGP_STATE_CONNECT &&
				     st != BGP_STATE_ACTIVE)) {
		/* RFC 4271 8.2.2 Idle: incoming connections are refused. */
		log_debug("peer %s: incoming connection refused in %s", s->name,
			  bgp_state_name(st));
		close(fd);
		return;
	}
	struct bgp_conn *c = bgp_conn_new(s, fd, false);
	if (!c) {
		close(fd);
		return;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    addr_from_sockaddr((struct sockaddr *)&ss, &c->local, &c->local_port) == 0)
		addr_unmap_v4(&c->local);
	if (st == BGP_STATE_CONNECT || st == BGP_STATE_ACTIVE) {
		/* Our own attempt has not got anywhere yet: the peer's
		 * connection simply takes its place. */
		bgp_conn_close(s->conn);
		s->conn = c;
		bgp_fsm_event(&s->fsm, BGP_EV_TCP_UP, 0, NULL);
		return;
	}
	/* OpenSent, OpenConfirm or Established: a collision (RFC 4271 6.8),
	 * decided once this connection's OPEN arrives. */
	s->pending = c;
	if (st == BGP_STATE_ESTABLISHED) {
		struct bgp_notify n;
		bgp_notify_set(&n, BGP_ERR_CEASE, BGP_CEASE_COLLISION, NULL, 0);
		log_info("peer %s: connection collision with an Established session, "
			 "refusing the new connection", s->name);
		bgp_session_send_notify(s, c, &n);
		bgp_conn_close(c);
		return;
	}
	bgp_session_send_open(s, c);
}

static void listener_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct bgp_listener *l = w->data;
	struct bgp_speaker *sp = l->sp;
	for (int i = 0; i < 16; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("listener: accept: %s", strerror(errno));
			return;
		}
		struct addr a;
		uint16_t port = 0;
		if (addr_from_sockaddr((struct sockaddr *)&ss, &a, &port) < 0) {
			close(fd);
			continue;
		}
		addr_unmap_v4(&a);
		struct bgp_peer *p = bgp_peer_find(sp, &a);
		if (!p) {
			unsigned supp = 0;
			char buf[ADDR_STRLEN];
			if (log_ratelimit_allow(&sp->unknown_rl, mono_now(), &supp))
				log_warn("connection from %s port %u refused: not a configured "
					 "neighbor%s", addr_fmt(&a, buf), port,
					 supp ? " (more refusals suppressed)" : "");
			close(fd);
			continue;
		}
		session_incoming(p->priv, fd);
	}
	(void)loop;
}

int bgp_speaker_listen(struct bgp_speaker *sp, const struct addr *a, uint16_t port)
{
	int fd = bgp_sock_listen(a, port ? port : BGP_PORT);
	if (fd < 0)
		return fd;
	struct bgp_listener **nl = realloc(sp->ls, (sp->n_ls + 1) * sizeof(*nl));
	struct bgp_listener *l = calloc(1, sizeof(*l));
	if (nl)
		sp->ls = nl;
	if (!nl || !l) {
		free(l);
		close(fd);
		return -ENOMEM;
	}
	sp->ls[sp->n_ls++] = l;
	*l = (struct bgp_listener){ .sp = sp, .fd = fd, .addr = *a, .port = port };
	ev_io_init(&l->io, listener_cb, fd, EV_READ);
	l->io.data = l;
	ev_io_start(sp->loop, &l->io);
	for (size_t i = 0; i < sp->n_peers; i++)
		peer_keys_install(sp, sp->peers[i], true);
	listener_gtsm_refresh(sp, l);
	return 0;
}

/* ---- speaker and peers ---- */

struct bgp_speaker *bgp_speaker_new(struct ev_loop *loop, const struct bgp_callbacks *cb,
				    void *ctx)
{
	struct bgp_speaker *sp = calloc(1, sizeof(*sp));
	if (!sp)
		return NULL;
	sp->loop = loop;
	if (cb)
		sp->cb = *cb;
	sp->ctx = ctx;
	sp->next_id = 1;
	sp->unknown_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(10.0, 5);
	return sp;
}

void bgp_speaker_free(struct bgp_speaker *sp)
{
	if (!sp)
		return;
	while (sp->n_peers)
		bgp_peer_delete(sp, sp->peers[sp->n_peers - 1]);
	free(sp->peers);
	for (size_t i = 0; i < sp->n_ls; i++) {
		ev_io_stop(sp->loop, &sp->ls[i]->io);
		close(sp->ls[i]->fd);
		free(sp->ls[i]);
	}
	free(sp->ls);
	free(sp);
}

static char *strdup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct bgp_peer *bgp_peer_add(struct bgp_speaker *sp, const struct bgp_peer_config *cfg)
{
	if (bgp_peer_find(sp, &cfg->addr))
		return NULL;
	if (sp->n_peers == sp->cap_peers) {
		size_t nc = sp->cap_peers ? sp->cap_peers * 2 : 8;
		struct bgp_peer **np = realloc(sp->peers, nc * sizeof(*np));
		if (!np)
			return NULL;
		sp->peers = np;
		sp->cap_peers = nc;
	}
	struct bgp_peer *p = calloc(1, sizeof(*p));
	struct bgp_session_priv *s = calloc(1, sizeof(*s));
	struct bgp_outq *q = bgp_outq_new();
	if (!p || !s || !q) {
		free(p);
		free(s);
		bgp_outq_free(q);
		return NULL;
	}
	p->cfg = *cfg;
	p->cfg.description = strdup_or_null(cfg->description);
	p->cfg.password = strdup_or_null(cfg->password);
	if (!p->cfg.families)
		p->cfg.families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) |
				  BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST);
	p->id = sp->next_id++;
	p->state = BGP_STATE_IDLE;
	p->state_since = mono_now();
	p->priv = s;
	s->sp = sp;
	s->peer = p;
	s->outq = q;
	s->upd_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(6.0, 10);
	addr_fmt(&cfg->addr, s->name);

	struct bgp_caps *lc = &s->local_caps;
	lc->families = p->cfg.families;
	lc->mp_present = true;
	lc->as4 = true;
	lc->as4_asn = cfg->local_as;
	lc->route_refresh = true;
	lc->enhanced_route_refresh = true;
	lc->extended_message = true;
	lc->graceful_restart = !cfg->gr_off;
	lc->gr_time = cfg->gr_time ? cfg->gr_time : BGP_GR_TIME;
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		lc->gr[f].present = (cfg->gr_families & p->cfg.families & BGP_FAM_BIT(f)) != 0;
	bgp_peer_set_gr(p, cfg->gr_restarted, cfg->gr_forwarding);

	struct bgp_fsm_config fc = {
		.passive = cfg->passive,
		.hold_time = cfg->hold_time,
		.keepalive = cfg->keepalive,
		.connect_retry = cfg->connect_retry,
		.delay_open = cfg->delay_open,
	};
	bgp_fsm_init(&s->fsm, &fc, &session_ops, s);
	for (int t = 0; t < BGP_TIMER_COUNT; t++) {
		ev_timer_init(&s->timers[t], timer_cb, 1, 0);
		s->timers[t].data = s;
	}
	ev_timer_init(&s->send_hold, send_hold_cb, 1, 0);
	s->send_hold.data = s;
	ev_timer_init(&s->pump, pump_cb, 0, 0);
	s->pump.data = s;

	sp->peers[sp->n_peers++] = p;
	peer_keys_install(sp, p, true);
	for (size_t i = 0; i < sp->n_ls; i++)
		listener_gtsm_refresh(sp, sp->ls[i]);
	return p;
}

void bgp_peer_delete(struct bgp_speaker *sp, struct bgp_peer *p)
{
	struct bgp_session_priv *s = p->priv;
	bgp_peer_stop(p, BGP_CEASE_PEER_DECONFIGURED, NULL);
	peer_keys_install(sp, p, false);
	for (int t = 0; t < BGP_TIMER_COUNT; t++)
		ev_timer_stop(sp->loop, &s->timers[t]);
	ev_timer_stop(sp->loop, &s->send_hold);
	ev_timer_stop(sp->loop, &s->pump);
	bgp_conn_close(s->conn);
	bgp_conn_close(s->pending);
	bgp_outq_free(s->outq);
	for (size_t i = 0; i < sp->n_peers; i++) {
		if (sp->peers[i] == p) {
			memmove(&sp->peers[i], &sp->peers[i + 1],
				(sp->n_peers - i - 1) * sizeof(*sp->peers));
			sp->n_peers--;
			break;
		}
	}
	free(p->cfg.description);
	free(p->cfg.password);
	free(s);
	free(p);
}

struct bgp_peer *bgp_peer_find(struct bgp_speaker *sp, const struct addr *a)
{
	struct addr x = *a;
	addr_unmap_v4(&x);
	for (size_t i = 0; i < sp->n_peers; i++)
		if (addr_eq(&sp->peers[i]->cfg.addr, &x))
			return sp->peers[i];
	return NULL;
}

size_t bgp_speaker_peer_count(const struct bgp_speaker *sp)
{
	return sp->n_peers;
}

struct bgp_peer *bgp_speaker_peer_at(const struct bgp_speaker *sp, size_t i)
{
	return i < sp->n_peers ? sp->peers[i] : NULL;
}

void bgp_peer_start(struct bgp_peer *p)
{
	bgp_fsm_event(&p->priv->fsm, BGP_EV_START, 0, NULL);
}

void bgp_peer_stop(struct bgp_peer *p, uint8_t cease_subcode, const char *msg)
{
	struct bgp_notify n;
	if ((cease_subcode == BGP_CEASE_ADMIN_SHUTDOWN ||
	     cease_subcode == BGP_CEASE_ADMIN_RESET) && msg)
		bgp_notify_set_shutdown(&n, cease_subcode, msg);
	else
		bgp_notify_set(&n, BGP_ERR_CEASE, cease_subcode, NULL, 0);
	bool was_up = p->state != BGP_STATE_IDLE;
	bgp_fsm_event(&p->priv->fsm, BGP_EV_STOP, 0, &n);
	if (was_up)
		snprintf(p->last_error, sizeof(p->last_error), "stopped: %s",
			 msg ? msg : bgp_notify_subcode_name(BGP_ERR_CEASE, cease_subcode));
}

void bgp_peer_stop_graceful(struct bgp_peer *p, const char *msg)
{
	bool was_up = p->state != BGP_STATE_IDLE;
	bgp_fsm_event(&p->priv->fsm, BGP_EV_STOP, 0, NULL);
	if (was_up)
		snprintf(p->last_error, sizeof(p->last_error), "stopped: %s", msg ? msg : "restart");
}

void bgp_peer_set_gr(struct bgp_peer *p, bool restarted, uint32_t forwarding)
{
	struct bgp_caps *lc = &p->priv->local_caps;
	p->cfg.gr_restarted = restarted;
	p->cfg.gr_forwarding = forwarding;
	lc->gr_restarted = restarted && lc->graceful_restart;
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		lc->gr[f].forwarding_preserved =
			lc->gr[f].present && (forwarding & BGP_FAM_BIT(f));
}

void bgp_peer_reset(struct bgp_peer *p, const struct bgp_notify *n, const char *why)
{
	if (p->state == BGP_STATE_IDLE)
		return;
	/* The FSM's error path: NOTIFICATION, drop, Idle, idle hold-down
	 * (RFC 4271 8.2.2, DampPeerOscillations). */
	bgp_fsm_event(&p->priv->fsm, BGP_EV_MSG_ERR, 0, n);
	snprintf(p->last_error, sizeof(p->last_error), "%s", why);
}

static int peer_ready(struct bgp_peer *p)
{
	if (p->state != BGP_STATE_ESTABLISHED || !p->priv->conn)
		return -ENOTCONN;
	return 0;
}

int bgp_peer_announce(struct bgp_peer *p, struct bgp_attrs *attrs, const struct prefix *pfx,
		      size_t n)
{
	int rc = peer_ready(p);
	if (!rc)
		rc = bgp_outq_announce(p->priv->outq, attrs, pfx, n);
	if (!rc)
		bgp_session_schedule_pump(p->priv);
	return rc;
}

int bgp_peer_withdraw(struct bgp_peer *p, const struct prefix *pfx, size_t n)
{
	int rc = peer_ready(p);
	if (!rc)
		rc = bgp_outq_withdraw(p->priv->outq, pfx, n);
	if (!rc)
		bgp_session_schedule_pump(p->priv);
	return rc;
}

int bgp_peer_announce_fresh(struct bgp_peer *p, struct bgp_attrs *attrs,
			    const struct prefix *pfx, size_t n)
{
	int rc = peer_ready(p);
	if (!rc)
		rc = bgp_outq_announce_fresh(p->priv->outq, attrs, pfx, n);
	if (!rc)
		bgp_session_schedule_pump(p->priv);
	return rc;
}

int bgp_peer_withdraw_fresh(struct bgp_peer *p, const struct prefix *pfx, size_t n)
{
	int rc = peer_ready(p);
	if (!rc)
		rc = bgp_outq_withdraw_fresh(p->priv->outq, pfx, n);
	if (!rc)
		bgp_session_schedule_pump(p->priv);
	return rc;
}

bool bgp_peer_outq_empty(const struct bgp_peer *p)
{
	return !p->priv || !p->priv->outq || bgp_outq_empty(p->priv->outq);
}

void bgp_peer_mem(const struct bgp_peer *p, struct bgp_peer_mem *m)
{
	*m = (struct bgp_peer_mem){ 0 };
	if (!p->priv)
		return;
	bgp_outq_mem(p->priv->outq, &m->queued_routes, &m->queue_bytes);
	m->buffer_bytes = bgp_conn_mem(p->priv->conn) + bgp_conn_mem(p->priv->pending);
}

int bgp_peer_send_eor(struct bgp_peer *p, enum bgp_family f)
{
	int rc = peer_ready(p);
	if (!rc)
		rc = bgp_outq_eor(p->priv->outq, f);
	if (!rc)
		bgp_session_schedule_pump(p->priv);
	return rc;
}

int bgp_peer_send_route_refresh(struct bgp_peer *p, enum bgp_family f, uint8_t subtype)
{
	int rc = peer_ready(p);
	if (rc)
		return rc;
	/* RFC 2918 / RFC 7313: only what was negotiated. */
	if (subtype == BGP_RR_NORMAL ? !p->neg.route_refresh : !p->neg.enhanced_route_refresh)
		return -EOPNOTSUPP;
	if (!(p->neg.families & BGP_FAM_BIT(f)))
		return -EOPNOTSUPP;
	rc = bgp_outq_refresh(p->priv->outq, f, subtype);
	if (!rc)
		bgp_session_schedule_pump(p->priv);
	return rc;
}

double bgp_peer_uptime(const struct bgp_peer *p)
{
	return mono_now() - p->state_since;
}

int bgp_peer_local_addr(const struct bgp_peer *p, struct addr *out)
{
	const struct bgp_conn *c = p->priv->conn;
	if (!c || !c->local.af)
		return -ENOTCONN;
	*out = c->local;
	return 0;
}
