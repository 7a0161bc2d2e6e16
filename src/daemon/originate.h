/* Our own prefixes (`originate PREFIX [policy NAME] [when CONDITION]`):
 * paths of the local pseudo-peer in the Loc-RIB, present while their
 * condition is up (always, without one) and their policy accepts them.
 * Announcing and withdrawing go through the Loc-RIB like any other
 * path, so export rules, export policies and update packing apply. */
#ifndef EGRESS_DAEMON_ORIGINATE_H
#define EGRESS_DAEMON_ORIGINATE_H

#include <stdbool.h>
#include <time.h>

#include "core/addr.h"
#include "daemon/condition.h"

struct daemon;
struct conf;

struct daemon_origin {
	struct prefix prefix;
	char *policy;             /* owned copies: the conf is replaced on reload */
	char *when;
	bool announced;           /* a path in the Loc-RIB now */
	char why[DAEMON_REASON_MAX + 64]; /* why it is (not) announced */
	time_t since;             /* when announced last changed */
};

/* The conditions, then the originations of d->conf, evaluated once. */
int daemon_originate_init(struct daemon *d);
void daemon_originate_free(struct daemon *d);
/* Re-evaluates the originations gated by condition cond (all when
 * NULL): announced, re-announced with new attributes, or withdrawn. */
void daemon_originate_eval(struct daemon *d, const char *cond);
/* Reload: the originations of the new d->conf replace the old ones
 * (prefixes no longer originated are withdrawn; the others re-evaluated,
 * their policy may have changed).  0 or -ENOMEM. */
int daemon_originate_reload(struct daemon *d);

#endif
