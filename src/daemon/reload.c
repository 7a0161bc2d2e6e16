/* Reload: `egressctl reload` or SIGHUP re-reads the config file and
 * applies it to the running daemon.
 *
 * A file with errors changes nothing: every error is logged as
 * file:line:col and the first ones go back to egressctl.  Otherwise:
 *
 * - applied without touching any session: import and export policies
 *   and their attachment to neighbors, prefix sets, originations and
 *   conditions, the decision knobs, soft-reconfiguration and the
 *   description;
 *     - a changed import is re-evaluated from the stored pre-policy
 *       routes when the neighbor has `soft-reconfiguration inbound`
 *       (nothing is sent to the peer), else by asking the peer for its
 *       routes again with ROUTE-REFRESH (RFC 2918; the peer frames its
 *       answer with BoRR/EoRR when enhanced route refresh is agreed,
 *       RFC 7313) and letting the new policy judge them as they come;
 *     - a changed export rebuilds the peer's Adj-RIB-Out from the
 *       Loc-RIB in slices: every prefix the new export passes is
 *       announced again, every one it rejects that was sent withdrawn;
 *     - changed knobs re-run the decision process for every prefix in
 *       slices; what moved is exported as any change is;
 * - applied by a session reset, each one logged: a neighbor removed
 *   (NOTIFICATION Cease/Peer De-configured, RFC 4486 3), a neighbor
 *   added (started), and a neighbor whose session settings changed
 *   (remote-as, port, password, timers, passive, ttl-security,
 *   local-address) or every neighbor when local-as or router-id changed
 *   (Cease/Other Configuration Change, RFC 4486 3, then a new session);
 * - not applied (logged, a restart is needed): listen addresses, the
 *   fib block, the personality and route tables, probes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/parse.h"
#include "core/log.h"
#include "daemon/cloud.h"
#include "daemon/daemon.h"
#include "daemon/knobs.h"
#include "daemon/soft.h"

static bool str_same(const char *a, const char *b)
{
	return (!a || !b) ? a == b : strcmp(a, b) == 0;
}

/* Same session settings: everything but what a reload applies in place
 * (filters, soft-reconfiguration, description, group name). */
static bool session_same(const struct conf_neighbor *a, const struct conf_neighbor *b)
{
	struct conf_neighbor x = *a, y = *b;
	x.import = y.import = CONF_FILTER_UNSET;
	x.export = y.export = CONF_FILTER_UNSET;
	x.import_policy = y.import_policy = NULL;
	x.export_policy = y.export_policy = NULL;
	x.description = y.description = NULL;
	x.group = y.group = NULL;
	x.soft_reconfig_in = y.soft_reconfig_in = false;
	return conf_neighbor_equal(&x, &y);
}

static const struct conf_neighbor *neighbor_find(const struct conf *c,
						 const struct conf_neighbor *n)
{
	for (size_t i = 0; i < c->n_neighbors; i++)
		if (addr_eq(&c->neighbors[i].addr, &n->addr) &&
		    c->neighbors[i].port == n->port)
			return &c->neighbors[i];
	return NULL;
}

/* Errors into err: the first ones that fit, then how many more. */
static void errors_text(const struct conf_errors *e, char *err, size_t size)
{
	size_t used = 0, shown = 0;
	err[0] = '\0';
	for (size_t i = 0; i < e->n; i++) {
		log_err("reload: %s", e->msgs[i]);
		size_t need = strlen(e->msgs[i]) + (shown ? 2 : 0);
		if (used + need + 24 < size) {
			used += (size_t)snprintf(err + used, size - used, "%s%s", shown ? "; " : "",
						 e->msgs[i]);
			shown++;
		}
	}
	if (shown < e->n && used + 24 < size)
		snprintf(err + used, size - used, " (and %zu more)", e->n - shown);
}

/* A new neighbor's session and its slot in peers[]. */
static int peer_attach(struct daemon *d, const struct conf_neighbor *n)
{
	char nb[ADDR_STRLEN];
	struct bgp_peer_config pc;
	daemon_peer_config(d->conf, n, &pc);
	struct bgp_peer *p = bgp_peer_add(d->sp, &pc);
	if (!p)
		return -ENOMEM;
	if (p->id >= d->peers_cap) {
		log_err("neighbor %s: no room for another session in this process (%d added "
			"by reloads): restart egressd", addr_fmt(&n->addr, nb), DAEMON_PEERS_SPARE);
		bgp_peer_delete(d->sp, p);
		return -ENOSPC;
	}
	struct daemon_peer *dp = &d->peers[p->id];
	memset(dp, 0, sizeof(*dp));
	dp->n = n;
	dp->peer = p;
	dp->rp = (struct rib_peer){ .id = p->id, .addr = n->addr, .as = n->remote_as,
				    .ebgp = n->remote_as != d->conf->local_as };
	daemon_cloud_peer_init(d, dp); /* VPN or Direct Connect (cloud.c) */
	daemon_gr_init(d, dp);
	if (p->id >= d->n_peers)
		d->n_peers = p->id + 1;
	int rc = daemon_peer_filters_set(dp, d->policies);
	if (rc < 0)
		return rc;
	bgp_peer_start(p);
	return 0;
}

/* Ends the neighbor's session for good: its slot stays (the Loc-RIB
 * paths of the peer point at it while they are flushed). */
static void peer_detach(struct daemon *d, struct daemon_peer *dp, uint8_t cease)
{
	struct bgp_peer *p = dp->peer;
	/* The NOTIFICATION with our reason first; the delete's own stop
	 * then finds the session down already.  The down callback
	 * withdraws the peer's routes (in slices). */
	bool stale = dp->stale_families != 0;
	bgp_peer_stop(p, cease, NULL);
	daemon_sync_stop(d, dp);
	daemon_soft_clear(dp, 0);
	daemon_gr_free(d, dp);
	/* Routes kept stale for a peer that was already down (graceful
	 * restart, RFC 4724 4.2) have no session left to refresh them. */
	if (stale) {
		daemon_flush_start(d, dp, BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) |
						  BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST));
	}
	bgp_peer_delete(d->sp, p);
	dp->peer = NULL;
	dp->n = NULL;
	dp->import_pol = dp->export_pol = NULL;
}

/* The import changed: judge the peer's routes again. */
static void import_again(struct daemon *d, struct daemon_peer *dp)
{
	struct bgp_peer *p = dp->peer;
	char nb[ADDR_STRLEN];
	addr_fmt(&p->cfg.addr, nb);
	if (p->state != BGP_STATE_ESTABLISHED)
		return; /* the next session is judged by the new policy */
	if (dp->import == CONF_FILTER_NONE) {
		/* Nothing may stay: as if the peer had withdrawn it all. */
		daemon_flush_start(d, dp, BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) |
						  BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST));
		log_info("peer %s: import none now: its routes withdrawn", nb);
		return;
	}
	if (dp->n->soft_reconfig_in && dp->pre_in) {
		int rc = daemon_soft_rerun_start(d, dp);
		if (rc < 0)
			log_err("peer %s: cannot re-run the import policy: %s", nb, strerror(-rc));
		else
			log_info("peer %s: import changed: re-running it over %zu stored routes "
				 "(soft-reconfiguration inbound)", nb, daemon_soft_count(dp));
		daemon_work_kick(d);
		return;
	}
	if (p->neg.route_refresh || p->neg.enhanced_route_refresh) {
		uint32_t fams = p->neg.families & ~p->disabled_families;
		for (int f = 0; f < BGP_FAM_COUNT; f++) {
			if (!(fams & BGP_FAM_BIT(f)))
				continue;
			/* RFC 2918 3 / RFC 7313 4: the requester sends a plain
			 * ROUTE-REFRESH either way. */
			int rc = bgp_peer_send_route_refresh(p, (enum bgp_family)f, BGP_RR_NORMAL);
			if (rc < 0)
				log_err("peer %s: cannot send ROUTE-REFRESH for %s: %s", nb,
					bgp_family_name((enum bgp_family)f), strerror(-rc));
		}
		log_info("peer %s: import changed: ROUTE-REFRESH sent, the new policy applies "
			 "as the routes come back", nb);
		return;
	}
	log_warn("peer %s: import changed, but the peer has no route refresh and the "
		 "neighbor no soft-reconfiguration inbound: routes already received keep the "
		 "old policy's verdict until the peer sends them again", nb);
}

/* Whether a resolved filter of a kept neighbor means something else now:
 * other filter, other policy, or the same policy (or a prefix set it
 * matches) written differently. */
static bool filter_changed(const struct conf *oc, const struct conf *nc, enum conf_filter of,
			   const char *oname, enum conf_filter nf, const char *nname)
{
	if (of != nf)
		return true;
	if (nf != CONF_FILTER_POLICY)
		return false;
	return !str_same(oname, nname) || !conf_policy_same(oc, nc, nname);
}

/* A kept neighbor: new filters and options in place. */
static void peer_update(struct daemon *d, struct daemon_peer *dp, const struct conf_neighbor *nn,
			const struct conf *oc)
{
	struct bgp_peer *p = dp->peer;
	char nb[ADDR_STRLEN];
	const struct conf_neighbor *on = dp->n;
	enum conf_filter oi = dp->import, oe = dp->export;
	const char *oin = on->import_policy, *oen = on->export_policy;
	bool import_ch, export_ch;
	dp->n = nn;
	if (daemon_peer_filters_set(dp, d->policies) < 0) {
		/* The validator resolves names, so this cannot happen; if it
		 * does, send and accept nothing rather than the old policy. */
		dp->import = dp->export = CONF_FILTER_NONE;
		dp->import_pol = dp->export_pol = NULL;
	}
	import_ch = filter_changed(oc, d->conf, oi, oin, dp->import, nn->import_policy);
	export_ch = filter_changed(oc, d->conf, oe, oen, dp->export, nn->export_policy);
	/* on still points into the old config, freed after this pass. */
	if (!str_same(p->cfg.description, nn->description)) {
		char *dsc = nn->description ? strdup(nn->description) : NULL;
		if (dsc || !nn->description) {
			free(p->cfg.description);
			p->cfg.description = dsc;
		}
	}
	if (!nn->soft_reconfig_in && dp->pre_in) {
		daemon_soft_clear(dp, 0);
	} else if (nn->soft_reconfig_in && !on->soft_reconfig_in &&
		   p->state == BGP_STATE_ESTABLISHED) {
		/* The copy starts empty: have the peer fill it. */
		import_ch = true;
	}
	addr_fmt(&p->cfg.addr, nb);
	if (import_ch) {
		log_info("peer %s: import is now %s", nb,
			 dp->import == CONF_FILTER_POLICY ? nn->import_policy
			 : dp->import == CONF_FILTER_ALL ? "all" : "none");
		dp->import_none_logged = false;
		/* A copy just switched on is empty: import_again asks the
		 * peer, and its answer fills the copy. */
		import_again(d, dp);
	}
	if (export_ch) {
		log_info("peer %s: export is now %s: re-exporting", nb,
			 dp->export == CONF_FILTER_POLICY ? nn->export_policy
			 : dp->export == CONF_FILTER_ALL ? "all" : "none");
		dp->export_none_logged = false;
		daemon_export_refresh(d, dp);
	}
}

bool daemon_reselect_step(struct daemon *d, size_t budget)
{
	while (d->reselecting) {
		struct prefix next;
		int rc = loc_rib_reselect(rib_loc(d->rib), d->reselect_af,
					  d->reselect_has_cursor ? &d->reselect_cursor : NULL,
					  budget, &next);
		if (rc == 1) {
			d->reselect_cursor = next;
			d->reselect_has_cursor = true;
			return true;
		}
		if (rc < 0)
			log_err("reload: recomputing best paths failed: %s", strerror(-rc));
		d->reselect_has_cursor = false;
		if (d->reselect_af == AF_INET) {
			d->reselect_af = AF_INET6;
		} else {
			d->reselecting = false;
			log_info("reload: best paths recomputed for every prefix");
		}
	}
	return false;
}

static void reselect_start(struct daemon *d)
{
	d->reselecting = true;
	d->reselect_af = AF_INET;
	d->reselect_has_cursor = false;
	daemon_work_kick(d);
}

static void note_unapplied(const struct conf *oc, const struct conf *nc)
{
	bool listen_same = oc->n_listen == nc->n_listen;
	for (size_t i = 0; listen_same && i < oc->n_listen; i++)
		listen_same = addr_eq(&oc->listen[i].addr, &nc->listen[i].addr) &&
			      oc->listen[i].port == nc->listen[i].port;
	if (!listen_same)
		log_warn("reload: listen addresses changed: not applied, restart egressd");
	if (!conf_fib_equal(&oc->fib, &nc->fib))
		log_warn("reload: the fib block changed: not applied, restart egressd");
	if (!conf_cloud_equal(&oc->cloud, &nc->cloud))
		log_warn("reload: personality or route tables changed: not applied, restart "
			 "egressd");
	if (!conf_probes_equal(oc, nc))
		log_warn("reload: probes changed: not applied, restart egressd");
}

int daemon_reload(struct daemon *d, char *err, size_t err_size)
{
	struct conf *nc = NULL;
	struct conf_errors errs = {0};
	const char *path = d->conf->path;
	err[0] = '\0';
	int rc = conf_load_file(path, &nc, &errs);
	if (rc < 0) {
		errors_text(&errs, err, err_size);
		if (!err[0])
			snprintf(err, err_size, "%s: %s", path, strerror(-rc));
		conf_errors_free(&errs);
		log_err("reload: %s has errors, running configuration kept", path);
		return rc;
	}
	conf_errors_free(&errs);
	struct policy_set *nps = NULL;
	rc = policy_set_build(nc, &nps);
	if (rc < 0) {
		snprintf(err, err_size, "cannot compile the policies: %s", strerror(-rc));
		log_err("reload: %s, running configuration kept", err);
		conf_free(nc);
		return rc;
	}
	struct conf *oc = d->conf;
	struct policy_set *ops = d->policies;
	bool global_reset = oc->router_id != nc->router_id || oc->local_as != nc->local_as;
	bool knobs_changed = !conf_decision_equal(&oc->decision, &nc->decision) ||
			     oc->router_id != nc->router_id;
	note_unapplied(oc, nc);
	d->conf = nc;
	d->policies = nps;
	if (global_reset)
		log_warn("reload: local-as or router-id changed: every session is reset");

	/* Neighbors that were there: kept, changed (new session) or gone.
	 * Only slots below the current count existed before this pass. */
	size_t n_before = d->n_peers;
	bool *matched = calloc(nc->n_neighbors ? nc->n_neighbors : 1, sizeof(*matched));
	if (!matched) {
		d->conf = oc;
		d->policies = ops;
		conf_free(nc);
		policy_set_free(nps);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	size_t added = 0, removed = 0, reset = 0, kept = 0;
	for (size_t i = 1; i < n_before; i++) {
		struct daemon_peer *dp = &d->peers[i];
		char nb[ADDR_STRLEN];
		if (!dp->peer)
			continue;
		const struct conf_neighbor *nn = neighbor_find(nc, dp->n);
		addr_fmt(&dp->peer->cfg.addr, nb);
		if (!nn) {
			log_info("reload: neighbor %s removed: Cease/Peer De-configured", nb);
			peer_detach(d, dp, BGP_CEASE_PEER_DECONFIGURED);
			removed++;
			continue;
		}
		matched[nn - nc->neighbors] = true;
		if (global_reset || !session_same(dp->n, nn)) {
			log_info("reload: neighbor %s changed: Cease/Other Configuration Change, "
				 "new session", nb);
			peer_detach(d, dp, BGP_CEASE_CONFIG_CHANGE);
			rc = peer_attach(d, nn);
			if (rc < 0)
				log_err("reload: neighbor %s: cannot start its new session: %s", nb,
					strerror(-rc));
			reset++;
			continue;
		}
		peer_update(d, dp, nn, oc);
		kept++;
	}
	for (size_t j = 0; j < nc->n_neighbors; j++) {
		if (matched[j])
			continue;
		char nb[ADDR_STRLEN];
		log_info("reload: neighbor %s added", addr_fmt(&nc->neighbors[j].addr, nb));
		rc = peer_attach(d, &nc->neighbors[j]);
		if (rc < 0)
			log_err("reload: neighbor %s: cannot start: %s", nb, strerror(-rc));
		added++;
	}
	free(matched);

	/* Our own prefixes: policies or conditions may have changed. */
	d->local.router_id = nc->router_id;
	d->local.as = nc->local_as;
	rc = daemon_originate_reload(d);
	if (rc < 0)
		log_err("reload: originations: %s", strerror(-rc));

	if (knobs_changed) {
		struct loc_rib_config cfg = {0};
		/* The new knobs under the running personality: a personality
		 * change is not applied by a reload (note_unapplied). */
		struct conf knobs = *nc;
		knobs.cloud = oc->cloud;
		daemon_rib_config(&knobs, &cfg);
		rc = loc_rib_set_config(rib_loc(d->rib), &cfg);
		if (rc < 0)
			log_err("reload: decision options not applied: %s", strerror(-rc));
		else
			reselect_start(d);
	}

	conf_free(oc);
	policy_set_free(ops);
	log_info("reload: %s applied: %zu neighbors kept, %zu reset, %zu added, %zu removed%s",
		 nc->path, kept, reset, added, removed,
		 knobs_changed ? "; best paths being recomputed" : "");
	return 0;
}
