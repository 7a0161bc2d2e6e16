/* The BGP decision process, RFC 4271 9.1, in short:
 *
 *   Phase 1 (9.1.1) gives each route a degree of preference: LOCAL_PREF
 *   for routes from iBGP, a policy-computed value for routes from eBGP
 *   (our import policy sets LOCAL_PREF, so both read the attribute).
 *   Phase 2 (9.1.2) picks, per prefix, the route with the highest degree
 *   of preference among those whose NEXT_HOP is resolvable (9.1.2.1);
 *   ties are broken by 9.1.2.2:
 *     a) fewest ASes in AS_PATH (AS_SET counts 1; RFC 5065 5.3:
 *        confederation segments count 0),
 *     b) lowest ORIGIN (IGP < EGP < INCOMPLETE),
 *     c) lowest MED, only between routes from the same neighbouring AS;
 *        a missing MED is the lowest possible value,
 *     d) routes from eBGP over routes from iBGP,
 *     e) lowest interior cost to the NEXT_HOP,
 *     f) lowest BGP Identifier of the advertising speaker,
 *     g) lowest peer address.
 *
 * Our implementation: one pairwise comparator applying those steps in
 * that order, so each step is one block below.  Options: always-compare-
 * med drops the neighbour-AS condition of (c); med-missing-as-worst
 * counts a missing MED as 2^32-1 (common operator choice, not the RFC);
 * prefer-oldest inserts RFC 5004's "keep the route received first"
 * between (e) and (f) for two eBGP routes, which avoids churn when
 * equally good routes flap.  Unknown IGP cost is the highest cost.
 * Not yet: RFC 4456 9 (ORIGINATOR_ID in place of the BGP Identifier,
 * shorter CLUSTER_LIST), since we do not act as or behind a route
 * reflector yet.
 *
 * Because (c) only applies within a neighbour AS, the pairwise order is
 * not transitive (three routes can beat each other in a circle), so
 * folding it over candidates depends on their order.  Deterministic MED
 * (rib_best_select) removes that: the best per neighbour AS first, then
 * the best of those, between which (c) never applies. */
#include <errno.h>
#include <stdlib.h>

#include "rib/decision.h"

void rib_decision_opts_default(struct rib_decision_opts *o)
{
	*o = (struct rib_decision_opts){ .default_local_pref = 100 };
}

static uint32_t path_local_pref(const struct rib_decision_opts *o, const struct bgp_attrs *a)
{
	return bgp_attrs_has(a, BGP_ATTR_LOCAL_PREF) ? a->local_pref : o->default_local_pref;
}

static uint32_t path_med(const struct rib_decision_opts *o, const struct bgp_attrs *a)
{
	if (bgp_attrs_has(a, BGP_ATTR_MED))
		return a->med;
	/* RFC 4271 9.1.2.2 c: a route without MED gets the lowest value. */
	return o->med_missing_as_worst ? UINT32_MAX : 0;
}

static unsigned path_aslen(const struct bgp_attrs *a)
{
	return bgp_attrs_aspath(a) ? bgp_aspath_length(bgp_attrs_aspath(a), a->aspath_len) : 0;
}

uint32_t rib_path_neighbor_as(const struct rib_path *p)
{
	const struct bgp_attrs *a = p->attrs;
	const uint8_t *s = bgp_attrs_aspath(a);
	size_t len = bgp_attrs_aspath(a) ? a->aspath_len : 0, off = 0;
	/* The canonical form was validated when it was stored; still check
	 * each segment fits before reading it. */
	while (len - off >= 2) {
		uint8_t type = s[off], count = s[off + 1];
		if (count == 0 || len - off - 2 < (size_t)count * 4)
			return 0;
		if (type == BGP_AS_CONFED_SEQUENCE || type == BGP_AS_CONFED_SET) {
			off += 2 + (size_t)count * 4; /* RFC 5065 5.3 */
			continue;
		}
		if (type != BGP_AS_SEQUENCE)
			return 0;
		const uint8_t *q = s + off + 2;
		return ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3];
	}
	return 0;
}

#define DECIDE(step, cond_a_better, cond_b_better)     \
	do {                                           \
		if (cond_a_better) {                   \
			if (decided_by)                \
				*decided_by = (step);  \
			return -1;                     \
		}                                      \
		if (cond_b_better) {                   \
			if (decided_by)                \
				*decided_by = (step);  \
			return 1;                      \
		}                                      \
	} while (0)

int rib_path_compare(const struct rib_decision_opts *o, const struct rib_path *a,
		     const struct rib_path *b, enum rib_decision_step *decided_by)
{
	const struct bgp_attrs *x = a->attrs, *y = b->attrs;

	/* RFC 4271 9.1.2.1: a route whose NEXT_HOP is unresolvable is
	 * excluded; here it loses to any route that is not. */
	DECIDE(RIB_STEP_NEXTHOP, a->nh_reachable && !b->nh_reachable,
	       b->nh_reachable && !a->nh_reachable);

	/* RFC 4271 9.1.1 / 9.1.2: highest degree of preference. */
	uint32_t lpa = path_local_pref(o, x), lpb = path_local_pref(o, y);
	DECIDE(RIB_STEP_LOCAL_PREF, lpa > lpb, lpb > lpa);

	/* RFC 4271 9.1.2.2 a: shortest AS_PATH (AS_SET 1, confed 0). */
	unsigned la = path_aslen(x), lb = path_aslen(y);
	DECIDE(RIB_STEP_AS_PATH, la < lb, lb < la);

	/* RFC 4271 9.1.2.2 b: lowest ORIGIN.  A missing ORIGIN cannot reach
	 * the RIB (RFC 7606 treat-as-withdraw), so the field is set. */
	DECIDE(RIB_STEP_ORIGIN, x->origin < y->origin, y->origin < x->origin);

	/* RFC 4271 9.1.2.2 c: lowest MED, only between routes from the same
	 * neighbouring AS unless always-compare-med. */
	if (o->always_compare_med || rib_path_neighbor_as(a) == rib_path_neighbor_as(b)) {
		uint32_t ma = path_med(o, x), mb = path_med(o, y);
		DECIDE(RIB_STEP_MED, ma < mb, mb < ma);
	}

	/* RFC 4271 9.1.2.2 d: eBGP over iBGP. */
	DECIDE(RIB_STEP_EBGP, a->peer->ebgp && !b->peer->ebgp, b->peer->ebgp && !a->peer->ebgp);

	/* RFC 4271 9.1.2.2 e: lowest interior cost to the next hop;
	 * UINT32_MAX (unknown) is simply the highest. */
	DECIDE(RIB_STEP_IGP_COST, a->igp_cost < b->igp_cost, b->igp_cost < a->igp_cost);

	/* RFC 5004 2 (optional): of two external routes, keep the one
	 * received first rather than switching on the BGP Identifier. */
	if (o->prefer_oldest && a->peer->ebgp && b->peer->ebgp)
		DECIDE(RIB_STEP_OLDEST, a->received < b->received, b->received < a->received);

	/* RFC 4271 9.1.2.2 f: lowest BGP Identifier. */
	DECIDE(RIB_STEP_ROUTER_ID, a->peer->router_id < b->peer->router_id,
	       b->peer->router_id < a->peer->router_id);

	/* RFC 4271 9.1.2.2 g: lowest peer address. */
	int c = addr_cmp(&a->peer->addr, &b->peer->addr);
	DECIDE(RIB_STEP_PEER_ADDR, c < 0, c > 0);

	if (decided_by)
		*decided_by = RIB_STEP_EQUAL;
	return 0;
}

const struct rib_comparator rib_comparator_rfc4271 = {
	.name = "rfc4271",
	.compare = rib_path_compare,
	.multipath_through = RIB_STEP_IGP_COST,
};

/* Best eligible path in array order, only among those whose neighbour
 * AS is nas when group is true. */
static int fold(const struct rib_comparator *c, const struct rib_decision_opts *o,
		const struct rib_path *const *paths, size_t n, bool group, uint32_t nas)
{
	int best = -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (!rib_path_eligible(paths[i]))
			continue;
		if (group && rib_path_neighbor_as(paths[i]) != nas)
			continue;
		if (best < 0 || c->compare(o, paths[i], paths[best], NULL) < 0)
			best = (int)i;
	}
	return best;
}

int rib_best_select(const struct rib_comparator *c, const struct rib_decision_opts *o,
		    const struct rib_path *const *paths, size_t n)
{
	if (n > INT32_MAX)
		return -EINVAL;
	if (!o->deterministic_med || o->always_compare_med || n <= 2)
		return fold(c, o, paths, n, false, 0);

	/* Deterministic MED: the winner of each neighbour-AS group, the
	 * groups taken in order of first appearance, then the best of the
	 * winners.  Quadratic in n, which is the number of peers offering
	 * this prefix: small. */
	int best = -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (!rib_path_eligible(paths[i]))
			continue;
		uint32_t nas = rib_path_neighbor_as(paths[i]);
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = rib_path_eligible(paths[j]) && rib_path_neighbor_as(paths[j]) == nas;
		if (seen)
			continue;
		int w = fold(c, o, paths, n, true, nas);
		if (best < 0 || c->compare(o, paths[w], paths[best], NULL) < 0)
			best = w;
	}
	return best;
}

const char *rib_decision_step_name(enum rib_decision_step s)
{
	static const char *const names[RIB_STEP_COUNT] = {
		[RIB_STEP_EQUAL] = "equal",
		[RIB_STEP_NEXTHOP] = "nexthop-reachable",
		[RIB_STEP_LOCAL_PREF] = "local-pref",
		[RIB_STEP_AS_PATH] = "as-path-length",
		[RIB_STEP_ORIGIN] = "origin",
		[RIB_STEP_MED] = "med",
		[RIB_STEP_EBGP] = "ebgp-over-ibgp",
		[RIB_STEP_IGP_COST] = "igp-cost",
		[RIB_STEP_OLDEST] = "oldest-ebgp",
		[RIB_STEP_ROUTER_ID] = "router-id",
		[RIB_STEP_PEER_ADDR] = "peer-address",
		[RIB_STEP_SOURCE] = "route-source",
		[RIB_STEP_LP_COMMUNITY] = "local-pref-community",
		[RIB_STEP_INCUMBENT] = "incumbent",
	};
	return (unsigned)s < RIB_STEP_COUNT ? names[s] : "unknown";
}
