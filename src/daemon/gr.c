/* Graceful restart, receiving ("helper") side, RFC 4724 4.2.
 *
 * When a session with a GR-capable peer ends without a NOTIFICATION, the
 * peer's routes of the families it listed in its GR capability stay in
 * the Adj-RIB-In (its Loc-RIB paths) for the restart time it advertised.
 * What is stale needs no list: every path carries its arrival stamp, so
 * the paths received up to the session's end (dp->stale_before) are the
 * stale ones, and a route the peer sends again gets a newer stamp.  If
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
	if (!(dp->stale_families & BGP_FAM_BIT(f)))
		return;
	/* Stale paths stayed candidates in the Loc-RIB until now (RFC 4724
	 * 4.2); those the peer sent again since carry newer stamps.  They
	 * go in slices, as a lost peer's paths do (sync.c's flush). */
	daemon_flush_start_older(d, dp, BGP_FAM_BIT(f), dp->stale_before);
	dp->stale_families &= ~BGP_FAM_BIT(f);
	log_info("peer %s: graceful restart: removing the stale %s routes not sent again",
		 addr_fmt(&dp->peer->cfg.addr, nb), bgp_family_name((enum bgp_family)f));
	if (!dp->stale_families)
		ev_timer_stop(d->loop, &dp->gr_timer);
}

static void gr_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon_peer *dp = w->data;
	char nb[ADDR_STRLEN];
	log_warn("peer %s: graceful restart: time is up, dropping stale routes",
		 addr_fmt(&dp->peer->cfg.addr, nb));
	for (int f = 0; f < BGP_FAM_COUNT; f++)
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
	 * its out entries); it is re-sent on return.  Everything received
	 * so far is stale (a second loss before the sweep extends it); the
	 * families the peer does not keep go now. */
	dp->stale_before = d->arrivals;
	size_t n = 0;
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if (fams & BGP_FAM_BIT(f))
			n += loc_rib_peer_routes(lr, p->id, fam_af(f));
		else
			daemon_flush_start(d, dp, BGP_FAM_BIT(f));
	}
	dp->stale_families |= fams;
	ev_timer_stop(d->loop, &dp->gr_timer);
	ev_timer_set(&dp->gr_timer, rc->gr_time, 0);
	ev_timer_start(d->loop, &dp->gr_timer);
	log_info("peer %s: graceful restart: keeping %zu routes as stale for %u s (RFC 4724)",
		 addr_fmt(&p->cfg.addr, nb), n, rc->gr_time);
	return true;
}

void daemon_gr_established(struct daemon *d, struct daemon_peer *dp, struct bgp_peer *p)
{
	if (!dp->stale_families)
		return;
	const struct bgp_caps *rc = &p->remote_open.caps;
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if (!(dp->stale_families & BGP_FAM_BIT(f)))
			continue;
		/* RFC 4724 4.2: no GR now, or the F bit clear: the peer
		 * lost its forwarding state, so the stale routes are wrong. */
		if (!rc->graceful_restart || !rc->gr[f].present || !rc->gr[f].forwarding_preserved)
			sweep(d, dp, f);
	}
	if (dp->stale_families) {
		ev_timer_stop(d->loop, &dp->gr_timer);
		ev_timer_set(&dp->gr_timer, DAEMON_GR_STALE_TIME, 0);
		ev_timer_start(d->loop, &dp->gr_timer);
	}
}

void daemon_gr_update(struct daemon *d, struct daemon_peer *dp, struct bgp_peer *p,
		      const struct bgp_update *u)
{
	/* Routes sent again are fresh by their stamps; nothing to note. */
	if (!dp->stale_families)
		return;
	if (u->end_of_rib && u->eor_family < BGP_FAM_COUNT &&
	    (dp->stale_families & BGP_FAM_BIT(u->eor_family)))
		sweep(d, dp, u->eor_family);
	(void)p;
}
