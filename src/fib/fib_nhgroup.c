/* Next-hop objects and groups.
 *
 * Every distinct next-hop set becomes one kernel nexthop group
 * (RTM_NEWNEXTHOP with NHA_GROUP, Linux 5.3+), found again by content so
 * that all routes with the same set share it, and refcounted by routes.
 * Members are single nexthop objects (NHA_GATEWAY + NHA_OIF) shared by
 * all groups holding them, refcounted by groups.  Because each route
 * points at a group, a path that dies is repaired by replacing the
 * group's members: one request, whatever the number of routes
 * (prefix-independent convergence).
 *
 * Without kernel nexthop objects (table->nhobj false) the same
 * bookkeeping runs but nothing is sent; routes then carry their next
 * hops inline and fib.c rewrites them on a repair. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/log.h"
#include "fib/fib_priv.h"

/* ---- next-hop sets ---- */

int fib_nexthop_cmp(const struct fib_nexthop *a, const struct fib_nexthop *b)
{
	if (a->gw.af != b->gw.af)
		return a->gw.af < b->gw.af ? -1 : 1;
	if (a->gw.af) {
		int c = memcmp(a->gw.b, b->gw.b, addr_bytes(a->gw.af));
		if (c)
			return c < 0 ? -1 : 1;
	}
	if (a->ifindex != b->ifindex)
		return a->ifindex < b->ifindex ? -1 : 1;
	return 0;
}

static uint32_t nexthop_hash_step(uint32_t h, const struct fib_nexthop *nh)
{
	h = hash_fnv1a(h, &nh->gw.af, 1);
	if (nh->gw.af)
		h = hash_fnv1a(h, nh->gw.b, addr_bytes(nh->gw.af));
	return hash_fnv1a(h, &nh->ifindex, sizeof(nh->ifindex));
}

uint32_t fib_nexthop_hash(const struct fib_nexthop *nh)
{
	return nexthop_hash_step(HASH_FNV1A_INIT, nh);
}

static int nhset_sort_cmp(const void *a, const void *b)
{
	return fib_nexthop_cmp(a, b);
}

int fib_nhset_normalize(struct fib_nhset *s)
{
	if (s->n > FIB_NH_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < s->n; i++) {
		struct fib_nexthop *nh = &s->nh[i];
		if (nh->gw.af && nh->gw.af != AF_INET && nh->gw.af != AF_INET6)
			return -EINVAL;
		if (!nh->gw.af && nh->ifindex <= 0)
			return -EINVAL;
		if (nh->ifindex < 0)
			return -EINVAL;
		if (!nh->weight)
			nh->weight = 1;
		/* Bytes past the address family's length take part in no
		 * comparison, but zero them so copies are reproducible. */
		if (nh->gw.af == AF_INET)
			memset(nh->gw.b + 4, 0, 12);
	}
	qsort(s->nh, s->n, sizeof(s->nh[0]), nhset_sort_cmp);
	unsigned w = 0;
	for (unsigned i = 0; i < s->n; i++) {
		if (w && !fib_nexthop_cmp(&s->nh[w - 1], &s->nh[i]))
			continue; /* duplicate: the first weight stands */
		s->nh[w++] = s->nh[i];
	}
	for (unsigned i = w; i < FIB_NH_MAX; i++)
		memset(&s->nh[i], 0, sizeof(s->nh[i]));
	s->n = (uint8_t)w;
	return 0;
}

bool fib_nhset_eq(const struct fib_nhset *a, const struct fib_nhset *b)
{
	if (a->n != b->n)
		return false;
	for (unsigned i = 0; i < a->n; i++)
		if (fib_nexthop_cmp(&a->nh[i], &b->nh[i]) || a->nh[i].weight != b->nh[i].weight)
			return false;
	return true;
}

uint32_t fib_nhset_hash(const struct fib_nhset *s)
{
	uint32_t h = HASH_FNV1A_INIT;
	for (unsigned i = 0; i < s->n; i++) {
		h = nexthop_hash_step(h, &s->nh[i]);
		h = hash_fnv1a(h, &s->nh[i].weight, 1);
	}
	return h;
}

int fib_nhset_add(struct fib_nhset *s, const struct fib_nexthop *nh)
{
	if (s->n >= FIB_NH_MAX)
		return -ENOSPC;
	s->nh[s->n++] = *nh;
	return 0;
}

/* ---- the table ---- */

int fib_nhg_init(struct fib_nhg_table *t, struct fib_backend *be, bool nhobj,
		 uint32_t id_base)
{
	memset(t, 0, sizeof(*t));
	t->be = be;
	t->nhobj = nhobj;
	t->next_id = id_base ? id_base : FIB_NH_ID_BASE_DEFAULT;
	int rc = fib_htab_init(&t->nhs, 64);
	if (rc)
		return rc;
	rc = fib_htab_init(&t->groups, 64);
	if (rc)
		fib_htab_fini(&t->nhs);
	return rc;
}

static void free_group(struct fib_hnode *n, void *arg)
{
	(void)arg;
	free(fib_container_of(n, struct fib_group, h));
}

static void free_nhobj(struct fib_hnode *n, void *arg)
{
	(void)arg;
	free(fib_container_of(n, struct fib_nhobj, h));
}

void fib_nhg_fini(struct fib_nhg_table *t)
{
	if (t->groups.b)
		fib_htab_foreach(&t->groups, free_group, NULL);
	if (t->nhs.b)
		fib_htab_foreach(&t->nhs, free_nhobj, NULL);
	fib_htab_fini(&t->groups);
	fib_htab_fini(&t->nhs);
}

static uint32_t alloc_id(struct fib_nhg_table *t)
{
	/* Ids only grow; 2^32 minus the base is far more than any table
	 * will ever churn through between restarts.  Skip 0 (no id). */
	uint32_t id = t->next_id++;
	if (!id)
		id = t->next_id++;
	return id;
}

static struct fib_nhobj *nhobj_find(const struct fib_nhg_table *t, const struct fib_nexthop *nh)
{
	uint32_t h = fib_nexthop_hash(nh);
	for (struct fib_hnode *e = fib_htab_chain(&t->nhs, h); e; e = e->next) {
		struct fib_nhobj *o = fib_container_of(e, struct fib_nhobj, h);
		if (e->hash == h && !fib_nexthop_cmp(&o->nh, nh))
			return o;
	}
	return NULL;
}

static int nhobj_send(struct fib_nhg_table *t, struct fib_nhobj *o)
{
	if (!t->nhobj) {
		o->installed = true;
		return 0;
	}
	t->requests++;
	int rc = t->be->ops->nh_add(t->be->be, o->id, &o->nh);
	o->installed = rc == 0;
	return rc;
}

static struct fib_nhobj *nhobj_acquire(struct fib_nhg_table *t, const struct fib_nexthop *nh,
				       int *err)
{
	struct fib_nhobj *o = nhobj_find(t, nh);
	if (o) {
		o->refs++;
		return o;
	}
	if (t->nhobj && nh->ifindex <= 0) {
		/* The kernel wants a device on every gateway nexthop object
		 * (rtm_to_nh_config); resolving it is the caller's job. */
		*err = -EINVAL;
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		*err = -ENOMEM;
		return NULL;
	}
	o->nh = *nh;
	o->nh.weight = 0;
	o->id = alloc_id(t);
	o->refs = 1;
	int rc = nhobj_send(t, o);
	if (rc) {
		free(o);
		*err = rc;
		return NULL;
	}
	fib_htab_insert(&t->nhs, &o->h, fib_nexthop_hash(&o->nh));
	return o;
}

static void nhobj_release(struct fib_nhg_table *t, struct fib_nhobj *o)
{
	if (--o->refs)
		return;
	if (t->nhobj) {
		t->requests++;
		(void)t->be->ops->nh_del(t->be->be, o->id);
	}
	fib_htab_remove(&t->nhs, &o->h);
	free(o);
}

static int group_send(struct fib_nhg_table *t, struct fib_group *g, bool replace)
{
	if (!t->nhobj) {
		g->installed = true;
		return 0;
	}
	uint32_t ids[FIB_NH_MAX];
	uint8_t weights[FIB_NH_MAX];
	for (unsigned i = 0; i < g->set.n; i++) {
		ids[i] = g->mem[i]->id;
		weights[i] = g->set.nh[i].weight;
	}
	t->requests++;
	int rc = t->be->ops->group_set(t->be->be, g->id, ids, weights, g->set.n, replace);
	g->installed = rc == 0;
	return rc;
}

static const struct fib_nhset no_backup;

/* A group without backup hashes as its set alone. */
static uint32_t group_hash(const struct fib_nhset *s, const struct fib_nhset *bk)
{
	uint32_t h = fib_nhset_hash(s);
	if (bk && bk->n)
		h = (h * 31u) ^ (fib_nhset_hash(bk) + 0x9e3779b9u);
	return h;
}

struct fib_group *fib_nhg_find(const struct fib_nhg_table *t, const struct fib_nhset *s,
			       const struct fib_nhset *bk)
{
	if (!bk)
		bk = &no_backup;
	uint32_t h = group_hash(s, bk);
	for (struct fib_hnode *e = fib_htab_chain(&t->groups, h); e; e = e->next) {
		struct fib_group *g = fib_container_of(e, struct fib_group, h);
		if (e->hash == h && fib_nhset_eq(&g->set, s) && fib_nhset_eq(&g->backup, bk))
			return g;
	}
	return NULL;
}

/* Takes references on the members of s into mem[]; all or none. */
static int members_acquire(struct fib_nhg_table *t, const struct fib_nhset *s,
			   struct fib_nhobj **mem)
{
	int err = 0;
	for (unsigned i = 0; i < s->n; i++) {
		mem[i] = nhobj_acquire(t, &s->nh[i], &err);
		if (!mem[i]) {
			while (i--)
				nhobj_release(t, mem[i]);
			return err;
		}
	}
	return 0;
}

struct fib_group *fib_nhg_acquire(struct fib_nhg_table *t, const struct fib_nhset *s,
				  const struct fib_nhset *bk, int *err)
{
	if (!s->n) {
		*err = -EINVAL;
		return NULL;
	}
	if (!bk)
		bk = &no_backup;
	struct fib_group *g = fib_nhg_find(t, s, bk);
	if (g) {
		g->refs++;
		return g;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		*err = -ENOMEM;
		return NULL;
	}
	g->set = *s;
	g->backup = *bk;
	int rc = members_acquire(t, s, g->mem);
	if (rc) {
		free(g);
		*err = rc;
		return NULL;
	}
	g->id = alloc_id(t);
	g->refs = 1;
	rc = group_send(t, g, false);
	if (rc) {
		for (unsigned i = 0; i < s->n; i++)
			nhobj_release(t, g->mem[i]);
		free(g);
		*err = rc;
		return NULL;
	}
	fib_htab_insert(&t->groups, &g->h, group_hash(&g->set, &g->backup));
	return g;
}

void fib_nhg_release(struct fib_nhg_table *t, struct fib_group *g)
{
	if (--g->refs)
		return;
	/* The group goes before its members: a member still in a group
	 * would be pulled out of it by the kernel, which is harmless, but
	 * this order never leaves a group pointing at nothing. */
	if (t->nhobj) {
		t->requests++;
		(void)t->be->ops->nh_del(t->be->be, g->id);
	}
	for (unsigned i = 0; i < g->set.n; i++)
		nhobj_release(t, g->mem[i]);
	fib_htab_remove(&t->groups, &g->h);
	free(g);
}

int fib_nhg_replace(struct fib_nhg_table *t, struct fib_group *g, const struct fib_nhset *to,
		    const struct fib_nhset *bk)
{
	if (!to->n)
		return -EINVAL;
	struct fib_nhobj *mem[FIB_NH_MAX];
	int rc = members_acquire(t, to, mem);
	if (rc)
		return rc;
	struct fib_nhobj *old[FIB_NH_MAX];
	unsigned nold = g->set.n;
	memcpy(old, g->mem, sizeof(old));
	fib_htab_remove(&t->groups, &g->h);
	g->set = *to;
	if (bk)
		g->backup = *bk;
	memcpy(g->mem, mem, sizeof(mem));
	/* Another group may already hold `to`; the two then stay apart
	 * (lookups find either), because merging them would rewrite every
	 * route of one, which is what this call exists to avoid. */
	fib_htab_insert(&t->groups, &g->h, group_hash(&g->set, &g->backup));
	rc = group_send(t, g, true);
	/* Old members go after the replace so none is deleted while the
	 * group still names it. */
	for (unsigned i = 0; i < nold; i++)
		nhobj_release(t, old[i]);
	return rc;
}

int fib_nhg_ensure(struct fib_nhg_table *t, struct fib_group *g)
{
	int rc = 0;
	for (unsigned i = 0; i < g->set.n; i++)
		if (!g->mem[i]->installed) {
			int r = nhobj_send(t, g->mem[i]);
			if (r && !rc)
				rc = r;
		}
	if (!g->installed) {
		int r = group_send(t, g, false);
		if (r && !rc)
			rc = r;
	}
	return rc;
}

struct mark_ctx {
	uint32_t id;
	bool is_group;
};

static void mark_group(struct fib_hnode *n, void *arg)
{
	struct mark_ctx *c = arg;
	struct fib_group *g = fib_container_of(n, struct fib_group, h);
	if (g->id == c->id)
		g->installed = false;
}

static void mark_nhobj(struct fib_hnode *n, void *arg)
{
	struct mark_ctx *c = arg;
	struct fib_nhobj *o = fib_container_of(n, struct fib_nhobj, h);
	if (o->id == c->id)
		o->installed = false;
}

void fib_nhg_mark_failed(struct fib_nhg_table *t, uint32_t id)
{
	/* A linear walk: failures are rare and the object count is small
	 * next to the route count (one per distinct next-hop set). */
	struct mark_ctx c = {.id = id};
	fib_htab_foreach(&t->groups, mark_group, &c);
	fib_htab_foreach(&t->nhs, mark_nhobj, &c);
}

static void push_nhobj(struct fib_hnode *n, void *arg)
{
	(void)nhobj_send(arg, fib_container_of(n, struct fib_nhobj, h));
}

static void push_group(struct fib_hnode *n, void *arg)
{
	(void)group_send(arg, fib_container_of(n, struct fib_group, h), true);
}

void fib_nhg_push_all(struct fib_nhg_table *t)
{
	fib_htab_foreach(&t->nhs, push_nhobj, t);
	fib_htab_foreach(&t->groups, push_group, t);
}

struct owns_ctx {
	uint32_t id;
	bool found;
};

static void owns_group(struct fib_hnode *n, void *arg)
{
	struct owns_ctx *c = arg;
	if (fib_container_of(n, struct fib_group, h)->id == c->id)
		c->found = true;
}

static void owns_nhobj(struct fib_hnode *n, void *arg)
{
	struct owns_ctx *c = arg;
	if (fib_container_of(n, struct fib_nhobj, h)->id == c->id)
		c->found = true;
}

bool fib_nhg_owns_id(const struct fib_nhg_table *t, uint32_t id)
{
	struct owns_ctx c = {.id = id};
	fib_htab_foreach(&t->groups, owns_group, &c);
	if (!c.found)
		fib_htab_foreach(&t->nhs, owns_nhobj, &c);
	return c.found;
}

struct with_ctx {
	const struct fib_nexthop *nh;
	struct fib_group **out;
	size_t max, n;
};

static void with_group(struct fib_hnode *n, void *arg)
{
	struct with_ctx *c = arg;
	struct fib_group *g = fib_container_of(n, struct fib_group, h);
	for (unsigned i = 0; i < g->set.n; i++)
		if (!fib_nexthop_cmp(&g->set.nh[i], c->nh)) {
			if (c->n < c->max)
				c->out[c->n] = g;
			c->n++;
			return;
		}
}

size_t fib_nhg_groups_with(const struct fib_nhg_table *t, const struct fib_nexthop *nh,
			   struct fib_group **out, size_t max)
{
	struct with_ctx c = {.nh = nh, .out = out, .max = max};
	fib_htab_foreach(&t->groups, with_group, &c);
	return c.n;
}
