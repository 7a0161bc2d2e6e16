/* Open-addressing hash map from a non-zero 64-bit key to a 32-bit value.
 *
 * The bench tools keep up to a few million IPv4 prefixes in it (feeder:
 * de-duplication and the MRT table; collector: what the daemon under
 * test has announced), so it stores keys flat, with linear probing and
 * backward-shift deletion: no tombstones, no per-entry allocation. */
#ifndef EGRESS_BENCH_U64MAP_H
#define EGRESS_BENCH_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

struct u64map {
	uint64_t *keys; /* 0 = empty slot */
	uint32_t *vals;
	size_t cap;     /* power of two */
	size_t n;
};

/* Sized for about `expect` keys; it grows on demand. 0 or -ENOMEM. */
int u64map_init(struct u64map *m, size_t expect);
void u64map_free(struct u64map *m);
/* True and *val set when key is present. */
bool u64map_get(const struct u64map *m, uint64_t key, uint32_t *val);
/* 1 if key was new, 0 if its value was replaced, -ENOMEM. */
int u64map_put(struct u64map *m, uint64_t key, uint32_t val);
/* True if key was present (and is now gone). */
bool u64map_del(struct u64map *m, uint64_t key);

/* The key of an IPv4 prefix: address and length, with a bit above both
 * so that no prefix (not even 0.0.0.0/0) maps to the empty key 0. */
static inline uint64_t u64map_v4_key(uint32_t addr_host, uint8_t len)
{
	return (1ull << 40) | ((uint64_t)addr_host << 8) | len;
}

#endif
