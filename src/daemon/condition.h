/* Named conditions: up/down switches that gate originated prefixes
 * (`originate PREFIX when NAME`).  A `condition NAME` statement makes one
 * driven by hand (egressctl condition NAME up|down); other features
 * (uplink probes, drain) drive theirs through daemon_condition_set.
 * Each keeps why it is in its state and since when, for
 * `egressctl originate`. */
#ifndef EGRESS_DAEMON_CONDITION_H
#define EGRESS_DAEMON_CONDITION_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct daemon;

#define DAEMON_REASON_MAX 160

struct daemon_condition {
	char *name;
	bool up;
	/* Defined by a `condition` statement: the operator may set it.  A
	 * condition another feature drives (a probe) refuses egressctl. */
	bool manual;
	char reason[DAEMON_REASON_MAX];
	time_t since;             /* wall clock of the last change (or creation) */
	uint32_t changes;
};

/* The conditions of d->conf (manual, in their initial state).  0 or
 * -ENOMEM. */
int daemon_conditions_init(struct daemon *d);
void daemon_conditions_free(struct daemon *d);
/* Registers a condition in state up; -EEXIST (left as it is) if the name
 * is taken, -ENOMEM. */
int daemon_condition_add(struct daemon *d, const char *name, bool up, bool manual,
			 const char *reason);
/* By name, or NULL.  Valid until the next daemon_condition_add/set. */
struct daemon_condition *daemon_condition_find(struct daemon *d, const char *name);
/* Sets the state and its reason (kept for display with the time).  A name
 * not known yet is created, not manual.  When the state changes, the
 * prefixes originated "when NAME" are announced or withdrawn through the
 * Loc-RIB (so export policies and update packing apply).  1 if the state
 * changed, 0 if it already was so (the reason is still updated), or
 * -ENOMEM. */
int daemon_condition_set(struct daemon *d, const char *name, bool up, const char *reason);
/* Reload: conditions of the new config that are not known yet are added
 * in their initial state; known ones keep their state (a reload does not
 * flip the operator's switches); manual ones the new config no longer
 * has are dropped.  0 or -ENOMEM. */
int daemon_conditions_reload(struct daemon *d);

#endif
