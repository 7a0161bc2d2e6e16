/* Loc-RIB -> kernel FIB (issue 4): see fib_sync.h.
 *
 * Per route the daemon keeps nothing: the FIB library holds prefix ->
 * group, the Loc-RIB the paths; next hops live in fib_nexthop.c.
 *
 * With `fib { install off }` there is no FIB at all (df->fib NULL): no
 * route records, no backup computation, no reports of non-best paths,
 * as with a routing daemon that has no kernel protocol.  Next-hop
 * resolution (RFC 4271 9.1.2.1), link tracking and the extra tables
 * stay.  `install dry-run` keeps the whole logic on a table in memory.
 *
 * Writes: every change opens (if needed) one batch, and an ev_prepare
 * watcher, which libev runs once per loop iteration just before it
 * waits, sends it.  So a burst of UPDATEs handled in one iteration
 * becomes one batch of netlink messages, and export to peers (the
 * other consumer of the same change callback) never waits for the
 * kernel. */
#include "daemon/fib_sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "daemon/daemon.h"
#include "daemon/fib_sync_priv.h"
#include "fib/fib_resolve.h"

/* Backup routes written per idle loop iteration: each costs the kernel
 * some microseconds, so a slice stays in the tens of milliseconds and
 * sessions and timers are served between slices. */
#define FIB_BACKUP_SLICE 4096

/* Graceful restart: the longest we keep the previous run's routes
 * waiting for every peer's End-of-RIB (RFC 4724 4.1's selection
 * deferral), the restart time we advertise. */
#define FIB_GR_DEFER_TIME 120.0

/* Initial download: the longest routes wait for End-of-RIB once the
 * first session is Established (a peer that never sends it must not
 * keep forwarding off for long), and the routes written per loop
 * iteration once they go (tens of milliseconds of kernel work). */
#define FIB_INITIAL_DEFER_TIME 30.0
#define FIB_DOWNLOAD_SLICE 16384

static struct daemon_fib *DF(struct daemon *d) { return d->fib; }

/* ---- batches ---- */

void fib_sync_batch_need(struct daemon_fib *df)
{
	if (!df->batch_open && df->fib) {
		fib_batch_begin(df->fib);
		df->batch_open = true;
	}
	ev_prepare_start(df->d->loop, &df->commit);
}

static void commit_one(struct daemon_fib *df, struct fib *f, bool *open, const char *what)
{
	if (!*open || !f)
		return;
	*open = false;
	int rc = fib_batch_commit(f);
	if (rc < 0) {
		/* Answers lost: what the kernel holds is unknown. */
		log_warn("fib: %s: batch answers lost (%s), resyncing with the kernel", what,
			 strerror(-rc));
		rc = fib_resync(f);
		if (rc < 0)
			log_err("fib: %s: resync failed: %s", what, strerror(-rc));
	}
	(void)df;
}

/* One slice of the initial download in this iteration's batch: every
 * iteration, busy or idle (download_idle keeps the loop from waiting),
 * so sessions and timers are served between slices. */
static void download_slice(struct daemon_fib *df)
{
	if (!df->downloading || !df->fib || df->frozen)
		return;
	if (!df->batch_open) {
		fib_batch_begin(df->fib);
		df->batch_open = true;
	}
	if (fib_hold_release(df->fib, FIB_DOWNLOAD_SLICE) == 0) {
		df->downloading = false;
		ev_idle_stop(df->d->loop, &df->download_idle);
		log_info("fib: initial download written to the kernel");
	}
}

static void download_idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	(void)loop;
	(void)revents;
	fib_sync_batch_need(w->data);
}

static void commit_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct daemon_fib *df = w->data;
	(void)revents;
	ev_prepare_stop(loop, w);
	download_slice(df);
	commit_one(df, df->fib, &df->batch_open, "main table");
	/* Changes may have queued backup routes: written once idle, after
	 * whatever primaries are still coming (the held ones too). */
	if (df->fib && !df->frozen && !fib_holding(df->fib) && fib_backup_pending(df->fib))
		ev_idle_start(loop, &df->backup_idle);
	for (struct fib_sync_table *t = df->tables; t; t = t->next)
		commit_one(df, t->fib, &t->batch_open, "extra table");
}

static void backup_idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct daemon_fib *df = w->data;
	(void)revents;
	if (!df->fib || df->frozen) {
		ev_idle_stop(loop, w);
		return;
	}
	/* In the iteration's batch, sent by commit_cb (which resyncs if
	 * the answers are lost) before the loop waits again. */
	fib_sync_batch_need(df);
	if (fib_backup_write(df->fib, FIB_BACKUP_SLICE) == 0)
		ev_idle_stop(loop, w);
}

static void on_fib_error(void *arg, const struct prefix *pfx, int err)
{
	struct daemon_fib *df = arg;
	unsigned suppressed = 0;
	char pb[PREFIX_STRLEN];
	if (log_ratelimit_allow(&df->err_rl, mono_now(), &suppressed))
		log_warn("fib: kernel refused %s: %s%s", prefix_fmt(pfx, pb), strerror(-err),
			 suppressed ? " (more errors not logged)" : "");
}


void fib_sync_commit(struct daemon_fib *df)
{
	commit_cb(df->d->loop, &df->commit, 0);
}

/* ---- routes ---- */

/* Where a path forwards to: its resolved next hop, or NULL (our own
 * prefix, or a next hop that is local or not resolved). */
static const struct fib_nexthop *path_via(struct daemon_fib *df, int af,
					  const struct rib_path *path)
{
	if (path->peer == &df->d->local || !path->nh_reachable)
		return NULL;
	struct nh_entry *e = fib_sync_nh_of_path(df, af, path->attrs);
	return e && e->state == 0 ? &e->via : NULL;
}

struct backup_ctx {
	struct daemon_fib *df;
	int af;
	const struct fib_nhset *primary;
};

/* Paths that cannot be the backup: through a next hop of the primary
 * set (they die with it), or going nowhere. */
static bool backup_skip(void *arg, const struct rib_path *path)
{
	struct backup_ctx *x = arg;
	const struct fib_nexthop *via = path_via(x->df, x->af, path);
	if (!via)
		return true;
	for (unsigned i = 0; i < x->primary->n; i++)
		if (!fib_nexthop_cmp(&x->primary->nh[i], via))
			return true;
	return false;
}

/* The backup of a route: where the decision process would send it if
 * every next hop of its set died.  Routes are grouped by (set,
 * backup), so a dead next hop is repaired with one group replace
 * whether the route had equal paths or a primary and a backup; the
 * Loc-RIB's re-decision then finds the routes where they already are. */
static void backup_fill(struct daemon_fib *df, const struct prefix *p, struct fib_route *r)
{
	struct backup_ctx x = { .df = df, .af = p->addr.af, .primary = &r->nhs };
	const struct rib_path *b = loc_rib_best_without(rib_loc(df->d->rib), p, backup_skip, &x);
	const struct fib_nexthop *via = b ? path_via(df, p->addr.af, b) : NULL;
	if (via)
		(void)fib_nhset_add(&r->backup, via);
}

/* Brings the kernel route for p in line with the Loc-RIB. */
void fib_sync_route(struct daemon_fib *df, const struct prefix *p, const struct rib_path *best)
{
	struct fib_route r = { .pfx = *p };
	if (!df->fib)
		return; /* install off */
	if (best) {
		const struct rib_path *paths[FIB_NH_MAX];
		size_t n = 1;
		paths[0] = best;
		if (df->cfg.ecmp)
			n = loc_rib_multipath(rib_loc(df->d->rib), p, paths, FIB_NH_MAX);
		if (n == 0) {
			paths[0] = best;
			n = 1;
		}
		for (size_t i = 0; i < n; i++) {
			const struct fib_nexthop *via = path_via(df, p->addr.af, paths[i]);
			if (via && fib_nhset_add(&r.nhs, via) < 0)
				break;
		}
		if (r.nhs.n)
			backup_fill(df, p, &r);
	}
	fib_sync_batch_need(df);
	if (r.nhs.n == 0) {
		int rc = fib_route_delete(df->fib, p);
		if (rc < 0 && rc != -ENOENT)
			on_fib_error(df, p, rc);
		return;
	}
	int rc = fib_route_install(df->fib, &r);
	if (rc < 0)
		on_fib_error(df, p, rc);
}

void daemon_fib_freeze(struct daemon *d)
{
	if (d->fib)
		d->fib->frozen = true;
}

void daemon_fib_change(struct daemon *d, const struct loc_rib_change *c)
{
	struct daemon_fib *df = DF(d);
	if (!df || !df->fib || df->frozen ||
	    (!c->best_changed && !c->multipath_changed && !c->others_changed))
		return;
	fib_sync_route(df, c->prefix, c->new_best);
}

/* ---- graceful restart and start-up sweep ---- */

static void sweep_now(struct daemon_fib *df, const char *why)
{
	df->deferring = false;
	ev_timer_stop(df->d->loop, &df->gr_timer);
	if (df->initial) {
		/* Nothing to sweep (daemon_fib_start did): the held routes
		 * go, a slice per loop iteration. */
		df->initial = false;
		struct fib_stats st = { 0 };
		if (df->fib)
			fib_stats_get(df->fib, &st);
		log_info("fib: initial download: %s: writing %zu routes to the kernel", why,
			 st.held);
		df->downloading = df->fib != NULL;
		if (df->downloading) {
			ev_idle_start(df->d->loop, &df->download_idle);
			fib_sync_batch_need(df);
		}
		return;
	}
	fib_sync_commit(df);
	if (!df->fib)
		return;
	int rc = fib_resync(df->fib);
	if (rc < 0)
		log_err("fib: sweeping stale kernel routes: %s", strerror(-rc));
	else
		log_info("fib: %s: kernel table in line with the Loc-RIB", why);
}

static void gr_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon_fib *df = w->data;
	(void)loop;
	(void)revents;
	if (df->initial)
		log_warn("fib: initial download: no End-of-RIB from every Established peer "
			 "within %.0f s, not waiting any longer", FIB_INITIAL_DEFER_TIME);
	sweep_now(df, df->initial ? "time is up"
				  : "graceful restart: time is up, stale routes swept");
}

static void gr_check_done(struct daemon_fib *df)
{
	if (!df->deferring)
		return;
	/* Graceful restart waits for every configured peer (the previous
	 * run's routes forward meanwhile); the initial download only for
	 * those that came up, so one peer that is down does not hold the
	 * others' routes back. */
	bool any = false;
	for (size_t i = 1; i < df->d->n_peers; i++) {
		if (!df->d->peers[i].peer)
			continue;
		if (df->eor_wait[i] || (!df->initial && !df->peer_seen[i]))
			return;
		any |= df->peer_seen[i];
	}
	if (df->initial && !any)
		return;
	sweep_now(df, df->initial ? "End-of-RIB from every Established peer"
				  : "graceful restart: End-of-RIB from every peer, stale routes swept");
}

void daemon_fib_established(struct daemon *d, struct daemon_peer *dp)
{
	struct daemon_fib *df = DF(d);
	struct bgp_peer *p = dp->peer;
	if (!df || !p || p->id >= d->n_peers)
		return;
	struct fib_nexthop via;
	df->peer_ifindex[p->id] = fib_resolve(df->res, &p->cfg.addr, &via) == 0 ? via.ifindex : 0;
	if (df->deferring && df->initial && !ev_is_active(&df->gr_timer)) {
		/* RFC 4724 4.1's bound on the wait, from the first session. */
		ev_timer_set(&df->gr_timer, FIB_INITIAL_DEFER_TIME, 0.);
		ev_timer_start(d->loop, &df->gr_timer);
	}
	if (df->deferring && !df->peer_seen[p->id]) {
		df->peer_seen[p->id] = true;
		df->eor_wait[p->id] = p->neg.families & ~p->disabled_families;
		gr_check_done(df);
	}
}

void daemon_fib_eor(struct daemon *d, struct daemon_peer *dp, enum bgp_family f)
{
	struct daemon_fib *df = DF(d);
	if (!df || !df->deferring || !dp->peer || f >= BGP_FAM_COUNT)
		return;
	df->eor_wait[dp->peer->id] &= ~BGP_FAM_BIT(f);
	gr_check_done(df);
}

void daemon_fib_session_lost(struct daemon *d, struct daemon_peer *dp)
{
	struct daemon_fib *df = DF(d);
	if (!df || !df->deferring || !dp->peer || dp->peer->id >= d->n_peers)
		return;
	/* Its End-of-RIB will not come on this session: waiting for it
	 * would hold every other peer's routes until the timer (as
	 * gr_restart.c does for the routes it holds). */
	df->peer_seen[dp->peer->id] = true;
	df->eor_wait[dp->peer->id] = 0;
	gr_check_done(df);
}

/* ---- life cycle ---- */

/* inline_only: routes carry their next hops (RTA_MULTIPATH), no
 * nexthop objects.  Extra tables need that: nexthop ids are per
 * namespace, not per table, so a second FIB allocating from the same
 * base would point its routes at the main FIB's objects, and its
 * resync (which sweeps every nexthop object of our protocol it does not
 * hold) would delete them. */
static int open_fib(struct daemon_fib *df, uint32_t table, bool inline_only, fib_error_cb ecb,
		    void *earg, struct fib **out)
{
	struct fib_backend be;
	int rc;
	if (df->cfg.install) {
		struct fib_netlink_config nc = { .table = table, .protocol = df->cfg.protocol,
						 .no_nhobj = inline_only };
		rc = fib_netlink_open(&nc, &be);
	} else {
		/* install off or dry-run: the same logic on a table in
		 * memory.  For the main table only dry-run gets here
		 * (daemon_fib_start opens none with install off); the extra
		 * tables keep it with both, as before dry-run existed. */
		rc = fib_mock_open(!inline_only, &be);
	}
	if (rc < 0)
		return rc;
	/* Backup routes in the main table only: the extra tables carry
	 * their next hops inline and hold no backups. */
	struct fib_config fc = { .ecmp = df->cfg.ecmp,
				 .backup_routes = df->cfg.backup_routes && !inline_only };
	rc = fib_create(&fc, be, ecb, earg, out);
	if (rc < 0 && be.ops->destroy)
		be.ops->destroy(be.be);
	return rc;
}

int daemon_fib_start(struct daemon *d)
{
	struct daemon_fib *df = calloc(1, sizeof(*df));
	if (!df)
		return -ENOMEM;
	df->d = d;
	df->cfg = d->conf->fib;
	df->err_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(1.0, 10);
	trie_init(&df->nh_trie);
	ev_prepare_init(&df->commit, commit_cb);
	df->commit.data = df;
	ev_idle_init(&df->backup_idle, backup_idle_cb);
	df->backup_idle.data = df;
	ev_idle_init(&df->download_idle, download_idle_cb);
	df->download_idle.data = df;
	/* Room for the neighbors a reload may add (daemon.h, peers_cap). */
	size_t np = d->peers_cap > d->n_peers ? d->peers_cap : d->n_peers;
	if (!np)
		np = 1;
	df->eor_wait = calloc(np, sizeof(*df->eor_wait));
	df->peer_seen = calloc(np, sizeof(*df->peer_seen));
	df->peer_ifindex = calloc(np, sizeof(*df->peer_ifindex));
	int rc = (!df->eor_wait || !df->peer_seen || !df->peer_ifindex) ? -ENOMEM : 0;
	if (!rc)
		rc = fib_resolver_open(df->cfg.protocol, &df->res);
	if (rc < 0) {
		log_err("fib: cannot open the next-hop resolver: %s", strerror(-rc));
		goto fail;
	}
	bool main_fib = df->cfg.install || df->cfg.dry_run;
	rc = main_fib ? open_fib(df, df->cfg.table, false, on_fib_error, df, &df->fib) : 0;
	if (rc < 0) {
		log_err("fib: cannot open the kernel table %u: %s", df->cfg.table, strerror(-rc));
		goto fail;
	}
	/* Changes of non-best paths too: they move the backup.  Without
	 * a FIB nobody needs them, and every non-best change would be an
	 * event. */
	if (main_fib)
		loc_rib_report_paths(rib_loc(d->rib), true);
	rc = fib_sync_nh_start(df);
	if (rc < 0) {
		log_err("fib: cannot watch links and addresses: %s", strerror(-rc));
		goto fail;
	}
	ev_timer_init(&df->gr_timer, gr_timer_cb, FIB_GR_DEFER_TIME, 0.);
	df->gr_timer.data = df;
	d->fib = df;
	log_info("fib: %s table %u, protocol %u, ecmp %s%s%s",
		 df->cfg.install ? "writing kernel"
		 : df->cfg.dry_run ? "install dry-run: computing, not writing kernel"
				   : "install off: nothing computed or written for kernel",
		 df->cfg.table, df->cfg.protocol, df->cfg.ecmp ? "on" : "off",
		 df->fib && fib_uses_nhobj(df->fib) ? ", nexthop objects" : "",
		 df->fib && fib_uses_nhobj(df->fib) && df->cfg.backup_routes ? ", backup routes"
									      : "");
	if (df->cfg.graceful_restart && df->cfg.install && d->n_peers > 1) {
		/* RFC 4724 4.1: forwarding goes on over the previous run's
		 * routes until the new Loc-RIB has converged. */
		df->deferring = true;
		ev_timer_start(d->loop, &df->gr_timer);
		log_info("fib: graceful restart: keeping kernel routes of the previous run "
			 "until every peer sent End-of-RIB (at most %.0f s)", FIB_GR_DEFER_TIME);
	} else if (df->fib) {
		/* Originated routes may have reached the FIB already. */
		rc = fib_resync(df->fib);
		if (rc < 0)
			log_warn("fib: sweeping routes of an earlier run: %s", strerror(-rc));
		if (df->cfg.initial_after_eor && d->n_peers > 1) {
			/* Nothing of ours in the kernel now: the first table
			 * goes in one pass once the peers sent it all (RFC 4724
			 * 2's End-of-RIB), in an order the kernel inserts fast
			 * and without sharing the CPU with the sessions'
			 * UPDATEs (fib_hold.c, docs/benchmarks.md). */
			df->deferring = true;
			df->initial = true;
			fib_hold(df->fib);
			log_info("fib: initial download: routes not installed until every "
				 "Established peer sent End-of-RIB (at most %.0f s after the "
				 "first session)", FIB_INITIAL_DEFER_TIME);
		}
	}
	return 0;
fail:
	fib_sync_nh_stop(df);
	fib_destroy(df->fib);
	fib_resolver_close(df->res);
	free(df->eor_wait);
	free(df->peer_seen);
	free(df->peer_ifindex);
	free(df);
	return rc;
}

void daemon_fib_stop(struct daemon *d)
{
	struct daemon_fib *df = DF(d);
	if (!df)
		return;
	struct ev_loop *loop = d->loop;
	commit_cb(loop, &df->commit, 0);
	if (!df->fib) {
		/* install off: nothing of ours in the main table */
	} else if (!df->cfg.graceful_restart) {
		fib_batch_begin(df->fib);
		int rc = fib_flush(df->fib);
		int c = fib_batch_commit(df->fib);
		if (rc < 0 || c < 0)
			log_warn("fib: removing our routes at shutdown: %s",
				 strerror(-(rc < 0 ? rc : c)));
		else
			log_info("fib: routes removed (no graceful restart configured)");
	} else {
		log_info("fib: graceful restart: routes left in the kernel for the next run");
	}
	while (df->tables)
		fib_sync_table_close(df->tables, !df->cfg.graceful_restart);
	ev_prepare_stop(loop, &df->commit);
	ev_idle_stop(loop, &df->backup_idle);
	ev_idle_stop(loop, &df->download_idle);
	ev_timer_stop(loop, &df->gr_timer);
	fib_sync_nh_stop(df);
	fib_destroy(df->fib);
	fib_resolver_close(df->res);
	free(df->eor_wait);
	free(df->peer_seen);
	free(df->peer_ifindex);
	free(df);
	d->fib = NULL;
}

struct fib *daemon_fib_get(struct daemon *d)
{
	return d->fib ? d->fib->fib : NULL;
}

const struct conf_fib *daemon_fib_config(struct daemon *d)
{
	return d->fib ? &d->fib->cfg : NULL;
}

/* ---- extra tables ---- */

int fib_sync_table_open(struct daemon *d, uint32_t table, struct fib_sync_table **out)
{
	struct daemon_fib *df = DF(d);
	if (!df)
		return -ENODEV;
	struct fib_sync_table *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->df = df;
	t->table = table;
	int rc = open_fib(df, table, true, on_fib_error, df, &t->fib);
	if (rc < 0) {
		free(t);
		return rc;
	}
	t->next = df->tables;
	df->tables = t;
	*out = t;
	return 0;
}

static void table_batch(struct fib_sync_table *t)
{
	if (!t->batch_open) {
		fib_batch_begin(t->fib);
		t->batch_open = true;
	}
	ev_prepare_start(t->df->d->loop, &t->df->commit);
}

void fib_sync_tables_link(struct daemon_fib *df, const struct fib_nexthop *nh)
{
	for (struct fib_sync_table *t = df->tables; t; t = t->next) {
		table_batch(t);
		int rc = nh ? fib_nexthop_gone(t->fib, nh) : fib_resync(t->fib);
		if (rc < 0)
			log_warn("fib: table %u: %s after a link change: %s", t->table,
				 nh ? "repointing groups" : "resync", strerror(-rc));
	}
}

int fib_sync_table_set(struct fib_sync_table *t, const struct prefix *p, const struct addr *nhs,
		       size_t n)
{
	struct fib_route r = { .pfx = *p };
	for (size_t i = 0; i < n; i++) {
		struct nh_entry *e = fib_sync_nh_get(t->df, &nhs[i]);
		if (e && e->state == 0 && fib_nhset_add(&r.nhs, &e->via) < 0)
			break;
	}
	if (!r.nhs.n)
		return -EHOSTUNREACH;
	table_batch(t);
	return fib_route_install(t->fib, &r);
}

int fib_sync_table_delete(struct fib_sync_table *t, const struct prefix *p)
{
	table_batch(t);
	return fib_route_delete(t->fib, p);
}

struct fib *fib_sync_table_fib(struct fib_sync_table *t)
{
	return t->fib;
}

void fib_sync_table_close(struct fib_sync_table *t, bool remove)
{
	struct daemon_fib *df = t->df;
	struct fib_sync_table **pp = &df->tables;
	while (*pp && *pp != t)
		pp = &(*pp)->next;
	if (*pp)
		*pp = t->next;
	if (t->batch_open || remove) {
		fib_batch_begin(t->fib);
		if (remove)
			(void)fib_flush(t->fib);
		(void)fib_batch_commit(t->fib);
	}
	fib_destroy(t->fib);
	free(t);
}
