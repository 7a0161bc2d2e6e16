/* Path attributes: encode/decode round trip of every attribute through
 * a real UPDATE, for 4-octet and 2-octet peers, eBGP and iBGP; the RFC
 * 6793 AS_TRANS / AS4_PATH forms and the 4.2.3 merge; AS path helpers;
 * reference counting, copies, equality and hashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <arpa/inet.h>

#include "bgp/attr.h"
#include "bgp/update.h"
#include "test_update_util.h"

/* Canonical path from text: "S 1 2 | T 3 4 | C 5 | D 6" (sequence, set,
 * confed sequence, confed set). */
static size_t path(const char *s, uint8_t *out)
{
	size_t n = 0, cnt_at = 0;
	while (*s) {
		if (*s == ' ' || *s == '|') {
			s++;
			continue;
		}
		if (*s >= 'A' && *s <= 'Z') {
			uint8_t t = *s == 'T' ? 1 : *s == 'S' ? 2 : *s == 'C' ? 3 : 4;
			out[n++] = t;
			cnt_at = n;
			out[n++] = 0;
			s++;
			continue;
		}
		char *end;
		unsigned long v = strtoul(s, &end, 10);
		s = end;
		out[n++] = (uint8_t)(v >> 24);
		out[n++] = (uint8_t)(v >> 16);
		out[n++] = (uint8_t)(v >> 8);
		out[n++] = (uint8_t)v;
		out[cnt_at]++;
	}
	return n;
}

static void assert_path(const struct bgp_attrs *a, const char *want)
{
	uint8_t w[1024];
	size_t wl = path(want, w);
	char got[512], exp[512];
	bgp_aspath_format(bgp_attrs_aspath(a), a->aspath_len, got, sizeof(got));
	bgp_aspath_format(w, wl, exp, sizeof(exp));
	if (a->aspath_len != wl || memcmp(bgp_attrs_aspath(a), w, wl) != 0) {
		fprintf(stderr, "path \"%s\", want \"%s\"\n", got, exp);
		fail();
	}
}

static struct bgp_attrs *full_attrs(bool ibgp, bool v6)
{
	struct bgp_attrs *a = bgp_attrs_new();
	struct bgp_attrs_mut *m = bgp_attrs_mut(a);
	uint8_t p[256];
	size_t pl = path(ibgp ? "C 64512 | S 65000 4200000000 65001 | T 1 2"
			      : "S 65000 4200000000 65001 | T 1 2", p);
	assert_int_equal(bgp_attrs_set_aspath(a, p, pl), 0);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_MED) |
		      BGP_ATTR_BIT(BGP_ATTR_ATOMIC_AGGREGATE) | BGP_ATTR_BIT(BGP_ATTR_AGGREGATOR) |
		      BGP_ATTR_BIT(BGP_ATTR_EXT_COMMUNITIES);
	a->origin = BGP_ORIGIN_EGP;
	a->med = 50;
	if (ibgp) {
		a->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
		a->local_pref = 200;
	}
	m->agg = (struct bgp_aggregator){ 4200000001u, 0x0a000001u };
	const uint32_t comm[] = {65000u << 16 | 1, 65000u << 16 | 2};
	assert_int_equal(bgp_attrs_set_communities(a, comm, 2), 0);
	static const uint8_t ext[16] = {0x00, 0x02, 0xfd, 0xe8, 0, 0, 0, 1,
					0x01, 0x03, 0xc0, 0x00, 0x02, 0x01, 0, 7};
	m->ext_communities = malloc(16);
	memcpy(m->ext_communities, ext, 16);
	a->n_ext_communities = 2;
	const struct bgp_large_community lc[] = {{4200000000u, 1, 2}, {65000, 3, 4}};
	assert_int_equal(bgp_attrs_set_large_communities(a, lc, 2), 0);
	m->unknown = calloc(2, sizeof(*m->unknown));
	a->n_unknown = 2;
	m->unknown[0] = (struct bgp_attr_raw){.flags = 0xe0, .code = 28, .len = 3,
					      .data = malloc(3)};
	memcpy(m->unknown[0].data, "\x01\x02\x03", 3);
	m->unknown[1] = (struct bgp_attr_raw){.flags = 0xe0, .code = 99, .len = 0};
	if (v6) {
		struct addr nh, ll;
		addr_parse("2001:db8::1", &nh);
		addr_parse("fe80::1", &ll);
		assert_int_equal(bgp_attrs_set_mp_nexthop(a, &nh, &ll), 0);
	} else {
		a->present |= BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
		a->nexthop.s_addr = htonl(0xc0000201);
	}
	return a;
}

/* Encodes one UPDATE announcing pfx with a, decodes it, returns it. */
static void round_trip(const struct bgp_attrs *a, const char *pfx, bool as4, bool ibgp,
		       struct bgp_update *u, struct wbuf *w)
{
	struct prefix p;
	assert_int_equal(prefix_parse(pfx, &p), 0);
	struct bgp_encode_ctx ec = {.as4 = as4, .ebgp = !ibgp, .max_msg = 4096};
	wbuf_init(w, 65535);
	assert_int_equal(bgp_update_encode_announce(w, &ec, a, &p, 1), 1);
	assert_true(w->len <= 4096);
	assert_int_equal(w->data[18], BGP_MSG_UPDATE);
	assert_int_equal((w->data[16] << 8) | w->data[17], w->len);
	struct bgp_decode_ctx dc = {.as4 = as4, .ebgp = !ibgp, .families = 3, .max_msg = 4096};
	assert_int_equal(bgp_update_decode(w->data + 19, w->len - 19, &dc, u), 0);
	if (u->action != BGP_UPD_OK) {
		for (unsigned i = 0; i < u->n_diag; i++)
			fprintf(stderr, "diag %u: %s\n", u->diag[i].attr_code, u->diag[i].reason);
		fail();
	}
	assert_int_equal(u->n_announced, 1);
	assert_true(prefix_eq(&u->announced[0], &p));
	assert_non_null(u->attrs);
}

/* Offset of attribute code in the path attributes of an encoded UPDATE,
 * or -1. */
static long find_attr(const struct wbuf *w, uint8_t code, uint8_t *flags)
{
	size_t wl = (w->data[19] << 8) | w->data[20];
	size_t off = 21 + wl;
	size_t al = (w->data[off] << 8) | w->data[off + 1];
	size_t p = off + 2, end = off + 2 + al;
	while (p < end) {
		uint8_t f = w->data[p], c = w->data[p + 1];
		size_t len = (f & 0x10) ? ((size_t)w->data[p + 2] << 8 | w->data[p + 3]) : w->data[p + 2];
		size_t hl = (f & 0x10) ? 4 : 3;
		if (c == code) {
			*flags = f;
			return (long)p;
		}
		p += hl + len;
	}
	return -1;
}

static void check_every_attribute(bool as4, bool ibgp, bool v6)
{
	struct bgp_attrs *a = full_attrs(ibgp, v6);
	struct bgp_update u;
	struct wbuf w;
	round_trip(a, v6 ? "2001:db8:1::/48" : "10.1.0.0/16", as4, ibgp, &u, &w);
	assert_true(bgp_attrs_equal(u.attrs, a));
	assert_int_equal(bgp_attrs_hash(u.attrs), bgp_attrs_hash(a));
	uint8_t f;
	/* RFC 6793 4.2.2: 2-octet peers get AS4_PATH and AS4_AGGREGATOR. */
	assert_int_equal(find_attr(&w, BGP_ATTR_AS4_PATH, &f) >= 0, !as4);
	assert_int_equal(find_attr(&w, BGP_ATTR_AS4_AGGREGATOR, &f) >= 0, !as4);
	/* RFC 4760 3 and RFC 7606 5.1: IPv6 in MP_REACH, written first,
	 * and no NEXT_HOP with it. */
	if (v6) {
		assert_int_equal(find_attr(&w, BGP_ATTR_MP_REACH_NLRI, &f), 23);
		assert_true(find_attr(&w, BGP_ATTR_NEXT_HOP, &f) < 0);
	}
	/* Unknown transitive attributes go out with the Partial bit. */
	long off = find_attr(&w, 28, &f);
	assert_true(off >= 0);
	assert_int_equal(f, 0xe0);
	bgp_update_free(&u);
	wbuf_free(&w);
	bgp_attrs_unref(a);
}

static void test_round_trip_every_attribute(void **state)
{
	(void)state;
	for (int as4 = 0; as4 < 2; as4++)
		for (int ibgp = 0; ibgp < 2; ibgp++)
			for (int v6 = 0; v6 < 2; v6++)
				check_every_attribute(as4, ibgp, v6);
}

static void test_local_pref_not_sent_to_ebgp(void **state)
{
	(void)state;
	struct bgp_attrs *a = full_attrs(true, false);
	struct bgp_update u;
	struct wbuf w;
	round_trip(a, "10.0.0.0/8", true, true, &u, &w);
	assert_true(bgp_attrs_has(u.attrs, BGP_ATTR_LOCAL_PREF));
	assert_int_equal(u.attrs->local_pref, 200);
	bgp_update_free(&u);
	wbuf_free(&w);
	/* eBGP (and a path without confederation segments). */
	uint8_t p[64];
	size_t pl = path("S 65000", p);
	bgp_attrs_set_aspath(a, p, pl);
	round_trip(a, "10.0.0.0/8", true, false, &u, &w);
	uint8_t f;
	assert_true(find_attr(&w, BGP_ATTR_LOCAL_PREF, &f) < 0);
	assert_false(bgp_attrs_has(u.attrs, BGP_ATTR_LOCAL_PREF));
	bgp_update_free(&u);
	wbuf_free(&w);
	bgp_attrs_unref(a);
}

static void test_extended_length_when_needed(void **state)
{
	(void)state;
	struct bgp_attrs *a = full_attrs(false, false);
	uint32_t c[100];
	for (unsigned i = 0; i < 100; i++)
		c[i] = 65000u << 16 | i;
	assert_int_equal(bgp_attrs_set_communities(a, c, 100), 0);
	struct bgp_update u;
	struct wbuf w;
	round_trip(a, "10.0.0.0/8", true, false, &u, &w);
	uint8_t f;
	assert_true(find_attr(&w, BGP_ATTR_COMMUNITIES, &f) >= 0);
	assert_int_equal(f, 0xd0); /* optional transitive + extended length */
	assert_true(find_attr(&w, BGP_ATTR_ORIGIN, &f) >= 0);
	assert_int_equal(f, 0x40); /* short ones stay short */
	assert_true(bgp_attrs_equal(u.attrs, a));
	bgp_update_free(&u);
	wbuf_free(&w);
	bgp_attrs_unref(a);
}

static void test_attributes_in_type_order(void **state)
{
	(void)state;
	struct bgp_attrs *a = full_attrs(true, true);
	struct prefix p;
	prefix_parse("2001:db8::/32", &p);
	struct bgp_encode_ctx ec = {.as4 = false, .ebgp = false, .max_msg = 4096};
	struct wbuf w;
	wbuf_init(&w, 65535);
	assert_int_equal(bgp_update_encode_announce(&w, &ec, a, &p, 1), 1);
	size_t off = 23, end = 23 + ((w.data[21] << 8) | w.data[22]);
	int last = -1;
	bool first = true;
	while (off < end) {
		uint8_t f = w.data[off], c = w.data[off + 1];
		size_t len = (f & 0x10) ? ((size_t)w.data[off + 2] << 8 | w.data[off + 3])
					: w.data[off + 2];
		if (first)
			assert_int_equal(c, BGP_ATTR_MP_REACH_NLRI);
		else
			assert_true((int)c > last);
		if (!first)
			last = c;
		first = false;
		off += ((f & 0x10) ? 4 : 3) + len;
	}
	assert_int_equal(off, end);
	assert_int_equal(last, 99);
	wbuf_free(&w);
	bgp_attrs_unref(a);
}

static void test_as_trans_on_the_wire(void **state)
{
	(void)state;
	struct bgp_attrs *a = bgp_attrs_new();
	uint8_t p[64];
	size_t pl = path("S 65000 4200000000", p);
	bgp_attrs_set_aspath(a, p, pl);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	a->nexthop.s_addr = htonl(0xc0000201);
	struct bgp_update u;
	struct wbuf w;
	round_trip(a, "10.0.0.0/8", false, false, &u, &w);
	uint8_t f, want_as[] = {0x40, 0x02, 0x06, 0x02, 0x02, 0xfd, 0xe8, 0x5b, 0xa0};
	long off = find_attr(&w, BGP_ATTR_AS_PATH, &f);
	assert_true(off >= 0);
	assert_memory_equal(w.data + off, want_as, sizeof(want_as));
	uint8_t want_as4[] = {0xc0, 0x11, 0x0a, 0x02, 0x02, 0x00, 0x00, 0xfd, 0xe8,
			      0xfa, 0x56, 0xea, 0x00};
	off = find_attr(&w, BGP_ATTR_AS4_PATH, &f);
	assert_true(off >= 0);
	assert_memory_equal(w.data + off, want_as4, sizeof(want_as4));
	assert_path(u.attrs, "S 65000 4200000000");
	bgp_update_free(&u);
	wbuf_free(&w);
	/* Only 2-octet ASNs: no AS4_PATH at all. */
	pl = path("S 65000 65001", p);
	bgp_attrs_set_aspath(a, p, pl);
	round_trip(a, "10.0.0.0/8", false, false, &u, &w);
	assert_true(find_attr(&w, BGP_ATTR_AS4_PATH, &f) < 0);
	bgp_update_free(&u);
	wbuf_free(&w);
	bgp_attrs_unref(a);
}

/* RFC 6793 4.2.3 merges, decoded from a 2-octet peer. */
static void merge_case(const char *attrs, const char *want_path, uint32_t want_agg)
{
	uint8_t body[1024];
	size_t len = body_build(NULL, attrs, "18 0a 00 00", body, sizeof(body));
	struct bgp_decode_ctx dc = {.as4 = false, .ebgp = true, .families = 3, .max_msg = 4096};
	struct bgp_update u;
	assert_int_equal(bgp_update_decode(body, len, &dc, &u), 0);
	assert_true(u.action <= BGP_UPD_ATTR_DISCARD);
	assert_non_null(u.attrs);
	assert_path(u.attrs, want_path);
	if (want_agg)
		assert_int_equal(bgp_attrs_aggregator(u.attrs).as, want_agg);
	bgp_update_free(&u);
}

#define M_ORIGIN "40 01 01 00 "
#define M_NH "40 03 04 c0 00 02 01 "

static void test_as4_merge(void **state)
{
	(void)state;
	/* AS_PATH 100 23456 200, AS4_PATH 70000 200: the leading 100 kept. */
	merge_case(M_ORIGIN "40 02 08 02 03 00 64 5b a0 00 c8 " M_NH
		   "c0 11 0a 02 02 00 01 11 70 00 00 00 c8",
		   "S 100 | S 70000 200", 0);
	/* AS4_PATH first (GoBGP panic): the same result. */
	merge_case(M_ORIGIN "c0 11 0a 02 02 00 01 11 70 00 00 00 c8 "
		   "40 02 08 02 03 00 64 5b a0 00 c8 " M_NH,
		   "S 100 | S 70000 200", 0);
	/* AS4_PATH longer than AS_PATH: ignored. */
	merge_case(M_ORIGIN "40 02 04 02 01 5b a0 " M_NH "c0 11 0a 02 02 00 01 11 70 00 00 00 c8",
		   "S 23456", 0);
	/* An AS_SET counts one. */
	merge_case(M_ORIGIN "40 02 0c 02 02 00 64 5b a0 01 02 00 01 00 02 " M_NH
		   "c0 11 10 02 01 00 01 11 70 01 02 00 00 00 01 00 00 00 02",
		   "S 100 | S 70000 | T 1 2", 0);
	/* Confederation segments in AS4_PATH are dropped, the rest used. */
	merge_case(M_ORIGIN "40 02 04 02 01 5b a0 " M_NH
		   "c0 11 0c 03 01 00 00 00 05 02 01 00 01 11 70",
		   "S 70000", 0);
	/* AGGREGATOR AS_TRANS + AS4_AGGREGATOR: the real AS. */
	merge_case(M_ORIGIN "40 02 04 02 01 5b a0 " M_NH "c0 07 06 5b a0 c0 00 02 01 "
		   "c0 11 06 02 01 00 01 11 70 c0 12 08 00 01 11 71 c0 00 02 01",
		   "S 70000", 70001);
	/* AGGREGATOR naming a 2-octet AS: AS4_PATH and AS4_AGGREGATOR
	 * are stale and ignored. */
	merge_case(M_ORIGIN "40 02 04 02 01 5b a0 " M_NH "c0 07 06 00 64 c0 00 02 01 "
		   "c0 11 06 02 01 00 01 11 70 c0 12 08 00 01 11 71 c0 00 02 01",
		   "S 23456", 100);
}

static void test_aspath_helpers(void **state)
{
	(void)state;
	uint8_t p[2048];
	size_t pl = path("C 1 2 | S 10 20 30 | T 40 50 | D 3", p);
	/* RFC 4271 9.1.2.2: set counts 1, confederation 0. */
	assert_int_equal(bgp_aspath_length(p, pl), 4);
	uint32_t asns[8];
	assert_int_equal(bgp_aspath_asns(p, pl, asns, 8), 5);
	assert_int_equal(asns[0], 10);
	assert_int_equal(asns[4], 50);
	assert_int_equal(bgp_aspath_asns(p, pl, asns, 2), 5); /* bounded output */
	assert_true(bgp_aspath_contains(p, pl, 40));
	assert_false(bgp_aspath_contains(p, pl, 41));
	char buf[128];
	bgp_aspath_format(p, pl, buf, sizeof(buf));
	assert_string_equal(buf, "(1 2) 10 20 30 {40 50} [3]");
	bgp_aspath_format(p, pl, buf, 8); /* cut, still terminated */
	assert_true(strlen(buf) < 8);

	/* Prepend past 255 opens a new segment (the 2009 crash). */
	pl = path("S 1 2 3", p);
	size_t ol;
	uint8_t *o = bgp_aspath_prepend(p, pl, 65000, 300, &ol);
	assert_non_null(o);
	assert_int_equal(bgp_aspath_length(o, ol), 303);
	assert_int_equal(o[0], BGP_AS_SEQUENCE);
	assert_int_equal(o[1], 255);
	assert_int_equal(o[2 + 255 * 4], BGP_AS_SEQUENCE);
	assert_int_equal(o[3 + 255 * 4], 48);
	struct bgp_attrs *a = bgp_attrs_new();
	assert_int_equal(bgp_attrs_set_aspath(a, o, ol), 0); /* still valid */
	free(o);
	/* ...and goes out to a 2-octet peer in segments of <= 255. */
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	a->nexthop.s_addr = htonl(0xc0000201);
	struct bgp_update u;
	struct wbuf w;
	round_trip(a, "10.0.0.0/8", false, false, &u, &w);
	assert_int_equal(bgp_aspath_length(bgp_attrs_aspath(u.attrs), u.attrs->aspath_len), 303);
	assert_true(bgp_attrs_equal(a, u.attrs));
	bgp_update_free(&u);
	wbuf_free(&w);

	/* Prepending onto a set or an empty path starts a sequence. */
	o = bgp_aspath_prepend(NULL, 0, 7, 2, &ol);
	assert_non_null(o);
	assert_int_equal(ol, 10);
	free(o);
	pl = path("T 1 2", p);
	o = bgp_aspath_prepend(p, pl, 7, 1, &ol);
	bgp_aspath_format(o, ol, buf, sizeof(buf));
	assert_string_equal(buf, "7 {1 2}");
	free(o);

	/* Setters refuse malformed canonical paths. */
	const uint8_t bad1[] = {2, 0};
	const uint8_t bad2[] = {2, 2, 0, 0, 0, 1};
	const uint8_t bad3[] = {9, 1, 0, 0, 0, 1};
	assert_int_equal(bgp_attrs_set_aspath(a, bad1, sizeof(bad1)), -EINVAL);
	assert_int_equal(bgp_attrs_set_aspath(a, bad2, sizeof(bad2)), -EINVAL);
	assert_int_equal(bgp_attrs_set_aspath(a, bad3, sizeof(bad3)), -EINVAL);
	bgp_attrs_unref(a);
}

static void test_ref_dup_equal_hash(void **state)
{
	(void)state;
	struct bgp_attrs *a = full_attrs(true, true);
	assert_ptr_equal(bgp_attrs_ref(a), a);
	assert_int_equal(a->refcnt, 2);
	bgp_attrs_unref(a);
	struct bgp_attrs *d = bgp_attrs_dup(a);
	assert_non_null(d);
	assert_int_equal(d->refcnt, 1);
	assert_ptr_not_equal(bgp_attrs_aspath(d), bgp_attrs_aspath(a));
	assert_ptr_not_equal(bgp_attrs_unknown(d)[0].data, bgp_attrs_unknown(a)[0].data);
	assert_true(bgp_attrs_equal(a, d));
	assert_int_equal(bgp_attrs_hash(a), bgp_attrs_hash(d));
	d->med = 51;
	assert_false(bgp_attrs_equal(a, d));
	d->med = a->med;
	bgp_attrs_unknown(d)[0].data[2] = 9;
	assert_false(bgp_attrs_equal(a, d));
	assert_int_not_equal(bgp_attrs_hash(a), bgp_attrs_hash(d));
	bgp_attrs_unknown(d)[0].data[2] = 3;
	bgp_attrs_mut(d)->large_communities[1].local2 = 5;
	assert_false(bgp_attrs_equal(a, d));
	bgp_attrs_mut(d)->large_communities[1].local2 = 4;
	assert_int_equal(bgp_attrs_set_mp_nexthop(d, bgp_attrs_mp_nexthop(d), NULL), 0);
	assert_false(bgp_attrs_equal(a, d));
	bgp_attrs_unref(d);
	/* Clearing communities also clears the present bit. */
	assert_int_equal(bgp_attrs_set_communities(a, NULL, 0), 0);
	assert_false(bgp_attrs_has(a, BGP_ATTR_COMMUNITIES));
	bgp_attrs_unref(a);
	bgp_attrs_unref(NULL);
}

/* NEXT_HOP only for IPv4, MP_REACH's next hop only for its own family. */
static void test_nexthop_for_family(void **state)
{
	(void)state;
	struct bgp_attrs *a = bgp_attrs_new();
	assert_non_null(a);
	struct addr nh, v4, v6;
	assert_int_equal(addr_parse("192.0.2.1", &v4), 0);
	assert_int_equal(addr_parse("2001:db8::1", &v6), 0);
	assert_false(bgp_attrs_nexthop(a, AF_INET, &nh));
	assert_int_equal(nh.af, 0);
	memcpy(&a->nexthop, v4.b, 4);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	assert_true(bgp_attrs_nexthop(a, AF_INET, &nh));
	assert_true(addr_eq(&nh, &v4));
	assert_false(bgp_attrs_nexthop(a, AF_INET6, &nh));
	assert_int_equal(bgp_attrs_set_mp_nexthop(a, &v6, NULL), 0);
	assert_true(bgp_attrs_nexthop(a, AF_INET6, &nh));
	assert_true(addr_eq(&nh, &v6));
	/* IPv4 prefers NEXT_HOP; without it an IPv4 MP_REACH next hop serves. */
	assert_true(bgp_attrs_nexthop(a, AF_INET, &nh));
	assert_true(addr_eq(&nh, &v4));
	a->present &= ~BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	assert_int_equal(bgp_attrs_set_mp_nexthop(a, &v4, NULL), 0);
	assert_true(bgp_attrs_nexthop(a, AF_INET, &nh));
	assert_true(addr_eq(&nh, &v4));
	bgp_attrs_unref(a);
}

static unsigned prefetched;

static void count_prefetch(struct bgp_attrs_hook *h, const struct bgp_attrs *a)
{
	(void)h;
	(void)a;
	prefetched++;
}

static void no_release(struct bgp_attrs_hook *h, struct bgp_attrs *a)
{
	(void)h;
	(void)a;
}

/* The release hint reaches the set's hook only when the references
 * about to go are all the set has, and never for an unhooked set. */
static void test_prefetch_release_hint(void **state)
{
	(void)state;
	struct bgp_attrs_hook h = { .release = no_release, .prefetch = count_prefetch };
	int id = bgp_attrs_hook_register(&h);
	assert_true(id > 0);
	struct bgp_attrs *a = bgp_attrs_new();
	bgp_attrs_prefetch_release(a, 1);
	assert_int_equal(prefetched, 0); /* not hooked */
	a->hook_id = (uint8_t)id;
	bgp_attrs_ref(bgp_attrs_ref(a)); /* three references */
	bgp_attrs_prefetch_release(a, 2);
	assert_int_equal(prefetched, 0); /* one would stay */
	bgp_attrs_prefetch_release(a, 3);
	assert_int_equal(prefetched, 1);
	bgp_attrs_prefetch_release(NULL, 1);
	assert_int_equal(prefetched, 1);
	a->hook_id = 0;
	bgp_attrs_unref(a);
	bgp_attrs_unref(a);
	bgp_attrs_unref(a);
	bgp_attrs_hook_unregister((unsigned)id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_attribute),
		cmocka_unit_test(test_local_pref_not_sent_to_ebgp),
		cmocka_unit_test(test_extended_length_when_needed),
		cmocka_unit_test(test_attributes_in_type_order),
		cmocka_unit_test(test_as_trans_on_the_wire),
		cmocka_unit_test(test_as4_merge),
		cmocka_unit_test(test_aspath_helpers),
		cmocka_unit_test(test_ref_dup_equal_hash),
		cmocka_unit_test(test_nexthop_for_family),
		cmocka_unit_test(test_prefetch_release_hint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
