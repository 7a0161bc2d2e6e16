/* Policy compilation and evaluation; see policy.h for the semantics. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/prefix_set.h"

struct pol_match {
	enum conf_match_kind kind;
	const struct policy_pset *pset;   /* PREFIX_SET, PREFIX */
	uint32_t u32;
	struct bgp_large_community lc;
	struct addr addr;
};

struct pol_term {
	size_t n_match;
	struct pol_match *match;
	size_t n_action;
	struct conf_action *action;       /* plain data, copied */
	enum conf_verdict verdict;
};

struct policy {
	char *name;
	size_t n_terms;
	struct pol_term *terms;
	bool default_accept;
};

struct policy_set {
	size_t n_psets;
	struct policy_pset **psets;       /* named sets first, then one per
					   * "match prefix" */
	size_t n_policies;
	struct policy *policies;
};

/* ---- building ---- */

static int pset_from_ranges(const struct conf_prefix_range *r, size_t n,
			    struct policy_pset **out)
{
	struct policy_pset *s = policy_pset_new();
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int e = policy_pset_add(s, &r[i].prefix, r[i].ge, r[i].le);
		if (e < 0) {
			policy_pset_free(s);
			return e;
		}
	}
	*out = s;
	return 0;
}

static int build_match(struct policy_set *ps, const struct conf *c,
		       const struct conf_match *cm, struct pol_match *m)
{
	m->kind = cm->kind;
	m->u32 = cm->u32;
	m->lc = (struct bgp_large_community){ cm->lc[0], cm->lc[1], cm->lc[2] };
	m->addr = cm->addr;
	if (cm->kind == CONF_MATCH_PREFIX_SET) {
		if (cm->set >= c->n_prefix_sets)
			return -EINVAL;   /* unresolved: the validator should have said */
		m->pset = ps->psets[cm->set];
		return 0;
	}
	if (cm->kind == CONF_MATCH_PREFIX) {
		struct policy_pset *s;
		int e = pset_from_ranges(&cm->range, 1, &s);
		if (e < 0)
			return e;
		ps->psets[ps->n_psets++] = s;
		m->pset = s;
	}
	return 0;
}

static int build_policy(struct policy_set *ps, const struct conf *c,
			const struct conf_policy *cp, struct policy *p)
{
	p->default_accept = cp->default_accept;
	p->name = strdup(cp->name);
	p->terms = calloc(cp->n_terms ? cp->n_terms : 1, sizeof(*p->terms));
	if (!p->name || !p->terms)
		return -ENOMEM;
	for (size_t t = 0; t < cp->n_terms; t++) {
		const struct conf_term *ct = &cp->terms[t];
		struct pol_term *pt = &p->terms[p->n_terms++];
		pt->verdict = ct->verdict;
		pt->match = calloc(ct->n_match ? ct->n_match : 1, sizeof(*pt->match));
		pt->action = calloc(ct->n_action ? ct->n_action : 1, sizeof(*pt->action));
		if (!pt->match || !pt->action)
			return -ENOMEM;
		for (size_t i = 0; i < ct->n_match; i++) {
			int e = build_match(ps, c, &ct->match[i], &pt->match[pt->n_match]);
			if (e < 0)
				return e;
			pt->n_match++;
		}
		/* A term may have no action (only accept/reject): its
		 * action array is NULL, which memcpy must not get even for
		 * 0 bytes (C17 7.24.1p2; UBSan reports it). */
		if (ct->n_action)
			memcpy(pt->action, ct->action, ct->n_action * sizeof(*pt->action));
		pt->n_action = ct->n_action;
	}
	return 0;
}

int policy_set_build(const struct conf *c, struct policy_set **out)
{
	*out = NULL;
	struct policy_set *ps = calloc(1, sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	/* Room for every named set plus one per "match prefix". */
	size_t n_inline = 0;
	for (size_t i = 0; i < c->n_policies; i++)
		for (size_t t = 0; t < c->policies[i].n_terms; t++)
			for (size_t m = 0; m < c->policies[i].terms[t].n_match; m++)
				n_inline += c->policies[i].terms[t].match[m].kind ==
					    CONF_MATCH_PREFIX;
	size_t total = c->n_prefix_sets + n_inline;
	ps->psets = calloc(total ? total : 1, sizeof(*ps->psets));
	ps->policies = calloc(c->n_policies ? c->n_policies : 1, sizeof(*ps->policies));
	int e = 0;
	if (!ps->psets || !ps->policies)
		e = -ENOMEM;
	for (size_t i = 0; !e && i < c->n_prefix_sets; i++) {
		e = pset_from_ranges(c->prefix_sets[i].ranges, c->prefix_sets[i].n,
				     &ps->psets[i]);
		if (!e)
			ps->n_psets++;
	}
	for (size_t i = 0; !e && i < c->n_policies; i++) {
		e = build_policy(ps, c, &c->policies[i], &ps->policies[i]);
		ps->n_policies++;   /* counted even when partly built, to free it */
	}
	if (e) {
		policy_set_free(ps);
		return e;
	}
	*out = ps;
	return 0;
}

void policy_set_free(struct policy_set *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n_psets; i++)
		policy_pset_free(ps->psets[i]);
	free(ps->psets);
	for (size_t i = 0; i < ps->n_policies; i++) {
		struct policy *p = &ps->policies[i];
		for (size_t t = 0; t < p->n_terms; t++) {
			free(p->terms[t].match);
			free(p->terms[t].action);
		}
		free(p->terms);
		free(p->name);
	}
	free(ps->policies);
	free(ps);
}

const struct policy *policy_set_find(const struct policy_set *ps, const char *name)
{
	for (size_t i = 0; name && i < ps->n_policies; i++)
		if (strcmp(ps->policies[i].name, name) == 0)
			return &ps->policies[i];
	return NULL;
}

const char *policy_name(const struct policy *p)
{
	return p->name;
}

/* ---- matching ---- */

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Neighbour AS: the first AS of a leading AS_SEQUENCE (RFC 4271
 * 9.1.2.2 c); origin AS: the last AS of a trailing AS_SEQUENCE (an
 * AS_SET at the end leaves the origin unknown, as RFC 6811 2 reads it).
 * Confederation segments are skipped: they are internal to us. */
static bool aspath_ends(const struct bgp_attrs *a, bool first, uint32_t *asn)
{
	const uint8_t *s = bgp_attrs_aspath(a);
	size_t len = a->aspath_len, off = 0;
	bool found = false;
	while (off + 2 <= len) {
		uint8_t type = s[off], cnt = s[off + 1];
		size_t seg = 2 + (size_t)cnt * 4;
		if (seg > len - off)
			return found;   /* malformed tail: use what we had */
		if (type == BGP_AS_SEQUENCE || type == BGP_AS_SET) {
			bool ok = type == BGP_AS_SEQUENCE && cnt > 0;
			if (first) {
				if (ok)
					*asn = get32(s + off + 2);
				return ok;
			}
			found = ok;
			if (ok)
				*asn = get32(s + off + 2 + ((size_t)cnt - 1) * 4);
		}
		off += seg;
	}
	return found;
}

static bool route_nexthop(const struct bgp_attrs *a, const struct prefix *pfx,
			  struct addr *out)
{
	if (pfx->addr.af == AF_INET && bgp_attrs_has(a, BGP_ATTR_NEXT_HOP)) {
		memset(out, 0, sizeof(*out));
		out->af = AF_INET;
		out->v4 = a->nexthop;
		return true;
	}
	if (bgp_attrs_mp_nexthop(a)->af) {
		*out = *bgp_attrs_mp_nexthop(a);
		return true;
	}
	return false;
}

static bool has_community(const struct bgp_attrs *a, uint32_t c)
{
	for (size_t i = 0; i < a->n_communities; i++)
		if (bgp_attrs_communities(a)[i] == c)
			return true;
	return false;
}

static bool lc_eq(const struct bgp_large_community *x, const struct bgp_large_community *y)
{
	return x->global == y->global && x->local1 == y->local1 && x->local2 == y->local2;
}

static bool has_large(const struct bgp_attrs *a, const struct bgp_large_community *c)
{
	for (size_t i = 0; i < a->n_large_communities; i++)
		if (lc_eq(&bgp_attrs_large_communities(a)[i], c))
			return true;
	return false;
}

static bool match_one(const struct pol_match *m, const struct policy_route_ctx *ctx,
		      const struct bgp_attrs *a)
{
	uint32_t asn;
	struct addr nh;
	switch (m->kind) {
	case CONF_MATCH_PREFIX_SET:
	case CONF_MATCH_PREFIX:
		return policy_pset_match(m->pset, ctx->prefix);
	case CONF_MATCH_NEIGHBOR_AS:
		return aspath_ends(a, true, &asn) && asn == m->u32;
	case CONF_MATCH_ORIGIN_AS:
		return aspath_ends(a, false, &asn) && asn == m->u32;
	case CONF_MATCH_AS_CONTAINS:
		return bgp_aspath_contains(bgp_attrs_aspath(a), a->aspath_len, m->u32);
	case CONF_MATCH_AS_LENGTH_LE:
		return bgp_aspath_length(bgp_attrs_aspath(a), a->aspath_len) <= m->u32;
	case CONF_MATCH_AS_LENGTH_GE:
		return bgp_aspath_length(bgp_attrs_aspath(a), a->aspath_len) >= m->u32;
	case CONF_MATCH_COMMUNITY:
		return has_community(a, m->u32);
	case CONF_MATCH_LARGE_COMMUNITY:
		return has_large(a, &m->lc);
	case CONF_MATCH_NEXT_HOP:
		return route_nexthop(a, ctx->prefix, &nh) && addr_eq(&nh, &m->addr);
	}
	return false;
}

/* ---- actions ---- */

/* Copy-on-write: the first change swaps *attrs for a private copy. */
static int cow(struct bgp_attrs **attrs, bool *copied)
{
	if (*copied)
		return 0;
	struct bgp_attrs *d = bgp_attrs_dup(*attrs);
	if (!d)
		return -ENOMEM;
	bgp_attrs_unref(*attrs);
	*attrs = d;
	*copied = true;
	return 0;
}

static int act_community(struct bgp_attrs *a, const struct conf_action *act)
{
	size_t n = a->n_communities, k = 0;
	uint32_t *v = malloc((n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (act->kind != CONF_ACT_SET_COMMUNITY)
		for (size_t i = 0; i < n; i++)
			if (act->kind != CONF_ACT_REMOVE_COMMUNITY ||
			    bgp_attrs_communities(a)[i] != act->u32)
				v[k++] = bgp_attrs_communities(a)[i];
	/* RFC 1997 allows repeats but they mean nothing: add only once. */
	if ((act->kind == CONF_ACT_ADD_COMMUNITY && !has_community(a, act->u32)) ||
	    (act->kind == CONF_ACT_SET_COMMUNITY && !act->none))
		v[k++] = act->u32;
	int e = bgp_attrs_set_communities(a, v, k);
	free(v);
	return e;
}

static int act_large(struct bgp_attrs *a, const struct conf_action *act)
{
	struct bgp_large_community c = { act->lc[0], act->lc[1], act->lc[2] };
	size_t n = a->n_large_communities, k = 0;
	struct bgp_large_community *v = malloc((n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (act->kind != CONF_ACT_SET_LARGE)
		for (size_t i = 0; i < n; i++)
			if (act->kind != CONF_ACT_REMOVE_LARGE ||
			    !lc_eq(&bgp_attrs_large_communities(a)[i], &c))
				v[k++] = bgp_attrs_large_communities(a)[i];
	/* RFC 8092 section 5: duplicates should not be sent. */
	if ((act->kind == CONF_ACT_ADD_LARGE && !has_large(a, &c)) ||
	    (act->kind == CONF_ACT_SET_LARGE && !act->none))
		v[k++] = c;
	int e = bgp_attrs_set_large_communities(a, v, k);
	free(v);
	return e;
}

static int act_prepend(struct bgp_attrs *a, const struct policy_route_ctx *ctx,
		       unsigned n)
{
	size_t len;
	/* bgp_aspath_prepend opens a new segment every 255 ASNs (RFC 4271
	 * 4.3: the segment length is one octet). */
	uint8_t *np = bgp_aspath_prepend(bgp_attrs_aspath(a), a->aspath_len, ctx->local_as, n,
					 &len);
	if (!np)
		return errno == EMSGSIZE ? -EMSGSIZE : -ENOMEM;
	int e = bgp_attrs_set_aspath(a, np, len);
	free(np);
	return e;
}

static int act_next_hop_self(struct bgp_attrs *a, const struct policy_route_ctx *ctx)
{
	if (!ctx->self.af)
		return 0; /* no local address known: leave the next hop */
	if (ctx->prefix->addr.af == AF_INET && ctx->self.af == AF_INET) {
		a->nexthop = ctx->self.v4;
		a->present |= BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
		return 0;
	}
	/* RFC 4760 3 / RFC 2545 3: the global address; a link-local one
	 * belongs to the old next hop's link, so it goes too. */
	return bgp_attrs_set_mp_nexthop(a, &ctx->self, NULL);
}

static int act_apply(struct bgp_attrs *a, const struct policy_route_ctx *ctx,
		     const struct conf_action *act)
{
	switch (act->kind) {
	case CONF_ACT_SET_LOCAL_PREF:
		a->local_pref = act->u32;
		a->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
		return 0;
	case CONF_ACT_SET_MED:
		a->med = act->u32;
		a->present |= BGP_ATTR_BIT(BGP_ATTR_MED);
		return 0;
	case CONF_ACT_PREPEND:
		return act_prepend(a, ctx, act->u32);
	case CONF_ACT_ADD_COMMUNITY:
	case CONF_ACT_REMOVE_COMMUNITY:
	case CONF_ACT_SET_COMMUNITY:
		return act_community(a, act);
	case CONF_ACT_ADD_LARGE:
	case CONF_ACT_REMOVE_LARGE:
	case CONF_ACT_SET_LARGE:
		return act_large(a, act);
	case CONF_ACT_NEXT_HOP_SELF:
		return act_next_hop_self(a, ctx);
	}
	return -EINVAL;
}

int policy_eval(const struct policy *p, const struct policy_route_ctx *ctx,
		struct bgp_attrs **attrs, enum policy_result *out)
{
	bool copied = false;
	*out = POLICY_REJECT;
	for (size_t t = 0; t < p->n_terms; t++) {
		const struct pol_term *term = &p->terms[t];
		bool hit = true;
		for (size_t i = 0; hit && i < term->n_match; i++)
			hit = match_one(&term->match[i], ctx, *attrs);
		if (!hit)
			continue;
		for (size_t i = 0; i < term->n_action; i++) {
			int e = cow(attrs, &copied);
			if (!e)
				e = act_apply(*attrs, ctx, &term->action[i]);
			if (e < 0)
				return e;
		}
		if (term->verdict == CONF_VERDICT_ACCEPT) {
			*out = POLICY_ACCEPT;
			return 0;
		}
		if (term->verdict == CONF_VERDICT_REJECT)
			return 0;
	}
	*out = p->default_accept ? POLICY_ACCEPT : POLICY_REJECT;
	return 0;
}
