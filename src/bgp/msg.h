/* BGP message codec: header, OPEN (with capabilities), KEEPALIVE,
 * NOTIFICATION and ROUTE-REFRESH.  UPDATE lives in bgp/update.h.
 *
 * Decoders take the message *body* (after the 19-byte header), check
 * every length through struct rbuf and, when the message is bad, fill a
 * struct bgp_notify with exactly the NOTIFICATION the RFC asks us to
 * send.  Encoders append a whole message, header included, to a wbuf
 * and return 0 or a negative errno. */
#ifndef EGRESS_BGP_MSG_H
#define EGRESS_BGP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/proto.h"
#include "core/buf.h"

/* Largest NOTIFICATION data we keep: what fits in a 4096-byte message. */
#define BGP_NOTIFY_DATA_MAX (BGP_MAX_MSG - BGP_HEADER_LEN - 2)
/* RFC 9003 2: shutdown communication is at most 255 octets of UTF-8. */
#define BGP_SHUTDOWN_MSG_MAX 255

struct bgp_notify {
	uint8_t code;
	uint8_t subcode;
	uint16_t data_len;
	uint8_t data[BGP_NOTIFY_DATA_MAX];
};

struct bgp_hdr {
	uint16_t len; /* whole message, header included */
	uint8_t type;
};

/* Capabilities one side offers (RFC 5492).  After the OPEN exchange the
 * session keeps both sides' sets; what is "negotiated" is their
 * intersection, computed by bgp_caps_negotiate(). */
struct bgp_gr_family {
	bool present;
	bool forwarding_preserved; /* F bit, RFC 4724 3 */
};
struct bgp_caps {
	uint32_t families;          /* BGP_FAM_BIT() mask from MP capabilities */
	bool mp_present;            /* any MP capability sent at all */
	bool as4;                   /* RFC 6793 */
	uint32_t as4_asn;
	bool route_refresh;         /* RFC 2918 */
	bool enhanced_route_refresh;/* RFC 7313 */
	bool extended_message;      /* RFC 8654 */
	bool graceful_restart;      /* RFC 4724 */
	bool gr_restarted;          /* R bit */
	uint16_t gr_time;           /* seconds, 12 bits */
	struct bgp_gr_family gr[BGP_FAM_COUNT];
	uint16_t n_unknown;         /* capabilities we did not recognise */
};

struct bgp_open {
	uint8_t version;
	uint16_t my_as;      /* 2-octet field: AS_TRANS when the real AS is 4-octet */
	uint16_t hold_time;
	uint32_t bgp_id;     /* host byte order */
	struct bgp_caps caps;
	bool ext_params;     /* RFC 9072 extended optional parameters were used */
};

/* What both sides agreed on; the session hands this to the codec. */
struct bgp_negotiated {
	uint32_t families;   /* both sides */
	bool as4;
	bool route_refresh;
	bool enhanced_route_refresh;
	bool extended_message; /* both advertised: 65535-byte messages allowed */
	bool peer_graceful_restart;
	uint16_t hold_time;
	uint16_t keepalive;
};
void bgp_caps_negotiate(const struct bgp_caps *local, const struct bgp_caps *remote,
			struct bgp_negotiated *out);
/* The AS number a peer's OPEN really announces (AS4 capability first). */
uint32_t bgp_open_peer_as(const struct bgp_open *o);

/* Header (RFC 4271 4.1).  buf holds at least BGP_HEADER_LEN bytes; max_len
 * is 4096 or, with extended messages negotiated, 65535 (RFC 8654 4:
 * OPEN and KEEPALIVE are still limited to 4096 and 19). */
int bgp_hdr_decode(const uint8_t *buf, size_t max_len, struct bgp_hdr *h,
		   struct bgp_notify *err);
/* Starts a message: writes marker, a placeholder length and the type;
 * returns the offset to pass to bgp_msg_finish(). */
size_t bgp_msg_begin(struct wbuf *w, uint8_t type);
/* Fills in the length; -EMSGSIZE if the message exceeds max_len. */
int bgp_msg_finish(struct wbuf *w, size_t start, size_t max_len);

int bgp_open_encode(struct wbuf *w, const struct bgp_open *o);
int bgp_open_decode(const uint8_t *body, size_t len, struct bgp_open *o,
		    struct bgp_notify *err);
/* Semantic checks of a received OPEN against what we expect
 * (RFC 4271 6.2, RFC 6793 4.2): version, peer AS (expected_as 0 = any),
 * BGP identifier (non-zero; not equal to ours for iBGP), hold time
 * (0 or >= 3), AS_TRANS in My AS without the AS4 capability. */
int bgp_open_validate(const struct bgp_open *o, uint32_t expected_as,
		      uint32_t local_id, bool ibgp, struct bgp_notify *err);

int bgp_keepalive_encode(struct wbuf *w);
/* KEEPALIVE body must be empty (RFC 4271 4.4 / 6.1: bad length). */
int bgp_keepalive_decode(size_t body_len, struct bgp_notify *err);

int bgp_notify_encode(struct wbuf *w, const struct bgp_notify *n);
/* Never fails on short data: data is whatever really arrived. A body
 * shorter than 2 bytes gives -EBADMSG. */
int bgp_notify_decode(const uint8_t *body, size_t len, struct bgp_notify *n);
void bgp_notify_set(struct bgp_notify *n, uint8_t code, uint8_t subcode,
		    const void *data, size_t data_len);
/* Cease with an RFC 9003 shutdown communication (subcode 2 or 4); the
 * message is cut at a UTF-8 boundary to 255 bytes. */
void bgp_notify_set_shutdown(struct bgp_notify *n, uint8_t subcode, const char *msg);
/* Cease/Maximum Number of Prefixes Reached with RFC 4486 4 data. */
void bgp_notify_set_max_prefix(struct bgp_notify *n, uint16_t afi, uint8_t safi,
			       uint32_t limit);
const char *bgp_notify_code_name(uint8_t code);
const char *bgp_notify_subcode_name(uint8_t code, uint8_t subcode);
/* Human text: "Cease/Administrative Shutdown: \"maintenance\"" or with
 * the data in hex. Shutdown messages are sanitised (no control chars). */
void bgp_notify_format(const struct bgp_notify *n, char *buf, size_t size);

struct bgp_route_refresh {
	uint16_t afi;
	uint8_t subtype; /* enum bgp_rr_subtype */
	uint8_t safi;
};
int bgp_refresh_encode(struct wbuf *w, const struct bgp_route_refresh *rr);
/* RFC 7313 5: length other than 4 -> NOTIFICATION 7/1 with the message. */
int bgp_refresh_decode(const uint8_t *body, size_t len, struct bgp_route_refresh *rr,
		       struct bgp_notify *err);

/* Maps AFI/SAFI to enum bgp_family; -1 if we do not support it. */
int bgp_family_from_afi_safi(uint16_t afi, uint8_t safi);
void bgp_family_to_afi_safi(enum bgp_family f, uint16_t *afi, uint8_t *safi);
const char *bgp_family_name(enum bgp_family f);

#endif
