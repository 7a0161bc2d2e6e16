/* OPEN (RFC 4271 4.2, 6.2), capabilities (RFC 5492 and the capability
 * RFCs), RFC 9072 extended optional parameters, validation and
 * negotiation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bgp/caps.h"
#include "bgp/msg.h"

#define V4 BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST)
#define V6 BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST)

static struct bgp_open open_full(void)
{
	struct bgp_open o = {
		.version = 4, .my_as = 64521, .hold_time = 90, .bgp_id = 0xc000020b,
		.caps = {
			.families = V4 | V6, .mp_present = true,
			.as4 = true, .as4_asn = 64521,
			.route_refresh = true, .enhanced_route_refresh = true,
			.extended_message = true,
			.graceful_restart = true, .gr_restarted = true, .gr_time = 120,
		},
	};
	o.caps.gr[BGP_FAM_IPV4_UNICAST] = (struct bgp_gr_family){true, true};
	o.caps.gr[BGP_FAM_IPV6_UNICAST] = (struct bgp_gr_family){true, false};
	return o;
}

/* Encodes, checks the header, decodes; returns the wire length. */
static size_t open_round_trip(const struct bgp_open *in, const uint8_t *extra,
			      size_t extra_len, struct bgp_open *out, uint8_t *wire)
{
	struct wbuf w;
	struct bgp_hdr h;
	struct bgp_notify n = {0};
	wbuf_init(&w, BGP_MAX_MSG);
	assert_int_equal(bgp_open_encode_extra(&w, in, extra, extra_len), 0);
	assert_int_equal(bgp_hdr_decode(w.data, BGP_MAX_MSG, &h, &n), 0);
	assert_int_equal(h.type, BGP_MSG_OPEN);
	assert_int_equal(h.len, w.len);
	assert_int_equal(bgp_open_decode(w.data + 19, w.len - 19, out, &n), 0);
	size_t len = w.len;
	if (wire)
		memcpy(wire, w.data, len);
	wbuf_free(&w);
	return len;
}

static void assert_caps_equal(const struct bgp_caps *a, const struct bgp_caps *b)
{
	assert_int_equal(a->families, b->families);
	assert_int_equal(a->mp_present, b->mp_present);
	assert_int_equal(a->as4, b->as4);
	assert_int_equal(a->as4_asn, b->as4_asn);
	assert_int_equal(a->route_refresh, b->route_refresh);
	assert_int_equal(a->enhanced_route_refresh, b->enhanced_route_refresh);
	assert_int_equal(a->extended_message, b->extended_message);
	assert_int_equal(a->graceful_restart, b->graceful_restart);
	assert_int_equal(a->gr_restarted, b->gr_restarted);
	assert_int_equal(a->gr_time, b->gr_time);
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		assert_int_equal(a->gr[f].present, b->gr[f].present);
		assert_int_equal(a->gr[f].forwarding_preserved, b->gr[f].forwarding_preserved);
	}
}

static void test_round_trip_all_caps(void **state)
{
	(void)state;
	struct bgp_open in = open_full(), out;
	uint8_t wire[BGP_MAX_MSG];
	open_round_trip(&in, NULL, 0, &out, wire);
	assert_int_equal(out.version, 4);
	assert_int_equal(out.my_as, 64521);
	assert_int_equal(out.hold_time, 90);
	assert_int_equal(out.bgp_id, 0xc000020b);
	assert_false(out.ext_params);
	assert_int_equal(out.caps.n_unknown, 0);
	assert_caps_equal(&in.caps, &out.caps);
	/* One Capabilities parameter holds them all. */
	assert_int_equal(wire[29], 2);
	assert_int_equal(wire[28], wire[30] + 2);
}

/* Each capability alone, so a broken one cannot hide behind another. */
static void test_round_trip_each_cap(void **state)
{
	(void)state;
	for (int i = 0; i < 8; i++) {
		struct bgp_open in = {.version = 4, .my_as = 65000, .hold_time = 30, .bgp_id = 7};
		struct bgp_open out;
		in.caps.as4 = true; /* always sent */
		in.caps.as4_asn = 65000;
		in.caps.families = V4;
		switch (i) {
		case 0: in.caps.mp_present = true; in.caps.families = V6; break;
		case 1: in.caps.mp_present = true; in.caps.families = V4; break;
		case 2: in.caps.route_refresh = true; break;
		case 3: in.caps.enhanced_route_refresh = true; break;
		case 4: in.caps.extended_message = true; break;
		case 5: in.caps.graceful_restart = true; in.caps.gr_time = 4095; break;
		case 6:
			in.caps.graceful_restart = true;
			in.caps.gr_time = 1;
			in.caps.gr[BGP_FAM_IPV6_UNICAST] = (struct bgp_gr_family){true, true};
			break;
		case 7: in.caps.as4_asn = 4200000000u; break;
		}
		open_round_trip(&in, NULL, 0, &out, NULL);
		assert_caps_equal(&in.caps, &out.caps);
	}
}

static void test_no_mp_means_ipv4(void **state)
{
	(void)state;
	/* RFC 4760 8: no MP capability, IPv4 unicast implied. */
	const uint8_t body[] = {4, 0xfd, 0xe8, 0, 90, 1, 2, 3, 4, 0};
	struct bgp_open o;
	struct bgp_notify n;
	assert_int_equal(bgp_open_decode(body, sizeof(body), &o, &n), 0);
	assert_false(o.caps.mp_present);
	assert_false(o.caps.as4);
	assert_int_equal(o.caps.families, V4);
	assert_int_equal(bgp_open_peer_as(&o), 65000);
	assert_int_equal(o.bgp_id, 0x01020304);

	/* An encoder asked for IPv6 without MP capabilities refuses. */
	struct bgp_open bad = {.version = 4, .my_as = 1, .bgp_id = 1,
			       .caps = {.families = V4 | V6}};
	struct wbuf w;
	wbuf_init(&w, BGP_MAX_MSG);
	assert_int_equal(bgp_open_encode(&w, &bad), -EINVAL);
	assert_int_equal(w.len, 0);
	wbuf_free(&w);
}

static void test_four_octet_local_as(void **state)
{
	(void)state;
	/* RFC 6793 4.2.1: My AS = AS_TRANS, the real AS in the capability. */
	struct bgp_open in = open_full(), out;
	static struct bgp_notify n;
	in.caps.as4_asn = 4200000001u;
	in.my_as = 0;
	open_round_trip(&in, NULL, 0, &out, NULL);
	assert_int_equal(out.my_as, BGP_AS_TRANS);
	assert_int_equal(bgp_open_peer_as(&out), 4200000001u);
	assert_int_equal(bgp_open_validate(&out, 4200000001u, 1, false, &n), 0);
	assert_int_equal(bgp_open_validate(&out, 64512, 1, false, &n), -EBADMSG);
	assert_int_equal(n.code, 2);
	assert_int_equal(n.subcode, 2);
	assert_int_equal(n.data_len, 0);
}

static void test_extended_params_forced(void **state)
{
	(void)state;
	/* RFC 9072 2: configuration may force the extended format. */
	struct bgp_open in = open_full(), out;
	uint8_t wire[BGP_MAX_MSG];
	in.ext_params = true;
	open_round_trip(&in, NULL, 0, &out, wire);
	assert_int_equal(wire[28], 255);
	assert_int_equal(wire[29], 255);
	assert_true(out.ext_params);
	assert_caps_equal(&in.caps, &out.caps);
}

static void test_extended_params_over_255(void **state)
{
	(void)state;
	/* 100 unknown capabilities of 3 bytes: 300 bytes, past one octet. */
	uint8_t extra[300];
	for (int i = 0; i < 100; i++) {
		extra[3 * i] = (uint8_t)(128 + i);
		extra[3 * i + 1] = 1;
		extra[3 * i + 2] = (uint8_t)i;
	}
	struct bgp_open in = open_full(), out;
	uint8_t wire[BGP_MAX_MSG];
	size_t len = open_round_trip(&in, extra, sizeof(extra), &out, wire);
	assert_int_equal(wire[28], 255);
	assert_int_equal(wire[29], 255);
	size_t ext_len = (size_t)wire[30] << 8 | wire[31];
	assert_int_equal(ext_len, len - 32);
	assert_true(ext_len > 255);
	assert_true(out.ext_params);
	assert_int_equal(out.caps.n_unknown, 100);
	assert_caps_equal(&in.caps, &out.caps);

	/* One capability of 255 bytes cannot sit in a one-octet parameter. */
	uint8_t one[257] = {200, 255};
	len = open_round_trip(&in, one, sizeof(one), &out, wire);
	assert_true(out.ext_params);
	assert_int_equal(out.caps.n_unknown, 1);

	/* Up to 255 bytes the RFC 4271 encoding is used. */
	uint8_t fit[200];
	for (int i = 0; i < 100; i++)
		fit[2 * i] = (uint8_t)(128 + i), fit[2 * i + 1] = 0;
	open_round_trip(&in, fit, sizeof(fit), &out, wire);
	assert_false(out.ext_params);
	assert_int_equal(out.caps.n_unknown, 100);

	/* Extra TLVs that do not parse are refused, not sent. */
	struct wbuf w;
	wbuf_init(&w, BGP_MAX_MSG);
	const uint8_t broken[] = {1, 4, 0, 1};
	assert_int_equal(bgp_open_encode_extra(&w, &in, broken, sizeof(broken)), -EINVAL);
	wbuf_free(&w);
}

static void test_caps_accumulate(void **state)
{
	(void)state;
	/* Three Capabilities parameters: MP IPv4, MP IPv6 + unknown 0x49,
	 * MP for L2VPN/EVPN (not ours). RFC 5492 4: they add up. */
	const uint8_t body[] = {
		4, 0xfd, 0xe8, 0, 90, 1, 2, 3, 4, 28,
		2, 6, 1, 4, 0, 1, 0, 1,
		2, 10, 1, 4, 0, 2, 0, 1, 0x49, 2, 'h', 'i',
		2, 6, 1, 4, 0, 25, 0, 70,
	};
	struct bgp_open o;
	struct bgp_notify n;
	assert_int_equal(bgp_open_decode(body, sizeof(body), &o, &n), 0);
	assert_true(o.caps.mp_present);
	assert_int_equal(o.caps.families, V4 | V6);
	assert_int_equal(o.caps.n_unknown, 1);

	/* MP for a family we do not speak: MP used, IPv4 no longer implied. */
	const uint8_t vpn_only[] = {4, 0xfd, 0xe8, 0, 90, 1, 2, 3, 4, 8,
				    2, 6, 1, 4, 0, 1, 0, 128};
	assert_int_equal(bgp_open_decode(vpn_only, sizeof(vpn_only), &o, &n), 0);
	assert_true(o.caps.mp_present);
	assert_int_equal(o.caps.families, 0);

	/* RFC 9072: Non-Ext OP Len is ignored once type 255 is seen, and an
	 * extended block may be empty. */
	const uint8_t ext_empty[] = {4, 0xfd, 0xe8, 0, 90, 1, 2, 3, 4, 1, 255, 0, 0};
	assert_int_equal(bgp_open_decode(ext_empty, sizeof(ext_empty), &o, &n), 0);
	assert_true(o.ext_params);
	assert_int_equal(o.caps.families, V4);
}

struct bad_open {
	const char *what;
	uint8_t body[40];
	size_t len;
	uint8_t code, subcode;
	uint8_t data_len;
	uint8_t data[2];
};

#define FIXED 4, 0xfd, 0xe8, 0, 90, 1, 2, 3, 4 /* version .. BGP id */

static const struct bad_open bad_opens[] = {
	{"version 3", {3, 0xfd, 0xe8, 0, 90, 1, 2, 3, 4, 0}, 10, 2, 1, 2, {0, 4}},
	{"version 5", {5, 0xfd, 0xe8, 0, 90, 1, 2, 3, 4, 0}, 10, 2, 1, 2, {0, 4}},
	{"no optional parameter length", {FIXED}, 9, 1, 2, 2, {0, 28}},
	{"empty body", {0}, 0, 1, 2, 2, {0, 19}},
	/* FRR CVE shape 1: OPEN ends right after the length byte. */
	{"ends after length 255", {FIXED, 255}, 10, 1, 2, 2, {0, 29}},
	/* FRR CVE shape 2: a 2-byte length with only 1 byte left. */
	{"ext length cut", {FIXED, 255, 255, 0}, 12, 1, 2, 2, {0, 31}},
	{"ext length no bytes", {FIXED, 255, 255}, 11, 1, 2, 2, {0, 30}},
	{"ext length past end", {FIXED, 255, 255, 0, 5, 2, 0}, 15, 1, 2, 2, {0, 34}},
	{"ext length short of end", {FIXED, 255, 255, 0, 1, 2, 0}, 15, 1, 2, 2, {0, 34}},
	{"ext param length cut", {FIXED, 255, 255, 0, 2, 2, 0}, 15, 2, 0, 0, {0}},
	{"ext param overruns", {FIXED, 255, 255, 0, 3, 2, 0, 9}, 16, 2, 0, 0, {0}},
	{"opt len past end", {FIXED, 4, 2, 0}, 12, 1, 2, 2, {0, 31}},
	{"opt len short of end", {FIXED, 2, 2, 0, 2, 0}, 14, 1, 2, 2, {0, 33}},
	{"param type only", {FIXED, 1, 2}, 11, 2, 0, 0, {0}},
	{"param overruns", {FIXED, 3, 2, 5, 0}, 13, 2, 0, 0, {0}},
	{"unknown param (auth)", {FIXED, 2, 1, 0}, 12, 2, 4, 0, {0}},
	{"type 255 not first", {FIXED, 4, 2, 0, 255, 0}, 14, 2, 4, 0, {0}},
	{"cap overruns param", {FIXED, 4, 2, 2, 65, 4}, 14, 2, 0, 0, {0}},
	{"cap header cut", {FIXED, 3, 2, 1, 65}, 13, 2, 0, 0, {0}},
	{"MP length 3", {FIXED, 7, 2, 5, 1, 3, 0, 1, 0}, 17, 2, 0, 0, {0}},
	{"MP length 5", {FIXED, 9, 2, 7, 1, 5, 0, 1, 0, 1, 0}, 19, 2, 0, 0, {0}},
	{"AS4 length 2", {FIXED, 6, 2, 4, 65, 2, 0xfd, 0xe8}, 16, 2, 0, 0, {0}},
	{"route refresh length 1", {FIXED, 5, 2, 3, 2, 1, 0}, 15, 2, 0, 0, {0}},
	{"enhanced rr length 1", {FIXED, 5, 2, 3, 70, 1, 0}, 15, 2, 0, 0, {0}},
	{"ext message length 1", {FIXED, 5, 2, 3, 6, 1, 0}, 15, 2, 0, 0, {0}},
	{"GR length 1", {FIXED, 5, 2, 3, 64, 1, 0}, 15, 2, 0, 0, {0}},
	{"GR length 3", {FIXED, 7, 2, 5, 64, 3, 0, 120, 0}, 17, 2, 0, 0, {0}},
	{"GR length 5", {FIXED, 9, 2, 7, 64, 5, 0, 120, 0, 1, 1}, 19, 2, 0, 0, {0}},
};

static void test_malformed_opens(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_opens) / sizeof(bad_opens[0]); i++) {
		const struct bad_open *c = &bad_opens[i];
		struct bgp_open o;
		static struct bgp_notify n;
		memset(&n, 0xee, sizeof(n.code) + sizeof(n.subcode));
		print_message("case: %s\n", c->what);
		/* An exact-size heap copy (plain malloc: cmocka's test_malloc
		 * pads) so ASan catches any read past the body. */
		uint8_t *body = malloc(c->len ? c->len : 1);
		assert_non_null(body);
		memcpy(body, c->body, c->len);
		assert_int_equal(bgp_open_decode(body, c->len, &o, &n), -EBADMSG);
		free(body);
		assert_int_equal(n.code, c->code);
		assert_int_equal(n.subcode, c->subcode);
		assert_int_equal(n.data_len, c->data_len);
		assert_memory_equal(n.data, c->data, c->data_len);
	}
}

struct validate_case {
	const char *what;
	uint16_t my_as, hold;
	uint32_t id;
	bool as4;
	uint32_t as4_asn;
	uint32_t expected_as;
	bool ibgp;
	uint8_t subcode; /* 0: accepted */
};

#define LOCAL_ID 0xc0000201u

static const struct validate_case validate_cases[] = {
	{"plain eBGP", 64512, 30, 1, true, 64512, 64512, false, 0},
	{"hold 0", 64512, 0, 1, true, 64512, 64512, false, 0},
	{"hold 3", 64512, 3, 1, true, 64512, 64512, false, 0},
	{"any AS", 64999, 3, 1, false, 0, 0, false, 0},
	{"hold 1", 64512, 1, 1, true, 64512, 64512, false, BGP_ERR_OPEN_HOLD_TIME},
	{"hold 2", 64512, 2, 1, true, 64512, 64512, false, BGP_ERR_OPEN_HOLD_TIME},
	{"id 0", 64512, 30, 0, true, 64512, 64512, false, BGP_ERR_OPEN_BAD_ID},
	{"iBGP same id", 64521, 30, LOCAL_ID, true, 64521, 64521, true, BGP_ERR_OPEN_BAD_ID},
	{"eBGP same id", 64512, 30, LOCAL_ID, true, 64512, 64512, false, 0},
	{"wrong AS", 64513, 30, 1, true, 64513, 64512, false, BGP_ERR_OPEN_BAD_AS},
	{"wrong 2-octet AS", 64513, 30, 1, false, 0, 64512, false, BGP_ERR_OPEN_BAD_AS},
	{"AS_TRANS without AS4", BGP_AS_TRANS, 30, 1, false, 0, 0, false, BGP_ERR_OPEN_BAD_AS},
	{"AS4 value 0", 64512, 30, 1, true, 0, 0, false, BGP_ERR_OPEN_BAD_AS},
	{"AS4 value AS_TRANS", BGP_AS_TRANS, 30, 1, true, BGP_AS_TRANS, 0, false, BGP_ERR_OPEN_BAD_AS},
	{"My AS 0", 0, 30, 1, false, 0, 0, false, BGP_ERR_OPEN_BAD_AS},
	{"AS_TRANS with AS4", BGP_AS_TRANS, 30, 1, true, 4200000000u, 4200000000u, false, 0},
	/* RFC 4271 6.2 order: AS is checked before hold time and id. */
	{"bad AS and hold", 64513, 1, 0, true, 64513, 64512, false, BGP_ERR_OPEN_BAD_AS},
	{"bad hold and id", 64512, 2, 0, true, 64512, 64512, false, BGP_ERR_OPEN_HOLD_TIME},
};

static void test_validate(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(validate_cases) / sizeof(validate_cases[0]); i++) {
		const struct validate_case *c = &validate_cases[i];
		struct bgp_open o = {.version = 4, .my_as = c->my_as, .hold_time = c->hold,
				     .bgp_id = c->id};
		static struct bgp_notify n;
		o.caps.as4 = c->as4;
		o.caps.as4_asn = c->as4_asn;
		n.code = 0xee;
		print_message("case: %s\n", c->what);
		int rc = bgp_open_validate(&o, c->expected_as, LOCAL_ID, c->ibgp, &n);
		if (!c->subcode) {
			assert_int_equal(rc, 0);
			continue;
		}
		assert_int_equal(rc, -EBADMSG);
		assert_int_equal(n.code, BGP_ERR_OPEN);
		assert_int_equal(n.subcode, c->subcode);
		assert_int_equal(n.data_len, 0);
	}
	struct bgp_open v3 = {.version = 3, .my_as = 1, .hold_time = 3, .bgp_id = 1};
	static struct bgp_notify n;
	assert_int_equal(bgp_open_validate(&v3, 0, LOCAL_ID, false, &n), -EBADMSG);
	assert_int_equal(n.subcode, BGP_ERR_OPEN_VERSION);
	assert_int_equal(n.data_len, 2);
	assert_int_equal(n.data[1], 4);
}

static void test_negotiate(void **state)
{
	(void)state;
	struct bgp_open local = open_full();
	struct bgp_caps remote = {0};
	struct bgp_negotiated neg;

	/* A bare RFC 4271 peer: IPv4 only (RFC 4760 8), nothing else. */
	bgp_caps_decode_finish(&remote);
	bgp_caps_negotiate(&local.caps, &remote, &neg);
	assert_int_equal(neg.families, V4);
	assert_false(neg.as4);
	assert_false(neg.route_refresh);
	assert_false(neg.enhanced_route_refresh);
	assert_false(neg.extended_message);
	assert_false(neg.peer_graceful_restart);

	/* Hand-built caps without MP are read the same way. */
	struct bgp_caps raw = {0};
	bgp_caps_negotiate(&local.caps, &raw, &neg);
	assert_int_equal(neg.families, V4);

	/* IPv6-only peer with everything. */
	remote = local.caps;
	remote.families = V6;
	bgp_caps_negotiate(&local.caps, &remote, &neg);
	assert_int_equal(neg.families, V6);
	assert_true(neg.as4);
	assert_true(neg.route_refresh);
	assert_true(neg.enhanced_route_refresh);
	assert_true(neg.extended_message);
	assert_true(neg.peer_graceful_restart);

	/* Each feature needs both sides. */
	remote = local.caps;
	local.caps.extended_message = false;
	local.caps.route_refresh = false;
	remote.as4 = false;
	remote.graceful_restart = false;
	bgp_caps_negotiate(&local.caps, &remote, &neg);
	assert_int_equal(neg.families, V4 | V6);
	assert_false(neg.extended_message);
	assert_false(neg.route_refresh);
	assert_false(neg.as4);
	assert_false(neg.peer_graceful_restart);
	assert_true(neg.enhanced_route_refresh);

	/* MP present on both with no common family: nothing. */
	remote.families = 0;
	bgp_caps_negotiate(&local.caps, &remote, &neg);
	assert_int_equal(neg.families, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_all_caps),
		cmocka_unit_test(test_round_trip_each_cap),
		cmocka_unit_test(test_no_mp_means_ipv4),
		cmocka_unit_test(test_four_octet_local_as),
		cmocka_unit_test(test_extended_params_forced),
		cmocka_unit_test(test_extended_params_over_255),
		cmocka_unit_test(test_caps_accumulate),
		cmocka_unit_test(test_malformed_opens),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_negotiate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
