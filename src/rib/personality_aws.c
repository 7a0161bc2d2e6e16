/* AWS gateway comparators: see rib/personality_aws.h for the rules and
 * docs/cloud-personalities.md for their sources.  Facts from AWS's
 * Site-to-Site VPN user guide ("Route tables and VPN route priority"),
 * the Transit Gateway guide ("Route evaluation order", "VPN ECMP") and
 * the Direct Connect guide ("Routing policies and BGP communities"). */
#include <string.h>

#include "rib/personality_aws.h"

enum aws_kind { AWS_VGW, AWS_TGW, AWS_DX };

uint32_t aws_dx_local_pref(const struct bgp_attrs *a)
{
	/* "7224:7100 low, 7224:7200 medium, 7224:7300 high"; a path
	 * without one is medium.  Several on one path: the highest. */
	uint32_t lp = 0;
	for (size_t i = 0; bgp_attrs_has(a, BGP_ATTR_COMMUNITIES) && i < a->n_communities; i++) {
		uint32_t c = bgp_attrs_communities(a)[i];
		if (c == AWS_COMM_LP_HIGH && lp < 300)
			lp = 300;
		else if (c == AWS_COMM_LP_MEDIUM && lp < 200)
			lp = 200;
		else if (c == AWS_COMM_LP_LOW && lp < 100)
			lp = 100;
	}
	return lp ? lp : 200;
}

/* Higher ranks first.  VGW: "Direct Connect BGP routes, then VPN static
 * routes, then VPN BGP routes".  TGW: "static, ..., Direct Connect
 * gateway propagated, ..., VPN propagated".  The VPC's own CIDRs always
 * win ("the local route always wins"). */
static unsigned source_rank(enum aws_kind k, enum rib_source s)
{
	switch (s) {
	case RIB_SOURCE_LOCAL:
		return 4;
	case RIB_SOURCE_DX_BGP:
		return k == AWS_TGW ? 2 : 3;
	case RIB_SOURCE_VPN_STATIC:
		return k == AWS_TGW ? 3 : 2;
	case RIB_SOURCE_VPN_BGP:
		return 1;
	}
	return 0;
}

static unsigned path_aslen(const struct bgp_attrs *a)
{
	return bgp_attrs_aspath(a) ? bgp_aspath_length(bgp_attrs_aspath(a), a->aspath_len) : 0;
}

static uint32_t path_med(const struct bgp_attrs *a)
{
	/* AWS does not say what a missing MED is worth; RFC 4271 9.1.2.2 c
	 * makes it the lowest, and so do we. */
	return bgp_attrs_has(a, BGP_ATTR_MED) ? a->med : 0;
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

static int aws_compare(enum aws_kind k, const struct rib_path *a, const struct rib_path *b,
		       enum rib_decision_step *decided_by)
{
	const struct bgp_attrs *x = a->attrs, *y = b->attrs;

	/* "Only healthy tunnels": paths of sessions that are not
	 * Established are withdrawn by the daemon; an unresolvable next
	 * hop is ineligible as in RFC 4271 9.1.2.1. */
	DECIDE(RIB_STEP_NEXTHOP, a->nh_reachable && !b->nh_reachable,
	       b->nh_reachable && !a->nh_reachable);

	unsigned ra = source_rank(k, a->peer->source), rb = source_rank(k, b->peer->source);
	DECIDE(RIB_STEP_SOURCE, ra > rb, rb > ra);

	/* Direct Connect: "local preference BGP community tags are
	 * evaluated before the AS_PATH attribute". */
	if (k == AWS_DX) {
		uint32_t la = aws_dx_local_pref(x), lb = aws_dx_local_pref(y);
		DECIDE(RIB_STEP_LP_COMMUNITY, la > lb, lb > la);
	}

	/* "Shortest AS PATH". */
	unsigned la = path_aslen(x), lb = path_aslen(y);
	DECIDE(RIB_STEP_AS_PATH, la < lb, lb < la);

	/* "Lowest MED ... compared only when the first AS in the
	 * AS_SEQUENCE is the same": two customer gateways with different
	 * ASNs are ordered by AS_PATH length, never by MED. */
	if (rib_path_neighbor_as(a) == rib_path_neighbor_as(b)) {
		uint32_t ma = path_med(x), mb = path_med(y);
		DECIDE(RIB_STEP_MED, ma < mb, mb < ma);
	}

	/* Ours: the gateway keeps the tunnel it chose among equals until
	 * that tunnel fails (AWS: one tunnel is the egress path; which one
	 * is its own, random, choice). */
	DECIDE(RIB_STEP_INCUMBENT, a->incumbent && !b->incumbent, b->incumbent && !a->incumbent);

	/* Ours: lowest peer address among equal newcomers, so the result
	 * never depends on which UPDATE arrived first. */
	int c = addr_cmp(&a->peer->addr, &b->peer->addr);
	DECIDE(RIB_STEP_PEER_ADDR, c < 0, c > 0);

	if (decided_by)
		*decided_by = RIB_STEP_EQUAL;
	return 0;
}

static int cmp_vgw(const struct rib_decision_opts *o, const struct rib_path *a,
		   const struct rib_path *b, enum rib_decision_step *d)
{
	(void)o;
	return aws_compare(AWS_VGW, a, b, d);
}

static int cmp_tgw(const struct rib_decision_opts *o, const struct rib_path *a,
		   const struct rib_path *b, enum rib_decision_step *d)
{
	(void)o;
	return aws_compare(AWS_TGW, a, b, d);
}

static int cmp_dx(const struct rib_decision_opts *o, const struct rib_path *a,
		  const struct rib_path *b, enum rib_decision_step *d)
{
	(void)o;
	return aws_compare(AWS_DX, a, b, d);
}

/* Transit gateway VPN ECMP: "equal routes from several VPN attachments
 * share traffic when the advertised ASN, AS path (and preference
 * communities) are the same; static VPNs get no ECMP".  Tied through
 * MED, both VPN BGP, identical AS_PATH (so also the same first AS). */
static bool tgw_multipath_ok(const struct rib_decision_opts *o, const struct rib_path *best,
			     const struct rib_path *p)
{
	enum rib_decision_step step = RIB_STEP_EQUAL;
	cmp_tgw(o, best, p, &step);
	if (step != RIB_STEP_EQUAL && step != RIB_STEP_INCUMBENT && step != RIB_STEP_PEER_ADDR)
		return false;
	if (best->peer->source != RIB_SOURCE_VPN_BGP || p->peer->source != RIB_SOURCE_VPN_BGP)
		return false;
	const struct bgp_attrs *x = best->attrs, *y = p->attrs;
	if (x->aspath_len != y->aspath_len)
		return false;
	return x->aspath_len == 0 ||
	       memcmp(bgp_attrs_aspath(x), bgp_attrs_aspath(y), x->aspath_len) == 0;
}

/* A VGW never shares: nothing is multipath-equal to its best. */
static bool never_multipath(const struct rib_decision_opts *o, const struct rib_path *best,
			    const struct rib_path *p)
{
	(void)o;
	(void)best;
	(void)p;
	return false;
}

const struct rib_comparator rib_comparator_aws_vgw = {
	.name = "aws-vgw",
	.compare = cmp_vgw,
	.multipath_through = RIB_STEP_MED,
	.multipath_ok = never_multipath,
};

const struct rib_comparator rib_comparator_aws_tgw = {
	.name = "aws-tgw",
	.compare = cmp_tgw,
	.multipath_through = RIB_STEP_MED,
	.multipath_ok = tgw_multipath_ok,
};

const struct rib_comparator rib_comparator_aws_dx = {
	.name = "aws-dx",
	.compare = cmp_dx,
	.multipath_through = RIB_STEP_MED,
	.multipath_ok = never_multipath,
};

const struct rib_comparator *rib_comparator_by_name(const char *name)
{
	static const struct rib_comparator *const all[] = {
		&rib_comparator_rfc4271, &rib_comparator_aws_vgw, &rib_comparator_aws_tgw,
		&rib_comparator_aws_dx,
	};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}
