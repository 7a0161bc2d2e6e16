/* Watching links, addresses and routes on rtnetlink multicast groups.
 *
 * The kernel pushes RTM_NEWLINK/DELLINK, RTM_NEWADDR/DELADDR and
 * RTM_NEWROUTE/DELROUTE as they happen.  When our socket's receive
 * buffer overflows the kernel drops notifications and the next recv()
 * fails with ENOBUFS: we cannot know what was lost, so the listener is
 * told to resync from scratch.  Every message is parsed with its
 * lengths checked (mnl_attr_parse, explicit payload sizes); attributes
 * we do not know are skipped. */
#include <errno.h>
#include <stddef.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/filter.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "core/log.h"
#include "fib/fib_priv.h"

#define MON_RECV_BYTES (64 * 1024)

struct fib_monitor {
	struct mnl_socket *sk;
	struct fib_monitor_ops ops;
	void *arg;
	char *buf;
};

/* ---- parsing ---- */

struct attrs {
	const struct nlattr *tb[64];
	unsigned max;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *at = data;
	uint16_t type = mnl_attr_get_type(a);
	if (type <= at->max && type < 64)
		at->tb[type] = a;
	return MNL_CB_OK;
}

static int parse_link(struct fib_monitor *m, const struct nlmsghdr *nlh)
{
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifinfomsg))
		return -EBADMSG;
	struct ifinfomsg ifi;
	memcpy(&ifi, mnl_nlmsg_get_payload(nlh), sizeof(ifi));
	struct attrs at = {.max = IFLA_IFNAME};
	if (mnl_attr_parse(nlh, sizeof(ifi), attr_cb, &at) != MNL_CB_OK)
		return -EBADMSG;
	struct fib_link_event ev = {
		.ifindex = ifi.ifi_index,
		.up = (ifi.ifi_flags & IFF_UP) && (ifi.ifi_flags & IFF_RUNNING),
		.deleted = nlh->nlmsg_type == RTM_DELLINK,
	};
	if (at.tb[IFLA_IFNAME]) {
		size_t len = mnl_attr_get_payload_len(at.tb[IFLA_IFNAME]);
		const char *p = mnl_attr_get_payload(at.tb[IFLA_IFNAME]);
		size_t n = strnlen(p, len < sizeof(ev.name) ? len : sizeof(ev.name) - 1);
		memcpy(ev.name, p, n);
		ev.name[n] = 0;
	}
	if (m->ops.link)
		m->ops.link(m->arg, &ev);
	return 0;
}

static int attr_addr(const struct nlattr *a, uint8_t af, struct addr *out)
{
	if (mnl_attr_get_payload_len(a) != addr_bytes(af))
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->af = af;
	memcpy(out->b, mnl_attr_get_payload(a), addr_bytes(af));
	return 0;
}

static int parse_addr(struct fib_monitor *m, const struct nlmsghdr *nlh)
{
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifaddrmsg))
		return -EBADMSG;
	struct ifaddrmsg ifa;
	memcpy(&ifa, mnl_nlmsg_get_payload(nlh), sizeof(ifa));
	if (ifa.ifa_family != AF_INET && ifa.ifa_family != AF_INET6)
		return 0;
	if (ifa.ifa_prefixlen > addr_bits(ifa.ifa_family))
		return -EBADMSG;
	struct attrs at = {.max = IFA_MAX};
	if (mnl_attr_parse(nlh, sizeof(ifa), attr_cb, &at) != MNL_CB_OK)
		return -EBADMSG;
	/* IFA_LOCAL is our own address on point-to-point links, where
	 * IFA_ADDRESS is the peer's; elsewhere they are equal. */
	const struct nlattr *a = at.tb[IFA_LOCAL] ? at.tb[IFA_LOCAL] : at.tb[IFA_ADDRESS];
	if (!a)
		return -EBADMSG;
	struct fib_addr_event ev = {.ifindex = (int)ifa.ifa_index,
				    .deleted = nlh->nlmsg_type == RTM_DELADDR};
	if (attr_addr(a, ifa.ifa_family, &ev.pfx.addr))
		return -EBADMSG;
	ev.pfx.len = ifa.ifa_prefixlen;
	if (m->ops.addr)
		m->ops.addr(m->arg, &ev);
	return 0;
}

static int parse_route(struct fib_monitor *m, const struct nlmsghdr *nlh)
{
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct rtmsg))
		return -EBADMSG;
	struct rtmsg rtm;
	memcpy(&rtm, mnl_nlmsg_get_payload(nlh), sizeof(rtm));
	if (rtm.rtm_family != AF_INET && rtm.rtm_family != AF_INET6)
		return 0;
	if (rtm.rtm_dst_len > addr_bits(rtm.rtm_family))
		return -EBADMSG;
	struct attrs at = {.max = RTA_TABLE};
	if (mnl_attr_parse(nlh, sizeof(rtm), attr_cb, &at) != MNL_CB_OK)
		return -EBADMSG;
	struct fib_route_event ev = {.pfx = {.addr.af = rtm.rtm_family, .len = rtm.rtm_dst_len},
				     .table = rtm.rtm_table,
				     .protocol = rtm.rtm_protocol,
				     .deleted = nlh->nlmsg_type == RTM_DELROUTE};
	if (at.tb[RTA_TABLE]) {
		if (mnl_attr_validate(at.tb[RTA_TABLE], MNL_TYPE_U32) < 0)
			return -EBADMSG;
		ev.table = mnl_attr_get_u32(at.tb[RTA_TABLE]);
	}
	if (at.tb[RTA_DST] && attr_addr(at.tb[RTA_DST], rtm.rtm_family, &ev.pfx.addr))
		return -EBADMSG;
	prefix_mask(&ev.pfx);
	if (m->ops.route)
		m->ops.route(m->arg, &ev);
	return 0;
}

int fib_monitor_input(struct fib_monitor *m, const void *buf, long n, int err)
{
	if (n < 0) {
		if (err == ENOBUFS) {
			log_warn("fib: kernel notifications lost (ENOBUFS); resyncing");
			if (m->ops.resync)
				m->ops.resync(m->arg);
			return 0;
		}
		return -err;
	}
	struct rbuf r;
	rbuf_init(&r, buf, (size_t)n);
	const struct nlmsghdr *nlh;
	int more, bad = 0;
	/* One refused message does not hide the others of its datagram: a
	 * link-down after it must still be seen (nothing would resync it). */
	while ((more = fib_nl_msg_next(&r, &nlh)) == 1) {
		int rc = 0;
		switch (nlh->nlmsg_type) {
		case RTM_NEWLINK:
		case RTM_DELLINK:
			rc = parse_link(m, nlh);
			break;
		case RTM_NEWADDR:
		case RTM_DELADDR:
			rc = parse_addr(m, nlh);
			break;
		case RTM_NEWROUTE:
		case RTM_DELROUTE:
			rc = parse_route(m, nlh);
			break;
		default:
			break; /* neighbours, rules, nexthops...: not ours to watch */
		}
		if (rc)
			bad = rc;
	}
	return more ? more : bad;
}

/* ---- the socket ---- */

int fib_monitor_read(struct fib_monitor *m)
{
	if (!m->sk)
		return -EBADF;
	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(m->sk), m->buf, MON_RECV_BYTES, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		int rc = fib_monitor_input(m, m->buf, (long)n, n < 0 ? errno : 0);
		if (rc == -EBADMSG)
			log_warn("fib: malformed netlink notification skipped");
		else if (rc)
			return rc;
	}
}

/* Classic BPF on the monitor socket: drop RTM_NEWROUTE/RTM_DELROUTE
 * whose rtm_protocol is ours.  Loads are absolute offsets into the
 * message: nlmsg_type's low byte (where it lies depends on the host's
 * byte order; every RTM_* type fits in it) and rtm_protocol, the sixth
 * byte of struct rtmsg. */
static int attach_filter(int fd, uint8_t proto)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint32_t type_lo = offsetof(struct nlmsghdr, nlmsg_type);
#else
	const uint32_t type_lo = offsetof(struct nlmsghdr, nlmsg_type) + 1;
#endif
	const uint32_t proto_off = NLMSG_HDRLEN + offsetof(struct rtmsg, rtm_protocol);
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, type_lo),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RTM_NEWROUTE, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RTM_DELROUTE, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, proto_off),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, proto, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
	};
	struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		return -errno;
	return 0;
}

int fib_monitor_open(const struct fib_monitor_config *cfg, const struct fib_monitor_ops *ops,
		     void *arg, struct fib_monitor **out)
{
	int rcvbuf = cfg->rcvbuf;
	struct fib_monitor *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->ops = *ops;
	m->arg = arg;
	if (cfg->no_socket) {
		*out = m;
		return 0;
	}
	int rc = -ENOMEM;
	m->buf = malloc(MON_RECV_BYTES);
	if (!m->buf)
		goto fail;
	m->sk = mnl_socket_open(NETLINK_ROUTE);
	if (!m->sk) {
		rc = -errno;
		goto fail;
	}
	int fd = mnl_socket_get_fd(m->sk);
	int sz = rcvbuf > 0 ? rcvbuf : 8 * 1024 * 1024;
	if (rcvbuf > 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (cfg->ignore_protocol && (rc = attach_filter(fd, cfg->ignore_protocol)) != 0)
		goto fail;
	if (mnl_socket_bind(m->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto fail;
	}
	static const unsigned groups[] = {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
					  RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE};
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		int g = (int)groups[i];
		if (mnl_socket_setsockopt(m->sk, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0) {
			rc = -errno;
			goto fail;
		}
	}
	*out = m;
	return 0;
fail:
	fib_monitor_close(m);
	return rc;
}

int fib_monitor_fd(const struct fib_monitor *m)
{
	return m->sk ? mnl_socket_get_fd(m->sk) : -1;
}

void fib_monitor_close(struct fib_monitor *m)
{
	if (!m)
		return;
	if (m->sk)
		mnl_socket_close(m->sk);
	free(m->buf);
	free(m);
}
