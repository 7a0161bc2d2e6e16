/* `show rib in neighbor ADDR --pre-policy`: the routes of a neighbor with
 * soft-reconfiguration inbound as it sent them, before the import policy
 * (daemon/soft.h).  Request:
 *   {"command":"show rib in pre-policy","neighbor":ADDR}
 * Answer as "show rib in": {"routes":[ROUTE, ...]}, sorted by prefix. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "ctl/ctl.h"
#include "ctl/ctl_args.h"
#include "ctl/ctl_show.h"
#include "daemon/ctl_origin.h"
#include "daemon/daemon.h"

static json_t *cmd_pre_policy(void *ctx, json_t *req, char *err, size_t err_size)
{
	struct daemon *d = ctx;
	struct ctl_arg_value arg[CTL_ARGS_MAX];
	if (ctl_args_parse(req, "show rib in pre-policy", arg, err, err_size) != 0)
		return NULL;
	struct addr a = arg[0].addr;
	char nbr[48];
	ctl_args_quote(arg[0].str, nbr, sizeof(nbr));
	struct daemon_peer *dp = NULL;
	for (size_t i = 1; i < d->n_peers && !dp; i++)
		if (d->peers[i].peer && addr_eq(&d->peers[i].peer->cfg.addr, &a))
			dp = &d->peers[i];
	if (!dp) {
		snprintf(err, err_size, "no neighbor %s", nbr);
		return NULL;
	}
	if (!dp->n || !dp->n->soft_reconfig_in) {
		snprintf(err, err_size, "neighbor %s has no soft-reconfiguration inbound", nbr);
		return NULL;
	}
	json_t *arr = json_array();
	struct adj_rib_entry *e = NULL;
	size_t n = 0;
	if (!arr || (dp->pre_in && adj_rib_entries(dp->pre_in, &e, &n) < 0)) {
		json_decref(arr);
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	bool bad = false;
	for (size_t i = 0; i < n && !bad; i++)
		bad = json_array_append_new(arr, ctl_json_route(&e[i].prefix, e[i].attrs, &a)) != 0;
	adj_rib_entries_free(e, n);
	if (bad) {
		json_decref(arr);
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	return json_pack("{s:o}", "routes", arr);
}

int daemon_ctl_soft_add(struct daemon *d, struct ctl_server *ctl)
{
	return ctl_server_add_command(ctl, "show rib in pre-policy", cmd_pre_policy, d);
}
