/* Export rules (daemon/export.h): what each kind of peer is told about a
 * best path, one test per rule, each citing the RFC text it follows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/export.h"

#define LOCAL_AS 65102u

static struct rib_peer local_peer = { .id = DAEMON_LOCAL_PEER_ID, .as = LOCAL_AS };
static struct rib_peer ebgp_src = { .id = 1, .as = 65101, .ebgp = true };
static struct rib_peer ibgp_src = { .id = 2, .as = LOCAL_AS, .ebgp = false };

static struct export_target ebgp_target(void)
{
	struct export_target t = { .peer_id = 3, .peer_as = 65103, .local_as = LOCAL_AS,
				   .ebgp = true };
	addr_parse("192.0.2.2", &t.self4);
	addr_parse("2001:db8::2", &t.self6);
	return t;
}

static struct export_target ibgp_target(void)
{
	struct export_target t = ebgp_target();
	t.peer_id = 4;
	t.peer_as = LOCAL_AS;
	t.ebgp = false;
	return t;
}

/* A path as learned from 65101: AS_PATH [65101], NEXT_HOP 192.0.2.1,
 * MED 50, LOCAL_PREF 200 (as set on import). */
static struct bgp_attrs *learned_attrs(void)
{
	struct bgp_attrs *a = bgp_attrs_new();
	assert_non_null(a);
	const uint8_t seg[] = { BGP_AS_SEQUENCE, 1, 0, 0, 0xfe, 0x4d }; /* 65101 */
	assert_int_equal(bgp_attrs_set_aspath(a, seg, sizeof(seg)), 0);
	a->origin = BGP_ORIGIN_IGP;
	inet_pton(AF_INET, "192.0.2.1", &a->nexthop);
	a->med = 50;
	a->local_pref = 200;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP) |
		      BGP_ATTR_BIT(BGP_ATTR_MED) | BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
	return a;
}

static struct prefix pfx(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

static void first_asns(const struct bgp_attrs *a, uint32_t *out, size_t want)
{
	assert_int_equal(bgp_aspath_asns(bgp_attrs_aspath(a), a->aspath_len, out, 8), want);
}

/* RFC 4271 5.1.2, 5.1.3, 5.1.4, 5.1.5 on an eBGP session. */
static void test_ebgp_prepend_nexthop_self_no_lp_no_med(void **state)
{
	(void)state;
	struct bgp_attrs *src = learned_attrs(), *out = NULL;
	struct rib_path best = { .peer = &ebgp_src, .attrs = src, .nh_reachable = true };
	struct export_target t = ebgp_target();
	struct prefix p = pfx("198.51.100.0/24");
	assert_int_equal(export_attrs(&t, &p, &best, &out), EXPORT_SEND);
	assert_non_null(out);
	uint32_t asns[8];
	first_asns(out, asns, 2);
	assert_int_equal(asns[0], LOCAL_AS);
	assert_int_equal(asns[1], 65101);
	assert_true(bgp_attrs_has(out, BGP_ATTR_NEXT_HOP));
	assert_int_equal(ntohl(out->nexthop.s_addr), 0xc0000202u);
	assert_false(bgp_attrs_has(out, BGP_ATTR_LOCAL_PREF));
	assert_false(bgp_attrs_has(out, BGP_ATTR_MED));
	/* The source set is not touched (it may be interned). */
	assert_true(bgp_attrs_has(src, BGP_ATTR_MED));
	assert_int_equal(bgp_aspath_length(bgp_attrs_aspath(src), src->aspath_len), 1);
	bgp_attrs_unref(out);
	bgp_attrs_unref(src);
}

/* RFC 4271 5.1.4: our own route may carry a MED to a neighbouring AS. */
static void test_ebgp_keeps_own_med(void **state)
{
	(void)state;
	struct bgp_attrs *src = bgp_attrs_new(), *out = NULL;
	assert_int_equal(bgp_attrs_set_aspath(src, NULL, 0), 0);
	src->med = 7;
	src->present |= BGP_ATTR_BIT(BGP_ATTR_MED);
	struct rib_path best = { .peer = &local_peer, .attrs = src, .nh_reachable = true };
	struct export_target t = ebgp_target();
	struct prefix p = pfx("2001:db8:100::/48");
	assert_int_equal(export_attrs(&t, &p, &best, &out), EXPORT_SEND);
	assert_true(bgp_attrs_has(out, BGP_ATTR_MED));
	assert_int_equal(out->med, 7);
	uint32_t asns[8];
	first_asns(out, asns, 1);
	assert_int_equal(asns[0], LOCAL_AS);
	/* IPv6: the next hop is ours, in MP_REACH (RFC 4760 3). */
	assert_int_equal(bgp_attrs_mp_nexthop(out)->af, AF_INET6);
	assert_int_equal(addr_cmp(bgp_attrs_mp_nexthop(out), &t.self6), 0);
	assert_int_equal(bgp_attrs_mp_nexthop_ll(out)->af, 0);
	bgp_attrs_unref(out);
	bgp_attrs_unref(src);
}

/* RFC 4271 5.1.3 / 5.1.5 on iBGP: LOCAL_PREF kept, AS_PATH and the
 * learned next hop unchanged, MED kept. */
static void test_ibgp_keeps_path_nexthop_med(void **state)
{
	(void)state;
	struct bgp_attrs *src = learned_attrs(), *out = NULL;
	struct rib_path best = { .peer = &ebgp_src, .attrs = src, .nh_reachable = true };
	struct export_target t = ibgp_target();
	struct prefix p = pfx("198.51.100.0/24");
	assert_int_equal(export_attrs(&t, &p, &best, &out), EXPORT_SEND);
	assert_int_equal(out->local_pref, 200);
	assert_int_equal(bgp_aspath_length(bgp_attrs_aspath(out), out->aspath_len), 1);
	assert_int_equal(ntohl(out->nexthop.s_addr), 0xc0000201u);
	assert_true(bgp_attrs_has(out, BGP_ATTR_MED));
	bgp_attrs_unref(out);
	bgp_attrs_unref(src);
}

/* RFC 4271 5.1.5: without one, internal peers get LOCAL_PREF 100; our
 * own routes get our address as next hop. */
static void test_ibgp_default_local_pref_and_own_nexthop(void **state)
{
	(void)state;
	struct bgp_attrs *src = bgp_attrs_new(), *out = NULL;
	assert_int_equal(bgp_attrs_set_aspath(src, NULL, 0), 0);
	struct rib_path best = { .peer = &local_peer, .attrs = src, .nh_reachable = true };
	struct export_target t = ibgp_target();
	struct prefix p = pfx("198.51.100.0/24");
	assert_int_equal(export_attrs(&t, &p, &best, &out), EXPORT_SEND);
	assert_true(bgp_attrs_has(out, BGP_ATTR_LOCAL_PREF));
	assert_int_equal(out->local_pref, 100);
	assert_int_equal(out->aspath_len, 0);
	assert_int_equal(ntohl(out->nexthop.s_addr), 0xc0000202u);
	bgp_attrs_unref(out);
	bgp_attrs_unref(src);
}

/* RFC 4271 9.2: iBGP-learned routes are not sent to internal peers, but
 * they are to external ones. */
static void test_ibgp_to_ibgp_suppressed(void **state)
{
	(void)state;
	struct bgp_attrs *src = learned_attrs(), *out = NULL;
	struct rib_path best = { .peer = &ibgp_src, .attrs = src, .nh_reachable = true };
	struct export_target t = ibgp_target();
	struct prefix p = pfx("198.51.100.0/24");
	assert_int_equal(export_attrs(&t, &p, &best, &out), EXPORT_IBGP_TO_IBGP);
	assert_null(out);
	t = ebgp_target();
	assert_int_equal(export_attrs(&t, &p, &best, &out), EXPORT_SEND);
	bgp_attrs_unref(out);
	bgp_attrs_unref(src);
}

/* Not back to the peer it came from, nor to a peer whose AS is in the
 * path (it would drop it, RFC 4271 9.1.2). */
static void test_no_return_no_loop(void **state)
{
	(void)state;
	struct bgp_attrs *src = learned_attrs(), *out = NULL;
	struct rib_path best = { .peer = &ebgp_src, .attrs = src, .nh_reachable = true };
	struct export_target t = ebgp_target();
	struct prefix p = pfx("198.51.100.0/24");
	t.peer_id = ebgp_src.id;
	t.peer_as = ebgp_src.as;
	assert_int_equal(export_attrs(&t, &p, &best, &out), EXPORT_FROM_PEER);
	t.peer_id = 9; /* another session into AS 65101 */
	assert_int_equal(export_attrs(&t, &p, &best, &out), EXPORT_AS_LOOP);
	assert_null(out);
	bgp_attrs_unref(src);
}

static void test_no_best_and_no_nexthop(void **state)
{
	(void)state;
	struct bgp_attrs *src = learned_attrs(), *out = NULL;
	struct rib_path best = { .peer = &ebgp_src, .attrs = src, .nh_reachable = true };
	struct export_target t = ebgp_target();
	struct prefix p = pfx("198.51.100.0/24");
	assert_int_equal(export_attrs(&t, &p, NULL, &out), EXPORT_NO_BEST);
	/* An IPv6 session with no IPv4 address of ours: no IPv4 next hop. */
	t.self4 = (struct addr){0};
	assert_int_equal(export_attrs(&t, &p, &best, &out), EXPORT_NO_NEXTHOP);
	assert_null(out);
	assert_string_equal(export_verdict_name(EXPORT_NO_NEXTHOP), "no-nexthop");
	bgp_attrs_unref(src);
}

/* RFC 4271 5.1.2 on long paths: the exported set is built without a
 * deep copy (frozen, arrays in its own block, the source untouched), a
 * path longer than the stack buffer is prepended on the heap, and a
 * leading AS_SEQUENCE that would pass 255 ASNs (RFC 4271 4.3: the count
 * is one octet) is split.  The result must equal what
 * bgp_aspath_prepend builds. */
static void test_ebgp_prepend_long_paths(void **state)
{
	(void)state;
	static const unsigned lens[] = { 1, 127, 200, 255, 300 };
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		unsigned n = lens[k];
		uint8_t seg[2 * 2 + 300 * 4];
		size_t o = 0;
		for (unsigned left = n; left;) {
			unsigned c = left > 255 ? 255 : left;
			seg[o++] = BGP_AS_SEQUENCE;
			seg[o++] = (uint8_t)c;
			for (unsigned i = 0; i < c; i++, o += 4) {
				uint32_t asn = 4200000000u + left - i;
				seg[o] = (uint8_t)(asn >> 24);
				seg[o + 1] = (uint8_t)(asn >> 16);
				seg[o + 2] = (uint8_t)(asn >> 8);
				seg[o + 3] = (uint8_t)asn;
			}
			left -= c;
		}
		struct bgp_attrs *src = learned_attrs(), *out = NULL;
		assert_int_equal(bgp_attrs_set_aspath(src, seg, o), 0);
		uint32_t comm[2] = { 65101u << 16 | 1, 65101u << 16 | 2 };
		assert_int_equal(bgp_attrs_set_communities(src, comm, 2), 0);
		struct bgp_attrs *before = bgp_attrs_dup(src);
		assert_non_null(before);
		struct rib_path best = { .peer = &ebgp_src, .attrs = src, .nh_reachable = true };
		struct export_target t = ebgp_target();
		struct prefix p = pfx("198.51.100.0/24");
		assert_int_equal(export_attrs(&t, &p, &best, &out), EXPORT_SEND);
		assert_non_null(out);
		assert_true(out->frozen);
		assert_int_equal(out->refcnt, 1);
		size_t wl = 0;
		uint8_t *want = bgp_aspath_prepend(seg, o, LOCAL_AS, 1, &wl);
		assert_non_null(want);
		assert_int_equal(out->aspath_len, wl);
		assert_memory_equal(bgp_attrs_aspath(out), want, wl);
		free(want);
		assert_int_equal(bgp_aspath_length(bgp_attrs_aspath(out), out->aspath_len), n + 1);
		/* Never more than 255 ASNs in a segment. */
		assert_int_equal(bgp_attrs_aspath(out)[1], n + 1 > 255 ? 255 : n + 1);
		/* A full leading segment: ours pushes its last ASN into a
		 * segment of its own; the source's later segments follow. */
		if (n >= 255)
			assert_int_equal(bgp_attrs_aspath(out)[2 + 255 * 4 + 1], 1);
		assert_int_equal(out->n_communities, 2);
		assert_ptr_not_equal(bgp_attrs_communities(out), bgp_attrs_communities(src));
		assert_memory_equal(bgp_attrs_communities(out), comm, sizeof(comm));
		assert_true(bgp_attrs_equal(src, before)); /* source untouched */
		bgp_attrs_unref(before);
		bgp_attrs_unref(out);
		bgp_attrs_unref(src);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ebgp_prepend_nexthop_self_no_lp_no_med),
		cmocka_unit_test(test_ebgp_keeps_own_med),
		cmocka_unit_test(test_ibgp_keeps_path_nexthop_med),
		cmocka_unit_test(test_ibgp_default_local_pref_and_own_nexthop),
		cmocka_unit_test(test_ibgp_to_ibgp_suppressed),
		cmocka_unit_test(test_no_return_no_loop),
		cmocka_unit_test(test_no_best_and_no_nexthop),
		cmocka_unit_test(test_ebgp_prepend_long_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
