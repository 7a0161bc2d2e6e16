/* Prefix store of the Loc-RIB (IPv4 and IPv6 side by side): a
 * path-compressed binary trie with a first-level index, whose IPv4 index
 * slots are small sorted arrays until they grow large.
 *
 * Nodes hold one prefix each; nodes without a value are the branch
 * points path compression needs, so n prefixes cost at most 2n-1 nodes
 * (IPv4 nodes are 32 bytes, IPv6 48, from a pool).  Under the IPv4
 * index, a slot holds its prefixes in a sorted array (rib/trie_bucket.h,
 * 12 bytes a prefix) until it has TRIE_BUCKET_MAX of them, and only then
 * becomes a node sub-trie, so every operation stays bounded however the
 * table is shaped.  The trie stores an opaque non-NULL value per prefix
 * and never looks at it.
 *
 * Order: a walk visits prefixes sorted as prefix_cmp() sorts them
 * (address, then length: a prefix before its more-specifics), IPv4
 * before IPv6 when both families are walked. */
#ifndef EGRESS_RIB_TRIE_H
#define EGRESS_RIB_TRIE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/addr.h"
#include "core/pool.h"
#include "rib/mem.h"

struct trie_node;

/* Large tables get a first-level index on the top TRIE_INDEX_BITS bits
 * (built when a family reaches TRIE_INDEX_MIN prefixes): prefixes at
 * least that long live in one sub-trie per index slot, the rest in the
 * root trie.  A full IPv4 table is ~21 levels deep without it and ~5
 * below it, and each level is a dependent memory load. */
#define TRIE_INDEX_BITS 16
#define TRIE_INDEX_MIN 4096

struct trie {
	struct trie_node *root[2];   /* [0] IPv4, [1] IPv6 */
	/* 2^TRIE_INDEX_BITS sub-trie roots, or NULL; an IPv4 slot may
	 * instead hold a tagged struct trie_bucket (rib/trie.c). */
	struct trie_node **index[2];
	bool index_failed[2];        /* could not build it: stay without */
	size_t count[2];             /* prefixes with a value */
	struct pool pool4, pool6;
	size_t bucket_bytes;   /* allocator chunks of the sorted arrays */
	size_t bucket_entries; /* prefixes held in them */
};

void trie_init(struct trie *t);
/* Frees the nodes; the values are the caller's (walk them first). */
void trie_destroy(struct trie *t);

/* Stores value (non-NULL) under p, replacing what was there.  1 if the
 * prefix is new, 0 if replaced, -EINVAL (bad family, length, NULL
 * value, host bits set), -ENOMEM. */
int trie_insert(struct trie *t, const struct prefix *p, void *value);
/* One descent for "find or add": if p is present, *slot gets its value
 * slot and 0 is returned (value is not stored); else value (non-NULL)
 * is stored, *slot points at it and 1 is returned.  -EINVAL, -ENOMEM
 * as trie_insert.  The slot stays valid until the trie changes. */
int trie_insert_or_get(struct trie *t, const struct prefix *p, void *value, void ***slot);
/* The value stored under exactly p, or NULL. */
void *trie_lookup(const struct trie *t, const struct prefix *p);
/* Slot holding p's value, to change it in place without a second
 * descent (store a non-NULL value only), or NULL if p is absent. */
void **trie_lookup_slot(struct trie *t, const struct prefix *p);
/* Longest prefix covering p (length <= p->len) that has a value; its
 * prefix goes to *match when match is not NULL.  For an address lookup
 * pass a host prefix (/32, /128). */
void *trie_match(const struct trie *t, const struct prefix *p, struct prefix *match);
/* Removes p and returns its value, or NULL if absent. */
void *trie_delete(struct trie *t, const struct prefix *p);

/* Where a lookup found a prefix, so that deleting it afterwards needs
 * no second descent (a withdrawal looks first, then maybe deletes).
 * Valid only until the trie changes. */
struct trie_pos {
	struct trie_node **slot;  /* link to the node, or to the bucket */
	struct trie_node **pslot; /* link to its parent, NULL at the root */
	int fam;
	int entry;                /* position in the bucket, -1 for a node */
	uint32_t bkey;            /* the bucket entry's key, to check it */
};
/* As trie_lookup_slot, also filling *pos. */
void **trie_lookup_pos(struct trie *t, const struct prefix *p, struct trie_pos *pos);
/* Removes the prefix found at pos and returns its value. */
void *trie_delete_pos(struct trie *t, const struct trie_pos *pos);

static inline size_t trie_count(const struct trie *t, int af)
{
	return af == AF_INET ? t->count[0] : af == AF_INET6 ? t->count[1]
						       : t->count[0] + t->count[1];
}

/* Visitor: return 0 to go on, anything else stops the walk and is
 * returned by trie_walk.  It must not change the trie. */
typedef int (*trie_visit_fn)(void *arg, const struct prefix *p, void *value);

/* Visits, in order, the prefixes of family af (AF_INET or AF_INET6)
 * that sort after *cursor (all of them when cursor is NULL or its family
 * is 0), at most budget of them (0 = no limit).  Walks are sliced across
 * event-loop iterations this way: the cursor is a prefix, not a node, so
 * the trie may change freely between slices (issue 3: long table walks
 * are resumable).  When the budget runs out, *next (if not NULL) gets the
 * last prefix visited and 1 is returned; 0 when the family is done; the
 * visitor's non-zero result otherwise (*next then holds the prefix it
 * stopped on). */
int trie_walk(const struct trie *t, int af, const struct prefix *cursor, size_t budget,
	      trie_visit_fn fn, void *arg, struct prefix *next);

/* Nodes (with or without value) plus prefixes held in sorted arrays,
 * and bytes of the node pools, the arrays and the indexes. */
void trie_mem(const struct trie *t, struct rib_mem_stats *s);

#endif
