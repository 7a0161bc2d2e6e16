/* Backup routes: a route's backup next hops kept in the kernel as a
 * second route of the same prefix, so a dead link moves traffic without
 * any write of ours.
 *
 * Why: a route points at the group of its primary set.  When every
 * member of that group is on a link that goes down, Linux itself
 * deletes the nexthop objects on the device, then the group left empty,
 * then every route using it (nexthop.c: remove_nexthop_from_groups,
 * remove_nh_grp_entry, __remove_nexthop_fib), inside the link-down
 * event and before any notification reaches us.  Repointing the group
 * (fib_nexthop_down) is then impossible: there is no group left, and
 * rewriting a million routes takes seconds.
 *
 * So, with fib_config.backup_routes, each route whose backup next hops
 * (struct fib_group.backup, the next-best path the daemon computed)
 * are all on interfaces none of its primary next hops uses gets a
 * second kernel route: same table, same protocol, priority
 * backup_metric (RTA_PRIORITY), via the group of its backup set, shared
 * like any group.  The kernel prefers the lower priority and uses the
 * backup route only while the primary is missing, which is exactly
 * when it has flushed it.  The routes stay consistent afterwards: the
 * re-decision installs the primary again through the former backup,
 * and the backup route, no longer wanted, is deleted.
 *
 * Backup routes are queued, not written with their primary, and
 * written by fib_backup_write when the caller is idle: a full table's
 * primaries reach the kernel first, at the rate of one route each.
 * Deletions of a route take its backup route with them at once, and
 * before the primary: a delete without priority removes the first
 * route of the prefix, which would be the backup if the kernel had
 * flushed the primary already. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "fib/fib_priv.h"

/* The backup set rt's backup route should use, or NULL for none. */
static const struct fib_nhset *wanted(const struct fib *f, const struct fib_rt *rt)
{
	if (!f->cfg.backup_routes || !f->nhg.nhobj || !rt->g)
		return NULL;
	/* While the primary is not in the kernel (flushed with its link,
	 * or refused), or the backup route stands in for it (promoted), the
	 * backup route is what forwards: it stays as it is until a primary
	 * is written again, whatever the route's group says by then (a
	 * repair of that group drops its backup). */
	if (rt->bk && !rt->berr && (rt->err || rt->on_bk))
		return &rt->bk->set;
	const struct fib_group *g = rt->g;
	if (!g->backup.n)
		return NULL;
	/* A backup sharing an interface with a primary next hop dies with
	 * the same link; a session-level failure on it is repaired by the
	 * group replace of fib_nexthop_down, with no backup route. */
	for (unsigned i = 0; i < g->backup.n; i++)
		for (unsigned j = 0; j < g->set.n; j++)
			if (g->backup.nh[i].ifindex == g->set.nh[j].ifindex)
				return NULL;
	return &g->backup;
}

static bool in_line(const struct fib *f, const struct fib_rt *rt)
{
	const struct fib_nhset *w = wanted(f, rt);
	if (!w)
		return !rt->bk;
	return rt->bk && !rt->berr && rt->bk->installed && fib_nhset_eq(&rt->bk->set, w) &&
	       rt->bk->backup.n == 0;
}

static int queue_push(struct fib *f, struct fib_rt *rt)
{
	if (rt->bq)
		return 0;
	if (f->nbq == f->capbq) {
		/* Compact first: the consumed head and deleted entries. */
		size_t w = 0;
		for (size_t i = f->bq_head; i < f->nbq; i++)
			if (f->bq[i]) {
				f->bq[w] = f->bq[i];
				f->bq[w]->bq = (uint32_t)w + 1;
				w++;
			}
		f->nbq = w;
		f->bq_head = 0;
	}
	if (f->nbq == f->capbq) {
		size_t cap = f->capbq ? f->capbq * 2 : 1024;
		if (cap > UINT32_MAX - 1)
			return -ENOMEM;
		struct fib_rt **q = realloc(f->bq, cap * sizeof(*q));
		if (!q)
			return -ENOMEM;
		f->bq = q;
		f->capbq = cap;
	}
	f->bq[f->nbq] = rt;
	rt->bq = (uint32_t)++f->nbq;
	f->bq_live++;
	return 0;
}

static void queue_drop(struct fib *f, struct fib_rt *rt)
{
	if (!rt->bq)
		return;
	f->bq[rt->bq - 1] = NULL;
	rt->bq = 0;
	f->bq_live--;
}

void fib_backup_sync(struct fib *f, struct fib_rt *rt)
{
	if (in_line(f, rt))
		return;
	if (queue_push(f, rt) < 0)
		log_warn("fib: no memory to queue a backup route; it is written at the next resync");
}

void fib_backup_sync_group(struct fib *f, struct fib_group *g)
{
	if (!f->cfg.backup_routes && !f->nbackups)
		return;
	g->bdirty = true;
	f->bdirty = true;
}

static void dirty_group(struct fib_hnode *n, void *arg)
{
	struct fib *f = arg;
	struct fib_group *g = fib_container_of(n, struct fib_group, h);
	if (!g->bdirty)
		return;
	g->bdirty = false;
	for (struct fib_rt *rt = g->routes; rt; rt = rt->gnext)
		fib_backup_sync(f, rt);
}

static void send_del(struct fib *f, struct fib_rt *rt)
{
	f->requests++;
	(void)f->be.ops->route_del(f->be.be, &rt->pfx, fib_backup_metric(f));
	fib_nhg_release(&f->nhg, rt->bk);
	rt->bk = NULL;
	rt->berr = 0;
	f->nbackups--;
}

void fib_backup_forget(struct fib *f, struct fib_rt *rt)
{
	queue_drop(f, rt);
	if (rt->bk)
		send_del(f, rt);
}

/* Brings rt's backup route in line: one request at most. */
static void write_one(struct fib *f, struct fib_rt *rt)
{
	const struct fib_nhset *w = wanted(f, rt);
	if (!w) {
		if (rt->bk)
			send_del(f, rt);
		return;
	}
	int rc = 0;
	struct fib_group *g = fib_nhg_acquire(&f->nhg, w, NULL, &rc);
	if (g)
		rc = fib_nhg_ensure(&f->nhg, g);
	if (rc) {
		char pb[PREFIX_STRLEN];
		log_warn("fib: backup route for %s: no group: %s", prefix_fmt(&rt->pfx, pb),
			 strerror(-rc));
		if (g)
			fib_nhg_release(&f->nhg, g);
		return;
	}
	f->requests++;
	(void)f->be.ops->route_set(f->be.be, &rt->pfx, fib_backup_metric(f), g->id, &g->set);
	if (rt->bk)
		fib_nhg_release(&f->nhg, rt->bk); /* after the route left it */
	else
		f->nbackups++;
	rt->bk = g;
	rt->berr = 0;
}

size_t fib_backup_write(struct fib *f, size_t budget)
{
	/* A backup route without its primary would carry the traffic on
	 * its own: none goes out before the held primaries have. */
	if (f->holding)
		return fib_backup_pending(f);
	if (f->bdirty) {
		f->bdirty = false;
		fib_htab_foreach(&f->nhg.groups, dirty_group, f);
	}
	if (!f->bq_live) {
		f->nbq = f->bq_head = 0;
		return 0;
	}
	bool opened = !f->in_batch;
	if (opened)
		fib_batch_begin(f);
	while (budget && f->bq_head < f->nbq) {
		struct fib_rt *rt = f->bq[f->bq_head++];
		if (!rt)
			continue;
		rt->bq = 0;
		f->bq_live--;
		write_one(f, rt);
		budget--;
	}
	if (f->bq_head == f->nbq)
		f->nbq = f->bq_head = 0;
	if (opened) {
		int rc = fib_batch_commit(f);
		if (rc < 0)
			log_warn("fib: writing backup routes: %s (resync needed)", strerror(-rc));
	}
	return f->bq_live;
}

size_t fib_backup_pending(const struct fib *f)
{
	return f->bq_live + f->bdirty;
}

void fib_backup_result(struct fib *f, const struct fib_op_result *res)
{
	char pb[PREFIX_STRLEN];
	struct fib_rt *rt = fib_rt_find(f, &res->pfx);
	if (res->del) {
		if (res->err != -ESRCH && res->err != -ENOENT)
			log_warn("fib: kernel refused to delete the backup route of %s: %s",
				 prefix_fmt(&res->pfx, pb), strerror(-res->err));
		return;
	}
	if (!rt || !rt->bk)
		return; /* deleted later in the same batch */
	/* Not retried until the route or its group changes: the kernel
	 * would most likely refuse again.  The primary still forwards. */
	rt->berr = res->err;
	if (f->ecb)
		f->ecb(f->earg, &res->pfx, res->err);
}

static void lost_one(struct fib_rt *rt, void *arg)
{
	struct fib *f = arg;
	if (rt->bk && !rt->bk->installed) {
		rt->berr = -ENETDOWN;
		fib_backup_sync(f, rt);
	}
}

void fib_backup_groups_lost(struct fib *f)
{
	if (f->nbackups)
		fib_rtab_foreach(&f->routes, lost_one, f);
}

static void push_one(struct fib_rt *rt, void *arg)
{
	struct fib *f = arg;
	if (!rt->bk)
		return;
	f->requests++;
	rt->berr = 0;
	(void)f->be.ops->route_set(f->be.be, &rt->pfx, fib_backup_metric(f), rt->bk->id,
				   &rt->bk->set);
}

void fib_backup_push_all(struct fib *f)
{
	if (f->nbackups)
		fib_rtab_foreach(&f->routes, push_one, f);
}

void fib_backup_check_seen(struct fib *f, const struct prefix *pfx, uint32_t nh_id,
			   void (*diff)(void *, const struct prefix *, enum fib_diff), void *arg)
{
	struct fib_rt *rt = fib_rt_find(f, pfx);
	if (!rt || !rt->bk) {
		diff(arg, pfx, FIB_DIFF_BACKUP_EXTRA);
		return;
	}
	rt->bcheck_gen = f->check_gen;
	if (nh_id != rt->bk->id)
		diff(arg, pfx, FIB_DIFF_BACKUP_NEXTHOP);
}

void fib_backup_check_missing(struct fib *f, struct fib_rt *rt,
			      void (*diff)(void *, const struct prefix *, enum fib_diff),
			      void *arg)
{
	if (rt->bk && !rt->berr && rt->bcheck_gen != f->check_gen)
		diff(arg, &rt->pfx, FIB_DIFF_BACKUP_MISSING);
}

int fib_backup_lookup(const struct fib *f, const struct prefix *pfx, struct fib_nhset *nhs,
		      uint32_t *group_id, int *err)
{
	const struct fib_rt *rt = fib_rt_find(f, pfx);
	if (!rt || !rt->bk)
		return -ENOENT;
	if (nhs)
		*nhs = rt->bk->set;
	if (group_id)
		*group_id = rt->bk->id;
	if (err)
		*err = rt->berr;
	return 0;
}

void fib_backup_fini(struct fib *f)
{
	free(f->bq);
	f->bq = NULL;
	f->nbq = f->capbq = f->bq_head = f->bq_live = 0;
}
