/* `show route-table [NAME]` and `explain PREFIX`: see daemon/cloud_ctl.h
 * and docs/control-protocol.md. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "ctl/ctl.h"
#include "ctl/ctl_args.h"
#include "ctl/ctl_explain.h"
#include "ctl/ctl_show.h"
#include "daemon/cloud.h"
#include "daemon/cloud_ctl.h"
#include "daemon/daemon.h"
#include "daemon/knobs.h"
#include "daemon/route_table.h"
#include "rib/personality_aws.h"

#define CLOUD_MAX_TABLES 64

struct rows_ctx {
	struct daemon *d;
	json_t *arr;
	bool bad;
};

static const char *peer_description(struct daemon *d, const struct addr *a)
{
	for (size_t i = 1; i < d->n_peers; i++)
		if (d->peers[i].n && addr_eq(&d->peers[i].rp.addr, a))
			return d->peers[i].n->description;
	return NULL;
}

static void row_json(void *arg, const struct rtab_row *r)
{
	struct rows_ctx *x = arg;
	char pb[PREFIX_STRLEN], ab[ADDR_STRLEN];
	json_t *targets = json_array();
	json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "destination", prefix_fmt(&r->prefix, pb),
			      "origin", rtab_origin_name(r->origin), "state",
			      rtab_state_name(r->state), "installed", r->installed);
	if (!o || !targets) {
		json_decref(o);
		json_decref(targets);
		x->bad = true;
		return;
	}
	for (size_t i = 0; i < r->hops->n; i++) {
		json_t *t = json_pack("{s:s}", "next_hop", addr_fmt(&r->hops->gw[i], ab));
		if (t && r->origin == RTAB_ORIGIN_PROPAGATED) {
			const char *desc = peer_description(x->d, &r->hops->peer[i]);
			json_object_set_new(t, "session", json_string(addr_fmt(&r->hops->peer[i], ab)));
			if (desc)
				json_object_set_new(t, "description", ctl_json_text(desc, 256));
		}
		if (!t || json_array_append_new(targets, t))
			x->bad = true;
	}
	if (r->origin == RTAB_ORIGIN_LOCAL && json_array_append_new(targets, json_pack("{s:s}",
									 "next_hop", "local")))
		x->bad = true;
	if (json_object_set_new(o, "targets", targets) || json_array_append_new(x->arr, o))
		x->bad = true;
}

static json_t *table_json(struct daemon *d, struct rtab *rt)
{
	struct rtab_counts c;
	rtab_counts_get(rt, &c);
	struct rows_ctx x = { .d = d, .arr = json_array() };
	if (!x.arr)
		return NULL;
	rtab_walk(rt, row_json, &x);
	json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "name", rtab_name(rt),
			      "table", (json_int_t)rtab_table(rt), "max_routes",
			      (json_int_t)rtab_max_routes(rt), "propagated", (json_int_t)c.propagated,
			      "installed", (json_int_t)c.installed, "over_limit",
			      (json_int_t)c.over_limit, "suppressed", (json_int_t)c.suppressed,
			      "routes", x.arr);
	if (!o || x.bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *cmd_show_route_table(void *ctx, json_t *req, char *err, size_t err_size)
{
	struct daemon *d = ctx;
	struct ctl_arg_value arg[CTL_ARGS_MAX];
	if (ctl_args_parse(req, "show route-table", arg, err, err_size) != 0)
		return NULL;
	const char *name = arg[0].str;
	if (!d->conf->cloud.personality) {
		snprintf(err, err_size, "no route tables: egressd runs without a personality");
		return NULL;
	}
	struct rtab *t[CLOUD_MAX_TABLES];
	size_t n = daemon_cloud_tables(d, t, CLOUD_MAX_TABLES);
	json_t *arr = json_array();
	bool found = false;
	for (size_t i = 0; arr && i < n && i < CLOUD_MAX_TABLES; i++) {
		if (name && strcmp(rtab_name(t[i]), name) != 0)
			continue;
		found = true;
		json_t *tj = table_json(d, t[i]);
		if (!tj || json_array_append_new(arr, tj)) {
			json_decref(arr);
			arr = NULL;
		}
	}
	if (!arr) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	if (name && !found) {
		json_decref(arr);
		char q[48];
		ctl_args_quote(name, q, sizeof(q));
		snprintf(err, err_size, "no route-table named %s", q);
		return NULL;
	}
	json_t *o = json_pack("{s:s, s:o}", "personality",
			      conf_personality_name(d->conf->cloud.personality), "route_tables", arr);
	if (!o)
		snprintf(err, err_size, "out of memory");
	return o;
}

static json_t *cmd_explain(void *ctx, json_t *req, char *err, size_t err_size)
{
	struct daemon *d = ctx;
	struct ctl_arg_value arg[CTL_ARGS_MAX];
	if (ctl_args_parse(req, "explain", arg, err, err_size) != 0)
		return NULL;
	struct prefix p = arg[0].prefix;
	/* The same comparator and options the Loc-RIB was made with. */
	struct loc_rib_config cfg = { 0 };
	daemon_rib_config(d->conf, &cfg);
	const struct rib_comparator *cmp = cfg.cmp ? cfg.cmp : &rib_comparator_rfc4271;
	json_t *o = ctl_explain(rib_loc(d->rib), cmp, &cfg.opts, &p);
	if (!o)
		snprintf(err, err_size, "out of memory");
	return o;
}

int daemon_cloud_ctl_add(struct daemon *d, struct ctl_server *ctl)
{
	int rc = ctl_server_add_command(ctl, "show route-table", cmd_show_route_table, d);
	if (rc == 0)
		rc = ctl_server_add_command(ctl, "explain", cmd_explain, d);
	return rc;
}
