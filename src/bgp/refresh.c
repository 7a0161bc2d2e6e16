/* ROUTE-REFRESH (RFC 2918 3, RFC 7313 3.2) and KEEPALIVE (RFC 4271 4.4):
 * the two fixed-size messages. */
#include "bgp/msg.h"

#include <string.h>

#define REFRESH_BODY_LEN 4 /* AFI (2), subtype (1), SAFI (1) */

int bgp_keepalive_encode(struct wbuf *w)
{
	size_t start = bgp_msg_begin(w, BGP_MSG_KEEPALIVE);
	return bgp_msg_finish(w, start, BGP_HEADER_LEN);
}

int bgp_keepalive_decode(size_t body_len, struct bgp_notify *err)
{
	if (body_len == 0)
		return 0;
	/* RFC 4271 4.4, 6.1: a KEEPALIVE is the header alone; anything
	 * else is Bad Message Length with the Length field as data. */
	size_t l = BGP_HEADER_LEN + body_len;
	uint16_t l16 = l > UINT16_MAX ? UINT16_MAX : (uint16_t)l;
	uint8_t d[2] = {(uint8_t)(l16 >> 8), (uint8_t)l16};
	bgp_notify_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_BAD_LEN, d, sizeof(d));
	return -EBADMSG;
}

int bgp_refresh_encode(struct wbuf *w, const struct bgp_route_refresh *rr)
{
	size_t start = bgp_msg_begin(w, BGP_MSG_ROUTE_REFRESH);
	wbuf_put_u16(w, rr->afi);
	wbuf_put_u8(w, rr->subtype);
	wbuf_put_u8(w, rr->safi);
	return bgp_msg_finish(w, start, BGP_HEADER_LEN + REFRESH_BODY_LEN);
}

int bgp_refresh_decode(const uint8_t *body, size_t len, struct bgp_route_refresh *rr,
		       struct bgp_notify *err)
{
	struct rbuf r;
	rbuf_init(&r, body, len);
	if (len != REFRESH_BODY_LEN) {
		/* RFC 7313 5: Invalid Message Length, and "the Data field of
		 * the NOTIFICATION message MUST contain the complete
		 * ROUTE-REFRESH message".  The header was all-ones marker,
		 * this length and type 5 (bgp_hdr_decode checked), so it is
		 * rebuilt here; we keep as much as a NOTIFICATION can carry.
		 * We apply it to every subtype: a body that is not 4 bytes
		 * cannot be parsed whatever the subtype says. */
		uint8_t msg[BGP_NOTIFY_DATA_MAX];
		size_t total = BGP_HEADER_LEN + len;
		size_t keep = len < sizeof(msg) - BGP_HEADER_LEN ? len : sizeof(msg) - BGP_HEADER_LEN;
		uint16_t l16 = total > UINT16_MAX ? UINT16_MAX : (uint16_t)total;
		memset(msg, 0xff, 16);
		msg[16] = (uint8_t)(l16 >> 8);
		msg[17] = (uint8_t)l16;
		msg[18] = BGP_MSG_ROUTE_REFRESH;
		if (keep)
			memcpy(msg + BGP_HEADER_LEN, body, keep);
		bgp_notify_set(err, BGP_ERR_ROUTE_REFRESH, BGP_ERR_RR_BAD_LEN, msg,
			       BGP_HEADER_LEN + keep);
		return -EBADMSG;
	}
	/* Subtypes 3-254 and 255 are accepted here; RFC 7313 5 tells the
	 * session to ignore a message with an unknown subtype. */
	if (rbuf_get_u16(&r, &rr->afi) || rbuf_get_u8(&r, &rr->subtype) ||
	    rbuf_get_u8(&r, &rr->safi))
		return -EBADMSG;
	return 0;
}
