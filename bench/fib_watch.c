/* bench fib_watch: times how fast routes arrive in (or leave) one
 * kernel table, whoever writes them (issue 4, "Performance").
 *
 * Run inside the daemon's network namespace, it listens to the kernel's
 * route notifications (RTNLGRP_IPV4/IPV6_ROUTE) through the FIB
 * monitor of src/fib, which reads every message through struct rbuf,
 * and counts RTM_NEWROUTE and RTM_DELROUTE for --table.  A "burst" is
 * a run of such notifications; when none has come for --quiet seconds
 * the burst is reported with the times of its first and last
 * notification, so the rate is taken between the first route that
 * appeared and the last one, not from when the daemon was started.
 *
 * The kernel sends a notification after the route is in the table, so
 * these times bound the install from the outside, the same way for
 * every daemon.  Lost notifications (ENOBUFS on a full receive buffer)
 * are counted as "overruns": the burst's counts are then short, which
 * is why bench/fib_run.py also counts the table with a dump at the end
 * of each burst.
 *
 * Events are JSON lines on stdout ({"event":...,"t":MONOTONIC,...}, the
 * same clock as the feeder's): ready, progress (every second while a
 * burst runs), burst, exit.  SIGTERM or SIGINT ends it. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conn.h"
#include "core/log.h"
#include "fib/fib.h"

static volatile sig_atomic_t want_exit;

static void on_signal(int sig)
{
	(void)sig;
	want_exit = 1;
}

struct burst {
	unsigned long n_new, n_del;
	double first, last;     /* any counted notification */
	double first_new, last_new;
	double first_del, last_del;
	unsigned overruns;
};

struct watch {
	uint32_t table;
	struct burst b;
};

static void route_event(void *arg, const struct fib_route_event *ev)
{
	struct watch *w = arg;
	if (ev->table != w->table)
		return;
	double now = mono_now();
	struct burst *b = &w->b;
	if (!b->first)
		b->first = now;
	b->last = now;
	if (ev->deleted) {
		if (!b->n_del++)
			b->first_del = now;
		b->last_del = now;
	} else {
		if (!b->n_new++)
			b->first_new = now;
		b->last_new = now;
	}
}

static void resync_event(void *arg)
{
	struct watch *w = arg;
	/* Some notifications were dropped: the counts of this burst are
	 * low by an unknown number.  The times stay right as long as the
	 * first and last notifications came through. */
	w->b.overruns++;
	if (!w->b.first)
		w->b.first = mono_now();
	w->b.last = mono_now();
}

static void report_burst(struct watch *w)
{
	struct burst *b = &w->b;
	if (!b->first)
		return;
	bench_emit("burst",
		   "\"table\":%u,\"new\":%lu,\"del\":%lu,\"first\":%.6f,\"last\":%.6f,"
		   "\"first_new\":%.6f,\"last_new\":%.6f,\"first_del\":%.6f,\"last_del\":%.6f,"
		   "\"overruns\":%u",
		   w->table, b->n_new, b->n_del, b->first, b->last, b->first_new, b->last_new,
		   b->first_del, b->last_del, b->overruns);
	memset(b, 0, sizeof(*b));
}

int main(int argc, char **argv)
{
	struct watch w = {.table = 100};
	double quiet = 1.0;
	int rcvbuf = 256 << 20;
	static const struct option opts[] = {
		{"table", 1, 0, 't'}, {"quiet", 1, 0, 'q'}, {"rcvbuf", 1, 0, 'r'}, {0, 0, 0, 0}};
	int ch;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 't': w.table = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'q': quiet = strtod(optarg, NULL); break;
		case 'r': rcvbuf = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: fib_watch [--table N] [--quiet S] [--rcvbuf BYTES]\n");
			return 2;
		}
	}
	if (quiet <= 0 || rcvbuf <= 0) {
		fprintf(stderr, "fib_watch: --quiet and --rcvbuf must be positive\n");
		return 2;
	}
	log_init("fib_watch", true, LOG_LVL_WARN);

	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	static const struct fib_monitor_ops ops = {.route = route_event, .resync = resync_event};
	struct fib_monitor_config mc = {.rcvbuf = 0};
	struct fib_monitor *m;
	int rc = fib_monitor_open(&mc, &ops, &w, &m);
	if (rc) {
		fprintf(stderr, "fib_watch: monitor: %s\n", strerror(-rc));
		return 1;
	}
	/* A million notifications come faster than one core may read them
	 * while the writer holds the other: a deep buffer (as root,
	 * SO_RCVBUFFORCE passes net.core.rmem_max) keeps overruns away. */
	int fd = fib_monitor_fd(m);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		fprintf(stderr, "fib_watch: SO_RCVBUFFORCE %d: %s (default buffer kept)\n", rcvbuf,
			strerror(errno));
	bench_emit("ready", "\"table\":%u", w.table);

	double next_progress = 0;
	while (!want_exit) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int n = poll(&p, 1, 100);
		if (n < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (n > 0 && (rc = fib_monitor_read(m)) != 0) {
			fprintf(stderr, "fib_watch: read: %s\n", strerror(-rc));
			break;
		}
		double now = mono_now();
		if (w.b.first && now - w.b.last >= quiet) {
			report_burst(&w);
			next_progress = 0;
		} else if (w.b.first && now >= next_progress) {
			if (next_progress)
				bench_emit("progress", "\"new\":%lu,\"del\":%lu,\"overruns\":%u",
					   w.b.n_new, w.b.n_del, w.b.overruns);
			next_progress = now + 1;
		}
	}
	report_burst(&w);
	bench_emit("exit", "\"rc\":%d", rc);
	fib_monitor_close(m);
	return rc ? 1 : 0;
}
