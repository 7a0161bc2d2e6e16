/* The uplink probe's state machine: results in, up/down out.  Pure (no
 * sockets, no clock of its own) so every transition is unit-tested; the
 * runtime in probe.c feeds it one result per attempt.
 *
 * A probe starts UNKNOWN and counts as down (a router must prove its
 * uplink before it advertises a default through it).  `rise` successes
 * in a row make it UP, `fall` failures in a row make it DOWN; a result
 * that agrees with the state resets the opposite run, so a single lost
 * echo never flaps the route. */
#ifndef EGRESS_PROBE_PROBE_FSM_H
#define EGRESS_PROBE_PROBE_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum probe_state { PROBE_UNKNOWN = 0, PROBE_UP, PROBE_DOWN };

/* How many results and transitions are kept for `show probes`. */
#define PROBE_HIST 16

struct probe_result {
	double t;           /* wall clock, seconds */
	bool ok;
	uint32_t rtt_us;    /* valid when ok */
	int err;            /* negative errno when !ok: -ETIMEDOUT, ... */
};

struct probe_transition {
	double t;
	enum probe_state from, to;
	char reason[64];
};

struct probe_fsm {
	enum probe_state state;
	uint8_t rise, fall;
	unsigned ok_run, fail_run;   /* consecutive, in the current run */
	uint64_t n_ok, n_fail;       /* totals */
	struct probe_result res[PROBE_HIST];   /* ring, newest at res_head-1 */
	size_t res_head, res_n;
	struct probe_transition tr[PROBE_HIST];
	size_t tr_head, tr_n;
};

void probe_fsm_init(struct probe_fsm *f, uint8_t rise, uint8_t fall);
/* Records one attempt's outcome.  Returns true if the state changed
 * (the new state is f->state, the reason in the newest transition). */
bool probe_fsm_result(struct probe_fsm *f, const struct probe_result *r);
/* i-th newest result (0 = newest), NULL past the end. */
const struct probe_result *probe_fsm_result_at(const struct probe_fsm *f, size_t i);
const struct probe_transition *probe_fsm_transition_at(const struct probe_fsm *f, size_t i);
const char *probe_state_name(enum probe_state s);

#endif
