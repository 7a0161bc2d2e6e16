/* Path attribute sets: allocation, reference counting, deep copy,
 * comparison and hashing (so equal sets can be shared), and setters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/attr_priv.h"

const struct addr bgp_attrs_no_addr;

/* Intern tables by hook id (index 0 unused: no hook).  The daemon is
 * single-threaded and has one table per RIB, so a small fixed array
 * does; an id is free again once its table is destroyed. */
static struct bgp_attrs_hook *attr_hooks[BGP_ATTRS_HOOK_MAX + 1];

int bgp_attrs_hook_register(struct bgp_attrs_hook *h)
{
	for (unsigned id = 1; id <= BGP_ATTRS_HOOK_MAX; id++) {
		if (!attr_hooks[id]) {
			attr_hooks[id] = h;
			return (int)id;
		}
	}
	return -ENOSPC;
}

void bgp_attrs_hook_unregister(unsigned id)
{
	if (id && id <= BGP_ATTRS_HOOK_MAX)
		attr_hooks[id] = NULL;
}

struct bgp_attrs *bgp_attrs_new(void)
{
	struct bgp_attrs *a = calloc(1, sizeof(*a));
	if (a)
		a->refcnt = 1;
	return a;
}

struct bgp_attrs *bgp_attrs_ref(struct bgp_attrs *a)
{
	if (a)
		a->refcnt++;
	return a;
}

/* A frozen set is one block (attr_freeze.c): its array pointers point
 * inside it and must not be passed to free(). */
static void attrs_free(struct bgp_attrs *a)
{
	if (a->frozen) {
		free(a);
		return;
	}
	free(a->aspath);
	free(a->communities);
	free(a->ext_communities);
	free(a->large_communities);
	for (unsigned i = 0; i < a->n_unknown; i++)
		free(a->unknown[i].data);
	free(a->unknown);
	free(a->mp_nh);
	free(a);
}

void bgp_attrs_unref(struct bgp_attrs *a)
{
	if (a && --a->refcnt == 0) {
		if (a->hook_id) {
			struct bgp_attrs_hook *h = attr_hooks[a->hook_id];
			h->release(h, a);
		}
		attrs_free(a);
	}
}

static void *memdup(const void *p, size_t n)
{
	if (!n)
		return NULL;
	void *q = malloc(n);
	if (q)
		memcpy(q, p, n);
	return q;
}

struct bgp_attrs *bgp_attrs_dup(const struct bgp_attrs *a)
{
	struct bgp_attrs *d = bgp_attrs_new();
	if (!d)
		return NULL;
	*d = *a;
	d->refcnt = 1;
	d->hook_id = 0; /* the copy is private, not the interned one */
	/* Mutable even when a is frozen: every array is copied below into
	 * a malloc of its own. */
	d->frozen = false;
	d->hash = 0;
	d->aspath = memdup(a->aspath, a->aspath_len);
	d->communities = memdup(a->communities, a->n_communities * sizeof(uint32_t));
	d->ext_communities = memdup(a->ext_communities, (size_t)a->n_ext_communities * 8);
	d->large_communities = memdup(a->large_communities,
				      a->n_large_communities * sizeof(*a->large_communities));
	d->unknown = memdup(a->unknown, a->n_unknown * sizeof(*a->unknown));
	d->mp_nh = a->mp_nh ? memdup(a->mp_nh, sizeof(*a->mp_nh)) : NULL;
	bool fail = (a->mp_nh && !d->mp_nh) ||
		    (a->aspath_len && !d->aspath) || (a->n_communities && !d->communities) ||
		    (a->n_ext_communities && !d->ext_communities) ||
		    (a->n_large_communities && !d->large_communities) ||
		    (a->n_unknown && !d->unknown);
	if (d->unknown) {
		for (unsigned i = 0; i < a->n_unknown; i++) {
			d->unknown[i].data = memdup(a->unknown[i].data, a->unknown[i].len);
			if (a->unknown[i].len && !d->unknown[i].data)
				fail = true;
		}
	} else {
		d->n_unknown = 0;
	}
	if (fail) {
		attrs_free(d);
		return NULL;
	}
	return d;
}

static bool addr_same(const struct addr *x, const struct addr *y)
{
	return x->af == y->af && memcmp(x->b, y->b, 16) == 0;
}

static bool bytes_same(const void *x, const void *y, size_t n)
{
	return n == 0 || memcmp(x, y, n) == 0;
}

bool bgp_attrs_equal(const struct bgp_attrs *a, const struct bgp_attrs *b)
{
	if (a == b)
		return true;
	if (a->frozen && b->frozen && a->hash != b->hash)
		return false;
	if (a->present != b->present || a->origin != b->origin ||
	    a->aspath_len != b->aspath_len || a->nexthop.s_addr != b->nexthop.s_addr ||
	    !addr_same(bgp_attrs_mp_nexthop(a), bgp_attrs_mp_nexthop(b)) ||
	    !addr_same(bgp_attrs_mp_nexthop_ll(a), bgp_attrs_mp_nexthop_ll(b)) || a->med != b->med ||
	    a->local_pref != b->local_pref || a->aggregator_as != b->aggregator_as ||
	    a->aggregator_id != b->aggregator_id || a->n_communities != b->n_communities ||
	    a->n_ext_communities != b->n_ext_communities ||
	    a->n_large_communities != b->n_large_communities || a->n_unknown != b->n_unknown)
		return false;
	if (!bytes_same(a->aspath, b->aspath, a->aspath_len) ||
	    !bytes_same(a->communities, b->communities, a->n_communities * sizeof(uint32_t)) ||
	    !bytes_same(a->ext_communities, b->ext_communities, (size_t)a->n_ext_communities * 8) ||
	    !bytes_same(a->large_communities, b->large_communities,
			a->n_large_communities * sizeof(*a->large_communities)))
		return false;
	for (unsigned i = 0; i < a->n_unknown; i++) {
		const struct bgp_attr_raw *x = &a->unknown[i], *y = &b->unknown[i];
		if (x->flags != y->flags || x->code != y->code || x->len != y->len ||
		    !bytes_same(x->data, y->data, x->len))
			return false;
	}
	return true;
}

/* The setters free the old array and store a new one: never on a frozen
 * set, whose arrays live inside its block (attr_freeze.c). */
int bgp_attrs_set_aspath(struct bgp_attrs *a, const uint8_t *segs, size_t len)
{
	if (a->frozen)
		return -EPERM;
	if (len > 65535 || !bgp_aspath_valid(segs, len))
		return -EINVAL;
	uint8_t *p = memdup(segs, len);
	if (len && !p)
		return -ENOMEM;
	free(a->aspath);
	a->aspath = p;
	a->aspath_len = (uint16_t)len;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_AS_PATH);
	return 0;
}

int bgp_attrs_set_communities(struct bgp_attrs *a, const uint32_t *c, size_t n)
{
	if (a->frozen)
		return -EPERM;
	/* The attribute length (at most 65535) bounds the count. */
	if (n > 65535 / 4)
		return -EINVAL;
	uint32_t *p = memdup(c, n * sizeof(*c));
	if (n && !p)
		return -ENOMEM;
	free(a->communities);
	a->communities = p;
	a->n_communities = (uint16_t)n;
	if (n)
		a->present |= BGP_ATTR_BIT(BGP_ATTR_COMMUNITIES);
	else
		a->present &= ~BGP_ATTR_BIT(BGP_ATTR_COMMUNITIES);
	return 0;
}

int bgp_attrs_set_large_communities(struct bgp_attrs *a,
				    const struct bgp_large_community *c, size_t n)
{
	if (a->frozen)
		return -EPERM;
	if (n > 65535 / 12)
		return -EINVAL;
	struct bgp_large_community *p = memdup(c, n * sizeof(*c));
	if (n && !p)
		return -ENOMEM;
	free(a->large_communities);
	a->large_communities = p;
	a->n_large_communities = (uint16_t)n;
	if (n)
		a->present |= BGP_ATTR_BIT(BGP_ATTR_LARGE_COMMUNITIES);
	else
		a->present &= ~BGP_ATTR_BIT(BGP_ATTR_LARGE_COMMUNITIES);
	return 0;
}

bool bgp_attrs_nexthop(const struct bgp_attrs *a, int af, struct addr *out)
{
	memset(out, 0, sizeof(*out));
	if (af == AF_INET && bgp_attrs_has(a, BGP_ATTR_NEXT_HOP)) {
		out->af = AF_INET;
		memcpy(out->b, &a->nexthop, 4);
		return true;
	}
	if (a->mp_nh && a->mp_nh->global.af == af) {
		*out = a->mp_nh->global;
		return true;
	}
	return false;
}

/* Both next hops copied out first: global or ll may point into a's own
 * struct, which is freed or overwritten below. */
int bgp_attrs_set_mp_nexthop(struct bgp_attrs *a, const struct addr *global,
			     const struct addr *ll)
{
	if (a->frozen)
		return -EPERM;
	struct bgp_mp_nexthop v = {
		.global = global ? *global : bgp_attrs_no_addr,
		.ll = ll ? *ll : bgp_attrs_no_addr,
	};
	if (!v.global.af && !v.ll.af) {
		free(a->mp_nh);
		a->mp_nh = NULL;
		return 0;
	}
	if (!a->mp_nh && !(a->mp_nh = malloc(sizeof(*a->mp_nh))))
		return -ENOMEM;
	*a->mp_nh = v;
	return 0;
}

void bgp_attrs_borrow_mp_nexthop(struct bgp_attrs *a, struct bgp_mp_nexthop *store,
				 const struct addr *global, const struct addr *ll)
{
	store->global = global ? *global : bgp_attrs_no_addr;
	store->ll = ll ? *ll : bgp_attrs_no_addr;
	a->mp_nh = store->global.af || store->ll.af ? store : NULL;
}
