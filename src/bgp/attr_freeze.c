/* Freezing an attribute set: one allocation for the struct and every
 * array, so an interned set costs one malloc (one allocator header, one
 * rounding) instead of three to six, its arrays sit next to the fields
 * that a hash or a comparison reads first, and freeing it is one free().
 *
 * Why this is safe: a frozen set is immutable.  Nothing writes to it
 * after bgp_attrs_freeze returns: the setters refuse it (-EPERM), the
 * policy engine and export copy before they change anything
 * (bgp_attrs_dup of a frozen set is an ordinary mutable set), and an
 * interned set must never be modified anyway (rib/attr_intern.h).
 * attrs_free (attr.c) frees a frozen set as the one block it is, never
 * its arrays one by one. */
#include <stdlib.h>
#include <string.h>

#include "bgp/attr.h"

/* The arrays' offsets in the block are bgp_attrs_off_*() (attr.h), in
 * decreasing alignment so no padding is needed: sizeof(struct
 * bgp_attrs), sizeof(struct bgp_mp_nexthop) and sizeof(struct
 * bgp_attr_raw) are multiples of 8, the large communities' and
 * communities' elements multiples of 4, the rest bytes.  They read only
 * the counts and mp_nh_in_block, so the struct as it will be in the
 * block (head) gives them before the block exists. */
_Static_assert(sizeof(struct bgp_attrs) % 8 == 0, "arrays follow the struct");
_Static_assert(sizeof(struct bgp_mp_nexthop) % 8 == 0, "the aggregator follows");
_Static_assert(sizeof(struct bgp_aggregator) % 8 == 0, "the unknown table follows");
_Static_assert(sizeof(struct bgp_attr_raw) % 8 == 0, "large communities follow");

static struct bgp_attrs frozen_head(const struct bgp_attrs *a)
{
	struct bgp_attrs h = *a;
	h.frozen = true;
	h.mp_nh_in_block = bgp_attrs_mp_nh(a) != NULL;
	struct bgp_aggregator g = bgp_attrs_aggregator(a);
	h.agg_in_block = g.as || g.id;
	h.hook_id = 0;
	return h;
}

static size_t frozen_total(const struct bgp_attrs *head, const struct bgp_attr_raw *unknown)
{
	size_t o = bgp_attrs_off_aspath(head) + head->aspath_len;
	for (unsigned i = 0; i < head->n_unknown; i++)
		o += unknown[i].len;
	return o;
}

size_t bgp_attrs_frozen_size(const struct bgp_attrs *a)
{
	struct bgp_attrs h = frozen_head(a);
	return frozen_total(&h, bgp_attrs_unknown(a));
}

/* Copies n bytes of src to block + off and returns that address, or
 * NULL when n is 0 (an empty array is a NULL pointer in every set,
 * which readers such as `bgp_attrs_aspath(a) ? ... : 0` rely on). */
static void *place(uint8_t *block, size_t off, const void *src, size_t n)
{
	if (!n)
		return NULL;
	memcpy(block + off, src, n);
	return block + off;
}

struct bgp_attrs *bgp_attrs_freeze(const struct bgp_attrs *a)
{
	return bgp_attrs_freeze_hashed(a, bgp_attrs_hash(a));
}

struct bgp_attrs *bgp_attrs_freeze_hashed(const struct bgp_attrs *a, uint32_t hash)
{
	struct bgp_attrs h = frozen_head(a);
	const struct bgp_attr_raw *unknown = bgp_attrs_unknown(a);
	uint8_t *block = malloc(frozen_total(&h, unknown));
	if (!block)
		return NULL;
	struct bgp_attrs *f = (struct bgp_attrs *)block;
	*f = h;
	f->refcnt = 1;
	place(block, sizeof(*f), bgp_attrs_mp_nh(a),
	      h.mp_nh_in_block ? sizeof(struct bgp_mp_nexthop) : 0);
	struct bgp_aggregator g = bgp_attrs_aggregator(a);
	place(block, bgp_attrs_off_agg(f), &g, h.agg_in_block ? sizeof(g) : 0);
	struct bgp_attr_raw *fu = place(block, bgp_attrs_off_unknown(f), unknown,
					(size_t)a->n_unknown * sizeof(*unknown));
	place(block, bgp_attrs_off_large(f), bgp_attrs_large_communities(a),
	      (size_t)a->n_large_communities * sizeof(struct bgp_large_community));
	place(block, bgp_attrs_off_comm(f), bgp_attrs_communities(a), (size_t)a->n_communities * 4);
	place(block, bgp_attrs_off_ext(f), bgp_attrs_ext_communities(a),
	      (size_t)a->n_ext_communities * 8);
	place(block, bgp_attrs_off_aspath(f), bgp_attrs_aspath(a), a->aspath_len);
	/* The unknown attributes' bytes follow the AS path; the copied
	 * table's data pointers are moved into the block. */
	size_t off = bgp_attrs_off_aspath(f) + a->aspath_len;
	for (unsigned i = 0; i < a->n_unknown; i++) {
		fu[i].data = place(block, off, unknown[i].data, unknown[i].len);
		off += unknown[i].len;
	}
	f->hash = hash;
	return f;
}
