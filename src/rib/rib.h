/* The RIB as of the speaker issue: every peer's Adj-RIB-In and
 * Adj-RIB-Out, found by peer id.  Loc-RIB and the decision process come
 * with the routing core. */
#ifndef EGRESS_RIB_RIB_H
#define EGRESS_RIB_RIB_H

#include <stdbool.h>
#include <stdint.h>

#include "rib/adj_rib.h"

struct rib;

struct rib *rib_new(void);
void rib_free(struct rib *r);
/* The peer's tables, created on first use when create is true. */
struct adj_rib *rib_adj_in(struct rib *r, uint32_t peer_id, bool create);
struct adj_rib *rib_adj_out(struct rib *r, uint32_t peer_id, bool create);
void rib_peer_remove(struct rib *r, uint32_t peer_id);

#endif
