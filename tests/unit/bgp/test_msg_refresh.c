/* ROUTE-REFRESH (RFC 2918, RFC 7313): round trips of every subtype and
 * the RFC 7313 5 error carrying the whole message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bgp/msg.h"

static void test_round_trip(void **state)
{
	(void)state;
	const struct bgp_route_refresh in[] = {
		{.afi = 1, .subtype = BGP_RR_NORMAL, .safi = 1},
		{.afi = 2, .subtype = BGP_RR_BORR, .safi = 1},
		{.afi = 2, .subtype = BGP_RR_EORR, .safi = 1},
		{.afi = 1, .subtype = 77, .safi = 128}, /* unknown: the session ignores it */
	};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct wbuf w;
		struct bgp_hdr h;
		struct bgp_notify n;
		struct bgp_route_refresh out = {0};
		wbuf_init(&w, BGP_MAX_MSG);
		assert_int_equal(bgp_refresh_encode(&w, &in[i]), 0);
		assert_int_equal(w.len, 23);
		assert_int_equal(bgp_hdr_decode(w.data, BGP_MAX_MSG, &h, &n), 0);
		assert_int_equal(h.type, BGP_MSG_ROUTE_REFRESH);
		assert_int_equal(bgp_refresh_decode(w.data + 19, h.len - 19, &out, &n), 0);
		assert_int_equal(out.afi, in[i].afi);
		assert_int_equal(out.subtype, in[i].subtype);
		assert_int_equal(out.safi, in[i].safi);
		wbuf_free(&w);
	}
}

static void test_bad_length_carries_whole_message(void **state)
{
	(void)state;
	static struct bgp_notify n;
	struct bgp_route_refresh rr;
	const uint8_t five[] = {0, 1, 1, 1, 0xee};
	assert_int_equal(bgp_refresh_decode(five, sizeof(five), &rr, &n), -EBADMSG);
	assert_int_equal(n.code, BGP_ERR_ROUTE_REFRESH);
	assert_int_equal(n.subcode, BGP_ERR_RR_BAD_LEN);
	assert_int_equal(n.data_len, 24);
	uint8_t want[24];
	memset(want, 0xff, 16);
	want[16] = 0;
	want[17] = 24;
	want[18] = BGP_MSG_ROUTE_REFRESH;
	memcpy(want + 19, five, 5);
	assert_memory_equal(n.data, want, 24);

	const uint8_t three[] = {0, 2, 1};
	assert_int_equal(bgp_refresh_decode(three, sizeof(three), &rr, &n), -EBADMSG);
	assert_int_equal(n.code, 7);
	assert_int_equal(n.subcode, 1);
	assert_int_equal(n.data_len, 22);
	assert_int_equal(n.data[17], 22);
	assert_memory_equal(n.data + 19, three, 3);

	/* With extended messages a ROUTE-REFRESH may claim 65535 bytes; the
	 * NOTIFICATION keeps as much as one can carry. */
	static uint8_t big[65535 - 19];
	memset(big, 0x11, sizeof(big));
	assert_int_equal(bgp_refresh_decode(big, sizeof(big), &rr, &n), -EBADMSG);
	assert_int_equal(n.data_len, BGP_NOTIFY_DATA_MAX);
	assert_int_equal(n.data[16], 0xff);
	assert_int_equal(n.data[17], 0xff);
	assert_int_equal(n.data[19], 0x11);
	/* ... and that NOTIFICATION still encodes within 4096 bytes. */
	struct wbuf w;
	wbuf_init(&w, BGP_MAX_MSG);
	assert_int_equal(bgp_notify_encode(&w, &n), 0);
	assert_int_equal(w.len, BGP_MAX_MSG);
	wbuf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_length_carries_whole_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
