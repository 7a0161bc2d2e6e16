/* bench fib_failover: how long real packets take to leave by the
 * second path after the first one is killed (issue 4, "Failover").
 *
 * One process, sockets in three network namespaces (each opened after
 * setns(2) into it; a socket stays in the namespace it was made in):
 *
 *   --send-ns S   a UDP socket that, every --interval microseconds, sends
 *                 one datagram to each --dst address (>= 100 of them,
 *                 spread over the table under test) carrying the
 *                 destination's index, a per-destination sequence number
 *                 and the send time;
 *   --a NS:IF     a packet socket on the first path's receiving end and
 *   --b NS:IF     one on the second path's, which see every datagram the
 *                 router forwards to them (the receivers do not forward
 *                 and drop them after the capture).
 *
 * After --warmup seconds of steady traffic (every destination must be
 * arriving, else the run is refused) the event is fired from this same
 * process, with T0 read just before it (with --event-async from a child
 * process, so the sender goes on sending while the event's system call
 * runs: a link-down whose call takes long, the kernel flushing routes,
 * then shows when forwarding switched rather than when the call ended):
 *
 *   --event link-down:NS:IF   RTM_NEWLINK clearing IFF_UP (libmnl);
 *   --event signal:PID:SIG    kill(2), e.g. a feeder ending its session;
 *   --event fd:N              writes a line to descriptor N (a fib_probe
 *                             in "steps" mode waiting on its stdin).
 *
 * For every destination the result is the time from T0 to the arrival
 * through B of its first datagram sent at or after T0, provided nothing
 * sent after that one arrives through A any more.  The run ends when
 * every destination has switched and --settle seconds more have passed,
 * or after --timeout.  One JSON line goes to stdout: the maximum, median
 * and every quantile the report needs, datagrams lost, datagrams still
 * leaving through A after T0, and the event call's own duration.
 *
 * Packets come from the kernel through AF_PACKET (SOCK_DGRAM: no link
 * header) and are read by fib_pkt_parse (fib_pkt.c, struct rbuf, every
 * length checked, fuzzed by tests/fuzz/fuzz_fibpkt.c): anything else
 * arriving on those links is skipped. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libmnl/libmnl.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "fib_pkt.h"

#define MAX_DST 4096

struct dst {
	struct sockaddr_in sa;
	uint32_t seq;        /* next to send */
	uint32_t seq_t0;     /* first sequence sent at or after T0 */
	bool seq_t0_set;
	/* Arrivals of datagrams with seq >= seq_t0 */
	double first_b;      /* first through B, 0 = none yet */
	uint32_t first_b_seq;
	double last_a;       /* last through A */
	uint32_t last_a_seq;
	bool a_after;        /* something sent after T0 still came via A */
	/* Steady state before the event */
	unsigned long warm_a, warm_b;
	unsigned long recv_after;
};

struct ctx {
	struct dst d[MAX_DST];
	unsigned n;
	double t0;
	bool fired;
	unsigned long sent_after;
	unsigned long via_a_after, via_b_after;
};

static int enter_ns(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	return rc;
}

/* "NS:REST" -> ns (copied), REST */
static int split_ns(const char *arg, char *ns, size_t nslen, const char **rest)
{
	const char *c = strchr(arg, ':');
	if (!c || (size_t)(c - arg) >= nslen || c == arg)
		return -EINVAL;
	memcpy(ns, arg, (size_t)(c - arg));
	ns[c - arg] = 0;
	*rest = c + 1;
	return **rest ? 0 : -EINVAL;
}

static int open_capture(const char *spec)
{
	char ns[128];
	const char *ifname;
	if (split_ns(spec, ns, sizeof(ns), &ifname))
		return -EINVAL;
	int rc = enter_ns(ns);
	if (rc)
		return rc;
	unsigned idx = if_nametoindex(ifname);
	if (!idx)
		return -ENODEV;
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_IP));
	if (fd < 0)
		return -errno;
	struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				 .sll_ifindex = (int)idx};
	int sz = 64 << 20;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&ll, sizeof(ll)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static void drain(struct ctx *c, int fd, bool via_b)
{
	uint8_t buf[2048];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return;
		double now = mono_now();
		uint32_t idx, seq;
		if (fib_pkt_parse(buf, (size_t)n, &idx, &seq) || idx >= c->n)
			continue;
		struct dst *d = &c->d[idx];
		if (!c->fired) {
			if (via_b)
				d->warm_b++;
			else
				d->warm_a++;
			continue;
		}
		if (!d->seq_t0_set || seq < d->seq_t0)
			continue;
		d->recv_after++;
		if (via_b) {
			c->via_b_after++;
			if (!d->first_b || seq < d->first_b_seq) {
				if (!d->first_b)
					d->first_b = now;
				d->first_b_seq = seq;
			}
		} else {
			c->via_a_after++;
			d->a_after = true;
			d->last_a = now;
			d->last_a_seq = seq;
		}
	}
}

/* The destination has switched when its first datagram of after T0 came
 * through B and no later one came through A. */
static bool switched(const struct dst *d)
{
	return d->first_b && (!d->a_after || d->last_a_seq < d->first_b_seq);
}

static int send_round(struct ctx *c, int fd)
{
	static uint8_t pl[MAX_DST][FIB_PKT_PAYLOAD];
	static struct mmsghdr mm[MAX_DST];
	static struct iovec iov[MAX_DST];
	for (unsigned i = 0; i < c->n; i++) {
		struct dst *d = &c->d[i];
		if (c->fired && !d->seq_t0_set) {
			d->seq_t0 = d->seq;
			d->seq_t0_set = true;
		}
		fib_pkt_payload(pl[i], i, d->seq);
		iov[i] = (struct iovec){.iov_base = pl[i], .iov_len = FIB_PKT_PAYLOAD};
		mm[i].msg_hdr = (struct msghdr){.msg_name = &d->sa, .msg_namelen = sizeof(d->sa),
						.msg_iov = &iov[i], .msg_iovlen = 1};
		d->seq++;
		if (c->fired)
			c->sent_after++;
	}
	for (unsigned done = 0; done < c->n;) {
		int k = sendmmsg(fd, mm + done, c->n - done, 0);
		if (k < 0) {
			/* ENETUNREACH while no route exists, EAGAIN on a full
			 * queue: that datagram is lost, which the count shows. */
			if (errno != EAGAIN && errno != ENETUNREACH && errno != EHOSTUNREACH &&
			    errno != EINTR)
				return -errno;
			done++;
			continue;
		}
		done += (unsigned)k;
	}
	return 0;
}

static int link_down(const char *spec)
{
	char ns[128];
	const char *ifname;
	if (split_ns(spec, ns, sizeof(ns), &ifname))
		return -EINVAL;
	int rc = enter_ns(ns);
	if (rc)
		return rc;
	unsigned idx = if_nametoindex(ifname);
	if (!idx)
		return -ENODEV;
	struct mnl_socket *sk = mnl_socket_open(NETLINK_ROUTE);
	if (!sk)
		return -errno;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)idx;
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = 0;
	rc = 0;
	if (mnl_socket_bind(sk, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(sk, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
	} else {
		ssize_t n = mnl_socket_recvfrom(sk, buf, sizeof(buf));
		if (n < 0)
			rc = -errno;
		else if (mnl_cb_run(buf, (size_t)n, 1, mnl_socket_get_portid(sk), NULL, NULL) < 0)
			rc = -errno;
	}
	mnl_socket_close(sk);
	return rc;
}

static int fire(const char *ev, double *call_s)
{
	double t = mono_now();
	int rc;
	if (!strncmp(ev, "link-down:", 10)) {
		rc = link_down(ev + 10);
	} else if (!strncmp(ev, "signal:", 7)) {
		int pid = atoi(ev + 7), sig = SIGTERM;
		const char *c = strchr(ev + 7, ':');
		if (c)
			sig = atoi(c + 1);
		rc = pid > 0 && kill(pid, sig) == 0 ? 0 : -errno;
	} else if (!strncmp(ev, "fd:", 3)) {
		rc = write(atoi(ev + 3), "\n", 1) == 1 ? 0 : -errno;
	} else if (!strcmp(ev, "none")) {
		rc = 0;
	} else {
		rc = -EINVAL;
	}
	*call_s = mono_now() - t;
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: fib_failover --send-ns NS --a NS:IF --b NS:IF --dst ADDR... \n"
		"                    --event link-down:NS:IF|signal:PID[:SIG]|fd:N|none\n"
		"                    [--interval US] [--warmup S] [--settle S] [--timeout S]\n");
}

int main(int argc, char **argv)
{
	static struct ctx c;
	const char *send_ns = NULL, *a_spec = NULL, *b_spec = NULL, *event = NULL;
	double interval_us = 1000, warmup = 1.0, settle = 0.3, timeout = 60;
	bool async = false;
	int ev_pipe = -1;
	pid_t ev_pid = -1;
	static const struct option opts[] = {
		{"send-ns", 1, 0, 's'}, {"a", 1, 0, 'a'},        {"b", 1, 0, 'b'},
		{"dst", 1, 0, 'd'},     {"event", 1, 0, 'e'},    {"interval", 1, 0, 'i'},
		{"warmup", 1, 0, 'w'},  {"settle", 1, 0, 'S'},   {"timeout", 1, 0, 'T'},
		{"event-async", 0, 0, 'A'}, {0, 0, 0, 0}};
	int ch;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's': send_ns = optarg; break;
		case 'a': a_spec = optarg; break;
		case 'b': b_spec = optarg; break;
		case 'e': event = optarg; break;
		case 'i': interval_us = strtod(optarg, NULL); break;
		case 'w': warmup = strtod(optarg, NULL); break;
		case 'S': settle = strtod(optarg, NULL); break;
		case 'T': timeout = strtod(optarg, NULL); break;
		case 'A': async = true; break;
		case 'd':
			if (c.n >= MAX_DST) {
				fprintf(stderr, "fib_failover: more than %d destinations\n", MAX_DST);
				return 2;
			}
			c.d[c.n].sa.sin_family = AF_INET;
			c.d[c.n].sa.sin_port = htons(FIB_PKT_PORT);
			if (inet_pton(AF_INET, optarg, &c.d[c.n].sa.sin_addr) != 1) {
				fprintf(stderr, "fib_failover: bad --dst %s\n", optarg);
				return 2;
			}
			c.n++;
			break;
		default: usage(); return 2;
		}
	}
	if (!send_ns || !a_spec || !b_spec || !event || !c.n || interval_us < 10) {
		usage();
		return 2;
	}
	log_init("fib_failover", true, LOG_LVL_WARN);
	int fa = open_capture(a_spec), fb = open_capture(b_spec);
	if (fa < 0 || fb < 0) {
		fprintf(stderr, "fib_failover: capture %s: %s\n", fa < 0 ? a_spec : b_spec,
			strerror(-(fa < 0 ? fa : fb)));
		return 1;
	}
	int rc = enter_ns(send_ns);
	int fs = rc ? -1 : socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fs < 0) {
		fprintf(stderr, "fib_failover: sender in %s: %s\n", send_ns,
			strerror(rc ? -rc : errno));
		return 1;
	}
	int sz = 16 << 20;
	(void)setsockopt(fs, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));

	double start = mono_now(), next = start, period = interval_us / 1e6;
	double fire_at = start + warmup, end_at = 0, call_s = 0;
	int event_rc = 0;
	unsigned long rounds = 0;
	bool warm_ok = false;
	while (true) {
		double now = mono_now();
		if (now >= next) {
			if ((rc = send_round(&c, fs)) != 0) {
				fprintf(stderr, "fib_failover: send: %s\n", strerror(-rc));
				return 1;
			}
			rounds++;
			next += period;
			if (next < now) /* fell behind (a busy core): no burst to catch up */
				next = now + period;
		}
		drain(&c, fa, false);
		drain(&c, fb, true);
		now = mono_now();
		if (!c.fired && now >= fire_at) {
			unsigned silent = 0;
			for (unsigned i = 0; i < c.n; i++)
				silent += !c.d[i].warm_a && !c.d[i].warm_b;
			if (silent) {
				fprintf(stderr,
					"fib_failover: %u of %u destinations received nothing "
					"during the warm-up; not firing\n", silent, c.n);
				break;
			}
			warm_ok = true;
			int pfd[2] = {-1, -1};
			if (async && pipe2(pfd, O_CLOEXEC | O_NONBLOCK) != 0) {
				fprintf(stderr, "fib_failover: pipe: %s\n", strerror(errno));
				return 1;
			}
			c.t0 = mono_now();
			c.fired = true;
			if (async) {
				ev_pid = fork();
				if (ev_pid == 0) {
					/* The child fires and reports rc and the call's
					 * duration; the parent keeps sending meanwhile. */
					struct { int rc; double s; } r;
					r.rc = fire(event, &r.s);
					ssize_t w = write(pfd[1], &r, sizeof(r));
					_exit(w == (ssize_t)sizeof(r) ? 0 : 1);
				}
				close(pfd[1]);
				if (ev_pid < 0) {
					fprintf(stderr, "fib_failover: fork: %s\n", strerror(errno));
					return 1;
				}
				ev_pipe = pfd[0];
			} else {
				event_rc = fire(event, &call_s);
			}
			if (event_rc)
				fprintf(stderr, "fib_failover: event %s: %s\n", event,
					strerror(-event_rc));
		}
		if (ev_pipe >= 0) {
			struct { int rc; double s; } r;
			ssize_t got = read(ev_pipe, &r, sizeof(r));
			if (got == (ssize_t)sizeof(r) || got == 0) {
				if (got == (ssize_t)sizeof(r)) {
					event_rc = r.rc;
					call_s = r.s;
				} else {
					event_rc = -EIO;
				}
				close(ev_pipe);
				ev_pipe = -1;
				(void)waitpid(ev_pid, NULL, 0);
				if (event_rc)
					fprintf(stderr, "fib_failover: event %s: %s\n", event,
						strerror(-event_rc));
			}
		}
		if (c.fired) {
			if (!end_at) {
				unsigned done = 0;
				for (unsigned i = 0; i < c.n; i++)
					done += switched(&c.d[i]);
				if (done == c.n)
					end_at = now + settle;
			}
			if ((end_at && now >= end_at) || now - c.t0 > timeout)
				break;
		}
		double wait = next - mono_now();
		if (wait > 0) {
			struct timespec ts = {0, (long)(wait * 1e9)};
			if (wait > 0.0002)
				ts.tv_nsec = (long)((wait - 0.0001) * 1e9);
			nanosleep(&ts, NULL);
		}
	}

	if (ev_pipe >= 0) {
		/* The event's call outlived the run: wait for its answer. */
		struct { int rc; double s; } r;
		int fl = fcntl(ev_pipe, F_GETFL);
		(void)fcntl(ev_pipe, F_SETFL, fl & ~O_NONBLOCK);
		if (read(ev_pipe, &r, sizeof(r)) == (ssize_t)sizeof(r)) {
			event_rc = r.rc;
			call_s = r.s;
		} else {
			event_rc = -EIO;
		}
		close(ev_pipe);
		(void)waitpid(ev_pid, NULL, 0);
	}
	/* What the last rounds sent is still on its way: let it land. */
	usleep(20000);
	drain(&c, fa, false);
	drain(&c, fb, true);

	/* per destination: T0 -> first datagram through B of those sent
	 * after T0 */
	static double lat[MAX_DST];
	unsigned n_sw = 0, warm_a = 0, warm_b = 0;
	unsigned long lost = 0;
	for (unsigned i = 0; i < c.n; i++) {
		struct dst *d = &c.d[i];
		warm_a += d->warm_a > 0;
		warm_b += d->warm_b > 0 && !d->warm_a;
		if (d->seq_t0_set) {
			unsigned long sent = d->seq - d->seq_t0;
			lost += sent > d->recv_after ? sent - d->recv_after : 0;
		}
		if (c.fired && switched(d))
			lat[n_sw++] = d->first_b - c.t0;
	}
	qsort(lat, n_sw, sizeof(lat[0]), cmp_double);
	printf("{\"event\":\"failover\",\"fired\":%s,\"event_rc\":%d,\"dsts\":%u,"
	       "\"warm_via_a\":%u,\"warm_via_b_only\":%u,\"switched\":%u,"
	       "\"max_ms\":%.3f,\"median_ms\":%.3f,\"min_ms\":%.3f,\"event_call_ms\":%.3f,"
	       "\"sent_after\":%lu,\"lost_after\":%lu,\"via_a_after\":%lu,\"via_b_after\":%lu,"
	       "\"interval_us\":%.0f,\"rounds\":%lu,\"t0\":%.6f}\n",
	       c.fired ? "true" : "false", event_rc, c.n, warm_a, warm_b, n_sw,
	       n_sw == c.n && n_sw ? lat[n_sw - 1] * 1e3 : -1.0,
	       n_sw ? lat[n_sw / 2] * 1e3 : -1.0, n_sw ? lat[0] * 1e3 : -1.0, call_s * 1e3,
	       c.sent_after, lost, c.via_a_after, c.via_b_after, interval_us, rounds, c.t0);
	fflush(stdout);
	return warm_ok && !event_rc && n_sw == c.n ? 0 : 1;
}
