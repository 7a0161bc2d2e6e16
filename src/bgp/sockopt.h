/* Socket options for BGP transport: TCP MD5 (RFC 2385), GTSM (RFC 5082),
 * CS6 marking, non-blocking sockets and listeners. */
#ifndef EGRESS_BGP_SOCKOPT_H
#define EGRESS_BGP_SOCKOPT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"

/* A non-blocking, close-on-exec TCP socket of the address family, marked
 * CS6.  Returns the fd or a negative errno. */
int bgp_sock_open(int af);
/* Non-blocking listener bound to a:port with SO_REUSEADDR (IPv6 ones
 * v6-only, so 0.0.0.0 and :: can both be bound).  fd or negative errno. */
int bgp_sock_listen(const struct addr *a, uint16_t port);
/* Sets (key != NULL) or clears (key == NULL) the TCP MD5 key for the
 * peer address on fd: on a listener before the peer connects, on an
 * outgoing socket before connect() (RFC 2385; Linux TCP_MD5SIG). */
int bgp_sock_set_md5(int fd, int sock_af, const struct addr *peer, const char *key);
/* GTSM (RFC 5082 3): send with TTL 255 and accept only TTL >= 254
 * (IP_MINTTL / IPV6_MINHOPCOUNT).  Also on listeners, so the SYN of a
 * spoofed far-away sender is dropped by the kernel already. */
int bgp_sock_set_gtsm(int fd, int af);
/* DSCP CS6 (network control, RFC 4594): TOS 0xc0 / IPV6_TCLASS 0xc0. */
int bgp_sock_set_cs6(int fd, int af);
/* Nagle off: the output queue already packs UPDATEs, so Nagle would only
 * hold back the last small message (a KEEPALIVE or NOTIFICATION) behind
 * unacknowledged data, which is when it matters most that it leaves. */
int bgp_sock_set_nodelay(int fd);
int bgp_sock_set_nonblock(int fd);

#endif
