/* Routes between sessions and the Adj-RIBs: import into Adj-RIB-In,
 * export of `originate` prefixes through Adj-RIB-Out, RFC 8212 filters,
 * End-of-RIB (RFC 4724) and route refresh (RFC 2918, RFC 7313). */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "daemon/daemon.h"

enum conf_filter daemon_filter_resolve(enum conf_filter f, bool ebgp)
{
	if (f != CONF_FILTER_UNSET)
		return f;
	/* RFC 8212 3: without a policy an eBGP session neither accepts nor
	 * sends routes; iBGP keeps the RFC 4271 default. */
	return ebgp ? CONF_FILTER_NONE : CONF_FILTER_ALL;
}

struct daemon_peer *daemon_peer_of(struct daemon *d, const struct bgp_peer *p)
{
	return p->id < d->n_peers ? &d->peers[p->id] : NULL;
}

static const char *peer_name(const struct bgp_peer *p, char *buf)
{
	return addr_fmt(&p->cfg.addr, buf);
}

static bool is_ebgp(const struct bgp_peer *p)
{
	return p->cfg.remote_as != p->cfg.local_as;
}

/* Attributes of our originated routes towards p for one family, or NULL
 * when the session has no next hop of that family. */
static struct bgp_attrs *origin_attrs(struct daemon *d, struct daemon_peer *dp,
				      struct bgp_peer *p, enum bgp_family f)
{
	struct addr local;
	char nb[ADDR_STRLEN];
	int want = f == BGP_FAM_IPV6_UNICAST ? AF_INET6 : AF_INET;
	if (bgp_peer_local_addr(p, &local) < 0 || local.af != want) {
		/* RFC 4760 3 / RFC 4271 5.1.3: the next hop must be an
		 * address of the NLRI's family; fall back to the configured
		 * local-address, else skip the family. */
		if (dp->n && dp->n->local_addr.af == want) {
			local = dp->n->local_addr;
		} else {
			if (!dp->nexthop_logged[f])
				log_warn("peer %s: no %s next hop on this session, %s "
					 "originations not sent", peer_name(p, nb),
					 want == AF_INET6 ? "IPv6" : "IPv4", bgp_family_name(f));
			dp->nexthop_logged[f] = true;
			return NULL;
		}
	}
	struct bgp_attrs *a = bgp_attrs_new();
	if (!a)
		return NULL;
	a->origin = BGP_ORIGIN_IGP;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN);
	int rc;
	if (is_ebgp(p)) {
		/* RFC 4271 5.1.2: our AS as the one AS_SEQUENCE segment,
		 * in the canonical 4-octet form. */
		uint32_t as = d->conf->local_as;
		uint8_t seg[6] = { BGP_AS_SEQUENCE, 1, (uint8_t)(as >> 24), (uint8_t)(as >> 16),
				   (uint8_t)(as >> 8), (uint8_t)as };
		rc = bgp_attrs_set_aspath(a, seg, sizeof(seg));
	} else {
		rc = bgp_attrs_set_aspath(a, NULL, 0);
		/* RFC 4271 5.1.5: LOCAL_PREF goes to internal peers. */
		a->local_pref = 100;
		a->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
	}
	if (rc < 0) {
		bgp_attrs_unref(a);
		return NULL;
	}
	if (want == AF_INET) {
		a->nexthop = local.v4;
		a->present |= BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	} else {
		a->mp_nexthop = local;
	}
	return a;
}

/* Sends every originated prefix of family f to p and records it in the
 * peer's Adj-RIB-Out.  Returns how many were queued. */
static size_t export_family(struct daemon *d, struct daemon_peer *dp, struct bgp_peer *p,
			    enum bgp_family f)
{
	int want = f == BGP_FAM_IPV6_UNICAST ? AF_INET6 : AF_INET;
	const struct conf *c = d->conf;
	size_t n = 0;
	for (size_t i = 0; i < c->n_originate; i++)
		n += c->originate[i].prefix.addr.af == want;
	if (!n)
		return 0;
	struct bgp_attrs *a = origin_attrs(d, dp, p, f);
	if (!a)
		return 0;
	struct prefix *v = calloc(n, sizeof(*v));
	struct adj_rib *out = rib_adj_out(d->rib, p->id, true);
	size_t k = 0;
	if (v && out) {
		for (size_t i = 0; i < c->n_originate; i++) {
			if (c->originate[i].prefix.addr.af != want)
				continue;
			v[k++] = c->originate[i].prefix;
		}
		int rc = bgp_peer_announce(p, a, v, k);
		char nb[ADDR_STRLEN];
		if (rc < 0) {
			log_err("peer %s: cannot queue announcements: %s", peer_name(p, nb),
				strerror(-rc));
			k = 0;
		}
		for (size_t i = 0; i < k; i++)
			adj_rib_update(out, &v[i], a);
	} else {
		log_err("out of memory exporting routes");
	}
	free(v);
	bgp_attrs_unref(a);
	return k;
}

static bool export_allowed(struct daemon_peer *dp, struct bgp_peer *p)
{
	if (dp->export == CONF_FILTER_ALL)
		return true;
	if (!dp->export_none_logged) {
		char nb[ADDR_STRLEN];
		log_info("peer %s: no export policy: nothing sent (RFC 8212)", peer_name(p, nb));
		dp->export_none_logged = true;
	}
	return false;
}

static void on_established(struct bgp_peer *p, void *ctx)
{
	struct daemon *d = ctx;
	struct daemon_peer *dp = daemon_peer_of(d, p);
	if (!dp)
		return;
	uint32_t fams = p->neg.families & ~p->disabled_families;
	bool allowed = export_allowed(dp, p);
	daemon_gr_established(d, dp, p);
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if (!(fams & BGP_FAM_BIT(f)))
			continue;
		if (allowed)
			export_family(d, dp, p, (enum bgp_family)f);
		/* RFC 4724 2: End-of-RIB after the initial update, also when
		 * there was nothing to send. */
		bgp_peer_send_eor(p, (enum bgp_family)f);
	}
}

static void on_down(struct bgp_peer *p, void *ctx)
{
	struct daemon *d = ctx;
	struct daemon_peer *dp = daemon_peer_of(d, p);
	/* Unless graceful restart keeps them stale, the routes go now. */
	if (!dp || !daemon_gr_peer_down(d, dp, p))
		rib_peer_remove(d->rib, p->id);
}

static void on_update(struct bgp_peer *p, struct bgp_update *u, void *ctx)
{
	struct daemon *d = ctx;
	struct daemon_peer *dp = daemon_peer_of(d, p);
	char nb[ADDR_STRLEN];
	if (!dp)
		return;
	if (u->end_of_rib)
		log_info("peer %s: End-of-RIB for %s", peer_name(p, nb),
			 bgp_family_name(u->eor_family));
	if (dp->import != CONF_FILTER_ALL) {
		if (!dp->import_none_logged && (u->n_announced || u->n_withdrawn)) {
			log_info("peer %s: no import policy: routes from %s ignored (RFC 8212)",
				 peer_name(p, nb), nb);
			dp->import_none_logged = true;
		}
		return;
	}
	struct adj_rib *in = rib_adj_in(d->rib, p->id, true);
	if (!in) {
		log_err("peer %s: out of memory for Adj-RIB-In", peer_name(p, nb));
		return;
	}
	for (uint32_t i = 0; i < u->n_withdrawn; i++)
		adj_rib_withdraw(in, &u->withdrawn[i]);
	for (uint32_t i = 0; u->attrs && i < u->n_announced; i++) {
		if (adj_rib_update(in, &u->announced[i], u->attrs) < 0) {
			log_err("peer %s: out of memory storing routes", peer_name(p, nb));
			break;
		}
	}
	/* After the routes themselves: an End-of-RIB sweep must not take
	 * what this very message re-announced. */
	daemon_gr_update(d, dp, p, u);
}

static void on_route_refresh(struct bgp_peer *p, const struct bgp_route_refresh *rr,
			     void *ctx)
{
	struct daemon *d = ctx;
	struct daemon_peer *dp = daemon_peer_of(d, p);
	char nb[ADDR_STRLEN];
	int f = bgp_family_from_afi_safi(rr->afi, rr->safi);
	/* BoRR/EoRR from the peer mark its own re-advertisement; as a
	 * receiver we keep routes until replaced (no stale sweep yet). */
	if (!dp || f < 0 || rr->subtype != BGP_RR_NORMAL)
		return;
	log_info("peer %s: route refresh requested for %s", peer_name(p, nb),
		 bgp_family_name((enum bgp_family)f));
	/* RFC 7313 4: with enhanced route refresh, BoRR .. EoRR around the
	 * re-advertised Adj-RIB-Out. */
	bool enhanced = p->neg.enhanced_route_refresh;
	if (enhanced)
		bgp_peer_send_route_refresh(p, (enum bgp_family)f, BGP_RR_BORR);
	if (export_allowed(dp, p))
		export_family(d, dp, p, (enum bgp_family)f);
	if (enhanced)
		bgp_peer_send_route_refresh(p, (enum bgp_family)f, BGP_RR_EORR);
}

static void on_family_disabled(struct bgp_peer *p, enum bgp_family f, void *ctx)
{
	struct daemon *d = ctx;
	struct adj_rib *in = rib_adj_in(d->rib, p->id, false);
	if (in)
		adj_rib_clear(in, f == BGP_FAM_IPV6_UNICAST ? AF_INET6 : AF_INET);
}

const struct bgp_callbacks daemon_bgp_callbacks = {
	.established = on_established,
	.down = on_down,
	.update = on_update,
	.route_refresh = on_route_refresh,
	.family_disabled = on_family_disabled,
};
