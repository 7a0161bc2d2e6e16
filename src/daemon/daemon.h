/* egressd's wiring: what main.c builds and routes.c works on. */
#ifndef EGRESS_DAEMON_DAEMON_H
#define EGRESS_DAEMON_DAEMON_H

#include <ev.h>
#include <stdbool.h>

#include "bgp/session.h"
#include "conf/conf.h"
#include "rib/rib.h"

/* Per peer: its config and the RFC 8212 resolution of its filters. */
struct daemon_peer {
	const struct conf_neighbor *n;
	struct bgp_peer *peer;
	enum conf_filter import;  /* resolved: ALL or NONE */
	enum conf_filter export;
	bool import_none_logged;
	bool export_none_logged;
	bool nexthop_logged[BGP_FAM_COUNT];
	/* Graceful restart helper (gr.c): the peer's routes kept stale. */
	struct daemon *d;
	struct adj_rib *stale;    /* prefixes not yet re-announced */
	uint32_t stale_families;  /* BGP_FAM_BIT mask */
	ev_timer gr_timer;
};

struct daemon {
	struct ev_loop *loop;
	struct conf *conf;
	struct bgp_speaker *sp;
	struct rib *rib;
	struct daemon_peer *peers;   /* indexed by bgp_peer id */
	size_t n_peers;
};

/* RFC 8212: an unset filter is NONE for eBGP and ALL for iBGP. */
enum conf_filter daemon_filter_resolve(enum conf_filter f, bool ebgp);
struct daemon_peer *daemon_peer_of(struct daemon *d, const struct bgp_peer *p);

/* Graceful restart, helper side (RFC 4724 4.2), gr.c. */
void daemon_gr_init(struct daemon *d, struct daemon_peer *dp);
/* The session went down: keep the routes stale if the peer can restart
 * gracefully.  false if nothing was kept (the caller drops them). */
bool daemon_gr_peer_down(struct daemon *d, struct daemon_peer *dp, struct bgp_peer *p);
void daemon_gr_established(struct daemon *d, struct daemon_peer *dp, struct bgp_peer *p);
/* Routes the peer sent again are fresh; End-of-RIB sweeps the rest. */
void daemon_gr_update(struct daemon *d, struct daemon_peer *dp, struct bgp_peer *p,
		      const struct bgp_update *u);
void daemon_gr_free(struct daemon *d, struct daemon_peer *dp);

/* The session callbacks (routes.c); ctx is the struct daemon. */
extern const struct bgp_callbacks daemon_bgp_callbacks;

#endif
