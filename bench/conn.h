/* The BGP session both bench tools need: connect to the daemon under
 * test, exchange OPEN and KEEPALIVE with egress's own codec, then read
 * messages as they come and keep the session alive.  Deliberately
 * minimal: no FSM beyond what a measuring peer needs, no hold-timer
 * enforcement of the daemon (a slow daemon shows up in the figures, not
 * as a dropped session). */
#ifndef EGRESS_BENCH_CONN_H
#define EGRESS_BENCH_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "bgp/msg.h"

struct bench_conn {
	int fd;
	uint32_t local_as, peer_as;
	uint32_t router_id;     /* host byte order */
	uint16_t hold_time;     /* what we offer; negotiated after open */
	double keepalive;       /* seconds between KEEPALIVEs, 0 = none */
	double last_send;
	uint8_t *in;
	size_t in_len, in_cap;
	uint64_t msgs_in, bytes_in;
};

/* A message handler: return 0 to go on, negative to stop reading. */
typedef int (*bench_msg_fn)(void *arg, uint8_t type, const uint8_t *body, size_t len);

/* Connects from local to remote:179 (retrying until timeout seconds
 * have passed: the daemon may still be starting) and brings the
 * session to Established.  0 or negative errno, reason on stderr. */
int bench_conn_open(struct bench_conn *c, const char *local, const char *remote,
		    double timeout);
void bench_conn_close(struct bench_conn *c);

/* Reads what the socket has (non-blocking) and hands every complete
 * message to fn.  A NOTIFICATION is printed and ends the session:
 * -ECONNRESET, as does end of stream.  Returns 0 when the socket is
 * drained. */
int bench_conn_read(struct bench_conn *c, bench_msg_fn fn, void *arg);

/* Sends a KEEPALIVE when one is due; blocking, as it is 19 bytes. */
int bench_conn_keepalive(struct bench_conn *c, double now);
/* Writes all of buf (blocking through poll); 0 or negative errno. */
int bench_conn_write_all(struct bench_conn *c, const uint8_t *buf, size_t len);

/* One JSON line on stdout: {"event":NAME,"t":MONOTONIC,"cpu":SELF_CPU,...}
 * where extra (may be NULL) is more "key":value pairs. */
void bench_emit(const char *name, const char *extra_fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Process CPU seconds (user + system) so far. */
double bench_cpu_self(void);

#endif
