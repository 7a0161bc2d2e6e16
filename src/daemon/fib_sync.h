/* The kernel FIB as a second consumer of Loc-RIB changes (issue 4).
 *
 * The RIB never names the FIB (DESIGN 4): the daemon's change callback
 * hands each changed prefix here, where its best path (and, with `fib {
 * ecmp on }`, the rest of its multipath set) becomes a set of resolved
 * next hops and a write in the batch that is sent once per event-loop
 * iteration.  Next hops are resolved through the kernel's own routes
 * (fib/fib_resolve.h) and re-resolved when the link/address/route
 * monitor says something changed; a path whose next hop cannot be
 * resolved is ineligible (RFC 4271 9.1.2.1). */
#ifndef EGRESS_DAEMON_FIB_SYNC_H
#define EGRESS_DAEMON_FIB_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp/proto.h"
#include "core/addr.h"
#include "fib/fib.h"

struct daemon;
struct daemon_peer;
struct bgp_attrs;
struct loc_rib_change;

/* Opens the kernel side as the config says (netlink, or with `install
 * off` an in-memory table), the resolver and the monitor, and sweeps or
 * (with graceful-restart) keeps what an earlier egressd left.  Call
 * after daemon_rib_init.  0 or a negative errno (logged). */
int daemon_fib_start(struct daemon *d);
/* Sends what is pending; without graceful-restart removes every route
 * of ours (clean shutdown), with it leaves them forwarding. */
void daemon_fib_stop(struct daemon *d);
/* Loc-RIB change (sync.c's callback forwards it). */
void daemon_fib_change(struct daemon *d, const struct loc_rib_change *c);
/* RFC 4271 9.1.2.1 for a path about to enter the Loc-RIB: false when
 * its NEXT_HOP cannot be resolved.  Always true without a FIB. */
bool daemon_fib_nh_reachable(struct daemon *d, int af, const struct bgp_attrs *a);
/* Session events the FIB cares about (routes.c): which interface the
 * peer is reached over (to drop the session when it goes), and
 * End-of-RIB (graceful restart: sweep once every peer sent it). */
void daemon_fib_established(struct daemon *d, struct daemon_peer *dp);
void daemon_fib_eor(struct daemon *d, struct daemon_peer *dp, enum bgp_family f);
/* The session ended while the FIB waits for End-of-RIB (graceful
 * restart, or the initial download): it is not waited for again. */
void daemon_fib_session_lost(struct daemon *d, struct daemon_peer *dp);
/* The session ended and its routes go (no graceful restart): groups
 * through the peer's address move to their other members or backup at
 * once (fib_nexthop.c). */
void daemon_fib_peer_down(struct daemon *d, struct daemon_peer *dp);

/* Shutting down: no more kernel writes until daemon_fib_stop (which
 * removes the routes, or with graceful-restart leaves them as they
 * were forwarding, not repointed by the sessions' ends). */
void daemon_fib_freeze(struct daemon *d);

/* The FIB itself, for `show fib` (fib_show.c); NULL before start. */
struct fib *daemon_fib_get(struct daemon *d);
/* The settings it runs with (a reload does not change them). */
struct conf_fib;
const struct conf_fib *daemon_fib_config(struct daemon *d);
/* Adds `show fib` ({"check": true} for the comparison) to the control
 * socket (fib_show.c). */
struct ctl_server;
int daemon_fib_ctl_register(struct daemon *d, struct ctl_server *ctl);

/* ---- extra tables outside the Loc-RIB (the cloud-gateway route
 * table, say): prefix -> set of next-hop addresses in a kernel table of
 * their own, resolved like BGP next hops, written in the same
 * per-iteration batch.  Routes carry the configured protocol number. */
struct fib_sync_table;
int fib_sync_table_open(struct daemon *d, uint32_t table, struct fib_sync_table **out);
/* Adds or replaces; next hops that do not resolve are left out, and
 * -EHOSTUNREACH (and no route) when none resolves. */
int fib_sync_table_set(struct fib_sync_table *t, const struct prefix *p,
		       const struct addr *nhs, size_t n);
/* -ENOENT if the table holds no such route. */
int fib_sync_table_delete(struct fib_sync_table *t, const struct prefix *p);
/* remove: delete the table's routes from the kernel first. */
void fib_sync_table_close(struct fib_sync_table *t, bool remove);
struct fib *fib_sync_table_fib(struct fib_sync_table *t);

#endif
