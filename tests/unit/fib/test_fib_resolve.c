/* Next-hop lookup replies (fib_resolve_parse) on hand-built messages:
 * the route that matched, its gateway (plain or first of RTA_MULTIPATH)
 * and interface; the kernel's errors passed on; every malformed length
 * refused rather than read past.  The resolver itself is tested against
 * a real kernel in tests/system/test_fib_daemon.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "fib/fib_resolve.h"

static _Alignas(8) char buf[4096];

static struct nlmsghdr *reply(uint8_t type, uint8_t proto, uint8_t dst_len)
{
	memset(buf, 0, sizeof(buf));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_type = type;
	rtm->rtm_protocol = proto;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	uint8_t dst[4] = { 10, 9, 9, 9 };
	mnl_attr_put(nlh, RTA_DST, 4, dst);
	return nlh;
}

static void test_gateway_and_oif(void **state)
{
	(void)state;
	struct nlmsghdr *nlh = reply(RTN_UNICAST, RTPROT_BOOT, 24);
	uint8_t gw[4] = { 10, 0, 1, 2 };
	mnl_attr_put(nlh, RTA_GATEWAY, 4, gw);
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	mnl_attr_put_u32(nlh, RTA_TABLE, 254);
	mnl_attr_put_u32(nlh, 999, 1); /* a newer kernel's attribute: skipped */
	struct fib_route_info ri;
	assert_int_equal(fib_resolve_parse(buf, nlh->nlmsg_len, &ri), 0);
	assert_int_equal(ri.af, AF_INET);
	assert_int_equal(ri.type, RTN_UNICAST);
	assert_int_equal(ri.protocol, RTPROT_BOOT);
	assert_int_equal(ri.dst_len, 24);
	assert_int_equal(ri.table, 254);
	assert_int_equal(ri.oif, 7);
	assert_int_equal(ri.gw.af, AF_INET);
	assert_memory_equal(ri.gw.b, gw, 4);
}

static void test_on_link_has_no_gateway(void **state)
{
	(void)state;
	struct nlmsghdr *nlh = reply(RTN_UNICAST, RTPROT_KERNEL, 24);
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	struct fib_route_info ri;
	assert_int_equal(fib_resolve_parse(buf, nlh->nlmsg_len, &ri), 0);
	assert_int_equal(ri.oif, 3);
	assert_int_equal(ri.gw.af, 0);
}

static void test_multipath_first_member(void **state)
{
	(void)state;
	struct nlmsghdr *nlh = reply(RTN_UNICAST, RTPROT_BOOT, 16);
	struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	struct rtnexthop *rtnh = mnl_nlmsg_get_payload_tail(nlh);
	memset(rtnh, 0, sizeof(*rtnh));
	rtnh->rtnh_ifindex = 5;
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*rtnh));
	uint8_t gw[4] = { 10, 0, 2, 2 };
	mnl_attr_put(nlh, RTA_GATEWAY, 4, gw);
	rtnh->rtnh_len = (unsigned short)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)rtnh);
	mnl_attr_nest_end(nlh, mp);
	struct fib_route_info ri;
	assert_int_equal(fib_resolve_parse(buf, nlh->nlmsg_len, &ri), 0);
	assert_int_equal(ri.oif, 5);
	assert_memory_equal(ri.gw.b, gw, 4);
}

static void test_kernel_error(void **state)
{
	(void)state;
	memset(buf, 0, sizeof(buf));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -ENETUNREACH;
	struct fib_route_info ri;
	assert_int_equal(fib_resolve_parse(buf, nlh->nlmsg_len, &ri), -ENETUNREACH);
	e->error = 0; /* an ACK carries no route */
	assert_int_equal(fib_resolve_parse(buf, nlh->nlmsg_len, &ri), -ENOENT);
	e->error = 5; /* positive: not an errno */
	assert_int_equal(fib_resolve_parse(buf, nlh->nlmsg_len, &ri), -EBADMSG);
	assert_int_equal(fib_resolve_parse(buf, 0, &ri), -ENOENT);
}

static void test_malformed(void **state)
{
	(void)state;
	struct fib_route_info ri;
	/* Gateway of the wrong length. */
	struct nlmsghdr *nlh = reply(RTN_UNICAST, RTPROT_BOOT, 24);
	uint8_t gw6[16] = { 0 };
	mnl_attr_put(nlh, RTA_GATEWAY, 16, gw6);
	assert_int_equal(fib_resolve_parse(buf, nlh->nlmsg_len, &ri), -EBADMSG);
	/* Prefix length beyond the family. */
	nlh = reply(RTN_UNICAST, RTPROT_BOOT, 33);
	assert_int_equal(fib_resolve_parse(buf, nlh->nlmsg_len, &ri), -EBADMSG);
	/* OIF of two bytes. */
	nlh = reply(RTN_UNICAST, RTPROT_BOOT, 24);
	mnl_attr_put_u16(nlh, RTA_OIF, 3);
	assert_int_equal(fib_resolve_parse(buf, nlh->nlmsg_len, &ri), -EBADMSG);
	/* Cut anywhere: never a read past the end (ASan), never success
	 * with a half message. */
	nlh = reply(RTN_UNICAST, RTPROT_BOOT, 24);
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	size_t full = nlh->nlmsg_len;
	for (size_t n = 1; n < full; n++) {
		static _Alignas(8) char cut[4096];
		memcpy(cut, buf, n);
		int rc = fib_resolve_parse(cut, n, &ri);
		assert_true(rc == -EBADMSG || rc == -ENOENT);
	}
	/* A header claiming more than there is. */
	nlh->nlmsg_len = (uint32_t)full + 64;
	assert_int_equal(fib_resolve_parse(buf, full, &ri), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gateway_and_oif),
		cmocka_unit_test(test_on_link_has_no_gateway),
		cmocka_unit_test(test_multipath_first_member),
		cmocka_unit_test(test_kernel_error),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
