/* Small sorted arrays of (32-bit key, value) for the prefix trie's
 * first-level index slots (rib/trie.c; private to src/rib).
 *
 * A full IPv4 table spreads over tens of thousands of /16 slots with a
 * few to a few hundred prefixes each.  As trie nodes, every prefix costs
 * a 32-byte node plus, on average, most of a 32-byte branch point; in a
 * sorted array it costs its value pointer and a 4-byte key, 12 bytes,
 * and a lookup is a binary search over one contiguous key array.
 *
 * A key is (the prefix's address bits below the slot's << 8) | length,
 * so key order is prefix order within a slot (address, then length) and
 * the low 8 bits give the length.
 *
 * Values come first (pointer alignment), the keys follow them:
 *   [n, cap, lens] [val 0 .. cap-1] [key 0 .. cap-1]
 * The trie stores at most TRIE_BUCKET_MAX entries in one bucket, so an
 * insert or delete moves a bounded number of bytes. */
#ifndef EGRESS_RIB_TRIE_BUCKET_H
#define EGRESS_RIB_TRIE_BUCKET_H

#include <stddef.h>
#include <stdint.h>

/* Past this many entries a slot becomes a node sub-trie (trie.c): an
 * insert then moves at most 256 * 12 bytes. */
#define TRIE_BUCKET_MAX 256

struct trie_bucket {
	uint16_t n, cap;
	/* Bit (len & 31) is set when a key of that prefix length may be
	 * present: a superset, recomputed whenever the array is copied.
	 * Longest match tries only the lengths that may be there. */
	uint32_t lens;
	void *val[];
};

static inline unsigned tb_key_len(uint32_t k) { return k & 0xff; }
static inline uint32_t tb_len_bit(unsigned len) { return (uint32_t)1 << (len & 31); }

static inline uint32_t *tb_keys(struct trie_bucket *b) { return (uint32_t *)(b->val + b->cap); }
static inline const uint32_t *tb_ckeys(const struct trie_bucket *b)
{
	return (const uint32_t *)(b->val + b->cap);
}

/* First position whose key is >= k (b->n when none). */
static inline size_t tb_lower(const struct trie_bucket *b, uint32_t k)
{
	const uint32_t *keys = tb_ckeys(b);
	size_t lo = 0, hi = b->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (keys[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Inserts (k, v) at position i (keys stay sorted: the caller found i
 * with tb_lower), growing or creating (*bp NULL) the bucket.  *bytes follows what the
 * allocator holds.  0 or -ENOMEM (then nothing changed).  The caller
 * keeps n below TRIE_BUCKET_MAX. */
int tb_insert_at(struct trie_bucket **bp, size_t i, uint32_t k, void *v, size_t *bytes);
/* Removes entry i, shrinking the array when it is mostly empty and
 * freeing it (*bp = NULL) when it was the last.  Never fails. */
void tb_remove_at(struct trie_bucket **bp, size_t i, size_t *bytes);
void tb_free(struct trie_bucket *b, size_t *bytes);

#endif
