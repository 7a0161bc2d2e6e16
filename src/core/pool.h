/* Fixed-size object pool (slab allocator).
 *
 * The routing core allocates millions of small objects of a few sizes
 * (trie nodes, paths).  One malloc per object costs a header and a call
 * each; a pool carves objects out of large slabs and keeps freed ones on
 * a free list, so the hot path is a pointer pop (DESIGN.md 9: no
 * per-route malloc where a pool serves).  Slabs are returned to the
 * system only when the pool is destroyed. */
#ifndef EGRESS_CORE_POOL_H
#define EGRESS_CORE_POOL_H

#include <stddef.h>

struct pool_slab;

struct pool {
	size_t obj_size;   /* rounded up to pointer alignment */
	size_t per_slab;   /* objects per slab */
	void *free_list;   /* freed objects, linked through their first word */
	struct pool_slab *slabs;
	char *bump;        /* next never-used object in the newest slab */
	char *bump_end;
	size_t live;       /* objects handed out and not freed */
	size_t slab_bytes; /* bytes obtained from malloc */
};

/* obj_size > 0; per_slab 0 picks a slab of about 64 KiB. */
void pool_init(struct pool *p, size_t obj_size, size_t per_slab);
/* Frees every slab; objects still handed out become invalid. */
void pool_destroy(struct pool *p);
/* Uninitialised object, or NULL when memory is exhausted. */
void *pool_alloc(struct pool *p);
void pool_free(struct pool *p, void *obj);

static inline size_t pool_live(const struct pool *p) { return p->live; }
static inline size_t pool_bytes(const struct pool *p) { return p->slab_bytes; }

#endif
