/* Originated prefixes: see daemon/originate.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "daemon/daemon.h"
#include "daemon/originate.h"

/* Our own route: ORIGIN IGP (RFC 4271 5.1.1), an empty AS_PATH (5.1.2:
 * the AS is prepended on export to external peers) and no next hop
 * (export sets its own address, 5.1.3); then the origination's policy.
 * *out is a new interned reference, or NULL when the policy rejects. */
static int origin_attrs(struct daemon *d, struct daemon_origin *o, struct bgp_attrs **out)
{
	*out = NULL;
	struct bgp_attrs *a = bgp_attrs_new();
	if (!a)
		return -ENOMEM;
	a->origin = BGP_ORIGIN_IGP;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN);
	int rc = bgp_attrs_set_aspath(a, NULL, 0);
	if (rc < 0) {
		bgp_attrs_unref(a);
		return rc;
	}
	if (o->policy) {
		const struct policy *pol = policy_set_find(d->policies, o->policy);
		if (!pol) {
			bgp_attrs_unref(a);
			return -ENOENT; /* the validator resolves names: a bug */
		}
		struct policy_route_ctx ctx = {
			.prefix = &o->prefix,
			.peer_as = d->conf->local_as,
			.local_as = d->conf->local_as,
			.ebgp = false,
		};
		enum policy_result res = POLICY_REJECT;
		rc = policy_eval(pol, &ctx, &a, &res);
		if (rc < 0 || res != POLICY_ACCEPT) {
			bgp_attrs_unref(a);
			return rc < 0 ? rc : 0;
		}
	}
	/* Takes our reference (rib/attr_intern.h); on -ENOMEM the private
	 * copy serves as well. */
	struct bgp_attrs *ia = attr_intern(rib_attr_table(d->rib), a);
	if (ia)
		a = ia;
	*out = a;
	return 0;
}

static void origin_mark(struct daemon_origin *o, bool announced)
{
	if (o->announced != announced)
		o->since = time(NULL);
	o->announced = announced;
}

static void origin_withdraw(struct daemon *d, struct daemon_origin *o)
{
	if (o->announced)
		loc_rib_withdraw(rib_loc(d->rib), &o->prefix, DAEMON_LOCAL_PEER_ID);
	origin_mark(o, false);
}

static void origin_eval(struct daemon *d, struct daemon_origin *o)
{
	char pb[PREFIX_STRLEN];
	if (o->when) {
		const struct daemon_condition *c = daemon_condition_find(d, o->when);
		if (!c || !c->up) {
			bool was = o->announced;
			origin_withdraw(d, o);
			snprintf(o->why, sizeof(o->why), "condition %s down%s%s", o->when,
				 c && c->reason[0] ? ": " : "", c ? c->reason : "");
			if (was)
				log_info("originate %s: withdrawn (%s)", prefix_fmt(&o->prefix, pb),
					 o->why);
			return;
		}
	}
	struct bgp_attrs *a = NULL;
	int rc = origin_attrs(d, o, &a);
	if (rc < 0 || !a) {
		origin_withdraw(d, o);
		if (rc < 0) {
			snprintf(o->why, sizeof(o->why), "cannot build its route: %s",
				 strerror(-rc));
			log_err("originate %s: %s", prefix_fmt(&o->prefix, pb), o->why);
		} else {
			snprintf(o->why, sizeof(o->why), "rejected by policy %s", o->policy);
		}
		return;
	}
	struct rib_path path = {
		.peer = &d->local,
		.attrs = a,
		.received = ++d->arrivals,
		.igp_cost = 0,
		.nh_reachable = true,
	};
	/* The same attributes again replace the path without any change
	 * being reported (loc_rib_update compares), so re-evaluating an
	 * announced prefix sends nothing. */
	rc = loc_rib_update(rib_loc(d->rib), &o->prefix, &path);
	bgp_attrs_unref(a);
	if (rc < 0) {
		snprintf(o->why, sizeof(o->why), "cannot add it to the Loc-RIB: %s",
			 strerror(-rc));
		log_err("originate %s: %s", prefix_fmt(&o->prefix, pb), o->why);
		origin_mark(o, false);
		return;
	}
	bool was = o->announced;
	origin_mark(o, true);
	if (o->when) {
		const struct daemon_condition *c = daemon_condition_find(d, o->when);
		snprintf(o->why, sizeof(o->why), "condition %s up%s%s", o->when,
			 c->reason[0] ? ": " : "", c->reason);
	} else {
		snprintf(o->why, sizeof(o->why), "unconditional");
	}
	if (!was && o->when)
		log_info("originate %s: announced (%s)", prefix_fmt(&o->prefix, pb), o->why);
}

void daemon_originate_eval(struct daemon *d, const char *cond)
{
	for (size_t i = 0; i < d->n_origins; i++) {
		struct daemon_origin *o = &d->origins[i];
		if (!cond || (o->when && strcmp(o->when, cond) == 0))
			origin_eval(d, o);
	}
}

static void origins_free(struct daemon_origin *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].policy);
		free(v[i].when);
	}
	free(v);
}

/* The originations of d->conf, none announced yet. */
static int origins_build(struct daemon *d, struct daemon_origin **out, size_t *n)
{
	const struct conf *c = d->conf;
	struct daemon_origin *v = calloc(c->n_originate ? c->n_originate : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_originate; i++) {
		const struct conf_originate *co = &c->originate[i];
		v[i].prefix = co->prefix;
		v[i].since = time(NULL);
		v[i].policy = co->policy ? strdup(co->policy) : NULL;
		v[i].when = co->when ? strdup(co->when) : NULL;
		if ((co->policy && !v[i].policy) || (co->when && !v[i].when)) {
			origins_free(v, i + 1);
			return -ENOMEM;
		}
	}
	*out = v;
	*n = c->n_originate;
	return 0;
}

int daemon_originate_init(struct daemon *d)
{
	int rc = daemon_conditions_init(d);
	if (rc == 0)
		rc = origins_build(d, &d->origins, &d->n_origins);
	if (rc < 0)
		return rc;
	daemon_originate_eval(d, NULL);
	return 0;
}

void daemon_originate_free(struct daemon *d)
{
	origins_free(d->origins, d->n_origins);
	d->origins = NULL;
	d->n_origins = 0;
	daemon_conditions_free(d);
}

int daemon_originate_reload(struct daemon *d)
{
	struct daemon_origin *nv = NULL;
	size_t nn = 0;
	int rc = daemon_conditions_reload(d);
	if (rc == 0)
		rc = origins_build(d, &nv, &nn);
	if (rc < 0)
		return rc;
	/* Carry over what is announced, so an unchanged origination sends
	 * nothing; withdraw the prefixes the new config drops. */
	for (size_t i = 0; i < d->n_origins; i++) {
		struct daemon_origin *o = &d->origins[i];
		bool kept = false;
		for (size_t j = 0; j < nn && !kept; j++) {
			if (prefix_eq(&nv[j].prefix, &o->prefix)) {
				nv[j].announced = o->announced;
				nv[j].since = o->since;
				kept = true;
			}
		}
		if (!kept) {
			char pb[PREFIX_STRLEN];
			origin_withdraw(d, o);
			log_info("originate %s: no longer configured, withdrawn",
				 prefix_fmt(&o->prefix, pb));
		}
	}
	origins_free(d->origins, d->n_origins);
	d->origins = nv;
	d->n_origins = nn;
	daemon_originate_eval(d, NULL);
	return 0;
}
