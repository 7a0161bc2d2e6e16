/* `explain PREFIX`: see ctl/ctl_explain.h. */
#include <stdio.h>
#include <string.h>

#include "ctl/ctl_explain.h"
#include "ctl/ctl_show.h"
#include "rib/loc_rib.h"
#include "rib/personality_aws.h"

#define EXPLAIN_MAX_PATHS 64

const char *ctl_source_name(enum rib_source s)
{
	switch (s) {
	case RIB_SOURCE_VPN_BGP: return "vpn-bgp";
	case RIB_SOURCE_VPN_STATIC: return "vpn-static";
	case RIB_SOURCE_DX_BGP: return "dx-bgp";
	case RIB_SOURCE_LOCAL: return "local";
	}
	return "?";
}

/* The steps each comparator applies, in its order (decision.c,
 * personality_aws.c). */
static const enum rib_decision_step steps_rfc[] = {
	RIB_STEP_NEXTHOP, RIB_STEP_LOCAL_PREF, RIB_STEP_AS_PATH, RIB_STEP_ORIGIN,
	RIB_STEP_MED, RIB_STEP_EBGP, RIB_STEP_IGP_COST, RIB_STEP_OLDEST,
	RIB_STEP_ROUTER_ID, RIB_STEP_PEER_ADDR,
};
static const enum rib_decision_step steps_aws[] = {
	RIB_STEP_NEXTHOP, RIB_STEP_SOURCE, RIB_STEP_AS_PATH, RIB_STEP_MED,
	RIB_STEP_INCUMBENT, RIB_STEP_PEER_ADDR,
};
static const enum rib_decision_step steps_dx[] = {
	RIB_STEP_NEXTHOP, RIB_STEP_SOURCE, RIB_STEP_LP_COMMUNITY, RIB_STEP_AS_PATH,
	RIB_STEP_MED, RIB_STEP_INCUMBENT, RIB_STEP_PEER_ADDR,
};

static bool is_aws(const struct rib_comparator *c)
{
	return strncmp(c->name, "aws-", 4) == 0;
}

static unsigned aslen(const struct bgp_attrs *a)
{
	return bgp_attrs_aspath(a) ? bgp_aspath_length(bgp_attrs_aspath(a), a->aspath_len) : 0;
}

static uint32_t med_of(const struct rib_decision_opts *o, const struct bgp_attrs *a, bool aws)
{
	if (bgp_attrs_has(a, BGP_ATTR_MED))
		return a->med;
	return !aws && o->med_missing_as_worst ? UINT32_MAX : 0;
}

/* Why loser lost to best at step, in words. */
static void reason(const struct rib_comparator *c, const struct rib_decision_opts *o,
		   const struct rib_path *best, const struct rib_path *p,
		   enum rib_decision_step step, char *buf, size_t size)
{
	const struct bgp_attrs *x = best->attrs, *y = p->attrs;
	char a[ADDR_STRLEN], b[ADDR_STRLEN];
	bool aws = is_aws(c);
	switch (step) {
	case RIB_STEP_NEXTHOP:
		snprintf(buf, size, "next hop unreachable: not a candidate");
		break;
	case RIB_STEP_SOURCE:
		snprintf(buf, size, "route source %s ranks below the best's %s",
			 ctl_source_name(p->peer->source), ctl_source_name(best->peer->source));
		break;
	case RIB_STEP_LP_COMMUNITY:
		snprintf(buf, size, "local preference %u (7224:7x00 communities) below the best's %u",
			 aws_dx_local_pref(y), aws_dx_local_pref(x));
		break;
	case RIB_STEP_LOCAL_PREF:
		snprintf(buf, size, "LOCAL_PREF %u below the best's %u",
			 bgp_attrs_has(y, BGP_ATTR_LOCAL_PREF) ? y->local_pref : o->default_local_pref,
			 bgp_attrs_has(x, BGP_ATTR_LOCAL_PREF) ? x->local_pref : o->default_local_pref);
		break;
	case RIB_STEP_AS_PATH:
		snprintf(buf, size, "AS_PATH length %u, longer than the best's %u", aslen(y),
			 aslen(x));
		break;
	case RIB_STEP_ORIGIN:
		snprintf(buf, size, "ORIGIN %u worse than the best's %u", y->origin, x->origin);
		break;
	case RIB_STEP_MED:
		snprintf(buf, size, "MED %u higher than the best's %u (same first AS %u)",
			 med_of(o, y, aws), med_of(o, x, aws), rib_path_neighbor_as(best));
		break;
	case RIB_STEP_EBGP:
		snprintf(buf, size, "learned over iBGP; the best over eBGP");
		break;
	case RIB_STEP_IGP_COST:
		snprintf(buf, size, "IGP cost to the next hop %u above the best's %u", p->igp_cost,
			 best->igp_cost);
		break;
	case RIB_STEP_OLDEST:
		snprintf(buf, size, "received after the best (RFC 5004)");
		break;
	case RIB_STEP_ROUTER_ID:
		snprintf(buf, size, "router id higher than the best's");
		break;
	case RIB_STEP_INCUMBENT:
		snprintf(buf, size, "equal so far; the best is the path already chosen, kept "
			 "until it fails");
		break;
	case RIB_STEP_PEER_ADDR:
		snprintf(buf, size, "equal so far; peer address %s above the best's %s",
			 addr_fmt(&p->peer->addr, a), addr_fmt(&best->peer->addr, b));
		break;
	default:
		snprintf(buf, size, "nothing separates it from the best");
		break;
	}
}

static json_t *path_json(const struct rib_comparator *c, const struct rib_decision_opts *o,
			 const struct prefix *pfx, const struct rib_path *best,
			 const struct loc_rib_explain *e)
{
	const struct rib_path *p = e->path;
	json_t *r = ctl_json_route(pfx, p->attrs, &p->peer->addr);
	if (!r)
		return NULL;
	char why[160] = "";
	int bad = 0;
	bad |= json_object_set_new(r, "best", json_boolean(e->best));
	bad |= json_object_set_new(r, "source", json_string(ctl_source_name(p->peer->source)));
	bad |= json_object_set_new(r, "peer_as", json_integer(p->peer->as));
	bad |= json_object_set_new(r, "first_as", json_integer(rib_path_neighbor_as(p)));
	bad |= json_object_set_new(r, "as_path_length", json_integer(aslen(p->attrs)));
	bad |= json_object_set_new(r, "eligible", json_boolean(rib_path_eligible(p)));
	if (strcmp(c->name, "aws-dx") == 0)
		bad |= json_object_set_new(r, "dx_local_pref",
					   json_integer(aws_dx_local_pref(p->attrs)));
	if (best && !e->best) {
		/* MED was skipped when the first AS differed: the trap. */
		bool med = (!is_aws(c) && o->always_compare_med) ||
			   rib_path_neighbor_as(p) == rib_path_neighbor_as(best);
		bad |= json_object_set_new(r, "med_compared", json_boolean(med));
		reason(c, o, best, p, e->lost_at, why, sizeof(why));
		bad |= json_object_set_new(r, "lost_at",
					   json_string(rib_decision_step_name(e->lost_at)));
		bad |= json_object_set_new(r, "reason", json_string(why));
	}
	if (bad) {
		json_decref(r);
		return NULL;
	}
	return r;
}

json_t *ctl_explain(const struct loc_rib *lr, const struct rib_comparator *cmp,
		    const struct rib_decision_opts *opts, const struct prefix *p)
{
	char pb[PREFIX_STRLEN];
	struct loc_rib_explain ex[EXPLAIN_MAX_PATHS];
	size_t n = lr ? loc_rib_explain(lr, p, ex, EXPLAIN_MAX_PATHS) : 0;
	if (n > EXPLAIN_MAX_PATHS)
		n = EXPLAIN_MAX_PATHS;
	json_t *o = json_object(), *steps = json_array(), *paths = json_array();
	if (!o || !steps || !paths)
		goto fail;
	const enum rib_decision_step *sl = steps_rfc;
	size_t ns = sizeof(steps_rfc) / sizeof(steps_rfc[0]);
	if (strcmp(cmp->name, "aws-dx") == 0) {
		sl = steps_dx;
		ns = sizeof(steps_dx) / sizeof(steps_dx[0]);
	} else if (is_aws(cmp)) {
		sl = steps_aws;
		ns = sizeof(steps_aws) / sizeof(steps_aws[0]);
	}
	for (size_t i = 0; i < ns; i++)
		if (json_array_append_new(steps, json_string(rib_decision_step_name(sl[i]))))
			goto fail;
	const struct rib_path *best = NULL;
	for (size_t i = 0; i < n; i++)
		if (ex[i].best)
			best = ex[i].path;
	/* The step that made the best win: the latest step at which it
	 * beat a loser (each loser was decided there or before). */
	const char *won = NULL;
	size_t won_idx = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		json_t *pj = path_json(cmp, opts, p, best, &ex[i]);
		if (!pj || json_array_append_new(paths, pj))
			goto fail;
		if (ex[i].best || !best)
			continue;
		for (size_t k = 0; k < ns; k++)
			if (sl[k] == ex[i].lost_at && (won_idx == SIZE_MAX || k > won_idx)) {
				won_idx = k;
				won = rib_decision_step_name(sl[k]);
			}
	}
	if (json_object_set_new(o, "prefix", json_string(prefix_fmt(p, pb))) ||
	    json_object_set_new(o, "comparator", json_string(cmp->name)) ||
	    json_object_set_new(o, "steps", steps) ||
	    json_object_set_new(o, "decided_by", won ? json_string(won) : json_null()) ||
	    json_object_set_new(o, "paths", paths)) {
		json_decref(o);
		return NULL;
	}
	return o;
fail:
	json_decref(o);
	json_decref(steps);
	json_decref(paths);
	return NULL;
}
