/* BGP message header (RFC 4271 4.1, 6.1) and the framing every encoder
 * shares: marker, length, type. */
#include "bgp/msg.h"

#include <string.h>

static const uint8_t marker[16] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

/* Smallest legal length per type (RFC 4271 4.2-4.5, RFC 2918 3). */
static uint16_t hdr_min_len(uint8_t type)
{
	switch (type) {
	case BGP_MSG_OPEN: return 29;
	case BGP_MSG_UPDATE: return 23;
	case BGP_MSG_NOTIFICATION: return 21;
	case BGP_MSG_KEEPALIVE: return 19;
	case BGP_MSG_ROUTE_REFRESH: return 23;
	}
	return BGP_HEADER_LEN;
}

static void hdr_bad_len(struct bgp_notify *err, uint16_t len)
{
	/* RFC 4271 6.1: the Data field holds the erroneous Length field. */
	uint8_t d[2] = {(uint8_t)(len >> 8), (uint8_t)len};
	bgp_notify_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_BAD_LEN, d, sizeof(d));
}

int bgp_hdr_decode(const uint8_t *buf, size_t max_len, struct bgp_hdr *h,
		   struct bgp_notify *err)
{
	struct rbuf r;
	uint16_t len;
	uint8_t type;
	rbuf_init(&r, buf, BGP_HEADER_LEN);
	/* RFC 4271 6.1: a marker that is not all ones means we lost sync. */
	if (memcmp(buf, marker, sizeof(marker)) != 0) {
		bgp_notify_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_NOT_SYNC, NULL, 0);
		return -EBADMSG;
	}
	if (rbuf_skip(&r, sizeof(marker)) || rbuf_get_u16(&r, &len) ||
	    rbuf_get_u8(&r, &type))
		return -EBADMSG; /* cannot happen: the caller gave us 19 bytes */
	if (max_len > BGP_MAX_MSG_EXT)
		max_len = BGP_MAX_MSG_EXT;
	if (len < BGP_HEADER_LEN || len > max_len) {
		hdr_bad_len(err, len);
		return -EBADMSG;
	}
	if (type < BGP_MSG_OPEN || type > BGP_MSG_ROUTE_REFRESH) {
		/* RFC 4271 6.1: Data holds the erroneous Type field. */
		bgp_notify_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_BAD_TYPE, &type, 1);
		return -EBADMSG;
	}
	/* RFC 4271 6.1: the length must suit the type.  RFC 8654 4: OPEN and
	 * KEEPALIVE stay within 4096 (19 for KEEPALIVE) even when extended
	 * messages were negotiated.  A ROUTE-REFRESH longer than 23 is not a
	 * header error: RFC 7313 5 answers it with 7/1 carrying the whole
	 * message, which bgp_refresh_decode() does. */
	if (len < hdr_min_len(type) ||
	    (type == BGP_MSG_OPEN && len > BGP_MAX_MSG) ||
	    (type == BGP_MSG_KEEPALIVE && len != BGP_HEADER_LEN)) {
		hdr_bad_len(err, len);
		return -EBADMSG;
	}
	h->len = len;
	h->type = type;
	return 0;
}

size_t bgp_msg_begin(struct wbuf *w, uint8_t type)
{
	size_t start = w->len;
	wbuf_put_bytes(w, marker, sizeof(marker));
	wbuf_put_u16(w, 0); /* filled in by bgp_msg_finish() */
	wbuf_put_u8(w, type);
	return start;
}

int bgp_msg_finish(struct wbuf *w, size_t start, size_t max_len)
{
	int rc = wbuf_status(w);
	size_t len = w->len - start;
	if (max_len > BGP_MAX_MSG_EXT)
		max_len = BGP_MAX_MSG_EXT;
	if (!rc && (len < BGP_HEADER_LEN || len > max_len))
		rc = -EMSGSIZE;
	if (rc) {
		/* Drop the partial message so the buffer holds only whole
		 * ones; the caller still learns why from rc. */
		wbuf_truncate(w, start);
		return rc;
	}
	wbuf_patch_u16(w, start + sizeof(marker), (uint16_t)len);
	return 0;
}
