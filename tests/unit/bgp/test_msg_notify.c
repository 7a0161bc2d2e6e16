/* NOTIFICATION (RFC 4271 4.5): round trips, names of every code and
 * subcode, RFC 9003 shutdown communication, RFC 4486 max-prefix data and
 * the human rendering of untrusted data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "bgp/msg.h"

/* Encodes n, decodes the header and body again into *out. */
static void notify_round_trip(const struct bgp_notify *n, struct bgp_notify *out)
{
	struct wbuf w;
	struct bgp_hdr h;
	struct bgp_notify err = {0};
	wbuf_init(&w, BGP_MAX_MSG);
	assert_int_equal(bgp_notify_encode(&w, n), 0);
	assert_int_equal(w.len, 21 + n->data_len);
	assert_int_equal(bgp_hdr_decode(w.data, BGP_MAX_MSG, &h, &err), 0);
	assert_int_equal(h.type, BGP_MSG_NOTIFICATION);
	assert_int_equal(h.len, w.len);
	assert_int_equal(bgp_notify_decode(w.data + 19, w.len - 19, out), 0);
	wbuf_free(&w);
}

static void test_round_trip(void **state)
{
	(void)state;
	static struct bgp_notify n, out;
	const uint8_t data[] = {0x40, 0x02, 0x00};
	bgp_notify_set(&n, BGP_ERR_UPDATE, BGP_ERR_UPD_AS_PATH, data, sizeof(data));
	notify_round_trip(&n, &out);
	assert_int_equal(out.code, 3);
	assert_int_equal(out.subcode, 11);
	assert_int_equal(out.data_len, 3);
	assert_memory_equal(out.data, data, 3);

	bgp_notify_set(&n, BGP_ERR_HOLD_TIMER, 0, NULL, 0);
	notify_round_trip(&n, &out);
	assert_int_equal(out.code, 4);
	assert_int_equal(out.data_len, 0);

	/* The largest data that fits a 4096-byte message survives whole. */
	static uint8_t big[BGP_NOTIFY_DATA_MAX + 10];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	bgp_notify_set(&n, BGP_ERR_UPDATE, BGP_ERR_UPD_ATTR_LEN, big, sizeof(big));
	assert_int_equal(n.data_len, BGP_NOTIFY_DATA_MAX);
	notify_round_trip(&n, &out);
	assert_int_equal(out.data_len, BGP_NOTIFY_DATA_MAX);
	assert_memory_equal(out.data, big, BGP_NOTIFY_DATA_MAX);
}

static void test_decode_untrusted(void **state)
{
	(void)state;
	static struct bgp_notify n;
	const uint8_t one[] = {6};
	assert_int_equal(bgp_notify_decode(one, 1, &n), -EBADMSG);
	assert_int_equal(bgp_notify_decode(one, 0, &n), -EBADMSG);
	const uint8_t two[] = {6, 4};
	assert_int_equal(bgp_notify_decode(two, 2, &n), 0);
	assert_int_equal(n.code, 6);
	assert_int_equal(n.subcode, 4);
	assert_int_equal(n.data_len, 0);
	/* An extended-length NOTIFICATION: keep what fits, no more. */
	static uint8_t body[60000];
	memset(body, 0xab, sizeof(body));
	assert_int_equal(bgp_notify_decode(body, sizeof(body), &n), 0);
	assert_int_equal(n.data_len, BGP_NOTIFY_DATA_MAX);
}

/* Every code/subcode any of our RFCs defines. */
static const uint8_t all_codes[][2] = {
	{1, 0}, {1, 1}, {1, 2}, {1, 3},
	{2, 0}, {2, 1}, {2, 2}, {2, 3}, {2, 4}, {2, 5}, {2, 6}, {2, 7}, {2, 11},
	{3, 0}, {3, 1}, {3, 2}, {3, 3}, {3, 4}, {3, 5}, {3, 6}, {3, 7}, {3, 8},
	{3, 9}, {3, 10}, {3, 11},
	{4, 0},
	{5, 0}, {5, 1}, {5, 2}, {5, 3},
	{6, 0}, {6, 1}, {6, 2}, {6, 3}, {6, 4}, {6, 5}, {6, 6}, {6, 7}, {6, 8},
	{6, 9}, {6, 10},
	{7, 0}, {7, 1},
	{8, 0},
};

static void test_every_code_has_a_name(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(all_codes) / sizeof(all_codes[0]); i++) {
		uint8_t c = all_codes[i][0], s = all_codes[i][1];
		print_message("%u/%u\n", c, s);
		assert_string_not_equal(bgp_notify_code_name(c), "Unknown error code");
		assert_string_not_equal(bgp_notify_subcode_name(c, s), "Unknown subcode");
	}
	assert_string_equal(bgp_notify_code_name(9), "Unknown error code");
	assert_string_equal(bgp_notify_code_name(0), "Unknown error code");
	assert_string_equal(bgp_notify_subcode_name(6, 11), "Unknown subcode");
	assert_string_equal(bgp_notify_subcode_name(2, 12), "Unknown subcode");
	assert_string_equal(bgp_notify_subcode_name(4, 1), "Unknown subcode");
	assert_string_equal(bgp_notify_subcode_name(5, 4), "Unknown subcode");
	assert_string_equal(bgp_notify_subcode_name(9, 0), "Unknown subcode");
	assert_string_equal(bgp_notify_subcode_name(6, 9), "Hard Reset");
	assert_string_equal(bgp_notify_subcode_name(6, 10), "BFD Down");
	assert_string_equal(bgp_notify_subcode_name(2, 11), "Role Mismatch");
	assert_string_equal(bgp_notify_code_name(8), "Send Hold Timer Expired");
	assert_string_equal(bgp_notify_subcode_name(7, 1), "Invalid Message Length");
}

static void test_shutdown_truncated_at_utf8_boundary(void **state)
{
	(void)state;
	static struct bgp_notify n;
	char msg[400];
	/* 253 ASCII bytes then "é" (2 bytes) then "€" (3 bytes): 255 is in
	 * the middle of the euro sign, so the cut lands before it. */
	memset(msg, 'a', 253);
	strcpy(msg + 253, "\xc3\xa9\xe2\x82\xac tail");
	bgp_notify_set_shutdown(&n, BGP_CEASE_ADMIN_SHUTDOWN, msg);
	assert_int_equal(n.code, 6);
	assert_int_equal(n.subcode, 2);
	assert_int_equal(n.data[0], 255);
	assert_int_equal(n.data_len, 256);
	assert_memory_equal(n.data + 1 + 253, "\xc3\xa9", 2);

	memset(msg, 'a', 254);
	strcpy(msg + 254, "\xc3\xa9xyz"); /* é straddles 255 */
	bgp_notify_set_shutdown(&n, BGP_CEASE_ADMIN_RESET, msg);
	assert_int_equal(n.subcode, 4);
	assert_int_equal(n.data[0], 254);
	assert_int_equal(n.data_len, 255);

	memset(msg, 'a', 252);
	strcpy(msg + 252, "\xf0\x9f\x98\x80!"); /* 4-byte emoji over 255 */
	bgp_notify_set_shutdown(&n, BGP_CEASE_ADMIN_SHUTDOWN, msg);
	assert_int_equal(n.data[0], 252);

	bgp_notify_set_shutdown(&n, BGP_CEASE_ADMIN_SHUTDOWN, "short");
	assert_int_equal(n.data_len, 6);
	assert_int_equal(n.data[0], 5);
	assert_memory_equal(n.data + 1, "short", 5);

	bgp_notify_set_shutdown(&n, BGP_CEASE_ADMIN_SHUTDOWN, NULL);
	assert_int_equal(n.data_len, 0);

	/* Round trip through the wire. */
	static struct bgp_notify out;
	bgp_notify_set_shutdown(&n, BGP_CEASE_ADMIN_SHUTDOWN, "maintenance \xe2\x80\x94 back soon");
	notify_round_trip(&n, &out);
	assert_int_equal(out.data_len, n.data_len);
	assert_memory_equal(out.data, n.data, n.data_len);
}

static void test_max_prefix(void **state)
{
	(void)state;
	static struct bgp_notify n, out;
	char buf[256];
	bgp_notify_set_max_prefix(&n, 2, 1, 100000);
	notify_round_trip(&n, &out);
	const uint8_t want[] = {0, 2, 1, 0, 0x01, 0x86, 0xa0};
	assert_int_equal(out.data_len, 7);
	assert_memory_equal(out.data, want, 7);
	bgp_notify_format(&out, buf, sizeof(buf));
	assert_string_equal(buf, "Cease/Maximum Number of Prefixes Reached: AFI 2 SAFI 1 limit 100000");
	/* Data of another size is shown raw. */
	bgp_notify_set(&n, 6, 1, want, 3);
	bgp_notify_format(&n, buf, sizeof(buf));
	assert_string_equal(buf, "Cease/Maximum Number of Prefixes Reached (data 000201)");
}

struct fmt_case {
	uint8_t code, subcode;
	const char *data;
	size_t data_len;
	const char *want;
};

static const struct fmt_case fmt_cases[] = {
	{6, 2, "\x0bmaintenance", 12, "Cease/Administrative Shutdown: \"maintenance\""},
	{6, 4, "\x05reset", 6, "Cease/Administrative Reset: \"reset\""},
	/* Control characters, quotes and backslashes are escaped. */
	{6, 2, "\x06" "a\nb\"c\\", 7, "Cease/Administrative Shutdown: \"a\\x0ab\\\"c\\\\\""},
	{6, 2, "\x03\x1b[m", 4, "Cease/Administrative Shutdown: \"\\x1b[m\""},
	/* Valid UTF-8 passes through. */
	{6, 2, "\x05\xc3\xa9t\xc3\xa9", 6,
	 "Cease/Administrative Shutdown: \"\xc3\xa9t\xc3\xa9\""},
	/* RFC 9003 2: a length past the data is not trusted: hex. */
	{6, 2, "\x20oops", 5, "Cease/Administrative Shutdown (invalid shutdown communication, data 206f6f7073)"},
	/* Invalid UTF-8 (overlong '/') is shown as hex too. */
	{6, 2, "\x02\xc0\xaf", 3, "Cease/Administrative Shutdown (invalid shutdown communication, data 02c0af)"},
	/* A zero length is "no message". */
	{6, 2, "\x00", 1, "Cease/Administrative Shutdown"},
	{6, 2, "\x02hi\x01\x02", 5, "Cease/Administrative Shutdown: \"hi\" (trailing data 0102)"},
	{6, 2, "", 0, "Cease/Administrative Shutdown"},
	{3, 11, "\x40\x02\x00", 3, "UPDATE Message Error/Malformed AS_PATH (data 400200)"},
	{1, 2, "\x00\x12", 2, "Message Header Error/Bad Message Length (data 0012)"},
	{4, 0, "", 0, "Hold Timer Expired"},
	{8, 0, "", 0, "Send Hold Timer Expired"},
	{5, 2, "", 0, "Finite State Machine Error/Receive Unexpected Message in OpenConfirm State"},
	{6, 9, "", 0, "Cease/Hard Reset"},
	{99, 7, "\xff", 1, "Unknown error code/Unknown subcode (data ff)"},
};

static void test_format(void **state)
{
	(void)state;
	static struct bgp_notify n;
	char buf[512];
	for (size_t i = 0; i < sizeof(fmt_cases) / sizeof(fmt_cases[0]); i++) {
		const struct fmt_case *c = &fmt_cases[i];
		bgp_notify_set(&n, c->code, c->subcode, c->data, c->data_len);
		bgp_notify_format(&n, buf, sizeof(buf));
		print_message("case %zu: %s\n", i, buf);
		assert_string_equal(buf, c->want);
	}
}

static void test_format_small_buffers(void **state)
{
	(void)state;
	static struct bgp_notify n;
	static uint8_t big[2000];
	char buf[64];
	memset(big, 0x5a, sizeof(big));
	bgp_notify_set(&n, 3, 1, big, sizeof(big));
	for (size_t sz = 1; sz <= sizeof(buf); sz++) {
		memset(buf, 'X', sizeof(buf));
		bgp_notify_format(&n, buf, sz);
		assert_true(strlen(buf) < sz);
	}
	bgp_notify_format(&n, buf, 0); /* must not write */
	/* Shutdown text that does not fit is cut, never overrun. */
	bgp_notify_set_shutdown(&n, 2, "a message rather longer than the buffer given");
	bgp_notify_format(&n, buf, 40);
	assert_int_equal(strlen(buf), 39);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_decode_untrusted),
		cmocka_unit_test(test_every_code_has_a_name),
		cmocka_unit_test(test_shutdown_truncated_at_utf8_boundary),
		cmocka_unit_test(test_max_prefix),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_small_buffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
