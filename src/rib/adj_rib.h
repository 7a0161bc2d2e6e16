/* One Adj-RIB (RFC 4271 3.2): a peer's routes in one direction.
 * A hash table per family keyed by prefix, holding a reference to the
 * attributes (16 bytes a slot for IPv4, 32 for IPv6). */
#ifndef EGRESS_RIB_ADJ_RIB_H
#define EGRESS_RIB_ADJ_RIB_H

#include <stdbool.h>
#include <stddef.h>

#include "bgp/attr.h"
#include "core/addr.h"

struct adj_rib;

struct adj_rib *adj_rib_new(void);
void adj_rib_free(struct adj_rib *r);
/* Adds or replaces; takes its own reference to attrs. 1 if new, 0 if
 * replaced, negative errno on failure. */
int adj_rib_update(struct adj_rib *r, const struct prefix *p, struct bgp_attrs *attrs);
/* true if the prefix was there. */
bool adj_rib_withdraw(struct adj_rib *r, const struct prefix *p);
struct bgp_attrs *adj_rib_lookup(const struct adj_rib *r, const struct prefix *p);
size_t adj_rib_count(const struct adj_rib *r);
/* Routes of one family (AF_INET or AF_INET6). */
size_t adj_rib_count_af(const struct adj_rib *r, int af);
/* Bytes held by the tables (slots, empty ones included). */
size_t adj_rib_bytes(const struct adj_rib *r);
/* Drops every route of one family (AF_INET / AF_INET6), or all with 0. */
void adj_rib_clear(struct adj_rib *r, int af);

struct adj_rib_entry {
	struct prefix prefix;
	struct bgp_attrs *attrs;
};
/* Snapshot of every entry sorted by prefix (for display); the attrs are
 * referenced by the array and released by adj_rib_entries_free(). */
int adj_rib_entries(const struct adj_rib *r, struct adj_rib_entry **out, size_t *n);
void adj_rib_entries_free(struct adj_rib_entry *e, size_t n);

#endif
