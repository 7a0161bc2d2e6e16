/* The cloud-gateway personality wired into egressd (issue 5): the
 * comparator and ECMP the personality selects, where each session's
 * routes come from (VPN or Direct Connect), the VPC's CIDRs advertised
 * to the customer gateways, the VPN static routes, and the route tables
 * fed from Loc-RIB changes (daemon/route_table.h) into kernel tables
 * through fib_sync's extra tables.  Without a personality every call
 * here does nothing. */
#ifndef EGRESS_DAEMON_CLOUD_H
#define EGRESS_DAEMON_CLOUD_H

#include <stdbool.h>

struct daemon;
struct daemon_peer;
struct bgp_peer;
struct loc_rib_change;
struct ctl_server;

/* After daemon_fib_start and the control socket: route sources, the
 * VPC's CIDRs, route tables, `show route-table`.  0 or negative errno. */
int daemon_cloud_start(struct daemon *d, struct ctl_server *ctl);
void daemon_cloud_stop(struct daemon *d);
/* Loc-RIB change (sync.c forwards it). */
void daemon_cloud_change(struct daemon *d, const struct loc_rib_change *c);
/* A neighbor's route source (VPN or Direct Connect) from its config;
 * at start and for a neighbor a reload adds. */
void daemon_cloud_peer_init(const struct daemon *d, struct daemon_peer *dp);
/* A tunnel came up or went down: its VPN static routes follow it. */
void daemon_cloud_peer_up(struct daemon *d, struct daemon_peer *dp);
void daemon_cloud_peer_down(struct daemon *d, struct daemon_peer *dp);
/* The pseudo-peer of the VPN static routes with this id (the source
 * of a Loc-RIB path), NULL if it is none. */
const struct rib_peer *daemon_cloud_static_peer(const struct daemon *d, uint32_t id);
/* "Only healthy tunnels": a personality drops a lost session's routes
 * at once instead of keeping them stale for graceful restart. */
bool daemon_cloud_no_stale(const struct daemon *d);

/* Generic (limits.c): RFC 4486 max-prefix after an UPDATE was taken in.
 * true when the session was reset (the caller must not touch the peer's
 * RIBs afterwards). */
bool daemon_max_prefix_check(struct daemon *d, struct daemon_peer *dp, struct bgp_peer *p);

#endif
