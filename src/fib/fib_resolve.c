/* Next-hop resolution through the kernel's own routes (issue 4; RFC
 * 4271 5.1.3 and 9.1.2.1: a route whose NEXT_HOP cannot be resolved is
 * not eligible).
 *
 * Rather than keep a copy of the kernel's table, we ask the kernel, once
 * per distinct BGP next hop and again whenever the monitor says links,
 * addresses or other daemons' routes changed: two RTM_GETROUTE requests,
 * the first with RTM_F_FIB_MATCH for the route that matched (to refuse
 * our own routes and default routes), the second without, for what the
 * kernel would really do (outgoing interface and gateway, with
 * multipath and nexthop objects already resolved).  A distinct next hop
 * costs about two round trips of a few microseconds, and there are few
 * of them (one per peer in the usual case).
 *
 * Replies are untrusted bytes: fib_resolve_parse() reads them through
 * struct rbuf / libmnl with every length checked, and the fuzz target
 * tests/fuzz/fuzz_netlink.c feeds it arbitrary input. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "fib/fib_priv.h"
#include "fib/fib_resolve.h"

struct fib_resolver {
	struct mnl_socket *sk;
	uint32_t portid;
	uint32_t seq;
	uint8_t own_protocol;
	uint64_t lookups;
	char buf[16384];
};

int fib_resolve_parse(const void *buf, size_t len, struct fib_route_info *out)
{
	struct rbuf r;
	const struct nlmsghdr *nlh;
	int more;
	memset(out, 0, sizeof(*out));
	rbuf_init(&r, buf, len);
	while ((more = fib_nl_msg_next(&r, &nlh)) == 1) {
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr e;
			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(e))
				return -EBADMSG;
			memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
			if (e.error > 0 || e.error < -4095)
				return -EBADMSG;
			/* An ACK (0) carries no route. */
			return e.error ? e.error : -ENOENT;
		}
		if (nlh->nlmsg_type != RTM_NEWROUTE)
			continue;
		struct rtmsg rtm;
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(rtm))
			return -EBADMSG;
		memcpy(&rtm, mnl_nlmsg_get_payload(nlh), sizeof(rtm));
		if (rtm.rtm_family != AF_INET && rtm.rtm_family != AF_INET6)
			return -EBADMSG;
		if (rtm.rtm_dst_len > addr_bits(rtm.rtm_family))
			return -EBADMSG;
		struct fib_nl_route_attrs ra;
		if (fib_nl_route_attrs_parse(nlh, &ra))
			return -EBADMSG;
		out->af = rtm.rtm_family;
		out->type = rtm.rtm_type;
		out->protocol = rtm.rtm_protocol;
		out->dst_len = rtm.rtm_dst_len;
		out->table = ra.tb[RTA_TABLE] ? mnl_attr_get_u32(ra.tb[RTA_TABLE]) : rtm.rtm_table;
		if (ra.tb[RTA_OIF])
			out->oif = (int)mnl_attr_get_u32(ra.tb[RTA_OIF]);
		if (ra.tb[RTA_NH_ID])
			out->nh_id = mnl_attr_get_u32(ra.tb[RTA_NH_ID]);
		if (ra.tb[RTA_GATEWAY]) {
			const struct nlattr *g = ra.tb[RTA_GATEWAY];
			if (mnl_attr_get_payload_len(g) != addr_bytes(rtm.rtm_family))
				return -EBADMSG;
			out->gw.af = rtm.rtm_family;
			memcpy(out->gw.b, mnl_attr_get_payload(g), addr_bytes(rtm.rtm_family));
		} else if (ra.tb[RTA_MULTIPATH]) {
			/* The kernel's choice for this lookup is the first
			 * member; its interface and gateway are what we use. */
			struct fib_nhset s = { 0 };
			if (fib_nl_multipath_parse(ra.tb[RTA_MULTIPATH], rtm.rtm_family, &s) || !s.n)
				return -EBADMSG;
			out->oif = s.nh[0].ifindex;
			out->gw = s.nh[0].gw;
		}
		return 0;
	}
	return more < 0 ? more : -ENOENT;
}

int fib_resolver_open(uint8_t own_protocol, struct fib_resolver **out)
{
	struct fib_resolver *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->sk = mnl_socket_open(NETLINK_ROUTE);
	if (!r->sk) {
		int e = -errno;
		free(r);
		return e;
	}
	if (mnl_socket_bind(r->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = -errno;
		mnl_socket_close(r->sk);
		free(r);
		return e;
	}
	/* The kernel answers at once; a bound wait keeps a wedged kernel
	 * from freezing the event loop. */
	struct timeval tv = { .tv_sec = 1 };
	setsockopt(mnl_socket_get_fd(r->sk), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	r->portid = mnl_socket_get_portid(r->sk);
	r->seq = 1;
	r->own_protocol = own_protocol;
	*out = r;
	return 0;
}

void fib_resolver_close(struct fib_resolver *r)
{
	if (!r)
		return;
	mnl_socket_close(r->sk);
	free(r);
}

uint64_t fib_resolver_lookups(const struct fib_resolver *r)
{
	return r->lookups;
}

/* One RTM_GETROUTE for a (host route to the) address. */
static int get_route(struct fib_resolver *r, const struct addr *a, bool fib_match,
		     struct fib_route_info *out)
{
	char req[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++r->seq;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)a->af;
	rtm->rtm_dst_len = (uint8_t)addr_bits(a->af);
	if (fib_match)
		rtm->rtm_flags = RTM_F_FIB_MATCH;
	mnl_attr_put(nlh, RTA_DST, addr_bytes(a->af), a->b);
	r->lookups++;
	if (mnl_socket_sendto(r->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(r->sk, r->buf, sizeof(r->buf));
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		struct nlmsghdr h;
		if ((size_t)n < sizeof(h))
			return -EBADMSG;
		memcpy(&h, r->buf, sizeof(h));
		if (h.nlmsg_seq != r->seq)
			continue; /* a late answer to an earlier request */
		return fib_resolve_parse(r->buf, (size_t)n, out);
	}
}

int fib_resolve(struct fib_resolver *r, const struct addr *a, struct fib_nexthop *out)
{
	struct fib_route_info m, fwd;
	if (a->af != AF_INET && a->af != AF_INET6)
		return -EAFNOSUPPORT;
	memset(out, 0, sizeof(*out));
	int rc = get_route(r, a, true, &m);
	if (rc == -ENETUNREACH || rc == -EHOSTUNREACH || rc == -ENOENT || rc == -ESRCH)
		return -EHOSTUNREACH;
	if (rc)
		return rc;
	if (m.type == RTN_LOCAL)
		return FIB_RESOLVE_LOCAL; /* our own address: nothing to forward to */
	if (m.type != RTN_UNICAST)
		return -EHOSTUNREACH; /* blackhole, unreachable, prohibit */
	/* Not through our own routes: a next hop that resolves through a BGP
	 * route can chase itself around a loop, and when the path it rides
	 * on goes, so does the route that resolved it.  Not through a
	 * default route either: it resolves anything, so a next hop whose
	 * network is gone would never become unreachable. */
	if (m.protocol == r->own_protocol || m.dst_len == 0)
		return -EHOSTUNREACH;
	rc = get_route(r, a, false, &fwd);
	if (rc == -ENETUNREACH || rc == -EHOSTUNREACH || rc == -ENOENT || rc == -ESRCH)
		return -EHOSTUNREACH;
	if (rc)
		return rc;
	if (fwd.oif <= 0)
		return -EHOSTUNREACH;
	out->ifindex = fwd.oif;
	out->weight = 1;
	/* No gateway: the next hop is on the link itself (RFC 4271 5.1.3:
	 * it is the address to forward to). */
	out->gw = fwd.gw.af == a->af ? fwd.gw : *a;
	return 0;
}
