/* VPC route table: see daemon/route_table.h.
 *
 * Rows live in one array sorted by prefix, one entry per prefix with
 * its local, static and propagated parts; a sync walks it in order,
 * counts propagated prefixes against the limit and brings the kernel in
 * line.  A table holds at most a few thousand prefixes (AWS: 100
 * propagated per table, 1000 per attachment), so a full walk per batch
 * of changes is cheap and keeps the rules in one readable loop. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "daemon/route_table.h"

struct rtab_entry {
	struct prefix prefix;
	bool local;
	bool stat;
	struct rtab_hops stat_hop;   /* one hop: the via address */
	struct rtab_hops prop;       /* n 0: none */
	enum rtab_state stat_state;
	enum rtab_state prop_state;
	bool installed;
	struct rtab_hops inst;       /* what the kernel holds */
	int kernel_err;              /* last refusal, 0 = none */
	bool hidden_logged;          /* "static hides propagated" said */
};

struct rtab {
	char *name;
	uint32_t table;
	uint32_t max_routes;
	struct rtab_kernel k;
	bool has_k;
	struct rtab_entry *e;
	size_t n, cap;
	struct prefix *locals;      /* the local CIDRs again: a handful, */
	size_t n_locals;            /* checked against every propagated route */
	struct rtab_counts counts;
	size_t last_over;           /* over-limit count last logged */
};

const char *rtab_origin_name(enum rtab_origin o)
{
	switch (o) {
	case RTAB_ORIGIN_LOCAL: return "local";
	case RTAB_ORIGIN_STATIC: return "static";
	case RTAB_ORIGIN_PROPAGATED: return "propagated";
	}
	return "?";
}

const char *rtab_state_name(enum rtab_state s)
{
	switch (s) {
	case RTAB_ACTIVE: return "active";
	case RTAB_BLACKHOLE: return "blackhole";
	case RTAB_SUPPRESSED_BY_LOCAL: return "suppressed-by-local";
	case RTAB_SUPPRESSED_BY_STATIC: return "suppressed-by-static";
	case RTAB_OVER_LIMIT: return "over-limit";
	}
	return "?";
}

/* Index of p, or the insertion point as -(index) - 1. */
static long find(const struct rtab *rt, const struct prefix *p)
{
	size_t lo = 0, hi = rt->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = prefix_cmp(&rt->e[mid].prefix, p);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(long)lo - 1;
}

static struct rtab_entry *get(struct rtab *rt, const struct prefix *p, bool create)
{
	long i = find(rt, p);
	if (i >= 0)
		return &rt->e[i];
	if (!create)
		return NULL;
	size_t at = (size_t)(-i - 1);
	if (rt->n == rt->cap) {
		size_t cap = rt->cap ? rt->cap * 2 : 16;
		struct rtab_entry *ne = realloc(rt->e, cap * sizeof(*ne));
		if (!ne)
			return NULL;
		rt->e = ne;
		rt->cap = cap;
	}
	memmove(&rt->e[at + 1], &rt->e[at], (rt->n - at) * sizeof(*rt->e));
	rt->n++;
	memset(&rt->e[at], 0, sizeof(*rt->e));
	rt->e[at].prefix = *p;
	return &rt->e[at];
}

static void drop_if_empty(struct rtab *rt, struct rtab_entry *e)
{
	if (e->local || e->stat || e->prop.n || e->installed || e->kernel_err)
		return;
	size_t at = (size_t)(e - rt->e);
	memmove(&rt->e[at], &rt->e[at + 1], (rt->n - at - 1) * sizeof(*rt->e));
	rt->n--;
}

int rtab_new(const char *name, uint32_t table, uint32_t max_routes,
	     const struct rtab_kernel *k, struct rtab **out)
{
	*out = NULL;
	struct rtab *rt = calloc(1, sizeof(*rt));
	if (!rt || !(rt->name = strdup(name))) {
		free(rt);
		return -ENOMEM;
	}
	rt->table = table;
	rt->max_routes = max_routes;
	if (k) {
		rt->k = *k;
		rt->has_k = true;
	}
	*out = rt;
	return 0;
}

void rtab_free(struct rtab *rt)
{
	if (!rt)
		return;
	free(rt->e);
	free(rt->locals);
	free(rt->name);
	free(rt);
}

const char *rtab_name(const struct rtab *rt) { return rt->name; }
uint32_t rtab_table(const struct rtab *rt) { return rt->table; }
uint32_t rtab_max_routes(const struct rtab *rt) { return rt->max_routes; }

int rtab_local_add(struct rtab *rt, const struct prefix *p)
{
	struct prefix *l = realloc(rt->locals, (rt->n_locals + 1) * sizeof(*l));
	if (!l)
		return -ENOMEM;
	rt->locals = l;
	struct rtab_entry *e = get(rt, p, true);
	if (!e)
		return -ENOMEM;
	e->local = true;
	rt->locals[rt->n_locals++] = *p;
	return 0;
}

int rtab_static_add(struct rtab *rt, const struct prefix *p, const struct addr *via)
{
	if (via->af != p->addr.af)
		return -EINVAL;
	struct rtab_entry *e = get(rt, p, true);
	if (!e)
		return -ENOMEM;
	e->stat = true;
	e->stat_hop = (struct rtab_hops){ .n = 1 };
	e->stat_hop.gw[0] = *via;
	e->stat_hop.peer[0] = *via;
	return 0;
}

int rtab_propagated_set(struct rtab *rt, const struct prefix *p, const struct rtab_hops *h)
{
	bool none = !h || h->n == 0;
	if (h && h->n > FIB_NH_MAX)
		return -EINVAL;
	struct rtab_entry *e = get(rt, p, !none);
	if (!e)
		return none ? 0 : -ENOMEM;
	if (none)
		e->prop.n = 0;
	else
		e->prop = *h;
	drop_if_empty(rt, e);
	return 0;
}

/* Inside one of the VPC's local CIDRs (or equal to one). */
static bool covered_by_local(const struct rtab *rt, const struct prefix *p)
{
	for (size_t i = 0; i < rt->n_locals; i++) {
		const struct prefix *l = &rt->locals[i];
		if (l->addr.af != p->addr.af || l->len > p->len)
			continue;
		unsigned full = l->len / 8, rem = l->len % 8;
		if (memcmp(l->addr.b, p->addr.b, full) != 0)
			continue;
		if (rem && ((l->addr.b[full] ^ p->addr.b[full]) & (uint8_t)(0xff << (8 - rem))))
			continue;
		return true;
	}
	return false;
}

static bool hops_eq(const struct rtab_hops *a, const struct rtab_hops *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!addr_eq(&a->gw[i], &b->gw[i]))
			return false;
	return true;
}

/* The kernel side of one entry: install, replace or delete. */
static void kernel_apply(struct rtab *rt, struct rtab_entry *e, const struct rtab_hops *want)
{
	char pb[PREFIX_STRLEN];
	if (want) {
		if (e->installed && hops_eq(want, &e->inst) && !e->kernel_err)
			return;
		int rc = rt->has_k ? rt->k.set(rt->k.arg, &e->prefix, want->gw, want->n) : 0;
		if (rc < 0) {
			if (rc != e->kernel_err)
				log_warn("route-table %s: %s cannot be installed in table %u: %s "
					 "(shown as blackhole)", rt->name, prefix_fmt(&e->prefix, pb),
					 rt->table, strerror(-rc));
			e->kernel_err = rc;
			e->installed = false;
			return;
		}
		e->kernel_err = 0;
		e->installed = true;
		e->inst = *want;
	} else if (e->installed || e->kernel_err) {
		int rc = rt->has_k && e->installed ? rt->k.del(rt->k.arg, &e->prefix) : 0;
		if (rc < 0 && rc != -ENOENT)
			log_err("route-table %s: cannot delete %s: %s", rt->name,
				prefix_fmt(&e->prefix, pb), strerror(-rc));
		e->installed = false;
		e->kernel_err = 0;
	}
}

static void log_hidden(struct rtab *rt, struct rtab_entry *e)
{
	char pb[PREFIX_STRLEN], va[ADDR_STRLEN], pa[ADDR_STRLEN];
	bool hidden = e->stat && e->prop.n && !e->local;
	if (hidden && !e->hidden_logged)
		log_warn("route-table %s: static %s via %s hides the propagated %s from %s: a static "
			 "route beats a propagated one for the same prefix%s", rt->name,
			 prefix_fmt(&e->prefix, pb), addr_fmt(&e->stat_hop.gw[0], va), pb,
			 addr_fmt(&e->prop.peer[0], pa),
			 e->prefix.len == 0 ? " (the classic mistake: traffic ignores the "
					      "customer gateways)" : "");
	e->hidden_logged = hidden;
}

void rtab_sync(struct rtab *rt)
{
	struct rtab_counts c = { 0 };
	char pb[PREFIX_STRLEN];
	const struct prefix *first_over = NULL;
	for (size_t i = 0; i < rt->n; i++) {
		struct rtab_entry *e = &rt->e[i];
		const struct rtab_hops *want = NULL;
		bool local = e->local || covered_by_local(rt, &e->prefix);
		if (e->prop.n) {
			c.propagated++;
			if (local) {
				e->prop_state = RTAB_SUPPRESSED_BY_LOCAL;
			} else if (e->stat) {
				e->prop_state = RTAB_SUPPRESSED_BY_STATIC;
			} else if (c.propagated > rt->max_routes) {
				e->prop_state = RTAB_OVER_LIMIT;
				if (!first_over)
					first_over = &e->prefix;
				c.over_limit++;
			} else {
				e->prop_state = RTAB_ACTIVE;
				want = &e->prop;
			}
			if (e->prop_state == RTAB_SUPPRESSED_BY_LOCAL ||
			    e->prop_state == RTAB_SUPPRESSED_BY_STATIC)
				c.suppressed++;
		}
		if (e->stat) {
			e->stat_state = local ? RTAB_SUPPRESSED_BY_LOCAL : RTAB_ACTIVE;
			if (!local)
				want = &e->stat_hop;
		}
		log_hidden(rt, e);
		kernel_apply(rt, e, want);
	}
	/* Entries emptied by a withdrawal and now out of the kernel. */
	for (size_t i = rt->n; i-- > 0;)
		drop_if_empty(rt, &rt->e[i]);
	for (size_t i = 0; i < rt->n; i++)
		c.installed += rt->e[i].installed;
	if (c.over_limit != rt->last_over) {
		if (c.over_limit)
			log_warn("route-table %s: %zu propagated routes, more than max-routes %u: "
				 "%zu not installed (the first is %s; the first %u in prefix order "
				 "are kept)", rt->name, c.propagated, rt->max_routes, c.over_limit,
				 prefix_fmt(first_over, pb), rt->max_routes);
		else
			log_warn("route-table %s: %zu propagated routes, within max-routes %u again",
				 rt->name, c.propagated, rt->max_routes);
		rt->last_over = c.over_limit;
	}
	rt->counts = c;
}

void rtab_counts_get(const struct rtab *rt, struct rtab_counts *c) { *c = rt->counts; }

void rtab_walk(const struct rtab *rt, rtab_row_fn fn, void *arg)
{
	static const struct rtab_hops none = { 0 };
	for (size_t i = 0; i < rt->n; i++) {
		const struct rtab_entry *e = &rt->e[i];
		if (e->local)
			fn(arg, &(struct rtab_row){ e->prefix, RTAB_ORIGIN_LOCAL, RTAB_ACTIVE, &none,
						    false });
		if (e->stat) {
			enum rtab_state s = e->stat_state;
			if (s == RTAB_ACTIVE && e->kernel_err)
				s = RTAB_BLACKHOLE;
			fn(arg, &(struct rtab_row){ e->prefix, RTAB_ORIGIN_STATIC, s, &e->stat_hop,
						    e->installed && s == RTAB_ACTIVE });
		}
		if (e->prop.n) {
			enum rtab_state s = e->prop_state;
			if (s == RTAB_ACTIVE && e->kernel_err)
				s = RTAB_BLACKHOLE;
			fn(arg, &(struct rtab_row){ e->prefix, RTAB_ORIGIN_PROPAGATED, s, &e->prop,
						    e->installed && s == RTAB_ACTIVE });
		}
	}
}
