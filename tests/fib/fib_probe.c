/* Drives the FIB's netlink backend against a real kernel, for
 * tests/system/test_fib_netlink.py (run inside a network namespace the
 * test creates) and as a throughput benchmark.
 *
 *   fib_probe [options] steps   install, say, wait for a line on stdin,
 *                               replace the group, say, wait, delete all
 *   fib_probe [options] leave   install and exit (routes stay)
 *   fib_probe [options] sweep   resync an empty FIB: removes ours
 *   fib_probe [options] restart install over what an earlier run left
 *                               (graceful restart: replaced in place),
 *                               say, then resync (sweeps the rest), say
 *   fib_probe [options] replace as steps, without waiting
 *   fib_probe [options] check   install, say, wait; list differences
 *                               with the kernel, wait; resync, list
 *                               again, exit (routes stay)
 *   fib_probe [options] bench   install --count routes, report rate
 *   fib_probe [options] monitor print link/address/route events as
 *                               JSON lines for --for seconds; --rcvbuf
 *                               BYTES shrinks the socket buffer and
 *                               --sleep S delays the first read, so a
 *                               burst overruns it (ENOBUFS -> resync);
 *                               --ignore-ours filters out --proto routes
 *
 * Options: --table N --proto N --count N --gw ADDR@IFNAME (repeat; the
 * first ones form the group, --to ADDR@IFNAME the replacement set)
 * --bad ADDR@IFINDEX (one route through a device that does not exist,
 * placed in the middle of the batch) --inline (no nexthop objects)
 * --ack-each --batch BYTES --v6 (routes 2001:db8:X:Y::/64 instead).
 * Each step prints one JSON line. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "fib/fib.h"

struct errs {
	unsigned n;
	char first[8][PREFIX_STRLEN + 32];
};

static void on_error(void *arg, const struct prefix *pfx, int err)
{
	struct errs *e = arg;
	if (e->n < 8) {
		char buf[PREFIX_STRLEN];
		snprintf(e->first[e->n], sizeof(e->first[0]), "%s %d", prefix_fmt(pfx, buf), err);
	}
	e->n++;
}

/* "ADDR@IFNAME" or "ADDR@#INDEX" */
static int parse_nh(const char *s, struct fib_nexthop *nh)
{
	char tmp[128];
	snprintf(tmp, sizeof(tmp), "%s", s);
	char *at = strchr(tmp, '@');
	if (!at)
		return -EINVAL;
	*at++ = 0;
	memset(nh, 0, sizeof(*nh));
	nh->weight = 1;
	if (addr_parse(tmp, &nh->gw))
		return -EINVAL;
	nh->ifindex = at[0] == '#' ? atoi(at + 1) : (int)if_nametoindex(at);
	return nh->ifindex > 0 ? 0 : -ENODEV;
}

/* Route i of the synthetic table: /24s from 10.0.0.0 for the first
 * 65536, then /32s from 20.0.0.0, so a million are all distinct. */
static bool v6;

static void print_diff(void *arg, const struct prefix *pfx, enum fib_diff kind)
{
	unsigned *n = arg;
	char buf[PREFIX_STRLEN];
	printf("%s[\"%s\",\"%s\"]", (*n)++ ? "," : "", prefix_fmt(pfx, buf), fib_diff_name(kind));
}

static int say_check(struct fib *f)
{
	unsigned n = 0;
	printf("{\"step\":\"checked\",\"diffs\":[");
	int rc = fib_check(f, print_diff, &n);
	printf("],\"rc\":%d}\n", rc);
	fflush(stdout);
	return rc < 0 ? rc : 0;
}

static struct prefix route_pfx(unsigned i)
{
	struct prefix p = {.len = 24};
	if (v6) {
		/* 2001:db8:HHHH:LLLL::/64 */
		p.addr.af = AF_INET6;
		p.len = 64;
		p.addr.b[0] = 0x20;
		p.addr.b[1] = 0x01;
		p.addr.b[2] = 0x0d;
		p.addr.b[3] = 0xb8;
		p.addr.b[4] = (uint8_t)(i >> 24);
		p.addr.b[5] = (uint8_t)(i >> 16);
		p.addr.b[6] = (uint8_t)(i >> 8);
		p.addr.b[7] = (uint8_t)i;
		return p;
	}
	if (i < 65536) {
		addr_from_v4(&p.addr, 0x0a000000u | (i << 8));
	} else {
		addr_from_v4(&p.addr, 0x14000000u + (i - 65536));
		p.len = 32;
	}
	return p;
}

static void wait_line(void)
{
	char line[64];
	if (!fgets(line, sizeof(line), stdin))
		exit(3);
}

static void say(const char *step, struct fib *f, const struct errs *e, double secs,
		unsigned count)
{
	struct fib_stats st;
	fib_stats_get(f, &st);
	printf("{\"step\":\"%s\",\"nhobj\":%s,\"routes\":%zu,\"failed\":%zu,\"groups\":%zu,"
	       "\"nexthops\":%zu,\"requests\":%llu,\"seconds\":%.6f,\"rate\":%.0f,"
	       "\"errors\":[",
	       step, fib_uses_nhobj(f) ? "true" : "false", st.routes, st.routes_failed,
	       st.groups, st.nexthops, (unsigned long long)st.requests, secs,
	       secs > 0 ? count / secs : 0.0);
	for (unsigned i = 0; i < e->n && i < 8; i++)
		printf("%s\"%s\"", i ? "," : "", e->first[i]);
	printf("]}\n");
	fflush(stdout);
}

static void ev_link(void *arg, const struct fib_link_event *ev)
{
	(void)arg;
	printf("{\"event\":\"link\",\"ifindex\":%d,\"name\":\"%s\",\"up\":%s,\"deleted\":%s}\n",
	       ev->ifindex, ev->name, ev->up ? "true" : "false", ev->deleted ? "true" : "false");
	fflush(stdout);
}

static void ev_addr(void *arg, const struct fib_addr_event *ev)
{
	(void)arg;
	char buf[PREFIX_STRLEN];
	printf("{\"event\":\"addr\",\"ifindex\":%d,\"addr\":\"%s/%u\",\"deleted\":%s}\n",
	       ev->ifindex, addr_fmt(&ev->pfx.addr, buf), ev->pfx.len,
	       ev->deleted ? "true" : "false");
	fflush(stdout);
}

static unsigned route_events, table_events;
static uint32_t watch_table;

static void ev_route(void *arg, const struct fib_route_event *ev)
{
	(void)arg;
	/* counted, not printed: bursts are thousands */
	route_events++;
	table_events += ev->table == watch_table;
}

static void ev_resync(void *arg)
{
	(void)arg;
	printf("{\"event\":\"resync\",\"routes_seen\":%u}\n", route_events);
	fflush(stdout);
}

static int run_monitor(const struct fib_monitor_config *cfg, double sleep_s, double for_s)
{
	static const struct fib_monitor_ops ops = {
		.link = ev_link, .addr = ev_addr, .route = ev_route, .resync = ev_resync};
	struct fib_monitor *m;
	int rc = fib_monitor_open(cfg, &ops, NULL, &m);
	if (rc) {
		fprintf(stderr, "fib_probe: monitor: %s\n", strerror(-rc));
		return 1;
	}
	printf("{\"event\":\"ready\"}\n");
	fflush(stdout);
	if (sleep_s > 0)
		usleep((useconds_t)(sleep_s * 1e6));
	double end = mono_now() + for_s;
	while (mono_now() < end) {
		struct pollfd pfd = {.fd = fib_monitor_fd(m), .events = POLLIN};
		if (poll(&pfd, 1, 100) > 0 && (rc = fib_monitor_read(m)) != 0) {
			fprintf(stderr, "fib_probe: monitor read: %s\n", strerror(-rc));
			break;
		}
	}
	printf("{\"event\":\"end\",\"routes_seen\":%u,\"table_routes_seen\":%u}\n",
	       route_events, table_events);
	fib_monitor_close(m);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct fib_netlink_config nc = {.table = 100, .protocol = FIB_PROTO_DEFAULT};
	unsigned count = 1000;
	struct fib_nhset set = {0}, to = {0};
	struct fib_nexthop bad = {0};
	bool have_bad = false;
	int rcvbuf = 0;
	bool ignore_ours = false;
	double sleep_s = 0, for_s = 5;
	static const struct option opts[] = {
		{"table", required_argument, NULL, 't'}, {"proto", required_argument, NULL, 'p'},
		{"count", required_argument, NULL, 'c'}, {"gw", required_argument, NULL, 'g'},
		{"to", required_argument, NULL, 'T'},    {"bad", required_argument, NULL, 'b'},
		{"inline", no_argument, NULL, 'i'},      {"ack-each", no_argument, NULL, 'a'},
		{"batch", required_argument, NULL, 'B'}, {"rcvbuf", required_argument, NULL, 'r'},
		{"sleep", required_argument, NULL, 's'}, {"for", required_argument, NULL, 'f'},
		{"ignore-ours", no_argument, NULL, 'I'}, {"v6", no_argument, NULL, '6'},
		{0},
	};
	int o;
	struct fib_nexthop nh;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 't': nc.table = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'p': nc.protocol = (uint8_t)strtoul(optarg, NULL, 0); break;
		case 'c': count = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'i': nc.no_nhobj = true; break;
		case 'a': nc.ack_each = true; break;
		case 'B': nc.batch_bytes = strtoul(optarg, NULL, 0); break;
		case 'r': rcvbuf = atoi(optarg); break;
		case 'I': ignore_ours = true; break;
		case '6': v6 = true; break;
		case 's': sleep_s = atof(optarg); break;
		case 'f': for_s = atof(optarg); break;
		case 'g':
		case 'T':
			if (parse_nh(optarg, &nh) || fib_nhset_add(o == 'g' ? &set : &to, &nh)) {
				fprintf(stderr, "fib_probe: bad next hop %s\n", optarg);
				return 2;
			}
			break;
		case 'b':
			if (parse_nh(optarg, &bad) && !bad.ifindex) {
				fprintf(stderr, "fib_probe: bad --bad %s\n", optarg);
				return 2;
			}
			have_bad = true;
			break;
		default: return 2;
		}
	}
	if (optind == argc - 1 && !strcmp(argv[optind], "monitor")) {
		log_init("fib_probe", true, LOG_LVL_INFO);
		watch_table = nc.table;
		struct fib_monitor_config mc = {.rcvbuf = rcvbuf,
						.ignore_protocol = ignore_ours ? nc.protocol : 0};
		return run_monitor(&mc, sleep_s, for_s);
	}
	if (optind != argc - 1 || !set.n) {
		fprintf(stderr, "usage: fib_probe [options] --gw ADDR@IF... steps|leave|sweep|bench\n");
		return 2;
	}
	const char *mode = argv[optind];
	log_init("fib_probe", true, LOG_LVL_INFO);

	struct fib_backend be;
	int rc = fib_netlink_open(&nc, &be);
	if (rc) {
		fprintf(stderr, "fib_probe: netlink: %s\n", strerror(-rc));
		return 1;
	}
	struct errs errs = {0};
	struct fib *f;
	struct fib_config cfg = {.ecmp = true};
	rc = fib_create(&cfg, be, on_error, &errs, &f);
	if (rc) {
		fprintf(stderr, "fib_probe: %s\n", strerror(-rc));
		return 1;
	}
	if (!strcmp(mode, "sweep")) {
		double t0 = mono_now();
		rc = fib_resync(f);
		say("swept", f, &errs, mono_now() - t0, 0);
		fib_destroy(f);
		return rc ? 1 : 0;
	}

	double t0 = mono_now();
	fib_batch_begin(f);
	for (unsigned i = 0; i < count; i++) {
		struct fib_route r = {.pfx = route_pfx(i), .nhs = set};
		if ((rc = fib_route_install(f, &r)) != 0) {
			fprintf(stderr, "fib_probe: install: %s\n", strerror(-rc));
			return 1;
		}
		if (have_bad && i == count / 2) {
			struct fib_route b = {.nhs = {.n = 1, .nh = {bad}}};
			prefix_parse("172.31.255.0/24", &b.pfx);
			(void)fib_route_install(f, &b);
		}
	}
	rc = fib_batch_commit(f);
	double secs = mono_now() - t0;
	if (rc)
		fprintf(stderr, "fib_probe: commit: %s\n", strerror(-rc));
	say("installed", f, &errs, secs, count);
	if (!strcmp(mode, "check")) {
		wait_line();
		int r2 = say_check(f);
		wait_line();
		if (!r2)
			r2 = fib_resync(f);
		if (!r2)
			r2 = say_check(f);
		fib_destroy(f);
		return rc || r2 ? 1 : 0;
	}
	if (!strcmp(mode, "restart")) {
		t0 = mono_now();
		int r2 = fib_resync(f);
		say("resynced", f, &errs, mono_now() - t0, 0);
		fib_destroy(f);
		return rc || r2 ? 1 : 0;
	}
	if (!strcmp(mode, "leave") || !strcmp(mode, "bench")) {
		fib_destroy(f);
		return rc ? 1 : 0;
	}

	bool wait = !strcmp(mode, "steps");
	if (wait)
		wait_line();
	if (to.n) {
		t0 = mono_now();
		rc = fib_group_replace(f, &set, &to);
		secs = mono_now() - t0;
		if (rc)
			fprintf(stderr, "fib_probe: replace: %s\n", strerror(-rc));
		say("replaced", f, &errs, secs, 0);
		if (wait)
			wait_line();
		set = to;
	}
	t0 = mono_now();
	fib_batch_begin(f);
	for (unsigned i = 0; i < count; i++) {
		struct prefix p = route_pfx(i);
		(void)fib_route_delete(f, &p);
	}
	if (have_bad) {
		struct prefix p;
		prefix_parse("172.31.255.0/24", &p);
		(void)fib_route_delete(f, &p);
	}
	rc = fib_batch_commit(f);
	say("deleted", f, &errs, mono_now() - t0, count);
	fib_destroy(f);
	return rc ? 1 : 0;
}
