/* bench feeder: a fast BGP speaker that replays a table into the daemon
 * under test, then withdraws it all.
 *
 * The whole UPDATE stream is encoded (with egress's own codec) before
 * the session comes up, so during the measurement the feeder only
 * copies bytes into the socket and cannot be the bottleneck; it reports
 * how long its sends took so that claim can be checked.
 *
 * Events go to stdout as JSON lines (see conn.h) for bench/run.py:
 * table, encoded, established, first_update, progress, announced (the
 * table and its End-of-RIB sent), withdraw_start, withdrawn, exit.
 * SIGUSR1 starts the withdrawal,
 * SIGTERM ends the session. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "bgp/update.h"
#include "conn.h"
#include "core/log.h"
#include "table.h"

static volatile sig_atomic_t want_withdraw, want_exit;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_withdraw = 1;
	else
		want_exit = 1;
}

struct stream {
	struct wbuf w;
	uint64_t msgs;
};

/* Every group as packed UPDATEs: each call fills one message with as
 * many of the group's prefixes as fit (RFC 4271 4.3). */
static int encode_announce(const struct bench_table *t, const struct bgp_encode_ctx *ec,
			   struct stream *s)
{
	for (size_t g = 0; g < t->n_groups; g++) {
		const struct bench_group *gr = &t->groups[g];
		for (size_t done = 0; done < gr->n;) {
			long k = bgp_update_encode_announce(&s->w, ec, gr->attrs,
							    t->pfx + gr->first + done, gr->n - done);
			if (k < 0)
				return (int)k;
			done += (size_t)k;
			s->msgs++;
		}
	}
	/* End-of-RIB (RFC 4724 2), as BIRD, FRR and egressd send after
	 * their initial update: a daemon that waits for it before writing
	 * its FIB (egressd's `fib { initial-download after-eor }`) must not
	 * be measured waiting for its timer instead. */
	int rc = bgp_update_encode_eor(&s->w, BGP_FAM_IPV4_UNICAST);
	if (rc < 0)
		return rc;
	s->msgs++;
	return 0;
}

static int encode_withdraw(const struct bench_table *t, const struct bgp_encode_ctx *ec,
			   struct stream *s)
{
	for (size_t done = 0; done < t->n_pfx;) {
		long k = bgp_update_encode_withdraw(&s->w, ec, t->pfx + done, t->n_pfx - done);
		if (k < 0)
			return (int)k;
		done += (size_t)k;
		s->msgs++;
	}
	return 0;
}

struct rx {
	uint64_t updates;
};

static int on_msg(void *arg, uint8_t type, const uint8_t *body, size_t len)
{
	struct rx *rx = arg;
	if (type == BGP_MSG_UPDATE)
		rx->updates++;
	return 0;
}

/* Services the session (reads, keepalives) for up to ms milliseconds,
 * returning early when a signal arrives. */
static int idle(struct bench_conn *c, struct rx *rx, int ms)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	int rc = poll(&p, 1, ms);
	if (rc < 0 && errno != EINTR)
		return -errno;
	if (rc > 0 && (rc = bench_conn_read(c, on_msg, rx)))
		return rc;
	return bench_conn_keepalive(c, mono_now());
}

/* Writes the stream as fast as the daemon takes it, reading whatever
 * it sends meanwhile so neither side's window fills up. */
static int send_stream(struct bench_conn *c, struct rx *rx, const struct stream *s,
		       const char *label)
{
	size_t off = 0;
	double next_report = mono_now() + 1;
	while (off < s->w.len && !want_exit) {
		struct pollfd p = {.fd = c->fd, .events = POLLIN | POLLOUT};
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			return -errno;
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			int rc = bench_conn_read(c, on_msg, rx);
			if (rc)
				return rc;
		}
		if (p.revents & POLLOUT) {
			size_t chunk = s->w.len - off;
			if (chunk > (1u << 18))
				chunk = 1u << 18;
			ssize_t n = send(c->fd, s->w.data + off, chunk, MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return -errno;
			if (n > 0) {
				off += (size_t)n;
				c->last_send = mono_now();
			}
		}
		double now = mono_now();
		if (now >= next_report) {
			bench_emit("progress", "\"stream\":\"%s\",\"sent_bytes\":%zu,\"total_bytes\":%zu",
				   label, off, s->w.len);
			next_report = now + 1;
		}
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: feeder --connect ADDR [--local ADDR] [--local-as N] [--peer-as N]\n"
		"              [--collector-as N] [--router-id ID] [--nexthop ADDR]\n"
		"              [--prefixes N | --mrt FILE] [--seed N] [--hold S]\n"
		"              [--delay S] [--dry-run] [--order table|sets]\n"
		"  --order sets: attribute sets in a random order (each set's prefixes\n"
		"  together), not ascending by address\n");
}

int main(int argc, char **argv)
{
	const char *local = NULL, *remote = NULL, *mrt = NULL, *rid = NULL, *nh = NULL;
	unsigned long prefixes = 1000000, seed = 1;
	uint32_t local_as = 65001, peer_as = 65000, coll_as = 65002;
	unsigned hold = 240;
	double delay = 0.5;
	bool dry = false, shuffle = false;
	static const struct option opts[] = {
		{"local", 1, 0, 'l'}, {"connect", 1, 0, 'c'}, {"local-as", 1, 0, 'a'},
		{"peer-as", 1, 0, 'p'}, {"collector-as", 1, 0, 'C'}, {"router-id", 1, 0, 'r'},
		{"nexthop", 1, 0, 'n'}, {"prefixes", 1, 0, 'N'}, {"mrt", 1, 0, 'm'},
		{"seed", 1, 0, 's'}, {"hold", 1, 0, 'h'}, {"delay", 1, 0, 'd'},
		{"dry-run", 0, 0, 'D'}, {"order", 1, 0, 'o'}, {0, 0, 0, 0}};
	int ch;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l': local = optarg; break;
		case 'c': remote = optarg; break;
		case 'a': local_as = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'p': peer_as = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'C': coll_as = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'r': rid = optarg; break;
		case 'n': nh = optarg; break;
		case 'N': prefixes = strtoul(optarg, NULL, 10); break;
		case 'm': mrt = optarg; break;
		case 's': seed = strtoul(optarg, NULL, 10); break;
		case 'h': hold = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'd': delay = strtod(optarg, NULL); break;
		case 'D': dry = true; break;
		case 'o':
			if (!strcmp(optarg, "sets"))
				shuffle = true;
			else if (strcmp(optarg, "table")) {
				usage();
				return 2;
			}
			break;
		default: usage(); return 2;
		}
	}
	if ((!remote && !dry) || hold > 65535 || (hold && hold < 3)) {
		usage();
		return 2;
	}
	struct bench_rewrite rw = {.feeder_as = local_as, .avoid_as = {peer_as, coll_as}};
	const char *nh_text = nh ? nh : local ? local : "192.0.2.1";
	const char *rid_text = rid ? rid : nh_text;
	if (inet_pton(AF_INET, nh_text, &rw.nexthop) != 1) {
		fprintf(stderr, "feeder: next hop %s is not an IPv4 address\n", nh_text);
		return 2;
	}
	struct in_addr rid_addr;
	if (inet_pton(AF_INET, rid_text, &rid_addr) != 1) {
		fprintf(stderr, "feeder: router id %s is not an IPv4 address\n", rid_text);
		return 2;
	}

	double t0 = mono_now();
	struct bench_table t;
	const char *why = "";
	int rc = mrt ? bench_table_mrt(&t, mrt, &rw, &why)
		     : bench_table_synth(&t, prefixes, seed, &rw);
	if (!rc && shuffle)
		rc = bench_table_shuffle_sets(&t, seed);
	if (rc) {
		fprintf(stderr, "feeder: cannot build the table%s%s: %s\n", mrt ? " from " : "",
			mrt ? mrt : "", *why ? why : strerror(-rc));
		return 1;
	}
	bench_emit("table",
		   "\"prefixes\":%zu,\"attr_sets\":%zu,\"source\":\"%s\",\"records\":%zu,"
		   "\"skipped_v6\":%zu,\"skipped_loop\":%zu,\"skipped_msgs\":%zu,"
		   "\"skipped_records\":%zu,\"truncated\":%s,\"build_s\":%.3f",
		   t.n_pfx, t.n_groups, mrt ? "mrt" : "synthetic", t.records, t.skipped_v6,
		   t.skipped_loop, t.skipped_msgs, t.skipped_records,
		   t.truncated ? "true" : "false", mono_now() - t0);

	/* The daemons negotiate 4-octet ASNs with us and send no extended
	 * messages offer back, so this is the encoding every one of them
	 * receives. */
	struct bgp_encode_ctx ec = {.as4 = true, .ebgp = true, .max_msg = BGP_MAX_MSG};
	struct stream ann = {.msgs = 0}, wd = {.msgs = 0};
	wbuf_init(&ann.w, (size_t)1 << 32);
	wbuf_init(&wd.w, (size_t)1 << 31);
	t0 = mono_now();
	rc = encode_announce(&t, &ec, &ann);
	if (!rc)
		rc = encode_withdraw(&t, &ec, &wd);
	size_t n_pfx = t.n_pfx;
	bench_table_free(&t);
	if (rc) {
		fprintf(stderr, "feeder: encoding failed: %s\n", strerror(-rc));
		return 1;
	}
	bench_emit("encoded",
		   "\"prefixes\":%zu,\"announce_msgs\":%" PRIu64 ",\"announce_bytes\":%zu,"
		   "\"withdraw_msgs\":%" PRIu64 ",\"withdraw_bytes\":%zu,\"encode_s\":%.3f",
		   n_pfx, ann.msgs, ann.w.len, wd.msgs, wd.w.len, mono_now() - t0);
	if (dry)
		goto out;

	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	struct bench_conn c = {.local_as = local_as, .peer_as = peer_as,
			       .router_id = ntohl(rid_addr.s_addr), .hold_time = (uint16_t)hold};
	rc = bench_conn_open(&c, local, remote, 60);
	if (rc)
		return 1;
	bench_emit("established", "\"hold\":%u", c.hold_time);
	struct rx rx = {0};
	for (double until = mono_now() + delay; !rc && mono_now() < until && !want_exit;)
		rc = idle(&c, &rx, 50);

	double ts = mono_now();
	bench_emit("first_update", "\"bytes\":%zu", ann.w.len);
	if (!rc)
		rc = send_stream(&c, &rx, &ann, "announce");
	if (!rc)
		bench_emit("announced", "\"send_s\":%.6f,\"msgs\":%" PRIu64, mono_now() - ts, ann.msgs);
	while (!rc && !want_withdraw && !want_exit)
		rc = idle(&c, &rx, 200);
	if (!rc && !want_exit) {
		ts = mono_now();
		bench_emit("withdraw_start", "\"bytes\":%zu", wd.w.len);
		rc = send_stream(&c, &rx, &wd, "withdraw");
		if (!rc)
			bench_emit("withdrawn", "\"send_s\":%.6f,\"msgs\":%" PRIu64,
				   mono_now() - ts, wd.msgs);
	}
	while (!rc && !want_exit)
		rc = idle(&c, &rx, 200);
	bench_emit("exit", "\"rc\":%d,\"updates_received\":%" PRIu64, rc, rx.updates);
	bench_conn_close(&c);
out:
	wbuf_free(&ann.w);
	wbuf_free(&wd.w);
	return rc ? 1 : 0;
}
