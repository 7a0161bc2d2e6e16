/* JSON views of the kernel FIB for the control socket (issue 4): the
 * routes egressd believes it installed, streamed, and their comparison
 * with the kernel.  Keys are listed in docs/control-protocol.md. */
#ifndef EGRESS_CTL_FIB_H
#define EGRESS_CTL_FIB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fib/fib.h"

struct rib;
struct wbuf;

/* Longest list of differences one check answers with. */
#define CTL_FIB_CHECK_MAX 10000

/* The FIB's settings, for the answer's header. */
struct ctl_fib_info {
	uint32_t table;
	uint8_t protocol;
	bool install;
	bool ecmp;
	bool dry_run; /* install false: dry-run (a table in memory) or off (none) */
};

/* {"prefix", "nexthops": [{"gateway", "ifindex", "dev", "weight"}],
 *  "group" (kernel nexthop group id, absent with inline routes),
 *  "state": installed|failed|not-installed, "error" when failed}. */
json_t *ctl_json_fib_route(const struct prefix *pfx, const struct fib_nhset *nhs,
			   uint32_t group, int err, bool install);

/* `show fib`, produced in parts: {"table", "protocol", "install",
 * "mode" (on|off|dry-run), "ecmp", "nexthop_objects", "route_count",
 * "failed_count", "group_count", "nexthop_count", "routes": [...]}\n.
 * fib NULL (install off): the header with zero counts and no routes.
 * Walks the
 * Loc-RIB's prefixes from a cursor, so it survives changes between
 * steps.  next: 1 while more is to come, 0 when done, negative errno. */
struct ctl_fib_walk;
struct ctl_fib_walk *ctl_fib_walk_new(struct rib *rib, struct fib *fib,
				      const struct ctl_fib_info *info);
int ctl_fib_walk_next(struct ctl_fib_walk *wk, size_t max, struct wbuf *w);
void ctl_fib_walk_free(struct ctl_fib_walk *wk);

/* `show fib --check`: {"table", "protocol", "route_count",
 * "difference_count", "truncated", "differences": [{"prefix", "kind":
 * missing|extra|nexthop}]} (at most max listed), or {"error"}; NULL
 * when memory ran out. */
json_t *ctl_fib_check(struct fib *fib, const struct ctl_fib_info *info, size_t max);

#endif
