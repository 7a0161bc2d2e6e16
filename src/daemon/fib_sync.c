/* Loc-RIB -> kernel FIB (issue 4): see fib_sync.h.
 *
 * Per route the daemon keeps nothing: the FIB library holds prefix ->
 * group, the Loc-RIB the paths.  What lives here is per distinct BGP
 * next hop (a handful): its resolution through the kernel, found in a
 * trie of host prefixes.
 *
 * Writes: every change opens (if needed) one batch, and an ev_prepare
 * watcher, which libev runs once per loop iteration just before it
 * waits, sends it.  So a burst of UPDATEs handled in one iteration
 * becomes one batch of netlink messages, and export to peers (the
 * other consumer of the same change callback) never waits for the
 * kernel.
 *
 * Failures of the world: link down or a lost address repoints every
 * group holding a next hop on it at once (fib_nexthop_down, one group
 * replace each: prefix-independent convergence), then re-resolves
 * every next hop and re-runs the decision for the prefixes whose
 * paths' eligibility changed (a sliced walk of the Loc-RIB), and takes
 * down the BGP sessions that ran over the lost interface or address.
 * Other daemons' route changes re-resolve after a short quiet time. */
#include "daemon/fib_sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "daemon/daemon.h"
#include "fib/fib_resolve.h"

/* Route notifications of other daemons come in floods (a full table
 * installed by BIRD next door); re-resolve once they pause. */
#define FIB_RERESOLVE_QUIET 0.05
/* Graceful restart: the longest we keep the previous run's routes
 * waiting for every peer's End-of-RIB (RFC 4724 4.1's selection
 * deferral), the restart time we advertise. */
#define FIB_GR_DEFER_TIME 120.0
#define FIB_PATHS_MAX 64

struct nh_entry {
	struct addr a;
	int state;              /* 0 resolved, FIB_RESOLVE_LOCAL, or -errno */
	struct fib_nexthop via; /* when state == 0 */
	bool changed;           /* in the revalidation under way */
};

struct fib_sync_table {
	struct daemon_fib *df;
	struct fib *fib;
	uint32_t table;
	bool batch_open;
	struct fib_sync_table *next;
};

struct daemon_fib {
	struct daemon *d;
	struct conf_fib cfg;
	struct fib *fib;
	struct fib_resolver *res;
	struct fib_monitor *mon;
	ev_io mon_io;
	ev_prepare commit;
	bool batch_open;
	struct fib_sync_table *tables;
	/* next hops */
	struct trie nh_trie;
	struct nh_entry **nhs;
	size_t n_nhs, cap_nhs;
	const struct bgp_attrs *last_attrs; /* lookup cache: interned sets repeat */
	int last_af;
	struct nh_entry *last_nh;
	ev_timer reresolve;
	/* revalidation walk over the Loc-RIB */
	bool walk_pending, walking;
	int walk_af;
	bool walk_has_cursor;
	struct prefix walk_cursor;
	ev_timer walk_timer;
	/* graceful restart: kernel routes of the previous run kept */
	bool deferring;
	uint32_t *eor_wait;     /* per peer id: families still without End-of-RIB */
	bool *peer_seen;        /* per peer id: has been Established this run */
	ev_timer gr_timer;
	/* sessions: interface each peer is reached over (0 unknown) */
	int *peer_ifindex;
	struct log_ratelimit err_rl;
};

static struct daemon_fib *DF(struct daemon *d) { return d->fib; }

/* ---- batches ---- */

static void batch_need(struct daemon_fib *df)
{
	if (!df->batch_open) {
		fib_batch_begin(df->fib);
		df->batch_open = true;
	}
	ev_prepare_start(df->d->loop, &df->commit);
}

static void commit_one(struct daemon_fib *df, struct fib *f, bool *open, const char *what)
{
	if (!*open)
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

static void commit_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct daemon_fib *df = w->data;
	(void)revents;
	ev_prepare_stop(loop, w);
	commit_one(df, df->fib, &df->batch_open, "main table");
	for (struct fib_sync_table *t = df->tables; t; t = t->next)
		commit_one(df, t->fib, &t->batch_open, "extra table");
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

/* ---- next hops ---- */

static bool path_nexthop(int af, const struct bgp_attrs *a, struct addr *out)
{
	memset(out, 0, sizeof(*out));
	if (af == AF_INET && bgp_attrs_has(a, BGP_ATTR_NEXT_HOP)) {
		out->af = AF_INET;
		memcpy(out->b, &a->nexthop, 4);
		return true;
	}
	if (a->mp_nexthop.af == af) {
		*out = a->mp_nexthop;
		return true;
	}
	return false;
}

static void nh_resolve(struct daemon_fib *df, struct nh_entry *e)
{
	char ab[ADDR_STRLEN];
	struct fib_nexthop via;
	int st = fib_resolve(df->res, &e->a, &via);
	if (st != 0 && st != FIB_RESOLVE_LOCAL && st != -EHOSTUNREACH) {
		/* The kernel could not be asked: keep what we knew. */
		log_warn("fib: cannot resolve next hop %s: %s", addr_fmt(&e->a, ab),
			 strerror(-st));
		return;
	}
	bool changed = st != e->state || (st == 0 && fib_nexthop_cmp(&via, &e->via) != 0);
	if (!changed)
		return;
	if (st == 0)
		log_info("fib: next hop %s resolved (interface %d)", addr_fmt(&e->a, ab),
			 via.ifindex);
	else if (st == -EHOSTUNREACH)
		log_info("fib: next hop %s unreachable: its paths are ineligible "
			 "(RFC 4271 9.1.2.1)", addr_fmt(&e->a, ab));
	e->state = st;
	e->via = st == 0 ? via : (struct fib_nexthop){0};
	e->changed = true;
}

static struct nh_entry *nh_get(struct daemon_fib *df, const struct addr *a)
{
	struct prefix hp = { .addr = *a, .len = (uint8_t)addr_bits(a->af) };
	struct nh_entry *e = trie_lookup(&df->nh_trie, &hp);
	if (e)
		return e;
	if (df->n_nhs == df->cap_nhs) {
		size_t cap = df->cap_nhs ? df->cap_nhs * 2 : 16;
		struct nh_entry **n = realloc(df->nhs, cap * sizeof(*n));
		if (!n)
			return NULL;
		df->nhs = n;
		df->cap_nhs = cap;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->a = *a;
	e->state = -ENODATA; /* never resolved */
	if (trie_insert(&df->nh_trie, &hp, e) < 0) {
		free(e);
		return NULL;
	}
	df->nhs[df->n_nhs++] = e;
	nh_resolve(df, e);
	e->changed = false; /* new: no path used it yet */
	return e;
}

static struct nh_entry *nh_of_path(struct daemon_fib *df, int af, const struct bgp_attrs *a)
{
	if (a == df->last_attrs && af == df->last_af)
		return df->last_nh;
	struct addr nh;
	struct nh_entry *e = path_nexthop(af, a, &nh) ? nh_get(df, &nh) : NULL;
	df->last_attrs = a;
	df->last_af = af;
	df->last_nh = e;
	return e;
}

static bool nh_usable(const struct nh_entry *e)
{
	/* Unknown (the kernel could not be asked) counts as reachable,
	 * as before there was resolution at all. */
	return !e || e->state != -EHOSTUNREACH;
}

bool daemon_fib_nh_reachable(struct daemon *d, int af, const struct bgp_attrs *a)
{
	struct daemon_fib *df = DF(d);
	if (!df || !a)
		return true;
	return nh_usable(nh_of_path(df, af, a));
}

/* ---- routes ---- */

/* Brings the kernel route for p in line with the Loc-RIB. */
static void route_sync(struct daemon_fib *df, const struct prefix *p, const struct rib_path *best)
{
	struct fib_route r = { .pfx = *p };
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
			if (paths[i]->peer == &df->d->local)
				continue; /* our own prefix: nothing to forward to */
			struct nh_entry *e = nh_of_path(df, p->addr.af, paths[i]->attrs);
			if (!e || e->state != 0)
				continue;
			if (fib_nhset_add(&r.nhs, &e->via) < 0)
				break;
		}
	}
	batch_need(df);
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

void daemon_fib_change(struct daemon *d, const struct loc_rib_change *c)
{
	struct daemon_fib *df = DF(d);
	if (!df || (!c->best_changed && !c->multipath_changed))
		return;
	route_sync(df, c->prefix, c->new_best);
}

/* ---- revalidation: next hops changed, so paths' eligibility and the
 * kernel routes built from them may have ---- */

struct reval_item {
	struct prefix p;
	struct rib_path path; /* holds a reference on attrs */
	bool update;          /* path's nh_reachable flips */
};

struct reval_ctx {
	struct daemon_fib *df;
	struct reval_item *items;
	size_t n, cap;
	int err;
};

static void reval_add(struct reval_ctx *x, const struct prefix *p, const struct rib_path *path,
		      bool update)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		struct reval_item *n = realloc(x->items, cap * sizeof(*n));
		if (!n) {
			x->err = -ENOMEM;
			return;
		}
		x->items = n;
		x->cap = cap;
	}
	struct reval_item *it = &x->items[x->n++];
	it->p = *p;
	it->update = update;
	it->path = path ? *path : (struct rib_path){0};
	if (path)
		bgp_attrs_ref(it->path.attrs);
}

static int reval_visit(void *arg, const struct prefix *p, const struct rib_path *best)
{
	struct reval_ctx *x = arg;
	struct daemon_fib *df = x->df;
	const struct rib_path *paths[FIB_PATHS_MAX];
	size_t n = loc_rib_paths(rib_loc(df->d->rib), p, paths, FIB_PATHS_MAX);
	bool touched = false;
	(void)best;
	if (n > FIB_PATHS_MAX)
		n = FIB_PATHS_MAX;
	for (size_t i = 0; i < n; i++) {
		if (paths[i]->peer == &df->d->local)
			continue;
		struct nh_entry *e = nh_of_path(df, p->addr.af, paths[i]->attrs);
		if (!e || !e->changed)
			continue;
		touched = true;
		bool ok = nh_usable(e);
		if (ok != paths[i]->nh_reachable)
			reval_add(x, p, paths[i], true);
	}
	if (touched)
		reval_add(x, p, NULL, false);
	return 0;
}

static void reval_apply(struct reval_ctx *x)
{
	struct daemon_fib *df = x->df;
	struct loc_rib *lr = rib_loc(df->d->rib);
	for (size_t i = 0; i < x->n; i++) {
		struct reval_item *it = &x->items[i];
		if (it->update) {
			it->path.nh_reachable = !it->path.nh_reachable;
			/* Replaces the peer's path (RFC 4271 9.1: the decision
			 * runs again for the prefix); the change callback
			 * rewrites the kernel route if the best moved. */
			int rc = loc_rib_update(lr, &it->p, &it->path);
			if (rc < 0) {
				char pb[PREFIX_STRLEN];
				log_err("fib: re-deciding %s: %s", prefix_fmt(&it->p, pb),
					strerror(-rc));
			}
			bgp_attrs_unref(it->path.attrs);
		} else {
			/* Same best, other next hops, perhaps. */
			route_sync(df, &it->p, loc_rib_best(lr, &it->p));
		}
	}
	x->n = 0;
}

static void walk_kick(struct daemon_fib *df)
{
	if (!ev_is_active(&df->walk_timer)) {
		ev_timer_set(&df->walk_timer, 0., 0.);
		ev_timer_start(df->d->loop, &df->walk_timer);
	}
}

static void walk_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon_fib *df = w->data;
	(void)loop;
	(void)revents;
	if (!df->walking) {
		if (!df->walk_pending)
			return;
		df->walk_pending = false;
		df->walking = true;
		df->walk_af = AF_INET;
		df->walk_has_cursor = false;
	}
	struct reval_ctx x = { .df = df };
	struct prefix next;
	int rc = loc_rib_walk(rib_loc(df->d->rib), df->walk_af,
			      df->walk_has_cursor ? &df->walk_cursor : NULL, DAEMON_SLICE,
			      reval_visit, &x, &next);
	reval_apply(&x);
	free(x.items);
	if (x.err)
		log_err("fib: revalidating paths: %s", strerror(-x.err));
	if (rc == 1) {
		df->walk_cursor = next;
		df->walk_has_cursor = true;
	} else if (df->walk_af == AF_INET) {
		df->walk_af = AF_INET6;
		df->walk_has_cursor = false;
	} else {
		df->walking = false;
		/* With another walk pending the marks stay: it must see
		 * every next hop that changed since this one began. */
		if (!df->walk_pending) {
			for (size_t i = 0; i < df->n_nhs; i++)
				df->nhs[i]->changed = false;
			return;
		}
	}
	walk_kick(df);
}

/* Re-resolves every next hop; a walk follows if any changed.  A change
 * arriving during a walk restarts it from the beginning afterwards
 * (walk_pending), since the part already walked may be affected. */
static void reresolve_all(struct daemon_fib *df)
{
	bool any = false;
	df->last_attrs = NULL;
	for (size_t i = 0; i < df->n_nhs; i++) {
		bool was = df->nhs[i]->changed;
		df->nhs[i]->changed = false;
		nh_resolve(df, df->nhs[i]);
		any |= df->nhs[i]->changed;
		df->nhs[i]->changed |= was;
	}
	if (any) {
		df->walk_pending = true;
		walk_kick(df);
	}
}

static void reresolve_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	reresolve_all(w->data);
}

static void reresolve_soon(struct daemon_fib *df, double after)
{
	if (ev_is_active(&df->reresolve))
		return;
	ev_timer_set(&df->reresolve, after, 0.);
	ev_timer_start(df->d->loop, &df->reresolve);
}

/* ---- sessions on a lost interface or address ---- */

/* RFC 4271 8.1.2 AutomaticStop (Event 8): in OpenSent, OpenConfirm or
 * Established the speaker sends NOTIFICATION Cease and drops the
 * connection.  With the link gone the NOTIFICATION may never arrive,
 * but the connection must go now rather than when the hold timer
 * expires; Cease/Administrative Reset (RFC 4486) with an RFC 9003
 * message says it will be re-established.  The session starts again
 * at once and connects by the usual ConnectRetry timer (or accepts the
 * peer's connection) once the link is back. */
static void session_drop(struct daemon_fib *df, struct daemon_peer *dp, const char *why)
{
	struct bgp_peer *p = dp->peer;
	char nb[ADDR_STRLEN];
	if (!p || p->state < BGP_STATE_OPENSENT)
		return;
	log_warn("peer %s: %s: taking the session down now, not at hold timer expiry",
		 addr_fmt(&p->cfg.addr, nb), why);
	bgp_peer_stop(p, BGP_CEASE_ADMIN_RESET, why);
	bgp_peer_start(p);
}

static void sessions_on_link(struct daemon_fib *df, const struct fib_link_event *ev)
{
	char why[96];
	snprintf(why, sizeof(why), "interface %s down", ev->name[0] ? ev->name : "?");
	for (size_t i = 1; i < df->d->n_peers; i++) {
		struct daemon_peer *dp = &df->d->peers[i];
		if (dp->peer && df->peer_ifindex[i] == ev->ifindex)
			session_drop(df, dp, why);
	}
}

static void sessions_on_addr(struct daemon_fib *df, const struct fib_addr_event *ev)
{
	char why[96], ab[ADDR_STRLEN];
	snprintf(why, sizeof(why), "local address %s removed", addr_fmt(&ev->pfx.addr, ab));
	for (size_t i = 1; i < df->d->n_peers; i++) {
		struct daemon_peer *dp = &df->d->peers[i];
		struct addr local;
		if (!dp->peer || bgp_peer_local_addr(dp->peer, &local) != 0)
			continue;
		addr_unmap_v4(&local);
		if (addr_eq(&local, &ev->pfx.addr))
			session_drop(df, dp, why);
	}
}

/* ---- the monitor ---- */

static void nexthops_down_on(struct daemon_fib *df, int ifindex)
{
	for (size_t i = 0; i < df->n_nhs; i++) {
		struct nh_entry *e = df->nhs[i];
		if (e->state != 0 || e->via.ifindex != ifindex)
			continue;
		batch_need(df);
		int rc = fib_nexthop_down(df->fib, &e->via);
		if (rc < 0) {
			char ab[ADDR_STRLEN];
			log_warn("fib: repointing groups away from %s: %s", addr_fmt(&e->a, ab),
				 strerror(-rc));
		}
	}
}

static void mon_link(void *arg, const struct fib_link_event *ev)
{
	struct daemon_fib *df = arg;
	if (ev->up && !ev->deleted) {
		reresolve_soon(df, FIB_RERESOLVE_QUIET);
		return;
	}
	log_info("fib: interface %s (%d) %s", ev->name[0] ? ev->name : "?", ev->ifindex,
		 ev->deleted ? "deleted" : "down");
	nexthops_down_on(df, ev->ifindex);
	sessions_on_link(df, ev);
	ev_timer_stop(df->d->loop, &df->reresolve);
	reresolve_all(df);
}

static void mon_addr(void *arg, const struct fib_addr_event *ev)
{
	struct daemon_fib *df = arg;
	if (!ev->deleted) {
		reresolve_soon(df, FIB_RERESOLVE_QUIET);
		return;
	}
	/* Next hops on the subnet of a removed address lose their
	 * connected route; re-resolution finds that out at once. */
	sessions_on_addr(df, ev);
	ev_timer_stop(df->d->loop, &df->reresolve);
	reresolve_all(df);
}

static void mon_route(void *arg, const struct fib_route_event *ev)
{
	struct daemon_fib *df = arg;
	if (ev->protocol == df->cfg.protocol)
		return;
	reresolve_soon(df, FIB_RERESOLVE_QUIET);
}

static void mon_resync(void *arg)
{
	struct daemon_fib *df = arg;
	log_warn("fib: kernel notifications lost; re-reading the kernel");
	commit_cb(df->d->loop, &df->commit, 0);
	if (!df->deferring) {
		int rc = fib_resync(df->fib);
		if (rc < 0)
			log_err("fib: resync failed: %s", strerror(-rc));
	}
	reresolve_all(df);
}

static const struct fib_monitor_ops mon_ops = {
	.link = mon_link, .addr = mon_addr, .route = mon_route, .resync = mon_resync,
};

static void mon_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct daemon_fib *df = w->data;
	(void)loop;
	(void)revents;
	int rc = fib_monitor_read(df->mon);
	if (rc < 0 && rc != -EAGAIN)
		log_warn("fib: reading kernel notifications: %s", strerror(-rc));
}

/* ---- graceful restart and start-up sweep ---- */

static void sweep_now(struct daemon_fib *df, const char *why)
{
	df->deferring = false;
	ev_timer_stop(df->d->loop, &df->gr_timer);
	commit_cb(df->d->loop, &df->commit, 0);
	int rc = fib_resync(df->fib);
	if (rc < 0)
		log_err("fib: sweeping stale kernel routes: %s", strerror(-rc));
	else
		log_info("fib: %s: kernel table in line with the Loc-RIB", why);
}

static void gr_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	sweep_now(w->data, "graceful restart: time is up, stale routes swept");
}

static void gr_check_done(struct daemon_fib *df)
{
	if (!df->deferring)
		return;
	for (size_t i = 1; i < df->d->n_peers; i++)
		if (df->d->peers[i].peer && (!df->peer_seen[i] || df->eor_wait[i]))
			return;
	sweep_now(df, "graceful restart: End-of-RIB from every peer, stale routes swept");
}

void daemon_fib_established(struct daemon *d, struct daemon_peer *dp)
{
	struct daemon_fib *df = DF(d);
	struct bgp_peer *p = dp->peer;
	if (!df || !p || p->id >= d->n_peers)
		return;
	struct fib_nexthop via;
	df->peer_ifindex[p->id] = fib_resolve(df->res, &p->cfg.addr, &via) == 0 ? via.ifindex : 0;
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

/* ---- life cycle ---- */

static int open_fib(struct daemon_fib *df, uint32_t table, fib_error_cb ecb, void *earg,
		    struct fib **out)
{
	struct fib_backend be;
	int rc;
	if (df->cfg.install) {
		struct fib_netlink_config nc = { .table = table, .protocol = df->cfg.protocol };
		rc = fib_netlink_open(&nc, &be);
	} else {
		/* install off: the same logic on a table in memory, so
		 * `show fib` says what would be there. */
		rc = fib_mock_open(true, &be);
	}
	if (rc < 0)
		return rc;
	struct fib_config fc = { .ecmp = df->cfg.ecmp };
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
	size_t np = d->n_peers ? d->n_peers : 1;
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
	rc = open_fib(df, df->cfg.table, on_fib_error, df, &df->fib);
	if (rc < 0) {
		log_err("fib: cannot open the kernel table %u: %s", df->cfg.table, strerror(-rc));
		goto fail;
	}
	struct fib_monitor_config mc = { .ignore_protocol = df->cfg.protocol };
	rc = fib_monitor_open(&mc, &mon_ops, df, &df->mon);
	if (rc < 0) {
		log_err("fib: cannot watch links and addresses: %s", strerror(-rc));
		goto fail;
	}
	ev_io_init(&df->mon_io, mon_io_cb, fib_monitor_fd(df->mon), EV_READ);
	df->mon_io.data = df;
	ev_io_start(d->loop, &df->mon_io);
	ev_prepare_init(&df->commit, commit_cb);
	df->commit.data = df;
	ev_timer_init(&df->reresolve, reresolve_cb, 0., 0.);
	df->reresolve.data = df;
	ev_timer_init(&df->walk_timer, walk_cb, 0., 0.);
	df->walk_timer.data = df;
	ev_timer_init(&df->gr_timer, gr_timer_cb, FIB_GR_DEFER_TIME, 0.);
	df->gr_timer.data = df;
	d->fib = df;
	log_info("fib: %s table %u, protocol %u, ecmp %s%s",
		 df->cfg.install ? "writing kernel" : "install off: not writing kernel",
		 df->cfg.table, df->cfg.protocol, df->cfg.ecmp ? "on" : "off",
		 fib_uses_nhobj(df->fib) ? ", nexthop objects" : "");
	if (df->cfg.graceful_restart && df->cfg.install && d->n_peers > 1) {
		/* RFC 4724 4.1: forwarding goes on over the previous run's
		 * routes until the new Loc-RIB has converged. */
		df->deferring = true;
		ev_timer_start(d->loop, &df->gr_timer);
		log_info("fib: graceful restart: keeping kernel routes of the previous run "
			 "until every peer sent End-of-RIB (at most %.0f s)", FIB_GR_DEFER_TIME);
	} else {
		/* Originated routes may have reached the FIB already. */
		rc = fib_resync(df->fib);
		if (rc < 0)
			log_warn("fib: sweeping routes of an earlier run: %s", strerror(-rc));
	}
	return 0;
fail:
	fib_monitor_close(df->mon);
	fib_destroy(df->fib);
	fib_resolver_close(df->res);
	free(df->eor_wait);
	free(df->peer_seen);
	free(df->peer_ifindex);
	trie_destroy(&df->nh_trie);
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
	if (!df->cfg.graceful_restart) {
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
	ev_io_stop(loop, &df->mon_io);
	ev_prepare_stop(loop, &df->commit);
	ev_timer_stop(loop, &df->reresolve);
	ev_timer_stop(loop, &df->walk_timer);
	ev_timer_stop(loop, &df->gr_timer);
	fib_monitor_close(df->mon);
	fib_destroy(df->fib);
	fib_resolver_close(df->res);
	for (size_t i = 0; i < df->n_nhs; i++)
		free(df->nhs[i]);
	free(df->nhs);
	trie_destroy(&df->nh_trie);
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
	int rc = open_fib(df, table, on_fib_error, df, &t->fib);
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

int fib_sync_table_set(struct fib_sync_table *t, const struct prefix *p, const struct addr *nhs,
		       size_t n)
{
	struct fib_route r = { .pfx = *p };
	for (size_t i = 0; i < n; i++) {
		struct nh_entry *e = nh_get(t->df, &nhs[i]);
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
