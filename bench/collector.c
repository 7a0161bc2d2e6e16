/* bench collector: a BGP peer that only listens to what the daemon under
 * test forwards and says when it holds every prefix and when it holds
 * none again.
 *
 * It keeps the set of IPv4 prefixes currently announced to it (a
 * re-announcement replaces, RFC 4271 3.1, so it is not counted twice)
 * and emits, as JSON lines on stdout: established, first_update,
 * full (the set reached --expect), empty (back to zero after full),
 * progress once a second, exit.  UPDATEs are walked with struct rbuf,
 * every length checked; only the NLRI fields are read, so counting
 * costs far less than the daemon's work it measures.
 *
 * With --expect 0 it is the idle peer: the daemon sends it nothing but
 * KEEPALIVEs (export none), and it records when each arrives.  Issue 3
 * asks that keepalives are never late while the daemon chews on a full
 * table: progress and exit carry ka_max_gap (the longest time between two
 * KEEPALIVEs, or since the last one), msg_max_gap (the same over any
 * message, which is what the peer's hold timer sees, RFC 4271 4.4) and
 * the negotiated hold time. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "conn.h"
#include "core/buf.h"
#include "core/log.h"
#include "u64map.h"

static volatile sig_atomic_t want_exit;

static void on_signal(int sig) { want_exit = 1; }

struct coll {
	struct u64map set;
	size_t expect;
	bool full_seen, empty_seen, first_seen;
	uint64_t updates, announced, withdrawn, other_family, eor;
	/* arrival times (mono_now) and the longest gaps, from Established */
	double last_ka, last_msg, ka_max_gap, msg_max_gap;
	uint64_t keepalives;
};

static double gap_now(double last, double max, double now)
{
	return now - last > max ? now - last : max;
}

static void check_marks(struct coll *s)
{
	if (!s->expect)
		return;
	if (!s->full_seen && s->set.n >= s->expect) {
		s->full_seen = true;
		bench_emit("full", "\"count\":%zu,\"updates\":%" PRIu64, s->set.n, s->updates);
	} else if (s->full_seen && !s->empty_seen && s->set.n == 0) {
		s->empty_seen = true;
		bench_emit("empty", "\"updates\":%" PRIu64, s->updates);
	}
}

/* Applies a run of prefixes (RFC 4271 4.3 encoding: length in bits, then
 * the fewest octets that hold it) of one family. */
static int apply_nlri(struct coll *s, struct rbuf *r, bool v4, bool announce)
{
	while (rbuf_left(r)) {
		uint8_t len, b[16] = {0};
		if (rbuf_get_u8(r, &len) || len > (v4 ? 32 : 128) ||
		    rbuf_get_bytes(r, b, (len + 7u) / 8))
			return -EBADMSG;
		if (!v4) {
			s->other_family++;
			continue;
		}
		uint32_t a = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		uint64_t key = u64map_v4_key(a, len);
		if (announce) {
			int rc = u64map_put(&s->set, key, 0);
			if (rc < 0)
				return rc;
			s->announced++;
		} else {
			u64map_del(&s->set, key);
			s->withdrawn++;
		}
	}
	return 0;
}

/* MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760 3, 4). */
static int apply_mp(struct coll *s, struct rbuf *r, bool reach)
{
	uint16_t afi;
	uint8_t safi, nhlen;
	if (rbuf_get_u16(r, &afi) || rbuf_get_u8(r, &safi))
		return -EBADMSG;
	if (reach && (rbuf_get_u8(r, &nhlen) || rbuf_skip(r, nhlen) || rbuf_skip(r, 1)))
		return -EBADMSG;
	bool v4 = afi == BGP_AFI_IPV4 && safi == BGP_SAFI_UNICAST;
	if (!v4 && !(afi == BGP_AFI_IPV6 && safi == BGP_SAFI_UNICAST)) {
		s->other_family++;
		return 0;
	}
	return apply_nlri(s, r, v4, reach);
}

/* RFC 4271 4.3 UPDATE layout. */
static int count_update(struct coll *s, const uint8_t *body, size_t len)
{
	struct rbuf r, wd, attrs;
	uint16_t wlen, alen;
	rbuf_init(&r, body, len);
	if (rbuf_get_u16(&r, &wlen) || rbuf_get_sub(&r, wlen, &wd) || rbuf_get_u16(&r, &alen) ||
	    rbuf_get_sub(&r, alen, &attrs))
		return -EBADMSG;
	if (!wlen && !alen && !rbuf_left(&r))
		s->eor++; /* RFC 4724 2 End-of-RIB */
	int rc = apply_nlri(s, &wd, true, false);
	while (!rc && rbuf_left(&attrs)) {
		uint8_t flags, code, l8;
		uint16_t alen16;
		struct rbuf val;
		if (rbuf_get_u8(&attrs, &flags) || rbuf_get_u8(&attrs, &code))
			return -EBADMSG;
		if (flags & BGP_ATTR_F_EXTLEN) {
			if (rbuf_get_u16(&attrs, &alen16))
				return -EBADMSG;
		} else {
			if (rbuf_get_u8(&attrs, &l8))
				return -EBADMSG;
			alen16 = l8;
		}
		if (rbuf_get_sub(&attrs, alen16, &val))
			return -EBADMSG;
		if (code == BGP_ATTR_MP_REACH_NLRI || code == BGP_ATTR_MP_UNREACH_NLRI)
			rc = apply_mp(s, &val, code == BGP_ATTR_MP_REACH_NLRI);
	}
	if (!rc)
		rc = apply_nlri(s, &r, true, true);
	return rc;
}

static int on_msg(void *arg, uint8_t type, const uint8_t *body, size_t len)
{
	struct coll *s = arg;
	double now = mono_now();
	s->msg_max_gap = gap_now(s->last_msg, s->msg_max_gap, now);
	s->last_msg = now;
	if (type == BGP_MSG_KEEPALIVE) {
		s->ka_max_gap = gap_now(s->last_ka, s->ka_max_gap, now);
		s->last_ka = now;
		s->keepalives++;
	}
	if (type != BGP_MSG_UPDATE)
		return 0;
	s->updates++;
	int rc = count_update(s, body, len);
	if (rc) {
		fprintf(stderr, "collector: malformed UPDATE from the daemon (%zu bytes)\n", len);
		return rc;
	}
	if (!s->first_seen && (s->announced || s->withdrawn)) {
		s->first_seen = true;
		bench_emit("first_update", NULL);
	}
	check_marks(s);
	return 0;
}

static void progress(const char *ev, const struct coll *s, unsigned hold)
{
	/* A gap still open counts: a keepalive that is late now is late. */
	double now = mono_now();
	bench_emit(ev,
		   "\"count\":%zu,\"updates\":%" PRIu64 ",\"announced\":%" PRIu64
		   ",\"withdrawn\":%" PRIu64 ",\"other_family\":%" PRIu64 ",\"eor\":%" PRIu64
		   ",\"keepalives\":%" PRIu64 ",\"ka_max_gap\":%.3f,\"msg_max_gap\":%.3f"
		   ",\"hold\":%u",
		   s->set.n, s->updates, s->announced, s->withdrawn, s->other_family, s->eor,
		   s->keepalives, gap_now(s->last_ka, s->ka_max_gap, now),
		   gap_now(s->last_msg, s->msg_max_gap, now), hold);
}

int main(int argc, char **argv)
{
	const char *local = NULL, *remote = NULL, *rid = NULL;
	uint32_t local_as = 65002, peer_as = 65000;
	unsigned hold = 240;
	unsigned long expect = 0;
	static const struct option opts[] = {
		{"local", 1, 0, 'l'}, {"connect", 1, 0, 'c'}, {"local-as", 1, 0, 'a'},
		{"peer-as", 1, 0, 'p'}, {"router-id", 1, 0, 'r'}, {"expect", 1, 0, 'e'},
		{"hold", 1, 0, 'h'}, {0, 0, 0, 0}};
	int ch;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l': local = optarg; break;
		case 'c': remote = optarg; break;
		case 'a': local_as = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'p': peer_as = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'r': rid = optarg; break;
		case 'e': expect = strtoul(optarg, NULL, 10); break;
		case 'h': hold = (unsigned)strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: collector --connect ADDR --expect N [--local ADDR]\n"
					"       [--local-as N] [--peer-as N] [--router-id ID] [--hold S]\n");
			return 2;
		}
	}
	const char *rid_text = rid ? rid : local ? local : "192.0.2.2";
	struct in_addr rid_addr;
	if (!remote || hold > 65535 || (hold && hold < 3) ||
	    inet_pton(AF_INET, rid_text, &rid_addr) != 1) {
		fprintf(stderr, "collector: need --connect, --expect N (0: idle peer) and an IPv4 router id\n");
		return 2;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	struct coll s = {.expect = expect};
	if (u64map_init(&s.set, expect)) {
		fprintf(stderr, "collector: out of memory\n");
		return 1;
	}
	struct bench_conn c = {.local_as = local_as, .peer_as = peer_as,
			       .router_id = ntohl(rid_addr.s_addr), .hold_time = (uint16_t)hold};
	int rc = bench_conn_open(&c, local, remote, 60);
	if (rc)
		return 1;
	bench_emit("established", "\"hold\":%u", c.hold_time);
	s.last_ka = s.last_msg = mono_now();
	double next = mono_now() + 1;
	while (!rc && !want_exit) {
		struct pollfd p = {.fd = c.fd, .events = POLLIN};
		int n = poll(&p, 1, 200);
		if (n < 0 && errno != EINTR)
			rc = -errno;
		else if (n > 0)
			rc = bench_conn_read(&c, on_msg, &s);
		double now = mono_now();
		if (!rc)
			rc = bench_conn_keepalive(&c, now);
		if (now >= next) {
			progress("progress", &s, c.hold_time);
			next = now + 1;
		}
	}
	progress("exit", &s, c.hold_time);
	bench_conn_close(&c);
	u64map_free(&s.set);
	return rc ? 1 : 0;
}
