/* fib_sync's state, shared by its two files: fib_sync.c (batches,
 * routes, graceful restart, life cycle, extra tables) and fib_nexthop.c
 * (next-hop resolution, revalidation, the link/address monitor and the
 * sessions it takes down).  Private to src/daemon. */
#ifndef EGRESS_DAEMON_FIB_SYNC_PRIV_H
#define EGRESS_DAEMON_FIB_SYNC_PRIV_H

#include <ev.h>
#include <stdbool.h>

#include "conf/conf.h"
#include "core/log.h"
#include "daemon/fib_sync.h"
#include "rib/trie.h"

struct rib_path;

#define FIB_SYNC_DOWN_MAX 64

struct nh_entry {
	struct addr a;
	int state;              /* 0 resolved, FIB_RESOLVE_LOCAL, or -errno */
	struct fib_nexthop via; /* when state == 0 */
	bool changed;           /* in the revalidation under way */
};

struct fib_sync_table {
	struct daemon_fib *df;
	struct fib *fib;
	uint32_t table;
	bool batch_open;
	struct fib_sync_table *next;
};

struct daemon_fib {
	struct daemon *d;
	struct conf_fib cfg;
	struct fib *fib;
	struct fib_resolver *res;
	struct fib_monitor *mon;
	ev_io mon_io;
	ev_prepare commit;
	bool batch_open;
	struct fib_sync_table *tables;
	/* next hops */
	struct trie nh_trie;
	struct nh_entry **nhs;
	size_t n_nhs, cap_nhs;
	bool frozen;              /* daemon_fib_freeze: shutting down */
	struct nh_entry *last_nh; /* lookup cache: consecutive paths share one */
	ev_timer reresolve;
	/* revalidation walk over the Loc-RIB */
	bool walk_pending, walking;
	int walk_af;
	bool walk_has_cursor;
	struct prefix walk_cursor;
	ev_timer walk_timer;
	/* graceful restart: kernel routes of the previous run kept; or
	 * with initial (fib { initial-download after-eor }) the FIB held
	 * (fib_hold) until the peers' End-of-RIB, then downloading */
	bool deferring;
	bool initial, downloading;
	ev_idle download_idle;
	uint32_t *eor_wait;     /* per peer id: families still without End-of-RIB */
	bool *peer_seen;        /* per peer id: has been Established this run */
	ev_timer gr_timer;
	/* sessions: interface each peer is reached over (0 unknown) */
	int *peer_ifindex;
	struct log_ratelimit err_rl;
	/* interfaces seen going down and not yet back (one event each) */
	int down_if[FIB_SYNC_DOWN_MAX];
	size_t n_down_if;
	/* backup routes (fib/fib_backup.c) are written while the loop has
	 * nothing else to do */
	ev_idle backup_idle;
};

/* fib_sync.c */
/* Opens the batch if needed; it is sent once per loop iteration. */
void fib_sync_batch_need(struct daemon_fib *df);
/* Sends what is pending now. */
void fib_sync_commit(struct daemon_fib *df);
/* Brings the kernel route for p in line with the Loc-RIB's best. */
void fib_sync_route(struct daemon_fib *df, const struct prefix *p, const struct rib_path *best);

/* A link went down (nh: every group of the extra tables loses it) or
 * came back (nh NULL: the extra tables are resynced, since the kernel
 * dropped their nexthops on that link and nothing re-decides them). */
void fib_sync_tables_link(struct daemon_fib *df, const struct fib_nexthop *nh);

/* fib_nexthop.c */
/* The entry for next hop a, made and resolved on first use; NULL when
 * memory ran out. */
struct nh_entry *fib_sync_nh_get(struct daemon_fib *df, const struct addr *a);
/* The entry for the NEXT_HOP of a path of family af (NULL: it has none). */
struct nh_entry *fib_sync_nh_of_path(struct daemon_fib *df, int af, const struct bgp_attrs *a);
/* Opens the monitor and the timers of re-resolution; closes them and
 * frees the entries. */
int fib_sync_nh_start(struct daemon_fib *df);
void fib_sync_nh_stop(struct daemon_fib *df);

#endif
