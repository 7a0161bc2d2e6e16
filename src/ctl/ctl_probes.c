/* `show probes` as JSON (see ctl_probes.h). */
#include <jansson.h>
#include <string.h>

#include "ctl/ctl_probes.h"
#include "probe/probe.h"

static json_t *ctl_probe_json(const struct probe *pr)
{
	const struct probe_params *pp = probe_params(pr);
	const struct probe_fsm *f = probe_fsm(pr);
	char a[ADDR_STRLEN];
	json_t *o = json_object(), *res = json_array(), *tr = json_array();
	if (!o || !res || !tr)
		goto fail;
	int e = 0;
	e |= json_object_set_new(o, "name", json_string(probe_name(pr)));
	e |= json_object_set_new(o, "kind", json_string(pp->kind == PROBE_TCP ? "tcp" : "icmp"));
	e |= json_object_set_new(o, "target", json_string(addr_fmt(&pp->target, a)));
	if (pp->kind == PROBE_TCP)
		e |= json_object_set_new(o, "port", json_integer(pp->port));
	if (pp->ifname[0])
		e |= json_object_set_new(o, "via", json_string(pp->ifname));
	if (pp->source.af)
		e |= json_object_set_new(o, "source", json_string(addr_fmt(&pp->source, a)));
	e |= json_object_set_new(o, "interval_ms", json_integer(pp->interval_ms));
	e |= json_object_set_new(o, "timeout_ms", json_integer(pp->timeout_ms));
	e |= json_object_set_new(o, "rise", json_integer(pp->rise));
	e |= json_object_set_new(o, "fall", json_integer(pp->fall));
	e |= json_object_set_new(o, "state", json_string(probe_state_name(f->state)));
	e |= json_object_set_new(o, "ok", json_integer((json_int_t)f->n_ok));
	e |= json_object_set_new(o, "fail", json_integer((json_int_t)f->n_fail));
	const struct probe_result *r;
	for (size_t i = 0; (r = probe_fsm_result_at(f, i)); i++) {
		json_t *x = json_object();
		if (!x)
			goto fail;
		e |= json_array_append_new(res, x);
		e |= json_object_set_new(x, "time", json_real(r->t));
		e |= json_object_set_new(x, "ok", json_boolean(r->ok));
		if (r->ok)
			e |= json_object_set_new(x, "rtt_ms", json_real(r->rtt_us / 1000.0));
		else
			e |= json_object_set_new(x, "error", json_string(strerror(-r->err)));
	}
	const struct probe_transition *t;
	for (size_t i = 0; (t = probe_fsm_transition_at(f, i)); i++) {
		json_t *x = json_object();
		if (!x)
			goto fail;
		e |= json_array_append_new(tr, x);
		e |= json_object_set_new(x, "time", json_real(t->t));
		e |= json_object_set_new(x, "from", json_string(probe_state_name(t->from)));
		e |= json_object_set_new(x, "to", json_string(probe_state_name(t->to)));
		e |= json_object_set_new(x, "reason", json_string(t->reason));
	}
	e |= json_object_set_new(o, "results", res);
	res = NULL;
	e |= json_object_set_new(o, "transitions", tr);
	tr = NULL;
	if (e)
		goto fail;
	return o;
fail:
	json_decref(o);
	json_decref(res);
	json_decref(tr);
	return NULL;
}

json_t *ctl_probes_json(struct probe *const *probes, size_t n)
{
	json_t *ans = json_object(), *arr = json_array();
	if (!ans || !arr || json_object_set_new(ans, "probes", arr) < 0) {
		json_decref(ans);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *o = ctl_probe_json(probes[i]);
		if (!o || json_array_append_new(arr, o) < 0) {
			json_decref(ans);
			return NULL;
		}
	}
	return ans;
}
