/* egressd's wiring: what main.c builds and routes.c works on. */
#ifndef EGRESS_DAEMON_DAEMON_H
#define EGRESS_DAEMON_DAEMON_H

#include <ev.h>
#include <stdbool.h>

#include "bgp/session.h"
#include "conf/conf.h"
#include "daemon/condition.h"
#include "daemon/export.h"
#include "daemon/originate.h"
#include "policy/policy.h"
#include "rib/rib.h"
#include "rib/trie.h"

struct probe;
struct daemon_fib;

/* Prefixes one sliced walk (initial dump, flush of a lost peer) handles
 * per event-loop iteration, so keepalives to others never wait long
 * (issue 3; DESIGN 10). */
#define DAEMON_SLICE 4096
/* Neighbors a running egressd can take on by reloads (added, or
 * changed in a way that needs a new session) before it must be
 * restarted: peers[] is allocated once (Loc-RIB paths point into it). */
#define DAEMON_PEERS_SPARE 256

/* Per peer: its config and the RFC 8212 resolution of its filters. */
struct daemon_peer {
	const struct conf_neighbor *n;
	struct bgp_peer *peer;
	enum conf_filter import;  /* resolved: ALL, NONE or POLICY */
	enum conf_filter export;
	/* The compiled named policies when import/export is POLICY
	 * (owned by struct daemon's policy set). */
	const struct policy *import_pol;
	const struct policy *export_pol;
	bool import_none_logged;
	bool export_none_logged;
	bool nexthop_logged[BGP_FAM_COUNT];
	/* What the decision process knows of the peer; its Loc-RIB paths
	 * point here, so it lives as long as the daemon. */
	struct rib_peer rp;
	/* Export towards the peer (sync.c), valid while Established. */
	struct export_target tgt;
	bool tgt_valid;
	/* Last export built: consecutive prefixes mostly share one
	 * attribute set, so one entry saves most of the rebuilding. */
	struct bgp_attrs *cache_src;
	const struct rib_peer *cache_src_peer;
	int cache_af;
	int cache_verdict;
	struct bgp_attrs *cache_out; /* interned, NULL unless SEND */
	/* Initial dump of the Loc-RIB after Established, in slices. */
	bool dumping;
	int dump_fam;              /* enum bgp_family being walked */
	bool dump_has_cursor;
	struct prefix dump_cursor;
	/* Withdrawal of the peer's Loc-RIB paths after it went down. */
	uint32_t flush_fams;       /* BGP_FAM_BIT mask still to flush */
	uint64_t flush_before[BGP_FAM_COUNT]; /* per family: paths up to this stamp */
	bool flush_has_cursor;
	struct prefix flush_cursor;
	/* Graceful restart helper (gr.c): the peer's routes kept stale. */
	struct daemon *d;
	uint64_t stale_before;    /* paths received up to this stamp are stale */
	uint32_t stale_families;  /* BGP_FAM_BIT mask */
	ev_timer gr_timer;
	/* Reload (reload.c, soft.c): the routes as received when the
	 * neighbor has soft-reconfiguration inbound; a re-run of the import
	 * over a snapshot of them; a re-export of the Loc-RIB without the
	 * End-of-RIB of an initial dump. */
	struct adj_rib *pre_in;
	struct adj_rib_entry *soft_e;
	size_t soft_n, soft_i;
	bool dump_quiet;
};

struct daemon {
	struct ev_loop *loop;
	struct conf *conf;
	struct policy_set *policies; /* every policy of the conf, compiled */
	struct bgp_speaker *sp;
	struct rib *rib;
	struct daemon_peer *peers;   /* indexed by bgp_peer id */
	size_t n_peers;
	struct rib_peer local;       /* pseudo-peer of `originate` paths */
	uint64_t arrivals;           /* stamp for rib_path.received */
	ev_timer work;               /* runs sliced walks, 0 s when pending */
	/* Uplink probes (probes.c), one per `probe` statement. */
	struct probe **probes;
	size_t n_probes;
	/* Conditions and the originations they gate (condition.c,
	 * originate.c). */
	struct daemon_condition *conds;
	size_t n_conds;
	struct daemon_origin *origins;
	size_t n_origins;
	struct daemon_fib *fib;      /* kernel FIB (fib_sync.c), NULL if none */
	/* Room in peers[] for neighbors added by a reload (peer ids only
	 * grow, and Loc-RIB paths point into peers[], so it never moves). */
	size_t peers_cap;
	/* A reload's recomputation of every best path (decision knobs). */
	bool reselecting;
	int reselect_af;           /* AF_INET, then AF_INET6 */
	bool reselect_has_cursor;
	struct prefix reselect_cursor;
	struct daemon_cloud *cloud;  /* cloud personality (cloud.c), NULL if none */
	/* Graceful restart, restarting side (gr_restart.c), NULL if off. */
	struct daemon_gr_restart *grr;
};

/* RFC 8212: an unset filter is NONE for eBGP and ALL for iBGP. */
enum conf_filter daemon_filter_resolve(enum conf_filter f, bool ebgp);
/* Resolves both filters of dp (n, and ebgp from its rib_peer) and, for
 * a named policy, finds it in ps.  -ENOENT when a name is not in ps
 * (never silently "none"). */
int daemon_peer_filters_set(struct daemon_peer *dp, const struct policy_set *ps);
struct daemon_peer *daemon_peer_of(struct daemon *d, const struct bgp_peer *p);

/* Routing core wiring (sync.c). */
/* Creates the Loc-RIB with the export callback and adds the originated
 * prefixes as paths of the local pseudo-peer.  0 or negative errno. */
int daemon_rib_init(struct daemon *d);
void daemon_rib_fini(struct daemon *d);
/* The peer is Established: send it the Loc-RIB in slices, then
 * End-of-RIB per family. */
void daemon_sync_start(struct daemon *d, struct daemon_peer *dp);
/* The session ended: stop sending to it. */
void daemon_sync_stop(struct daemon *d, struct daemon_peer *dp);
/* Withdraw the peer's Loc-RIB paths of these families (BGP_FAM_BIT
 * mask) in slices; daemon_flush_finish completes it at once (before the
 * peer may offer new paths). */
void daemon_flush_start(struct daemon *d, struct daemon_peer *dp, uint32_t fams);
void daemon_flush_finish(struct daemon *d, struct daemon_peer *dp);
/* daemon_flush_start of only the paths received up to the arrival stamp
 * before (RFC 4724 4.2: the stale ones), in slices as well. */
void daemon_flush_start_older(struct daemon *d, struct daemon_peer *dp, uint32_t fams,
			      uint64_t before);
/* Route refresh (RFC 2918): the family's Adj-RIB-Out again. */
void daemon_sync_resend(struct daemon *d, struct daemon_peer *dp, enum bgp_family f);
/* A path from the peer into the Loc-RIB (attrs interned by the caller),
 * or its withdrawal. */
int daemon_path_update(struct daemon *d, struct daemon_peer *dp, const struct prefix *p,
		       struct bgp_attrs *attrs);
void daemon_path_withdraw(struct daemon *d, struct daemon_peer *dp, const struct prefix *p);
/* daemon_path_update for a path that may hold our own AS (RFC 4271
 * 9.1.2): stored, listed, never a candidate when loop is true. */
int daemon_path_update_loop(struct daemon *d, struct daemon_peer *dp, const struct prefix *p,
			    struct bgp_attrs *attrs, bool loop);
bool daemon_export_allowed(struct daemon_peer *dp, struct bgp_peer *p);

/* main.c: the session settings of a configured neighbor. */
void daemon_peer_config(const struct conf *c, const struct conf_neighbor *n,
			struct bgp_peer_config *pc);
/* Reload (routes.c): one stored route through the neighbor's import
 * again, as if it had just been received. */
void daemon_import_rerun(struct daemon *d, struct daemon_peer *dp, const struct prefix *pfx,
			 struct bgp_attrs *a);
/* Reload (sync.c): the peer's export changed: build its Adj-RIB-Out
 * again from the Loc-RIB in slices, announcing what the new export
 * passes and withdrawing what it no longer does (the entries record
 * sources, not what the old export made of them), or withdraw
 * everything when it may no longer send. */
void daemon_export_refresh(struct daemon *d, struct daemon_peer *dp);
/* Runs the sliced work (dumps, flushes, re-runs) soon. */
void daemon_work_kick(struct daemon *d);
/* Reload (reload.c): one slice of recomputing every best path; true
 * while more remains. */
bool daemon_reselect_step(struct daemon *d, size_t budget);
/* Re-reads the config file and applies it (reload.c): 0, or a negative
 * errno with the reason (the first config errors, file:line:col) in
 * err, the running config untouched. */
int daemon_reload(struct daemon *d, char *err, size_t err_size);

/* Graceful restart, helper side (RFC 4724 4.2), gr.c. */
void daemon_gr_init(struct daemon *d, struct daemon_peer *dp);
/* Whether daemon_gr_peer_down would keep the peer's routes as stale
 * (it may still fail to, out of memory), asked before any of the
 * session's state is torn down; no side effects. */
bool daemon_gr_keeps_stale(struct daemon *d, const struct bgp_peer *p);
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

/* Graceful restart, restarting side (gr_restart.c, RFC 4724 4.1). */
/* fib { graceful-restart on } with install on: the kernel forwards
 * over our routes while we are down. */
bool daemon_gr_restart_capable(const struct conf *c);
/* The families listed in our GR capability to n (restarting side). */
uint32_t daemon_gr_restart_families(const struct conf *c, const struct conf_neighbor *n);
/* After the peers are added, before they start: reads the note of a
 * graceful stop and, if there is one, sets R/F and defers exports. */
int daemon_gr_restart_start(struct daemon *d, const char *sock_path);
/* On Established: true when the export to dp is held back (the caller
 * must not start it; the end of the deferral does). */
bool daemon_gr_restart_hold(struct daemon *d, struct daemon_peer *dp);
void daemon_gr_restart_eor(struct daemon *d, struct daemon_peer *dp, enum bgp_family f);
void daemon_gr_restart_down(struct daemon *d, struct daemon_peer *dp);
bool daemon_gr_restart_deferring(const struct daemon *d);
/* SIGTERM: GR sessions close without NOTIFICATION, a note is left;
 * the others get Cease with msg. */
void daemon_gr_restart_stop(struct daemon *d, const char *msg);
void daemon_gr_restart_free(struct daemon *d);

#endif
