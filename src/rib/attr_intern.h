/* Interned path attributes (hash-consing): every distinct attribute set
 * is stored once and shared by every route that carries it.
 *
 * A full table has about one attribute set per 3-4 prefixes (issue 3),
 * so sharing cuts both memory and the work of comparing routes: two
 * interned sets are equal exactly when their pointers are.
 *
 * The table holds no reference of its own.  The shared copy carries the
 * table's hook id (bgp/attr.h) and leaves the table when bgp_attrs_unref drops its
 * last reference, so callers keep using bgp_attrs_ref/unref as before.
 * An interned set must never be modified: bgp_attrs_dup it first.  Every
 * interned set is frozen (bgp/attr.h: one allocation, hash stored), which
 * enforces that for the setters. */
#ifndef EGRESS_RIB_ATTR_INTERN_H
#define EGRESS_RIB_ATTR_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "rib/mem.h"

/* One slot, 8 bytes: the set's address shifted right by its 16-byte
 * alignment (frozen sets are malloc blocks) in the low ATTR_SLOT_ADDR_BITS,
 * and the low ATTR_SLOT_HASH_BITS of its hash above them.  Those hash
 * bits give an entry's home slot in a table of up to 2^ATTR_SLOT_HASH_BITS
 * slots without reading the set, which growing, shrinking and a
 * deletion's backward shift need for every entry they move past (a
 * cache miss each when read from the set); the bits above the home's
 * are a tag a probe checks before it reads the set.  Larger tables read
 * the full hash from the set, which keeps it.  0 is an empty slot.
 * User-space addresses are below 2^47 on x86-64 (2^48 on arm64) unless
 * an mmap asks for more; attr_intern refuses a set that does not fit. */
#define ATTR_SLOT_ALIGN_BITS 4
#if defined(__x86_64__)
#define ATTR_SLOT_ADDR_BITS 43 /* 47-bit addresses */
#else
#define ATTR_SLOT_ADDR_BITS 44 /* 48-bit addresses */
#endif
#define ATTR_SLOT_HASH_BITS (64 - ATTR_SLOT_ADDR_BITS)

struct attr_slot {
	uint64_t v;
};

static inline struct bgp_attrs *attr_slot_set(const struct attr_slot *s)
{
	uint64_t a = s->v & ((UINT64_C(1) << ATTR_SLOT_ADDR_BITS) - 1);
	return (struct bgp_attrs *)(uintptr_t)(a << ATTR_SLOT_ALIGN_BITS);
}

/* The low ATTR_SLOT_HASH_BITS of the set's hash. */
static inline uint32_t attr_slot_hash_bits(const struct attr_slot *s)
{
	return (uint32_t)(s->v >> ATTR_SLOT_ADDR_BITS);
}

struct attr_table {
	struct bgp_attrs_hook hook;
	uint8_t hook_id;          /* bgp_attrs_hook_register's, 0 before the first intern */
	struct attr_slot *slots;  /* open addressing, linear probing */
	size_t cap;               /* power of two, or 0 before first use */
	size_t count;
	size_t attr_bytes;        /* bytes of the interned sets themselves */
	uint64_t hits;            /* intern calls that found a shared copy */
	uint64_t misses;          /* intern calls that added one */
};

void attr_table_init(struct attr_table *t);
/* Sets still referenced elsewhere stay valid and simply stop being
 * interned (their hook id is cleared, and the id freed). */
void attr_table_destroy(struct attr_table *t);

/* Takes the caller's reference to a and returns a reference to the
 * shared copy equal to it: the existing copy, or if a is new to the
 * table, a itself when a is frozen, else a frozen copy of a.  Either way
 * the caller's reference to a is dropped (which frees a if it was the
 * only one), so a must not be used afterwards unless the caller holds
 * another reference.  NULL on -ENOMEM, with the caller's reference to a
 * left untouched. */
struct bgp_attrs *attr_intern(struct attr_table *t, struct bgp_attrs *a);

static inline size_t attr_table_count(const struct attr_table *t) { return t->count; }
/* Interned sets and their bytes plus the table's own. */
void attr_table_mem(const struct attr_table *t, struct rib_mem_stats *s);
/* Bytes one set occupies as the allocator hands them out: the frozen
 * block, or the struct and each array of a mutable set, each with
 * glibc's per-malloc header and rounding (for accounting). */
size_t attr_size(const struct bgp_attrs *a);

#endif
