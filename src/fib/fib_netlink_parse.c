/* Reading what the kernel says about routes and nexthop objects.
 *
 * Replies are untrusted input as far as this code goes (a fuzz target,
 * tests/fuzz/fuzz_netlink.c, feeds it arbitrary bytes): every message
 * is walked with mnl_nlmsg_ok(), every attribute with mnl_attr_parse()
 * (which checks each attribute header against the message end) and
 * mnl_attr_validate() or an explicit length check before its payload is
 * read; RTA_MULTIPATH, an array of struct rtnexthop each followed by
 * attributes, is read through struct rbuf.  Attributes we do not know
 * are skipped, so a newer kernel's additions never break us. */
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "core/buf.h"
#include "fib/fib_priv.h"

static int route_attr_cb(const struct nlattr *a, void *data)
{
	struct fib_nl_route_attrs *ra = data;
	uint16_t type = mnl_attr_get_type(a);
	if (type > RTA_MAX)
		return MNL_CB_OK; /* newer than our headers: ignore */
	switch (type) {
	case RTA_TABLE:
	case RTA_OIF:
	case RTA_NH_ID:
	case RTA_PRIORITY:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		break;
	case RTA_MULTIPATH:
		if (mnl_attr_validate(a, MNL_TYPE_BINARY) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		break;
	}
	ra->tb[type] = a;
	return MNL_CB_OK;
}

int fib_nl_route_attrs_parse(const struct nlmsghdr *nlh, struct fib_nl_route_attrs *ra)
{
	memset(ra, 0, sizeof(*ra));
	return mnl_attr_parse(nlh, sizeof(struct rtmsg), route_attr_cb, ra) == MNL_CB_OK ? 0
											  : -EBADMSG;
}

/* Copies an address attribute of exactly the family's length. */
static int attr_addr(const struct nlattr *a, uint8_t af, struct addr *out)
{
	if (af != AF_INET && af != AF_INET6)
		return -EBADMSG;
	if (mnl_attr_get_payload_len(a) != addr_bytes(af))
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->af = af;
	memcpy(out->b, mnl_attr_get_payload(a), addr_bytes(af));
	return 0;
}

/* RTA_MULTIPATH: struct rtnexthop, then rtnh_len - sizeof(rtnexthop)
 * bytes of attributes, each entry padded to RTNH_ALIGNTO. */
int fib_nl_multipath_parse(const struct nlattr *mp, uint8_t af, struct fib_nhset *s)
{
	struct rbuf r;
	rbuf_init(&r, mnl_attr_get_payload(mp), mnl_attr_get_payload_len(mp));
	while (rbuf_left(&r) >= sizeof(struct rtnexthop)) {
		struct rtnexthop rtnh;
		if (rbuf_get_bytes(&r, &rtnh, sizeof(rtnh)))
			return -EBADMSG;
		if (rtnh.rtnh_len < sizeof(rtnh))
			return -EBADMSG;
		struct rbuf attrs;
		if (rbuf_get_sub(&r, rtnh.rtnh_len - sizeof(rtnh), &attrs))
			return -EBADMSG;
		size_t pad = RTNH_ALIGN(rtnh.rtnh_len) - rtnh.rtnh_len;
		(void)rbuf_skip(&r, pad < rbuf_left(&r) ? pad : rbuf_left(&r));
		struct fib_nexthop nh = {.ifindex = rtnh.rtnh_ifindex,
					 .weight = (uint8_t)(rtnh.rtnh_hops + 1)};
		while (rbuf_left(&attrs) >= sizeof(struct rtattr)) {
			struct rtattr ra;
			if (rbuf_get_bytes(&attrs, &ra, sizeof(ra)))
				return -EBADMSG;
			if (ra.rta_len < sizeof(ra))
				return -EBADMSG;
			size_t plen = ra.rta_len - sizeof(ra);
			struct rbuf val;
			if (rbuf_get_sub(&attrs, plen, &val))
				return -EBADMSG;
			size_t apad = RTA_ALIGN(ra.rta_len) - ra.rta_len;
			(void)rbuf_skip(&attrs, apad < rbuf_left(&attrs) ? apad : rbuf_left(&attrs));
			if (ra.rta_type == RTA_GATEWAY) {
				if (plen != addr_bytes(af))
					return -EBADMSG;
				nh.gw.af = af;
				if (rbuf_get_bytes(&val, nh.gw.b, plen))
					return -EBADMSG;
			}
		}
		if (s->n < FIB_NH_MAX)
			s->nh[s->n++] = nh;
	}
	return 0;
}

static int parse_route(const struct nlmsghdr *nlh, uint8_t protocol, uint32_t table,
		       fib_dump_route_cb rcb, void *arg)
{
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct rtmsg))
		return -EBADMSG;
	struct rtmsg rtm;
	memcpy(&rtm, mnl_nlmsg_get_payload(nlh), sizeof(rtm));
	if (rtm.rtm_protocol != protocol)
		return 0;
	if (rtm.rtm_family != AF_INET && rtm.rtm_family != AF_INET6)
		return 0;
	if (rtm.rtm_dst_len > addr_bits(rtm.rtm_family))
		return -EBADMSG;
	struct fib_nl_route_attrs ra;
	if (fib_nl_route_attrs_parse(nlh, &ra))
		return -EBADMSG;
	uint32_t t = ra.tb[RTA_TABLE] ? mnl_attr_get_u32(ra.tb[RTA_TABLE]) : rtm.rtm_table;
	if (t != table)
		return 0;
	struct prefix pfx = {.addr.af = rtm.rtm_family, .len = rtm.rtm_dst_len};
	if (ra.tb[RTA_DST] && attr_addr(ra.tb[RTA_DST], rtm.rtm_family, &pfx.addr))
		return -EBADMSG;
	prefix_mask(&pfx);
	uint32_t nh_id = ra.tb[RTA_NH_ID] ? mnl_attr_get_u32(ra.tb[RTA_NH_ID]) : 0;
	struct fib_nhset s = {0};
	if (!nh_id) {
		if (ra.tb[RTA_MULTIPATH]) {
			if (fib_nl_multipath_parse(ra.tb[RTA_MULTIPATH], rtm.rtm_family, &s) || !s.n)
				return -EBADMSG;
		} else {
			struct fib_nexthop nh = {.weight = 1};
			if (ra.tb[RTA_GATEWAY] &&
			    attr_addr(ra.tb[RTA_GATEWAY], rtm.rtm_family, &nh.gw))
				return -EBADMSG;
			if (ra.tb[RTA_OIF])
				nh.ifindex = (int)mnl_attr_get_u32(ra.tb[RTA_OIF]);
			s.nh[s.n++] = nh;
		}
	}
	uint32_t metric = ra.tb[RTA_PRIORITY] ? mnl_attr_get_u32(ra.tb[RTA_PRIORITY]) : 0;
	if (rcb)
		rcb(arg, &pfx, metric, nh_id, &s);
	return 0;
}

struct nh_attrs {
	const struct nlattr *tb[NHA_MAX + 1];
};

static int nh_attr_cb(const struct nlattr *a, void *data)
{
	struct nh_attrs *na = data;
	uint16_t type = mnl_attr_get_type(a);
	if (type > NHA_MAX)
		return MNL_CB_OK;
	switch (type) {
	case NHA_ID:
	case NHA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		break;
	case NHA_GROUP:
		if (mnl_attr_get_payload_len(a) % sizeof(struct nexthop_grp))
			return MNL_CB_ERROR;
		break;
	default:
		break;
	}
	na->tb[type] = a;
	return MNL_CB_OK;
}

static int parse_nexthop(const struct nlmsghdr *nlh, uint8_t protocol, fib_dump_nh_cb ncb,
			 void *arg)
{
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nhmsg))
		return -EBADMSG;
	struct nhmsg nhm;
	memcpy(&nhm, mnl_nlmsg_get_payload(nlh), sizeof(nhm));
	if (nhm.nh_protocol != protocol)
		return 0;
	struct nh_attrs na = {0};
	if (mnl_attr_parse(nlh, sizeof(struct nhmsg), nh_attr_cb, &na) != MNL_CB_OK)
		return -EBADMSG;
	if (!na.tb[NHA_ID])
		return -EBADMSG;
	uint32_t id = mnl_attr_get_u32(na.tb[NHA_ID]);
	uint32_t mem[FIB_NH_MAX];
	unsigned n = 0;
	if (na.tb[NHA_GROUP]) {
		struct rbuf r;
		rbuf_init(&r, mnl_attr_get_payload(na.tb[NHA_GROUP]),
			  mnl_attr_get_payload_len(na.tb[NHA_GROUP]));
		struct nexthop_grp g;
		while (rbuf_get_bytes(&r, &g, sizeof(g)) == 0)
			if (n < FIB_NH_MAX)
				mem[n++] = g.id;
	}
	if (ncb)
		ncb(arg, id, mem, n);
	return 0;
}

int fib_nl_msg_next(struct rbuf *r, const struct nlmsghdr **out)
{
	if (rbuf_left(r) == 0)
		return 0;
	struct nlmsghdr h;
	if (rbuf_left(r) < sizeof(h))
		return -EBADMSG;
	memcpy(&h, r->p, sizeof(h));
	/* Compared unsigned: libmnl's mnl_nlmsg_ok() casts nlmsg_len to
	 * int, so a length of 2^31 or more passes it and the walk jumps
	 * out of the buffer (found by fuzz_netlink). */
	if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > rbuf_left(r))
		return -EBADMSG;
	/* libmnl walks attributes up to the message's length rounded up to
	 * 4 (mnl_nlmsg_get_payload_tail), so the rounded length must be in
	 * the buffer too.  The kernel always pads; only a forged message
	 * ends unaligned at the buffer's end (found by fuzz_netlink). */
	if (NLMSG_ALIGN(h.nlmsg_len) > rbuf_left(r))
		return -EBADMSG;
	*out = (const struct nlmsghdr *)r->p;
	(void)rbuf_skip(r, NLMSG_ALIGN(h.nlmsg_len));
	return 1;
}

int fib_netlink_parse_dump(const void *buf, size_t len, uint8_t protocol, uint32_t table,
			   fib_dump_route_cb rcb, fib_dump_nh_cb ncb, void *arg)
{
	struct rbuf r;
	rbuf_init(&r, buf, len);
	const struct nlmsghdr *nlh;
	int more;
	while ((more = fib_nl_msg_next(&r, &nlh)) == 1) {
		int rc = 0;
		switch (nlh->nlmsg_type) {
		case NLMSG_DONE:
			return 1;
		case NLMSG_ERROR: {
			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nlmsgerr))
				return -EBADMSG;
			struct nlmsgerr e;
			memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
			if (e.error > 0 || e.error < -4095)
				return -EBADMSG;
			return e.error ? e.error : 1;
		}
		case RTM_NEWROUTE:
			rc = parse_route(nlh, protocol, table, rcb, arg);
			break;
		case RTM_NEWNEXTHOP:
			rc = parse_nexthop(nlh, protocol, ncb, arg);
			break;
		default:
			break; /* NLMSG_NOOP, or a type we did not ask for */
		}
		if (rc)
			return rc;
	}
	return more;
}
