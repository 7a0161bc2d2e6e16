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

/* Offsets of the arrays in the block, in decreasing alignment so no
 * padding is needed: sizeof(struct bgp_attrs), sizeof(struct
 * bgp_mp_nexthop) and sizeof(struct bgp_attr_raw) are multiples of 8,
 * the large communities' and communities' elements multiples of 4, the
 * rest bytes. */
struct freeze_layout {
	size_t mp_nh, unknown, large, comm, ext, aspath, data, total;
};

_Static_assert(sizeof(struct bgp_attrs) % 8 == 0, "arrays follow the struct");
_Static_assert(sizeof(struct bgp_mp_nexthop) % 8 == 0, "the unknown table follows");
_Static_assert(sizeof(struct bgp_attr_raw) % 8 == 0, "large communities follow");

static void freeze_layout(const struct bgp_attrs *a, struct freeze_layout *l)
{
	size_t o = sizeof(struct bgp_attrs);
	l->mp_nh = o;
	if (a->mp_nh)
		o += sizeof(struct bgp_mp_nexthop);
	l->unknown = o;
	o += (size_t)a->n_unknown * sizeof(struct bgp_attr_raw);
	l->large = o;
	o += (size_t)a->n_large_communities * sizeof(struct bgp_large_community);
	l->comm = o;
	o += (size_t)a->n_communities * sizeof(uint32_t);
	l->ext = o;
	o += (size_t)a->n_ext_communities * 8;
	l->aspath = o;
	o += a->aspath_len;
	l->data = o;
	for (unsigned i = 0; i < a->n_unknown; i++)
		o += a->unknown[i].len;
	l->total = o;
}

size_t bgp_attrs_frozen_size(const struct bgp_attrs *a)
{
	struct freeze_layout l;
	freeze_layout(a, &l);
	return l.total;
}

/* Copies n bytes of src to block + off and returns that address, or
 * NULL when n is 0 (an empty array is a NULL pointer in every set,
 * which readers such as `a->aspath ? ... : 0` rely on). */
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
	struct freeze_layout l;
	freeze_layout(a, &l);
	uint8_t *block = malloc(l.total);
	if (!block)
		return NULL;
	struct bgp_attrs *f = (struct bgp_attrs *)block;
	*f = *a;
	f->refcnt = 1;
	f->hook_id = 0;
	f->mp_nh = place(block, l.mp_nh, a->mp_nh, a->mp_nh ? sizeof(*a->mp_nh) : 0);
	f->unknown = place(block, l.unknown, a->unknown, (size_t)a->n_unknown * sizeof(*a->unknown));
	f->large_communities = place(block, l.large, a->large_communities,
				     (size_t)a->n_large_communities * sizeof(*a->large_communities));
	f->communities = place(block, l.comm, a->communities, (size_t)a->n_communities * 4);
	f->ext_communities = place(block, l.ext, a->ext_communities, (size_t)a->n_ext_communities * 8);
	f->aspath = place(block, l.aspath, a->aspath, a->aspath_len);
	size_t off = l.data;
	for (unsigned i = 0; i < a->n_unknown; i++) {
		f->unknown[i].data = place(block, off, a->unknown[i].data, a->unknown[i].len);
		off += a->unknown[i].len;
	}
	f->hash = hash;
	f->frozen = true;
	return f;
}
