/* UPDATE packing: many prefixes split over messages that each respect
 * the peer's maximum size, every prefix recovered by the decoder; the
 * same for withdrawals and IPv6; End-of-RIB markers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <arpa/inet.h>

#include "bgp/update.h"

static struct bgp_attrs *attrs_v4v6(void)
{
	struct bgp_attrs *a = bgp_attrs_new();
	const uint8_t p[] = {2, 2, 0, 0, 0xfd, 0xe8, 0, 0, 0xfd, 0xe9};
	assert_int_equal(bgp_attrs_set_aspath(a, p, sizeof(p)), 0);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP) |
		      BGP_ATTR_BIT(BGP_ATTR_MED);
	a->nexthop.s_addr = htonl(0xc0000201);
	a->med = 10;
	struct addr nh;
	addr_parse("2001:db8::1", &nh);
	assert_int_equal(bgp_attrs_set_mp_nexthop(a, &nh, NULL), 0);
	return a;
}

/* Splits w's buffer into messages, checks each header and size,
 * decodes each and appends its prefixes to got[]. */
static size_t decode_all(const struct wbuf *w, size_t max, bool announce, struct prefix *got,
			 size_t cap, const struct bgp_attrs *want_attrs, size_t *n_msgs)
{
	size_t off = 0, n = 0;
	*n_msgs = 0;
	struct bgp_decode_ctx dc = {.as4 = true, .ebgp = true, .families = 3, .max_msg = max};
	while (off < w->len) {
		assert_true(w->len - off >= 19);
		size_t len = (size_t)w->data[off + 16] << 8 | w->data[off + 17];
		assert_true(len >= 23 && len <= max);
		assert_true(off + len <= w->len);
		assert_int_equal(w->data[off + 18], BGP_MSG_UPDATE);
		struct bgp_update u;
		assert_int_equal(bgp_update_decode(w->data + off + 19, len - 19, &dc, &u), 0);
		assert_int_equal(u.action, BGP_UPD_OK);
		uint32_t k = announce ? u.n_announced : u.n_withdrawn;
		assert_int_equal(announce ? u.n_withdrawn : u.n_announced, 0);
		for (uint32_t i = 0; i < k && n < cap; i++)
			got[n++] = announce ? u.announced[i] : u.withdrawn[i];
		if (announce) {
			/* NEXT_HOP is dropped from MP-only UPDATEs (RFC 4760 3), so
			 * compare the fields that must survive. */
			assert_int_equal(u.attrs->med, want_attrs->med);
			assert_int_equal(u.attrs->aspath_len, want_attrs->aspath_len);
		}
		bgp_update_free(&u);
		off += len;
		(*n_msgs)++;
	}
	return n;
}

static void pack_case(bool v6, bool announce, size_t count, size_t max)
{
	struct prefix *pfx = calloc(count, sizeof(*pfx));
	struct prefix *got = calloc(count + 1, sizeof(*got));
	for (size_t i = 0; i < count; i++) {
		pfx[i].addr.af = v6 ? AF_INET6 : AF_INET;
		if (v6) {
			pfx[i].addr.b[0] = 0x20;
			pfx[i].addr.b[1] = 0x01;
			pfx[i].addr.b[4] = (uint8_t)(i >> 8);
			pfx[i].addr.b[5] = (uint8_t)i;
			pfx[i].len = 48;
		} else {
			pfx[i].addr.b[0] = (uint8_t)(10 + i / 65536);
			pfx[i].addr.b[1] = (uint8_t)(i >> 8);
			pfx[i].addr.b[2] = (uint8_t)i;
			pfx[i].len = 24;
		}
	}
	struct bgp_attrs *a = attrs_v4v6();
	struct bgp_encode_ctx ec = {.as4 = true, .ebgp = true, .max_msg = max};
	struct wbuf w;
	wbuf_init(&w, 64u << 20);
	size_t done = 0, calls = 0;
	/* Packing is tight: every message but the last had no room left
	 * for one more prefix. */
	size_t per = v6 ? 7 : 4;
	while (done < count) {
		size_t before = w.len;
		long k = announce ? bgp_update_encode_announce(&w, &ec, a, pfx + done, count - done)
				  : bgp_update_encode_withdraw(&w, &ec, pfx + done, count - done);
		assert_true(k >= 1);
		done += (size_t)k;
		calls++;
		if (done < count)
			assert_true(w.len - before + per > max);
	}
	assert_int_equal(done, count);
	size_t n_msgs;
	size_t n = decode_all(&w, max, announce, got, count + 1, a, &n_msgs);
	assert_int_equal(n_msgs, calls);
	assert_int_equal(n, count);
	for (size_t i = 0; i < count; i++)
		assert_true(prefix_eq(&pfx[i], &got[i]));
	wbuf_free(&w);
	bgp_attrs_unref(a);
	free(pfx);
	free(got);
}

static void test_pack_10000_v4(void **state)
{
	(void)state;
	pack_case(false, true, 10000, 4096);
	pack_case(false, false, 10000, 4096);
}

static void test_pack_v6(void **state)
{
	(void)state;
	pack_case(true, true, 3000, 4096);
	pack_case(true, false, 3000, 4096);
}

static void test_pack_extended_messages(void **state)
{
	(void)state;
	/* RFC 8654: with extended messages up to 65535 bytes each. */
	pack_case(false, true, 40000, 65535);
	pack_case(true, true, 20000, 65535);
}

static void test_pack_stops_at_other_family(void **state)
{
	(void)state;
	struct prefix p[3];
	prefix_parse("10.0.0.0/8", &p[0]);
	prefix_parse("11.0.0.0/8", &p[1]);
	prefix_parse("2001:db8::/32", &p[2]);
	struct bgp_attrs *a = attrs_v4v6();
	struct bgp_encode_ctx ec = {.as4 = true, .ebgp = true, .max_msg = 4096};
	struct wbuf w;
	wbuf_init(&w, 65535);
	assert_int_equal(bgp_update_encode_announce(&w, &ec, a, p, 3), 2);
	assert_int_equal(bgp_update_encode_withdraw(&w, &ec, p, 3), 2);
	assert_int_equal(bgp_update_encode_announce(&w, &ec, a, p + 2, 1), 1);
	/* No IPv6 next hop: refused. */
	assert_int_equal(bgp_attrs_set_mp_nexthop(a, NULL, NULL), 0);
	assert_int_equal(bgp_update_encode_announce(&w, &ec, a, p + 2, 1), -EINVAL);
	assert_int_equal(bgp_update_encode_announce(&w, &ec, a, p, 0), -EINVAL);
	/* A message too small for one prefix after the attributes. */
	ec.max_msg = 40;
	assert_int_equal(bgp_update_encode_announce(&w, &ec, a, p, 1), -EMSGSIZE);
	wbuf_free(&w);
	bgp_attrs_unref(a);
}

static void test_end_of_rib(void **state)
{
	(void)state;
	struct bgp_decode_ctx dc = {.as4 = true, .ebgp = true, .families = 3, .max_msg = 4096};
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		struct wbuf w;
		wbuf_init(&w, 4096);
		assert_int_equal(bgp_update_encode_eor(&w, (enum bgp_family)f), 0);
		assert_int_equal(w.len, f == BGP_FAM_IPV4_UNICAST ? 23 : 29);
		struct bgp_update u;
		assert_int_equal(bgp_update_decode(w.data + 19, w.len - 19, &dc, &u), 0);
		assert_int_equal(u.action, BGP_UPD_OK);
		assert_true(u.end_of_rib);
		assert_int_equal(u.eor_family, f);
		assert_null(u.attrs);
		bgp_update_free(&u);
		wbuf_free(&w);
	}
	struct wbuf w;
	wbuf_init(&w, 4096);
	assert_int_equal(bgp_update_encode_eor(&w, BGP_FAM_COUNT), -EINVAL);
	assert_int_equal(w.len, 0);
	wbuf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pack_10000_v4),
		cmocka_unit_test(test_pack_v6),
		cmocka_unit_test(test_pack_extended_messages),
		cmocka_unit_test(test_pack_stops_at_other_family),
		cmocka_unit_test(test_end_of_rib),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
