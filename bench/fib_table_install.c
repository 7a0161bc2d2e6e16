/* bench fib_table_install: the benchmark's own table (bench/table*,
 * synthetic or MRT) written straight into a kernel table through
 * src/fib's batched netlink writer, no BGP session in front of it.
 *
 * bench/fib_run.py runs it beside egressd and BIRD in the install
 * part: it is what the FIB library and the kernel can do with exactly
 * the routes the daemons get from the feeder, in the feeder's order, so
 * the gap between this row and egressd's is the daemon's own cost (RIB,
 * decision, the RIB-to-FIB step).  tests/fib/fib_probe measures the
 * same writer on a dense made-up table (consecutive /24s and /32s),
 * which the kernel's trie takes faster than a realistic mix of lengths.
 *
 * One JSON line (bench_emit) with the time of the batched install. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "core/log.h"
#include "fib/fib.h"
#include "table.h"

static unsigned long failed;

static void on_error(void *arg, const struct prefix *pfx, int err)
{
	(void)arg;
	(void)pfx;
	(void)err;
	failed++;
}

/* --order: "table", the feeder's own order (ascending addresses, runs
 * of one attribute set); "sets", the attribute sets shuffled as the
 * feeder's --order sets sends them.  The others only probe how the
 * kernel's trie takes an order: every prefix shuffled, the table
 * reversed, or shortest prefixes first; ORDER:W applies ORDER to each
 * window of W routes apart (what a writer could do with one batch). */
static uint64_t order_rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int len_cmp(const void *a, const void *b)
{
	const struct prefix *x = a, *y = b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return prefix_cmp(x, y);
}

static int reorder_window(struct prefix *p, size_t n, const char *order)
{
	if (!strcmp(order, "shuffle")) {
		uint64_t s = 42;
		for (size_t i = n; i > 1; i--) {
			size_t j = (size_t)(order_rng(&s) % i);
			struct prefix t = p[i - 1];
			p[i - 1] = p[j];
			p[j] = t;
		}
	} else if (!strcmp(order, "reverse")) {
		for (size_t i = 0; i < n / 2; i++) {
			struct prefix t = p[i];
			p[i] = p[n - 1 - i];
			p[n - 1 - i] = t;
		}
	} else if (!strcmp(order, "length")) {
		qsort(p, n, sizeof(*p), len_cmp);
	} else {
		return -1;
	}
	return 0;
}

static int reorder(struct bench_table *t, const char *order, uint64_t seed)
{
	if (!strcmp(order, "table"))
		return 0;
	if (!strcmp(order, "sets"))
		return bench_table_shuffle_sets(t, seed) ? -1 : 0;
	const char *colon = strchr(order, ':');
	size_t w = colon ? strtoul(colon + 1, NULL, 10) : t->n_pfx;
	char o[32];
	size_t olen = colon ? (size_t)(colon - order) : strlen(order);
	if (!w || olen >= sizeof(o))
		return -1;
	memcpy(o, order, olen);
	o[olen] = 0;
	for (size_t i = 0; i < t->n_pfx; i += w)
		if (reorder_window(t->pfx + i, t->n_pfx - i < w ? t->n_pfx - i : w, o))
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct fib_netlink_config nc = {.table = 100, .protocol = FIB_PROTO_DEFAULT};
	const char *mrt = NULL, *gw = NULL, *order = "table";
	unsigned long prefixes = 1000000, seed = 1;
	static const struct option opts[] = {
		{"table", 1, 0, 't'}, {"prefixes", 1, 0, 'N'}, {"mrt", 1, 0, 'm'},
		{"seed", 1, 0, 's'},  {"gw", 1, 0, 'g'},       {"batch", 1, 0, 'B'},
		{"order", 1, 0, 'o'}, {"ack-each", 0, 0, 'A'},
		{0, 0, 0, 0}};
	int ch;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 't': nc.table = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'N': prefixes = strtoul(optarg, NULL, 10); break;
		case 'm': mrt = optarg; break;
		case 's': seed = strtoul(optarg, NULL, 10); break;
		case 'g': gw = optarg; break;
		case 'B': nc.batch_bytes = strtoul(optarg, NULL, 0); break;
		case 'o': order = optarg; break;
		case 'A': nc.ack_each = true; break;
		default: goto usage;
		}
	}
	if (!gw)
		goto usage;
	struct fib_nexthop nh = {.weight = 1};
	char addr[64];
	const char *at = strchr(gw, '@');
	if (!at || (size_t)(at - gw) >= sizeof(addr))
		goto usage;
	memcpy(addr, gw, (size_t)(at - gw));
	addr[at - gw] = 0;
	nh.ifindex = (int)if_nametoindex(at + 1);
	if (addr_parse(addr, &nh.gw) || !nh.ifindex) {
		fprintf(stderr, "fib_table_install: bad --gw %s\n", gw);
		return 2;
	}
	log_init("fib_table_install", true, LOG_LVL_WARN);

	/* The same table the feeder sends, built the same way. */
	struct bench_rewrite rw = {.feeder_as = 65001, .avoid_as = {65000, 65002}};
	inet_pton(AF_INET, "192.0.2.1", &rw.nexthop);
	struct bench_table t;
	const char *why = "";
	int rc = mrt ? bench_table_mrt(&t, mrt, &rw, &why)
		     : bench_table_synth(&t, prefixes, seed, &rw);
	if (rc) {
		fprintf(stderr, "fib_table_install: table: %s\n", *why ? why : strerror(-rc));
		return 1;
	}

	if (reorder(&t, order, seed)) {
		fprintf(stderr, "fib_table_install: bad --order %s\n", order);
		return 2;
	}

	struct fib_backend be;
	struct fib *f;
	struct fib_config cfg = {.ecmp = true};
	if ((rc = fib_netlink_open(&nc, &be)) != 0 ||
	    (rc = fib_create(&cfg, be, on_error, NULL, &f)) != 0) {
		fprintf(stderr, "fib_table_install: fib: %s\n", strerror(-rc));
		return 1;
	}
	double t0 = mono_now(), cpu0 = bench_cpu_self();
	fib_batch_begin(f);
	for (size_t i = 0; i < t.n_pfx && !rc; i++) {
		struct fib_route r = {.pfx = t.pfx[i], .nhs = {.n = 1, .nh = {nh}}};
		rc = fib_route_install(f, &r);
	}
	if (!rc)
		rc = fib_batch_commit(f);
	double secs = mono_now() - t0, cpu = bench_cpu_self() - cpu0;
	/* CPU time (user + system: the kernel's work on our requests is
	 * system time of this process) beside wall time, as a busy machine
	 * stretches the latter. */
	bench_emit("installed",
		   "\"routes\":%zu,\"failed\":%lu,\"seconds\":%.6f,\"rate\":%.0f,"
		   "\"cpu_install\":%.3f,\"rc\":%d",
		   t.n_pfx, failed, secs, secs > 0 ? (double)t.n_pfx / secs : 0.0, cpu, rc);
	/* The routes stay: the caller counts them and removes the namespace. */
	fib_destroy(f);
	bench_table_free(&t);
	return rc || failed ? 1 : 0;
usage:
	fprintf(stderr, "usage: fib_table_install --gw ADDR@IFNAME [--table N] "
			"[--prefixes N | --mrt FILE] [--seed N] [--batch BYTES]\n"
			"                         [--order table|sets|shuffle|reverse|length[:WINDOW]] "
			"[--ack-each]\n");
	return 2;
}
