/* The session callbacks: import into the Loc-RIB, whose paths are the
 * post-policy Adj-RIB-In (RFC 8212 filters or a named import policy,
 * AS-path loop check), sessions coming up (initial
 * dump and End-of-RIB, RFC 4724, in sync.c) and going down, and route
 * refresh (RFC 2918, RFC 7313). */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "daemon/cloud.h"
#include "daemon/daemon.h"
#include "daemon/soft.h"
#include "daemon/fib_sync.h"

enum conf_filter daemon_filter_resolve(enum conf_filter f, bool ebgp)
{
	if (f != CONF_FILTER_UNSET)
		return f;
	/* RFC 8212 3: without a policy an eBGP session neither accepts nor
	 * sends routes; iBGP keeps the RFC 4271 default. */
	return ebgp ? CONF_FILTER_NONE : CONF_FILTER_ALL;
}

static int filter_policy(enum conf_filter f, const char *name, const struct policy_set *ps,
			 const char *dir, const struct daemon_peer *dp, const struct policy **out)
{
	*out = NULL;
	if (f != CONF_FILTER_POLICY)
		return 0;
	*out = name && ps ? policy_set_find(ps, name) : NULL;
	if (!*out) {
		char nb[ADDR_STRLEN];
		/* The validator resolves names, so this is a bug; refusing
		 * to start beats treating the peer as "none". */
		log_err("%s policy %s on neighbor %s: not found", dir, name ? name : "?",
			addr_fmt(&dp->n->addr, nb));
		return -ENOENT;
	}
	return 0;
}

int daemon_peer_filters_set(struct daemon_peer *dp, const struct policy_set *ps)
{
	bool ebgp = dp->rp.ebgp;
	dp->import = daemon_filter_resolve(dp->n->import, ebgp);
	dp->export = daemon_filter_resolve(dp->n->export, ebgp);
	int rc = filter_policy(dp->import, dp->n->import_policy, ps, "import", dp, &dp->import_pol);
	if (rc == 0)
		rc = filter_policy(dp->export, dp->n->export_policy, ps, "export", dp,
				   &dp->export_pol);
	return rc;
}

struct daemon_peer *daemon_peer_of(struct daemon *d, const struct bgp_peer *p)
{
	return p->id < d->n_peers ? &d->peers[p->id] : NULL;
}

static const char *peer_name(const struct bgp_peer *p, char *buf)
{
	return addr_fmt(&p->cfg.addr, buf);
}

static void on_established(struct bgp_peer *p, void *ctx)
{
	struct daemon *d = ctx;
	struct daemon_peer *dp = daemon_peer_of(d, p);
	if (!dp)
		return;
	/* The last session's paths must be gone before this one offers
	 * new ones, or the rest of the flush would take those. */
	daemon_flush_finish(d, dp);
	daemon_gr_established(d, dp, p);
	/* RFC 4724 4.1: after our own restart, held until selection is done. */
	if (!daemon_gr_restart_hold(d, dp))
		daemon_sync_start(d, dp);
	daemon_fib_established(d, dp);
	daemon_cloud_peer_up(d, dp);
}

static void on_down(struct bgp_peer *p, void *ctx)
{
	struct daemon *d = ctx;
	struct daemon_peer *dp = daemon_peer_of(d, p);
	if (!dp)
		return;
	/* Prefix-independent convergence first: unless graceful restart
	 * keeps the peer's routes forwarding as stale (RFC 4724 4.2), the
	 * groups through its next hop move to their other members or
	 * backup in one kernel request per group, sent now, before the
	 * teardown below walks the peer's paths (a million of them take
	 * ~100 ms, the traffic would wait that long).  The sliced flush
	 * then finds each route already where the re-decision puts it. */
	bool keep = !daemon_cloud_no_stale(d) && daemon_gr_keeps_stale(d, p);
	if (!keep)
		daemon_fib_peer_down(d, dp);
	daemon_sync_stop(d, dp);
	daemon_gr_restart_down(d, dp);
	daemon_fib_session_lost(d, dp);
	daemon_soft_clear(dp, 0);
	daemon_cloud_peer_down(d, dp);
	/* Unless graceful restart keeps them stale, the routes go now, in
	 * slices (what was sent went with the session: daemon_sync_stop).
	 * A cloud personality counts only Established tunnels: nothing
	 * stale. */
	bool stale = !daemon_cloud_no_stale(d) && daemon_gr_peer_down(d, dp, p);
	if (daemon_cloud_no_stale(d))
		daemon_gr_free(d, dp);
	if (!stale) {
		if (keep) /* it meant to keep them but could not */
			daemon_fib_peer_down(d, dp);
		daemon_flush_start(d, dp, BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) |
						  BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST));
	}
}

/* The attributes a received path competes with in the Loc-RIB (a new
 * reference; NULL only when memory ran out).  RFC 4271 5.1.5: LOCAL_PREF
 * from an external peer MUST be ignored; the Adj-RIB-In keeps the set
 * as received. */
static struct bgp_attrs *candidate_attrs(struct daemon *d, struct daemon_peer *dp,
					 struct bgp_attrs *a)
{
	if (!dp->rp.ebgp || !bgp_attrs_has(a, BGP_ATTR_LOCAL_PREF))
		return bgp_attrs_ref(a);
	struct bgp_attrs *c = bgp_attrs_dup(a);
	if (!c)
		return NULL;
	c->present &= ~BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
	c->local_pref = 0;
	struct bgp_attrs *ic = attr_intern(rib_attr_table(d->rib), c);
	return ic ? ic : c;
}

/* import all: the candidate set as received (but an external
 * LOCAL_PREF). */
static void import_all(struct daemon *d, struct daemon_peer *dp, struct bgp_peer *p,
		       const struct bgp_update *u, struct bgp_attrs *a)
{
	char nb[ADDR_STRLEN];
	/* RFC 4271 9.1.2: a path holding our own AS is a loop and not a
	 * candidate; it stays in the Adj-RIB-In (the Loc-RIB's list),
	 * marked so the decision never picks it. */
	bool loop = a->aspath_len &&
		    bgp_aspath_contains(bgp_attrs_aspath(a), a->aspath_len, d->conf->local_as);
	struct bgp_attrs *cand = candidate_attrs(d, dp, a);
	for (uint32_t i = 0; i < u->n_announced; i++) {
		int rc = 0;
		if (!cand)
			daemon_path_withdraw(d, dp, &u->announced[i]);
		else
			rc = daemon_path_update_loop(d, dp, &u->announced[i], cand, loop);
		if (rc < 0) {
			log_err("peer %s: cannot store routes: %s", peer_name(p, nb),
				strerror(-rc));
			break;
		}
	}
	bgp_attrs_unref(cand);
}

/* A named import policy, per prefix (it may match on the prefix).  Its
 * input is the candidate set (an external LOCAL_PREF already dropped,
 * RFC 4271 5.1.5), so a "set local-pref" of the policy is what counts;
 * the Adj-RIB-In holds the result, post-policy (issue 3), and a
 * rejected prefix is stored nowhere, as with "import none". */
static void import_policy_apply(struct daemon *d, struct daemon_peer *dp, struct bgp_peer *p,
				const struct bgp_update *u, struct bgp_attrs *a)
{
	char nb[ADDR_STRLEN];
	struct bgp_attrs *cand = candidate_attrs(d, dp, a);
	if (!cand) {
		log_err("peer %s: out of memory for imported routes", peer_name(p, nb));
		return;
	}
	struct policy_route_ctx ctx = {
		.peer_as = dp->rp.as,
		.local_as = d->conf->local_as,
		.ebgp = dp->rp.ebgp,
	};
	struct addr sess = {0};
	if (bgp_peer_local_addr(p, &sess) == 0)
		addr_unmap_v4(&sess);
	for (uint32_t i = 0; i < u->n_announced; i++) {
		const struct prefix *pfx = &u->announced[i];
		ctx.prefix = pfx;
		/* "next-hop self" needs our address of the prefix's family
		 * (RFC 4760 3): the session's, else the configured
		 * local-address, else none (the policy leaves it). */
		if (sess.af == pfx->addr.af)
			ctx.self = sess;
		else if (dp->n->local_addr.af == pfx->addr.af)
			ctx.self = dp->n->local_addr;
		else
			ctx.self = (struct addr){0};
		/* policy_eval drops the reference it replaces, never the
		 * interned set itself: this one is its own. */
		struct bgp_attrs *r = bgp_attrs_ref(cand);
		enum policy_result res = POLICY_REJECT;
		int rc = policy_eval(dp->import_pol, &ctx, &r, &res);
		if (rc < 0) {
			char pb[PREFIX_STRLEN];
			log_err("peer %s: import policy %s on %s: %s", peer_name(p, nb),
				policy_name(dp->import_pol), prefix_fmt(pfx, pb), strerror(-rc));
		}
		if (res != POLICY_ACCEPT) {
			bgp_attrs_unref(r);
			daemon_path_withdraw(d, dp, pfx);
			continue;
		}
		if (r != cand) {
			struct bgp_attrs *ir = attr_intern(rib_attr_table(d->rib), r);
			if (ir)
				r = ir;
		}
		bool loop = r->aspath_len &&
			    bgp_aspath_contains(bgp_attrs_aspath(r), r->aspath_len,
						d->conf->local_as);
		rc = daemon_path_update_loop(d, dp, pfx, r, loop);
		bgp_attrs_unref(r);
		if (rc < 0) {
			log_err("peer %s: cannot store routes: %s", peer_name(p, nb),
				strerror(-rc));
			break;
		}
	}
	bgp_attrs_unref(cand);
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
	/* Kept as received even under "import none": a reload may accept
	 * them without asking the peer (soft.c). */
	daemon_soft_store(d, dp, u);
	if (dp->import == CONF_FILTER_NONE) {
		if (!dp->import_none_logged && (u->n_announced || u->n_withdrawn)) {
			log_info("peer %s: no import policy: routes from %s ignored (RFC 8212)",
				 peer_name(p, nb), nb);
			dp->import_none_logged = true;
		}
		return;
	}
	for (uint32_t i = 0; i < u->n_withdrawn; i++)
		daemon_path_withdraw(d, dp, &u->withdrawn[i]);
	if (u->attrs && u->n_announced) {
		/* One shared copy per distinct set (rib/attr_intern.h); the
		 * message's own copy is taken over when it is the first. */
		struct bgp_attrs *a = attr_intern(rib_attr_table(d->rib), u->attrs);
		if (a)
			u->attrs = NULL;
		else
			a = bgp_attrs_ref(u->attrs);
		if (dp->import_pol)
			import_policy_apply(d, dp, p, u, a);
		else
			import_all(d, dp, p, u, a);
		bgp_attrs_unref(a);
	}
	/* After the routes themselves: an End-of-RIB sweep must not take
	 * what this very message re-announced. */
	daemon_gr_update(d, dp, p, u);
	if (u->end_of_rib) {
		daemon_fib_eor(d, dp, u->eor_family);
		daemon_gr_restart_eor(d, dp, u->eor_family);
	}
	/* Last: a reset takes the peer's RIBs with it. */
	daemon_max_prefix_check(d, dp, p);
}

void daemon_import_rerun(struct daemon *d, struct daemon_peer *dp, const struct prefix *pfx,
			 struct bgp_attrs *a)
{
	struct bgp_peer *p = dp->peer;
	if (!p || dp->import == CONF_FILTER_NONE)
		return;
	/* As if the peer had just sent this one route again. */
	struct prefix one = *pfx;
	struct bgp_update u = { .announced = &one, .n_announced = 1 };
	if (dp->import_pol)
		import_policy_apply(d, dp, p, &u, a);
	else
		import_all(d, dp, p, &u, a);
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
	if (daemon_export_allowed(dp, p))
		daemon_sync_resend(d, dp, (enum bgp_family)f);
	if (enhanced)
		bgp_peer_send_route_refresh(p, (enum bgp_family)f, BGP_RR_EORR);
}

static void on_family_disabled(struct bgp_peer *p, enum bgp_family f, void *ctx)
{
	struct daemon *d = ctx;
	struct daemon_peer *dp = daemon_peer_of(d, p);
	if (dp)
		daemon_soft_clear(dp, f == BGP_FAM_IPV6_UNICAST ? AF_INET6 : AF_INET);
	if (dp)
		daemon_flush_start(d, dp, BGP_FAM_BIT(f));
}

const struct bgp_callbacks daemon_bgp_callbacks = {
	.established = on_established,
	.down = on_down,
	.update = on_update,
	.route_refresh = on_route_refresh,
	.family_disabled = on_family_disabled,
};
