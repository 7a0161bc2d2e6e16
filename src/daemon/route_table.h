/* A VPC route table (issue 5): what a cloud gateway's route propagation
 * puts into the VPC's table, kept as rows the way the console shows
 * them and written to one kernel table through a narrow interface (the
 * daemon's is fib_sync's extra tables; tests use the FIB's mock).
 *
 * Rules (docs/cloud-personalities.md gives their sources):
 *   - the VPC's local CIDRs always win: a propagated route for a local
 *     CIDR or inside one is "suppressed-by-local" (locals are shown, not
 *     written: the VPC's own subnets are connected routes already);
 *   - a static route beats a propagated one for the same prefix; the
 *     propagated one is "suppressed-by-static" (a static 0.0.0.0/0 that
 *     hides a propagated default is logged as the classic mistake);
 *   - at most max_routes propagated routes.  AWS does not document what
 *     happens above its limit; ours: the first max_routes propagated
 *     prefixes in prefix order (address, then length) are installed, the
 *     rest are "over-limit", and every change of that count is logged
 *     as a warning.  Deterministic: the same set of routes always gives
 *     the same table, whatever order they arrived in;
 *   - a route whose next hops cannot be reached (the kernel side
 *     refused it) is shown "blackhole", as the console does for a dead
 *     target. */
#ifndef EGRESS_DAEMON_ROUTE_TABLE_H
#define EGRESS_DAEMON_ROUTE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "fib/fib.h"

/* Where the rows go: set adds or replaces p through the next hops (0,
 * or a negative errno such as -EHOSTUNREACH when none can be reached),
 * del removes it.  Writes may be batched by the implementation. */
struct rtab_kernel {
	int (*set)(void *arg, const struct prefix *p, const struct addr *gw, size_t n);
	int (*del)(void *arg, const struct prefix *p);
	void *arg;
};

enum rtab_origin { RTAB_ORIGIN_LOCAL, RTAB_ORIGIN_STATIC, RTAB_ORIGIN_PROPAGATED };
enum rtab_state {
	RTAB_ACTIVE,
	RTAB_BLACKHOLE,              /* the kernel refused it: target unreachable */
	RTAB_SUPPRESSED_BY_LOCAL,
	RTAB_SUPPRESSED_BY_STATIC,
	RTAB_OVER_LIMIT,
};
const char *rtab_origin_name(enum rtab_origin o);
const char *rtab_state_name(enum rtab_state s);

/* A propagated route's next hops and the sessions they came from. */
struct rtab_hops {
	size_t n;                    /* 0 = no route */
	struct addr gw[FIB_NH_MAX];   /* next hops */
	struct addr peer[FIB_NH_MAX]; /* the session (tunnel) of each */
};

/* One row as `show route-table` lists it. */
struct rtab_row {
	struct prefix prefix;
	enum rtab_origin origin;
	enum rtab_state state;
	const struct rtab_hops *hops; /* propagated; static: one hop, its via */
	bool installed;               /* in the kernel table now */
};

struct rtab_counts {
	size_t propagated;  /* propagated prefixes offered */
	size_t installed;   /* routes in the kernel table */
	size_t over_limit;
	size_t suppressed;  /* by local or static */
};

struct rtab;

/* k NULL: compute and show only.  k is copied. */
int rtab_new(const char *name, uint32_t table, uint32_t max_routes,
	     const struct rtab_kernel *k, struct rtab **out);
void rtab_free(struct rtab *rt);
const char *rtab_name(const struct rtab *rt);
uint32_t rtab_table(const struct rtab *rt);
uint32_t rtab_max_routes(const struct rtab *rt);

int rtab_local_add(struct rtab *rt, const struct prefix *p);
int rtab_static_add(struct rtab *rt, const struct prefix *p, const struct addr *via);
/* The gateway's choice for p (h->n == 0 or h NULL: none any more).
 * Nothing reaches the kernel until rtab_sync. */
int rtab_propagated_set(struct rtab *rt, const struct prefix *p, const struct rtab_hops *h);
/* Recomputes every row's state and writes the differences. */
void rtab_sync(struct rtab *rt);

void rtab_counts_get(const struct rtab *rt, struct rtab_counts *c);
/* Rows in prefix order (local, static, propagated for one prefix). */
typedef void (*rtab_row_fn)(void *arg, const struct rtab_row *r);
void rtab_walk(const struct rtab *rt, rtab_row_fn fn, void *arg);

#endif
