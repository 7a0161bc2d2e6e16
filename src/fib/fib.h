/* Kernel FIB: the narrow interface between the routing core and the
 * kernel's forwarding table (issue 4).
 *
 * The daemon hands over best routes as (prefix, set of next hops).  The
 * FIB turns each distinct next-hop set into one kernel nexthop group
 * (RTM_NEWNEXTHOP, Linux 5.3+) shared by every route with that set, so a
 * path that dies is repaired by replacing one group's members, not by
 * rewriting every route (prefix-independent convergence).  Where the
 * kernel has no nexthop objects, routes carry their next hops inline
 * (RTA_MULTIPATH) and the same calls still work, only slower.
 *
 * Writes are batched: fib_batch_begin(), any number of installs and
 * deletes, fib_batch_commit().  Every kernel error is mapped back to the
 * route (or group) whose request caused it and reported through the
 * error callback; one bad route never fails the batch for the others.
 *
 * The kernel side sits behind struct fib_backend_ops: a netlink backend
 * (fib_netlink.c, libmnl) and an in-memory mock (fib_mock.c) that the
 * unit tests use without root.  Only core/ is included (DESIGN.md 4). */
#ifndef EGRESS_FIB_FIB_H
#define EGRESS_FIB_FIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

/* Most paths one route may spread over (ECMP width). */
#define FIB_NH_MAX 16

/* Route protocol number egressd tags its kernel routes and nexthops
 * with, so they can be told apart from everyone else's and swept after
 * a restart.  57 is in neither the kernel's RTPROT_* list nor
 * iproute2's or FRR's rt_protos (FRR takes 186..197); override with
 * `fib { protocol N }`. */
#define FIB_PROTO_DEFAULT 57
/* First kernel nexthop id we use; ids are per network namespace and
 * shared with other daemons (FRR allocates from low numbers), so ours
 * start high.  Configurable (struct fib_config.nh_id_base). */
#define FIB_NH_ID_BASE_DEFAULT 0x45000000u

struct fib_nexthop {
	struct addr gw; /* af 0: directly connected through ifindex */
	int ifindex;    /* 0: let the kernel resolve (inline routes only) */
	uint8_t weight; /* 1..255 ECMP weight, 0 taken as 1 */
};

/* A set of next hops in canonical order (fib_nhset_normalize), so two
 * sets with the same members compare and hash equal. */
struct fib_nhset {
	uint8_t n;
	struct fib_nexthop nh[FIB_NH_MAX];
};

struct fib_route {
	struct prefix pfx;
	struct fib_nhset nhs;
	/* Optional: the next hops the route falls back to when every one
	 * of nhs is dead (its next-best path).  Routes are grouped by
	 * (nhs, backup), so fib_nexthop_down repairs a primary/backup pair
	 * with one group replace as it does an ECMP set.  n = 0: none. */
	struct fib_nhset backup;
};

/* ---- next-hop sets (fib_nhgroup.c) ---- */

int fib_nexthop_cmp(const struct fib_nexthop *a, const struct fib_nexthop *b);
uint32_t fib_nexthop_hash(const struct fib_nexthop *nh);
/* Sorts, drops duplicates, maps weight 0 to 1.  -EINVAL if a member
 * has a gateway of an unknown family, or no gateway and no ifindex. */
int fib_nhset_normalize(struct fib_nhset *s);
bool fib_nhset_eq(const struct fib_nhset *a, const struct fib_nhset *b);
uint32_t fib_nhset_hash(const struct fib_nhset *s);
/* Appends one member (then normalize).  -ENOSPC when full. */
int fib_nhset_add(struct fib_nhset *s, const struct fib_nexthop *nh);

/* ---- kernel backends ---- */

enum fib_op_kind { FIB_OP_NH, FIB_OP_GROUP, FIB_OP_ROUTE };

/* Outcome of one kernel request inside a batch. */
struct fib_op_result {
	enum fib_op_kind kind;
	bool del;          /* request was a delete */
	struct prefix pfx; /* FIB_OP_ROUTE */
	uint32_t id;       /* FIB_OP_NH / FIB_OP_GROUP */
	int err;           /* negative errno from the kernel */
	uint32_t metric;   /* FIB_OP_ROUTE: the route's priority (0: primary) */
};

typedef void (*fib_result_cb)(void *arg, const struct fib_op_result *res);
/* One route of ours found in the kernel by a dump.  nh_id is 0 for an
 * inline route (then nhs holds its next hops); metric is its
 * RTA_PRIORITY (0 when the kernel gave none: IPv4's default; IPv6
 * reports 1024 for a route added without one). */
typedef void (*fib_dump_route_cb)(void *arg, const struct prefix *pfx, uint32_t metric,
				  uint32_t nh_id, const struct fib_nhset *nhs);
/* One nexthop object of ours (group: ngroup members in group[]). */
typedef void (*fib_dump_nh_cb)(void *arg, uint32_t id, const uint32_t *group,
			       unsigned ngroup);

/* What a kernel must offer.  Requests between batch_begin and
 * batch_commit may be queued; commit sends them in order and calls
 * `cb` once for every request that failed (never for successes). */
struct fib_backend_ops {
	const char *name;
	/* 0 if nexthop objects work, -EOPNOTSUPP if not. */
	int (*probe_nhobj)(void *be);
	void (*batch_begin)(void *be);
	int (*nh_add)(void *be, uint32_t id, const struct fib_nexthop *nh);
	/* Creates group `id`, or with replace swaps its members in place. */
	int (*group_set)(void *be, uint32_t id, const uint32_t *ids,
			 const uint8_t *weights, unsigned n, bool replace);
	int (*nh_del)(void *be, uint32_t id);
	/* Adds or replaces a route: via nexthop object nh_id, or when
	 * nh_id is 0 with the next hops inline.  metric 0: the primary
	 * route (no RTA_PRIORITY, the kernel's default); else a route of
	 * that priority beside it (a backup route, fib_backup.c). */
	int (*route_set)(void *be, const struct prefix *pfx, uint32_t metric, uint32_t nh_id,
			 const struct fib_nhset *nhs);
	/* metric 0: the kernel deletes the first route of ours for the
	 * prefix whatever its priority (the primary when there is one);
	 * else only the route of exactly that priority. */
	int (*route_del)(void *be, const struct prefix *pfx, uint32_t metric);
	/* Returns 0 or a transport error (not a per-request one). */
	int (*batch_commit)(void *be, fib_result_cb cb, void *arg);
	/* Our routes (by protocol and table), then our nexthop objects. */
	int (*dump)(void *be, fib_dump_route_cb rcb, fib_dump_nh_cb ncb, void *arg);
	void (*destroy)(void *be);
};

struct fib_backend {
	const struct fib_backend_ops *ops;
	void *be;
};

struct fib_netlink_config {
	uint32_t table;     /* kernel table id; 254 = main */
	uint8_t protocol;   /* FIB_PROTO_DEFAULT unless configured */
	size_t batch_bytes; /* bytes per sendmsg, 0 = default (128 KiB) */
	/* NLM_F_ACK on every request, not only on the last of each send.
	 * The kernel answers a failed request whether asked or not
	 * (netlink_rcv_skb), so errors are mapped either way; acking each
	 * only costs receive buffer and time. */
	bool ack_each;
	/* Act as if the kernel had no nexthop objects (tests, and kernels
	 * whose nexthop support is known to be broken). */
	bool no_nhobj;
};

/* Opens a NETLINK_ROUTE socket in the current network namespace. */
int fib_netlink_open(const struct fib_netlink_config *cfg, struct fib_backend *out);

/* Parses a buffer of netlink messages as a dump reply carries them
 * (fib_netlink_parse.c): RTM_NEWROUTE of our protocol and table go to
 * rcb, RTM_NEWNEXTHOP of our protocol to ncb (either may be NULL).
 * Lengths are checked before every read; unknown attributes and
 * message types are skipped.  Returns 1 at NLMSG_DONE, 0 when more is
 * to come, the kernel's error for an NLMSG_ERROR, -EBADMSG on a
 * malformed message. */
int fib_netlink_parse_dump(const void *buf, size_t len, uint8_t protocol, uint32_t table,
			   fib_dump_route_cb rcb, fib_dump_nh_cb ncb, void *arg);

/* In-memory kernel for tests (fib_mock.c). */
struct fib_mock;
int fib_mock_open(bool nhobj_supported, struct fib_backend *out);
struct fib_mock *fib_mock_from(const struct fib_backend *b);
/* The next request that matches fails with err (pfx NULL: the next
 * request of that kind whatever it is). */
void fib_mock_fail_route(struct fib_mock *m, const struct prefix *pfx, int err);
void fib_mock_fail_next(struct fib_mock *m, enum fib_op_kind kind, int err);
/* The next commit loses its whole batch and returns err (-ENOBUFS):
 * nothing of it reaches the kernel and no answer comes back. */
void fib_mock_fail_commit(struct fib_mock *m, int err);
/* Forgets a route behind the FIB's back (as `ip route del` would). */
int fib_mock_route_forget(struct fib_mock *m, const struct prefix *pfx);
/* Deletes a nexthop object behind the FIB's back (`ip nexthop del`):
 * the kernel drops the routes through it too. */
int fib_mock_nh_forget(struct fib_mock *m, uint32_t id);
/* Plants state as an earlier egressd would have left it: a route (via
 * nexthop nh_id, or inline through ifindex 1 when 0) and a nexthop. */
int fib_mock_route_plant(struct fib_mock *m, const struct prefix *pfx, uint32_t nh_id);
int fib_mock_nh_plant(struct fib_mock *m, uint32_t id, const struct fib_nexthop *nh);
/* The same for a route of priority metric (a backup route). */
int fib_mock_route_plant_metric(struct fib_mock *m, const struct prefix *pfx, uint32_t metric,
				uint32_t nh_id);
size_t fib_mock_route_count(const struct fib_mock *m);
size_t fib_mock_nh_count(const struct fib_mock *m);   /* single nexthops */
size_t fib_mock_group_count(const struct fib_mock *m);
size_t fib_mock_request_count(const struct fib_mock *m);
/* Route lookup: 0 and its nh id (0 if inline) and next hops resolved
 * through its group, or -ENOENT. */
int fib_mock_route_get(const struct fib_mock *m, const struct prefix *pfx,
		       uint32_t *nh_id, struct fib_nhset *resolved);
/* The route of priority metric (0: the primary) for pfx. */
int fib_mock_route_get_metric(const struct fib_mock *m, const struct prefix *pfx,
			      uint32_t metric, uint32_t *nh_id, struct fib_nhset *resolved);
/* Members of group id, or -ENOENT. */
int fib_mock_group_get(const struct fib_mock *m, uint32_t id, uint32_t *ids,
		       unsigned *n);

/* ---- watching the kernel (fib_monitor.c) ----
 * Links, addresses and routes as the kernel announces them on the
 * rtnetlink multicast groups, so next hops whose interface went down or
 * lost its address stop being used at once (issue 4), not when a BGP
 * hold timer expires.  Lost notifications (ENOBUFS) cannot be told
 * apart, so they turn into one `resync` call: re-read everything. */

struct fib_link_event {
	int ifindex;
	char name[16];  /* IFNAMSIZ; empty if the kernel did not say */
	bool up;        /* administratively up and carrier (IFF_RUNNING) */
	bool deleted;   /* RTM_DELLINK */
};

struct fib_addr_event {
	int ifindex;
	struct prefix pfx; /* the address and its prefix length */
	bool deleted;
};

struct fib_route_event {
	struct prefix pfx;
	uint32_t table;
	uint8_t protocol;
	bool deleted;
};

struct fib_monitor_ops {
	void (*link)(void *arg, const struct fib_link_event *ev);
	void (*addr)(void *arg, const struct fib_addr_event *ev);
	void (*route)(void *arg, const struct fib_route_event *ev);
	/* Notifications were lost: the listener re-reads links, addresses
	 * and routes and resyncs the FIB (fib_resync). */
	void (*resync)(void *arg);
};

struct fib_monitor;

struct fib_monitor_config {
	/* Receive buffer; 0 keeps a large default, a small one makes
	 * overruns easy (tests). */
	int rcvbuf;
	/* Route notifications of this protocol (our own) are dropped in
	 * the kernel by a socket filter, before they take buffer space:
	 * installing a million routes would otherwise flood the monitor
	 * with a million echoes of our own writes, overrun it, and the
	 * resync that follows would do it again.  0: keep all. */
	uint8_t ignore_protocol;
	/* Open no socket: only parse what fib_monitor_input gets. */
	bool no_socket;
};

/* Subscribes to links, IPv4/IPv6 addresses and routes. */
int fib_monitor_open(const struct fib_monitor_config *cfg, const struct fib_monitor_ops *ops,
		     void *arg, struct fib_monitor **out);
void fib_monitor_close(struct fib_monitor *m);
/* Non-blocking descriptor to watch for reading (ev_io in the daemon). */
int fib_monitor_fd(const struct fib_monitor *m);
/* Reads and dispatches every pending notification; 0 or an errno other
 * than ENOBUFS (which becomes a resync call). */
int fib_monitor_read(struct fib_monitor *m);
/* Dispatches one received datagram, or the recv error err (> 0) when
 * n < 0.  Returns 0 or -EBADMSG for a malformed message.  A message
 * whose framing is bad ends the datagram (lengths can no longer be
 * trusted); one whose content is refused is skipped alone, and the
 * messages after it are still dispatched. */
int fib_monitor_input(struct fib_monitor *m, const void *buf, long n, int err);

/* ---- the FIB (fib.c) ---- */

struct fib_config {
	bool ecmp;           /* false: only the first next hop is used */
	uint32_t nh_id_base; /* 0 = FIB_NH_ID_BASE_DEFAULT */
	/* Backup routes (fib_backup.c): for a route whose backup next hops
	 * are on other interfaces than its primary ones, a second kernel
	 * route of the same prefix at priority backup_metric through the
	 * backup's group, so the kernel falls to it by itself when it
	 * flushes the primary's group with a dead link.  Nexthop objects
	 * only (inline routes are rewritten by fib_nexthop_gone anyway). */
	bool backup_routes;
	uint32_t backup_metric; /* 0 = FIB_BACKUP_METRIC_DEFAULT */
};

/* Priority of backup routes: above the kernel's defaults for primaries
 * (IPv4 0, IPv6 1024) and the metrics other daemons usually set (FRR
 * 20, BIRD 32), so the kernel uses a backup route only while the
 * primary of its prefix is missing. */
#define FIB_BACKUP_METRIC_DEFAULT 32768u

/* Called once for every route the kernel refused (err < 0), after the
 * batch that carried it, or when a group it needs could not be made. */
typedef void (*fib_error_cb)(void *arg, const struct prefix *pfx, int err);

struct fib;

/* Takes ownership of the backend.  Probes for nexthop objects and logs
 * once when it falls back to inline routes. */
int fib_create(const struct fib_config *cfg, struct fib_backend be,
	       fib_error_cb ecb, void *earg, struct fib **out);
void fib_destroy(struct fib *f);
bool fib_uses_nhobj(const struct fib *f);

void fib_batch_begin(struct fib *f);
/* Sends the batch.  Per-route errors go to the error callback and
 * leave those routes marked failed; the return is 0 or a transport
 * error (-ENOBUFS: answers lost, -EAGAIN: the kernel did not answer in
 * time), after which what the kernel holds is unknown and the caller
 * runs fib_resync(). */
int fib_batch_commit(struct fib *f);

/* Adds or replaces.  Outside a batch each call is a batch of its own. */
int fib_route_install(struct fib *f, const struct fib_route *r);
/* -ENOENT if the FIB holds no such route. */
int fib_route_delete(struct fib *f, const struct prefix *pfx);

/* Deletes every route the FIB holds and the nexthop objects they used
 * (clean shutdown without graceful restart). */
int fib_flush(struct fib *f);

/* Prefix-independent convergence: the group whose members are `from`
 * gets the members `to`, in one kernel request, and so does every
 * route that uses it.  -ENOENT if no group has members `from`. */
int fib_group_replace(struct fib *f, const struct fib_nhset *from,
		      const struct fib_nhset *to);
/* A next hop died: every group holding it loses it (one request per
 * group); a group for which it was the only member takes its routes'
 * backup next hops instead when they gave some.  Groups left with
 * nothing are left as they are (the RIB must choose new paths for
 * those routes); their number is returned, or a negative errno. */
int fib_nexthop_down(struct fib *f, const struct fib_nexthop *nh);

/* The kernel itself removed the next hop (its device went down: Linux
 * deletes the nexthop objects on it, shrinks the groups holding them
 * and deletes groups left empty together with every route using
 * them).  Groups with other members are brought in line (one request
 * each); routes whose group had no other member are gone from the
 * kernel and are marked failed (-ENETDOWN), so the next install writes
 * them again.  Returns how many groups were lost, or a negative errno. */
int fib_nexthop_gone(struct fib *f, const struct fib_nexthop *nh);

/* Reads the kernel's view (our protocol, our table) and makes it equal
 * ours: deletes routes and nexthops we do not hold, reinstalls every
 * route we hold.  For start-up (sweep what an earlier egressd left) and
 * after lost notifications (ENOBUFS on the monitor socket). */
int fib_resync(struct fib *f);

/* Compares what the kernel holds (our protocol, our table) with what
 * the FIB believes it installed, for `egressctl show fib --check`.
 * Routes the kernel refused (marked failed) are not expected there. */
enum fib_diff {
	FIB_DIFF_MISSING, /* ours, not in the kernel */
	FIB_DIFF_EXTRA,   /* in the kernel with our protocol, not ours */
	FIB_DIFF_NEXTHOP, /* in both, through other next hops */
	/* The same three for backup routes (fib_config.backup_routes). */
	FIB_DIFF_BACKUP_MISSING,
	FIB_DIFF_BACKUP_EXTRA,
	FIB_DIFF_BACKUP_NEXTHOP,
};
typedef void (*fib_diff_cb)(void *arg, const struct prefix *pfx, enum fib_diff kind);
/* Number of differences (each also passed to cb), or a negative errno
 * if the kernel could not be read. */
int fib_check(struct fib *f, fib_diff_cb cb, void *arg);
const char *fib_diff_name(enum fib_diff kind);

struct fib_stats {
	size_t routes;        /* routes held */
	size_t routes_failed; /* of which the kernel refused the last write */
	size_t groups;        /* distinct next-hop sets */
	size_t nexthops;      /* distinct next hops */
	uint64_t requests;    /* kernel requests sent */
	uint64_t errors;      /* kernel requests refused */
	size_t backups;         /* backup routes written to the kernel */
	size_t backups_pending; /* routes whose backup route is still to write */
	size_t held;            /* routes recorded, not yet written (fib_hold) */
	bool holding;           /* fib_hold and no fib_hold_release yet */
};
void fib_stats_get(const struct fib *f, struct fib_stats *st);

/* ---- the initial download (fib_hold.c) ----
 * While held, route installs are recorded in the FIB but not sent to
 * the kernel (nexthop objects and groups, and deletes, still are).
 * fib_hold_release then writes the recorded routes in the order of the
 * FIB's own route index, a hash order: the kernel's trie inserts a
 * shuffled table much faster than an ascending one, which is the order
 * BGP feeds usually arrive in (docs/benchmarks.md). */
void fib_hold(struct fib *f);
/* Ends the hold and writes up to budget of the recorded routes, in the
 * open batch or one of its own; returns how many are still to write.
 * A route changed meanwhile is written at once, as without a hold. */
size_t fib_hold_release(struct fib *f, size_t budget);
bool fib_holding(const struct fib *f);

/* Our view of one route: 0 and its next-hop set, its group's kernel id
 * (0 with inline routes) and its last error (0 = installed,
 * -EINPROGRESS: held by fib_hold, not written yet). */
int fib_route_lookup(const struct fib *f, const struct prefix *pfx,
		     struct fib_nhset *nhs, uint32_t *group_id, int *err);

/* ---- backup routes (fib_backup.c) ---- */

/* Writes (or deletes) up to budget of the pending backup routes, in
 * the open batch or one of its own; returns how many are still
 * pending.  Backup routes are queued, not written by
 * fib_route_install, so that a full table's primaries reach the kernel
 * first; the caller writes them when it has nothing else to do. */
size_t fib_backup_write(struct fib *f, size_t budget);
size_t fib_backup_pending(const struct fib *f);
/* The backup route the kernel was given for pfx: 0 with its next hops
 * and group id, -ENOENT when it has none (or none written yet). */
int fib_backup_lookup(const struct fib *f, const struct prefix *pfx, struct fib_nhset *nhs,
		      uint32_t *group_id, int *err);

#endif
