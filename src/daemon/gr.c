/* Graceful restart, receiving ("helper") side, RFC 4724 4.2.
 *
 * When a session with a GR-capable peer ends without a NOTIFICATION, the
 * peer's routes of the families it listed in its GR capability stay in
 * the Adj-RIB-In (its Loc-RIB paths), noted stale in dp->stale, for the
 * restart time it advertised.  If
 * it comes back, families whose new capability lacks the F bit are
 * swept at once; the others are swept at the peer's End-of-RIB, keeping
 * whatever it announced again.  Stale paths stay candidates in the
 * Loc-RIB, so nothing is withdrawn from other peers meanwhile.  A cap of DAEMON_GR_STALE_TIME after the
 * restart bounds a peer that never sends End-of-RIB. */
#include <stdlib.h>

#include "core/log.h"
#include "daemon/daemon.h"

#define DAEMON_GR_STALE_TIME 360.0

static int fam_af(int f)
{
	return f == BGP_FAM_IPV6_UNICAST ? AF_INET6 : AF_INET;
}

static void sweep(struct daemon *d, struct daemon_peer *dp, int f)
{
	char nb[ADDR_STRLEN];
	struct adj_rib_entry *e = NULL;
	size_t n = 0, removed = 0;
	if (!dp->stale)
		return;
	if (adj_rib_entries(dp->stale, &e, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (e[i].prefix.addr.af != fam_af(f))
				continue;
			/* Stale paths stayed candidates in the Loc-RIB
			 * until now (RFC 4724 4.2). */
			if (loc_rib_withdraw(rib_loc(d->rib), &e[i].prefix, dp->rp.id) == 1)
				removed++;
		}
		adj_rib_entries_free(e, n);
	}
	adj_rib_clear(dp->stale, fam_af(f));
	dp->stale_families &= ~BGP_FAM_BIT(f);
	log_info("peer %s: graceful restart: %zu stale %s routes removed",
		 addr_fmt(&dp->peer->cfg.addr, nb), removed, bgp_family_name((enum bgp_family)f));
	if (!dp->stale_families) {
		adj_rib_free(dp->stale);
		dp->stale = NULL;
		ev_timer_stop(d->loop, &dp->gr_timer);
	}
}

static void gr_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon_peer *dp = w->data;
	char nb[ADDR_STRLEN];
	log_warn("peer %s: graceful restart: time is up, dropping stale routes",
		 addr_fmt(&dp->peer->cfg.addr, nb));
	for (int f = 0; f < BGP_FAM_COUNT && dp->stale; f++)
		if (dp->stale_families & BGP_FAM_BIT(f))
			sweep(dp->d, dp, f);
	(void)loop;
}

void daemon_gr_init(struct daemon *d, struct daemon_peer *dp)
{
	dp->d = d;
	ev_timer_init(&dp->gr_timer, gr_timer_cb, 1, 0);
	dp->gr_timer.data = dp;
}

void daemon_gr_free(struct daemon *d, struct daemon_peer *dp)
{
	ev_timer_stop(d->loop, &dp->gr_timer);
	adj_rib_free(dp->stale);
	dp->stale = NULL;
	dp->stale_families = 0;
}

/* The families whose routes the peer asked us to keep across its
 * restart (RFC 4724 4.2): none after a NOTIFICATION or without the
 * capability's restart time. */
static uint32_t gr_families(const struct bgp_peer *p)
{
	const struct bgp_caps *rc = &p->remote_open.caps;
	uint32_t fams = 0;
	if (!p->down_with_notify && p->neg.peer_graceful_restart && rc->gr_time) {
		for (int f = 0; f < BGP_FAM_COUNT; f++)
			if (rc->gr[f].present && (p->neg.families & BGP_FAM_BIT(f)))
				fams |= BGP_FAM_BIT(f);
	}
	return fams;
}

bool daemon_gr_keeps_stale(struct daemon *d, const struct bgp_peer *p)
{
	return gr_families(p) && loc_rib_peer_routes(rib_loc(d->rib), p->id, 0);
}

bool daemon_gr_peer_down(struct daemon *d, struct daemon_peer *dp, struct bgp_peer *p)
{
	const struct bgp_caps *rc = &p->remote_open.caps;
	char nb[ADDR_STRLEN];
	uint32_t fams = gr_families(p);
	struct loc_rib *lr = rib_loc(d->rib);
	if (!fams || !loc_rib_peer_routes(lr, p->id, 0)) {
		daemon_gr_free(d, dp);
		return false;
	}
	/* What we sent is gone with the session (daemon_sync_stop ended
	 * its out entries); it is re-sent on return. */
	struct adj_rib_entry *e = NULL;
	size_t n = 0;
	if (!dp->stale)
		dp->stale = adj_rib_new();
	if (!dp->stale || loc_rib_peer_entries(lr, p->id, false, &e, &n) < 0) {
		daemon_gr_free(d, dp);
		return false;
	}
	/* Only the families the peer keeps; the others go now. */
	for (size_t i = 0; i < n; i++) {
		int f = e[i].prefix.addr.af == AF_INET6 ? BGP_FAM_IPV6_UNICAST
							: BGP_FAM_IPV4_UNICAST;
		if (fams & BGP_FAM_BIT(f))
			adj_rib_update(dp->stale, &e[i].prefix, e[i].attrs);
	}
	adj_rib_entries_free(e, n);
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		if (!(fams & BGP_FAM_BIT(f)))
			daemon_flush_start(d, dp, BGP_FAM_BIT(f));
	dp->stale_families |= fams;
	ev_timer_stop(d->loop, &dp->gr_timer);
	ev_timer_set(&dp->gr_timer, rc->gr_time, 0);
	ev_timer_start(d->loop, &dp->gr_timer);
	log_info("peer %s: graceful restart: keeping %zu routes as stale for %u s (RFC 4724)",
		 addr_fmt(&p->cfg.addr, nb), adj_rib_count(dp->stale), rc->gr_time);
	return true;
}

void daemon_gr_established(struct daemon *d, struct daemon_peer *dp, struct bgp_peer *p)
{
	if (!dp->stale)
		return;
	const struct bgp_caps *rc = &p->remote_open.caps;
	for (int f = 0; f < BGP_FAM_COUNT && dp->stale; f++) {
		if (!(dp->stale_families & BGP_FAM_BIT(f)))
			continue;
		/* RFC 4724 4.2: no GR now, or the F bit clear: the peer
		 * lost its forwarding state, so the stale routes are wrong. */
		if (!rc->graceful_restart || !rc->gr[f].present || !rc->gr[f].forwarding_preserved)
			sweep(d, dp, f);
	}
	if (dp->stale) {
		ev_timer_stop(d->loop, &dp->gr_timer);
		ev_timer_set(&dp->gr_timer, DAEMON_GR_STALE_TIME, 0);
		ev_timer_start(d->loop, &dp->gr_timer);
	}
}

void daemon_gr_update(struct daemon *d, struct daemon_peer *dp, struct bgp_peer *p,
		      const struct bgp_update *u)
{
	if (!dp->stale)
		return;
	for (uint32_t i = 0; i < u->n_announced; i++)
		adj_rib_withdraw(dp->stale, &u->announced[i]);
	for (uint32_t i = 0; i < u->n_withdrawn; i++)
		adj_rib_withdraw(dp->stale, &u->withdrawn[i]);
	if (u->end_of_rib && u->eor_family < BGP_FAM_COUNT &&
	    (dp->stale_families & BGP_FAM_BIT(u->eor_family)))
		sweep(d, dp, u->eor_family);
	(void)p;
}
