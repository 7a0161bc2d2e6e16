/* The link/address/route monitor on hand-built notifications: events
 * come out right, unknown attributes and message types are skipped,
 * malformed lengths refused, and ENOBUFS turns into one resync. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "fib/fib.h"

struct got {
	struct fib_link_event link[4];
	unsigned nlink;
	struct fib_addr_event addr[4];
	unsigned naddr;
	struct fib_route_event route[4];
	unsigned nroute;
	unsigned resync;
};

static void on_link(void *arg, const struct fib_link_event *ev)
{
	struct got *g = arg;
	if (g->nlink < 4)
		g->link[g->nlink] = *ev;
	g->nlink++;
}

static void on_addr(void *arg, const struct fib_addr_event *ev)
{
	struct got *g = arg;
	if (g->naddr < 4)
		g->addr[g->naddr] = *ev;
	g->naddr++;
}

static void on_route(void *arg, const struct fib_route_event *ev)
{
	struct got *g = arg;
	if (g->nroute < 4)
		g->route[g->nroute] = *ev;
	g->nroute++;
}

static void on_resync(void *arg)
{
	struct got *g = arg;
	g->resync++;
}

static const struct fib_monitor_ops ops = {
	.link = on_link, .addr = on_addr, .route = on_route, .resync = on_resync};

static _Alignas(8) char buf[4096];
static size_t used;

static struct nlmsghdr *start(uint16_t type)
{
	struct nlmsghdr *n = mnl_nlmsg_put_header(buf + used);
	n->nlmsg_type = type;
	return n;
}

static void end(struct nlmsghdr *n) { used += NLMSG_ALIGN(n->nlmsg_len); }

static struct fib_monitor *open_mon(struct got *g)
{
	memset(g, 0, sizeof(*g));
	struct fib_monitor *m;
	assert_int_equal(fib_monitor_open(&(struct fib_monitor_config){.no_socket = true}, &ops, g, &m), 0);
	assert_int_equal(fib_monitor_fd(m), -1);
	return m;
}

static void test_link_addr_route_events(void **state)
{
	(void)state;
	struct got g;
	struct fib_monitor *m = open_mon(&g);
	used = 0;
	struct nlmsghdr *n = start(RTM_NEWLINK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(n, sizeof(*ifi));
	ifi->ifi_index = 7;
	ifi->ifi_flags = IFF_UP; /* up but no carrier: not usable */
	mnl_attr_put_strz(n, IFLA_IFNAME, "eth7");
	mnl_attr_put_u32(n, 999, 1); /* unknown attribute */
	end(n);
	n = start(RTM_DELADDR);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(n, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 30;
	ifa->ifa_index = 7;
	uint8_t a4[4] = {169, 254, 247, 2};
	mnl_attr_put(n, IFA_ADDRESS, 4, a4);
	end(n);
	n = start(RTM_NEWNEIGH); /* a type we do not watch */
	mnl_nlmsg_put_extra_header(n, 12);
	end(n);
	n = start(RTM_NEWROUTE);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(n, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 48;
	rtm->rtm_protocol = 186;
	rtm->rtm_table = RT_TABLE_UNSPEC;
	mnl_attr_put_u32(n, RTA_TABLE, 1000);
	struct addr a6;
	addr_parse("2001:db8:5::", &a6);
	mnl_attr_put(n, RTA_DST, 16, a6.b);
	end(n);
	assert_int_equal(fib_monitor_input(m, buf, (long)used, 0), 0);
	assert_int_equal(g.nlink, 1);
	assert_int_equal(g.link[0].ifindex, 7);
	assert_string_equal(g.link[0].name, "eth7");
	assert_false(g.link[0].up);
	assert_false(g.link[0].deleted);
	assert_int_equal(g.naddr, 1);
	assert_true(g.addr[0].deleted);
	assert_int_equal(g.addr[0].pfx.len, 30);
	assert_int_equal(addr_v4_host(&g.addr[0].pfx.addr), 0xa9fef702u);
	assert_int_equal(g.nroute, 1);
	assert_int_equal(g.route[0].table, 1000);
	assert_int_equal(g.route[0].protocol, 186);
	struct prefix p;
	prefix_parse("2001:db8:5::/48", &p);
	assert_true(prefix_eq(&g.route[0].pfx, &p));
	fib_monitor_close(m);
}

static void test_link_up_needs_carrier(void **state)
{
	(void)state;
	struct got g;
	struct fib_monitor *m = open_mon(&g);
	used = 0;
	struct nlmsghdr *n = start(RTM_NEWLINK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(n, sizeof(*ifi));
	ifi->ifi_index = 3;
	ifi->ifi_flags = IFF_UP | IFF_RUNNING;
	/* an over-long name without NUL is cut, never overread */
	mnl_attr_put(n, IFLA_IFNAME, 20, "abcdefghijklmnopqrst");
	end(n);
	assert_int_equal(fib_monitor_input(m, buf, (long)used, 0), 0);
	assert_true(g.link[0].up);
	assert_int_equal(strlen(g.link[0].name), 15);
	fib_monitor_close(m);
}

static void test_enobufs_means_resync(void **state)
{
	(void)state;
	struct got g;
	struct fib_monitor *m = open_mon(&g);
	assert_int_equal(fib_monitor_input(m, NULL, -1, ENOBUFS), 0);
	assert_int_equal(g.resync, 1);
	assert_int_equal(fib_monitor_input(m, NULL, -1, EBADF), -EBADF);
	assert_int_equal(g.resync, 1);
	fib_monitor_close(m);
}

static void test_malformed(void **state)
{
	(void)state;
	struct got g;
	struct fib_monitor *m = open_mon(&g);
	/* address of the wrong length */
	used = 0;
	struct nlmsghdr *n = start(RTM_NEWADDR);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(n, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = 64;
	mnl_attr_put(n, IFA_ADDRESS, 4, "abcd");
	end(n);
	assert_int_equal(fib_monitor_input(m, buf, (long)used, 0), -EBADMSG);
	/* no address at all */
	used = 0;
	n = start(RTM_NEWADDR);
	ifa = mnl_nlmsg_put_extra_header(n, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	end(n);
	assert_int_equal(fib_monitor_input(m, buf, (long)used, 0), -EBADMSG);
	/* link message shorter than ifinfomsg */
	used = 0;
	n = start(RTM_NEWLINK);
	mnl_nlmsg_put_extra_header(n, 4);
	end(n);
	assert_int_equal(fib_monitor_input(m, buf, (long)used, 0), -EBADMSG);
	/* route with a 12-bit table attribute */
	used = 0;
	n = start(RTM_DELROUTE);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(n, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	mnl_attr_put_u16(n, RTA_TABLE, 5);
	end(n);
	assert_int_equal(fib_monitor_input(m, buf, (long)used, 0), -EBADMSG);
	/* a message claiming more than the datagram holds */
	used = 0;
	n = start(RTM_NEWLINK);
	mnl_nlmsg_put_extra_header(n, sizeof(struct ifinfomsg));
	end(n);
	n->nlmsg_len = 1000;
	assert_int_equal(fib_monitor_input(m, buf, (long)used, 0), -EBADMSG);
	assert_int_equal(g.nlink + g.naddr + g.nroute, 0);
	fib_monitor_close(m);
}

/* A refused message (sound framing, bad content) is skipped alone: the
 * link-down that follows it in the same datagram still arrives. */
static void test_malformed_then_link_down(void **state)
{
	(void)state;
	struct got g;
	struct fib_monitor *m = open_mon(&g);
	used = 0;
	struct nlmsghdr *n = start(RTM_NEWADDR);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(n, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = 64;
	mnl_attr_put(n, IFA_ADDRESS, 4, "abcd"); /* IPv6 address of 4 bytes */
	end(n);
	n = start(RTM_NEWLINK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(n, sizeof(*ifi));
	ifi->ifi_index = 9;
	ifi->ifi_flags = 0; /* down */
	end(n);
	assert_int_equal(fib_monitor_input(m, buf, (long)used, 0), -EBADMSG);
	assert_int_equal(g.naddr, 0);
	assert_int_equal(g.nlink, 1);
	assert_int_equal(g.link[0].ifindex, 9);
	assert_false(g.link[0].up);
	fib_monitor_close(m);
}

static void test_real_socket_opens(void **state)
{
	(void)state;
	/* Subscribing to rtnetlink groups needs no privilege. */
	struct got g = {0};
	struct fib_monitor *m;
	int rc = fib_monitor_open(&(struct fib_monitor_config){.ignore_protocol = 57}, &ops,
				  &g, &m);
	if (rc == -EPERM || rc == -EACCES || rc == -EPROTONOSUPPORT)
		skip();
	assert_int_equal(rc, 0);
	assert_true(fib_monitor_fd(m) >= 0);
	assert_int_equal(fib_monitor_read(m), 0); /* nothing pending: returns */
	fib_monitor_close(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_addr_route_events),
		cmocka_unit_test(test_link_up_needs_carrier),
		cmocka_unit_test(test_enobufs_means_resync),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_malformed_then_link_down),
		cmocka_unit_test(test_real_socket_opens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
