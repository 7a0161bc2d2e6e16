/* The bench tools' own logic: the prefix map (backward-shift deletion),
 * the synthetic table's shape and its shuffled-sets order, and the MRT reader (BGP4MP_ET updates,
 * TABLE_DUMP_V2 RIB entries, loop filtering, a cut final record). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "bgp/update.h"
#include "table.h"
#include "u64map.h"

static void test_u64map_put_get_del(void **state)
{
	(void)state;
	struct u64map m;
	assert_int_equal(u64map_init(&m, 4), 0); /* forces many grows */
	const size_t n = 50000;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(u64map_put(&m, i * 0x10001 + 1, (uint32_t)i), 1);
	assert_int_equal(u64map_put(&m, 1, 7), 0); /* replace, not add */
	assert_int_equal(m.n, n);
	for (size_t i = 0; i < n; i += 2)
		assert_true(u64map_del(&m, i * 0x10001 + 1));
	assert_false(u64map_del(&m, 1));
	for (size_t i = 0; i < n; i++) {
		uint32_t v;
		bool in = u64map_get(&m, i * 0x10001 + 1, &v);
		/* After deletions every survivor must still be reachable:
		 * a wrong backward shift would strand one behind a hole. */
		assert_int_equal(in, i % 2 == 1);
		if (in)
			assert_int_equal(v, i);
	}
	assert_int_equal(m.n, n / 2);
	assert_int_equal(u64map_put(&m, 0, 1), -EINVAL);
	u64map_free(&m);
}

static const struct bench_rewrite rw = {.feeder_as = 65001, .avoid_as = {65000, 65002},
					.nexthop = {.s_addr = 0x0100010a}}; /* 10.1.0.1 */

static uint32_t first_asn(const struct bgp_attrs *a)
{
	uint32_t asns[8];
	assert_true(bgp_aspath_asns(bgp_attrs_aspath(a), a->aspath_len, asns, 8) >= 1);
	return asns[0];
}

static void test_synth_shape(void **state)
{
	(void)state;
	struct bench_table t;
	const size_t n = 20000;
	assert_int_equal(bench_table_synth(&t, n, 42, &rw), 0);
	assert_int_equal(t.n_pfx, n);
	struct u64map seen;
	assert_int_equal(u64map_init(&seen, n), 0);
	size_t s24 = 0, covered = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t a = addr_v4_host(&t.pfx[i].addr);
		uint8_t len = t.pfx[i].len;
		assert_true(len >= 8 && len <= 24);
		assert_int_equal(a & ~(~0u << (32 - len)), 0); /* no host bits */
		unsigned o = a >> 24;
		assert_true(o >= 1 && o < 224 && o != 10 && o != 127);
		assert_int_equal(u64map_put(&seen, u64map_v4_key(a, len), 0), 1);
		s24 += len == 24;
	}
	assert_true(s24 > n / 2 && s24 < n * 7 / 10);
	for (size_t g = 0; g < t.n_groups; g++) {
		const struct bench_group *gr = &t.groups[g];
		assert_int_equal(gr->first, covered);
		assert_true(gr->n >= 3 && gr->n <= 4);
		covered += gr->n;
		unsigned plen =
			bgp_aspath_length(bgp_attrs_aspath(gr->attrs), gr->attrs->aspath_len);
		assert_true(plen >= 2 && plen <= 6);
		assert_int_equal(first_asn(gr->attrs), 65001);
		assert_int_equal(gr->attrs->nexthop.s_addr, rw.nexthop.s_addr);
	}
	assert_int_equal(covered, n); /* 20000 splits into runs of 3-4 here */
	u64map_free(&seen);
	bench_table_free(&t);
}

/* Shuffled sets: the same prefixes with the same attribute sets, each
 * set still contiguous and ascending inside, the sets no longer in
 * address order, and the same order again for the same seed. */
static void test_shuffle_sets(void **state)
{
	(void)state;
	struct bench_table t, u;
	const size_t n = 20000;
	assert_int_equal(bench_table_synth(&t, n, 42, &rw), 0);
	assert_int_equal(bench_table_synth(&u, n, 42, &rw), 0);
	struct u64map set_of; /* prefix -> its set's index before the shuffle */
	struct bgp_attrs **attrs = malloc(t.n_groups * sizeof(*attrs));
	assert_non_null(attrs);
	assert_int_equal(u64map_init(&set_of, n), 0);
	for (size_t g = 0; g < t.n_groups; g++) {
		attrs[g] = t.groups[g].attrs;
		for (size_t i = t.groups[g].first; i < t.groups[g].first + t.groups[g].n; i++)
			assert_int_equal(u64map_put(&set_of,
						    u64map_v4_key(addr_v4_host(&t.pfx[i].addr),
								  t.pfx[i].len),
						    (uint32_t)g),
					 1);
	}
	assert_int_equal(bench_table_shuffle_sets(&t, 7), 0);
	assert_int_equal(bench_table_shuffle_sets(&u, 7), 0);
	size_t covered = 0, descents = 0;
	for (size_t g = 0; g < t.n_groups; g++) {
		const struct bench_group *gr = &t.groups[g];
		assert_int_equal(gr->first, covered);
		assert_int_equal(u.groups[g].first, gr->first);
		assert_int_equal(u.groups[g].n, gr->n);
		for (size_t i = gr->first; i < gr->first + gr->n; i++) {
			uint32_t v;
			assert_true(u64map_get(&set_of,
					       u64map_v4_key(addr_v4_host(&t.pfx[i].addr),
							     t.pfx[i].len),
					       &v));
			assert_ptr_equal(attrs[v], gr->attrs);
			assert_int_equal(prefix_cmp(&t.pfx[i], &u.pfx[i]), 0);
			if (i > gr->first)
				assert_true(prefix_cmp(&t.pfx[i - 1], &t.pfx[i]) < 0);
		}
		covered += gr->n;
		if (g && prefix_cmp(&t.pfx[t.groups[g - 1].first], &t.pfx[gr->first]) > 0)
			descents++;
	}
	assert_int_equal(covered, n);
	assert_true(descents > t.n_groups / 4);
	u64map_free(&set_of);
	free(attrs);
	bench_table_free(&t);
	bench_table_free(&u);
}

/* --- MRT ------------------------------------------------------------ */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void mrt_header(FILE *f, uint16_t type, uint16_t sub, uint32_t len)
{
	uint8_t h[12] = {0};
	put32(h, 1440000000);
	h[4] = (uint8_t)(type >> 8);
	h[5] = (uint8_t)type;
	h[6] = (uint8_t)(sub >> 8);
	h[7] = (uint8_t)sub;
	put32(h + 8, len);
	assert_int_equal(fwrite(h, 1, 12, f), 12);
}

static struct bgp_attrs *attrs_path(const uint32_t *asns, unsigned n)
{
	struct bgp_attrs *a = bgp_attrs_new();
	uint8_t seg[2 + 4 * 8] = {BGP_AS_SEQUENCE, (uint8_t)n};
	for (unsigned i = 0; i < n; i++)
		put32(seg + 2 + 4 * i, asns[i]);
	assert_int_equal(bgp_attrs_set_aspath(a, seg, 2 + 4 * n), 0);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP) |
		      BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
	a->nexthop.s_addr = htonl(0xc6336401);
	a->local_pref = 200;
	return a;
}

static struct prefix pfx(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

/* BGP4MP_ET / MESSAGE_AS4 carrying one UPDATE (RFC 6396 4.4.3). */
static void write_update(FILE *f, const struct bgp_attrs *a, const struct prefix *p, size_t n,
			 bool withdraw)
{
	struct bgp_encode_ctx ec = {.as4 = true, .ebgp = false, .max_msg = BGP_MAX_MSG};
	struct wbuf w;
	wbuf_init(&w, BGP_MAX_MSG);
	long k = withdraw ? bgp_update_encode_withdraw(&w, &ec, p, n)
			  : bgp_update_encode_announce(&w, &ec, a, p, n);
	assert_int_equal(k, (long)n);
	uint8_t pre[4 + 4 + 4 + 2 + 2 + 4 + 4] = {0};
	put32(pre + 4, 3856);
	put32(pre + 8, 12654);
	pre[15] = 1; /* AFI IPv4 */
	mrt_header(f, 17, 4, (uint32_t)(sizeof(pre) + w.len));
	assert_int_equal(fwrite(pre, 1, sizeof(pre), f), sizeof(pre));
	assert_int_equal(fwrite(w.data, 1, w.len, f), w.len);
	wbuf_free(&w);
}

/* TABLE_DUMP_V2 RIB_IPV4_UNICAST with one entry (RFC 6396 4.3.2). */
static void write_rib(FILE *f, const struct bgp_attrs *a, uint8_t plen, const uint8_t *pb)
{
	struct bgp_encode_ctx ec = {.as4 = true, .ebgp = false, .max_msg = BGP_MAX_MSG};
	struct wbuf at;
	wbuf_init(&at, BGP_MAX_MSG);
	assert_int_equal(bgp_attrs_encode(a, &ec, &at), 0);
	size_t nb = (plen + 7u) / 8;
	uint32_t len = (uint32_t)(4 + 1 + nb + 2 + 2 + 4 + 2 + at.len);
	mrt_header(f, 13, 2, len);
	uint8_t hd[5] = {0, 0, 0, 1, plen};
	fwrite(hd, 1, 5, f);
	fwrite(pb, 1, nb, f);
	const uint8_t count[2] = {0, 1};
	/* peer index 0, originated time 0, attribute length */
	const uint8_t e[8] = {0, 0, 0, 0, 0, 0, (uint8_t)(at.len >> 8), (uint8_t)at.len};
	fwrite(count, 1, 2, f);
	fwrite(e, 1, 8, f);
	fwrite(at.data, 1, at.len, f);
	wbuf_free(&at);
}

static void test_mrt_replay(void **state)
{
	(void)state;
	char path[] = "/tmp/egress-bench-mrt-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	assert_non_null(f);

	const uint32_t p1[] = {3856, 174}, ploop[] = {3856, 65000, 64512}, p2[] = {3856, 2914, 7};
	struct bgp_attrs *a1 = attrs_path(p1, 2), *al = attrs_path(ploop, 3),
			 *a2 = attrs_path(p2, 3);
	struct prefix ann[] = {pfx("192.0.2.0/24"), pfx("198.51.100.0/24"),
			       pfx("203.0.113.0/24")};
	write_update(f, a1, ann, 3, false);
	write_update(f, NULL, &ann[1], 1, true);
	struct prefix lp = pfx("100.64.0.0/10");
	write_update(f, al, &lp, 1, false);
	const uint8_t b8[] = {11};
	write_rib(f, a2, 8, b8);
	/* A cut file: the header promises more than follows. */
	mrt_header(f, 17, 4, 100);
	fwrite("0123456789", 1, 10, f);
	fclose(f);

	struct bench_table t;
	const char *why;
	assert_int_equal(bench_table_mrt(&t, path, &rw, &why), 0);
	unlink(path);
	assert_int_equal(t.records, 4);
	assert_true(t.truncated);
	assert_int_equal(t.skipped_loop, 1);
	assert_int_equal(t.n_pfx, 3);
	assert_int_equal(t.n_groups, 2);
	char buf[PREFIX_STRLEN];
	const struct bench_group *g0 = &t.groups[0], *g1 = &t.groups[1];
	assert_int_equal(g0->n, 2);
	assert_string_equal(prefix_fmt(&t.pfx[g0->first], buf), "192.0.2.0/24");
	assert_string_equal(prefix_fmt(&t.pfx[g0->first + 1], buf), "203.0.113.0/24");
	assert_int_equal(g1->n, 1);
	assert_string_equal(prefix_fmt(&t.pfx[g1->first], buf), "11.0.0.0/8");
	/* Rewritten for the feeder: own AS first, own next hop, no
	 * LOCAL_PREF towards an eBGP peer. */
	for (size_t g = 0; g < 2; g++) {
		const struct bgp_attrs *a = t.groups[g].attrs;
		assert_int_equal(first_asn(a), 65001);
		assert_int_equal(bgp_aspath_length(bgp_attrs_aspath(a), a->aspath_len), g ? 4 : 3);
		assert_int_equal(a->nexthop.s_addr, rw.nexthop.s_addr);
		assert_false(bgp_attrs_has(a, BGP_ATTR_LOCAL_PREF));
	}
	bench_table_free(&t);
	bgp_attrs_unref(a1);
	bgp_attrs_unref(al);
	bgp_attrs_unref(a2);
}

static void test_mrt_not_mrt(void **state)
{
	(void)state;
	char path[] = "/tmp/egress-bench-mrt-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	/* Text read as an MRT header gives an absurd record length. */
	assert_int_equal(write(fd, "root:x:0:0:root:/root:/bin/bash\n", 32), 32);
	close(fd);
	struct bench_table t;
	const char *why;
	assert_int_equal(bench_table_mrt(&t, path, &rw, &why), -EBADMSG);
	assert_true(strlen(why) > 0);
	unlink(path);
	assert_int_equal(bench_table_mrt(&t, path, &rw, &why), -EIO); /* gone */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64map_put_get_del),
		cmocka_unit_test(test_synth_shape),
		cmocka_unit_test(test_shuffle_sets),
		cmocka_unit_test(test_mrt_replay),
		cmocka_unit_test(test_mrt_not_mrt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
