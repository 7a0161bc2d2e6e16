/* Per-peer output queue: routes waiting to be encoded into UPDATEs.
 *
 * Work is kept as prefixes, not bytes, and turned into messages only as
 * the socket drains (bgp_outq_drain with a byte budget), so a large table
 * never sits in memory twice and a slow peer holds back only itself.
 * Within a batch, withdrawals go first (a receiver that runs short of
 * memory frees before it allocates), then announcements packed by equal
 * attributes, then markers (End-of-RIB, BoRR/EoRR).  A marker closes its
 * batch, so what was queued before it is sent before it. */
#ifndef EGRESS_BGP_OUTQ_H
#define EGRESS_BGP_OUTQ_H

#include <stdbool.h>
#include <stddef.h>

#include "bgp/attr.h"
#include "bgp/update.h"

struct bgp_outq;

struct bgp_outq *bgp_outq_new(void);
void bgp_outq_free(struct bgp_outq *q);
void bgp_outq_clear(struct bgp_outq *q);
/* Queues an announcement (takes a reference to attrs); replaces a
 * pending withdrawal or announcement of the same prefix in this batch. */
int bgp_outq_announce(struct bgp_outq *q, struct bgp_attrs *attrs,
		      const struct prefix *p, size_t n);
int bgp_outq_withdraw(struct bgp_outq *q, const struct prefix *p, size_t n);
/* The same when the caller knows no announcement of p is pending in
 * the queue: no search, so a full table queues in linear time.  A
 * pending withdrawal of p is allowed: it is still sent first (or
 * replaced, in a batch that got indexed). */
int bgp_outq_announce_fresh(struct bgp_outq *q, struct bgp_attrs *attrs,
			    const struct prefix *p, size_t n);
int bgp_outq_withdraw_fresh(struct bgp_outq *q, const struct prefix *p, size_t n);
int bgp_outq_eor(struct bgp_outq *q, enum bgp_family f);
/* A ROUTE-REFRESH message (RFC 7313 BoRR/EoRR) in sequence. */
int bgp_outq_refresh(struct bgp_outq *q, enum bgp_family f, uint8_t subtype);
bool bgp_outq_empty(const struct bgp_outq *q);
/* Appends whole messages to w until w->len reaches budget or nothing is
 * left.  0 or a negative errno (w's own error). */
int bgp_outq_drain(struct bgp_outq *q, const struct bgp_encode_ctx *ctx, struct wbuf *w,
		   size_t budget);
/* Routes waiting in the queue and the memory it holds (allocator
 * chunks, `show memory`). */
void bgp_outq_mem(const struct bgp_outq *q, size_t *routes, size_t *bytes);

#endif
