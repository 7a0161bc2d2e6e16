/* ICMP echo: requests carry a valid RFC 1071 checksum; the reply parser
 * accepts exactly echo replies and refuses every truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "probe/probe_icmp.h"

/* An IPv4 header (20 bytes, no options) in front of an ICMP message. */
static size_t wrap_ipv4(uint8_t *out, const uint8_t *icmp, size_t n, uint8_t proto)
{
	memset(out, 0, 20);
	out[0] = 0x45;
	out[2] = (uint8_t)((20 + n) >> 8);
	out[3] = (uint8_t)(20 + n);
	out[8] = 64;
	out[9] = proto;
	memcpy(out + 20, icmp, n);
	return 20 + n;
}

static void make_reply(uint8_t *pkt, bool v6, uint16_t id, uint16_t seq, uint64_t cookie)
{
	probe_icmp_build(pkt, v6, id, seq, cookie);
	pkt[0] = v6 ? PROBE_ICMP6_ECHO_REPLY : PROBE_ICMP_ECHO_REPLY;
}

static void test_request_checksum(void **state)
{
	(void)state;
	uint8_t pkt[PROBE_ICMP_LEN];
	probe_icmp_build(pkt, false, 0x1234, 7, 0x0102030405060708ULL);
	assert_int_equal(pkt[0], 8);
	assert_int_equal(pkt[4], 0x12);
	assert_int_equal(pkt[7], 7);
	/* A correct checksum sums the whole message to zero (RFC 1071). */
	assert_int_equal(probe_icmp_csum(pkt, sizeof(pkt)), 0);
	probe_icmp_build(pkt, true, 1, 2, 3);
	assert_int_equal(pkt[0], 128);
	assert_int_equal(pkt[2] | pkt[3], 0);
}

static void test_parse_v4_with_header(void **state)
{
	(void)state;
	uint8_t icmp[PROBE_ICMP_LEN], ip[64];
	make_reply(icmp, false, 0xbeef, 0x0102, 0x1122334455667788ULL);
	size_t n = wrap_ipv4(ip, icmp, sizeof(icmp), 1);
	struct probe_icmp_reply r;
	assert_int_equal(probe_icmp_parse(ip, n, false, true, &r), 0);
	assert_int_equal(r.id, 0xbeef);
	assert_int_equal(r.seq, 0x0102);
	assert_true(r.cookie == 0x1122334455667788ULL);
	/* Every truncation is refused, never read past. */
	for (size_t k = 0; k < n; k++)
		assert_int_equal(probe_icmp_parse(ip, k, false, true, &r), -EBADMSG);
	/* Link padding after the IP total length is ignored. */
	ip[n] = 0xff;
	assert_int_equal(probe_icmp_parse(ip, n + 1, false, true, &r), 0);
}

static void test_parse_v4_bad_headers(void **state)
{
	(void)state;
	uint8_t icmp[PROBE_ICMP_LEN], ip[64];
	make_reply(icmp, false, 1, 2, 3);
	struct probe_icmp_reply r;
	size_t n = wrap_ipv4(ip, icmp, sizeof(icmp), 1);
	ip[0] = 0x44; /* IHL 4 words: shorter than the fixed header */
	assert_int_equal(probe_icmp_parse(ip, n, false, true, &r), -EBADMSG);
	ip[0] = 0x4f; /* IHL 60 bytes: longer than the packet */
	assert_int_equal(probe_icmp_parse(ip, n, false, true, &r), -EBADMSG);
	ip[0] = 0x65; /* version 6 in an IPv4 socket */
	assert_int_equal(probe_icmp_parse(ip, n, false, true, &r), -EBADMSG);
	n = wrap_ipv4(ip, icmp, sizeof(icmp), 1);
	ip[3] = (uint8_t)(n + 1); /* total length past the end */
	assert_int_equal(probe_icmp_parse(ip, n, false, true, &r), -EBADMSG);
	ip[3] = 19; /* total length inside the header */
	assert_int_equal(probe_icmp_parse(ip, n, false, true, &r), -EBADMSG);
	n = wrap_ipv4(ip, icmp, sizeof(icmp), 6); /* TCP, not ICMP */
	assert_int_equal(probe_icmp_parse(ip, n, false, true, &r), -ENOMSG);
	/* Total length cuts the cookie short. */
	n = wrap_ipv4(ip, icmp, sizeof(icmp), 1);
	ip[3] = (uint8_t)(n - 1);
	assert_int_equal(probe_icmp_parse(ip, n, false, true, &r), -EBADMSG);
}

static void test_parse_other_types(void **state)
{
	(void)state;
	uint8_t pkt[PROBE_ICMP_LEN];
	struct probe_icmp_reply r;
	/* Our own request seen on loopback is not a reply. */
	probe_icmp_build(pkt, false, 1, 2, 3);
	assert_int_equal(probe_icmp_parse(pkt, sizeof(pkt), false, false, &r), -ENOMSG);
	make_reply(pkt, false, 1, 2, 3);
	pkt[1] = 1; /* echo reply has code 0 only */
	assert_int_equal(probe_icmp_parse(pkt, sizeof(pkt), false, false, &r), -EBADMSG);
	/* An ICMPv4 reply type on an ICMPv6 socket is not an echo reply. */
	make_reply(pkt, false, 1, 2, 3);
	assert_int_equal(probe_icmp_parse(pkt, sizeof(pkt), true, false, &r), -ENOMSG);
}

static void test_parse_v6_and_dgram(void **state)
{
	(void)state;
	uint8_t pkt[PROBE_ICMP_LEN];
	struct probe_icmp_reply r;
	make_reply(pkt, true, 9, 10, 11);
	assert_int_equal(probe_icmp_parse(pkt, sizeof(pkt), true, false, &r), 0);
	assert_int_equal(r.id, 9);
	assert_int_equal(r.seq, 10);
	assert_true(r.cookie == 11);
	make_reply(pkt, false, 5, 6, 7);
	assert_int_equal(probe_icmp_parse(pkt, sizeof(pkt), false, false, &r), 0);
	for (size_t k = 0; k < sizeof(pkt); k++)
		assert_int_equal(probe_icmp_parse(pkt, k, false, false, &r),
				 -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_checksum),
		cmocka_unit_test(test_parse_v4_with_header),
		cmocka_unit_test(test_parse_v4_bad_headers),
		cmocka_unit_test(test_parse_other_types),
		cmocka_unit_test(test_parse_v6_and_dgram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
