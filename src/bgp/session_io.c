/* Connections: non-blocking connect, bounded reads, buffered writes.
 *
 * A connection is freed only outside its own read callback (busy), so
 * the FSM may drop it from deep inside message handling. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bgp/session_priv.h"
#include "core/alloc.h"
#include "bgp/sockopt.h"

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents);
static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents);
static void conn_resume_cb(struct ev_loop *loop, ev_timer *w, int revents);

struct bgp_conn *bgp_conn_new(struct bgp_session_priv *s, int fd, bool outgoing)
{
	struct bgp_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->in = malloc(BGP_IN_CAP);
	if (!c->in) {
		free(c);
		return NULL;
	}
	c->s = s;
	c->fd = fd;
	c->outgoing = outgoing;
	/* Packing stops once the budget is reached, so the buffer holds at
	 * most the budget, one message past it and the odd KEEPALIVE or
	 * NOTIFICATION; the limit leaves room for all of that. */
	wbuf_init(&c->out, BGP_OUT_BUDGET + 4 * BGP_MAX_MSG_EXT);
	ev_io_init(&c->rio, conn_read_cb, fd, EV_READ);
	ev_io_init(&c->wio, conn_write_cb, fd, EV_WRITE);
	ev_timer_init(&c->resume, conn_resume_cb, 0., 0.);
	c->rio.data = c->wio.data = c->resume.data = c;
	if (fd >= 0 && !outgoing)
		ev_io_start(s->sp->loop, &c->rio);
	return c;
}

size_t bgp_conn_mem(const struct bgp_conn *c)
{
	if (!c)
		return 0;
	return alloc_chunk_bytes(sizeof(*c)) + alloc_chunk_bytes(BGP_IN_CAP) +
	       (c->out.fixed ? 0 : alloc_chunk_bytes(c->out.cap));
}

static void conn_free(struct bgp_conn *c)
{
	wbuf_free(&c->out);
	free(c->in);
	free(c);
}

void bgp_conn_close(struct bgp_conn *c)
{
	if (!c || c->dead)
		return;
	struct ev_loop *loop = c->s->sp->loop;
	ev_io_stop(loop, &c->rio);
	ev_io_stop(loop, &c->wio);
	ev_timer_stop(loop, &c->resume);
	if (c->fd >= 0) {
		/* Last words (a NOTIFICATION) get one non-blocking try.  Unread
		 * input is drained first: closing with unread data makes
		 * Linux send RST and throw our queued bytes away. */
		if (!c->connecting) {
			uint8_t junk[4096];
			for (int i = 0; i < 16 && read(c->fd, junk, sizeof(junk)) > 0; i++)
				;
			size_t left = c->out.len - c->out_off;
			if (left)
				(void)!write(c->fd, c->out.data + c->out_off, left);
			shutdown(c->fd, SHUT_WR);
		}
		close(c->fd);
		c->fd = -1;
	}
	c->dead = true;
	if (c->s->conn == c) {
		c->s->conn = NULL;
		ev_timer_stop(loop, &c->s->send_hold);
	}
	if (c->s->pending == c)
		c->s->pending = NULL;
	if (!c->busy)
		conn_free(c);
}

size_t bgp_conn_out_pending(const struct bgp_conn *c)
{
	return c->out.len - c->out_off;
}

void bgp_conn_compact(struct bgp_conn *c)
{
	if (!c->out_off)
		return;
	size_t left = c->out.len - c->out_off;
	memmove(c->out.data, c->out.data + c->out_off, left);
	c->out.len = left;
	c->out_off = 0;
}

/* RFC 9687: the send hold timer runs while output waits and the socket
 * takes nothing; every bit of progress restarts it. */
static void send_hold_progress(struct bgp_conn *c, bool progress)
{
	struct bgp_session_priv *s = c->s;
	if (s->conn != c)
		return;
	struct ev_loop *loop = s->sp->loop;
	if (!bgp_conn_out_pending(c)) {
		ev_timer_stop(loop, &s->send_hold);
		return;
	}
	if (progress || !ev_is_active(&s->send_hold)) {
		ev_timer_stop(loop, &s->send_hold);
		ev_timer_set(&s->send_hold, bgp_fsm_send_hold_time(s->fsm.hold_time), 0);
		ev_timer_start(loop, &s->send_hold);
	}
}

void bgp_conn_flush(struct bgp_conn *c)
{
	if (c->dead || c->fd < 0 || c->connecting || c->write_err)
		return;
	struct ev_loop *loop = c->s->sp->loop;
	bool progress = false;
	while (c->out_off < c->out.len) {
		ssize_t n = write(c->fd, c->out.data + c->out_off, c->out.len - c->out_off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/* Reported from the read callback: flush runs inside
			 * FSM actions, which must not re-enter the FSM. */
			c->write_err = errno;
			ev_io_stop(loop, &c->wio);
			ev_feed_event(loop, &c->rio, EV_READ);
			return;
		}
		c->out_off += (size_t)n;
		progress = true;
	}
	if (c->out_off == c->out.len) {
		wbuf_reset(&c->out);
		c->out_off = 0;
		ev_io_stop(loop, &c->wio);
	} else {
		/* Keep the unsent tail at the front so the buffer stays small. */
		if (c->out_off > BGP_OUT_BUDGET)
			bgp_conn_compact(c);
		ev_io_start(loop, &c->wio);
	}
	send_hold_progress(c, progress);
}

static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct bgp_conn *c = w->data;
	if (c->connecting) {
		int err = c->connect_err;
		socklen_t l = sizeof(err);
		if (!err && getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
			err = errno;
		ev_io_stop(loop, &c->wio);
		c->connecting = false;
		if (err) {
			bgp_session_conn_failed(c, -err);
			return;
		}
		ev_io_set(&c->rio, c->fd, EV_READ);
		ev_io_start(loop, &c->rio);
		bgp_session_conn_up(c);
		return;
	}
	bgp_conn_flush(c);
	if (!c->dead && c->s->conn == c && bgp_conn_out_pending(c) < BGP_OUT_BUDGET / 2)
		bgp_session_schedule_pump(c->s);
}

/* Whether this loop iteration has worked its receive budget away:
 * ev_now is the time the poll returned, ev_time the time now. */
static bool iteration_spent(struct ev_loop *loop)
{
	return ev_time() - ev_now(loop) >= BGP_RX_ITER_BUDGET;
}

/* Handles the whole messages in c->in: at least one, then more while
 * the iteration's budget lasts; what is left waits for conn_resume_cb. */
static void conn_process(struct ev_loop *loop, struct bgp_conn *c)
{
	c->busy++;
	size_t off = 0;
	bool more = false;
	while (!c->dead && c->in_len - off >= BGP_HEADER_LEN) {
		struct bgp_hdr h;
		struct bgp_notify err;
		if (bgp_hdr_decode(c->in + off, bgp_session_max_in(c), &h, &err) < 0) {
			bgp_session_rx_hdr_err(c, &err);
			break;
		}
		if (c->in_len - off < h.len)
			break;
		if (off && iteration_spent(loop)) {
			more = true;
			break;
		}
		bgp_session_rx(c, &h, c->in + off + BGP_HEADER_LEN, h.len - BGP_HEADER_LEN);
		off += h.len;
	}
	c->busy--;
	if (c->dead) {
		if (!c->busy)
			conn_free(c);
		return;
	}
	if (off) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	if (more && !ev_is_active(&c->resume)) {
		ev_timer_set(&c->resume, 0., 0.);
		ev_timer_start(loop, &c->resume);
	}
}

static void conn_resume_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	conn_process(loop, w->data);
}

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct bgp_conn *c = w->data;
	if (c->write_err) {
		bgp_session_conn_failed(c, -c->write_err);
		return;
	}
	/* Over budget: the socket stays readable (level-triggered), so
	 * this connection's turn comes again next iteration; the ready
	 * list rotates, so the same peer does not always go first. */
	if (iteration_spent(loop))
		return;
	size_t room = BGP_IN_CAP - c->in_len;
	if (room > BGP_READ_BUDGET)
		room = BGP_READ_BUDGET;
	if (!room) {
		conn_process(loop, c);
		return;
	}
	ssize_t n = read(c->fd, c->in + c->in_len, room);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		bgp_session_conn_failed(c, n == 0 ? -ECONNRESET : -errno);
		return;
	}
	c->in_len += (size_t)n;
	conn_process(loop, c);
}

static void conn_fail_soon(struct bgp_conn *c, int err)
{
	/* Reported through the write watcher on the next loop iteration:
	 * we are inside an FSM action and must not re-enter the FSM. */
	c->connecting = true;
	c->connect_err = err;
	ev_feed_event(c->s->sp->loop, &c->wio, EV_WRITE);
}

void bgp_conn_connect(struct bgp_session_priv *s)
{
	const struct bgp_peer_config *cfg = &s->peer->cfg;
	if (s->conn)
		bgp_conn_close(s->conn);
	int fd = bgp_sock_open(cfg->addr.af);
	struct bgp_conn *c = bgp_conn_new(s, fd < 0 ? -1 : fd, true);
	if (!c) {
		if (fd >= 0)
			close(fd);
		log_err("peer %s: out of memory for a connection", s->name);
		return;
	}
	s->conn = c;
	if (fd < 0) {
		conn_fail_soon(c, -fd);
		return;
	}
	int rc = 0;
	/* RFC 2385: the key must be in place before the SYN goes out. */
	if (cfg->password)
		rc = bgp_sock_set_md5(fd, cfg->addr.af, &cfg->addr, cfg->password);
	if (!rc && cfg->ttl_security)
		rc = bgp_sock_set_gtsm(fd, cfg->addr.af);
	if (!rc && cfg->local_addr.af) {
		struct sockaddr_storage ss;
		socklen_t sl;
		rc = addr_to_sockaddr(&cfg->local_addr, 0, &ss, &sl);
		if (!rc && bind(fd, (struct sockaddr *)&ss, sl) < 0)
			rc = -errno;
	}
	if (rc) {
		log_warn("peer %s: cannot prepare socket: %s", s->name, strerror(-rc));
		conn_fail_soon(c, -rc);
		return;
	}
	struct sockaddr_storage ss;
	socklen_t sl;
	addr_to_sockaddr(&cfg->addr, cfg->port ? cfg->port : BGP_PORT, &ss, &sl);
	c->connecting = true;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
		conn_fail_soon(c, errno);
		return;
	}
	ev_io_start(s->sp->loop, &c->wio);
}
