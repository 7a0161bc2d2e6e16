/* The FIB's routes by prefix: open addressing with linear probing,
 * each slot the route's hash and a pointer to it.
 *
 * Why not the chained fib_htab the groups use: a full table is a
 * million routes, and every change looks its prefix up.  With chains
 * that is a bucket load and then a load of each node on the chain, two
 * or more cache and TLB misses for a prefix not yet there (the common
 * case of a first install); perf put the lookup at 7% of egressd's
 * whole install, the kernel included.  Here the slot holds the hash,
 * so a probe touches one cache line and the route itself only when the
 * hash matches.  The table stays at most half full; a large slot array
 * asks for transparent huge pages, so probes do not miss the TLB too. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fib/fib_priv.h"

#define RTAB_HUGE (2u * 1024 * 1024)

static size_t slot_of(const struct fib_rtab *t, uint32_t hash)
{
	/* Fibonacci hashing: the product's high bits mix every bit of the
	 * hash, whatever its low bits look like. */
	return (size_t)(((uint64_t)hash * 0x9e3779b97f4a7c15ull) >> t->shift);
}

static struct fib_rslot *slots_alloc(size_t n)
{
	size_t bytes = n * sizeof(struct fib_rslot);
	void *p = NULL;
	if (bytes >= RTAB_HUGE) {
		if (posix_memalign(&p, RTAB_HUGE, bytes) != 0)
			return NULL;
#ifdef MADV_HUGEPAGE
		(void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint; without it, still correct */
#endif
		memset(p, 0, bytes);
		return p;
	}
	return calloc(n, sizeof(struct fib_rslot));
}

static int rtab_alloc(struct fib_rtab *t, unsigned bits)
{
	struct fib_rslot *s = slots_alloc((size_t)1 << bits);
	if (!s)
		return -ENOMEM;
	t->s = s;
	t->mask = ((size_t)1 << bits) - 1;
	t->shift = 64 - bits;
	t->count = 0;
	return 0;
}

int fib_rtab_init(struct fib_rtab *t, size_t cap)
{
	unsigned bits = 4;
	while (((size_t)1 << bits) < cap)
		bits++;
	return rtab_alloc(t, bits);
}

void fib_rtab_fini(struct fib_rtab *t)
{
	free(t->s);
	memset(t, 0, sizeof(*t));
}

struct fib_rt *fib_rtab_find(const struct fib_rtab *t, const struct prefix *pfx, uint32_t hash)
{
	for (size_t i = slot_of(t, hash);; i = (i + 1) & t->mask) {
		const struct fib_rslot *s = &t->s[i];
		if (!s->rt)
			return NULL;
		if (s->hash == hash && prefix_eq(&s->rt->pfx, pfx))
			return s->rt;
	}
}

static void place(struct fib_rtab *t, struct fib_rt *rt, uint32_t hash)
{
	size_t i = slot_of(t, hash);
	while (t->s[i].rt)
		i = (i + 1) & t->mask;
	t->s[i].hash = hash;
	t->s[i].rt = rt;
	t->count++;
}

static int grow(struct fib_rtab *t)
{
	struct fib_rtab n;
	unsigned bits = (unsigned)(64 - t->shift) + 1;
	int rc = rtab_alloc(&n, bits);
	if (rc)
		return rc;
	for (size_t i = 0; i <= t->mask; i++)
		if (t->s[i].rt)
			place(&n, t->s[i].rt, t->s[i].hash);
	free(t->s);
	*t = n;
	return 0;
}

int fib_rtab_insert(struct fib_rtab *t, struct fib_rt *rt, uint32_t hash)
{
	/* At most half full; a grow that finds no memory may go on up to
	 * 7/8 (longer probes), then the insert fails. */
	if (2 * (t->count + 1) > t->mask + 1 && grow(t) != 0 &&
	    8 * (t->count + 1) > 7 * (t->mask + 1))
		return -ENOMEM;
	place(t, rt, hash);
	return 0;
}

void fib_rtab_remove(struct fib_rtab *t, const struct fib_rt *rt, uint32_t hash)
{
	size_t i = slot_of(t, hash);
	while (t->s[i].rt != rt) {
		if (!t->s[i].rt)
			return; /* not there */
		i = (i + 1) & t->mask;
	}
	/* Backward-shift deletion: later entries of the run move up into
	 * the hole unless their home slot lies after it, so no tombstones. */
	size_t hole = i;
	for (size_t j = (i + 1) & t->mask; t->s[j].rt; j = (j + 1) & t->mask) {
		size_t home = slot_of(t, t->s[j].hash);
		bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
		if (!stays) {
			t->s[hole] = t->s[j];
			hole = j;
		}
	}
	t->s[hole].rt = NULL;
	t->s[hole].hash = 0;
	t->count--;
}

void fib_rtab_foreach(const struct fib_rtab *t, void (*fn)(struct fib_rt *, void *), void *arg)
{
	for (size_t i = 0; i <= t->mask; i++)
		if (t->s[i].rt)
			fn(t->s[i].rt, arg);
}
