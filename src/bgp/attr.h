/* Path attributes: the decoded form, reference counting, wire encoding.
 *
 * AS paths are kept in one canonical form whatever the peer speaks: the
 * 4-octet wire encoding of AS_PATH (segment type, count, count x 4-byte
 * ASN), after the RFC 6793 4.2.3 merge with AS4_PATH for 2-octet peers.
 * That form is hashable and comparable with memcmp, and the encoder
 * turns it back into 2-octet AS_PATH + AS4_PATH when a peer needs it. */
#ifndef EGRESS_BGP_ATTR_H
#define EGRESS_BGP_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/proto.h"
#include "core/addr.h"
#include "core/buf.h"

#define BGP_ATTR_BIT(code) (1ull << (code))

struct bgp_large_community {
	uint32_t global;
	uint32_t local1;
	uint32_t local2;
};

/* An attribute we do not know, kept as received to pass on (RFC 4271 5:
 * optional transitive, forwarded with the Partial bit set). */
struct bgp_attr_raw {
	uint8_t flags;
	uint8_t code;
	uint16_t len;
	uint8_t *data;
};

struct bgp_attrs_hook;

/* AGGREGATOR (RFC 4271 5.1.7, with RFC 6793 4.2.3's AS4_AGGREGATOR
 * merged in), both 0 if absent.  Few routes carry one, so a frozen set
 * keeps it behind the struct only when it is set. */
struct bgp_aggregator {
	uint32_t as;
	uint32_t id;                /* host byte order */
};

/* The MP_REACH_NLRI next hops (RFC 4760 3, RFC 2545 3), kept out of the
 * set itself: most sets (IPv4 routes, which carry NEXT_HOP instead)
 * have none, and two addresses inline cost 40 bytes in every one. */
struct bgp_mp_nexthop {
	struct addr global;         /* MP_REACH next hop */
	struct addr ll;             /* IPv6 link-local next hop, af 0 if none */
};

/* Fields are ordered by size so the struct has no padding: 64-bit,
 * then 32-bit, 16-bit and 8-bit fields.  Readers use the field names
 * and the array accessors below only, so the order is free to change.
 *
 * A set is either mutable or frozen.  A mutable set (the decoder,
 * setters, policy copies) is the front of a struct bgp_attrs_mut, which
 * holds the pointers to its arrays (separate mallocs it owns) and its
 * aggregator.  A frozen set (bgp_attrs_freeze) is one malloc holding
 * this struct and everything else behind it in a fixed order, so the
 * arrays' places follow from the counts and flags, and the struct holds
 * no pointer at all.  Interned sets are always frozen
 * (rib/attr_intern.h). */
struct bgp_attrs {
	uint32_t refcnt;
	uint32_t hash;              /* frozen sets: bgp_attrs_hash, kept */
	uint64_t present;           /* BGP_ATTR_BIT(code) for codes < 64 we hold */
	struct in_addr nexthop;     /* NEXT_HOP (IPv4 NLRI) */
	uint32_t med;
	uint32_t local_pref;
	uint16_t aspath_len;        /* bytes in aspath */
	uint16_t n_communities;
	uint16_t n_ext_communities;
	uint16_t n_large_communities;
	uint16_t n_unknown;
	uint8_t origin;
	uint8_t frozen : 1;         /* one block, immutable: see above */
	uint8_t mp_nh_in_block : 1; /* frozen: MP next hops follow the struct */
	uint8_t agg_in_block : 1;   /* frozen: AGGREGATOR follows them */
	/* Set by an intern table (rib/attr_intern.h) on its one shared
	 * copy: the id bgp_attrs_hook_register gave it; 0 for every other
	 * set.  An id in 5 bits instead of a hook pointer saves 8 bytes in
	 * every set.  bgp_attrs_dup and bgp_attrs_freeze never copy it. */
	uint8_t hook_id : 5;
};

/* Every imported path has one of these and a full table holds ~300k
 * distinct ones, so each 8 bytes here is ~2.4 MB of RSS on the 1M-prefix
 * bench, which has to stay within 0.7x BIRD's (issue 3).  A change that
 * grows the struct (or adds padding) should be a decision, not an
 * accident. */
_Static_assert(sizeof(struct bgp_attrs) == 40,
	       "struct bgp_attrs is part of the 1M-route memory budget (issue 3)");

/* A mutable set: the struct, then its arrays' pointers (NULL when
 * empty).  bgp_attrs_new allocates one; code that builds or edits a set
 * writes the arrays through bgp_attrs_mut(a), never on a frozen set. */
struct bgp_attrs_mut {
	struct bgp_attrs a;
	uint8_t *aspath;            /* canonical 4-octet segments */
	uint32_t *communities;
	uint8_t *ext_communities;   /* 8 bytes each */
	struct bgp_large_community *large_communities;
	struct bgp_attr_raw *unknown;
	/* NULL when the set has neither MP next hop (both af 0). */
	struct bgp_mp_nexthop *mp_nh;
	struct bgp_aggregator agg;  /* AGGREGATOR (RFC 4271 5.1.7) */
};

static inline struct bgp_attrs_mut *bgp_attrs_mut(struct bgp_attrs *a)
{
	return (struct bgp_attrs_mut *)a;
}

static inline const struct bgp_attrs_mut *bgp_attrs_cmut(const struct bgp_attrs *a)
{
	return (const struct bgp_attrs_mut *)a;
}

/* Where a frozen set's arrays start (bytes from the struct): the struct,
 * the MP next hops and the aggregator if any, then the
 * unknown-attribute table, large communities, communities, extended
 * communities, AS path and the unknown attributes' bytes, back to back;
 * decreasing alignment, so no padding (attr_freeze.c checks the
 * sizes). */
static inline size_t bgp_attrs_off_agg(const struct bgp_attrs *a)
{
	return sizeof(*a) + (a->mp_nh_in_block ? sizeof(struct bgp_mp_nexthop) : 0);
}
static inline size_t bgp_attrs_off_unknown(const struct bgp_attrs *a)
{
	return bgp_attrs_off_agg(a) + (a->agg_in_block ? sizeof(struct bgp_aggregator) : 0);
}
static inline size_t bgp_attrs_off_large(const struct bgp_attrs *a)
{
	return bgp_attrs_off_unknown(a) + (size_t)a->n_unknown * sizeof(struct bgp_attr_raw);
}
static inline size_t bgp_attrs_off_comm(const struct bgp_attrs *a)
{
	return bgp_attrs_off_large(a) +
	       (size_t)a->n_large_communities * sizeof(struct bgp_large_community);
}
static inline size_t bgp_attrs_off_ext(const struct bgp_attrs *a)
{
	return bgp_attrs_off_comm(a) + (size_t)a->n_communities * 4;
}
static inline size_t bgp_attrs_off_aspath(const struct bgp_attrs *a)
{
	return bgp_attrs_off_ext(a) + (size_t)a->n_ext_communities * 8;
}

/* The arrays of any set, NULL when empty (readers such as
 * `bgp_attrs_aspath(a) ? ... : 0` rely on it). */
static inline const void *bgp_attrs_block_at(const struct bgp_attrs *a, size_t off, size_t n)
{
	return n ? (const uint8_t *)a + off : NULL;
}
static inline const uint8_t *bgp_attrs_aspath(const struct bgp_attrs *a)
{
	return a->frozen ? bgp_attrs_block_at(a, bgp_attrs_off_aspath(a), a->aspath_len)
			 : bgp_attrs_cmut(a)->aspath;
}
static inline const uint32_t *bgp_attrs_communities(const struct bgp_attrs *a)
{
	return a->frozen ? bgp_attrs_block_at(a, bgp_attrs_off_comm(a), a->n_communities)
			 : bgp_attrs_cmut(a)->communities;
}
static inline const uint8_t *bgp_attrs_ext_communities(const struct bgp_attrs *a)
{
	return a->frozen ? bgp_attrs_block_at(a, bgp_attrs_off_ext(a), a->n_ext_communities)
			 : bgp_attrs_cmut(a)->ext_communities;
}
static inline const struct bgp_large_community *
bgp_attrs_large_communities(const struct bgp_attrs *a)
{
	return a->frozen ? bgp_attrs_block_at(a, bgp_attrs_off_large(a), a->n_large_communities)
			 : bgp_attrs_cmut(a)->large_communities;
}
static inline const struct bgp_attr_raw *bgp_attrs_unknown(const struct bgp_attrs *a)
{
	return a->frozen ? bgp_attrs_block_at(a, bgp_attrs_off_unknown(a), a->n_unknown)
			 : bgp_attrs_cmut(a)->unknown;
}
static inline const struct bgp_mp_nexthop *bgp_attrs_mp_nh(const struct bgp_attrs *a)
{
	return a->frozen ? bgp_attrs_block_at(a, sizeof(*a), a->mp_nh_in_block)
			 : bgp_attrs_cmut(a)->mp_nh;
}
/* The AGGREGATOR of any set; both 0 when it has none.  A mutable set's
 * is written through bgp_attrs_mut(a)->agg. */
static inline struct bgp_aggregator bgp_attrs_aggregator(const struct bgp_attrs *a)
{
	if (!a->frozen)
		return bgp_attrs_cmut(a)->agg;
	const struct bgp_aggregator *g =
		bgp_attrs_block_at(a, bgp_attrs_off_agg(a), a->agg_in_block);
	return g ? *g : (struct bgp_aggregator){ 0, 0 };
}

/* Told when a hooked set's last reference goes, just before it is
 * freed, so an intern table can forget it. */
struct bgp_attrs_hook {
	void (*release)(struct bgp_attrs_hook *h, struct bgp_attrs *a);
	/* Optional: a hint that a is about to be released, so the table
	 * can start fetching what release will read. */
	void (*prefetch)(struct bgp_attrs_hook *h, const struct bgp_attrs *a);
};

#define BGP_ATTRS_HOOK_MAX 31

/* Gives h an id (1..BGP_ATTRS_HOOK_MAX) to store in hook_id; -ENOSPC
 * when every id is taken.  The daemon has one intern table per RIB.
 * h must stay where it is until bgp_attrs_hook_unregister(id), which
 * the owner calls once no set carries the id any more. */
int bgp_attrs_hook_register(struct bgp_attrs_hook *h);
void bgp_attrs_hook_unregister(unsigned id);
/* A hint that `going` references to a are about to be dropped: when
 * they are all it has, its intern table (if any) starts fetching the
 * slot its release will search, while the caller does other work. */
void bgp_attrs_prefetch_release(const struct bgp_attrs *a, uint32_t going);

/* The MP_REACH next hops; an address with af 0 when there is none. */
extern const struct addr bgp_attrs_no_addr;
static inline const struct addr *bgp_attrs_mp_nexthop(const struct bgp_attrs *a)
{
	const struct bgp_mp_nexthop *m = bgp_attrs_mp_nh(a);
	return m ? &m->global : &bgp_attrs_no_addr;
}
static inline const struct addr *bgp_attrs_mp_nexthop_ll(const struct bgp_attrs *a)
{
	const struct bgp_mp_nexthop *m = bgp_attrs_mp_nh(a);
	return m ? &m->ll : &bgp_attrs_no_addr;
}
/* Sets both MP next hops of a mutable set (NULL or af 0: none); they
 * may point into a's own.  0, -EPERM on a frozen set, -ENOMEM. */
int bgp_attrs_set_mp_nexthop(struct bgp_attrs *a, const struct addr *global,
			     const struct addr *ll);

/* A shallow copy of src in m, on the caller's stack, for code that
 * changes a few fields and then freezes or encodes it (export.c,
 * update_encode.c): m borrows src's arrays (the pointers may be
 * replaced, the arrays never written), is mutable, unhooked, and is
 * never passed to bgp_attrs_unref or a setter. */
void bgp_attrs_borrow(struct bgp_attrs_mut *m, const struct bgp_attrs *src);
/* Points a borrowed copy's MP next hops at store, filled from global
 * and ll, which the caller keeps alive as long as m. */
void bgp_attrs_borrow_mp_nexthop(struct bgp_attrs_mut *m, struct bgp_mp_nexthop *store,
				 const struct addr *global, const struct addr *ll);

static inline bool bgp_attrs_has(const struct bgp_attrs *a, unsigned code)
{
	return code < 64 && (a->present & BGP_ATTR_BIT(code));
}

/* The next hop of a path of family af (AF_INET or AF_INET6): NEXT_HOP
 * for IPv4 (RFC 4271 5.1.3), else the MP_REACH_NLRI next hop when it is
 * of that family (RFC 4760 3).  False, with *out zeroed, when the path
 * carries none for af. */
bool bgp_attrs_nexthop(const struct bgp_attrs *a, int af, struct addr *out);

struct bgp_attrs *bgp_attrs_new(void);
struct bgp_attrs *bgp_attrs_ref(struct bgp_attrs *a);
void bgp_attrs_unref(struct bgp_attrs *a);
/* Deep copy with refcnt 1 (to modify attributes shared by others). */
struct bgp_attrs *bgp_attrs_dup(const struct bgp_attrs *a);
bool bgp_attrs_equal(const struct bgp_attrs *a, const struct bgp_attrs *b);
/* Equal sets hash alike, frozen or not; a frozen set returns the hash
 * computed when it was frozen. */
uint32_t bgp_attrs_hash(const struct bgp_attrs *a);

/* An immutable copy of a in one allocation (refcnt 1, no hook, hash
 * stored): the struct, then the MP next hops (if any), the
 * unknown-attribute table, large communities, communities, extended
 * communities, AS path and the unknown attributes' bytes, back to back
 * (the offsets above).  a itself is left as it is (frozen or not, its
 * arrays may be anywhere, even on the stack).
 * NULL on -ENOMEM.  The frozen set is never changed in place: the
 * setters refuse it (-EPERM) and bgp_attrs_dup of it is mutable. */
struct bgp_attrs *bgp_attrs_freeze(const struct bgp_attrs *a);
/* The same for a caller that has just computed hash = bgp_attrs_hash(a)
 * (the intern table, for its lookup), so it is not computed twice. */
struct bgp_attrs *bgp_attrs_freeze_hashed(const struct bgp_attrs *a, uint32_t hash);
/* Bytes of the block bgp_attrs_freeze allocates for a set like a. */
size_t bgp_attrs_frozen_size(const struct bgp_attrs *a);

/* Setters used by origination and tests; each marks the attribute
 * present.  -EPERM on a frozen set. */
int bgp_attrs_set_aspath(struct bgp_attrs *a, const uint8_t *segs, size_t len);
int bgp_attrs_set_communities(struct bgp_attrs *a, const uint32_t *c, size_t n);
int bgp_attrs_set_large_communities(struct bgp_attrs *a,
				    const struct bgp_large_community *c, size_t n);

/* AS path helpers over the canonical form. */
/* Number of ASNs for path-length comparison (RFC 4271 9.1.2.2: AS_SET
 * counts 1, confederation segments 0). */
unsigned bgp_aspath_length(const uint8_t *segs, size_t len);
/* Appends every ASN of AS_SEQUENCE/AS_SET segments, in order, to out
 * (up to max); returns how many the path holds. */
size_t bgp_aspath_asns(const uint8_t *segs, size_t len, uint32_t *out, size_t max);
/* Prepends asn n times into a new canonical path (malloc'd, *out_len);
 * opens a new segment when the first one holds 255 ASNs. */
uint8_t *bgp_aspath_prepend(const uint8_t *segs, size_t len, uint32_t asn,
			    unsigned n, size_t *out_len);
/* The same into out (cap bytes): 0, or -ENOSPC when out is too small,
 * -EMSGSIZE when the path would pass 65535 bytes; *out_len is the
 * length of the new path in every case. */
int bgp_aspath_prepend_to(const uint8_t *segs, size_t len, uint32_t asn, unsigned n,
			  uint8_t *out, size_t cap, size_t *out_len);
bool bgp_aspath_contains(const uint8_t *segs, size_t len, uint32_t asn);
/* "64512 64521 {1 2}" style text. */
void bgp_aspath_format(const uint8_t *segs, size_t len, char *buf, size_t size);

/* How to encode attributes for one peer. */
struct bgp_encode_ctx {
	bool as4;     /* peer speaks 4-octet AS: AS_PATH with 4-byte ASNs */
	bool ebgp;    /* LOCAL_PREF is not sent to eBGP peers (RFC 4271 5.1.5) */
	size_t max_msg; /* 4096 or 65535 */
};

/* Appends the path attributes (not MP_REACH/MP_UNREACH, which the UPDATE
 * encoder writes first) to w.  For a 2-octet peer the AS path is sent
 * with AS_TRANS in AS_PATH and the real path in AS4_PATH (RFC 6793 4.2.2);
 * likewise AGGREGATOR/AS4_AGGREGATOR.  Unknown transitive attributes go
 * out as received with the Partial bit set. */
int bgp_attrs_encode(const struct bgp_attrs *a, const struct bgp_encode_ctx *ctx,
		     struct wbuf *w);

#endif
