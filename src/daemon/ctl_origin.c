/* Control commands of originations and conditions, added to the control
 * socket by the daemon (ctl.h, ctl_server_add_command):
 *
 *   {"command":"originate"}
 *     -> {"originate":[{prefix, policy, condition, state, reason, since}],
 *         "conditions":[{name, state, driven_by, reason, since, changes}]}
 *   {"command":"condition","name":NAME,"state":"up"|"down"}
 *     -> {"condition":NAME,"state":...,"changed":bool}
 *
 * Times are Unix seconds (wall clock), for scripts; egressctl shows ages. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "ctl/ctl.h"
#include "ctl/ctl_args.h"
#include "daemon/ctl_origin.h"
#include "daemon/daemon.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *cmd_originate(void *ctx, json_t *req, char *err, size_t err_size)
{
	struct daemon *d = ctx;
	struct ctl_arg_value arg[CTL_ARGS_MAX];
	if (ctl_args_parse(req, "originate", arg, err, err_size) != 0)
		return NULL;
	json_t *orig = json_array(), *conds = json_array();
	bool bad = !orig || !conds;
	for (size_t i = 0; !bad && i < d->n_origins; i++) {
		const struct daemon_origin *o = &d->origins[i];
		char pb[PREFIX_STRLEN];
		json_t *e = json_pack("{s:s, s:o, s:o, s:s, s:s, s:I}", "prefix",
				      prefix_fmt(&o->prefix, pb), "policy", str_or_null(o->policy),
				      "condition", str_or_null(o->when), "state",
				      o->announced ? "up" : "down", "reason", o->why, "since",
				      (json_int_t)o->since);
		bad = !e || json_array_append_new(orig, e) != 0;
	}
	for (size_t i = 0; !bad && i < d->n_conds; i++) {
		const struct daemon_condition *c = &d->conds[i];
		json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "name", c->name, "state",
				      c->up ? "up" : "down", "driven_by",
				      c->manual ? "manual" : "probe", "reason", c->reason, "since",
				      (json_int_t)c->since, "changes", (json_int_t)c->changes);
		bad = !e || json_array_append_new(conds, e) != 0;
	}
	if (bad) {
		json_decref(orig);
		json_decref(conds);
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	return json_pack("{s:o, s:o}", "originate", orig, "conditions", conds);
}

static json_t *cmd_condition(void *ctx, json_t *req, char *err, size_t err_size)
{
	struct daemon *d = ctx;
	struct ctl_arg_value arg[CTL_ARGS_MAX];
	if (ctl_args_parse(req, "condition", arg, err, err_size) != 0)
		return NULL;
	const char *name = arg[0].str, *state = arg[1].str;
	char q[48];
	ctl_args_quote(name, q, sizeof(q));
	bool up = strcmp(state, "up") == 0;
	if (!up && strcmp(state, "down") != 0) {
		snprintf(err, err_size, "state must be \"up\" or \"down\"");
		return NULL;
	}
	struct daemon_condition *c = daemon_condition_find(d, name);
	if (!c) {
		/* The name is the client's: cut it so the message fits. */
		snprintf(err, err_size, "no condition '%s' (define it with 'condition NAME' "
			 "in the configuration)", q);
		return NULL;
	}
	if (!c->manual) {
		snprintf(err, err_size, "condition '%s' is driven by its probe and cannot be "
			 "set by hand", q);
		return NULL;
	}
	int rc = daemon_condition_set(d, name, up, up ? "set up by egressctl"
						     : "set down by egressctl");
	if (rc < 0) {
		snprintf(err, err_size, "cannot set condition: %s", strerror(-rc));
		return NULL;
	}
	return json_pack("{s:s, s:s, s:b}", "condition", name, "state", state, "changed",
			 rc == 1);
}

int daemon_ctl_origin_add(struct daemon *d, struct ctl_server *ctl)
{
	int rc = ctl_server_add_command(ctl, "originate", cmd_originate, d);
	if (rc == 0)
		rc = ctl_server_add_command(ctl, "condition", cmd_condition, d);
	if (rc == 0)
		rc = daemon_ctl_soft_add(d, ctl);
	return rc;
}
