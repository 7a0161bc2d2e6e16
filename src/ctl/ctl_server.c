/* The control socket server.
 *
 * It shares the event loop with the BGP sessions, so nothing in it may
 * block or grow without bound: sockets are non-blocking, a request line
 * is capped at CTL_MAX_REQUEST bytes, each client has CTL_CLIENT_TIMEOUT
 * seconds from accept to deliver its request (a fixed deadline, so a
 * client trickling bytes cannot hold a slot forever), at most
 * CTL_MAX_CLIENTS are served at once, and answers are written as the
 * socket drains under an ev_io write watcher.  Route listings are
 * produced CTL_ROUTES_PER_STEP routes at a time, one step per loop
 * iteration, so a full table neither stalls the sessions' timers nor
 * sits in memory as one string.  While an answer is being written the
 * deadline restarts whenever the client takes more bytes: a big answer
 * may take long, a client that stops reading is dropped. */
#include "ctl/ctl.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stddef.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "ctl/ctl_proto.h"
#include "ctl/ctl_show.h"

struct ctl_client {
	struct ctl_server *srv;
	struct ctl_client *prev, *next;
	int fd;
	ev_io rio, wio;
	ev_timer timer;
	char *in;       /* CTL_MAX_REQUEST bytes */
	size_t in_len;
	struct wbuf out; /* answer bytes not yet sent start at out_off */
	size_t out_off;
	struct ctl_rib_walk *walk; /* more of a route listing to produce */
	/* or more of a daemon-registered streamed answer */
	const struct ctl_stream_ops *sops;
	void *stream;
};

/* Routes turned into text per loop iteration (about a millisecond of
 * work each step on a current machine). */
#define CTL_ROUTES_PER_STEP 64
/* No single answer part grows past this. */
#define CTL_OUT_LIMIT ((size_t)256 << 20)

struct ctl_server {
	struct ev_loop *loop;
	char *path;
	int fd;
	ev_io lio;
	struct bgp_speaker *sp;
	struct rib *rib;
	ctl_reload_fn reload;
	void *reload_ctx;
	size_t n_cmds;
	const char *cmd_names[CTL_MAX_COMMANDS]; /* owned copies */
	ctl_command_fn cmd_fns[CTL_MAX_COMMANDS];
	const struct ctl_stream_ops *cmd_streams[CTL_MAX_COMMANDS]; /* NULL: one answer */
	void *cmd_ctx[CTL_MAX_COMMANDS];
	struct ctl_client *clients;
	unsigned n_clients;
	double timeout;
	struct log_ratelimit busy_rl;
};

static void client_close(struct ctl_client *c)
{
	struct ctl_server *s = c->srv;

	ev_io_stop(s->loop, &c->rio);
	ev_io_stop(s->loop, &c->wio);
	ev_timer_stop(s->loop, &c->timer);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_clients--;
	free(c->in);
	wbuf_free(&c->out);
	ctl_rib_walk_free(c->walk);
	if (c->stream)
		c->sops->free(c->stream);
	free(c);
}

static json_t *run_reload(struct ctl_server *s)
{
	char msg[256] = "";

	if (!s->reload)
		return ctl_json_error("reload not supported");
	int rc = s->reload(s->reload_ctx, msg, sizeof(msg));
	if (rc) {
		if (!msg[0])
			snprintf(msg, sizeof(msg), "reload failed: %s", strerror(-rc));
		return ctl_json_error(msg);
	}
	return json_pack("{s:b}", "reloaded", 1);
}

static json_t *run_request(struct ctl_server *s, const struct ctl_request *req)
{
	const struct addr *nbr = req->has_neighbor ? &req->neighbor : NULL;

	switch (req->cmd) {
	case CTL_CMD_SHOW_NEIGHBORS:
		return ctl_show_neighbors(s->sp, s->rib);
	case CTL_CMD_SHOW_NEIGHBOR:
		return ctl_show_neighbor(s->sp, s->rib, &req->neighbor);
	case CTL_CMD_SHOW_RIB_IN:
		return ctl_show_rib(s->sp, s->rib, false, nbr);
	case CTL_CMD_SHOW_RIB_OUT:
		return ctl_show_rib(s->sp, s->rib, true, nbr);
	case CTL_CMD_RELOAD:
		return run_reload(s);
	case CTL_CMD_COUNT:
		break;
	}
	return ctl_json_error("unknown command");
}

/* Produces the next part of a route listing into the empty buffer. */
static int client_refill(struct ctl_client *c)
{
	wbuf_reset(&c->out);
	c->out_off = 0;
	if (c->stream) {
		int rc = c->sops->next(c->stream, CTL_ROUTES_PER_STEP, &c->out);
		if (rc <= 0) {
			c->sops->free(c->stream);
			c->stream = NULL;
		}
		return rc < 0 ? rc : 0;
	}
	int rc = ctl_rib_walk_next(c->walk, CTL_ROUTES_PER_STEP, &c->out);
	if (rc <= 0) {
		ctl_rib_walk_free(c->walk);
		c->walk = NULL;
	}
	return rc < 0 ? rc : 0;
}

static void client_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client *c = w->data;
	bool refilled = false;

	for (;;) {
		if (c->out_off == c->out.len) {
			if (!c->walk && !c->stream) {
				client_close(c);
				return;
			}
			/* One step per loop iteration: the sessions' I/O and
			 * timers run between steps. */
			if (refilled)
				return;
			int rc = client_refill(c);
			if (rc) {
				log_err("ctl: building a route listing: %s", strerror(-rc));
				client_close(c);
				return;
			}
			refilled = true;
			continue;
		}
		ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* wait for room */
		if (n <= 0) {
			log_debug("ctl: client went away before the answer was sent: %s",
				  n < 0 ? strerror(errno) : "closed");
			client_close(c);
			return;
		}
		c->out_off += (size_t)n;
		/* The client is reading: its deadline starts again. */
		ev_timer_again(loop, &c->timer);
	}
}

/* Switches the client from reading to writing. */
static void client_start_answer(struct ctl_client *c)
{
	struct ctl_server *s = c->srv;

	ev_io_stop(s->loop, &c->rio);
	/* The request buffer is not needed any more. */
	free(c->in);
	c->in = NULL;
	c->timer.repeat = s->timeout;
	ev_timer_again(s->loop, &c->timer);
	ev_io_start(s->loop, &c->wio);
	client_write_cb(s->loop, &c->wio, EV_WRITE);
}

/* Sends a whole JSON answer; on failure the client is closed without an
 * answer (the only case: out of memory). */
static void client_answer(struct ctl_client *c, json_t *ans)
{
	char *body = ans ? json_dumps(ans, JSON_COMPACT) : NULL;

	json_decref(ans);
	if (!body) {
		log_err("ctl: out of memory building an answer");
		client_close(c);
		return;
	}
	/* One line per answer. */
	wbuf_put_bytes(&c->out, body, strlen(body));
	wbuf_put_u8(&c->out, '\n');
	free(body);
	if (wbuf_status(&c->out)) {
		log_err("ctl: answer too large: %s", strerror(-wbuf_status(&c->out)));
		client_close(c);
		return;
	}
	client_start_answer(c);
}

/* Route listings are streamed (see client_refill). */
static void client_answer_rib(struct ctl_client *c, const struct ctl_request *req, bool out)
{
	json_t *err = NULL;
	struct ctl_server *s = c->srv;

	c->walk = ctl_rib_walk_new(s->sp, s->rib, out, req->has_neighbor ? &req->neighbor : NULL,
				   &err);
	if (!c->walk) {
		client_answer(c, err ? err : ctl_json_error("out of memory"));
		return;
	}
	client_start_answer(c);
}

static json_t *run_added_command(struct ctl_server *s, int i, json_t *request)
{
	char err[CTL_ERR_MAX] = "";
	json_t *ans = s->cmd_fns[i](s->cmd_ctx[i], request, err, sizeof(err));

	if (ans && !json_is_object(ans)) {
		log_err("ctl: command '%s' answered with something not an object",
			s->cmd_names[i]);
		json_decref(ans);
		return ctl_json_error("internal error");
	}
	if (!ans)
		return ctl_json_error(err[0] ? err : "command failed");
	return ans;
}

static void client_request(struct ctl_client *c, size_t len)
{
	struct ctl_server *s = c->srv;
	struct ctl_request req;
	char err[CTL_ERR_MAX];
	json_t *args = NULL;

	int rc = ctl_request_parse_ext(c->in, len, s->cmd_names, s->n_cmds, &req, &args, err,
				       sizeof(err));
	if (rc) {
		log_debug("ctl: bad request: %s", err);
		client_answer(c, ctl_json_error(err));
		return;
	}
	if (req.ext >= 0 && s->cmd_streams[req.ext]) {
		char msg[CTL_ERR_MAX] = "";
		c->sops = s->cmd_streams[req.ext];
		c->stream = c->sops->start(s->cmd_ctx[req.ext], args, msg, sizeof(msg));
		json_decref(args);
		if (!c->stream) {
			client_answer(c, ctl_json_error(msg[0] ? msg : "out of memory"));
			return;
		}
		client_start_answer(c);
		return;
	}
	if (req.ext >= 0) {
		json_t *ans = run_added_command(s, req.ext, args);
		json_decref(args);
		client_answer(c, ans);
		return;
	}
	if (req.cmd == CTL_CMD_SHOW_RIB_IN || req.cmd == CTL_CMD_SHOW_RIB_OUT)
		client_answer_rib(c, &req, req.cmd == CTL_CMD_SHOW_RIB_OUT);
	else
		client_answer(c, run_request(c->srv, &req));
}

static void client_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client *c = w->data;

	for (;;) {
		size_t room = CTL_MAX_REQUEST - c->in_len;
		if (room == 0) {
			char err[CTL_ERR_MAX];
			snprintf(err, sizeof(err), "request longer than %d bytes",
				 CTL_MAX_REQUEST - 1);
			client_answer(c, ctl_json_error(err));
			return;
		}
		ssize_t n = recv(c->fd, c->in + c->in_len, room, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			client_close(c);
			return;
		}
		if (n == 0) {
			/* EOF: a client that shut down its side without a
			 * newline still gets an answer to what it sent. */
			if (c->in_len == 0) {
				client_close(c);
				return;
			}
			client_request(c, c->in_len);
			return;
		}
		char *nl = memchr(c->in + c->in_len, '\n', (size_t)n);
		c->in_len += (size_t)n;
		if (nl) {
			/* One request per connection: bytes after the
			 * newline are ignored. */
			client_request(c, (size_t)(nl - c->in));
			return;
		}
	}
}

static void client_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_client *c = w->data;

	log_debug("ctl: client timed out after %.1f s", c->srv->timeout);
	client_close(c);
}

static void reject_busy(struct ctl_server *s, int fd)
{
	static const char msg[] = "{\"error\":\"too many control connections, try again\"}\n";
	unsigned suppressed = 0;

	/* Best effort, never waits: the socket buffer of a fresh
	 * connection has room for this line. */
	(void)!send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
	if (log_ratelimit_allow(&s->busy_rl, mono_now(), &suppressed))
		log_warn("ctl: %u clients connected, refusing another (%u more refused quietly)",
			 s->n_clients, suppressed);
}

static void listen_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_server *s = w->data;

	for (;;) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("ctl: accept on %s: %s", s->path, strerror(errno));
			return;
		}
		if (s->n_clients >= CTL_MAX_CLIENTS) {
			reject_busy(s, fd);
			continue;
		}
		struct ctl_client *c = calloc(1, sizeof(*c));
		char *in = malloc(CTL_MAX_REQUEST);
		if (!c || !in) {
			log_err("ctl: out of memory accepting a client");
			free(c);
			free(in);
			close(fd);
			return;
		}
		c->srv = s;
		c->fd = fd;
		c->in = in;
		wbuf_init(&c->out, CTL_OUT_LIMIT);
		ev_io_init(&c->rio, client_read_cb, fd, EV_READ);
		ev_io_init(&c->wio, client_write_cb, fd, EV_WRITE);
		ev_timer_init(&c->timer, client_timeout_cb, s->timeout, 0.);
		c->rio.data = c->wio.data = c->timer.data = c;
		c->next = s->clients;
		if (s->clients)
			s->clients->prev = c;
		s->clients = c;
		s->n_clients++;
		ev_io_start(loop, &c->rio);
		ev_timer_start(loop, &c->timer);
	}
}

/* A socket file already at path: if a server answers there, another
 * daemon owns it and we must not steal it; if nothing answers, it was
 * left behind by a crash and may go.  Anything that is not a socket is
 * never removed. */
static int stale_socket_remove(const char *path, const struct sockaddr_un *sun, socklen_t slen)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	/* Non-blocking: a unix connect() to a live server whose backlog is
	 * full would otherwise wait, and so would the daemon's start.
	 * EAGAIN means someone is listening. */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int rc = connect(fd, (const struct sockaddr *)sun, slen);
	int e = errno;
	close(fd);
	if (rc == 0 || e == EAGAIN || e == EINPROGRESS)
		return -EADDRINUSE;
	if (e != ECONNREFUSED)
		return -e;
	if (unlink(path) != 0 && errno != ENOENT)
		return -errno;
	log_info("ctl: removed stale control socket %s", path);
	return 0;
}

static int listen_socket_open(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t plen = strlen(path);

	if (plen == 0 || plen >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, plen + 1);
	socklen_t slen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen + 1);

	int rc = stale_socket_remove(path, &sun, slen);
	if (rc)
		return rc;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The socket file must never exist with wider permissions than
	 * 0660, not even between bind() and chmod(): create it under a
	 * umask, then set the mode exactly. */
	mode_t old = umask(0117);
	rc = bind(fd, (const struct sockaddr *)&sun, slen);
	int e = errno;
	umask(old);
	if (rc != 0) {
		close(fd);
		return -e;
	}
	if (chmod(path, 0660) != 0 || listen(fd, CTL_MAX_CLIENTS) != 0) {
		e = errno;
		close(fd);
		unlink(path);
		return -e;
	}
	return fd;
}

struct ctl_server *ctl_server_start(struct ev_loop *loop, const char *path,
				    struct bgp_speaker *sp, struct rib *rib, int *err)
{
	struct ctl_server *s = calloc(1, sizeof(*s));
	int rc;

	if (!s || !(s->path = strdup(path))) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = listen_socket_open(path);
	if (rc < 0)
		goto fail;
	s->fd = rc;
	s->loop = loop;
	s->sp = sp;
	s->rib = rib;
	s->timeout = CTL_CLIENT_TIMEOUT;
	s->busy_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(10.0, 3);
	ev_io_init(&s->lio, listen_cb, s->fd, EV_READ);
	s->lio.data = s;
	ev_io_start(loop, &s->lio);
	if (err)
		*err = 0;
	return s;
fail:
	if (s)
		free(s->path);
	free(s);
	if (err)
		*err = rc;
	return NULL;
}

int ctl_server_add_command(struct ctl_server *s, const char *name, ctl_command_fn fn,
			   void *ctx)
{
	for (int i = 0; i < CTL_CMD_COUNT; i++)
		if (strcmp(ctl_cmd_name((enum ctl_cmd)i), name) == 0)
			return -EEXIST;
	for (size_t i = 0; i < s->n_cmds; i++)
		if (strcmp(s->cmd_names[i], name) == 0)
			return -EEXIST;
	if (s->n_cmds == CTL_MAX_COMMANDS)
		return -ENOSPC;
	char *copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	s->cmd_names[s->n_cmds] = copy;
	s->cmd_fns[s->n_cmds] = fn;
	s->cmd_ctx[s->n_cmds] = ctx;
	s->n_cmds++;
	return 0;
}

int ctl_server_add_stream_command(struct ctl_server *s, const char *name,
				  const struct ctl_stream_ops *ops, void *ctx)
{
	int rc = ctl_server_add_command(s, name, NULL, ctx);
	if (rc == 0)
		s->cmd_streams[s->n_cmds - 1] = ops;
	return rc;
}

void ctl_server_stop(struct ctl_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_cmds; i++)
		free((char *)s->cmd_names[i]);
	while (s->clients)
		client_close(s->clients);
	ev_io_stop(s->loop, &s->lio);
	close(s->fd);
	unlink(s->path);
	free(s->path);
	free(s);
}

void ctl_server_set_timeout(struct ctl_server *s, double seconds)
{
	s->timeout = seconds;
}

void ctl_server_set_reload(struct ctl_server *s, ctl_reload_fn fn, void *ctx)
{
	s->reload = fn;
	s->reload_ctx = ctx;
}
