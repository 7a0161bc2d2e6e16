/* Resolving a BGP next hop through the kernel's own routes
 * (fib_resolve.c): directly connected next hops become (gateway = the
 * next hop, its interface), others recursively (gateway and interface of
 * the kernel route that covers them).  Only core/ and fib/ are named. */
#ifndef EGRESS_FIB_FIB_RESOLVE_H
#define EGRESS_FIB_FIB_RESOLVE_H

#include <stdint.h>

#include "fib/fib.h"

/* fib_resolve's answer for a next hop that is one of our own addresses
 * (a route we originate, or a peer on the same host): nothing to
 * install, but not unreachable either. */
#define FIB_RESOLVE_LOCAL 1

/* What one RTM_GETROUTE reply says. */
struct fib_route_info {
	uint8_t af;
	uint8_t type;      /* RTN_* */
	uint8_t protocol;  /* RTPROT_* or a daemon's number */
	uint8_t dst_len;   /* length of the route that matched (RTM_F_FIB_MATCH) */
	uint32_t table;
	int oif;           /* 0 if none given */
	uint32_t nh_id;    /* nexthop object, 0 if none */
	struct addr gw;    /* af 0: no gateway (on-link) */
};

/* Parses a reply to RTM_GETROUTE: 0 and *out, the kernel's error
 * (negative errno) from an NLMSG_ERROR, -ENOENT when no route message
 * is there, -EBADMSG when malformed.  Lengths are checked before every
 * read; unknown attributes are skipped. */
int fib_resolve_parse(const void *buf, size_t len, struct fib_route_info *out);

struct fib_resolver;

/* A NETLINK_ROUTE socket for lookups in the current namespace; routes
 * of own_protocol (ours) never resolve a next hop. */
int fib_resolver_open(uint8_t own_protocol, struct fib_resolver **out);
void fib_resolver_close(struct fib_resolver *r);
/* 0 and *out (gateway, interface, weight 1); FIB_RESOLVE_LOCAL when a
 * is ours; -EHOSTUNREACH when the kernel cannot reach a except through
 * a default route, one of our routes, or a blackhole/unreachable
 * route; another negative errno when the kernel could not be asked. */
int fib_resolve(struct fib_resolver *r, const struct addr *a, struct fib_nexthop *out);
/* Kernel requests made so far (show fib, tests). */
uint64_t fib_resolver_lookups(const struct fib_resolver *r);

#endif
