/* Adj-RIB as an open-addressing hash table keyed by prefix.
 *
 * Linear probing with backward-shift deletion (no tombstones), so a
 * table that churns (a flapping peer) never degrades.  Each slot holds
 * one reference to the attributes; that is the only sharing we need
 * until the routing core interns attributes in a global table. */
#include "rib/adj_rib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct adj_slot {
	bool used;
	struct prefix prefix;
	struct bgp_attrs *attrs;
};

struct adj_rib {
	struct adj_slot *slots;
	size_t cap; /* power of two, 0 before the first insert */
	size_t count;
	size_t count6; /* of which IPv6 (max-prefix counts per family) */
};

struct adj_rib *adj_rib_new(void)
{
	return calloc(1, sizeof(struct adj_rib));
}

void adj_rib_free(struct adj_rib *r)
{
	if (!r)
		return;
	adj_rib_clear(r, 0);
	free(r->slots);
	free(r);
}

static size_t adj_home(const struct adj_rib *r, const struct prefix *p)
{
	return prefix_hash(p) & (r->cap - 1);
}

/* Index of the slot holding p, or of the empty slot where it would go. */
static size_t adj_find(const struct adj_rib *r, const struct prefix *p)
{
	size_t i = adj_home(r, p);
	while (r->slots[i].used && !prefix_eq(&r->slots[i].prefix, p))
		i = (i + 1) & (r->cap - 1);
	return i;
}

static int adj_grow(struct adj_rib *r)
{
	size_t ncap = r->cap ? r->cap * 2 : 16;
	struct adj_slot *old = r->slots;
	size_t ocap = r->cap;
	struct adj_slot *ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	r->slots = ns;
	r->cap = ncap;
	for (size_t i = 0; i < ocap; i++) {
		if (!old[i].used)
			continue;
		size_t j = adj_find(r, &old[i].prefix);
		r->slots[j] = old[i];
	}
	free(old);
	return 0;
}

int adj_rib_update(struct adj_rib *r, const struct prefix *p, struct bgp_attrs *attrs)
{
	if (!attrs)
		return -EINVAL;
	/* Keep the load factor under 3/4 so probe runs stay short. */
	if ((r->count + 1) * 4 > r->cap * 3) {
		int rc = adj_grow(r);
		if (rc < 0)
			return rc;
	}
	size_t i = adj_find(r, p);
	struct adj_slot *s = &r->slots[i];
	if (s->used) {
		struct bgp_attrs *old = s->attrs;
		s->attrs = bgp_attrs_ref(attrs);
		bgp_attrs_unref(old);
		return 0;
	}
	s->used = true;
	s->prefix = *p;
	s->attrs = bgp_attrs_ref(attrs);
	r->count++;
	r->count6 += p->addr.af == AF_INET6;
	return 1;
}

/* Backward-shift deletion: pull later members of the probe run into the
 * hole so lookups never need tombstones. */
static void adj_remove_at(struct adj_rib *r, size_t i)
{
	bgp_attrs_unref(r->slots[i].attrs);
	r->count6 -= r->slots[i].prefix.addr.af == AF_INET6;
	memset(&r->slots[i], 0, sizeof(r->slots[i]));
	r->count--;
	size_t mask = r->cap - 1;
	size_t hole = i;
	size_t j = (i + 1) & mask;
	while (r->slots[j].used) {
		size_t home = adj_home(r, &r->slots[j].prefix);
		/* j may move into the hole if its home is not in (hole, j]. */
		bool stays = hole <= j ? (home > hole && home <= j)
				       : (home > hole || home <= j);
		if (!stays) {
			r->slots[hole] = r->slots[j];
			memset(&r->slots[j], 0, sizeof(r->slots[j]));
			hole = j;
		}
		j = (j + 1) & mask;
	}
}

bool adj_rib_withdraw(struct adj_rib *r, const struct prefix *p)
{
	if (!r->cap)
		return false;
	size_t i = adj_find(r, p);
	if (!r->slots[i].used)
		return false;
	adj_remove_at(r, i);
	return true;
}

struct bgp_attrs *adj_rib_lookup(const struct adj_rib *r, const struct prefix *p)
{
	if (!r->cap)
		return NULL;
	size_t i = adj_find(r, p);
	return r->slots[i].used ? r->slots[i].attrs : NULL;
}

size_t adj_rib_count(const struct adj_rib *r)
{
	return r ? r->count : 0;
}

size_t adj_rib_count_af(const struct adj_rib *r, int af)
{
	if (!r)
		return 0;
	return af == AF_INET6 ? r->count6 : r->count - r->count6;
}

void adj_rib_clear(struct adj_rib *r, int af)
{
	if (!r->cap)
		return;
	if (af == 0) {
		for (size_t i = 0; i < r->cap; i++) {
			if (r->slots[i].used)
				bgp_attrs_unref(r->slots[i].attrs);
		}
		memset(r->slots, 0, r->cap * sizeof(*r->slots));
		r->count = 0;
		r->count6 = 0;
		return;
	}
	/* Removal shifts later entries backwards, so slot i is examined
	 * again after a removal; an entry shifted across the wrap-around
	 * point into an already visited slot is caught by another pass. */
	bool removed = true;
	while (removed) {
		removed = false;
		for (size_t i = 0; i < r->cap;) {
			if (r->slots[i].used && r->slots[i].prefix.addr.af == af) {
				adj_remove_at(r, i);
				removed = true;
			} else {
				i++;
			}
		}
	}
}

static int adj_entry_cmp(const void *a, const void *b)
{
	const struct adj_rib_entry *x = a, *y = b;
	return prefix_cmp(&x->prefix, &y->prefix);
}

int adj_rib_entries(const struct adj_rib *r, struct adj_rib_entry **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!r || !r->count)
		return 0;
	struct adj_rib_entry *e = calloc(r->count, sizeof(*e));
	if (!e)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < r->cap; i++) {
		if (!r->slots[i].used)
			continue;
		e[k].prefix = r->slots[i].prefix;
		e[k].attrs = bgp_attrs_ref(r->slots[i].attrs);
		k++;
	}
	qsort(e, k, sizeof(*e), adj_entry_cmp);
	*out = e;
	*n = k;
	return 0;
}

void adj_rib_entries_free(struct adj_rib_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bgp_attrs_unref(e[i].attrs);
	free(e);
}
