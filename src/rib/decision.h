/* The BGP decision process (RFC 4271 9.1) behind a small comparator
 * interface, so another personality (a cloud gateway's documented rules,
 * a later issue) is another comparator, not a fork of the RIB.
 *
 * A comparator orders two candidate paths for one prefix and says which
 * step decided.  Selection over a set (rib_best_select) folds it over
 * the candidates; with deterministic MED it first picks a winner per
 * neighbour AS, because MED, compared only within a neighbour AS (RFC
 * 4271 9.1.2.2 c), makes the pairwise order non-transitive and the
 * plain fold's result depend on arrival order. */
#ifndef EGRESS_RIB_DECISION_H
#define EGRESS_RIB_DECISION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "core/addr.h"

/* Where a cloud gateway learned a route: AWS ranks Direct Connect BGP,
 * VPN static and VPN BGP routes before it looks at any attribute.  The
 * zero value is the plain BGP session. */
enum rib_source {
	RIB_SOURCE_VPN_BGP = 0, /* BGP over a VPN tunnel (or any plain session) */
	RIB_SOURCE_VPN_STATIC,  /* a static route of a VPN connection */
	RIB_SOURCE_DX_BGP,      /* BGP over a Direct Connect virtual interface */
	RIB_SOURCE_LOCAL,       /* the gateway's own: the VPC's CIDRs */
};

/* What the decision process needs to know about the peer a path came
 * from.  Paths point at one of these, owned by the caller (one per
 * session), instead of copying it into every path: millions of paths
 * share a handful of peers.  It must outlive the paths that use it. */
struct rib_peer {
	uint32_t id;        /* the daemon's peer id */
	struct addr addr;   /* peer address (RFC 4271 9.1.2.2 g) */
	uint32_t router_id; /* BGP Identifier, host byte order (9.1.2.2 f) */
	uint32_t as;        /* the peer's AS */
	bool ebgp;          /* learned over eBGP (9.1.2.2 d) */
	/* How the route reached a cloud gateway (the personalities of
	 * rib/personality_aws.h rank these; RFC 4271 ignores it). */
	enum rib_source source;
};

struct rib_path {
	const struct rib_peer *peer;
	struct bgp_attrs *attrs; /* a reference is held by whoever stores the path */
	uint64_t received;       /* arrival stamp, smaller = older (RFC 5004) */
	uint32_t igp_cost;       /* cost to the next hop, UINT32_MAX unknown (9.1.2.2 e) */
	bool nh_reachable;       /* next hop resolvable (9.1.2.1) */
	/* The Loc-RIB's current best for its prefix (kept by loc_rib.c,
	 * ignored by RFC 4271): personalities whose cloud keeps the chosen
	 * tunnel until it fails prefer it over an equal newcomer. */
	bool incumbent;
	/* The AS_PATH holds our own AS (RFC 4271 9.1.2): kept in the
	 * Loc-RIB's list because that list is the Adj-RIB-In (rib/
	 * loc_rib.h), but never a candidate. */
	bool as_loop;
};

enum rib_decision_step {
	RIB_STEP_EQUAL = 0,  /* no step separated them */
	RIB_STEP_NEXTHOP,    /* unreachable next hop is ineligible (9.1.2.1) */
	RIB_STEP_LOCAL_PREF, /* 9.1.1 */
	RIB_STEP_AS_PATH,    /* 9.1.2.2 a */
	RIB_STEP_ORIGIN,     /* 9.1.2.2 b */
	RIB_STEP_MED,        /* 9.1.2.2 c */
	RIB_STEP_EBGP,       /* 9.1.2.2 d */
	RIB_STEP_IGP_COST,   /* 9.1.2.2 e */
	RIB_STEP_OLDEST,     /* RFC 5004, optional */
	RIB_STEP_ROUTER_ID,  /* 9.1.2.2 f */
	RIB_STEP_PEER_ADDR,  /* 9.1.2.2 g */
	/* Personality steps (rib/personality_aws.h); after the RFC's so
	 * the values above keep their meaning. */
	RIB_STEP_SOURCE,        /* DX BGP / VPN static / VPN BGP */
	RIB_STEP_LP_COMMUNITY,  /* Direct Connect 7224:7100/7200/7300 */
	RIB_STEP_INCUMBENT,     /* the chosen tunnel keeps the traffic */
	RIB_STEP_COUNT
};

struct rib_decision_opts {
	bool always_compare_med;     /* compare MED across neighbour ASes too */
	bool deterministic_med;      /* rib_best_select groups by neighbour AS first */
	bool prefer_oldest;          /* RFC 5004: keep the older of two eBGP paths */
	bool med_missing_as_worst;   /* missing MED counts UINT32_MAX, not 0 */
	uint32_t default_local_pref; /* for paths without LOCAL_PREF */
};

/* The usual defaults: RFC behaviour, LOCAL_PREF 100 when missing. */
void rib_decision_opts_default(struct rib_decision_opts *o);

/* < 0 if a is preferred, > 0 if b is, 0 if no step separates them;
 * *decided_by (if not NULL) gets the step that decided. */
typedef int (*rib_compare_fn)(const struct rib_decision_opts *o, const struct rib_path *a,
			      const struct rib_path *b, enum rib_decision_step *decided_by);

struct rib_comparator {
	const char *name;
	rib_compare_fn compare;
	/* Multipath: paths tied with the best through this step are
	 * equal-cost candidates (rib/multipath.h). */
	enum rib_decision_step multipath_through;
	/* When set, replaces the multipath_through rule: whether p may
	 * share traffic with best (both eligible). */
	bool (*multipath_ok)(const struct rib_decision_opts *o, const struct rib_path *best,
			     const struct rib_path *p);
};

/* RFC 4271 9.1 as described in decision.c. */
extern const struct rib_comparator rib_comparator_rfc4271;
int rib_path_compare(const struct rib_decision_opts *o, const struct rib_path *a,
		     const struct rib_path *b, enum rib_decision_step *decided_by);

/* Eligible for selection at all (RFC 4271 9.1.2: resolvable next hop,
 * no loop through our own AS). */
static inline bool rib_path_eligible(const struct rib_path *p)
{
	return p->nh_reachable && !p->as_loop;
}

/* The AS a path was received from for MED purposes (RFC 4271 9.1.2.2 c):
 * the first AS of the AS_PATH after any confederation segments (RFC
 * 5065 5.3), 0 standing for the local AS when the path starts otherwise
 * or is empty (a route of our own AS). */
uint32_t rib_path_neighbor_as(const struct rib_path *p);

/* Index of the best eligible path among n (array order = arrival order
 * for the plain fold), or -ENOENT if none is eligible. */
int rib_best_select(const struct rib_comparator *c, const struct rib_decision_opts *o,
		    const struct rib_path *const *paths, size_t n);

/* "local-pref", "as-path-length", ... for `explain` output. */
const char *rib_decision_step_name(enum rib_decision_step s);

#endif
