/* See conn.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "core/addr.h"
#include "core/log.h"

#define IN_CAP (1u << 20)

double bench_cpu_self(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

void bench_emit(const char *name, const char *extra_fmt, ...)
{
	printf("{\"event\":\"%s\",\"t\":%.6f,\"cpu\":%.3f", name, mono_now(), bench_cpu_self());
	if (extra_fmt) {
		va_list ap;
		va_start(ap, extra_fmt);
		fputc(',', stdout);
		vprintf(extra_fmt, ap);
		va_end(ap);
	}
	fputs("}\n", stdout);
	fflush(stdout);
}

static int try_connect(const struct addr *la, const struct addr *ra)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd = socket(ra->af, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (la->af && (addr_to_sockaddr(la, 0, &ss, &sl) ||
		       bind(fd, (struct sockaddr *)&ss, sl))) {
		int e = -errno;
		close(fd);
		return e ? e : -EINVAL;
	}
	if (addr_to_sockaddr(ra, BGP_PORT, &ss, &sl) || connect(fd, (struct sockaddr *)&ss, sl)) {
		int e = -errno;
		close(fd);
		return e ? e : -EINVAL;
	}
	return fd;
}

int bench_conn_write_all(struct bench_conn *c, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = {.fd = c->fd, .events = POLLOUT};
			poll(&p, 1, 1000);
			continue;
		}
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	c->last_send = mono_now();
	return 0;
}

int bench_conn_keepalive(struct bench_conn *c, double now)
{
	if (c->keepalive <= 0 || now - c->last_send < c->keepalive)
		return 0;
	uint8_t mem[BGP_HEADER_LEN];
	struct wbuf w;
	wbuf_init_fixed(&w, mem, sizeof(mem));
	int rc = bgp_keepalive_encode(&w);
	return rc ? rc : bench_conn_write_all(c, w.data, w.len);
}

/* Hands every complete buffered message to fn, then compacts. */
static int dispatch(struct bench_conn *c, bench_msg_fn fn, void *arg)
{
	size_t off = 0;
	int rc = 0;
	while (!rc && c->in_len - off >= BGP_HEADER_LEN) {
		struct bgp_hdr h;
		struct bgp_notify err;
		/* Extended messages are never offered, so 4096 bounds every
		 * message (RFC 4271 4.1, RFC 8654 3). */
		if (bgp_hdr_decode(c->in + off, BGP_MAX_MSG, &h, &err)) {
			fprintf(stderr, "bench: bad message header from the daemon\n");
			rc = -EBADMSG;
			break;
		}
		if (c->in_len - off < h.len)
			break;
		const uint8_t *body = c->in + off + BGP_HEADER_LEN;
		size_t blen = (size_t)h.len - BGP_HEADER_LEN;
		c->msgs_in++;
		off += h.len;
		if (h.type == BGP_MSG_NOTIFICATION) {
			struct bgp_notify nt;
			char text[512];
			if (bgp_notify_decode(body, blen, &nt) == 0) {
				bgp_notify_format(&nt, text, sizeof(text));
				fprintf(stderr, "bench: NOTIFICATION from the daemon: %s\n", text);
			}
			rc = -ECONNRESET;
			break;
		}
		rc = fn(arg, h.type, body, blen);
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
	return rc;
}

int bench_conn_read(struct bench_conn *c, bench_msg_fn fn, void *arg)
{
	for (;;) {
		/* Messages left over from an earlier call (a handler that
		 * stopped early) come first. */
		int rc = dispatch(c, fn, arg);
		if (rc)
			return rc;
		ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return -errno;
		if (n == 0) {
			fprintf(stderr, "bench: the daemon closed the session\n");
			return -ECONNRESET;
		}
		c->in_len += (size_t)n;
		c->bytes_in += (size_t)n;
	}
}

struct handshake {
	struct bench_conn *c;
	int state; /* 0 waiting OPEN, 1 waiting KEEPALIVE, 2 done */
	int err;
};

static int on_handshake(void *arg, uint8_t type, const uint8_t *body, size_t len)
{
	struct handshake *hs = arg;
	struct bench_conn *c = hs->c;
	struct bgp_notify err;
	if (hs->state == 0 && type == BGP_MSG_OPEN) {
		struct bgp_open o;
		if (bgp_open_decode(body, len, &o, &err) ||
		    bgp_open_validate(&o, c->peer_as, c->router_id, false, &err)) {
			fprintf(stderr, "bench: unacceptable OPEN from the daemon\n");
			hs->err = -EPROTO;
			return hs->err;
		}
		/* RFC 4271 4.2: the smaller hold time wins; KEEPALIVE every
		 * third of it (4.4). */
		uint16_t hold = o.hold_time < c->hold_time ? o.hold_time : c->hold_time;
		c->hold_time = hold;
		c->keepalive = hold / 3.0;
		uint8_t mem[BGP_HEADER_LEN];
		struct wbuf w;
		wbuf_init_fixed(&w, mem, sizeof(mem));
		bgp_keepalive_encode(&w);
		hs->err = bench_conn_write_all(c, w.data, w.len);
		hs->state = 1;
		return hs->err;
	}
	if (hs->state == 1 && type == BGP_MSG_KEEPALIVE) {
		hs->state = 2;
		return 1; /* stop: the caller owns what follows */
	}
	fprintf(stderr, "bench: unexpected message type %u during OPEN exchange\n", type);
	hs->err = -EPROTO;
	return hs->err;
}

static int send_open(struct bench_conn *c)
{
	struct bgp_open o;
	memset(&o, 0, sizeof(o));
	o.version = BGP_VERSION;
	o.my_as = c->local_as > UINT16_MAX ? BGP_AS_TRANS : (uint16_t)c->local_as;
	o.hold_time = c->hold_time;
	o.bgp_id = c->router_id;
	/* IPv4 unicast only, 4-octet ASNs, route refresh; no extended
	 * messages, so every daemon packs into the same 4096 bytes. */
	o.caps.families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST);
	o.caps.mp_present = true;
	o.caps.as4 = true;
	o.caps.as4_asn = c->local_as;
	o.caps.route_refresh = true;
	struct wbuf w;
	wbuf_init(&w, BGP_MAX_MSG);
	int rc = bgp_open_encode(&w, &o);
	if (!rc)
		rc = bench_conn_write_all(c, w.data, w.len);
	wbuf_free(&w);
	return rc;
}

int bench_conn_open(struct bench_conn *c, const char *local, const char *remote,
		    double timeout)
{
	struct addr la = {0}, ra;
	if ((local && addr_parse(local, &la)) || addr_parse(remote, &ra)) {
		fprintf(stderr, "bench: bad address\n");
		return -EINVAL;
	}
	c->fd = -1;
	c->in_cap = IN_CAP;
	c->in_len = 0;
	c->in = malloc(c->in_cap);
	if (!c->in)
		return -ENOMEM;
	double deadline = mono_now() + timeout;
	int fd;
	while ((fd = try_connect(&la, &ra)) < 0) {
		if (mono_now() > deadline) {
			fprintf(stderr, "bench: cannot connect to %s: %s\n", remote, strerror(-fd));
			return fd;
		}
		usleep(100000);
	}
	c->fd = fd;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	int rc = send_open(c);
	struct handshake hs = {.c = c};
	while (!rc && hs.state != 2) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int left = (int)((deadline - mono_now()) * 1000);
		if (left <= 0 || poll(&p, 1, left) == 0) {
			fprintf(stderr, "bench: no OPEN/KEEPALIVE from %s in time\n", remote);
			rc = -ETIMEDOUT;
			break;
		}
		rc = bench_conn_read(c, on_handshake, &hs);
		if (rc == 1)
			rc = 0;
	}
	if (rc) {
		bench_conn_close(c);
		return rc;
	}
	return 0;
}

void bench_conn_close(struct bench_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->in);
	c->in = NULL;
}
