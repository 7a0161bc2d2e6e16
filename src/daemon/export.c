/* Export rules (see daemon/export.h), RFC 4271 5.1 and 9.2. */
#include <errno.h>
#include <stdlib.h>

#include "daemon/export.h"

#define EXPORT_DEFAULT_LOCAL_PREF 100 /* RFC 4271 leaves it local; the usual value */

static bool path_is_local(const struct rib_path *best)
{
	return best->peer->id == DAEMON_LOCAL_PEER_ID;
}

/* Which routes go to the peer at all. */
static int export_verdict(const struct export_target *t, const struct rib_path *best)
{
	if (!best)
		return EXPORT_NO_BEST;
	/* Not back to where it came from: an eBGP peer would drop it as a
	 * loop (its AS leads the path), an iBGP peer is covered by 9.2. */
	if (best->peer->id == t->peer_id && !path_is_local(best))
		return EXPORT_FROM_PEER;
	/* RFC 4271 9.2: routes learned over iBGP are not re-advertised to
	 * internal peers (no route reflection, RFC 4456, here). */
	if (!t->ebgp && !path_is_local(best) && !best->peer->ebgp)
		return EXPORT_IBGP_TO_IBGP;
	/* RFC 4271 9.1.2 makes the receiver drop a path holding its own
	 * AS, so sending it is wasted work.  Configuring the exception
	 * (as-override, allowas-in on the other side) belongs to named
	 * policies. */
	if (t->ebgp && best->attrs->aspath_len &&
	    bgp_aspath_contains(bgp_attrs_aspath(best->attrs), best->attrs->aspath_len, t->peer_as))
		return EXPORT_AS_LOOP;
	return EXPORT_SEND;
}

/* RFC 4271 5.1.3: to an external peer, and for our own routes, the next
 * hop is our address on the session, of the prefix's family (RFC 4760
 * 3 for IPv6).  To an internal peer a learned route keeps its next hop. */
static int set_nexthop(const struct export_target *t, const struct prefix *p, bool self,
		       struct bgp_attrs *a, struct bgp_mp_nexthop *nh_store)
{
	if (!self)
		return 0;
	if (p->addr.af == AF_INET) {
		if (t->self4.af != AF_INET)
			return -ENOENT;
		a->nexthop = t->self4.v4;
		a->present |= BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	} else {
		if (t->self6.af != AF_INET6)
			return -ENOENT;
		a->present &= ~BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	}
	/* A link-local next hop is only meaningful on the link it was
	 * learned on (RFC 2545 3).  a is the stack copy: its next hops go
	 * to the caller's storage, not into the source set's. */
	bgp_attrs_borrow_mp_nexthop(bgp_attrs_mut(a), nh_store,
				    p->addr.af == AF_INET ? &t->self4 : &t->self6, NULL);
	return 0;
}

int export_attrs(const struct export_target *t, const struct prefix *p,
		 const struct rib_path *best, struct bgp_attrs **out)
{
	*out = NULL;
	int v = export_verdict(t, best);
	if (v != EXPORT_SEND)
		return v;
	if ((p->addr.af == AF_INET ? t->self4.af : t->self6.af) == 0 &&
	    (t->ebgp || path_is_local(best)))
		return EXPORT_NO_NEXTHOP;
	/* The result is built in a shallow copy on the stack that borrows
	 * the source's arrays (and a stack buffer for the prepended path),
	 * then frozen into one block: one malloc per distinct source set
	 * instead of a deep copy (three to six) plus the path's.  The stack
	 * copy never reaches bgp_attrs_unref and escapes nowhere. */
	struct bgp_attrs_mut sc;
	bgp_attrs_borrow(&sc, best->attrs);
	struct bgp_attrs *a = &sc.a;
	uint8_t path[512], *heap_path = NULL;
	struct bgp_mp_nexthop nh_store;
	bool local = path_is_local(best);
	if (t->ebgp) {
		/* RFC 4271 5.1.2: prepend our AS as a new leading
		 * AS_SEQUENCE entry (bgp_aspath_prepend_to opens one when
		 * needed). */
		size_t len = 0;
		int rc = bgp_aspath_prepend_to(sc.aspath, a->aspath_len, t->local_as, 1, path,
					       sizeof(path), &len);
		if (rc == -ENOSPC) {
			if (!(heap_path = malloc(len)))
				return -ENOMEM;
			rc = bgp_aspath_prepend_to(sc.aspath, a->aspath_len, t->local_as, 1,
						   heap_path, len, &len);
		}
		if (rc < 0) {
			free(heap_path);
			return rc;
		}
		sc.aspath = heap_path ? heap_path : path;
		a->aspath_len = (uint16_t)len;
		a->present |= BGP_ATTR_BIT(BGP_ATTR_AS_PATH);
		/* RFC 4271 5.1.5: LOCAL_PREF never goes to external peers. */
		a->present &= ~BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
		a->local_pref = 0;
		/* RFC 4271 5.1.4: a MED received from a neighbouring AS is
		 * not propagated to other neighbouring ASes; only our own
		 * routes may carry one out. */
		if (!local) {
			a->present &= ~BGP_ATTR_BIT(BGP_ATTR_MED);
			a->med = 0;
		}
	} else if (!bgp_attrs_has(a, BGP_ATTR_LOCAL_PREF)) {
		/* RFC 4271 5.1.5: internal peers get LOCAL_PREF always. */
		a->local_pref = EXPORT_DEFAULT_LOCAL_PREF;
		a->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
	}
	if (!bgp_attrs_has(a, BGP_ATTR_AS_PATH))
		a->present |= BGP_ATTR_BIT(BGP_ATTR_AS_PATH); /* well-known mandatory, 5.1.2 */
	if (set_nexthop(t, p, t->ebgp || local, a, &nh_store) < 0) {
		free(heap_path);
		return EXPORT_NO_NEXTHOP;
	}
	*out = bgp_attrs_freeze(a);
	free(heap_path);
	return *out ? EXPORT_SEND : -ENOMEM;
}

int export_policy_apply(const struct export_target *t, const struct policy *pol,
			const struct prefix *p, struct bgp_attrs **a)
{
	struct policy_route_ctx ctx = {
		.prefix = p,
		.peer_as = t->peer_as,
		.local_as = t->local_as,
		.ebgp = t->ebgp,
		.self = p->addr.af == AF_INET6 ? t->self6 : t->self4,
	};
	enum policy_result res = POLICY_REJECT;
	int rc = policy_eval(pol, &ctx, a, &res);
	if (rc < 0 || res != POLICY_ACCEPT) {
		bgp_attrs_unref(*a);
		*a = NULL;
	}
	if (rc < 0)
		return rc;
	return res == POLICY_ACCEPT ? EXPORT_SEND : EXPORT_POLICY_REJECT;
}

const char *export_verdict_name(int v)
{
	switch (v) {
	case EXPORT_SEND: return "send";
	case EXPORT_NO_BEST: return "no-best";
	case EXPORT_FROM_PEER: return "from-peer";
	case EXPORT_IBGP_TO_IBGP: return "ibgp-to-ibgp";
	case EXPORT_AS_LOOP: return "as-loop";
	case EXPORT_NO_NEXTHOP: return "no-nexthop";
	case EXPORT_POLICY_REJECT: return "policy-reject";
	default: return "error";
	}
}
