/* A synthetic IPv4 table shaped like the real one.
 *
 * Proportions follow the public DFZ reports (e.g. the CIDR report):
 * about 60% of IPv4 prefixes are /24, then /22, /23, /21, /20, /16, a
 * thin tail up to /8.  Neighbouring prefixes usually share an origin
 * and so an attribute set; here runs of 3 or 4 adjacent prefixes share
 * one, which matches the ~3.5 prefixes per set seen in full tables.
 * Paths are 2-6 ASes long (mean near 4, as seen from a transit feed). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "table.h"
#include "u64map.h"

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: small, fast, good enough for shaping test data. */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned rng_below(uint64_t *s, unsigned n) { return (unsigned)(rng_next(s) % n); }

/* Cumulative per-mille of prefix lengths. */
static const struct {
	uint8_t len;
	uint16_t upto;
} len_mix[] = {
	{24, 600}, {23, 690}, {22, 810}, {21, 860}, {20, 905}, {19, 935},
	{18, 952}, {17, 965}, {16, 990}, {15, 994}, {14, 997}, {13, 998},
	{12, 999}, {8, 1000},
};

static uint8_t pick_len(uint64_t *s)
{
	unsigned r = rng_below(s, 1000);
	for (size_t i = 0; i < sizeof(len_mix) / sizeof(len_mix[0]); i++)
		if (r < len_mix[i].upto)
			return len_mix[i].len;
	return 24;
}

/* Unicast space the daemons accept from any peer: no 0/8, 10/8, 127/8,
 * and nothing from 224/4 (multicast) up. */
static bool first_octet_ok(unsigned o) { return o >= 1 && o < 224 && o != 10 && o != 127; }

static int pfx_cmp(const void *a, const void *b) { return prefix_cmp(a, b); }

/* Transit ASes a path crosses; numbers in the documentation-free public
 * range, stable so that paths repeat as they do in reality. */
static uint32_t transit_as(uint64_t *s) { return 1000 + rng_below(s, 60); }

/* Origin ASes: 2-octet and 4-octet public ranges, clear of AS_TRANS and
 * the private/documentation ranges (RFC 6996, RFC 5398). */
static uint32_t origin_as(uint64_t *s)
{
	if (rng_below(s, 3) == 0)
		return 200000 + rng_below(s, 200000);
	uint32_t a = 2000 + rng_below(s, 60000);
	return a == BGP_AS_TRANS ? a + 1 : a;
}

static int make_attrs(uint64_t *s, const struct bench_rewrite *rw, struct bgp_attrs **out)
{
	static const uint16_t path_mix[] = {150, 500, 800, 920, 1000}; /* len 2..6 */
	struct bgp_attrs *a = bgp_attrs_new();
	if (!a)
		return -ENOMEM;
	unsigned r = rng_below(s, 1000), plen = 2;
	while (plen < 6 && r >= path_mix[plen - 2])
		plen++;
	uint8_t seg[2 + 6 * 4];
	seg[0] = BGP_AS_SEQUENCE;
	seg[1] = (uint8_t)plen;
	uint32_t asns[6];
	asns[0] = rw->feeder_as;
	for (unsigned i = 1; i + 1 < plen; i++)
		asns[i] = transit_as(s);
	asns[plen - 1] = origin_as(s);
	for (unsigned i = 0; i < plen; i++) {
		seg[2 + 4 * i] = (uint8_t)(asns[i] >> 24);
		seg[3 + 4 * i] = (uint8_t)(asns[i] >> 16);
		seg[4 + 4 * i] = (uint8_t)(asns[i] >> 8);
		seg[5 + 4 * i] = (uint8_t)asns[i];
	}
	int rc = bgp_attrs_set_aspath(a, seg, 2 + 4 * plen);
	a->origin = rng_below(s, 20) == 0 ? BGP_ORIGIN_INCOMPLETE : BGP_ORIGIN_IGP;
	a->nexthop = rw->nexthop;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	if (rng_below(s, 10) < 3) {
		a->med = rng_below(s, 1000);
		a->present |= BGP_ATTR_BIT(BGP_ATTR_MED);
	}
	/* Half the sets carry 1-4 communities tagged by the first transit
	 * (location and relation tags, as large transits set them). */
	if (!rc && rng_below(s, 2) == 0) {
		uint32_t c[4];
		unsigned nc = 1 + rng_below(s, 4);
		for (unsigned i = 0; i < nc; i++)
			c[i] = (asns[plen > 2 ? 1 : 0] & 0xffff) << 16 | (100 + rng_below(s, 400));
		rc = bgp_attrs_set_communities(a, c, nc);
	}
	if (!rc && rng_below(s, 20) == 0) {
		struct bgp_large_community lc = {rw->feeder_as, 1, rng_below(s, 100)};
		rc = bgp_attrs_set_large_communities(a, &lc, 1);
	}
	if (rc) {
		bgp_attrs_unref(a);
		return rc;
	}
	*out = a;
	return 0;
}

int bench_table_synth(struct bench_table *t, size_t n, uint64_t seed,
		      const struct bench_rewrite *rw)
{
	memset(t, 0, sizeof(*t));
	uint64_t s = seed;
	struct u64map seen;
	struct prefix *pfx = malloc((n ? n : 1) * sizeof(*pfx));
	if (!pfx || u64map_init(&seen, n)) {
		free(pfx);
		return -ENOMEM;
	}
	size_t have = 0;
	while (have < n) {
		uint8_t len = pick_len(&s);
		uint32_t addr = (uint32_t)rng_next(&s);
		if (!first_octet_ok(addr >> 24))
			continue;
		addr &= len ? ~0u << (32 - len) : 0;
		int rc = u64map_put(&seen, u64map_v4_key(addr, len), 0);
		if (rc < 0) {
			u64map_free(&seen);
			free(pfx);
			return rc;
		}
		if (rc == 0)
			continue; /* drawn before */
		memset(&pfx[have], 0, sizeof(pfx[have]));
		addr_from_v4(&pfx[have].addr, addr);
		pfx[have].len = len;
		have++;
	}
	u64map_free(&seen);
	qsort(pfx, n, sizeof(*pfx), pfx_cmp);

	/* Runs of 3 or 4 neighbours share one attribute set. */
	size_t max_groups = n / 3 + 1;
	struct bench_row *rows = malloc((n ? n : 1) * sizeof(*rows));
	struct bgp_attrs **attrs = malloc(max_groups * sizeof(*attrs));
	if (!rows || !attrs) {
		free(rows);
		free(attrs);
		free(pfx);
		return -ENOMEM;
	}
	size_t n_attrs = 0;
	int rc = 0;
	for (size_t i = 0; i < n && !rc;) {
		size_t run = 3 + rng_below(&s, 2);
		if (run > n - i)
			run = n - i;
		rc = make_attrs(&s, rw, &attrs[n_attrs]);
		if (rc)
			break;
		for (size_t k = 0; k < run; k++, i++)
			rows[i] = (struct bench_row){.pfx = pfx[i], .attr = (uint32_t)n_attrs};
		n_attrs++;
	}
	free(pfx);
	if (rc) {
		for (size_t i = 0; i < n_attrs; i++)
			bgp_attrs_unref(attrs[i]);
		free(rows);
		free(attrs);
		return rc;
	}
	rc = bench_table_group(t, rows, n, attrs, n_attrs);
	free(rows);
	free(attrs);
	return rc;
}
