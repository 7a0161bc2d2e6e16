/* The netlink backend: routes and nexthop objects written through
 * libmnl on a NETLINK_ROUTE socket.
 *
 * Requests are packed back to back into one buffer and sent with one
 * sendmsg() when it is full or at commit, so a million routes cost a few
 * hundred system calls, not a million.  Each request carries its own
 * sequence number; the kernel processes the messages of one send in
 * order and answers a failed one with an NLMSG_ERROR naming that
 * number, which maps it back to the request (struct nl_req) and through
 * it to the route or nexthop.  The last request of each send asks for an
 * ACK (NLM_F_ACK), whose arrival says every earlier answer has arrived.
 *
 * Receive-buffer overruns (ENOBUFS) lose answers: the commit then
 * returns -ENOBUFS and the caller resyncs (fib_resync). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "core/log.h"
#include "fib/fib_priv.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

/* Room one request may take at most: header, rtmsg and FIB_NH_MAX
 * inline next hops with IPv6 gateways, generously rounded. */
#define NL_REQ_MAX 2048
#define NL_RECV_BYTES (256 * 1024)

struct nl_req {
	enum fib_op_kind kind;
	bool del;
	uint32_t id;
	uint32_t metric;
	struct prefix pfx;
};

struct fib_nl {
	struct mnl_socket *sk;
	uint32_t portid;
	struct fib_netlink_config cfg;
	char *buf; /* requests of the send being built */
	size_t len, cap;
	struct nl_req *reqs; /* reqs[i] went out with seq first_seq + i */
	size_t nreq, capreq;
	uint32_t first_seq, next_seq;
	struct nlmsghdr *last; /* last request in buf (gets NLM_F_ACK) */
	struct fib_op_result *fails; /* answers kept for the commit */
	size_t nfail, capfail;
	int batch_err; /* first transport error of the batch */
	char *rbuf;
};

/* ---- sending ---- */

static int fail_add(struct fib_nl *nl, const struct nl_req *q, int err)
{
	if (nl->nfail == nl->capfail) {
		size_t cap = nl->capfail ? nl->capfail * 2 : 64;
		struct fib_op_result *p = realloc(nl->fails, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		nl->fails = p;
		nl->capfail = cap;
	}
	nl->fails[nl->nfail++] = (struct fib_op_result){
		.kind = q->kind, .del = q->del, .pfx = q->pfx, .id = q->id, .err = err,
		.metric = q->metric};
	return 0;
}

/* Reads answers until the one for the send's last request. */
static int recv_answers(struct fib_nl *nl, uint32_t last_seq)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sk, nl->rbuf, NL_RECV_BYTES);
		if (n < 0)
			return -errno; /* ENOBUFS: answers lost; EAGAIN: timeout */
		struct rbuf r;
		rbuf_init(&r, nl->rbuf, (size_t)n);
		const struct nlmsghdr *nlh;
		bool done = false;
		while (fib_nl_msg_next(&r, &nlh) == 1) {
			if (nlh->nlmsg_type == NLMSG_ERROR &&
			    mnl_nlmsg_get_payload_len(nlh) >= sizeof(struct nlmsgerr)) {
				struct nlmsgerr e;
				memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
				uint32_t idx = nlh->nlmsg_seq - nl->first_seq;
				if (idx < nl->nreq && e.error < 0 && e.error >= -4095) {
					int rc = fail_add(nl, &nl->reqs[idx], e.error);
					if (rc)
						return rc;
				}
				if (nlh->nlmsg_seq == last_seq)
					done = true;
			}
		}
		if (done)
			return 0;
	}
}

static int flush(struct fib_nl *nl)
{
	if (!nl->nreq)
		return 0;
	nl->last->nlmsg_flags |= NLM_F_ACK;
	uint32_t last_seq = nl->last->nlmsg_seq;
	int rc = 0;
	ssize_t n = mnl_socket_sendto(nl->sk, nl->buf, nl->len);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != nl->len)
		rc = -EIO;
	if (!rc)
		rc = recv_answers(nl, last_seq);
	if (rc && !nl->batch_err)
		nl->batch_err = rc;
	nl->len = 0;
	nl->nreq = 0;
	nl->last = NULL;
	nl->first_seq = nl->next_seq;
	return rc;
}

/* Starts a request in the send buffer, flushing first if it is full. */
static struct nlmsghdr *req_start(struct fib_nl *nl, uint16_t type, uint16_t flags,
				  const struct nl_req *q)
{
	if (nl->cap - nl->len < NL_REQ_MAX || nl->nreq == nl->capreq)
		(void)flush(nl); /* a failure is kept in batch_err */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf + nl->len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags | (nl->cfg.ack_each ? NLM_F_ACK : 0);
	nlh->nlmsg_seq = nl->next_seq++;
	if (nl->nreq == 0)
		nl->first_seq = nlh->nlmsg_seq;
	nl->reqs[nl->nreq++] = *q;
	nl->last = nlh;
	return nlh;
}

static void req_end(struct fib_nl *nl, struct nlmsghdr *nlh)
{
	nl->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* ---- requests ---- */

static int nl_nh_add(void *be, uint32_t id, const struct fib_nexthop *nh)
{
	struct fib_nl *nl = be;
	struct nl_req q = {.kind = FIB_OP_NH, .id = id};
	struct nlmsghdr *nlh = req_start(nl, RTM_NEWNEXTHOP, NLM_F_CREATE | NLM_F_REPLACE, &q);
	struct nhmsg *nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
	/* A nexthop without gateway (a directly connected one) needs a
	 * family too; IPv4 is the common case in BGP. */
	nhm->nh_family = nh->gw.af ? nh->gw.af : AF_INET;
	nhm->nh_protocol = nl->cfg.protocol;
	mnl_attr_put_u32(nlh, NHA_ID, id);
	mnl_attr_put_u32(nlh, NHA_OIF, (uint32_t)nh->ifindex);
	if (nh->gw.af)
		mnl_attr_put(nlh, NHA_GATEWAY, addr_bytes(nh->gw.af), nh->gw.b);
	req_end(nl, nlh);
	return 0;
}

static int nl_group_set(void *be, uint32_t id, const uint32_t *ids, const uint8_t *weights,
			unsigned n, bool replace)
{
	struct fib_nl *nl = be;
	if (!n || n > FIB_NH_MAX)
		return -EINVAL;
	struct nl_req q = {.kind = FIB_OP_GROUP, .id = id};
	/* Create or replace alike: after a restart an id may exist. */
	(void)replace;
	struct nlmsghdr *nlh = req_start(nl, RTM_NEWNEXTHOP, NLM_F_CREATE | NLM_F_REPLACE, &q);
	struct nhmsg *nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
	nhm->nh_family = AF_UNSPEC;
	nhm->nh_protocol = nl->cfg.protocol;
	mnl_attr_put_u32(nlh, NHA_ID, id);
	struct nexthop_grp grp[FIB_NH_MAX];
	memset(grp, 0, sizeof(grp));
	for (unsigned i = 0; i < n; i++) {
		grp[i].id = ids[i];
		grp[i].weight = (uint8_t)(weights[i] ? weights[i] - 1 : 0); /* kernel: weight-1 */
	}
	mnl_attr_put(nlh, NHA_GROUP, n * sizeof(grp[0]), grp);
	mnl_attr_put_u16(nlh, NHA_GROUP_TYPE, NEXTHOP_GRP_TYPE_MPATH);
	req_end(nl, nlh);
	return 0;
}

static int nl_nh_del(void *be, uint32_t id)
{
	struct fib_nl *nl = be;
	struct nl_req q = {.kind = FIB_OP_NH, .del = true, .id = id};
	struct nlmsghdr *nlh = req_start(nl, RTM_DELNEXTHOP, 0, &q);
	struct nhmsg *nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
	nhm->nh_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NHA_ID, id);
	req_end(nl, nlh);
	return 0;
}

static struct rtmsg *put_rtmsg(struct fib_nl *nl, struct nlmsghdr *nlh, const struct prefix *pfx)
{
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = pfx->addr.af;
	rtm->rtm_dst_len = pfx->len;
	/* Tables past 255 only fit RTA_TABLE; rtm_table then says so. */
	rtm->rtm_table = nl->cfg.table < 256 ? (uint8_t)nl->cfg.table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = nl->cfg.protocol;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, nl->cfg.table);
	mnl_attr_put(nlh, RTA_DST, addr_bytes(pfx->addr.af), pfx->addr.b);
	return rtm;
}

/* A gateway of the route's own family goes in RTA_GATEWAY, another
 * family's in RTA_VIA.  Linux takes RTA_VIA for IPv4 routes (IPv6 next
 * hops, RFC 8950) only; an IPv6 route through an IPv4 next hop is
 * refused ("IPv6 does not support RTA_VIA", and "IPv6 routes can not
 * use an IPv4 nexthop" with nexthop objects), and that error comes
 * back to the route like any other. */
static void put_gateway(struct nlmsghdr *nlh, uint8_t route_af, const struct addr *gw)
{
	if (gw->af == route_af) {
		mnl_attr_put(nlh, RTA_GATEWAY, addr_bytes(gw->af), gw->b);
		return;
	}
	uint8_t via[2 + 16];
	uint16_t fam = gw->af;
	memcpy(via, &fam, 2);
	memcpy(via + 2, gw->b, addr_bytes(gw->af));
	mnl_attr_put(nlh, RTA_VIA, 2 + addr_bytes(gw->af), via);
}

static int nl_route_set(void *be, const struct prefix *pfx, uint32_t metric, uint32_t nh_id,
			const struct fib_nhset *nhs)
{
	struct fib_nl *nl = be;
	if (!nh_id && (!nhs->n || nhs->n > FIB_NH_MAX))
		return -EINVAL;
	struct nl_req q = {.kind = FIB_OP_ROUTE, .pfx = *pfx, .metric = metric};
	/* NLM_F_REPLACE replaces the route of the same priority only
	 * (fib_table_insert, fib6_add_rt2node), so a backup route and its
	 * primary live side by side. */
	struct nlmsghdr *nlh = req_start(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, &q);
	struct rtmsg *rtm = put_rtmsg(nl, nlh, pfx);
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	if (metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
	if (nh_id) {
		mnl_attr_put_u32(nlh, RTA_NH_ID, nh_id);
	} else if (nhs->n == 1) {
		const struct fib_nexthop *nh = &nhs->nh[0];
		if (nh->gw.af)
			put_gateway(nlh, pfx->addr.af, &nh->gw);
		else
			rtm->rtm_scope = RT_SCOPE_LINK; /* on-link through the device */
		if (nh->ifindex > 0)
			mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)nh->ifindex);
	} else {
		struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
		for (unsigned i = 0; i < nhs->n; i++) {
			const struct fib_nexthop *nh = &nhs->nh[i];
			struct rtnexthop *rtnh = (struct rtnexthop *)((char *)nlh + nlh->nlmsg_len);
			nlh->nlmsg_len += RTNH_ALIGN(sizeof(*rtnh));
			memset(rtnh, 0, sizeof(*rtnh));
			rtnh->rtnh_ifindex = nh->ifindex > 0 ? nh->ifindex : 0;
			rtnh->rtnh_hops = (uint8_t)(nh->weight ? nh->weight - 1 : 0);
			if (nh->gw.af)
				put_gateway(nlh, pfx->addr.af, &nh->gw);
			rtnh->rtnh_len = (unsigned short)((char *)nlh + nlh->nlmsg_len - (char *)rtnh);
		}
		mnl_attr_nest_end(nlh, mp);
	}
	req_end(nl, nlh);
	return 0;
}

static int nl_route_del(void *be, const struct prefix *pfx, uint32_t metric)
{
	struct fib_nl *nl = be;
	struct nl_req q = {.kind = FIB_OP_ROUTE, .del = true, .pfx = *pfx, .metric = metric};
	struct nlmsghdr *nlh = req_start(nl, RTM_DELROUTE, 0, &q);
	struct rtmsg *rtm = put_rtmsg(nl, nlh, pfx);
	/* Without a priority the kernel takes the first route of ours for
	 * the prefix; with one, only that route (fib_table_delete,
	 * ip6_route_del). */
	if (metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
	/* With our protocol set the kernel deletes only a route of ours
	 * (fib_table_delete, ip6_route_del match it when non-zero). */
	rtm->rtm_scope = RT_SCOPE_NOWHERE;
	req_end(nl, nlh);
	return 0;
}

static void nl_begin(void *be)
{
	struct fib_nl *nl = be;
	nl->len = 0;
	nl->nreq = 0;
	nl->nfail = 0;
	nl->batch_err = 0;
	nl->last = NULL;
}

static int nl_commit(void *be, fib_result_cb cb, void *arg)
{
	struct fib_nl *nl = be;
	(void)flush(nl);
	if (cb)
		for (size_t i = 0; i < nl->nfail; i++)
			cb(arg, &nl->fails[i]);
	nl->nfail = 0;
	int rc = nl->batch_err;
	nl->batch_err = 0;
	return rc;
}

/* ---- reading the kernel ---- */

/* Receives the next datagram answering request seq.  Answers to earlier
 * requests (a batch whose reading was cut short by ENOBUFS or the
 * timeout) may still be queued; the kernel sends each such answer in a
 * datagram of its own, so those are skipped whole. */
static ssize_t recv_for(struct fib_nl *nl, uint32_t seq)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sk, nl->rbuf, NL_RECV_BYTES);
		if (n < 0)
			return -errno;
		struct nlmsghdr h;
		if ((size_t)n < sizeof(h))
			return -EBADMSG;
		memcpy(&h, nl->rbuf, sizeof(h));
		if (h.nlmsg_seq == seq)
			return n;
	}
}

static int dump_one(struct fib_nl *nl, uint16_t type, uint8_t family,
		    fib_dump_route_cb rcb, fib_dump_nh_cb ncb, void *arg)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = nl->next_seq++;
	if (type == RTM_GETROUTE) {
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = family;
	} else {
		struct nhmsg *nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
		nhm->nh_family = AF_UNSPEC;
	}
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv_for(nl, nlh->nlmsg_seq);
		if (n < 0)
			return (int)n;
		int rc = fib_netlink_parse_dump(nl->rbuf, (size_t)n, nl->cfg.protocol,
						nl->cfg.table, rcb, ncb, arg);
		if (rc == 1)
			return 0;
		if (rc)
			return rc;
	}
}

static int nl_dump(void *be, fib_dump_route_cb rcb, fib_dump_nh_cb ncb, void *arg)
{
	struct fib_nl *nl = be;
	int rc = 0;
	if (rcb) {
		rc = dump_one(nl, RTM_GETROUTE, AF_INET, rcb, NULL, arg);
		if (!rc)
			rc = dump_one(nl, RTM_GETROUTE, AF_INET6, rcb, NULL, arg);
	}
	if (!rc && ncb) {
		rc = dump_one(nl, RTM_GETNEXTHOP, AF_UNSPEC, NULL, ncb, arg);
		if (rc == -EOPNOTSUPP || rc == -EINVAL)
			rc = 0; /* no nexthop objects in this kernel: none to find */
	}
	return rc;
}

/* With net.ipv4.nexthop_compat_mode=1 (the kernel's default) replacing
 * a group's members makes the kernel walk every route using it to send
 * a notification for each: measured here, 1 s for a million routes
 * against 0.15 ms with 0.  Forwarding switches at once either way, but
 * the netlink call blocks for the walk.  The sysctl is the operator's
 * (other listeners may rely on the per-route messages), so we only say. */
static void warn_compat_mode(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/nexthop_compat_mode", "r");
	if (!f)
		return;
	int c = fgetc(f);
	fclose(f);
	if (c == '1')
		log_info("fib: net.ipv4.nexthop_compat_mode is 1: a nexthop group replace "
			 "also rewrites a notification per route (set it to 0 for O(1) "
			 "repairs)");
}

static int nl_probe(void *be)
{
	struct fib_nl *nl = be;
	if (nl->cfg.no_nhobj)
		return -EOPNOTSUPP;
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = RTM_GETNEXTHOP;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = nl->next_seq++;
	struct nhmsg *nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
	nhm->nh_family = AF_UNSPEC;
	/* Asking for an id nobody uses: a kernel with nexthop objects says
	 * ENOENT, one without says EOPNOTSUPP (no handler) or EINVAL. */
	mnl_attr_put_u32(nlh, NHA_ID, 0xffffffffu);
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	ssize_t n = recv_for(nl, nlh->nlmsg_seq);
	if (n < 0)
		return (int)n;
	int rc = fib_netlink_parse_dump(nl->rbuf, (size_t)n, 0, 0, NULL, NULL, NULL);
	if (rc == -EOPNOTSUPP || rc == -EINVAL)
		return -EOPNOTSUPP;
	warn_compat_mode();
	return 0;
}

static void nl_destroy(void *be)
{
	struct fib_nl *nl = be;
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->buf);
	free(nl->reqs);
	free(nl->fails);
	free(nl->rbuf);
	free(nl);
}

static const struct fib_backend_ops nl_ops = {
	.name = "netlink",
	.probe_nhobj = nl_probe,
	.batch_begin = nl_begin,
	.nh_add = nl_nh_add,
	.group_set = nl_group_set,
	.nh_del = nl_nh_del,
	.route_set = nl_route_set,
	.route_del = nl_route_del,
	.batch_commit = nl_commit,
	.dump = nl_dump,
	.destroy = nl_destroy,
};

/* Big buffers: a send of batch_bytes makes up to one answer per request
 * and the kernel charges each against our receive buffer at skb size;
 * an overrun loses answers (ENOBUFS).  The FORCE variants need
 * CAP_NET_ADMIN, which a daemon writing routes has anyway. */
static void set_bufs(int fd, size_t batch)
{
	int snd = (int)(batch + 65536);
	int rcv = 32 * 1024 * 1024;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
}

int fib_netlink_open(const struct fib_netlink_config *cfg, struct fib_backend *out)
{
	struct fib_nl *nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->cfg = *cfg;
	if (!nl->cfg.batch_bytes)
		nl->cfg.batch_bytes = 128 * 1024;
	if (nl->cfg.batch_bytes < 2 * NL_REQ_MAX)
		nl->cfg.batch_bytes = 2 * NL_REQ_MAX;
	if (!nl->cfg.table)
		nl->cfg.table = RT_TABLE_MAIN;
	nl->cap = nl->cfg.batch_bytes;
	nl->capreq = nl->cap / sizeof(struct nlmsghdr);
	nl->buf = calloc(1, nl->cap);
	nl->reqs = calloc(nl->capreq, sizeof(*nl->reqs));
	nl->rbuf = malloc(NL_RECV_BYTES);
	int rc = -ENOMEM;
	if (!nl->buf || !nl->reqs || !nl->rbuf)
		goto fail;
	nl->sk = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sk) {
		rc = -errno;
		goto fail;
	}
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto fail;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	int fd = mnl_socket_get_fd(nl->sk);
	int one = 1;
	/* Short error answers (no copy of our request) and strict dump
	 * filtering where the kernel has them; both are optional. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	set_bufs(fd, nl->cap);
	/* A kernel that never answers must not hang the daemon. */
	struct timeval tv = {.tv_sec = 10};
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	nl->next_seq = (uint32_t)time(NULL);
	nl->first_seq = nl->next_seq;
	out->ops = &nl_ops;
	out->be = nl;
	return 0;
fail:
	nl_destroy(nl);
	return rc;
}
