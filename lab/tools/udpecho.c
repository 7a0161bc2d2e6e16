/* udpecho: the lab's traffic probe (issue 6).
 *
 *   udpecho server [-b ADDR] [-p PORT]
 *   udpecho client -t ADDR:PORT [-i MS] [-f FLOWS] [-o FILE]
 *
 * The client sends a sequence-numbered UDP datagram every MS
 * milliseconds (default 10) from FLOWS source ports in turn (default 1;
 * several let an ECMP hash spread them), and the server echoes each with
 * the source address and port it saw appended: behind source NAT that
 * address names the router that carried the packet.  The client writes
 * one line per event as it happens, wall-clock nanoseconds so the lines
 * line up with daemon logs and `ip -ts monitor`:
 *
 *   S SEQ SEND_NS FLOW                   sent
 *   R SEQ SEND_NS RECV_NS SRC_ADDR FLOW  echoed back, via SRC_ADDR
 *   E SENT                               stopped (SIGTERM/SIGINT), after
 *                                        waiting 500 ms for late echoes
 *
 * Replies are untrusted bytes and are read through struct rbuf. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"

#define MAGIC 0x45474c31u /* "EGL1" */
#define REQ_LEN 16        /* magic, seq, send_ns */
#define REP_LEN (REQ_LEN + 6)
#define MAX_FLOWS 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_u64(uint8_t *p, uint64_t v)
{
	put_u32(p, (uint32_t)(v >> 32));
	put_u32(p + 4, (uint32_t)v);
}

static int server(uint16_t port, const char *bind_addr)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	/* Bound to the address the client asked for, so the echo comes
	 * from it and not from whichever interface the route leaves by. */
	if (bind_addr && inet_pton(AF_INET, bind_addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "udpecho: bad address '%s'\n", bind_addr);
		return 2;
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		fprintf(stderr, "udpecho: cannot bind port %u: %s\n", port, strerror(errno));
		return 1;
	}
	while (!stop) {
		uint8_t buf[64];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		struct rbuf r;
		uint32_t magic;
		rbuf_init(&r, buf, (size_t)n);
		/* Only our own requests, exactly sized, get an answer: the
		 * echo must not amplify or reflect anything else. */
		if (n != REQ_LEN || rbuf_get_u32(&r, &magic) < 0 || magic != MAGIC ||
		    fl != sizeof(from) || from.sin_family != AF_INET)
			continue;
		memcpy(buf + REQ_LEN, &from.sin_addr.s_addr, 4);
		memcpy(buf + REQ_LEN + 4, &from.sin_port, 2);
		sendto(fd, buf, REP_LEN, 0, (struct sockaddr *)&from, fl);
	}
	return 0;
}

static int parse_target(const char *s, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535 || inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return -EINVAL;
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	return 0;
}

static void client_read(int fd, int flow, FILE *out)
{
	for (;;) {
		uint8_t buf[64];
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return;
		uint64_t t = now_ns(CLOCK_REALTIME);
		struct rbuf r;
		uint32_t magic, seq, hi, lo;
		uint8_t a[4];
		uint16_t port;
		rbuf_init(&r, buf, (size_t)n);
		if (rbuf_get_u32(&r, &magic) < 0 || magic != MAGIC || rbuf_get_u32(&r, &seq) < 0 ||
		    rbuf_get_u32(&r, &hi) < 0 || rbuf_get_u32(&r, &lo) < 0 ||
		    rbuf_get_bytes(&r, a, 4) < 0 || rbuf_get_u16(&r, &port) < 0 || rbuf_left(&r))
			continue;
		fprintf(out, "R %u %llu %llu %u.%u.%u.%u %d\n", seq,
			(unsigned long long)(((uint64_t)hi << 32) | lo), (unsigned long long)t, a[0],
			a[1], a[2], a[3], flow);
	}
}

static int client(const char *target, unsigned interval_ms, int flows, FILE *out)
{
	struct sockaddr_in dst;
	if (parse_target(target, &dst) < 0) {
		fprintf(stderr, "udpecho: bad target '%s' (expected IPv4:PORT)\n", target);
		return 2;
	}
	int fds[MAX_FLOWS];
	struct pollfd pfd[MAX_FLOWS];
	for (int i = 0; i < flows; i++) {
		fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&dst, sizeof(dst)) < 0) {
			fprintf(stderr, "udpecho: socket: %s\n", strerror(errno));
			return 1;
		}
		pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	}
	uint32_t seq = 0;
	uint64_t step = (uint64_t)interval_ms * 1000000u, next = now_ns(CLOCK_MONOTONIC);
	uint64_t drain_until = 0;
	for (;;) {
		uint64_t m = now_ns(CLOCK_MONOTONIC);
		if (stop && !drain_until)
			drain_until = m + 500000000u;
		if (drain_until && m >= drain_until)
			break;
		if (!drain_until && m >= next) {
			uint8_t pkt[REQ_LEN];
			int flow = (int)(seq % (uint32_t)flows);
			uint64_t t = now_ns(CLOCK_REALTIME);
			put_u32(pkt, MAGIC);
			put_u32(pkt + 4, seq);
			put_u64(pkt + 8, t);
			/* A send error (no route while the cloud reconverges) is
			 * a lost packet like any other. */
			send(fds[flow], pkt, sizeof(pkt), MSG_DONTWAIT);
			fprintf(out, "S %u %llu %d\n", seq, (unsigned long long)t, flow);
			seq++;
			next += step;
			if (next < m) /* we were descheduled: no burst to catch up */
				next = m + step;
		}
		uint64_t until = drain_until ? drain_until : next;
		m = now_ns(CLOCK_MONOTONIC);
		int wait_ms = until > m ? (int)((until - m + 999999) / 1000000) : 0;
		int n = poll(pfd, (nfds_t)flows, wait_ms);
		if (n > 0)
			for (int i = 0; i < flows; i++)
				if (pfd[i].revents & POLLIN)
					client_read(fds[i], i, out);
	}
	fprintf(out, "E %u\n", seq);
	fflush(out);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: udpecho server [-b ADDR] [-p PORT]\n"
			"       udpecho client -t ADDR:PORT [-i MS] [-f FLOWS] [-o FILE]\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage();
		return 2;
	}
	const char *target = NULL, *outp = NULL, *bind_addr = NULL;
	long port = 7777, interval = 10, flows = 1;
	/* Options come in pairs: -X VALUE. */
	for (int i = 2; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v) {
			usage();
			return 2;
		}
		if (strcmp(a, "-p") == 0)
			port = strtol(v, NULL, 10);
		else if (strcmp(a, "-b") == 0)
			bind_addr = v;
		else if (strcmp(a, "-t") == 0)
			target = v;
		else if (strcmp(a, "-i") == 0)
			interval = strtol(v, NULL, 10);
		else if (strcmp(a, "-f") == 0)
			flows = strtol(v, NULL, 10);
		else if (strcmp(a, "-o") == 0)
			outp = v;
		else {
			usage();
			return 2;
		}
	}
	if (port < 1 || port > 65535 || interval < 1 || interval > 10000 || flows < 1 ||
	    flows > MAX_FLOWS) {
		usage();
		return 2;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (strcmp(argv[1], "server") == 0)
		return server((uint16_t)port, bind_addr);
	if (strcmp(argv[1], "client") != 0 || !target) {
		usage();
		return 2;
	}
	FILE *out = outp ? fopen(outp, "w") : stdout;
	if (!out) {
		fprintf(stderr, "udpecho: %s: %s\n", outp, strerror(errno));
		return 1;
	}
	setvbuf(out, NULL, _IOLBF, 0);
	int rc = client(target, (unsigned)interval, (int)flows, out);
	if (out != stdout)
		fclose(out);
	return rc;
}
