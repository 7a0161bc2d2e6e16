/* Soft reconfiguration inbound: the routes of a neighbor with
 * `soft-reconfiguration inbound` are kept as received, before the import
 * policy (interned attributes, so one Adj-RIB entry per prefix), and a
 * reload that changes the import policy re-runs it over that copy
 * without a word to the peer. */
#ifndef EGRESS_DAEMON_SOFT_H
#define EGRESS_DAEMON_SOFT_H

#include <stdbool.h>
#include <stddef.h>

#include "bgp/update.h"

struct daemon;
struct daemon_peer;

/* Records an UPDATE's withdrawals and announcements as received (only
 * for neighbors with the option). */
void daemon_soft_store(struct daemon *d, struct daemon_peer *dp, const struct bgp_update *u);
/* Drops the copy (session down), or one family of it (af 0: all). */
void daemon_soft_clear(struct daemon_peer *dp, int af);
/* Starts re-running the import over the copy, in slices from the work
 * timer.  -ENOMEM, or 0. */
int daemon_soft_rerun_start(struct daemon *d, struct daemon_peer *dp);
/* One slice of budget prefixes; true while more remains. */
bool daemon_soft_step(struct daemon *d, struct daemon_peer *dp, size_t budget);
/* Routes held pre-policy for the peer. */
size_t daemon_soft_count(const struct daemon_peer *dp);
/* Adds "adj_rib_in_pre_policy":{"routes":N} (all peers) to a
 * `show memory` answer (a json_t object).  0 or -ENOMEM. */
int daemon_soft_memory(struct daemon *d, void *answer);

#endif
