/* Fixed-size object pool: see core/pool.h.
 *
 * Under AddressSanitizer, objects on the free list and unused slab space
 * are poisoned, so a use after pool_free() is reported like one after
 * free() would be. */
#include <stdint.h>
#include <stdlib.h>

#include "core/pool.h"

#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif

#ifdef POOL_ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define POISON(p, n) __asan_poison_memory_region((p), (n))
#define UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct pool_slab {
	struct pool_slab *next;
	/* objects follow, aligned like max_align_t */
	_Alignas(max_align_t) char mem[];
};

void pool_init(struct pool *p, size_t obj_size, size_t per_slab)
{
	const size_t align = sizeof(void *);
	if (obj_size < sizeof(void *))
		obj_size = sizeof(void *);
	obj_size = (obj_size + align - 1) / align * align;
	if (per_slab == 0) {
		per_slab = (64 * 1024 - sizeof(struct pool_slab)) / obj_size;
		if (per_slab == 0)
			per_slab = 1;
	}
	*p = (struct pool){ .obj_size = obj_size, .per_slab = per_slab };
}

void pool_destroy(struct pool *p)
{
	struct pool_slab *s = p->slabs;
	while (s) {
		struct pool_slab *next = s->next;
		UNPOISON(s->mem, p->obj_size * p->per_slab);
		free(s);
		s = next;
	}
	*p = (struct pool){ .obj_size = p->obj_size, .per_slab = p->per_slab };
}

void *pool_alloc(struct pool *p)
{
	void *o = p->free_list;
	if (o) {
		UNPOISON(o, p->obj_size);
		p->free_list = *(void **)o;
		p->live++;
		return o;
	}
	if (p->bump == p->bump_end) {
		size_t size = sizeof(struct pool_slab) + p->obj_size * p->per_slab;
		struct pool_slab *s = malloc(size);
		if (!s)
			return NULL;
		s->next = p->slabs;
		p->slabs = s;
		p->slab_bytes += size;
		p->bump = s->mem;
		p->bump_end = s->mem + p->obj_size * p->per_slab;
		POISON(s->mem, p->obj_size * p->per_slab);
	}
	o = p->bump;
	p->bump += p->obj_size;
	UNPOISON(o, p->obj_size);
	p->live++;
	return o;
}

void pool_free(struct pool *p, void *obj)
{
	if (!obj)
		return;
	*(void **)obj = p->free_list;
	p->free_list = obj;
	p->live--;
	/* pool_alloc unpoisons before it reads the link word. */
	POISON(obj, p->obj_size);
}
