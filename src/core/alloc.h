/* What the allocator really holds for a request (memory accounting,
 * issue 3: `show memory` counts what the process pays, not what it
 * asked for). */
#ifndef EGRESS_CORE_ALLOC_H
#define EGRESS_CORE_ALLOC_H

#include <stddef.h>

/* glibc's malloc on 64-bit: an 8-byte header, chunks in steps of 16
 * bytes, 32 at least; 0 for no allocation. */
static inline size_t alloc_chunk_bytes(size_t n)
{
	if (n == 0)
		return 0;
	size_t c = (n + 8 + 15) & ~(size_t)15;
	return c < 32 ? 32 : c;
}

#endif
