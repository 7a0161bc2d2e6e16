/* What each received message does to a session (RFC 4271 8, RFC 7606,
 * RFC 2918/7313), and connection collisions (RFC 4271 6.8). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bgp/session_priv.h"

static void fsm(struct bgp_session_priv *s, enum bgp_fsm_event ev, uint16_t hold,
		const struct bgp_notify *n)
{
	bgp_fsm_event(&s->fsm, ev, hold, n);
}

size_t bgp_session_max_in(const struct bgp_conn *c)
{
	const struct bgp_session_priv *s = c->s;
	/* RFC 8654 3: larger messages only once both sides advertised it. */
	if (c == s->conn && s->peer->state == BGP_STATE_ESTABLISHED &&
	    s->peer->neg.extended_message)
		return BGP_MAX_MSG_EXT;
	return BGP_MAX_MSG;
}

static void set_error(struct bgp_session_priv *s, const char *fmt, const char *detail)
{
	snprintf(s->peer->last_error, sizeof(s->peer->last_error), fmt, detail);
}

void bgp_session_conn_failed(struct bgp_conn *c, int err)
{
	struct bgp_session_priv *s = c->s;
	if (c != s->conn) {
		bgp_conn_close(c);
		return;
	}
	if (s->peer->state >= BGP_STATE_OPENSENT) {
		set_error(s, "connection closed: %s", strerror(-err));
		log_warn("peer %s: connection lost in %s: %s", s->name,
			 bgp_state_name(s->peer->state), strerror(-err));
	} else {
		log_debug("peer %s: connect failed: %s", s->name, strerror(-err));
	}
	fsm(s, BGP_EV_TCP_FAIL, 0, NULL);
}

static void conn_learn_local(struct bgp_conn *c)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    addr_from_sockaddr((struct sockaddr *)&ss, &c->local, &c->local_port) == 0)
		addr_unmap_v4(&c->local);
}

void bgp_session_conn_up(struct bgp_conn *c)
{
	struct bgp_session_priv *s = c->s;
	conn_learn_local(c);
	if (c == s->conn)
		fsm(s, BGP_EV_TCP_UP, 0, NULL);
}

void bgp_session_rx_hdr_err(struct bgp_conn *c, const struct bgp_notify *err)
{
	struct bgp_session_priv *s = c->s;
	char txt[160];
	bgp_notify_format(err, txt, sizeof(txt));
	log_warn("peer %s: bad message header: %s", s->name, txt);
	if (c != s->conn) {
		bgp_session_send_notify(s, c, err);
		bgp_conn_close(c);
		return;
	}
	fsm(s, BGP_EV_MSG_ERR, 0, err);
}

/* Decodes and checks an OPEN; on error sends nothing (the caller does). */
static int open_check(struct bgp_session_priv *s, const uint8_t *body, size_t len,
		      struct bgp_open *o, struct bgp_notify *err)
{
	const struct bgp_peer_config *cfg = &s->peer->cfg;
	memset(err, 0, sizeof(*err));
	if (bgp_open_decode(body, len, o, err) < 0)
		return -EBADMSG;
	bool ibgp = cfg->remote_as == cfg->local_as;
	if (bgp_open_validate(o, cfg->remote_as, cfg->router_id, ibgp, err) < 0)
		return -EBADMSG;
	return 0;
}

static void open_err(struct bgp_session_priv *s, const struct bgp_notify *err)
{
	char txt[200];
	bgp_notify_format(err, txt, sizeof(txt));
	log_warn("peer %s: OPEN rejected: %s", s->name, txt);
}

/* RFC 4271 6.8 with the second connection's OPEN in hand. */
static void collision_resolve(struct bgp_session_priv *s, struct bgp_conn *c)
{
	struct bgp_notify cease;
	bgp_notify_set(&cease, BGP_ERR_CEASE, BGP_CEASE_COLLISION, NULL, 0);
	bool keep_new = bgp_fsm_collision_keep_new(s->peer->cfg.router_id, c->open.bgp_id,
						   c->outgoing);
	/* Collision with an Established session: the new one goes. */
	if (s->peer->state == BGP_STATE_ESTABLISHED || !s->conn)
		keep_new = s->conn == NULL;
	if (!keep_new) {
		log_info("peer %s: connection collision, keeping the existing connection",
			 s->name);
		bgp_session_send_notify(s, c, &cease);
		bgp_conn_close(c);
		return;
	}
	log_info("peer %s: connection collision, switching to the peer's connection",
		 s->name);
	if (s->conn) {
		bgp_session_send_notify(s, s->conn, &cease);
		bgp_conn_close(s->conn);
	}
	s->pending = NULL;
	s->conn = c;
	bgp_fsm_collision_adopt(&s->fsm);
	s->peer->remote_open = c->open;
	if (s->fsm.state == BGP_STATE_OPENSENT)
		fsm(s, BGP_EV_OPEN, c->open.hold_time, NULL);
	else
		fsm(s, BGP_EV_TCP_UP, 0, NULL);
}

static void pending_rx(struct bgp_conn *c, const struct bgp_hdr *h, const uint8_t *body,
		       size_t len)
{
	struct bgp_session_priv *s = c->s;
	struct bgp_notify err;
	if (h->type != BGP_MSG_OPEN || c->open_recv) {
		/* RFC 6608: this connection is in OpenSent. */
		bgp_notify_set(&err, BGP_ERR_FSM, BGP_ERR_FSM_OPENSENT, NULL, 0);
		bgp_session_send_notify(s, c, &err);
		bgp_conn_close(c);
		return;
	}
	if (open_check(s, body, len, &c->open, &err) < 0) {
		open_err(s, &err);
		bgp_session_send_notify(s, c, &err);
		bgp_conn_close(c);
		return;
	}
	c->open_recv = true;
	collision_resolve(s, c);
}

static void log_notify_recv(struct bgp_session_priv *s, const uint8_t *body, size_t len)
{
	struct bgp_peer *p = s->peer;
	char txt[sizeof(p->last_error) - 32];
	if (bgp_notify_decode(body, len, &p->last_notify_recv) < 0) {
		memset(&p->last_notify_recv, 0, sizeof(p->last_notify_recv));
		snprintf(txt, sizeof(txt), "malformed NOTIFICATION (%zu bytes)", len);
	} else {
		bgp_notify_format(&p->last_notify_recv, txt, sizeof(txt));
	}
	set_error(s, "received NOTIFICATION: %s", txt);
	p->down_with_notify = true;
	log_warn("peer %s: %s", s->name, p->last_error);
}

/* One log line per bad UPDATE, with everything needed to reproduce it,
 * at most a few per peer per minute (RFC 7606 8: log, rate-limited). */
static void log_update_problem(struct bgp_session_priv *s, const struct bgp_update *u,
			       const uint8_t *body, size_t len)
{
	unsigned suppressed = 0;
	if (!log_ratelimit_allow(&s->upd_rl, mono_now(), &suppressed))
		return;
	char diag[512];
	size_t o = 0;
	diag[0] = 0;
	for (unsigned i = 0; i < u->n_diag && o < sizeof(diag); i++) {
		int k = snprintf(diag + o, sizeof(diag) - o, "%s[attr %u: %s -> %s]",
				 i ? " " : "", u->diag[i].attr_code,
				 u->diag[i].reason ? u->diag[i].reason : "?",
				 bgp_update_action_name(u->diag[i].action));
		if (k < 0)
			break;
		o += (size_t)k;
	}
	size_t hlen = 2 * (len + BGP_HEADER_LEN) + 1;
	char *hex = malloc(hlen);
	uint8_t *msg = malloc(len + BGP_HEADER_LEN);
	if (hex && msg) {
		/* The whole message, header included, as it came. */
		memset(msg, 0xff, 16);
		msg[16] = (uint8_t)((len + BGP_HEADER_LEN) >> 8);
		msg[17] = (uint8_t)(len + BGP_HEADER_LEN);
		msg[18] = BGP_MSG_UPDATE;
		memcpy(msg + BGP_HEADER_LEN, body, len);
		log_hex(msg, len + BGP_HEADER_LEN, hex, hlen);
	}
	if (suppressed)
		log_warn("peer %s: %u malformed UPDATE reports were suppressed", s->name,
			 suppressed);
	log_warn("peer %s: malformed UPDATE, action %s: %s; %u withdrawn, %u announced "
		 "prefixes affected; update %s",
		 s->name, bgp_update_action_name(u->action), diag, u->n_withdrawn,
		 u->n_announced, hex && msg ? hex : "(no memory for hex)");
	free(hex);
	free(msg);
}

static uint32_t pfx_fam_bit(const struct prefix *p)
{
	return BGP_FAM_BIT(p->addr.af == AF_INET6 ? BGP_FAM_IPV6_UNICAST
						  : BGP_FAM_IPV4_UNICAST);
}

static uint32_t filter_family(struct prefix *v, uint32_t n, uint32_t disabled)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++)
		if (!(pfx_fam_bit(&v[i]) & disabled))
			v[k++] = v[i];
	return k;
}

static void update_rx(struct bgp_session_priv *s, const uint8_t *body, size_t len)
{
	struct bgp_peer *p = s->peer;
	struct bgp_decode_ctx ctx;
	struct bgp_update u;
	memset(&u, 0, sizeof(u));
	bgp_session_decode_ctx(s, &ctx);
	if (bgp_update_decode(body, len, &ctx, &u) < 0) {
		struct bgp_notify n;
		bgp_update_free(&u);
		bgp_notify_set(&n, BGP_ERR_CEASE, BGP_CEASE_OUT_OF_RESOURCES, NULL, 0);
		fsm(s, BGP_EV_UPDATE_ERR, 0, &n);
		return;
	}
	fsm(s, BGP_EV_UPDATE, 0, NULL);
	if (u.action != BGP_UPD_OK) {
		p->stats.updates_malformed++;
		log_update_problem(s, &u, body, len);
	}
	switch (u.action) {
	case BGP_UPD_SESSION_RESET:
		fsm(s, BGP_EV_UPDATE_ERR, 0, &u.notify);
		bgp_update_free(&u);
		return;
	case BGP_UPD_AFISAFI_DISABLE:
		if (u.disabled_family < BGP_FAM_COUNT &&
		    !(p->disabled_families & BGP_FAM_BIT(u.disabled_family))) {
			p->disabled_families |= BGP_FAM_BIT(u.disabled_family);
			log_warn("peer %s: %s disabled for this session (RFC 7606)", s->name,
				 bgp_family_name(u.disabled_family));
			if (s->sp->cb.family_disabled)
				s->sp->cb.family_disabled(p, u.disabled_family, s->sp->ctx);
		}
		break;
	default:
		break;
	}
	if (p->disabled_families) {
		u.n_announced = filter_family(u.announced, u.n_announced, p->disabled_families);
		u.n_withdrawn = filter_family(u.withdrawn, u.n_withdrawn, p->disabled_families);
		if (u.end_of_rib && (BGP_FAM_BIT(u.eor_family) & p->disabled_families))
			u.end_of_rib = false;
	}
	if ((u.n_announced || u.n_withdrawn || u.end_of_rib) && s->sp->cb.update &&
	    s->peer->state == BGP_STATE_ESTABLISHED)
		s->sp->cb.update(p, &u, s->sp->ctx);
	bgp_update_free(&u);
}

static void refresh_rx(struct bgp_session_priv *s, const uint8_t *body, size_t len)
{
	struct bgp_route_refresh rr;
	struct bgp_notify err;
	memset(&err, 0, sizeof(err));
	if (bgp_refresh_decode(body, len, &rr, &err) < 0) {
		fsm(s, BGP_EV_MSG_ERR, 0, &err);
		return;
	}
	fsm(s, BGP_EV_UPDATE, 0, NULL);
	int f = bgp_family_from_afi_safi(rr.afi, rr.safi);
	/* RFC 2918 4: a family we did not advertise is ignored. */
	if (f < 0 || !(s->peer->neg.families & BGP_FAM_BIT(f))) {
		log_info("peer %s: ROUTE-REFRESH for AFI %u SAFI %u ignored: not negotiated",
			 s->name, rr.afi, rr.safi);
		return;
	}
	/* RFC 7313 5: subtypes other than 0-2 are ignored. */
	if (rr.subtype > BGP_RR_EORR)
		return;
	if (s->sp->cb.route_refresh)
		s->sp->cb.route_refresh(s->peer, &rr, s->sp->ctx);
}

void bgp_session_rx(struct bgp_conn *c, const struct bgp_hdr *h, const uint8_t *body,
		    size_t len)
{
	struct bgp_session_priv *s = c->s;
	struct bgp_peer *p = s->peer;
	if (h->type < 6) {
		p->stats.msgs_in[h->type]++;
		p->stats.msgs_in[0]++;
	}
	if (c != s->conn) {
		pending_rx(c, h, body, len);
		return;
	}
	bool est = p->state == BGP_STATE_ESTABLISHED;
	struct bgp_notify err;
	switch (h->type) {
	case BGP_MSG_OPEN: {
		/* Only OpenSent (or a running DelayOpen) expects an OPEN; the
		 * FSM answers the others with the RFC 6608 subcode. */
		bool wanted = s->fsm.state == BGP_STATE_OPENSENT || s->fsm.delay_open_running;
		if (!wanted) {
			fsm(s, BGP_EV_OPEN, 0, NULL);
			return;
		}
		struct bgp_open o;
		if (open_check(s, body, len, &o, &err) < 0) {
			open_err(s, &err);
			fsm(s, BGP_EV_MSG_ERR, 0, &err);
			return;
		}
		p->remote_open = o;
		fsm(s, BGP_EV_OPEN, o.hold_time, NULL);
		return;
	}
	case BGP_MSG_KEEPALIVE:
		if (bgp_keepalive_decode(len, &err) < 0) {
			fsm(s, BGP_EV_MSG_ERR, 0, &err);
			return;
		}
		fsm(s, BGP_EV_KEEPALIVE, 0, NULL);
		return;
	case BGP_MSG_NOTIFICATION:
		log_notify_recv(s, body, len);
		fsm(s, BGP_EV_NOTIFY, 0, NULL);
		return;
	case BGP_MSG_UPDATE:
		if (!est) {
			fsm(s, BGP_EV_UPDATE, 0, NULL);
			return;
		}
		update_rx(s, body, len);
		return;
	case BGP_MSG_ROUTE_REFRESH:
		if (!est) {
			fsm(s, BGP_EV_UPDATE, 0, NULL);
			return;
		}
		refresh_rx(s, body, len);
		return;
	default:
		return; /* bgp_hdr_decode() let no other type through */
	}
}
