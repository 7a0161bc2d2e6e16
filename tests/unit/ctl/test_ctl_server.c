/* The control socket end to end: a server on a temporary socket, run on
 * an ev loop in this process, with a real (never started) speaker and
 * RIB; clients run in a thread with blocking sockets, as egressctl does.
 *
 * Besides the answers themselves this checks the promises that keep the
 * daemon safe: the socket mode, the stale-socket rule, the length cap,
 * the per-client deadline, the client cap, and that a slow reader of a
 * large answer does not stop the loop from serving others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bgp/attr.h"
#include "bgp/session.h"
#include "core/log.h"
#include "ctl/ctl.h"
#include "rib/rib.h"

struct harness {
	struct ev_loop *loop;
	ev_timer tick;
	ev_check iter; /* counts loop iterations */
	unsigned ticks, iters;
	double last_tick, max_gap; /* longest the loop went without a tick */
	char dir[64];
	char path[96];
	struct ctl_server *srv;
	struct bgp_speaker *sp;
	struct rib *rib;
};

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct harness *h = w->data;
	double now = mono_now();
	if (h->last_tick > 0 && now - h->last_tick > h->max_gap)
		h->max_gap = now - h->last_tick;
	h->last_tick = now;
	h->ticks++;
}

static void iter_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	(void)loop;
	(void)revents;
	((struct harness *)w->data)->iters++;
}

static int setup(void **state)
{
	struct harness *h = calloc(1, sizeof(*h));
	assert_non_null(h);
	h->loop = ev_loop_new(EVFLAG_AUTO);
	assert_non_null(h->loop);
	snprintf(h->dir, sizeof(h->dir), "/tmp/egress-ctl-XXXXXX");
	assert_non_null(mkdtemp(h->dir));
	snprintf(h->path, sizeof(h->path), "%s/ctl.sock", h->dir);
	ev_timer_init(&h->tick, tick_cb, 0.005, 0.005);
	h->tick.data = h;
	ev_timer_start(h->loop, &h->tick);
	ev_check_init(&h->iter, iter_cb);
	h->iter.data = h;
	ev_check_start(h->loop, &h->iter);
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	struct harness *h = *state;
	ctl_server_stop(h->srv);
	if (h->sp)
		bgp_speaker_free(h->sp);
	if (h->rib)
		rib_free(h->rib);
	ev_timer_stop(h->loop, &h->tick);
	ev_check_stop(h->loop, &h->iter);
	ev_loop_destroy(h->loop);
	unlink(h->path);
	rmdir(h->dir);
	free(h);
	return 0;
}

static void server_start(struct harness *h)
{
	int err = 1;
	h->srv = ctl_server_start(h->loop, h->path, h->sp, h->rib, &err);
	assert_non_null(h->srv);
	assert_int_equal(err, 0);
	ctl_server_set_timeout(h->srv, 2.0);
}

static int client_connect(const char *path, bool nonblock)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* One client exchange in a thread. */
struct exch {
	const char *path;
	const char *req;
	size_t req_len;
	bool shut_wr;         /* shutdown(SHUT_WR) after sending */
	unsigned slow_ms;     /* pause this long after the first read */
	char *resp;
	size_t resp_len;
	atomic_bool got_first;
	atomic_bool done;
	pthread_t th;
};

static void *client_thread(void *arg)
{
	struct exch *x = arg;
	int fd = client_connect(x->path, false);
	size_t off = 0;
	while (off < x->req_len) {
		ssize_t n = send(fd, x->req + off, x->req_len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break; /* the server may close early (line too long) */
		off += (size_t)n;
	}
	if (x->shut_wr)
		shutdown(fd, SHUT_WR);
	size_t cap = 4096;
	x->resp = malloc(cap + 1);
	for (;;) {
		if (x->resp_len == cap) {
			cap *= 2;
			x->resp = realloc(x->resp, cap + 1);
		}
		/* Small reads make the server write in many steps. */
		size_t want = x->slow_ms ? 1024 : cap - x->resp_len;
		if (want > cap - x->resp_len)
			want = cap - x->resp_len;
		ssize_t n = recv(fd, x->resp + x->resp_len, want, 0);
		if (n <= 0)
			break;
		x->resp_len += (size_t)n;
		if (!atomic_load(&x->got_first) && x->slow_ms) {
			atomic_store(&x->got_first, true);
			struct timespec ts = { .tv_sec = x->slow_ms / 1000,
					       .tv_nsec = (long)(x->slow_ms % 1000) * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	x->resp[x->resp_len] = '\0';
	close(fd);
	atomic_store(&x->done, true);
	return NULL;
}

static void exch_start(struct harness *h, struct exch *x, const char *req)
{
	x->path = h->path;
	if (req) {
		x->req = req;
		x->req_len = strlen(req);
	}
	assert_int_equal(pthread_create(&x->th, NULL, client_thread, x), 0);
}

/* Runs the loop until the exchange is over (or 20 s, a test failure). */
static void exch_wait(struct harness *h, struct exch *x)
{
	double until = mono_now() + 20;
	while (!atomic_load(&x->done) && mono_now() < until)
		ev_run(h->loop, EVRUN_ONCE);
	assert_true(atomic_load(&x->done));
	pthread_join(x->th, NULL);
}

/* Sends req, returns the parsed answer (exactly one line of JSON). */
static json_t *ask(struct harness *h, const char *req)
{
	struct exch x = { 0 };
	exch_start(h, &x, req);
	exch_wait(h, &x);
	assert_true(x.resp_len > 0);
	assert_int_equal(x.resp[x.resp_len - 1], '\n');
	assert_null(memchr(x.resp, '\n', x.resp_len - 1));
	json_error_t jerr;
	json_t *j = json_loads(x.resp, 0, &jerr);
	if (!j)
		fail_msg("bad JSON answer: %s: %.200s", jerr.text, x.resp);
	free(x.resp);
	return j;
}

static void assert_error(json_t *ans, const char *msg)
{
	json_t *e = json_object_get(ans, "error");
	if (!json_is_string(e))
		fail_msg("no error in answer");
	assert_string_equal(json_string_value(e), msg);
	json_decref(ans);
}

static void test_socket_mode_and_stale_socket(void **state)
{
	struct harness *h = *state;
	struct stat st;

	/* A socket file nobody listens on (a crashed daemon's) is replaced. */
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", h->path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	assert_int_equal(lstat(h->path, &st), 0);

	server_start(h);
	assert_int_equal(lstat(h->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);

	/* A live server is never stolen from. */
	int err = 0;
	assert_null(ctl_server_start(h->loop, h->path, NULL, NULL, &err));
	assert_int_equal(err, -EADDRINUSE);
	json_t *ans = ask(h, "{\"command\":\"show neighbors\"}\n");
	assert_int_equal(json_array_size(json_object_get(ans, "neighbors")), 0);
	json_decref(ans);

	ctl_server_stop(h->srv);
	h->srv = NULL;
	assert_int_equal(lstat(h->path, &st), -1);

	/* A file that is not a socket is never removed. */
	fd = open(h->path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_null(ctl_server_start(h->loop, h->path, NULL, NULL, &err));
	assert_int_equal(err, -EEXIST);
	assert_int_equal(lstat(h->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(h->path);

	char longpath[200];
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_null(ctl_server_start(h->loop, longpath, NULL, NULL, &err));
	assert_int_equal(err, -ENAMETOOLONG);
}

static void test_busy_server_is_not_stolen(void **state)
{
	struct harness *h = *state;
	int fds[64];
	int n = 0;
	server_start(h);

	/* The loop does not run, so nothing is accepted: fill the backlog
	 * until connect() would block. */
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", h->path);
	while (n < 64) {
		fds[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		assert_true(fds[n] >= 0);
		if (connect(fds[n], (struct sockaddr *)&sun, sizeof(sun)) != 0) {
			assert_int_equal(errno, EAGAIN);
			close(fds[n]);
			break;
		}
		n++;
	}
	assert_true(n < 64);
	/* A second daemon must neither hang in its check nor take over. */
	int err = 0;
	double t0 = mono_now();
	assert_null(ctl_server_start(h->loop, h->path, NULL, NULL, &err));
	assert_int_equal(err, -EADDRINUSE);
	assert_true(mono_now() - t0 < 1.0);
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

static struct bgp_peer *peer_add(struct harness *h, const char *addr, uint32_t as)
{
	struct bgp_peer_config cfg = { 0 };
	assert_int_equal(addr_parse(addr, &cfg.addr), 0);
	cfg.remote_as = as;
	cfg.local_as = 64521;
	cfg.router_id = 0x0a000001;
	cfg.hold_time = 30;
	cfg.keepalive = 10;
	cfg.connect_retry = 30;
	cfg.families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) | BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST);
	struct bgp_peer *p = bgp_peer_add(h->sp, &cfg);
	assert_non_null(p);
	return p;
}

/* The Adj-RIBs are the Loc-RIB's paths and out entries: paths of the
 * peer for "in"; for "out", a path of another peer (the record) and the
 * peer's out entry on it. */
static struct rib_peer route_peers[64];

static void route_add(struct harness *h, struct bgp_peer *p, bool out, const char *pfx,
		      uint32_t med)
{
	struct bgp_attrs *a = bgp_attrs_new();
	assert_non_null(a);
	const uint8_t path[] = { BGP_AS_SEQUENCE, 1, 0, 0, 0xfc, 0x00 }; /* 64512 */
	assert_int_equal(bgp_attrs_set_aspath(a, path, sizeof(path)), 0);
	a->med = med;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_MED);
	struct prefix pf;
	assert_int_equal(prefix_parse(pfx, &pf), 0);
	struct loc_rib *lr = rib_loc(h->rib);
	if (!lr) {
		struct loc_rib_config cfg = {0};
		assert_int_equal(rib_loc_create(h->rib, &cfg, NULL, NULL), 0);
		lr = rib_loc(h->rib);
	}
	uint32_t id = out ? 63 : p->id;
	assert_true(id < 64);
	route_peers[id].id = id;
	struct rib_path rp = { .peer = &route_peers[id], .attrs = a, .nh_reachable = true };
	assert_int_equal(loc_rib_update(lr, &pf, &rp), 0);
	if (out)
		assert_int_equal(loc_rib_out_set(lr, loc_rib_rec_find(lr, &pf), p->id, true), 0);
	bgp_attrs_unref(a);
}

static const struct bgp_callbacks no_callbacks;

static void speaker_with_peers(struct harness *h)
{
	h->sp = bgp_speaker_new(h->loop, &no_callbacks, NULL);
	assert_non_null(h->sp);
	h->rib = rib_new();
	assert_non_null(h->rib);
	struct bgp_peer *b = peer_add(h, "192.0.2.2", 64512);
	struct bgp_peer *a = peer_add(h, "192.0.2.1", 64513);
	struct bgp_peer *c = peer_add(h, "2001:db8::1", 64514);
	route_add(h, b, false, "10.0.0.0/8", 1);
	route_add(h, b, false, "0.0.0.0/0", 2);
	route_add(h, a, false, "0.0.0.0/0", 3);
	route_add(h, c, false, "::/0", 4);
	route_add(h, a, true, "198.51.100.0/24", 5);
}

static void test_show_commands(void **state)
{
	struct harness *h = *state;
	speaker_with_peers(h);
	server_start(h);

	json_t *ans = ask(h, "{\"command\":\"show neighbors\"}\n");
	json_t *ns = json_object_get(ans, "neighbors");
	assert_int_equal(json_array_size(ns), 3);
	json_t *n;
	size_t i;
	json_array_foreach(ns, i, n) {
		assert_string_equal(json_string_value(json_object_get(n, "state")), "Idle");
		assert_true(json_is_integer(json_object_get(n, "uptime_s")));
		assert_true(json_is_string(json_object_get(n, "last_error")));
	}
	json_decref(ans);

	ans = ask(h, "{\"command\":\"show neighbor\",\"neighbor\":\"192.0.2.1\"}\n");
	assert_string_equal(json_string_value(json_object_get(ans, "address")), "192.0.2.1");
	assert_int_equal(json_integer_value(json_object_get(ans, "remote_as")), 64513);
	assert_int_equal(json_integer_value(json_object_get(ans, "prefixes_received")), 1);
	assert_int_equal(json_integer_value(json_object_get(ans, "prefixes_sent")), 1);
	json_decref(ans);

	assert_error(ask(h, "{\"command\":\"show neighbor\",\"neighbor\":\"192.0.2.99\"}\n"),
		     "no neighbor 192.0.2.99");
	assert_error(ask(h, "{\"command\":\"show rib in\",\"neighbor\":\"2001:db8::2\"}\n"),
		     "no neighbor 2001:db8::2");

	/* Sorted by prefix, then by neighbor. */
	ans = ask(h, "{\"command\":\"show rib in\"}\n");
	json_t *rs = json_object_get(ans, "routes");
	static const char *const want[][2] = {
		{ "0.0.0.0/0", "192.0.2.1" },
		{ "0.0.0.0/0", "192.0.2.2" },
		{ "10.0.0.0/8", "192.0.2.2" },
		{ "::/0", "2001:db8::1" },
	};
	assert_int_equal(json_array_size(rs), 4);
	json_array_foreach(rs, i, n) {
		assert_string_equal(json_string_value(json_object_get(n, "prefix")), want[i][0]);
		assert_string_equal(json_string_value(json_object_get(n, "neighbor")), want[i][1]);
		json_t *path = json_object_get(n, "as_path");
		assert_int_equal(json_integer_value(json_array_get(path, 0)), 64512);
	}
	json_decref(ans);

	ans = ask(h, "{\"command\":\"show rib in\",\"neighbor\":\"192.0.2.2\"}\n");
	assert_int_equal(json_array_size(json_object_get(ans, "routes")), 2);
	json_decref(ans);

	ans = ask(h, "{\"command\":\"show rib out\"}\n");
	rs = json_object_get(ans, "routes");
	assert_int_equal(json_array_size(rs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rs, 0), "prefix")),
			    "198.51.100.0/24");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rs, 0), "med")), 5);
	json_decref(ans);

	ans = ask(h, "{\"command\":\"show rib out\",\"neighbor\":\"2001:db8::1\"}\n");
	assert_int_equal(json_array_size(json_object_get(ans, "routes")), 0);
	json_decref(ans);
}

static void test_bad_requests_get_errors(void **state)
{
	struct harness *h = *state;
	server_start(h);

	assert_error(ask(h, "hello\n"), "invalid JSON at byte 5: invalid token near 'hello'");
	assert_error(ask(h, "{\"command\":\"show routes\"}\n"), "unknown command 'show routes'");
	assert_error(ask(h, "{\"command\":\"reload\"}\n"), "reload not supported");

	/* Without a newline, EOF ends the request. */
	struct exch x = { .shut_wr = true };
	exch_start(h, &x, "{\"command\":\"show neighbors\"}");
	exch_wait(h, &x);
	assert_string_equal(x.resp, "{\"neighbors\":[]}\n");
	free(x.resp);

	/* Bytes after the newline are ignored: one request per connection. */
	json_t *ans = ask(h, "{\"command\":\"show neighbors\"}\n{\"command\":\"reload\"}\n");
	assert_non_null(json_object_get(ans, "neighbors"));
	json_decref(ans);

	/* A line over the cap is answered with an error, not read forever. */
	size_t n = CTL_MAX_REQUEST + 4096;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'x', n);
	big[n] = '\0';
	assert_error(ask(h, big), "request longer than 65535 bytes");
	free(big);
}

static int reload_ok(void *ctx, char *errbuf, size_t len)
{
	(*(int *)ctx)++;
	return 0;
}

static int reload_bad(void *ctx, char *errbuf, size_t len)
{
	snprintf(errbuf, len, "egressd.conf:3:1: unknown statement 'foo'");
	return -EINVAL;
}

static void test_reload_hook(void **state)
{
	struct harness *h = *state;
	int calls = 0;
	server_start(h);
	ctl_server_set_reload(h->srv, reload_ok, &calls);
	json_t *ans = ask(h, "{\"command\":\"reload\"}\n");
	assert_true(json_is_true(json_object_get(ans, "reloaded")));
	assert_int_equal(calls, 1);
	json_decref(ans);
	ctl_server_set_reload(h->srv, reload_bad, NULL);
	assert_error(ask(h, "{\"command\":\"reload\"}\n"),
		     "egressd.conf:3:1: unknown statement 'foo'");
}

static json_t *cmd_echo(void *ctx, json_t *request, char *err, size_t err_size)
{
	(*(int *)ctx)++;
	return json_pack("{s:O}", "got", json_object_get(request, "reason"));
}

static json_t *cmd_fail(void *ctx, json_t *request, char *err, size_t err_size)
{
	snprintf(err, err_size, "cannot drain: no other router is up");
	return NULL;
}

static json_t *cmd_bad(void *ctx, json_t *request, char *err, size_t err_size)
{
	return json_array();
}

static void test_added_commands(void **state)
{
	struct harness *h = *state;
	int calls = 0;
	server_start(h);
	assert_int_equal(ctl_server_add_command(h->srv, "drain", cmd_echo, &calls), 0);
	assert_int_equal(ctl_server_add_command(h->srv, "drain", cmd_echo, &calls), -EEXIST);
	assert_int_equal(ctl_server_add_command(h->srv, "show neighbors", cmd_echo, &calls),
			 -EEXIST);
	assert_int_equal(ctl_server_add_command(h->srv, "undrain", cmd_fail, NULL), 0);
	assert_int_equal(ctl_server_add_command(h->srv, "broken", cmd_bad, NULL), 0);

	json_t *ans = ask(h, "{\"command\":\"drain\",\"reason\":\"upgrade\"}\n");
	assert_string_equal(json_string_value(json_object_get(ans, "got")), "upgrade");
	assert_int_equal(calls, 1);
	json_decref(ans);
	assert_error(ask(h, "{\"command\":\"undrain\"}\n"),
		     "cannot drain: no other router is up");
	assert_error(ask(h, "{\"command\":\"broken\"}\n"), "internal error");
	/* Built-ins are untouched. */
	ans = ask(h, "{\"command\":\"show neighbors\"}\n");
	assert_non_null(json_object_get(ans, "neighbors"));
	json_decref(ans);
}

/* A streamed command: {"items":[0,1,...,n-1]} in parts of at most max. */
struct counter {
	int n, next, calls, freed;
	bool open;
};

static void *stream_start(void *ctx, json_t *request, char *err, size_t err_size)
{
	struct counter *c = ctx;
	json_t *n = json_object_get(request, "n");
	if (!json_is_integer(n)) {
		snprintf(err, err_size, "need n");
		return NULL;
	}
	c->n = (int)json_integer_value(n);
	c->next = 0;
	c->open = false;
	return c;
}

static int stream_next(void *st, size_t max, struct wbuf *w)
{
	struct counter *c = st;
	char num[16];
	c->calls++;
	if (!c->open) {
		wbuf_put_bytes(w, "{\"items\":[", 10);
		c->open = true;
	}
	for (size_t i = 0; i < max && c->next < c->n; i++, c->next++) {
		int k = snprintf(num, sizeof(num), "%s%d", c->next ? "," : "", c->next);
		wbuf_put_bytes(w, num, (size_t)k);
	}
	if (c->next < c->n)
		return 1;
	wbuf_put_bytes(w, "]}\n", 3);
	return 0;
}

static void stream_free(void *st)
{
	((struct counter *)st)->freed++;
}

static const struct ctl_stream_ops counter_ops = {
	.start = stream_start, .next = stream_next, .free = stream_free,
};

static void test_stream_commands(void **state)
{
	struct harness *h = *state;
	struct counter c = { 0 };
	server_start(h);
	assert_int_equal(ctl_server_add_stream_command(h->srv, "count", &counter_ops, &c), 0);
	assert_int_equal(ctl_server_add_stream_command(h->srv, "count", &counter_ops, &c),
			 -EEXIST);
	json_t *ans = ask(h, "{\"command\":\"count\",\"n\":10000}\n");
	json_t *items = json_object_get(ans, "items");
	assert_int_equal(json_array_size(items), 10000);
	for (size_t i = 0; i < json_array_size(items); i++)
		assert_int_equal(json_integer_value(json_array_get(items, i)), (json_int_t)i);
	json_decref(ans);
	/* Produced in many small steps, not in one piece, and freed once. */
	assert_true(c.calls >= 10000 / 64);
	assert_int_equal(c.freed, 1);
	assert_error(ask(h, "{\"command\":\"count\"}\n"), "need n");
	assert_int_equal(c.freed, 1);
	ans = ask(h, "{\"command\":\"count\",\"n\":0}\n");
	assert_int_equal(json_array_size(json_object_get(ans, "items")), 0);
	json_decref(ans);
	assert_int_equal(c.freed, 2);
}

static void test_silent_client_times_out(void **state)
{
	struct harness *h = *state;
	server_start(h);
	ctl_server_set_timeout(h->srv, 0.2);

	/* Sends half a request and waits: the server must hang up. */
	struct exch x = { 0 };
	double t0 = mono_now();
	exch_start(h, &x, "{\"command\":");
	exch_wait(h, &x);
	double took = mono_now() - t0;
	assert_int_equal(x.resp_len, 0);
	assert_true(took >= 0.15 && took < 5);
	free(x.resp);
}

static void test_client_that_stops_reading_is_dropped(void **state)
{
	struct harness *h = *state;
	h->sp = bgp_speaker_new(h->loop, &no_callbacks, NULL);
	h->rib = rib_new();
	assert_non_null(h->sp);
	assert_non_null(h->rib);
	struct bgp_peer *p = peer_add(h, "192.0.2.1", 64512);
	char pfx[32];
	for (unsigned i = 0; i < 5000; i++) {
		snprintf(pfx, sizeof(pfx), "10.%u.%u.0/24", i / 256, i % 256);
		route_add(h, p, false, pfx, i);
	}
	server_start(h);
	ctl_server_set_timeout(h->srv, 0.3);

	int fd = client_connect(h->path, true);
	static const char req[] = "{\"command\":\"show rib in\"}\n";
	assert_int_equal(send(fd, req, sizeof(req) - 1, 0), (ssize_t)(sizeof(req) - 1));
	/* Never read while the server fills the socket, then give it time
	 * to give up on us. */
	double until = mono_now() + 1.0;
	while (mono_now() < until)
		ev_run(h->loop, EVRUN_ONCE);
	size_t got = 0;
	char buf[65536];
	bool closed = false;
	for (int k = 0; k < 10000 && !closed; k++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0)
			got += (size_t)n;
		else if (n == 0 || errno != EAGAIN)
			closed = true;
		else
			ev_run(h->loop, EVRUN_NOWAIT);
	}
	close(fd);
	/* Hung up on, with the answer (well over 1 MB) cut short. */
	assert_true(closed);
	assert_true(got > 0 && got < 1000000);
}

static void test_client_cap(void **state)
{
	struct harness *h = *state;
	int fds[CTL_MAX_CLIENTS];
	server_start(h);

	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		fds[i] = client_connect(h->path, true);
		for (int k = 0; k < 5; k++)
			ev_run(h->loop, EVRUN_NOWAIT);
	}
	/* One too many: told so at once and closed. */
	int extra = client_connect(h->path, false);
	struct timeval tv = { .tv_sec = 0, .tv_usec = 10000 };
	setsockopt(extra, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	char buf[256];
	size_t got = 0;
	for (int k = 0; k < 500; k++) {
		ev_run(h->loop, EVRUN_NOWAIT);
		ssize_t n = recv(extra, buf + got, sizeof(buf) - 1 - got, 0);
		if (n == 0)
			break;
		if (n > 0)
			got += (size_t)n;
	}
	buf[got] = '\0';
	assert_string_equal(buf, "{\"error\":\"too many control connections, try again\"}\n");
	close(extra);

	/* Freeing a slot lets the next client in. */
	close(fds[0]);
	for (int k = 0; k < 5; k++)
		ev_run(h->loop, EVRUN_NOWAIT);
	json_t *ans = ask(h, "{\"command\":\"show neighbors\"}\n");
	assert_non_null(json_object_get(ans, "neighbors"));
	json_decref(ans);
	for (int i = 1; i < CTL_MAX_CLIENTS; i++)
		close(fds[i]);
}

static void test_slow_reader_does_not_block_others(void **state)
{
	struct harness *h = *state;
	h->sp = bgp_speaker_new(h->loop, &no_callbacks, NULL);
	h->rib = rib_new();
	assert_non_null(h->sp);
	assert_non_null(h->rib);
	struct bgp_peer *p = peer_add(h, "192.0.2.1", 64512);
	char pfx[32];
	for (unsigned i = 0; i < 20000; i++) {
		snprintf(pfx, sizeof(pfx), "10.%u.%u.0/24", i / 256, i % 256);
		route_add(h, p, false, pfx, i);
	}
	server_start(h);
	ctl_server_set_timeout(h->srv, 15);

	/* The slow client reads 1 KiB, then pauses 500 ms: its answer (MBs)
	 * cannot fit in the socket buffer, so the server must park it. */
	struct exch slow = { .slow_ms = 500 };
	h->last_tick = 0;
	h->max_gap = 0;
	exch_start(h, &slow, "{\"command\":\"show rib in\"}\n");
	double until = mono_now() + 10;
	while (!atomic_load(&slow.got_first) && mono_now() < until)
		ev_run(h->loop, EVRUN_ONCE);
	assert_true(atomic_load(&slow.got_first));

	/* A timer due at once: it must fire while the slow answer is
	 * pending (the 5 ms tick may not come round during a fast ask). */
	unsigned ticks = h->ticks;
	ev_timer now_timer;
	ev_timer_init(&now_timer, tick_cb, 0., 0.);
	now_timer.data = h;
	ev_timer_start(h->loop, &now_timer);
	json_t *ans = ask(h, "{\"command\":\"show neighbors\"}\n");
	assert_int_equal(json_array_size(json_object_get(ans, "neighbors")), 1);
	json_decref(ans);
	/* Answered while the slow one is still pending, and timers ran. */
	assert_false(atomic_load(&slow.done));
	assert_true(h->ticks > ticks);
	ev_timer_stop(h->loop, &now_timer);

	/* From here on the tick comes every 50 ms (it wakes exch_wait when
	 * the client thread is done): a few iterations of the ones counted
	 * below are its, the rest the server's own steps and writes. */
	ev_timer_stop(h->loop, &h->tick);
	ev_timer_set(&h->tick, 0.05, 0.05);
	ev_timer_start(h->loop, &h->tick);
	unsigned iters = h->iters;
	exch_wait(h, &slow);
	json_error_t jerr;
	json_t *j = json_loads(slow.resp, 0, &jerr);
	assert_non_null(j);
	assert_true(slow.resp_len > 1000000);
	assert_int_equal(json_array_size(json_object_get(j, "routes")), 20000);
	/* The listing was produced in steps, one per loop iteration
	 * (CTL_ROUTES_PER_STEP, 64 routes): the rest of 20000 routes takes
	 * hundreds of iterations, where building it in one go would take a
	 * handful (as many as the socket buffer needs to pass 1 MB).
	 * Counted, not timed, so a loaded machine cannot fail it; the
	 * longest gap between ticks is printed for whoever looks. */
	print_message("max loop gap %.3f s, %u iterations\n", h->max_gap, h->iters - iters);
	assert_true(h->iters - iters >= 200);
	json_decref(j);
	free(slow.resp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_socket_mode_and_stale_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_server_is_not_stolen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_show_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests_get_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_hook, setup, teardown),
		cmocka_unit_test_setup_teardown(test_added_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_client_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_that_stops_reading_is_dropped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_client_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader_does_not_block_others, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
