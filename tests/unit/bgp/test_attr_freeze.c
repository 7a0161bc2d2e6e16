/* Frozen attribute sets (bgp_attrs_freeze): the one-block copy holds
 * every field and array of the original, hashes alike, encodes to the
 * same bytes, is never changed in place, and its copies are ordinary
 * mutable sets.  Sets use every kind of array, IPv6 next hops with a
 * link-local one, unknown attributes, AS paths over 255 ASNs (several
 * segments) and long large-community lists; the sanitizer build checks
 * that freeing frozen and mutable sets never frees an array twice or
 * from the middle of a block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "bgp/attr.h"
#include "bgp/update.h"

enum { LONG_PATH_ASNS = 600, N_LARGE = 300, N_COMM = 120 };

/* AS_SEQUENCE segments of at most 255 ASNs holding n ASNs, then an
 * AS_SET of two; returns the canonical length written to out. */
static size_t long_path(unsigned n, uint8_t *out)
{
	size_t o = 0;
	uint32_t asn = 4200000000u;
	while (n) {
		unsigned k = n > 255 ? 255 : n;
		out[o++] = BGP_AS_SEQUENCE;
		out[o++] = (uint8_t)k;
		for (unsigned i = 0; i < k; i++, asn++) {
			out[o++] = (uint8_t)(asn >> 24);
			out[o++] = (uint8_t)(asn >> 16);
			out[o++] = (uint8_t)(asn >> 8);
			out[o++] = (uint8_t)asn;
		}
		n -= k;
	}
	static const uint8_t set[] = { BGP_AS_SET, 2, 0, 0, 0xfd, 0xe8, 0, 0, 0xfd, 0xe9 };
	memcpy(out + o, set, sizeof(set));
	return o + sizeof(set);
}

/* A mutable set with every field and array; v6 picks MP_REACH next hops
 * (global and link-local) over NEXT_HOP. */
static struct bgp_attrs *full_set(bool v6)
{
	struct bgp_attrs *a = bgp_attrs_new();
	assert_non_null(a);
	struct bgp_attrs_mut *m = bgp_attrs_mut(a);
	uint8_t p[LONG_PATH_ASNS * 4 + 64];
	size_t pl = long_path(LONG_PATH_ASNS, p);
	assert_int_equal(bgp_attrs_set_aspath(a, p, pl), 0);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_MED) |
		      BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF) | BGP_ATTR_BIT(BGP_ATTR_ATOMIC_AGGREGATE) |
		      BGP_ATTR_BIT(BGP_ATTR_AGGREGATOR) | BGP_ATTR_BIT(BGP_ATTR_EXT_COMMUNITIES);
	a->origin = BGP_ORIGIN_INCOMPLETE;
	a->med = 77;
	a->local_pref = 300;
	m->agg = (struct bgp_aggregator){ 4200000009u, 0x0a000009u };
	uint32_t comm[N_COMM];
	for (unsigned i = 0; i < N_COMM; i++)
		comm[i] = 65000u << 16 | i;
	assert_int_equal(bgp_attrs_set_communities(a, comm, N_COMM), 0);
	a->n_ext_communities = 3;
	m->ext_communities = malloc(24);
	assert_non_null(m->ext_communities);
	for (unsigned i = 0; i < 24; i++)
		m->ext_communities[i] = (uint8_t)(i * 7 + 1);
	m->ext_communities[0] = 0x00; /* transitive two-octet AS specific */
	m->ext_communities[8] = 0x00;
	m->ext_communities[16] = 0x01;
	struct bgp_large_community *lc = calloc(N_LARGE, sizeof(*lc));
	assert_non_null(lc);
	for (unsigned i = 0; i < N_LARGE; i++)
		lc[i] = (struct bgp_large_community){ 4200000000u + i, i, ~i };
	assert_int_equal(bgp_attrs_set_large_communities(a, lc, N_LARGE), 0);
	free(lc);
	/* Optional transitive attributes we do not know, Partial as they go
	 * out again (RFC 4271 5): one empty, one
	 * longer than 255 bytes (extended length on the wire). */
	a->n_unknown = 3;
	m->unknown = calloc(3, sizeof(*m->unknown));
	assert_non_null(bgp_attrs_unknown(a));
	m->unknown[0] = (struct bgp_attr_raw){ .flags = 0xe0, .code = 28, .len = 3, .data = malloc(3) };
	memcpy(m->unknown[0].data, "\x01\x02\x03", 3);
	m->unknown[1] = (struct bgp_attr_raw){ .flags = 0xe0, .code = 99, .len = 0 };
	m->unknown[2] = (struct bgp_attr_raw){ .flags = 0xe0, .code = 200, .len = 300,
					       .data = malloc(300) };
	for (unsigned i = 0; i < 300; i++)
		m->unknown[2].data[i] = (uint8_t)i;
	if (v6) {
		struct addr nh, ll;
		assert_int_equal(addr_parse("2001:db8::1", &nh), 0);
		assert_int_equal(addr_parse("fe80::1", &ll), 0);
		assert_int_equal(bgp_attrs_set_mp_nexthop(a, &nh, &ll), 0);
	} else {
		a->present |= BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
		a->nexthop.s_addr = htonl(0xc0000201);
	}
	return a;
}

/* Pointer p (n bytes) lies inside f's block, or is NULL when n is 0. */
static void assert_in_block(const struct bgp_attrs *f, const void *p, size_t n)
{
	if (n == 0) {
		assert_null(p);
		return;
	}
	const uint8_t *lo = (const uint8_t *)f, *hi = lo + bgp_attrs_frozen_size(f);
	assert_true((const uint8_t *)p >= lo + sizeof(*f) && (const uint8_t *)p + n <= hi);
}

/* f holds every field and array of a, by value, inside its own block. */
static void assert_frozen_copy(const struct bgp_attrs *a, const struct bgp_attrs *f)
{
	assert_true(f->frozen);
	assert_int_equal(f->hook_id, 0);
	assert_int_equal(f->refcnt, 1);
	assert_true(bgp_attrs_equal(a, f));
	assert_true(bgp_attrs_equal(f, a));
	assert_int_equal(f->hash, bgp_attrs_hash(a));
	assert_int_equal(bgp_attrs_hash(f), bgp_attrs_hash(a));
	/* Field by field too, so a bgp_attrs_equal that skipped one would
	 * not hide it. */
	assert_int_equal(f->present, a->present);
	assert_int_equal(f->origin, a->origin);
	assert_int_equal(f->nexthop.s_addr, a->nexthop.s_addr);
	const struct addr *fnh = bgp_attrs_mp_nexthop(f), *anh = bgp_attrs_mp_nexthop(a);
	const struct addr *fll = bgp_attrs_mp_nexthop_ll(f), *all = bgp_attrs_mp_nexthop_ll(a);
	assert_true(fnh->af == anh->af && memcmp(fnh->b, anh->b, 16) == 0);
	assert_true(fll->af == all->af && memcmp(fll->b, all->b, 16) == 0);
	/* The next hops are in the block (when there are any), not shared
	 * with a. */
	assert_true(!bgp_attrs_mp_nh(f) == !bgp_attrs_mp_nh(a));
	assert_in_block(f, bgp_attrs_mp_nh(f),
			bgp_attrs_mp_nh(f) ? sizeof(struct bgp_mp_nexthop) : 0);
	assert_int_equal(f->med, a->med);
	assert_int_equal(f->local_pref, a->local_pref);
	assert_int_equal(bgp_attrs_aggregator(f).as, bgp_attrs_aggregator(a).as);
	assert_int_equal(bgp_attrs_aggregator(f).id, bgp_attrs_aggregator(a).id);
	assert_int_equal(f->aspath_len, a->aspath_len);
	assert_int_equal(f->n_communities, a->n_communities);
	assert_int_equal(f->n_ext_communities, a->n_ext_communities);
	assert_int_equal(f->n_large_communities, a->n_large_communities);
	assert_int_equal(f->n_unknown, a->n_unknown);
	if (a->aspath_len)
		assert_memory_equal(bgp_attrs_aspath(f), bgp_attrs_aspath(a), a->aspath_len);
	if (a->n_communities)
		assert_memory_equal(bgp_attrs_communities(f), bgp_attrs_communities(a),
				    a->n_communities * 4u);
	if (a->n_ext_communities)
		assert_memory_equal(bgp_attrs_ext_communities(f), bgp_attrs_ext_communities(a),
				    a->n_ext_communities * 8u);
	if (a->n_large_communities)
		assert_memory_equal(bgp_attrs_large_communities(f), bgp_attrs_large_communities(a),
				    a->n_large_communities * sizeof(struct bgp_large_community));
	assert_in_block(f, bgp_attrs_aspath(f), f->aspath_len);
	assert_in_block(f, bgp_attrs_communities(f), f->n_communities * 4u);
	assert_in_block(f, bgp_attrs_ext_communities(f), f->n_ext_communities * 8u);
	assert_in_block(f, bgp_attrs_large_communities(f),
			f->n_large_communities * sizeof(struct bgp_large_community));
	const struct bgp_attr_raw *fu = bgp_attrs_unknown(f), *au = bgp_attrs_unknown(a);
	assert_in_block(f, fu, f->n_unknown * sizeof(*fu));
	for (unsigned i = 0; i < a->n_unknown; i++) {
		assert_int_equal(fu[i].flags, au[i].flags);
		assert_int_equal(fu[i].code, au[i].code);
		assert_int_equal(fu[i].len, au[i].len);
		if (au[i].len)
			assert_memory_equal(fu[i].data, au[i].data, au[i].len);
		assert_in_block(f, fu[i].data, fu[i].len);
	}
}

/* The UPDATE announcing pfx with a, for one kind of peer. */
static void encode(const struct bgp_attrs *a, const char *pfx, bool as4, bool ebgp,
		   struct wbuf *w)
{
	struct prefix p;
	assert_int_equal(prefix_parse(pfx, &p), 0);
	struct bgp_encode_ctx ec = { .as4 = as4, .ebgp = ebgp, .max_msg = 65535 };
	wbuf_init(w, 65535);
	assert_int_equal(bgp_update_encode_announce(w, &ec, a, &p, 1), 1);
}

static void check_round_trip(bool v6)
{
	struct bgp_attrs *a = full_set(v6);
	struct bgp_attrs *f = bgp_attrs_freeze(a);
	assert_non_null(f);
	assert_frozen_copy(a, f);
	/* The original is untouched and still mutable. */
	assert_false(a->frozen);
	assert_int_equal(a->refcnt, 1);
	const char *pfx = v6 ? "2001:db8:1::/48" : "10.1.0.0/16";
	for (int as4 = 0; as4 < 2; as4++) {
		for (int ebgp = 0; ebgp < 2; ebgp++) {
			struct wbuf wa, wf;
			encode(a, pfx, as4, ebgp, &wa);
			encode(f, pfx, as4, ebgp, &wf);
			assert_int_equal(wa.len, wf.len);
			assert_memory_equal(wa.data, wf.data, wa.len);
			/* What a peer decodes from it freezes to an equal set. */
			struct bgp_decode_ctx dc = { .as4 = as4, .ebgp = ebgp, .families = 3,
						     .max_msg = 65535 };
			struct bgp_update u;
			assert_int_equal(bgp_update_decode(wf.data + 19, wf.len - 19, &dc, &u), 0);
			assert_int_equal(u.action, BGP_UPD_OK);
			assert_non_null(u.attrs);
			struct bgp_attrs *g = bgp_attrs_freeze(u.attrs);
			assert_non_null(g);
			assert_frozen_copy(u.attrs, g);
			if (!ebgp) /* LOCAL_PREF only survives iBGP (RFC 4271 5.1.5) */
				assert_true(bgp_attrs_equal(g, f));
			bgp_attrs_unref(g);
			bgp_update_free(&u);
			wbuf_free(&wa);
			wbuf_free(&wf);
		}
	}
	/* Freezing a frozen set gives another equal block. */
	struct bgp_attrs *f2 = bgp_attrs_freeze(f);
	assert_non_null(f2);
	assert_ptr_not_equal(f2, f);
	assert_frozen_copy(f, f2);
	bgp_attrs_unref(f2);
	bgp_attrs_unref(f);
	bgp_attrs_unref(a);
}

static void test_freeze_round_trip_v4(void **state)
{
	(void)state;
	check_round_trip(false);
}

static void test_freeze_round_trip_v6(void **state)
{
	(void)state;
	check_round_trip(true);
}

/* The AS path over 255 ASNs keeps its segments: the path helpers read
 * the frozen copy as they read the original. */
static void test_long_path_segments(void **state)
{
	(void)state;
	struct bgp_attrs *a = full_set(false);
	struct bgp_attrs *f = bgp_attrs_freeze(a);
	assert_non_null(f);
	assert_int_equal(bgp_aspath_length(bgp_attrs_aspath(f), f->aspath_len), LONG_PATH_ASNS + 1);
	assert_int_equal(bgp_attrs_aspath(f)[0], BGP_AS_SEQUENCE);
	assert_int_equal(bgp_attrs_aspath(f)[1], 255);
	assert_int_equal(bgp_attrs_aspath(f)[2 + 255 * 4 + 1], 255);
	assert_true(bgp_aspath_contains(bgp_attrs_aspath(f), f->aspath_len, 4200000000u + 599));
	uint32_t asns[LONG_PATH_ASNS + 2];
	assert_int_equal(
		bgp_aspath_asns(bgp_attrs_aspath(f), f->aspath_len, asns, LONG_PATH_ASNS + 2),
		LONG_PATH_ASNS + 2);
	bgp_attrs_unref(f);
	bgp_attrs_unref(a);
}

/* A set with nothing in it: no arrays, the bare struct. */
static void test_freeze_empty(void **state)
{
	(void)state;
	struct bgp_attrs *a = bgp_attrs_new();
	assert_non_null(a);
	struct bgp_attrs *f = bgp_attrs_freeze(a);
	assert_non_null(f);
	assert_int_equal(bgp_attrs_frozen_size(f), sizeof(*f));
	assert_frozen_copy(a, f);
	bgp_attrs_unref(f);
	bgp_attrs_unref(a);
}

/* The setters refuse a frozen set and leave it as it was. */
static void test_frozen_setters_refuse(void **state)
{
	(void)state;
	struct bgp_attrs *a = full_set(true);
	struct bgp_attrs *f = bgp_attrs_freeze(a);
	assert_non_null(f);
	uint8_t p[] = { BGP_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xe8 };
	uint32_t c = 1;
	struct bgp_large_community lc = { 1, 2, 3 };
	assert_int_equal(bgp_attrs_set_aspath(f, p, sizeof(p)), -EPERM);
	assert_int_equal(bgp_attrs_set_communities(f, &c, 1), -EPERM);
	assert_int_equal(bgp_attrs_set_communities(f, NULL, 0), -EPERM);
	assert_int_equal(bgp_attrs_set_large_communities(f, &lc, 1), -EPERM);
	assert_frozen_copy(a, f);
	bgp_attrs_unref(f);
	bgp_attrs_unref(a);
}

/* bgp_attrs_dup of a frozen set is mutable and shares nothing with it. */
static void test_dup_of_frozen_is_mutable(void **state)
{
	(void)state;
	struct bgp_attrs *a = full_set(true);
	struct bgp_attrs *f = bgp_attrs_freeze(a);
	assert_non_null(f);
	struct bgp_attrs *d = bgp_attrs_dup(f);
	assert_non_null(d);
	assert_false(d->frozen);
	assert_int_equal(d->hook_id, 0);
	assert_int_equal(d->refcnt, 1);
	assert_true(bgp_attrs_equal(d, f));
	assert_int_equal(bgp_attrs_hash(d), bgp_attrs_hash(f));
	const uint8_t *lo = (const uint8_t *)f, *hi = lo + bgp_attrs_frozen_size(f);
	const struct bgp_attrs_mut *m = bgp_attrs_cmut(d);
	const void *arrays[] = { m->aspath, m->communities, m->ext_communities,
				 m->large_communities, m->unknown, m->unknown[0].data,
				 m->unknown[2].data, m->mp_nh };
	for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
		assert_true((const uint8_t *)arrays[i] < lo || (const uint8_t *)arrays[i] >= hi);
	/* Changing the copy, through the setters and in place, leaves the
	 * frozen set as it was. */
	uint8_t p[] = { BGP_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xe8 };
	uint32_t c = 7;
	assert_int_equal(bgp_attrs_set_aspath(d, p, sizeof(p)), 0);
	assert_int_equal(bgp_attrs_set_communities(d, &c, 1), 0);
	assert_int_equal(bgp_attrs_set_large_communities(d, NULL, 0), 0);
	bgp_attrs_mut(d)->ext_communities[3] ^= 0xff;
	bgp_attrs_unknown(d)[2].data[299] ^= 0xff;
	d->med = 1;
	assert_false(bgp_attrs_equal(d, f));
	assert_frozen_copy(a, f);
	/* The copy freezes again into a set equal to it, not to f. */
	struct bgp_attrs *g = bgp_attrs_freeze(d);
	assert_non_null(g);
	assert_frozen_copy(d, g);
	assert_false(bgp_attrs_equal(g, f));
	bgp_attrs_unref(g);
	bgp_attrs_unref(d);
	bgp_attrs_unref(f);
	bgp_attrs_unref(a);
}

/* References on frozen and mutable sets: only the last unref frees, and
 * a frozen set is freed as one block (ASan would report a free() of an
 * array inside it). */
static void test_unref_frozen_and_mutable(void **state)
{
	(void)state;
	struct bgp_attrs *a = full_set(false);
	struct bgp_attrs *f = bgp_attrs_freeze(a);
	assert_non_null(f);
	bgp_attrs_ref(f);
	bgp_attrs_ref(a);
	bgp_attrs_unref(f);
	bgp_attrs_unref(a);
	assert_int_equal(f->refcnt, 1);
	assert_int_equal(a->refcnt, 1);
	assert_frozen_copy(a, f); /* both still readable */
	bgp_attrs_unref(a);
	assert_int_equal(bgp_attrs_aspath(f)[0], BGP_AS_SEQUENCE); /* f owns its bytes */
	bgp_attrs_unref(f);
}

/* Equal content, different next hops: a link-local next hop is part of
 * the set (RFC 2545 3), so two sets differing only there are not equal. */
static void test_link_local_counts(void **state)
{
	(void)state;
	struct bgp_attrs *a = full_set(true);
	struct bgp_attrs *b = full_set(true);
	struct addr ll;
	assert_int_equal(addr_parse("fe80::2", &ll), 0);
	assert_int_equal(bgp_attrs_set_mp_nexthop(b, bgp_attrs_mp_nexthop(b), &ll), 0);
	struct bgp_attrs *fa = bgp_attrs_freeze(a), *fb = bgp_attrs_freeze(b);
	assert_non_null(fa);
	assert_non_null(fb);
	assert_false(bgp_attrs_equal(fa, fb));
	assert_false(bgp_attrs_equal(fa, b));
	assert_int_equal(bgp_attrs_set_mp_nexthop(b, bgp_attrs_mp_nexthop(b), NULL), 0);
	assert_false(bgp_attrs_equal(fa, b));
	assert_true(bgp_attrs_equal(fa, a));
	bgp_attrs_unref(fa);
	bgp_attrs_unref(fb);
	bgp_attrs_unref(a);
	bgp_attrs_unref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_freeze_round_trip_v4),
		cmocka_unit_test(test_freeze_round_trip_v6),
		cmocka_unit_test(test_long_path_segments),
		cmocka_unit_test(test_freeze_empty),
		cmocka_unit_test(test_frozen_setters_refuse),
		cmocka_unit_test(test_dup_of_frozen_is_mutable),
		cmocka_unit_test(test_unref_frozen_and_mutable),
		cmocka_unit_test(test_link_local_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
