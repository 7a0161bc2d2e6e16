/* The FIB proper: the routes egressd wants in the kernel, each pointing
 * at the shared group of its next-hop set (fib_nhgroup.c), written
 * through a backend in batches, with every kernel error traced back to
 * the route it belongs to. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/pool.h"
#include "fib/fib_priv.h"

bool fib_uses_nhobj(const struct fib *f) { return f->nhg.nhobj; }

struct fib_rt *fib_rt_find(const struct fib *f, const struct prefix *pfx)
{
	return fib_rtab_find(&f->routes, pfx, prefix_hash(pfx));
}

static struct fib_rt *rt_find(const struct fib *f, const struct prefix *pfx)
{
	return fib_rt_find(f, pfx);
}

static void rt_link(struct fib_rt *rt, struct fib_group *g)
{
	rt->g = g;
	rt->gprev = NULL;
	rt->gnext = g->routes;
	if (g->routes)
		g->routes->gprev = rt;
	g->routes = rt;
}

static void rt_unlink(struct fib_rt *rt)
{
	struct fib_group *g = rt->g;
	if (rt->gprev)
		rt->gprev->gnext = rt->gnext;
	else
		g->routes = rt->gnext;
	if (rt->gnext)
		rt->gnext->gprev = rt->gprev;
	rt->g = NULL;
	rt->gprev = rt->gnext = NULL;
}

static void rt_set_err(struct fib *f, struct fib_rt *rt, int err)
{
	if (!rt->err && err)
		f->failed++;
	else if (rt->err && !err)
		f->failed--;
	rt->err = err;
}

static int rt_send(struct fib *f, struct fib_rt *rt)
{
	struct fib_group *g = rt->g;
	if (f->holding) {
		/* fib_hold: recorded, written by fib_hold_release. */
		if (!rt->held)
			f->nheld++;
		rt->held = true;
		return 0;
	}
	if (rt->held) {
		rt->held = false;
		f->nheld--;
	}
	f->requests++;
	rt->on_bk = false;
	return f->be.ops->route_set(f->be.be, &rt->pfx, 0, f->nhg.nhobj ? g->id : 0, &g->set);
}

/* ---- kernel answers ---- */

static void on_result(void *arg, const struct fib_op_result *res)
{
	struct fib *f = arg;
	char buf[PREFIX_STRLEN];
	f->errors++;
	switch (res->kind) {
	case FIB_OP_ROUTE: {
		if (res->metric) {
			fib_backup_result(f, res);
			return;
		}
		if (res->del) {
			/* Already gone (deleted by hand, or by the kernel with
			 * its device): what we wanted anyway. */
			if (res->err == -ESRCH || res->err == -ENOENT)
				return;
			log_warn("fib: kernel refused to delete %s: %s",
				 prefix_fmt(&res->pfx, buf), strerror(-res->err));
			if (f->ecb)
				f->ecb(f->earg, &res->pfx, res->err);
			return;
		}
		struct fib_rt *rt = rt_find(f, &res->pfx);
		if (!rt)
			return; /* deleted later in the same batch */
		rt_set_err(f, rt, res->err);
		if (f->ecb)
			f->ecb(f->earg, &res->pfx, res->err);
		return;
	}
	case FIB_OP_NH:
	case FIB_OP_GROUP:
		if (res->del) {
			if (res->err != -ENOENT && res->err != -ESRCH)
				log_warn("fib: kernel refused to delete nexthop %u: %s",
					 res->id, strerror(-res->err));
			return;
		}
		/* The routes using it fail on their own (the kernel refuses a
		 * route naming a missing nexthop) and get reported then; here
		 * we only remember to send the object again next time. */
		log_warn("fib: kernel refused nexthop %s %u: %s",
			 res->kind == FIB_OP_GROUP ? "group" : "object", res->id,
			 strerror(-res->err));
		fib_nhg_mark_failed(&f->nhg, res->id);
		return;
	}
}

/* ---- batches ---- */

void fib_batch_begin(struct fib *f)
{
	if (f->in_batch)
		return;
	f->in_batch = true;
	f->be.ops->batch_begin(f->be.be);
}

int fib_batch_commit(struct fib *f)
{
	if (!f->in_batch)
		return 0;
	f->in_batch = false;
	return f->be.ops->batch_commit(f->be.be, on_result, f);
}

/* Runs one call as its own batch when the caller opened none. */
static bool auto_begin(struct fib *f)
{
	if (f->in_batch)
		return false;
	fib_batch_begin(f);
	return true;
}

static int auto_end(struct fib *f, bool opened, int rc)
{
	if (!opened)
		return rc;
	int c = fib_batch_commit(f);
	return rc ? rc : c;
}

/* ---- routes ---- */

/* The kernel deleted rt's primary with its link (fib_nexthop_gone) and
 * has forwarded by its backup route since.  When the route's new best
 * is exactly that backup, with no backup of its own, the backup route
 * is the route: it is kept as it is, and nothing is written (a link
 * loss costs no route writes at all, only the group and nexthop
 * deletions the kernel made).  The route keeps the backup priority
 * until its next change writes a primary again. */
static bool promote(struct fib *f, struct fib_rt *rt, const struct fib_nhset *set,
		    const struct fib_nhset *bk)
{
	struct fib_group *b = rt->bk;
	if (rt->err != -ENETDOWN || !b || rt->berr || !b->installed || b->backup.n || bk->n ||
	    !fib_nhset_eq(&b->set, set))
		return false;
	struct fib_group *old = rt->g;
	b->refs++;
	rt_unlink(rt);
	rt_link(rt, b);
	rt_set_err(f, rt, 0);
	rt->on_bk = true;
	fib_nhg_release(&f->nhg, old);
	return true;
}

static int route_install(struct fib *f, const struct fib_route *r)
{
	struct fib_nhset set = r->nhs, bk = r->backup;
	struct prefix pfx = r->pfx;
	int rc = fib_nhset_normalize(&set);
	if (!rc)
		rc = fib_nhset_normalize(&bk);
	if (rc)
		return rc;
	if (!set.n)
		return -EINVAL;
	if (pfx.addr.af != AF_INET && pfx.addr.af != AF_INET6)
		return -EAFNOSUPPORT;
	if (pfx.len > addr_bits(pfx.addr.af))
		return -EINVAL;
	prefix_mask(&pfx);
	if (!f->cfg.ecmp) {
		set.n = 1; /* RFC 4271 9.1.2: one best path when ECMP is off */
		if (bk.n > 1)
			bk.n = 1;
	}

	struct fib_rt *rt = rt_find(f, &pfx);
	if (rt && !rt->err && fib_nhset_eq(&rt->g->set, &set) &&
	    fib_nhset_eq(&rt->g->backup, &bk) && rt->g->installed)
		return 0; /* the kernel has it already */

	if (rt && promote(f, rt, &set, &bk))
		return 0;

	struct fib_group *g = fib_nhg_acquire(&f->nhg, &set, &bk, &rc);
	if (!g)
		return rc;
	rc = fib_nhg_ensure(&f->nhg, g);
	if (rc) {
		fib_nhg_release(&f->nhg, g);
		return rc;
	}
	if (!rt) {
		rt = pool_alloc(&f->rt_pool);
		if (!rt) {
			fib_nhg_release(&f->nhg, g);
			return -ENOMEM;
		}
		memset(rt, 0, sizeof(*rt));
		rt->pfx = pfx;
		if (fib_rtab_insert(&f->routes, rt, prefix_hash(&rt->pfx)) < 0) {
			pool_free(&f->rt_pool, rt);
			fib_nhg_release(&f->nhg, g);
			return -ENOMEM;
		}
		rt_link(rt, g);
	} else {
		struct fib_group *old = rt->g;
		rt_unlink(rt);
		rt_link(rt, g);
		rt_set_err(f, rt, 0);
		rc = rt_send(f, rt);
		/* The route leaves the old group before that may be deleted. */
		fib_nhg_release(&f->nhg, old);
		fib_backup_sync(f, rt);
		return rc;
	}
	rt_set_err(f, rt, 0);
	rc = rt_send(f, rt);
	fib_backup_sync(f, rt);
	return rc;
}

int fib_route_install(struct fib *f, const struct fib_route *r)
{
	bool opened = auto_begin(f);
	return auto_end(f, opened, route_install(f, r));
}

int fib_route_delete(struct fib *f, const struct prefix *pfx)
{
	struct fib_rt *rt = rt_find(f, pfx);
	if (!rt)
		return -ENOENT;
	bool opened = auto_begin(f);
	fib_backup_forget(f, rt);
	if (rt->held)
		f->nheld--;
	/* Sent even for a held route: the kernel may have its version from
	 * before the hold. */
	f->requests++;
	int rc = f->be.ops->route_del(f->be.be, &rt->pfx, 0);
	struct fib_group *g = rt->g;
	rt_unlink(rt);
	rt_set_err(f, rt, 0);
	fib_rtab_remove(&f->routes, rt, prefix_hash(&rt->pfx));
	pool_free(&f->rt_pool, rt);
	fib_nhg_release(&f->nhg, g);
	return auto_end(f, opened, rc);
}

int fib_route_lookup(const struct fib *f, const struct prefix *pfx, struct fib_nhset *nhs,
		     uint32_t *group_id, int *err)
{
	const struct fib_rt *rt = rt_find(f, pfx);
	if (!rt)
		return -ENOENT;
	if (nhs)
		*nhs = rt->g->set;
	if (group_id)
		*group_id = f->nhg.nhobj ? rt->g->id : 0;
	if (err)
		*err = rt->held ? -EINPROGRESS : rt->err;
	return 0;
}

struct flush_ctx {
	struct fib_rt **rts;
	size_t n;
};

static void collect_rt(struct fib_rt *rt, void *arg)
{
	struct flush_ctx *c = arg;
	c->rts[c->n++] = rt;
}

int fib_flush(struct fib *f)
{
	size_t n = f->routes.count;
	if (!n)
		return 0;
	struct flush_ctx c = { .rts = calloc(n, sizeof(struct fib_rt *)) };
	if (!c.rts)
		return -ENOMEM;
	fib_rtab_foreach(&f->routes, collect_rt, &c);
	bool opened = auto_begin(f);
	int rc = 0;
	/* Each delete releases its group; the last route of a group
	 * queues the group's (and its members') deletion after it. */
	for (size_t i = 0; i < c.n; i++) {
		struct prefix p = c.rts[i]->pfx;
		int r = fib_route_delete(f, &p);
		if (r && !rc)
			rc = r;
	}
	free(c.rts);
	return auto_end(f, opened, rc);
}

/* ---- repairs ---- */

static int group_replace(struct fib *f, struct fib_group *g, const struct fib_nhset *to,
			 const struct fib_nhset *bk)
{
	int rc = fib_nhg_replace(&f->nhg, g, to, bk);
	/* Members or backup moved: so may the routes' backup routes. */
	fib_backup_sync_group(f, g);
	if (rc || f->nhg.nhobj)
		return rc;
	/* Inline routes carry their next hops: each one is rewritten (the
	 * slow path the nexthop objects exist to avoid). */
	for (struct fib_rt *rt = g->routes; rt; rt = rt->gnext) {
		int r = rt_send(f, rt);
		if (r && !rc)
			rc = r;
	}
	return rc;
}

int fib_group_replace(struct fib *f, const struct fib_nhset *from, const struct fib_nhset *to)
{
	struct fib_nhset a = *from, b = *to;
	int rc = fib_nhset_normalize(&a);
	if (!rc)
		rc = fib_nhset_normalize(&b);
	if (rc)
		return rc;
	if (!b.n)
		return -EINVAL;
	if (!f->cfg.ecmp)
		b.n = 1;
	struct fib_group *g = fib_nhg_find(&f->nhg, &a, NULL);
	if (!g)
		return -ENOENT;
	bool opened = auto_begin(f);
	return auto_end(f, opened, group_replace(f, g, &b, NULL));
}

int fib_nexthop_down(struct fib *f, const struct fib_nexthop *nh)
{
	size_t n = fib_nhg_groups_with(&f->nhg, nh, NULL, 0);
	if (!n)
		return 0;
	struct fib_group **gs = calloc(n, sizeof(*gs));
	if (!gs)
		return -ENOMEM;
	fib_nhg_groups_with(&f->nhg, nh, gs, n);
	bool opened = auto_begin(f);
	int rc = 0, orphans = 0;
	for (size_t i = 0; i < n; i++) {
		struct fib_nhset to = {0}, none = {0};
		const struct fib_nhset *bk = NULL; /* keeps its backup */
		for (unsigned j = 0; j < gs[i]->set.n; j++)
			if (fib_nexthop_cmp(&gs[i]->set.nh[j], nh))
				to.nh[to.n++] = gs[i]->set.nh[j];
		if (!to.n) {
			/* The last member died: the routes' backup, where
			 * they all go anyway once the RIB has re-decided. */
			for (unsigned j = 0; j < gs[i]->backup.n; j++)
				if (fib_nexthop_cmp(&gs[i]->backup.nh[j], nh))
					to.nh[to.n++] = gs[i]->backup.nh[j];
			bk = &none;
		}
		if (!f->cfg.ecmp && to.n > 1)
			to.n = 1;
		if (!to.n) {
			orphans++;
			continue;
		}
		int r = group_replace(f, gs[i], &to, bk);
		if (r && !rc)
			rc = r;
	}
	free(gs);
	rc = auto_end(f, opened, rc);
	return rc ? rc : orphans;
}

int fib_nexthop_gone(struct fib *f, const struct fib_nexthop *nh)
{
	if (!f->nhg.nhobj)
		return fib_nexthop_down(f, nh); /* inline routes: rewritten */
	size_t n = fib_nhg_groups_with(&f->nhg, nh, NULL, 0);
	if (!n)
		return 0;
	struct fib_group **gs = calloc(n, sizeof(*gs));
	if (!gs)
		return -ENOMEM;
	fib_nhg_groups_with(&f->nhg, nh, gs, n);
	bool opened = auto_begin(f);
	int rc = 0, lost = 0;
	for (size_t i = 0; i < n; i++) {
		struct fib_group *g = gs[i];
		struct fib_nhset to = {0};
		for (unsigned j = 0; j < g->set.n; j++) {
			if (fib_nexthop_cmp(&g->set.nh[j], nh))
				to.nh[to.n++] = g->set.nh[j];
			else
				fib_nhg_mark_failed(&f->nhg, g->mem[j]->id);
		}
		if (to.n) {
			int r = group_replace(f, g, &to, NULL);
			if (r && !rc)
				rc = r;
			continue;
		}
		/* Deleted by the kernel with its routes. */
		lost++;
		g->installed = false;
		for (struct fib_rt *rt = g->routes; rt; rt = rt->gnext)
			rt_set_err(f, rt, -ENETDOWN);
	}
	free(gs);
	/* Backup routes through a lost group went with it. */
	if (lost)
		fib_backup_groups_lost(f);
	rc = auto_end(f, opened, rc);
	return rc ? rc : lost;
}

/* ---- resync ---- */

struct seen {
	struct prefix *pfx;
	uint32_t *metric;
	size_t npfx, cappfx;
	uint32_t *ids;
	size_t nids, capids;
	int err;
};

static void seen_route(void *arg, const struct prefix *pfx, uint32_t metric, uint32_t nh_id,
		       const struct fib_nhset *nhs)
{
	(void)nh_id;
	(void)nhs;
	struct seen *s = arg;
	if (s->npfx == s->cappfx) {
		size_t cap = s->cappfx ? s->cappfx * 2 : 1024;
		struct prefix *p = realloc(s->pfx, cap * sizeof(*p));
		if (p)
			s->pfx = p;
		uint32_t *m = realloc(s->metric, cap * sizeof(*m));
		if (m)
			s->metric = m;
		if (!p || !m) {
			s->err = -ENOMEM;
			return;
		}
		s->cappfx = cap;
	}
	s->metric[s->npfx] = metric;
	s->pfx[s->npfx++] = *pfx;
}

static void seen_nh(void *arg, uint32_t id, const uint32_t *group, unsigned ngroup)
{
	(void)group;
	struct seen *s = arg;
	if (s->nids == s->capids) {
		size_t cap = s->capids ? s->capids * 2 : 64;
		uint32_t *p = realloc(s->ids, cap * sizeof(*p));
		if (!p) {
			s->err = -ENOMEM;
			return;
		}
		s->ids = p;
		s->capids = cap;
	}
	(void)ngroup;
	s->ids[s->nids++] = id;
}

static void push_route(struct fib_rt *rt, void *arg)
{
	struct fib *f = arg;
	bool on_bk = rt->on_bk;
	rt_set_err(f, rt, 0);
	(void)rt_send(f, rt);
	/* A promoted backup route is the primary's double now: it goes. */
	if (on_bk)
		fib_backup_sync(f, rt);
}

int fib_resync(struct fib *f)
{
	struct seen s = {0};
	int rc = f->be.ops->dump(f->be.be, seen_route, seen_nh, &s);
	if (!rc)
		rc = s.err;
	if (rc) {
		free(s.pfx);
		free(s.metric);
		free(s.ids);
		return rc;
	}
	bool opened = auto_begin(f);
	/* Objects first (routes name them), then our routes over whatever
	 * the kernel holds, then the leftovers, routes before the nexthops
	 * they may name. */
	if (f->nhg.nhobj)
		fib_nhg_push_all(&f->nhg);
	fib_rtab_foreach(&f->routes, push_route, f);
	fib_backup_push_all(f);
	/* And the backup routes still queued, before the sweep: an earlier
	 * run's backup routes point at its nexthops, which the sweep
	 * deletes (taking their routes), so after a graceful restart the
	 * backups would otherwise be missing until the queue is written. */
	(void)fib_backup_write(f, SIZE_MAX);
	size_t swept = 0;
	for (size_t i = 0; i < s.npfx; i++) {
		const struct fib_rt *rt = rt_find(f, &s.pfx[i]);
		uint32_t m = s.metric[i];
		/* Ours: the primary at the kernel's default priority, and the
		 * backup route where we wrote one.  Anything else of our
		 * protocol (another priority: an earlier run's setting) goes,
		 * named by its own priority so no other route of the prefix
		 * is taken instead. */
		if (rt && (m == fib_primary_metric(f, s.pfx[i].addr.af) ||
			   (m == fib_backup_metric(f) && rt->bk)))
			continue;
		f->requests++;
		(void)f->be.ops->route_del(f->be.be, &s.pfx[i], m);
		swept++;
	}
	/* Deleting a group's member first would shrink the group in the
	 * kernel; deleting groups is what we want anyway, so the order
	 * among stale objects does not matter. */
	for (size_t i = 0; i < s.nids; i++)
		if (!fib_nhg_owns_id(&f->nhg, s.ids[i])) {
			f->requests++;
			(void)f->be.ops->nh_del(f->be.be, s.ids[i]);
			swept++;
		}
	if (swept)
		log_info("fib: resync removed %zu stale kernel entries", swept);
	free(s.pfx);
	free(s.metric);
	free(s.ids);
	return auto_end(f, opened, 0);
}

/* ---- check ---- */

struct check_ctx {
	struct fib *f;
	fib_diff_cb cb;
	void *arg;
	int diffs;
};

static void check_diff(struct check_ctx *c, const struct prefix *pfx, enum fib_diff kind)
{
	c->diffs++;
	if (c->cb)
		c->cb(c->arg, pfx, kind);
}

static void check_diff_cb(void *arg, const struct prefix *pfx, enum fib_diff kind)
{
	check_diff(arg, pfx, kind);
}

static void check_route(void *arg, const struct prefix *pfx, uint32_t metric, uint32_t nh_id,
			const struct fib_nhset *nhs)
{
	struct check_ctx *c = arg;
	if (metric == fib_backup_metric(c->f)) {
		fib_backup_check_seen(c->f, pfx, nh_id, check_diff_cb, c);
		return;
	}
	struct fib_rt *rt = rt_find(c->f, pfx);
	if (!rt || metric != fib_primary_metric(c->f, pfx->addr.af)) {
		check_diff(c, pfx, FIB_DIFF_EXTRA);
		return;
	}
	rt->check_gen = c->f->check_gen;
	bool same;
	if (c->f->nhg.nhobj) {
		same = nh_id == rt->g->id;
	} else {
		struct fib_nhset k = *nhs;
		same = !nh_id && fib_nhset_normalize(&k) == 0 && fib_nhset_eq(&k, &rt->g->set);
	}
	if (!same)
		check_diff(c, pfx, FIB_DIFF_NEXTHOP);
}

static void check_missing(struct fib_rt *rt, void *arg)
{
	struct check_ctx *c = arg;
	/* A promoted backup route stands for the primary (promote); a held
	 * one is not written yet (fib_hold). */
	if (rt->check_gen != c->f->check_gen && !rt->err && !rt->on_bk && !rt->held)
		check_diff(c, &rt->pfx, FIB_DIFF_MISSING);
	fib_backup_check_missing(c->f, rt, check_diff_cb, c);
}

int fib_check(struct fib *f, fib_diff_cb cb, void *arg)
{
	struct check_ctx c = {.f = f, .cb = cb, .arg = arg};
	/* A fresh generation marks what the dump finds, without a second
	 * table; 0 is never a live generation. */
	if (++f->check_gen == 0)
		f->check_gen = 1;
	int rc = f->be.ops->dump(f->be.be, check_route, NULL, &c);
	if (rc)
		return rc;
	fib_rtab_foreach(&f->routes, check_missing, &c);
	return c.diffs;
}

const char *fib_diff_name(enum fib_diff kind)
{
	switch (kind) {
	case FIB_DIFF_MISSING: return "missing";
	case FIB_DIFF_EXTRA: return "extra";
	case FIB_DIFF_NEXTHOP: return "nexthop";
	case FIB_DIFF_BACKUP_MISSING: return "backup missing";
	case FIB_DIFF_BACKUP_EXTRA: return "backup extra";
	case FIB_DIFF_BACKUP_NEXTHOP: return "backup nexthop";
	}
	return "?";
}

/* ---- life cycle ---- */

static void max_id(void *arg, uint32_t id, const uint32_t *group, unsigned ngroup)
{
	(void)group;
	(void)ngroup;
	uint32_t *m = arg;
	if (id > *m)
		*m = id;
}

int fib_create(const struct fib_config *cfg, struct fib_backend be, fib_error_cb ecb,
	       void *earg, struct fib **out)
{
	struct fib *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->cfg = *cfg;
	f->be = be;
	f->ecb = ecb;
	f->earg = earg;
	bool nhobj = be.ops->probe_nhobj(be.be) == 0;
	if (!nhobj)
		log_warn("fib: kernel has no nexthop objects; routes carry their next hops "
			 "inline (RTA_MULTIPATH), so a failed path costs one write per route");
	uint32_t base = cfg->nh_id_base ? cfg->nh_id_base : FIB_NH_ID_BASE_DEFAULT;
	if (nhobj) {
		/* Nexthops an earlier egressd left keep their ids until the
		 * resync sweeps them; new ones start above, so replacing a
		 * stale object of another kind can never fail. */
		uint32_t m = 0;
		if (be.ops->dump(be.be, NULL, max_id, &m) == 0 && m >= base)
			base = m + 1;
	}
	int rc = fib_nhg_init(&f->nhg, &f->be, nhobj, base);
	if (!rc)
		rc = fib_rtab_init(&f->routes, 1024);
	if (rc) {
		fib_nhg_fini(&f->nhg);
		free(f);
		return rc;
	}
	pool_init(&f->rt_pool, sizeof(struct fib_rt), 0);
	*out = f;
	return 0;
}

void fib_destroy(struct fib *f)
{
	if (!f)
		return;
	/* Routes stay in the kernel: forwarding goes on across a restart
	 * (graceful restart), and the next egressd adopts or sweeps them
	 * by protocol number. */
	fib_backup_fini(f);
	fib_rtab_fini(&f->routes);
	pool_destroy(&f->rt_pool);
	fib_nhg_fini(&f->nhg);
	if (f->be.ops->destroy)
		f->be.ops->destroy(f->be.be);
	free(f);
}

void fib_stats_get(const struct fib *f, struct fib_stats *st)
{
	st->routes = f->routes.count;
	st->routes_failed = f->failed;
	st->groups = f->nhg.groups.count;
	st->nexthops = f->nhg.nhs.count;
	st->requests = f->requests + f->nhg.requests;
	st->errors = f->errors;
	st->backups = f->nbackups;
	st->backups_pending = fib_backup_pending(f);
	st->held = f->nheld;
	st->holding = f->holding;
}
