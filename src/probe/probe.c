/* Probe runtime: sockets and timers on the libev loop (see probe.h).
 *
 * ICMP uses a raw socket (egressd runs as root to bind port 179); when
 * that is refused it falls back to the unprivileged ICMP datagram socket
 * ("ping socket", net.ipv4.ping_group_range), whose replies carry no IP
 * header and whose echo id is the socket's port.  Each attempt carries a
 * new sequence number and the probe's cookie, so a late reply to an
 * earlier attempt, or a reply to another probe's echo, never counts. */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "probe/probe.h"
#include "probe/probe_icmp.h"

struct probe {
	struct ev_loop *loop;
	char *name;
	struct probe_params pp;
	probe_change_fn fn;
	void *arg;
	struct probe_fsm fsm;
	ev_timer tick;          /* one attempt per interval */
	ev_timer deadline;      /* the attempt's timeout */
	ev_io io;               /* ICMP socket readable, TCP connect done */
	int fd;                 /* ICMP: long-lived; TCP: per attempt */
	bool dgram;             /* ICMP datagram socket */
	bool pending;           /* an attempt is outstanding */
	uint16_t id, seq;
	uint64_t cookie;
	double sent;            /* mono time of the attempt */
	bool warned;            /* send error logged once per run */
};

static int probe_sock_bind(struct probe *pr, int fd)
{
	if (pr->pp.ifname[0] &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, pr->pp.ifname,
		       (socklen_t)strlen(pr->pp.ifname)) < 0)
		return -errno;
	if (pr->pp.source.af) {
		struct sockaddr_storage ss;
		socklen_t sl;
		int e = addr_to_sockaddr(&pr->pp.source, 0, &ss, &sl);
		if (e < 0)
			return e;
		if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
			return -errno;
	}
	return 0;
}

static void probe_done(struct probe *pr, bool ok, int err)
{
	if (!pr->pending)
		return;
	pr->pending = false;
	ev_timer_stop(pr->loop, &pr->deadline);
	struct probe_result r = { .t = wall_now(), .ok = ok, .err = err };
	if (ok) {
		double rtt = mono_now() - pr->sent;
		r.rtt_us = rtt > 0 ? (uint32_t)(rtt * 1e6) : 0;
		pr->warned = false;
	}
	if (pr->pp.kind == PROBE_TCP) {
		ev_io_stop(pr->loop, &pr->io);
		if (pr->fd >= 0)
			close(pr->fd);
		pr->fd = -1;
	}
	if (probe_fsm_result(&pr->fsm, &r)) {
		const struct probe_transition *t = probe_fsm_transition_at(&pr->fsm, 0);
		log_msg(t->to == PROBE_UP ? LOG_LVL_INFO : LOG_LVL_WARN, "probe %s: %s -> %s (%s)", pr->name,
			probe_state_name(t->from), probe_state_name(t->to), t->reason);
		if (pr->fn)
			pr->fn(pr, &pr->fsm, pr->arg);
	}
}

static void probe_fail(struct probe *pr, int err, const char *what)
{
	if (!pr->warned) {
		log_msg(LOG_LVL_INFO, "probe %s: %s: %s", pr->name, what, strerror(-err));
		pr->warned = true;
	}
	probe_done(pr, false, err);
}

/* ---- ICMP ---- */

static int probe_icmp_open(struct probe *pr)
{
	bool v6 = pr->pp.target.af == AF_INET6;
	int fam = v6 ? AF_INET6 : AF_INET, proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int fd = socket(fam, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	pr->dgram = false;
	if (fd < 0 && (errno == EPERM || errno == EACCES)) {
		fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
		pr->dgram = true;
	}
	if (fd < 0)
		return -errno;
	int e = probe_sock_bind(pr, fd);
	if (e < 0) {
		close(fd);
		return e;
	}
	if (pr->dgram) {
		/* The kernel rewrites the echo id to the socket's port. */
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
			pr->id = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	pr->fd = fd;
	return 0;
}

static void probe_icmp_read(struct ev_loop *loop, ev_io *w, int revents)
{
	struct probe *pr = w->data;
	uint8_t buf[1500];
	bool v6 = pr->pp.target.af == AF_INET6;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(pr->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		struct addr src;
		uint16_t port;
		if (addr_from_sockaddr((struct sockaddr *)&from, &src, &port) < 0)
			continue;
		addr_unmap_v4(&src);
		if (!addr_eq(&src, &pr->pp.target))
			continue;
		struct probe_icmp_reply rep;
		if (probe_icmp_parse(buf, (size_t)n, v6, !v6 && !pr->dgram, &rep) < 0)
			continue;
		if (rep.id == pr->id && rep.seq == pr->seq && rep.cookie == pr->cookie &&
		    pr->pending)
			probe_done(pr, true, 0);
	}
}

static void probe_icmp_send(struct probe *pr)
{
	if (pr->fd < 0) {
		int e = probe_icmp_open(pr);
		if (e < 0) {
			probe_fail(pr, e, "cannot open ICMP socket");
			return;
		}
		ev_io_init(&pr->io, probe_icmp_read, pr->fd, EV_READ);
		pr->io.data = pr;
		ev_io_start(pr->loop, &pr->io);
	}
	bool v6 = pr->pp.target.af == AF_INET6;
	uint8_t pkt[PROBE_ICMP_LEN];
	pr->seq++;
	probe_icmp_build(pkt, v6, pr->id, pr->seq, pr->cookie);
	struct sockaddr_storage ss;
	socklen_t sl;
	addr_to_sockaddr(&pr->pp.target, 0, &ss, &sl);
	if (sendto(pr->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, sl) < 0)
		probe_fail(pr, -errno, "echo request not sent");
}

/* ---- TCP ---- */

static void probe_tcp_done(struct ev_loop *loop, ev_io *w, int revents)
{
	struct probe *pr = w->data;
	int err = 0;
	socklen_t el = sizeof(err);
	if (getsockopt(pr->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		err = errno;
	if (err)
		probe_fail(pr, -err, "connect failed");
	else
		probe_done(pr, true, 0);
}

static void probe_tcp_send(struct probe *pr)
{
	int fam = pr->pp.target.af == AF_INET6 ? AF_INET6 : AF_INET;
	int fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0) {
		probe_fail(pr, -errno, "cannot open TCP socket");
		return;
	}
	pr->fd = fd;
	int e = probe_sock_bind(pr, fd);
	if (e < 0) {
		probe_fail(pr, e, "cannot bind TCP socket");
		return;
	}
	struct sockaddr_storage ss;
	socklen_t sl;
	addr_to_sockaddr(&pr->pp.target, pr->pp.port, &ss, &sl);
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0) {
		probe_done(pr, true, 0);
		return;
	}
	if (errno != EINPROGRESS) {
		probe_fail(pr, -errno, "connect failed");
		return;
	}
	ev_io_init(&pr->io, probe_tcp_done, fd, EV_WRITE);
	pr->io.data = pr;
	ev_io_start(pr->loop, &pr->io);
}

/* ---- timers ---- */

static void probe_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct probe *pr = w->data;
	probe_fail(pr, -ETIMEDOUT, "no answer in time");
}

static void probe_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct probe *pr = w->data;
	/* An attempt still open when the next is due has failed. */
	if (pr->pending)
		probe_fail(pr, -ETIMEDOUT, "no answer in time");
	pr->pending = true;
	pr->sent = mono_now();
	ev_timer_set(&pr->deadline, pr->pp.timeout_ms / 1000.0, 0);
	ev_timer_start(pr->loop, &pr->deadline);
	if (pr->pp.kind == PROBE_ICMP)
		probe_icmp_send(pr);
	else
		probe_tcp_send(pr);
}

struct probe *probe_new(struct ev_loop *loop, const char *name,
			const struct probe_params *pp, probe_change_fn fn, void *arg)
{
	struct probe *pr = calloc(1, sizeof(*pr));
	if (!pr)
		return NULL;
	pr->name = strdup(name);
	if (!pr->name) {
		free(pr);
		return NULL;
	}
	pr->loop = loop;
	pr->pp = *pp;
	pr->fn = fn;
	pr->arg = arg;
	pr->fd = -1;
	probe_fsm_init(&pr->fsm, pp->rise, pp->fall);
	/* Id and cookie tell our echoes from other processes' and probes'. */
	uint64_t seed = (uint64_t)(wall_now() * 1e6) ^ ((uint64_t)getpid() << 32) ^
			(uint64_t)(uintptr_t)pr;
	seed ^= seed >> 33;
	seed *= 0xff51afd7ed558ccdULL;
	seed ^= seed >> 33;
	pr->cookie = seed;
	pr->id = (uint16_t)(seed >> 16);
	pr->seq = (uint16_t)seed;
	double iv = pp->interval_ms / 1000.0;
	ev_timer_init(&pr->tick, probe_tick, 0, iv);
	pr->tick.data = pr;
	ev_timer_init(&pr->deadline, probe_timeout, 0, 0);
	pr->deadline.data = pr;
	return pr;
}

int probe_start(struct probe *pr)
{
	if (pr->pp.interval_ms == 0 || pr->pp.timeout_ms == 0 ||
	    (pr->pp.kind != PROBE_ICMP && pr->pp.kind != PROBE_TCP))
		return -EINVAL;
	ev_timer_start(pr->loop, &pr->tick);
	return 0;
}

void probe_free(struct probe *pr)
{
	if (!pr)
		return;
	ev_timer_stop(pr->loop, &pr->tick);
	ev_timer_stop(pr->loop, &pr->deadline);
	ev_io_stop(pr->loop, &pr->io);
	if (pr->fd >= 0)
		close(pr->fd);
	free(pr->name);
	free(pr);
}

const char *probe_name(const struct probe *pr) { return pr->name; }
const struct probe_params *probe_params(const struct probe *pr) { return &pr->pp; }
const struct probe_fsm *probe_fsm(const struct probe *pr) { return &pr->fsm; }

const char *probe_target_fmt(const struct probe_params *pp, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN + 8];
	addr_fmt(&pp->target, a);
	if (pp->kind == PROBE_TCP)
		snprintf(buf, n, pp->target.af == AF_INET6 ? "tcp [%s]:%u" : "tcp %s:%u", a,
			 pp->port);
	else
		snprintf(buf, n, "icmp %s", a);
	return buf;
}
