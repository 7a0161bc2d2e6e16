/* UPDATE messages: decoding with RFC 7606 revised error handling, and
 * encoding that packs as many prefixes as fit into each message. */
#ifndef EGRESS_BGP_UPDATE_H
#define EGRESS_BGP_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "bgp/msg.h"

/* What the receiver must do with an UPDATE (RFC 7606 2), weakest first so
 * that the strongest of several errors is simply the maximum. */
enum bgp_update_action {
	BGP_UPD_OK = 0,
	BGP_UPD_ATTR_DISCARD = 1,     /* some attributes dropped; routes usable */
	BGP_UPD_TREAT_AS_WITHDRAW = 2,/* every NLRI in it is withdrawn */
	BGP_UPD_AFISAFI_DISABLE = 3,  /* stop the family; withdraw its routes */
	BGP_UPD_SESSION_RESET = 4,    /* send .notify and close */
};
const char *bgp_update_action_name(enum bgp_update_action a);

/* What was negotiated with the peer that sent the UPDATE. */
struct bgp_decode_ctx {
	bool as4;            /* both sides 4-octet AS capable */
	bool ebgp;
	uint32_t families;   /* BGP_FAM_BIT mask of negotiated families */
	size_t max_msg;      /* 4096 or 65535 */
};

/* One diagnostic: which attribute and why; the session logs them with the
 * peer and the whole UPDATE in hex. */
#define BGP_UPDATE_MAX_DIAG 8
struct bgp_update_diag {
	enum bgp_update_action action;
	uint8_t attr_code;   /* 0 when not about one attribute */
	const char *reason;  /* static string */
};

struct bgp_update {
	struct prefix *withdrawn;     /* IPv4 withdrawn + MP_UNREACH */
	uint32_t n_withdrawn;
	struct prefix *announced;     /* IPv4 NLRI + MP_REACH NLRI */
	uint32_t n_announced;
	struct bgp_attrs *attrs;      /* refcnt 1, NULL if none or withdrawn */
	bool end_of_rib;              /* RFC 4724 2 */
	uint8_t eor_family;           /* enum bgp_family, when end_of_rib */
	enum bgp_update_action action;/* the strongest that applied */
	uint8_t disabled_family;      /* enum bgp_family, for AFISAFI_DISABLE */
	struct bgp_notify notify;     /* for SESSION_RESET */
	uint8_t n_diag;
	struct bgp_update_diag diag[BGP_UPDATE_MAX_DIAG];
};

/* Decodes an UPDATE body.  Returns 0 whenever a result was produced,
 * including errors handled per RFC 7606 (see u->action); negative only
 * on allocation failure.  On TREAT_AS_WITHDRAW every reachable NLRI has
 * been moved into withdrawn[] and attrs is NULL, so the caller applies
 * the result without special cases. */
int bgp_update_decode(const uint8_t *body, size_t len, const struct bgp_decode_ctx *ctx,
		      struct bgp_update *u);
void bgp_update_free(struct bgp_update *u);

/* Appends one UPDATE announcing as many of nlri[0..n) (all one address
 * family) as fit, with attrs; IPv6 goes into MP_REACH_NLRI with
 * bgp_attrs_mp_nexthop(attrs) (and link-local) as next hop.  Returns
 * the number of prefixes consumed (>= 1) or a negative errno. */
long bgp_update_encode_announce(struct wbuf *w, const struct bgp_encode_ctx *ctx,
				const struct bgp_attrs *attrs,
				const struct prefix *nlri, size_t n);
/* Appends one UPDATE withdrawing as many of pfx[0..n) (one family) as
 * fit; returns the number consumed or a negative errno. */
long bgp_update_encode_withdraw(struct wbuf *w, const struct bgp_encode_ctx *ctx,
				const struct prefix *pfx, size_t n);
/* End-of-RIB marker (RFC 4724 2): empty UPDATE for IPv4 unicast, empty
 * MP_UNREACH_NLRI for other families. */
int bgp_update_encode_eor(struct wbuf *w, enum bgp_family fam);

#endif
