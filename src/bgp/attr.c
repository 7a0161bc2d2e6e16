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
	struct bgp_attrs_mut *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->a.refcnt = 1;
	return &m->a;
}

struct bgp_attrs *bgp_attrs_ref(struct bgp_attrs *a)
{
	if (a)
		a->refcnt++;
	return a;
}

/* A frozen set is one block (attr_freeze.c), its arrays inside it; a
 * mutable one owns an allocation per array. */
static void attrs_free(struct bgp_attrs *a)
{
	if (a->frozen) {
		free(a);
		return;
	}
	struct bgp_attrs_mut *m = bgp_attrs_mut(a);
	free(m->aspath);
	free(m->communities);
	free(m->ext_communities);
	free(m->large_communities);
	for (unsigned i = 0; m->unknown && i < a->n_unknown; i++)
		free(m->unknown[i].data);
	free(m->unknown);
	free(m->mp_nh);
	free(m);
}

void bgp_attrs_prefetch_release(const struct bgp_attrs *a, uint32_t going)
{
	if (a && a->refcnt <= going && a->hook_id) {
		struct bgp_attrs_hook *h = attr_hooks[a->hook_id];
		if (h->prefetch)
			h->prefetch(h, a);
	}
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
	struct bgp_attrs_mut *m = bgp_attrs_mut(d);
	*d = *a;
	d->refcnt = 1;
	d->hook_id = 0; /* the copy is private, not the interned one */
	/* Mutable even when a is frozen: every array is copied below into
	 * a malloc of its own. */
	d->frozen = false;
	d->mp_nh_in_block = false;
	d->agg_in_block = false;
	d->hash = 0;
	m->agg = bgp_attrs_aggregator(a);
	const struct bgp_attr_raw *unknown = bgp_attrs_unknown(a);
	const struct bgp_mp_nexthop *mp_nh = bgp_attrs_mp_nh(a);
	m->aspath = memdup(bgp_attrs_aspath(a), a->aspath_len);
	m->communities = memdup(bgp_attrs_communities(a), a->n_communities * sizeof(uint32_t));
	m->ext_communities = memdup(bgp_attrs_ext_communities(a), (size_t)a->n_ext_communities * 8);
	m->large_communities = memdup(bgp_attrs_large_communities(a),
				      a->n_large_communities * sizeof(struct bgp_large_community));
	m->unknown = memdup(unknown, a->n_unknown * sizeof(*unknown));
	m->mp_nh = mp_nh ? memdup(mp_nh, sizeof(*mp_nh)) : NULL;
	bool fail = (mp_nh && !m->mp_nh) ||
		    (a->aspath_len && !m->aspath) || (a->n_communities && !m->communities) ||
		    (a->n_ext_communities && !m->ext_communities) ||
		    (a->n_large_communities && !m->large_communities) ||
		    (a->n_unknown && !m->unknown);
	if (m->unknown) {
		for (unsigned i = 0; i < a->n_unknown; i++) {
			m->unknown[i].data = memdup(unknown[i].data, unknown[i].len);
			if (unknown[i].len && !m->unknown[i].data)
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

void bgp_attrs_borrow(struct bgp_attrs_mut *m, const struct bgp_attrs *src)
{
	/* The casts drop const: m only ever reads these arrays (see
	 * attr.h), and points elsewhere to change one. */
	*m = (struct bgp_attrs_mut){
		.a = *src,
		.aspath = (uint8_t *)bgp_attrs_aspath(src),
		.communities = (uint32_t *)bgp_attrs_communities(src),
		.ext_communities = (uint8_t *)bgp_attrs_ext_communities(src),
		.large_communities = (struct bgp_large_community *)bgp_attrs_large_communities(src),
		.unknown = (struct bgp_attr_raw *)bgp_attrs_unknown(src),
		.mp_nh = (struct bgp_mp_nexthop *)bgp_attrs_mp_nh(src),
		.agg = bgp_attrs_aggregator(src),
	};
	m->a.refcnt = 1;
	m->a.hash = 0;
	m->a.frozen = false;
	m->a.mp_nh_in_block = false;
	m->a.agg_in_block = false;
	m->a.hook_id = 0;
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
	    a->local_pref != b->local_pref || a->n_communities != b->n_communities ||
	    a->n_ext_communities != b->n_ext_communities ||
	    a->n_large_communities != b->n_large_communities || a->n_unknown != b->n_unknown)
		return false;
	struct bgp_aggregator ga = bgp_attrs_aggregator(a), gb = bgp_attrs_aggregator(b);
	if (ga.as != gb.as || ga.id != gb.id)
		return false;
	if (!bytes_same(bgp_attrs_aspath(a), bgp_attrs_aspath(b), a->aspath_len) ||
	    !bytes_same(bgp_attrs_communities(a), bgp_attrs_communities(b),
			a->n_communities * sizeof(uint32_t)) ||
	    !bytes_same(bgp_attrs_ext_communities(a), bgp_attrs_ext_communities(b),
			(size_t)a->n_ext_communities * 8) ||
	    !bytes_same(bgp_attrs_large_communities(a), bgp_attrs_large_communities(b),
			a->n_large_communities * sizeof(struct bgp_large_community)))
		return false;
	const struct bgp_attr_raw *ua = bgp_attrs_unknown(a), *ub = bgp_attrs_unknown(b);
	for (unsigned i = 0; i < a->n_unknown; i++) {
		const struct bgp_attr_raw *x = &ua[i], *y = &ub[i];
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
	free(bgp_attrs_mut(a)->aspath);
	bgp_attrs_mut(a)->aspath = p;
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
	free(bgp_attrs_mut(a)->communities);
	bgp_attrs_mut(a)->communities = p;
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
	free(bgp_attrs_mut(a)->large_communities);
	bgp_attrs_mut(a)->large_communities = p;
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
	const struct bgp_mp_nexthop *m = bgp_attrs_mp_nh(a);
	if (m && m->global.af == af) {
		*out = m->global;
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
	struct bgp_attrs_mut *m = bgp_attrs_mut(a);
	if (!v.global.af && !v.ll.af) {
		free(m->mp_nh);
		m->mp_nh = NULL;
		return 0;
	}
	if (!m->mp_nh && !(m->mp_nh = malloc(sizeof(*m->mp_nh))))
		return -ENOMEM;
	*m->mp_nh = v;
	return 0;
}

void bgp_attrs_borrow_mp_nexthop(struct bgp_attrs_mut *m, struct bgp_mp_nexthop *store,
				 const struct addr *global, const struct addr *ll)
{
	store->global = global ? *global : bgp_attrs_no_addr;
	store->ll = ll ? *ll : bgp_attrs_no_addr;
	m->mp_nh = store->global.af || store->ll.af ? store : NULL;
}
