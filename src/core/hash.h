/* FNV-1a, the one byte-string hash the modules share for hash tables of
 * keys we built ourselves (prefixes, attribute sets, next-hop sets).  Fed
 * field by field, so struct padding never takes part. */
#ifndef EGRESS_CORE_HASH_H
#define EGRESS_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV1A_INIT 2166136261u

static inline uint32_t hash_fnv1a(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

#endif
