/* Semantic checks and group flattening: struct pconf -> struct conf.
 *
 * Every check runs even after earlier ones failed, so the user sees all
 * problems at once; the model is only handed out when none was found. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/parse.h"

/* RFC 4271 section 10 suggests 90 s; used when neither the neighbor nor
 * its group sets hold-time. */
#define CONF_HOLD_TIME_DEFAULT 90
#define BGP_PORT 179

/* Where a neighbor's effective setting comes from: its own block, else
 * its group's, else nowhere (default). */
struct eff {
	const struct nset *own;
	const struct nset *grp;
	const char *grp_name;
};

static const struct nset *eff_src(const struct eff *e, enum nset_field f)
{
	if (nset_has(e->own, f))
		return e->own;
	if (e->grp && nset_has(e->grp, f))
		return e->grp;
	return NULL;
}

static char *xstrdup(struct conf_diag *d, const char *s)
{
	if (!s)
		return NULL;
	char *r = strdup(s);
	if (!r)
		d->oom = true;
	return r;
}

/* ---- duplicates, found by sorting (a config may hold many neighbors) ---- */

struct key_ap {
	struct addr addr;
	uint16_t port;
	size_t idx;
	struct conf_pos pos;
};

static int key_ap_cmp(const void *a, const void *b)
{
	const struct key_ap *x = a, *y = b;
	int c = addr_cmp(&x->addr, &y->addr);
	if (c)
		return c;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Reports each key after the first of its kind: "duplicate WHAT ADDR
 * [port N] (first defined at line L)". */
static void dup_ap_report(struct conf_diag *d, struct key_ap *k, size_t n,
			  const char *what, bool show_default_port)
{
	qsort(k, n, sizeof(*k), key_ap_cmp);
	size_t first = 0;
	for (size_t i = 1; i < n; i++) {
		if (!addr_eq(&k[i].addr, &k[first].addr) || k[i].port != k[first].port) {
			first = i;
			continue;
		}
		char a[ADDR_STRLEN], port[16] = "";
		if (show_default_port || k[i].port != BGP_PORT)
			snprintf(port, sizeof(port), " port %u", k[i].port);
		diag_add(d, k[i].pos, "duplicate %s %s%s (first defined at line %u)",
			 what, addr_fmt(&k[i].addr, a), port, k[first].pos.line);
	}
}

struct key_name {
	const char *name;
	size_t idx;
};

static int key_name_cmp(const void *a, const void *b)
{
	const struct key_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static void check_groups(const struct pconf *pc, struct conf_diag *d)
{
	if (pc->n_groups < 2)
		return;
	struct key_name *k = calloc(pc->n_groups, sizeof(*k));
	if (!k) {
		d->oom = true;
		return;
	}
	for (size_t i = 0; i < pc->n_groups; i++)
		k[i] = (struct key_name){ .name = pc->groups[i].name ? pc->groups[i].name : "",
					  .idx = i };
	qsort(k, pc->n_groups, sizeof(*k), key_name_cmp);
	size_t first = 0;
	for (size_t i = 1; i < pc->n_groups; i++) {
		if (strcmp(k[i].name, k[first].name) != 0) {
			first = i;
			continue;
		}
		const struct pgroup *g = &pc->groups[k[i].idx];
		diag_add(d, g->pos, "duplicate group '%s' (first defined at line %u)",
			 k[i].name, pc->groups[k[first].idx].pos.line);
	}
	free(k);
}

static int orig_cmp(const void *a, const void *b)
{
	const struct conf_originate *x = a, *y = b;
	int c = prefix_cmp(&x->prefix, &y->prefix);
	if (c)
		return c;
	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	return (x->pos.col > y->pos.col) - (x->pos.col < y->pos.col);
}

/* The same prefix twice is an error rather than silently merged: when
 * per-prefix options (e.g. "when PROBE") arrive, two lines would mean two
 * different things, so no config should come to rely on it. */
static void check_originate(const struct pconf *pc, struct conf_diag *d)
{
	if (pc->n_originate < 2)
		return;
	struct conf_originate *k = calloc(pc->n_originate, sizeof(*k));
	if (!k) {
		d->oom = true;
		return;
	}
	memcpy(k, pc->originate, pc->n_originate * sizeof(*k));
	qsort(k, pc->n_originate, sizeof(*k), orig_cmp);
	for (size_t i = 1, first = 0; i < pc->n_originate; i++) {
		if (!prefix_eq(&k[i].prefix, &k[first].prefix)) {
			first = i;
			continue;
		}
		char buf[PREFIX_STRLEN];
		diag_add(d, k[i].pos, "duplicate originate %s (first at line %u)",
			 prefix_fmt(&k[i].prefix, buf), k[first].pos.line);
	}
	free(k);
}

static void check_listen(const struct pconf *pc, struct conf_diag *d)
{
	if (pc->n_listen < 2)
		return;
	struct key_ap *k = calloc(pc->n_listen, sizeof(*k));
	if (!k) {
		d->oom = true;
		return;
	}
	for (size_t i = 0; i < pc->n_listen; i++)
		k[i] = (struct key_ap){ .addr = pc->listen[i].addr,
					.port = pc->listen[i].port ? pc->listen[i].port : BGP_PORT,
					.idx = i, .pos = pc->listen[i].pos };
	dup_ap_report(d, k, pc->n_listen, "listen on", true);
	free(k);
}

/* ---- per group and per neighbor ---- */

/* RFC 4271 section 4.4: keepalives must come well inside the hold time;
 * a keepalive at or above it would let the session expire. */
static void check_group_timers(const struct pgroup *g, struct conf_diag *d)
{
	const struct nset *s = &g->set;
	if (!nset_has(s, NS_KEEPALIVE))
		return;
	unsigned hold = nset_has(s, NS_HOLD_TIME) ? s->hold_time : CONF_HOLD_TIME_DEFAULT;
	if (hold > 0 && s->keepalive >= hold)
		diag_add(d, s->pos[NS_KEEPALIVE],
			 "keepalive %u must be less than hold-time %u%s", s->keepalive,
			 hold, nset_has(s, NS_HOLD_TIME) ? "" : " (the default)");
}

static void check_neighbor_timers(const struct pneighbor *n, const struct eff *e,
				  struct conf_diag *d)
{
	/* Only when the neighbor itself sets one of the two; a clash that is
	 * all the group's was reported once, at the group. */
	if (!nset_has(e->own, NS_KEEPALIVE) && !nset_has(e->own, NS_HOLD_TIME))
		return;
	const struct nset *ks = eff_src(e, NS_KEEPALIVE);
	const struct nset *hs = eff_src(e, NS_HOLD_TIME);
	if (!ks)
		return;
	unsigned hold = hs ? hs->hold_time : CONF_HOLD_TIME_DEFAULT;
	if (hold == 0 || ks->keepalive < hold)
		return;
	char from[100] = "";
	if (!hs)
		snprintf(from, sizeof(from), " (the default)");
	else if (hs == e->grp)
		snprintf(from, sizeof(from), " (hold-time from group '%s')", e->grp_name);
	else if (ks == e->grp)
		snprintf(from, sizeof(from), " (keepalive from group '%s')", e->grp_name);
	struct conf_pos at = ks == e->own ? ks->pos[NS_KEEPALIVE] : hs->pos[NS_HOLD_TIME];
	diag_add(d, at, "keepalive %u must be less than hold-time %u%s",
		 ks->keepalive, hold, from);
	(void)n;
}

static void check_neighbor_local_addr(const struct pneighbor *n, const struct eff *e,
				      struct conf_diag *d)
{
	const struct nset *s = eff_src(e, NS_LOCAL_ADDRESS);
	if (!s || s->local_addr.af == n->addr.af)
		return;
	char la[ADDR_STRLEN], na[ADDR_STRLEN];
	const char *fam_l = s->local_addr.af == AF_INET ? "IPv4" : "IPv6";
	const char *fam_n = n->addr.af == AF_INET ? "IPv4" : "IPv6";
	addr_fmt(&s->local_addr, la);
	addr_fmt(&n->addr, na);
	if (s == e->own)
		diag_add(d, s->pos[NS_LOCAL_ADDRESS],
			 "local-address %s is %s but neighbor %s is %s", la, fam_l, na, fam_n);
	else
		diag_add(d, n->pos,
			 "local-address %s (from group '%s') is %s but neighbor %s is %s",
			 la, e->grp_name, fam_l, na, fam_n);
}

static void neighbor_build(const struct pneighbor *pn, const struct eff *e,
			   struct conf_neighbor *n, struct conf_diag *d)
{
	const struct nset *s;
	memset(n, 0, sizeof(*n));
	n->pos = pn->pos;
	n->addr = pn->addr;
	if ((s = eff_src(e, NS_PORT)))
		n->port = s->port;
	if ((s = eff_src(e, NS_REMOTE_AS)))
		n->remote_as = s->remote_as;
	if ((s = eff_src(e, NS_DESCRIPTION)))
		n->description = xstrdup(d, s->description);
	if ((s = eff_src(e, NS_PASSWORD)))
		n->password = xstrdup(d, s->password);
	n->hold_time = CONF_HOLD_TIME_DEFAULT;
	if ((s = eff_src(e, NS_HOLD_TIME))) {
		n->hold_time = s->hold_time;
		n->hold_time_set = true;
	}
	n->keepalive = n->hold_time / 3;
	if ((s = eff_src(e, NS_KEEPALIVE))) {
		n->keepalive = s->keepalive;
		n->keepalive_set = true;
	}
	n->connect_retry = CONF_CONNECT_RETRY_DEFAULT;
	if ((s = eff_src(e, NS_CONNECT_RETRY))) {
		n->connect_retry = s->connect_retry;
		n->connect_retry_set = true;
	}
	if ((s = eff_src(e, NS_DELAY_OPEN))) {
		n->delay_open = s->delay_open;
		n->delay_open_set = true;
	}
	if ((s = eff_src(e, NS_PASSIVE)))
		n->passive = s->passive;
	if ((s = eff_src(e, NS_TTL_SECURITY)))
		n->ttl_security = s->ttl_security;
	if ((s = eff_src(e, NS_LOCAL_ADDRESS)))
		n->local_addr = s->local_addr;
	if ((s = eff_src(e, NS_IMPORT))) {
		n->import = s->import;
		n->import_policy = xstrdup(d, s->import_policy);
	}
	if ((s = eff_src(e, NS_EXPORT))) {
		n->export = s->export;
		n->export_policy = xstrdup(d, s->export_policy);
	}
	n->group = xstrdup(d, e->grp_name);
	if ((s = eff_src(e, NS_MAX_PREFIX))) {
		n->max_prefix = s->max_prefix;
		n->max_prefix_set = true;
	}
	if ((s = eff_src(e, NS_ATTACHMENT)))
		n->attachment = s->attachment;
	if ((s = eff_src(e, NS_SOFT_RECONF)))
		n->soft_reconfig_in = s->soft_reconfig_in;
	if ((s = eff_src(e, NS_GRACEFUL_RESTART))) {
		n->gr_off = !s->graceful_restart;
		n->gr_set = true;
	}
	n->restart_time = CONF_RESTART_TIME_DEFAULT;
	if ((s = eff_src(e, NS_RESTART_TIME))) {
		n->restart_time = s->restart_time;
		n->restart_time_set = true;
	}
}

static void check_neighbors(const struct pconf *pc, struct conf *c, struct conf_diag *d)
{
	struct key_ap *k = calloc(pc->n_neighbors ? pc->n_neighbors : 1, sizeof(*k));
	c->neighbors = calloc(pc->n_neighbors ? pc->n_neighbors : 1, sizeof(*c->neighbors));
	if (!k || !c->neighbors) {
		free(k);
		d->oom = true;
		return;
	}
	size_t nk = 0;
	for (size_t i = 0; i < pc->n_neighbors; i++) {
		const struct pneighbor *pn = &pc->neighbors[i];
		if (!pn->addr.af)
			continue; /* bad address, already reported */
		struct eff e = { .own = &pn->set };
		if (pn->group != SIZE_MAX) {
			e.grp = &pc->groups[pn->group].set;
			e.grp_name = pc->groups[pn->group].name;
		}
		char a[ADDR_STRLEN];
		if (!(pn->set.seen & (1u << NS_REMOTE_AS)) &&
		    !(e.grp && (e.grp->seen & (1u << NS_REMOTE_AS))))
			diag_add(d, pn->pos, "neighbor %s has no remote-as (set it in the "
				 "neighbor or its group)", addr_fmt(&pn->addr, a));
		check_neighbor_timers(pn, &e, d);
		check_neighbor_local_addr(pn, &e, d);
		struct conf_neighbor *n = &c->neighbors[c->n_neighbors++];
		neighbor_build(pn, &e, n, d);
		k[nk++] = (struct key_ap){ .addr = n->addr,
					   .port = n->port ? n->port : BGP_PORT,
					   .idx = i, .pos = n->pos };
	}
	dup_ap_report(d, k, nk, "neighbor", false);
	free(k);
}

struct conf *conf_validate(struct pconf *pc, const char *name,
			   struct conf_diag *d)
{
	/* Missing required statements have no line of their own; they are
	 * reported at the top of the file, where they belong. */
	const struct conf_pos top = { 1, 1 };
	if (!pc->router_id_seen)
		diag_add(d, top, "missing required statement 'router-id'");
	/* A cloud personality brings its gateway's default ASN. */
	if (!pc->local_as_seen && !pc->personality_seen)
		diag_add(d, top, "missing required statement 'local-as'");
	check_groups(pc, d);
	for (size_t i = 0; i < pc->n_groups; i++)
		check_group_timers(&pc->groups[i], d);
	check_listen(pc, d);
	check_originate(pc, d);

	struct conf *c = calloc(1, sizeof(*c));
	if (!c) {
		d->oom = true;
		return NULL;
	}
	c->path = xstrdup(d, name);
	c->router_id = pc->router_id;
	c->local_as = pc->local_as;
	c->fib = pc->fib;
	if (!pc->fib_seen)
		conf_fib_defaults(&c->fib);
	conf_decision_build(&pc->decision, &c->decision);
	check_neighbors(pc, c, d);
	conf_validate_cloud(pc, c, d);
	conf_validate_origination(pc, c, d);
	conf_validate_policies(pc, c, d);
	conf_validate_probes(pc, c, d);
	if (pc->n_listen) {
		c->listen = malloc(pc->n_listen * sizeof(*c->listen));
		if (c->listen) {
			memcpy(c->listen, pc->listen, pc->n_listen * sizeof(*c->listen));
			c->n_listen = pc->n_listen;
		} else {
			d->oom = true;
		}
	}
	if (diag_any(d) || d->full) {
		conf_free(c);
		return NULL;
	}
	return c;
}
