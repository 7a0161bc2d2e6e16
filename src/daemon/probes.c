/* Uplink probes in egressd (see probes.h).  A probe's state is the
 * condition of the same name: `originate 0.0.0.0/0 when uplink` is
 * announced only while probe uplink is up, so a router whose ISP died
 * withdraws its default instead of blackholing the VPC (issue 6). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "ctl/ctl.h"
#include "ctl/ctl_args.h"
#include "ctl/ctl_probes.h"
#include "daemon/condition.h"
#include "daemon/daemon.h"
#include "daemon/probes.h"
#include "probe/probe.h"

static void daemon_probe_changed(struct probe *pr, const struct probe_fsm *f, void *arg)
{
	struct daemon *d = arg;
	const struct probe_transition *t = probe_fsm_transition_at(f, 0);
	char why[DAEMON_REASON_MAX], tgt[80];
	snprintf(why, sizeof(why), "probe %s %s: %s", probe_target_fmt(probe_params(pr), tgt,
		 sizeof(tgt)), probe_state_name(f->state), t ? t->reason : "");
	/* Only up counts as up: a probe that has never answered (unknown)
	 * or has failed keeps the prefixes it gates withdrawn. */
	int rc = daemon_condition_set(d, probe_name(pr), f->state == PROBE_UP, why);
	if (rc < 0)
		log_err("probe %s: cannot set its condition: %s", probe_name(pr), strerror(-rc));
}

static json_t *cmd_show_probes(void *ctx, json_t *req, char *err, size_t err_size)
{
	struct daemon *d = ctx;
	struct ctl_arg_value arg[CTL_ARGS_MAX];
	if (ctl_args_parse(req, "show probes", arg, err, err_size) != 0)
		return NULL;
	json_t *ans = ctl_probes_json(d->probes, d->n_probes);
	if (!ans)
		snprintf(err, err_size, "out of memory");
	return ans;
}

static void daemon_probe_params(const struct conf_probe *cp, struct probe_params *pp)
{
	memset(pp, 0, sizeof(*pp));
	pp->kind = cp->kind == CONF_PROBE_TCP ? PROBE_TCP : PROBE_ICMP;
	pp->target = cp->target;
	pp->port = cp->port;
	if (cp->via)
		snprintf(pp->ifname, sizeof(pp->ifname), "%s", cp->via);
	pp->source = cp->source;
	pp->interval_ms = cp->interval_ms;
	pp->timeout_ms = cp->timeout_ms;
	pp->rise = cp->rise;
	pp->fall = cp->fall;
}

int daemon_probes_start(struct daemon *d, struct ctl_server *ctl)
{
	const struct conf *c = d->conf;
	if (c->n_probes) {
		d->probes = calloc(c->n_probes, sizeof(*d->probes));
		if (!d->probes) {
			log_err("probes: out of memory");
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < c->n_probes; i++) {
		const struct conf_probe *cp = &c->probes[i];
		struct probe_params pp;
		daemon_probe_params(cp, &pp);
		struct probe *pr = probe_new(d->loop, cp->name, &pp, daemon_probe_changed, d);
		if (!pr) {
			log_err("probe %s: out of memory", cp->name);
			return -ENOMEM;
		}
		d->probes[d->n_probes++] = pr;
		/* The condition exists from the start, down, and is not the
		 * operator's to set (egressctl condition refuses it). */
		int rc = daemon_condition_add(d, cp->name, false, false,
					      "probe has not answered yet");
		if (rc < 0 && rc != -EEXIST) {
			log_err("probe %s: cannot add its condition: %s", cp->name, strerror(-rc));
			return rc;
		}
		int e = probe_start(pr);
		if (e < 0) {
			log_err("probe %s: cannot start: %s", cp->name, strerror(-e));
			return e;
		}
		char t[80];
		log_info("probe %s: %s every %ums, up after %u, down after %u", cp->name,
			 probe_target_fmt(&pp, t, sizeof(t)), pp.interval_ms, pp.rise, pp.fall);
	}
	if (ctl && ctl_server_add_command(ctl, "show probes", cmd_show_probes, d) < 0) {
		log_err("control socket: cannot add 'show probes'");
		return -ENOMEM;
	}
	return 0;
}

void daemon_probes_free(struct daemon *d)
{
	for (size_t i = 0; i < d->n_probes; i++)
		probe_free(d->probes[i]);
	free(d->probes);
	d->probes = NULL;
	d->n_probes = 0;
}
