/* Rise/fall counting for uplink probes (see probe_fsm.h). */
#include <stdio.h>
#include <string.h>

#include "probe/probe_fsm.h"

void probe_fsm_init(struct probe_fsm *f, uint8_t rise, uint8_t fall)
{
	memset(f, 0, sizeof(*f));
	f->rise = rise ? rise : 1;
	f->fall = fall ? fall : 1;
}

const char *probe_state_name(enum probe_state s)
{
	switch (s) {
	case PROBE_UP:
		return "up";
	case PROBE_DOWN:
		return "down";
	default:
		return "unknown";
	}
}

static void probe_fsm_move(struct probe_fsm *f, enum probe_state to, double t,
			   const char *reason)
{
	struct probe_transition *tr = &f->tr[f->tr_head];
	tr->t = t;
	tr->from = f->state;
	tr->to = to;
	snprintf(tr->reason, sizeof(tr->reason), "%s", reason);
	f->tr_head = (f->tr_head + 1) % PROBE_HIST;
	if (f->tr_n < PROBE_HIST)
		f->tr_n++;
	f->state = to;
}

bool probe_fsm_result(struct probe_fsm *f, const struct probe_result *r)
{
	f->res[f->res_head] = *r;
	f->res_head = (f->res_head + 1) % PROBE_HIST;
	if (f->res_n < PROBE_HIST)
		f->res_n++;
	char why[64];
	if (r->ok) {
		f->n_ok++;
		f->fail_run = 0;
		if (f->ok_run < 0xffff)
			f->ok_run++;
		if (f->state != PROBE_UP && f->ok_run >= f->rise) {
			snprintf(why, sizeof(why), "%u successes in a row", f->ok_run);
			probe_fsm_move(f, PROBE_UP, r->t, why);
			return true;
		}
	} else {
		f->n_fail++;
		f->ok_run = 0;
		if (f->fail_run < 0xffff)
			f->fail_run++;
		if (f->state != PROBE_DOWN && f->fail_run >= f->fall) {
			snprintf(why, sizeof(why), "%u failures in a row", f->fail_run);
			probe_fsm_move(f, PROBE_DOWN, r->t, why);
			return true;
		}
	}
	return false;
}

const struct probe_result *probe_fsm_result_at(const struct probe_fsm *f, size_t i)
{
	if (i >= f->res_n)
		return NULL;
	return &f->res[(f->res_head + PROBE_HIST - 1 - i) % PROBE_HIST];
}

const struct probe_transition *probe_fsm_transition_at(const struct probe_fsm *f, size_t i)
{
	if (i >= f->tr_n)
		return NULL;
	return &f->tr[(f->tr_head + PROBE_HIST - 1 - i) % PROBE_HIST];
}
