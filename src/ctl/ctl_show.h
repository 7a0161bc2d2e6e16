/* JSON views of what the daemon knows, for the control socket.
 *
 * Formatting lives here and not in bgp/ or rib/ (DESIGN 4: neither the
 * protocol code nor the RIB formats anything for the CLI).  The keys are
 * a contract with egressctl, scripts and the system tests; they are
 * listed in docs/control-protocol.md. */
#ifndef EGRESS_CTL_SHOW_H
#define EGRESS_CTL_SHOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/buf.h"

struct bgp_attrs;
struct bgp_peer;
struct bgp_speaker;
struct rib;

/* A JSON string from text that may not be valid UTF-8 (a peer's shutdown
 * message, say): at most max bytes, bytes that are not printable ASCII
 * replaced by '?' when the text is not valid UTF-8 as it stands. */
json_t *ctl_json_text(const char *s, size_t max);

/* {"error": msg} */
json_t *ctl_json_error(const char *msg);

/* The AS path in canonical form (bgp/attr.h) as a flat list of ASNs and
 * as text: sets in "{..}", confederation sequences in "(..)",
 * confederation sets in "[..]".  A truncated segment ends the walk
 * (text gets " ?").  Returns 0 or -ENOMEM. */
int ctl_aspath_json(const uint8_t *segs, size_t len, json_t **list, json_t **text);

/* One extended community (8 wire bytes, RFC 4360) as text:
 * "rt:65000:100", "soo:192.0.2.1:7", else "0x" and 16 hex digits. */
void ctl_ext_community_format(const uint8_t *ec, char *buf, size_t size);

/* A route: prefix, next_hop, as_path, as_path_text, origin, med,
 * local_pref, communities, large_communities, ext_communities,
 * atomic_aggregate, aggregator, unknown_attributes and (when neighbor
 * is not NULL) neighbor.  NULL on allocation failure. */
json_t *ctl_json_route(const struct prefix *pfx, const struct bgp_attrs *a,
		       const struct addr *neighbor);

/* A neighbor object (see docs/control-protocol.md); rib may be NULL. */
json_t *ctl_json_neighbor(const struct bgp_peer *p, struct rib *rib);

/* Answers to the show commands.  Each returns a new object, either the
 * answer or {"error": ...}; NULL only when memory ran out. */
json_t *ctl_show_neighbors(struct bgp_speaker *sp, struct rib *rib);
json_t *ctl_show_neighbor(struct bgp_speaker *sp, struct rib *rib, const struct addr *a);
/* Adj-RIB-In (out = false) or Adj-RIB-Out of one neighbor, or of all
 * when a is NULL, sorted by prefix then neighbor address. */
json_t *ctl_show_rib(struct bgp_speaker *sp, struct rib *rib, bool out, const struct addr *a);

/* The Loc-RIB: every candidate path of every prefix, the best first,
 * each route object with "best", "multipath" and "neighbor" (null for
 * our own `originate` prefixes).  Built in one go: meant for tables a
 * person reads, not for full Internet tables. */
json_t *ctl_show_loc_rib(struct rib *rib);
/* Per-module memory of the routing core (issue 3): Loc-RIB trie and
 * paths, interned attributes, Adj-RIB route counts, total bytes. */
json_t *ctl_show_memory(struct rib *rib);

/* The same answer as text, produced a few routes at a time so that a
 * large RIB never holds the event loop for long (DESIGN 10: no unbounded
 * work on the loop that owns the timers).  ctl_rib_walk_new() takes a
 * sorted snapshot; on an unknown neighbor it returns NULL with the error
 * answer in *err, on allocation failure NULL with *err NULL. */
struct ctl_rib_walk;
struct ctl_rib_walk *ctl_rib_walk_new(struct bgp_speaker *sp, struct rib *rib, bool out,
				      const struct addr *a, json_t **err);
size_t ctl_rib_walk_count(const struct ctl_rib_walk *wk);
/* Appends the next part of {"routes":[...]}\n, at most max routes, to w.
 * Returns 1 while more is to come, 0 once the answer is complete, or a
 * negative errno. */
int ctl_rib_walk_next(struct ctl_rib_walk *wk, size_t max, struct wbuf *w);
void ctl_rib_walk_free(struct ctl_rib_walk *wk);

#endif
