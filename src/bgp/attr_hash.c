/* The hash of a path attribute set, for the intern table (rib/
 * attr_intern.h), the output queue's batches and the bench tools.
 *
 * Not FNV-1a a byte at a time (core/hash.h): that costs ~300 ns for a
 * typical set, and a set is hashed on every intern lookup.  This mixes
 * eight bytes per step (~10x faster) over exactly the fields that
 * bgp_attrs_equal compares, so equal sets always hash alike.  A frozen
 * set (bgp_attrs_freeze) keeps its hash, so the intern table's release
 * and a lookup by an already frozen set never recompute it. */
#include <string.h>

#include "bgp/attr.h"

static inline uint64_t mix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

static uint64_t mix_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t w;
	for (; n >= 8; n -= 8, b += 8) {
		memcpy(&w, b, 8);
		h = mix(h, w);
	}
	if (n) {
		w = 0;
		memcpy(&w, b, n);
		h = mix(h, w ^ ((uint64_t)n << 56));
	}
	return h;
}

static uint32_t attrs_hash_compute(const struct bgp_attrs *a)
{
	uint64_t h = 0x243f6a8885a308d3ull;
	h = mix(h, a->present);
	h = mix(h, (uint64_t)a->origin << 48 | (uint64_t)a->aspath_len << 32 | a->nexthop.s_addr);
	h = mix(h, (uint64_t)a->med << 32 | a->local_pref);
	struct bgp_aggregator g = bgp_attrs_aggregator(a);
	h = mix(h, (uint64_t)g.as << 32 | g.id);
	/* Through the accessors: a set without MP next hops (mp_nh NULL)
	 * hashes like one whose next hops are both unset. */
	const struct addr *nh = bgp_attrs_mp_nexthop(a), *ll = bgp_attrs_mp_nexthop_ll(a);
	if (nh->af) {
		h = mix(h, nh->af);
		h = mix_bytes(h, nh->b, 16);
	}
	if (ll->af) {
		h = mix(h, ll->af);
		h = mix_bytes(h, ll->b, 16);
	}
	if (a->aspath_len)
		h = mix_bytes(h, bgp_attrs_aspath(a), a->aspath_len);
	h = mix(h, (uint64_t)a->n_communities << 48 | (uint64_t)a->n_ext_communities << 32 |
			   (uint64_t)a->n_large_communities << 16 | a->n_unknown);
	if (a->n_communities)
		h = mix_bytes(h, bgp_attrs_communities(a), (size_t)a->n_communities * 4);
	if (a->n_ext_communities)
		h = mix_bytes(h, bgp_attrs_ext_communities(a), (size_t)a->n_ext_communities * 8);
	const struct bgp_large_community *lc = bgp_attrs_large_communities(a);
	for (unsigned i = 0; i < a->n_large_communities; i++)
		h = mix(h, (uint64_t)lc[i].global << 32 ^ (uint64_t)lc[i].local1 << 16 ^
				   lc[i].local2);
	const struct bgp_attr_raw *u = bgp_attrs_unknown(a);
	for (unsigned i = 0; i < a->n_unknown; i++) {
		h = mix(h, (uint64_t)u[i].flags << 24 | (uint64_t)u[i].code << 16 | u[i].len);
		if (u[i].len)
			h = mix_bytes(h, u[i].data, u[i].len);
	}
	return (uint32_t)(h ^ (h >> 32));
}

uint32_t bgp_attrs_hash(const struct bgp_attrs *a)
{
	return a->frozen ? a->hash : attrs_hash_compute(a);
}
