/* The routing core wired to the sessions: paths into the Loc-RIB, and
 * every change of a prefix's best path out to each Established peer
 * through the export rules (daemon/export.h), then the peer's named
 * export policy if it has one, and its Adj-RIB-Out.
 *
 * The Adj-RIB-Out (RFC 4271 3.2) holds only that something was sent to
 * the peer and when (out entries in the Loc-RIB's prefix records,
 * rib/loc_rib_out.h): the result lives only while queued (issue 3).
 * Every change of a best path the Loc-RIB reports is exported here to
 * every sending peer at once, so an entry of the peer's current export
 * function stands for the export of the best path now; a peer that
 * cannot be sent a change gets its entry marked unknown
 * (export_prefix).  A prefix that may no longer go out is withdrawn
 * only if it was sent (daemon/adj_out.h).  That also makes the initial
 * dump and live changes safe to interleave: whichever reaches a prefix
 * second finds it sent.  What was sent is computed again from the best
 * path when it is read (out_export: `show rib out`, route refresh).
 *
 * Long walks (the dump to a new peer, the withdrawal of a lost peer's
 * paths) run in slices of DAEMON_SLICE prefixes from a zero-delay
 * timer, one slice per loop iteration, so sessions' timers and sockets
 * are served in between (issue 3, DESIGN 10). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "daemon/adj_out.h"
#include "daemon/daemon.h"
#include "daemon/cloud.h"
#include "daemon/fib_sync.h"
#include "daemon/knobs.h"
#include "daemon/soft.h"

static int fam_af(int f)
{
	return f == BGP_FAM_IPV6_UNICAST ? AF_INET6 : AF_INET;
}

static int af_fam(int af)
{
	return af == AF_INET6 ? BGP_FAM_IPV6_UNICAST : BGP_FAM_IPV4_UNICAST;
}

static uint32_t peer_families(const struct bgp_peer *p)
{
	return p->neg.families & ~p->disabled_families;
}

static void work_kick(struct daemon *d)
{
	if (!ev_is_active(&d->work)) {
		ev_timer_set(&d->work, 0., 0.);
		ev_timer_start(d->loop, &d->work);
	}
}

bool daemon_export_allowed(struct daemon_peer *dp, struct bgp_peer *p)
{
	if (dp->export != CONF_FILTER_NONE)
		return true;
	if (!dp->export_none_logged) {
		char nb[ADDR_STRLEN];
		log_info("peer %s: no export policy: nothing sent (RFC 8212)",
			 addr_fmt(&p->cfg.addr, nb));
		dp->export_none_logged = true;
	}
	return false;
}

static bool peer_sends(const struct daemon_peer *dp, int af)
{
	const struct bgp_peer *p = dp->peer;
	return p && dp->tgt_valid && p->state == BGP_STATE_ESTABLISHED &&
	       dp->export != CONF_FILTER_NONE && (peer_families(p) & BGP_FAM_BIT(af_fam(af)));
}

static void cache_clear(struct daemon_peer *dp)
{
	bgp_attrs_unref(dp->cache_src);
	bgp_attrs_unref(dp->cache_out);
	dp->cache_src = dp->cache_out = NULL;
	dp->cache_src_peer = NULL;
}

/* The export of best to the peer; *out is borrowed from the cache. */
static int export_cached(struct daemon_peer *dp, const struct prefix *p,
			 const struct rib_path *best, struct bgp_attrs **out)
{
	*out = NULL;
	if (!best)
		return EXPORT_NO_BEST;
	if (dp->cache_src == best->attrs && dp->cache_src_peer == best->peer &&
	    dp->cache_af == p->addr.af) {
		*out = dp->cache_out;
		return dp->cache_verdict;
	}
	struct bgp_attrs *a = NULL;
	int v = export_attrs(&dp->tgt, p, best, &a);
	if (v < 0)
		return v;
	if (a && dp->export_pol) {
		v = export_policy_apply(&dp->tgt, dp->export_pol, p, &a);
		if (v < 0)
			return v;
	}
	if (a && !a->frozen) {
		/* A policy that changed the set leaves a mutable copy: kept
		 * as one block while it waits in the queue; on -ENOMEM the
		 * mutable copy does as well. */
		struct bgp_attrs *f = bgp_attrs_freeze(a);
		if (f) {
			bgp_attrs_unref(a);
			a = f;
		}
	}
	/* Not interned: the Adj-RIB-Out keeps the source (rib/loc_rib_out.h),
	 * so this set lives only in the output queue and here, and a table
	 * insert and release per source set and peer (a cache miss each)
	 * bought only sharing between peers while queued (issue 3).  The
	 * queue packs consecutive prefixes by pointer, so an export equal
	 * to the previous one (sources that differ only in what the export
	 * drops, or a policy's per-prefix results) takes its pointer: one
	 * UPDATE for them as before. */
	if (a && dp->cache_out && dp->cache_af == p->addr.af &&
	    bgp_attrs_hash(a) == bgp_attrs_hash(dp->cache_out) && bgp_attrs_equal(a, dp->cache_out)) {
		bgp_attrs_unref(a);
		a = bgp_attrs_ref(dp->cache_out);
	}
	cache_clear(dp);
	/* A policy may match on the prefix, so its result holds for this
	 * prefix only: kept (the caller borrows it) but never matched. */
	dp->cache_src = dp->export_pol ? NULL : bgp_attrs_ref(best->attrs);
	dp->cache_src_peer = dp->export_pol ? NULL : best->peer;
	dp->cache_af = p->addr.af;
	dp->cache_verdict = v;
	dp->cache_out = a;
	*out = a;
	return v;
}

/* The peer a Loc-RIB path with this peer id came from, NULL if there is
 * none.  The peers paths point to live as long as the daemon (daemon.h:
 * peers[], local, the cloud's pseudo-peers), so the id of a best path
 * read for an out entry always finds its source. */
static const struct rib_peer *src_peer(const struct daemon *d, uint32_t id)
{
	if (id == DAEMON_LOCAL_PEER_ID)
		return &d->local;
	if (id < d->n_peers)
		return d->peers[id].rp.id == id ? &d->peers[id].rp : NULL;
	return daemon_cloud_static_peer(d, id);
}

/* The export of an out entry: what the peer was sent for p, the export
 * of src (p's best path now; attrs NULL when there is none) by its
 * export function in force.  As export_cached; *out borrowed. */
static int out_export(struct daemon *d, struct daemon_peer *dp, const struct prefix *p,
		      const struct loc_out_src *src, struct bgp_attrs **out)
{
	*out = NULL;
	if (!src->attrs)
		return EXPORT_NO_BEST;
	const struct rib_peer *rp = src_peer(d, src->peer_id);
	if (!rp)
		return -ENOENT;
	/* Only the peer and the attributes of a path matter to export. */
	struct rib_path path = { .peer = rp, .attrs = src->attrs };
	return export_cached(dp, p, &path, out);
}

/* loc_rib_out_export_fn: out entries read as attributes. */
static int out_export_read(void *arg, uint32_t peer_id, const struct prefix *p,
			   const struct loc_out_src *src, struct bgp_attrs **out)
{
	struct daemon *d = arg;
	*out = NULL;
	if (peer_id >= d->n_peers || !d->peers[peer_id].peer || !d->peers[peer_id].tgt_valid)
		return 0; /* its entries have ended with its session */
	struct bgp_attrs *a = NULL;
	int v = out_export(d, &d->peers[peer_id], p, src, &a);
	if (v < 0)
		return v;
	*out = a ? bgp_attrs_ref(a) : NULL;
	return 0;
}

/* Queueing without a search of the output queue (the _fresh calls: a
 * full table queues in linear time) is safe when nothing of p is
 * pending there.  The out entry tells: an announcement can be pending
 * only while the entry holds attributes set since the queue was last
 * seen empty (pending).  A withdrawal may be pending when there is no
 * entry; an announcement queued fresh after it is still right, because
 * the queue sends a batch's withdrawals before its announcements, in
 * separate UPDATEs (RFC 7606 5.3 never comes into play), and an indexed
 * batch replaces the withdrawal (bgp/outq.c). */
static int queue_announce(struct daemon_peer *dp, struct bgp_attrs *a, const struct prefix *p,
			  bool pending)
{
	return pending ? bgp_peer_announce(dp->peer, a, p, 1)
		       : bgp_peer_announce_fresh(dp->peer, a, p, 1);
}

static int queue_withdraw(struct daemon_peer *dp, const struct prefix *p, bool pending)
{
	return pending ? bgp_peer_withdraw(dp->peer, p, 1) : bgp_peer_withdraw_fresh(dp->peer, p, 1);
}

/* Whatever was set before the queue last emptied has left it. */
static void queue_observe(struct daemon *d, struct daemon_peer *dp)
{
	if (bgp_peer_outq_empty(dp->peer))
		loc_rib_out_drained(rib_loc(d->rib), dp->peer->id);
}

/* Brings the peer's Adj-RIB-Out for p (its record rec) in line with
 * best; changed: best is a change the Loc-RIB reported (else a walk
 * passes the prefix). */
static void export_prefix(struct daemon *d, struct daemon_peer *dp, const struct prefix *p,
			  const struct rib_path *best, struct loc_rib_rec *rec, bool changed)
{
	char nb[ADDR_STRLEN];
	struct loc_rib *lr = rib_loc(d->rib);
	if (!peer_sends(dp, p->addr.af)) {
		/* A session between its start and its stop whose entries may
		 * still be current: a family RFC 7606 disabled (what was sent
		 * stays at the peer until the session ends), or the moment
		 * between leaving Established and the down callback.  Its
		 * entry no longer stands for the export of the best (it
		 * would be read so by `show rib out`), so it reads as sent,
		 * unknown.  Without a session, or with export none (every
		 * entry withdrawn at the switch, daemon_export_refresh),
		 * there is no current entry to mark. */
		if (changed && dp->tgt_valid && dp->export != CONF_FILTER_NONE)
			loc_rib_out_unknown(lr, rec, dp->peer->id);
		return;
	}
	struct bgp_attrs *a = NULL;
	int v = export_cached(dp, p, best, &a);
	if (v < 0) {
		/* Better withdrawn than stale: the old attributes may be
		 * the ones that no longer hold. */
		log_err("peer %s: cannot build export attributes: %s",
			addr_fmt(&dp->peer->cfg.addr, nb), strerror(-v));
		a = NULL;
	}
	if (v == EXPORT_NO_NEXTHOP && !dp->nexthop_logged[af_fam(p->addr.af)]) {
		log_warn("peer %s: no %s next hop on this session, %s routes not sent",
			 addr_fmt(&dp->peer->cfg.addr, nb), p->addr.af == AF_INET6 ? "IPv6" : "IPv4",
			 bgp_family_name((enum bgp_family)af_fam(p->addr.af)));
		dp->nexthop_logged[af_fam(p->addr.af)] = true;
	}
	queue_observe(d, dp);
	bool pending = false;
	enum loc_out_state st = loc_rib_out_get(lr, rec, dp->peer->id, &pending);
	int rc = 0;
	switch (adj_out_action(st, changed, a != NULL)) {
	case ADJ_OUT_NOTHING:
		return;
	case ADJ_OUT_ANNOUNCE:
		rc = queue_announce(dp, a, p, st != LOC_OUT_NONE && pending);
		if (!rc)
			rc = loc_rib_out_set(lr, rec, dp->peer->id, true);
		else
			/* Not queued: the peer keeps what it had, which is no
			 * longer the export of the best. */
			loc_rib_out_unknown(lr, rec, dp->peer->id);
		break;
	case ADJ_OUT_WITHDRAW:
		rc = queue_withdraw(dp, p, pending);
		loc_rib_out_set(lr, rec, dp->peer->id, false);
		break;
	}
	if (rc < 0)
		log_err("peer %s: cannot queue an update: %s", addr_fmt(&dp->peer->cfg.addr, nb),
			strerror(-rc));
}

/* Loc-RIB change callback: the best path of one prefix moved. */
static void on_change(void *arg, const struct loc_rib_change *c)
{
	struct daemon *d = arg;
	/* A multipath set change alone sends nothing to peers (BGP
	 * advertises the best), but changes the kernel route. */
	if (c->best_changed)
		for (size_t i = 1; i < d->n_peers; i++)
			if (d->peers[i].peer)
				export_prefix(d, &d->peers[i], c->prefix, c->new_best, c->rec, true);
	/* The second consumer, after export: its writes are only queued
	 * here and sent once per loop iteration (fib_sync.c). */
	daemon_fib_change(d, c);
	/* The cloud personality's route tables (cloud.c), which follow the
	 * best and multipath set only. */
	if (c->best_changed || c->multipath_changed)
		daemon_cloud_change(d, c);
}

int daemon_path_update(struct daemon *d, struct daemon_peer *dp, const struct prefix *p,
		       struct bgp_attrs *attrs)
{
	return daemon_path_update_loop(d, dp, p, attrs, false);
}

int daemon_path_update_loop(struct daemon *d, struct daemon_peer *dp, const struct prefix *p,
			    struct bgp_attrs *attrs, bool loop)
{
	/* RFC 4271 9.1.2.1: a next hop the kernel cannot reach makes the
	 * path ineligible (fib_sync.c resolves it; re-resolution re-runs
	 * the decision).  The IGP cost stays unknown. */
	struct rib_path path = {
		.peer = &dp->rp,
		.attrs = attrs,
		.received = ++d->arrivals,
		.igp_cost = UINT32_MAX,
		.nh_reachable = daemon_fib_nh_reachable(d, p->addr.af, attrs),
		.as_loop = loop,
	};
	return loc_rib_update(rib_loc(d->rib), p, &path);
}

void daemon_path_withdraw(struct daemon *d, struct daemon_peer *dp, const struct prefix *p)
{
	loc_rib_withdraw(rib_loc(d->rib), p, dp->rp.id);
}

/* Our next-hop addresses on the session: the connection's own for its
 * family, the configured local-address for the other if it has one. */
static void target_fill(struct daemon *d, struct daemon_peer *dp)
{
	struct bgp_peer *p = dp->peer;
	struct export_target *t = &dp->tgt;
	memset(t, 0, sizeof(*t));
	t->peer_id = p->id;
	t->peer_as = p->cfg.remote_as;
	t->local_as = d->conf->local_as;
	t->ebgp = p->cfg.remote_as != p->cfg.local_as;
	struct addr local;
	if (bgp_peer_local_addr(p, &local) == 0) {
		addr_unmap_v4(&local);
		if (local.af == AF_INET)
			t->self4 = local;
		else if (local.af == AF_INET6)
			t->self6 = local;
	}
	const struct addr *cfg = dp->n ? &dp->n->local_addr : NULL;
	if (cfg && cfg->af == AF_INET && t->self4.af == 0)
		t->self4 = *cfg;
	if (cfg && cfg->af == AF_INET6 && t->self6.af == 0)
		t->self6 = *cfg;
}

void daemon_sync_start(struct daemon *d, struct daemon_peer *dp)
{
	struct bgp_peer *p = dp->peer;
	cache_clear(dp);
	/* Nothing was sent on this session yet, whatever the out entries
	 * of an earlier one say (also done at its end). */
	if (loc_rib_out_reset(rib_loc(d->rib), p->id) < 0)
		log_err("out of memory for the Adj-RIB-Out of a new session");
	target_fill(d, dp);
	dp->tgt_valid = true;
	dp->rp.router_id = p->remote_open.bgp_id;
	dp->dumping = true;
	dp->dump_fam = 0;
	dp->dump_has_cursor = false;
	/* Logged once here rather than per prefix. */
	(void)daemon_export_allowed(dp, p);
	work_kick(d);
}

void daemon_sync_stop(struct daemon *d, struct daemon_peer *dp)
{
	cache_clear(dp);
	/* What was sent is gone with the session (its queue with it): the
	 * out entries read as absent from now on and are reclaimed as the
	 * flush or the next dump passes their prefixes. */
	if (dp->peer)
		loc_rib_out_reset(rib_loc(d->rib), dp->peer->id);
	dp->tgt_valid = false;
	dp->dumping = false;
}

static int dump_visit(void *arg, const struct prefix *p, const struct rib_path *best,
		      struct loc_rib_rec *rec)
{
	struct daemon_peer *dp = arg;
	export_prefix(dp->d, dp, p, best, rec, false);
	return 0;
}

/* One slice of the initial dump; true while more remains. */
static bool dump_step(struct daemon *d, struct daemon_peer *dp, size_t budget)
{
	struct bgp_peer *p = dp->peer;
	if (p->state != BGP_STATE_ESTABLISHED) {
		dp->dumping = false;
		return false;
	}
	while (dp->dump_fam < BGP_FAM_COUNT) {
		int f = dp->dump_fam;
		bool neg = peer_families(p) & BGP_FAM_BIT(f);
		if (neg && dp->export != CONF_FILTER_NONE) {
			struct prefix next;
			int rc = loc_rib_walk_rec(rib_loc(d->rib), fam_af(f),
					      dp->dump_has_cursor ? &dp->dump_cursor : NULL, budget,
					      dump_visit, dp, &next);
			if (rc == 1) {
				dp->dump_cursor = next;
				dp->dump_has_cursor = true;
				return true;
			}
			if (rc < 0) {
				char nb[ADDR_STRLEN];
				log_err("peer %s: initial %s table walk failed: %s",
					addr_fmt(&p->cfg.addr, nb), bgp_family_name((enum bgp_family)f),
					strerror(-rc));
			}
		}
		/* RFC 4724 2: End-of-RIB after the initial update, also when
		 * there was nothing to send; a reload's re-export is not one. */
		if (neg && !dp->dump_quiet)
			bgp_peer_send_eor(p, (enum bgp_family)f);
		dp->dump_fam++;
		dp->dump_has_cursor = false;
	}
	dp->dumping = false;
	dp->dump_quiet = false;
	return false;
}

/* One slice of a lost peer's withdrawal; true while more remains. */
static bool flush_step(struct daemon *d, struct daemon_peer *dp, size_t budget)
{
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if (!(dp->flush_fams & BGP_FAM_BIT(f)))
			continue;
		struct prefix next;
		int rc = loc_rib_peer_withdraw_older(rib_loc(d->rib), fam_af(f), dp->rp.id,
						     dp->flush_before[f],
						     dp->flush_has_cursor ? &dp->flush_cursor : NULL,
						     budget, &next, NULL);
		if (rc == 1) {
			dp->flush_cursor = next;
			dp->flush_has_cursor = true;
			return true;
		}
		if (rc < 0) {
			char nb[ADDR_STRLEN];
			log_err("peer %s: withdrawing its %s paths failed: %s",
				addr_fmt(&dp->rp.addr, nb), bgp_family_name((enum bgp_family)f),
				strerror(-rc));
		}
		dp->flush_fams &= ~BGP_FAM_BIT(f);
		dp->flush_has_cursor = false;
	}
	return false;
}

void daemon_flush_start(struct daemon *d, struct daemon_peer *dp, uint32_t fams)
{
	daemon_flush_start_older(d, dp, fams, UINT64_MAX);
}

void daemon_flush_start_older(struct daemon *d, struct daemon_peer *dp, uint32_t fams,
			      uint64_t before)
{
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if (!(fams & BGP_FAM_BIT(f)))
			continue;
		if (!(dp->flush_fams & BGP_FAM_BIT(f))) {
			dp->flush_before[f] = before;
			continue;
		}
		if (before <= dp->flush_before[f])
			continue; /* already takes at least these */
		/* Takes more now: paths behind the cursor that the old
		 * stamp spared must go too, so the family starts over (it
		 * is the one being walked when it is the lowest left). */
		dp->flush_before[f] = before;
		if (!(dp->flush_fams & (BGP_FAM_BIT(f) - 1)))
			dp->flush_has_cursor = false;
	}
	/* A family already being flushed keeps its cursor; one added
	 * starts from its beginning when its turn comes. */
	dp->flush_fams |= fams;
	work_kick(d);
}

void daemon_flush_finish(struct daemon *d, struct daemon_peer *dp)
{
	while (dp->flush_fams)
		flush_step(d, dp, 0);
}

static void work_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon *d = w->data;
	bool more = false;
	(void)loop;
	(void)revents;
	for (size_t i = 1; i < d->n_peers; i++) {
		struct daemon_peer *dp = &d->peers[i];
		/* A neighbor a reload removed has no session left, but its
		 * paths still leave the Loc-RIB in slices. */
		if (dp->flush_fams)
			more |= flush_step(d, dp, DAEMON_SLICE);
		if (!dp->peer)
			continue;
		if (dp->dumping)
			more |= dump_step(d, dp, DAEMON_SLICE);
		if (dp->soft_e)
			more |= daemon_soft_step(d, dp, DAEMON_SLICE);
	}
	if (d->reselecting)
		more |= daemon_reselect_step(d, DAEMON_SLICE);
	if (more)
		work_kick(d);
}

void daemon_work_kick(struct daemon *d)
{
	work_kick(d);
}

void daemon_export_refresh(struct daemon *d, struct daemon_peer *dp)
{
	struct bgp_peer *p = dp->peer;
	/* The cached export was built by the old policy. */
	cache_clear(dp);
	if (!p || !dp->tgt_valid || p->state != BGP_STATE_ESTABLISHED)
		return; /* the next session's initial dump uses the new one */
	struct loc_rib *lr = rib_loc(d->rib);
	if (dp->export == CONF_FILTER_NONE) {
		struct loc_out_entry *e = NULL;
		size_t n = 0;
		dp->dumping = false;
		if (loc_rib_out_entries(lr, p->id, &e, &n) < 0)
			return;
		/* Pending or not is unknown per entry here: search. */
		for (size_t i = 0; i < n; i++) {
			queue_withdraw(dp, &e[i].prefix, true);
			loc_rib_out_remove(lr, &e[i].prefix, p->id);
		}
		loc_rib_out_entries_free(e, n);
		return;
	}
	/* What was sent stays sent, but is no longer the export of its
	 * source: the re-export announces each prefix the new function
	 * passes and withdraws each it rejects. */
	if (loc_rib_out_export_changed(lr, p->id) < 0)
		log_err("out of memory for the Adj-RIB-Out of a changed export");
	/* An initial dump still running restarts, End-of-RIB and all. */
	if (!dp->dumping)
		dp->dump_quiet = true;
	dp->dumping = true;
	dp->dump_fam = 0;
	dp->dump_has_cursor = false;
	work_kick(d);
}

void daemon_sync_resend(struct daemon *d, struct daemon_peer *dp, enum bgp_family f)
{
	struct loc_rib *lr = rib_loc(d->rib);
	struct loc_out_entry *e = NULL;
	size_t n = 0;
	if (!peer_sends(dp, fam_af(f)))
		return;
	if (loc_rib_out_entries(lr, dp->peer->id, &e, &n) < 0) {
		log_err("out of memory re-sending routes");
		return;
	}
	queue_observe(d, dp);
	for (size_t i = 0; i < n; i++) {
		if (e[i].prefix.addr.af != fam_af(f))
			continue;
		struct loc_rib_rec *rec = loc_rib_rec_find(lr, &e[i].prefix);
		bool pending = false;
		if (rec)
			loc_rib_out_get(lr, rec, dp->peer->id, &pending);
		/* What was sent, computed again from the best now; an entry
		 * of an older export function the current one rejects goes
		 * now rather than when the re-export reaches it. */
		struct bgp_attrs *a = NULL;
		int rc = out_export(d, dp, &e[i].prefix, &e[i].src, &a);
		if (rc >= 0 && a) {
			rc = queue_announce(dp, a, &e[i].prefix, pending);
			/* Queued again: pending from now on, and the export
			 * of the best by the function in force. */
			if (!rc && rec)
				rc = loc_rib_out_set(lr, rec, dp->peer->id, true);
		} else if (rc >= 0) {
			rc = queue_withdraw(dp, &e[i].prefix, pending);
			if (rec)
				loc_rib_out_set(lr, rec, dp->peer->id, false);
		}
		if (rc < 0) {
			char nb[ADDR_STRLEN];
			log_err("peer %s: cannot queue announcements: %s",
				addr_fmt(&dp->peer->cfg.addr, nb), strerror(-rc));
			break;
		}
	}
	loc_rib_out_entries_free(e, n);
}

int daemon_rib_init(struct daemon *d)
{
	struct loc_rib_config cfg = {0};
	daemon_rib_config(d->conf, &cfg);
	ev_timer_init(&d->work, work_cb, 0., 0.);
	d->work.data = d;
	int rc = rib_loc_create(d->rib, &cfg, on_change, d);
	if (rc < 0)
		return rc;
	loc_rib_out_export_set(rib_loc(d->rib), out_export_read, d);
	d->local = (struct rib_peer){
		.id = DAEMON_LOCAL_PEER_ID,
		.router_id = d->conf->router_id,
		.as = d->conf->local_as,
		.ebgp = false,
	};
	/* Our own prefixes, gated by their conditions (originate.c). */
	rc = daemon_originate_init(d);
	if (rc < 0)
		log_err("originate: %s", strerror(-rc));
	return rc;
}

void daemon_rib_fini(struct daemon *d)
{
	if (d->loop)
		ev_timer_stop(d->loop, &d->work);
	for (size_t i = 0; i < d->n_peers; i++)
		cache_clear(&d->peers[i]);
	daemon_originate_free(d);
}
