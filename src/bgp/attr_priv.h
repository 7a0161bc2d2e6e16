/* Internals shared by the attribute and UPDATE codec files (attr.c,
 * aspath.c, attr_decode.c, attr_encode.c, update_decode.c,
 * update_encode.c).  Not part of the module's interface. */
#ifndef EGRESS_BGP_ATTR_PRIV_H
#define EGRESS_BGP_ATTR_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "bgp/update.h"

/* ---- AS paths (aspath.c) ---- */

/* Validates a received AS_PATH or AS4_PATH value (RFC 7606 7.2, RFC 6793
 * 6, RFC 7607 2) and converts it to the canonical 4-octet form.  asn_size
 * is 2 or 4.  -EBADMSG when malformed, -ENOMEM.  *has_confed tells
 * whether confederation segments were present. */
int bgp_aspath_parse(const uint8_t *p, size_t len, unsigned asn_size, uint8_t **out,
		     size_t *out_len, bool *has_confed);
/* Same check for a canonical path handed in by local code. */
bool bgp_aspath_valid(const uint8_t *segs, size_t len);
/* Copy of a canonical path without confederation segments (RFC 6793 6:
 * they never appear in AS4_PATH). */
int bgp_aspath_strip_confed(const uint8_t *segs, size_t len, uint8_t **out, size_t *out_len);
/* RFC 6793 4.2.3: rebuilds the path from a 2-octet peer's AS_PATH and
 * AS4_PATH (both canonical).  *out is malloc'd. */
int bgp_aspath_merge_as4(const uint8_t *path, size_t len, const uint8_t *path4, size_t len4,
			 uint8_t **out, size_t *out_len);
/* True if any ASN outside the confederation segments exceeds 65535. */
bool bgp_aspath_has_as4(const uint8_t *segs, size_t len);
/* Appends the 2-octet wire form (AS_TRANS for 4-octet ASNs) to w. */
void bgp_aspath_put_as2(const uint8_t *segs, size_t len, struct wbuf *w);

/* ---- UPDATE decoding state (attr_decode.c, update_decode.c) ---- */

struct bgp_update_dec {
	const struct bgp_decode_ctx *ctx;
	struct bgp_update *u;
	struct bgp_attrs *a;          /* being filled */
	uint8_t seen[32];             /* bitmap of attribute codes met */
	bool taw;                     /* some error asks treat-as-withdraw */
	bool have_pend;               /* pend holds the first non-discard error */
	struct bgp_notify pend;       /* what a RFC 7606 5.2 reset would send */
	bool other_attrs;             /* attributes other than MP_UNREACH met */
	bool reach_nlri;              /* IPv4 NLRI or MP_REACH NLRI present */
	bool disable_set;
	bool unreach_empty;           /* MP_UNREACH without NLRI: End-of-RIB? */
	int unreach_fam;
	bool reach_parsed;            /* MP_REACH NLRI went into announced[] */
	/* AS4_PATH / AS4_AGGREGATOR from a 2-octet peer, merged at the end. */
	uint8_t *as4path;
	size_t as4path_len;
	bool as4agg;
	uint32_t as4agg_as, as4agg_id;
	uint32_t cap_w, cap_a;        /* array capacities in u */
	int err;                      /* -ENOMEM seen */
};

/* Records a diagnostic and raises u->action.  For SESSION_RESET the
 * first one fills u->notify with (3, subcode, data); for treat-as-withdraw
 * and AFI/SAFI disable the first one is kept for RFC 7606 5.2. */
void bgp_update_dec_error(struct bgp_update_dec *d, enum bgp_update_action act,
			  uint8_t code, const char *reason, uint8_t subcode,
			  const void *data, size_t data_len);
/* Decodes one attribute (flags/code/value; raw is the whole attribute as
 * received, for NOTIFICATION data). 0 or -ENOMEM. */
int bgp_attr_decode_one(struct bgp_update_dec *d, uint8_t flags, uint8_t code,
			const uint8_t *val, size_t vlen, const uint8_t *raw, size_t raw_len);
/* After the attribute loop: AS4 merge (RFC 6793 4.2.3), unknown sort. */
int bgp_attr_decode_finish(struct bgp_update_dec *d);
/* MP_REACH_NLRI / MP_UNREACH_NLRI (update_decode.c). */
int bgp_update_decode_mp(struct bgp_update_dec *d, bool reach, bool flags_ok,
			 const uint8_t *val, size_t vlen, const uint8_t *raw, size_t raw_len);

/* Writes one attribute header + value, choosing the extended length
 * flag when the value exceeds 255 bytes (RFC 4271 4.3). */
void bgp_attr_put(struct wbuf *w, uint8_t flags, uint8_t code, const void *val, size_t len);

#endif
