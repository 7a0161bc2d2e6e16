/* Message header (RFC 4271 4.1, 6.1; RFC 8654 4), message framing,
 * KEEPALIVE and the family helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bgp/msg.h"

static void hdr_make(uint8_t *b, uint16_t len, uint8_t type)
{
	memset(b, 0xff, 16);
	b[16] = (uint8_t)(len >> 8);
	b[17] = (uint8_t)len;
	b[18] = type;
}

struct hdr_case {
	const char *what;
	uint16_t len;
	uint8_t type;
	size_t max;
	int bad_marker;
	uint8_t code, subcode; /* 0/0: accepted */
	uint8_t data_len;
	uint8_t data[2];
};

static const struct hdr_case hdr_cases[] = {
	{"keepalive", 19, BGP_MSG_KEEPALIVE, 4096, 0, 0, 0, 0, {0}},
	{"smallest open", 29, BGP_MSG_OPEN, 4096, 0, 0, 0, 0, {0}},
	{"smallest update", 23, BGP_MSG_UPDATE, 4096, 0, 0, 0, 0, {0}},
	{"smallest notification", 21, BGP_MSG_NOTIFICATION, 4096, 0, 0, 0, 0, {0}},
	{"route refresh", 23, BGP_MSG_ROUTE_REFRESH, 4096, 0, 0, 0, 0, {0}},
	{"largest update", 4096, BGP_MSG_UPDATE, 4096, 0, 0, 0, 0, {0}},
	{"extended update", 65535, BGP_MSG_UPDATE, 65535, 0, 0, 0, 0, {0}},
	/* RFC 7313 5: a longer ROUTE-REFRESH is 7/1 in bgp_refresh_decode. */
	{"long route refresh passes header", 24, BGP_MSG_ROUTE_REFRESH, 4096, 0, 0, 0, 0, {0}},
	{"marker not all ones", 19, BGP_MSG_KEEPALIVE, 4096, 1, 1, 1, 0, {0}},
	{"length below 19", 18, BGP_MSG_KEEPALIVE, 4096, 0, 1, 2, 2, {0, 18}},
	{"length zero", 0, BGP_MSG_UPDATE, 4096, 0, 1, 2, 2, {0, 0}},
	{"length above 4096", 4097, BGP_MSG_UPDATE, 4096, 0, 1, 2, 2, {0x10, 0x01}},
	{"type zero", 19, 0, 4096, 0, 1, 3, 1, {0}},
	{"type six", 19, 6, 4096, 0, 1, 3, 1, {6}},
	{"type 255", 30, 255, 4096, 0, 1, 3, 1, {255}},
	{"open too short", 28, BGP_MSG_OPEN, 4096, 0, 1, 2, 2, {0, 28}},
	{"update too short", 22, BGP_MSG_UPDATE, 4096, 0, 1, 2, 2, {0, 22}},
	{"notification too short", 20, BGP_MSG_NOTIFICATION, 4096, 0, 1, 2, 2, {0, 20}},
	{"route refresh too short", 22, BGP_MSG_ROUTE_REFRESH, 4096, 0, 1, 2, 2, {0, 22}},
	{"keepalive with body", 20, BGP_MSG_KEEPALIVE, 4096, 0, 1, 2, 2, {0, 20}},
	/* RFC 8654 4: OPEN and KEEPALIVE stay small with extended messages. */
	{"extended open", 4097, BGP_MSG_OPEN, 65535, 0, 1, 2, 2, {0x10, 0x01}},
	{"extended keepalive", 5000, BGP_MSG_KEEPALIVE, 65535, 0, 1, 2, 2, {0x13, 0x88}},
};

static void test_hdr_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hdr_cases) / sizeof(hdr_cases[0]); i++) {
		const struct hdr_case *c = &hdr_cases[i];
		uint8_t b[BGP_HEADER_LEN];
		struct bgp_hdr h = {0};
		struct bgp_notify n = {0};
		hdr_make(b, c->len, c->type);
		if (c->bad_marker)
			b[7] = 0xfe;
		int rc = bgp_hdr_decode(b, c->max, &h, &n);
		print_message("case: %s\n", c->what);
		if (c->code == 0) {
			assert_int_equal(rc, 0);
			assert_int_equal(h.len, c->len);
			assert_int_equal(h.type, c->type);
		} else {
			assert_int_equal(rc, -EBADMSG);
			assert_int_equal(n.code, c->code);
			assert_int_equal(n.subcode, c->subcode);
			assert_int_equal(n.data_len, c->data_len);
			assert_memory_equal(n.data, c->data, c->data_len);
		}
	}
}

static void test_msg_finish_fills_length(void **state)
{
	(void)state;
	struct wbuf w;
	wbuf_init(&w, 8192);
	wbuf_put_u8(&w, 0xaa); /* something already queued stays untouched */
	size_t start = bgp_msg_begin(&w, BGP_MSG_UPDATE);
	assert_int_equal(start, 1);
	wbuf_put_u32(&w, 0);
	assert_int_equal(bgp_msg_finish(&w, start, BGP_MAX_MSG), 0);
	assert_int_equal(w.len, 1 + 23);
	struct bgp_hdr h;
	struct bgp_notify n;
	assert_int_equal(bgp_hdr_decode(w.data + 1, BGP_MAX_MSG, &h, &n), 0);
	assert_int_equal(h.len, 23);
	assert_int_equal(h.type, BGP_MSG_UPDATE);
	wbuf_free(&w);
}

static void test_msg_finish_refuses_oversize(void **state)
{
	(void)state;
	struct wbuf w;
	static uint8_t big[5000];
	wbuf_init(&w, 65536);
	wbuf_put_u8(&w, 0xaa);
	size_t start = bgp_msg_begin(&w, BGP_MSG_UPDATE);
	wbuf_put_bytes(&w, big, sizeof(big));
	assert_int_equal(bgp_msg_finish(&w, start, BGP_MAX_MSG), -EMSGSIZE);
	/* The partial message is gone; what was queued before remains. */
	assert_int_equal(w.len, 1);
	assert_int_equal(wbuf_status(&w), 0);
	start = bgp_msg_begin(&w, BGP_MSG_UPDATE);
	wbuf_put_bytes(&w, big, sizeof(big));
	assert_int_equal(bgp_msg_finish(&w, start, BGP_MAX_MSG_EXT), 0);
	assert_int_equal(w.len, 1 + 19 + sizeof(big));
	wbuf_free(&w);

	/* A writer that runs out of room reports it and keeps no fragment. */
	uint8_t mem[30];
	wbuf_init_fixed(&w, mem, sizeof(mem));
	start = bgp_msg_begin(&w, BGP_MSG_UPDATE);
	wbuf_put_bytes(&w, big, 20);
	assert_int_equal(bgp_msg_finish(&w, start, BGP_MAX_MSG), -EMSGSIZE);
	assert_int_equal(w.len, 0);
}

static void test_keepalive_round_trip(void **state)
{
	(void)state;
	struct wbuf w;
	struct bgp_hdr h;
	struct bgp_notify n = {0};
	wbuf_init(&w, BGP_MAX_MSG);
	assert_int_equal(bgp_keepalive_encode(&w), 0);
	assert_int_equal(w.len, 19);
	assert_int_equal(bgp_hdr_decode(w.data, BGP_MAX_MSG, &h, &n), 0);
	assert_int_equal(h.type, BGP_MSG_KEEPALIVE);
	assert_int_equal(bgp_keepalive_decode(h.len - BGP_HEADER_LEN, &n), 0);
	wbuf_free(&w);

	assert_int_equal(bgp_keepalive_decode(2, &n), -EBADMSG);
	assert_int_equal(n.code, BGP_ERR_HEADER);
	assert_int_equal(n.subcode, BGP_ERR_HDR_BAD_LEN);
	assert_int_equal(n.data_len, 2);
	assert_int_equal(n.data[0], 0);
	assert_int_equal(n.data[1], 21);
}

static void test_family_helpers(void **state)
{
	(void)state;
	assert_int_equal(bgp_family_from_afi_safi(1, 1), BGP_FAM_IPV4_UNICAST);
	assert_int_equal(bgp_family_from_afi_safi(2, 1), BGP_FAM_IPV6_UNICAST);
	assert_int_equal(bgp_family_from_afi_safi(1, 2), -1);  /* multicast */
	assert_int_equal(bgp_family_from_afi_safi(1, 128), -1); /* VPN */
	assert_int_equal(bgp_family_from_afi_safi(25, 65), -1); /* L2VPN EVPN */
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		uint16_t afi;
		uint8_t safi;
		bgp_family_to_afi_safi((enum bgp_family)f, &afi, &safi);
		assert_int_equal(bgp_family_from_afi_safi(afi, safi), f);
		assert_string_not_equal(bgp_family_name((enum bgp_family)f), "unknown");
	}
	assert_string_equal(bgp_family_name(BGP_FAM_IPV6_UNICAST), "ipv6-unicast");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_table),
		cmocka_unit_test(test_msg_finish_fills_length),
		cmocka_unit_test(test_msg_finish_refuses_oversize),
		cmocka_unit_test(test_keepalive_round_trip),
		cmocka_unit_test(test_family_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
