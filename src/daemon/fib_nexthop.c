/* BGP next hops for the kernel FIB (issue 4): each distinct one
 * resolved through the kernel (fib/fib_resolve.h) into a gateway and an
 * interface, kept in a trie of host prefixes (a handful of entries, not
 * one per route), and re-resolved when the monitor reports that links,
 * addresses or other daemons' routes changed.
 *
 * A next hop that stops (or starts) resolving changes the eligibility
 * of every path through it (RFC 4271 9.1.2.1), so a sliced walk of the
 * Loc-RIB re-offers those paths and the decision runs again; prefixes
 * whose paths merely resolve differently get their kernel route
 * rewritten.
 *
 * A link going down (or a local address going away) does not wait for
 * any of that: every nexthop group holding a next hop on the link loses
 * it in one group replace (prefix-independent convergence), and the
 * BGP sessions over the link are taken down then and there. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/fib_sync_priv.h"
#include "fib/fib_resolve.h"

/* Route notifications of other daemons come in floods (a full table
 * installed by BIRD next door); re-resolve once they pause. */
#define FIB_RERESOLVE_QUIET 0.05
#define FIB_PATHS_MAX 64

/* ---- next hops ---- */

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

struct nh_entry *fib_sync_nh_get(struct daemon_fib *df, const struct addr *a)
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

struct nh_entry *fib_sync_nh_of_path(struct daemon_fib *df, int af, const struct bgp_attrs *a)
{
	struct addr nh;
	if (!bgp_attrs_nexthop(a, af, &nh))
		return NULL;
	/* Consecutive paths mostly share their next hop: compared by value
	 * (an attribute set's address may be reused once it is freed). */
	if (df->last_nh && addr_eq(&df->last_nh->a, &nh))
		return df->last_nh;
	struct nh_entry *e = fib_sync_nh_get(df, &nh);
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
	struct daemon_fib *df = d->fib;
	if (!df || !a)
		return true;
	return nh_usable(fib_sync_nh_of_path(df, af, a));
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
		struct nh_entry *e = fib_sync_nh_of_path(df, p->addr.af, paths[i]->attrs);
		if (!e || !e->changed)
			continue;
		touched = true;
		bool ok = nh_usable(e);
		if (ok != paths[i]->nh_reachable)
			reval_add(x, p, paths[i], true);
	}
	if (touched && df->fib)
		reval_add(x, p, NULL, false); /* the kernel route's next hops */
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
			fib_sync_route(df, &it->p, loc_rib_best(lr, &it->p));
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
		fib_sync_batch_need(df);
		/* The kernel flushed the nexthops on the link itself: groups
		 * with other members are already shrunk (we agree with it),
		 * routes of groups left empty are gone and get rewritten as
		 * the Loc-RIB re-decides them. */
		int rc = df->fib ? fib_nexthop_gone(df->fib, &e->via) : 0;
		if (rc < 0) {
			char ab[ADDR_STRLEN];
			log_warn("fib: repointing groups away from %s: %s", addr_fmt(&e->a, ab),
				 strerror(-rc));
		}
		fib_sync_tables_link(df, &e->via);
	}
}

/* The kernel repeats link messages for a link that stays down (flag
 * and statistics changes); act on the first. */
static bool down_if_mark(struct daemon_fib *df, int ifindex, bool down)
{
	for (size_t i = 0; i < df->n_down_if; i++) {
		if (df->down_if[i] != ifindex)
			continue;
		if (!down)
			df->down_if[i] = df->down_if[--df->n_down_if];
		return !down; /* known down: news only if it came back */
	}
	if (down && df->n_down_if < FIB_SYNC_DOWN_MAX)
		df->down_if[df->n_down_if++] = ifindex;
	return down;
}

static void mon_link(void *arg, const struct fib_link_event *ev)
{
	struct daemon_fib *df = arg;
	if (ev->up && !ev->deleted) {
		if (down_if_mark(df, ev->ifindex, false)) {
			log_info("fib: interface %s (%d) up", ev->name[0] ? ev->name : "?",
				 ev->ifindex);
			fib_sync_tables_link(df, NULL);
		}
		reresolve_soon(df, FIB_RERESOLVE_QUIET);
		return;
	}
	bool news = down_if_mark(df, ev->ifindex, true);
	/* A deleted interface never comes back (a new one gets a new
	 * index): forget it, or the list fills with deleted links and a
	 * real link's later down goes unrecorded, so its return would not
	 * resync the extra tables. */
	if (ev->deleted)
		(void)down_if_mark(df, ev->ifindex, false);
	if (!news)
		return;
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
	fib_sync_commit(df);
	if (!df->deferring && df->fib) {
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


void daemon_fib_peer_down(struct daemon *d, struct daemon_peer *dp)
{
	struct daemon_fib *df = d->fib;
	if (!df || df->frozen || !dp->peer)
		return;
	/* The peer's address is the next hop of its eBGP routes (RFC 4271
	 * 5.1.3).  Looked up, not made: a peer whose routes never came has
	 * no entry. */
	struct prefix hp = { .addr = dp->peer->cfg.addr,
			     .len = (uint8_t)addr_bits(dp->peer->cfg.addr.af) };
	struct nh_entry *e = trie_lookup(&df->nh_trie, &hp);
	if (!e || e->state != 0)
		return;
	/* Another session to the same next hop keeps it alive. */
	for (size_t i = 1; i < d->n_peers; i++) {
		struct bgp_peer *o = d->peers[i].peer;
		if (o && o != dp->peer && o->state == BGP_STATE_ESTABLISHED &&
		    addr_eq(&o->cfg.addr, &dp->peer->cfg.addr))
			return;
	}
	/* Prefix-independent convergence: every group through the peer
	 * moves to its other members or its backup in one request, before
	 * the sliced withdrawal of the peer's paths re-decides each prefix
	 * (which then finds the routes where they already are). */
	fib_sync_batch_need(df);
	int rc = df->fib ? fib_nexthop_down(df->fib, &e->via) : 0;
	if (rc < 0) {
		char ab[ADDR_STRLEN];
		log_warn("fib: repointing groups away from %s: %s", addr_fmt(&e->a, ab),
			 strerror(-rc));
	}
	/* Sent now, not when this loop iteration ends: the caller goes on
	 * to drop the peer's paths, which takes far longer than the
	 * replace (writes already queued go first, in order). */
	fib_sync_commit(df);
}

int fib_sync_nh_start(struct daemon_fib *df)
{
	struct fib_monitor_config mc = { .ignore_protocol = df->cfg.protocol };
	int rc = fib_monitor_open(&mc, &mon_ops, df, &df->mon);
	if (rc < 0)
		return rc;
	ev_io_init(&df->mon_io, mon_io_cb, fib_monitor_fd(df->mon), EV_READ);
	df->mon_io.data = df;
	ev_io_start(df->d->loop, &df->mon_io);
	ev_timer_init(&df->reresolve, reresolve_cb, 0., 0.);
	df->reresolve.data = df;
	ev_timer_init(&df->walk_timer, walk_cb, 0., 0.);
	df->walk_timer.data = df;
	return 0;
}

void fib_sync_nh_stop(struct daemon_fib *df)
{
	struct ev_loop *loop = df->d->loop;
	if (df->mon) {
		ev_io_stop(loop, &df->mon_io);
		fib_monitor_close(df->mon);
		df->mon = NULL;
	}
	ev_timer_stop(loop, &df->reresolve);
	ev_timer_stop(loop, &df->walk_timer);
	for (size_t i = 0; i < df->n_nhs; i++)
		free(df->nhs[i]);
	free(df->nhs);
	df->nhs = NULL;
	df->n_nhs = df->cap_nhs = 0;
	trie_destroy(&df->nh_trie);
}
