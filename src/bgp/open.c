/* OPEN message (RFC 4271 4.2, 6.2) with RFC 9072 extended optional
 * parameters, and the semantic checks of a received OPEN.
 *
 * The optional-parameter parser is where FRR had three CVEs in 2022
 * (an OPEN ending right after the length byte, and a 2-byte length read
 * with fewer bytes left); every field here goes through struct rbuf. */
#include "bgp/caps.h"

#include <stdint.h>
#include <string.h>

/* Version, My AS, Hold Time, BGP Identifier, Opt Parm Len. */
#define OPEN_FIXED_LEN 10
/* RFC 9072 2: Non-Ext OP Type 255 announces the extended format. */
#define OPT_PARAM_EXT_LEN 255
#define OPT_PARAM_CAPABILITIES 2 /* RFC 5492 4 */
#define NONEXT_PARAM_MAX 255

static int open_bad_len(struct bgp_notify *err, size_t body_len)
{
	/* The optional parameter lengths contradict the message length:
	 * RFC 4271 6.1 Bad Message Length, data = the Length field. */
	size_t l = body_len + BGP_HEADER_LEN;
	uint8_t d[2] = {(uint8_t)(l >> 8), (uint8_t)l};
	bgp_notify_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_BAD_LEN, d, sizeof(d));
	return -EBADMSG;
}

static int open_malformed(struct bgp_notify *err)
{
	/* RFC 4271 6.2: a recognised optional parameter that is malformed
	 * gets OPEN Message Error / Unspecific. */
	bgp_notify_set(err, BGP_ERR_OPEN, 0, NULL, 0);
	return -EBADMSG;
}

static int open_version_err(struct bgp_notify *err)
{
	/* RFC 4271 6.2: data = the highest version we support, 2 octets. */
	uint8_t d[2] = {0, BGP_VERSION};
	bgp_notify_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_VERSION, d, sizeof(d));
	return -EBADMSG;
}

int bgp_open_decode(const uint8_t *body, size_t len, struct bgp_open *o,
		    struct bgp_notify *err)
{
	struct rbuf r, params;
	uint8_t optlen;
	bool ext = false;

	memset(o, 0, sizeof(*o));
	rbuf_init(&r, body, len);
	if (rbuf_get_u8(&r, &o->version))
		return open_bad_len(err, len);
	/* RFC 4271 6.2: check the version before trusting the layout. */
	if (o->version != BGP_VERSION)
		return open_version_err(err);
	if (rbuf_get_u16(&r, &o->my_as) || rbuf_get_u16(&r, &o->hold_time) ||
	    rbuf_get_u32(&r, &o->bgp_id) || rbuf_get_u8(&r, &optlen))
		return open_bad_len(err, len);

	/* RFC 9072 2: a non-zero length followed by parameter type 255
	 * switches to the extended format; the one-byte length is then
	 * ignored and a two-byte length follows.  Peek only if a byte is
	 * there (an OPEN may end right after the length byte). */
	if (optlen != 0 && rbuf_left(&r) >= 1 && r.p[0] == OPT_PARAM_EXT_LEN) {
		uint16_t extlen;
		if (rbuf_skip(&r, 1) || rbuf_get_u16(&r, &extlen))
			return open_bad_len(err, len);
		if (extlen != rbuf_left(&r))
			return open_bad_len(err, len);
		ext = true;
	} else if (optlen != rbuf_left(&r)) {
		return open_bad_len(err, len);
	}
	o->ext_params = ext;
	if (rbuf_get_sub(&r, rbuf_left(&r), &params))
		return open_bad_len(err, len);

	while (rbuf_left(&params) > 0) {
		uint8_t type, l8;
		uint16_t plen;
		struct rbuf v;
		if (rbuf_get_u8(&params, &type))
			return open_malformed(err);
		/* RFC 9072 2: in the extended format each parameter length
		 * is two octets too. */
		if (ext) {
			if (rbuf_get_u16(&params, &plen))
				return open_malformed(err);
		} else {
			if (rbuf_get_u8(&params, &l8))
				return open_malformed(err);
			plen = l8;
		}
		if (rbuf_get_sub(&params, plen, &v))
			return open_malformed(err);
		if (type != OPT_PARAM_CAPABILITIES) {
			/* RFC 4271 6.2: unrecognised optional parameter. */
			bgp_notify_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_OPT_PARAM, NULL, 0);
			return -EBADMSG;
		}
		int rc = bgp_caps_decode(v.p, rbuf_left(&v), &o->caps, err);
		if (rc)
			return rc;
	}
	bgp_caps_decode_finish(&o->caps);
	return 0;
}

/* Walks our own encoded capability TLVs (trusted) and groups them into
 * parameters.  With ext false each parameter holds at most 255 bytes;
 * returns the bytes the whole optional parameter block takes (SIZE_MAX
 * if the non-extended format cannot hold it; w is NULL then). */
static size_t params_write(struct wbuf *w, const uint8_t *caps, size_t n, bool ext)
{
	size_t total = 0, i = 0;
	if (ext) {
		/* RFC 9072 2: one Capabilities parameter with a 2-byte length. */
		if (w) {
			wbuf_put_u8(w, OPT_PARAM_CAPABILITIES);
			wbuf_put_u16(w, (uint16_t)n);
			wbuf_put_bytes(w, caps, n);
		}
		return 3 + n;
	}
	while (i < n) {
		size_t j = i;
		while (j < n && (j + 2 + caps[j + 1]) - i <= NONEXT_PARAM_MAX)
			j += 2 + (size_t)caps[j + 1];
		if (j == i)
			return SIZE_MAX; /* one TLV alone exceeds 255: needs RFC 9072 */
		if (w) {
			wbuf_put_u8(w, OPT_PARAM_CAPABILITIES);
			wbuf_put_u8(w, (uint8_t)(j - i));
			wbuf_put_bytes(w, caps + i, j - i);
		}
		total += 2 + (j - i);
		i = j;
	}
	return total;
}

int bgp_open_encode_extra(struct wbuf *w, const struct bgp_open *o,
			  const uint8_t *extra_caps, size_t extra_len)
{
	struct wbuf caps;
	int rc;
	/* RFC 6793 3 and 4.2.1: the 4-octet AS capability carries our real
	 * AS; My AS holds it when it fits, AS_TRANS otherwise. */
	uint32_t local_as = o->caps.as4_asn ? o->caps.as4_asn : o->my_as;
	uint16_t my_as = local_as > UINT16_MAX ? BGP_AS_TRANS : (uint16_t)local_as;

	/* Every capability TLV is at most 257 bytes; our own tail checks
	 * rely on that, so refuse extra TLVs that do not parse. */
	for (size_t i = 0; i < extra_len;) {
		if (extra_len - i < 2 || extra_len - i - 2 < extra_caps[i + 1])
			return -EINVAL;
		i += 2 + (size_t)extra_caps[i + 1];
	}
	wbuf_init(&caps, BGP_MAX_MSG);
	rc = bgp_caps_encode(&caps, &o->caps, local_as);
	wbuf_put_bytes(&caps, extra_caps, extra_len);
	rc = rc ? rc : wbuf_status(&caps);
	if (rc) {
		wbuf_free(&caps);
		return rc;
	}

	/* RFC 9072 2: the RFC 4271 encoding when it fits in 255 bytes; the
	 * extended one when it does not, or when the caller forces it
	 * (o->ext_params, "Configuration MAY override this"). */
	bool ext = o->ext_params ||
		   params_write(NULL, caps.data, caps.len, false) > NONEXT_PARAM_MAX;
	size_t start = bgp_msg_begin(w, BGP_MSG_OPEN);
	wbuf_put_u8(w, BGP_VERSION);
	wbuf_put_u16(w, my_as);
	wbuf_put_u16(w, o->hold_time);
	wbuf_put_u32(w, o->bgp_id);
	if (ext) {
		size_t plen = params_write(NULL, caps.data, caps.len, true);
		if (plen > UINT16_MAX) {
			wbuf_free(&caps);
			wbuf_truncate(w, start);
			return -EMSGSIZE;
		}
		/* Non-Ext OP Len 255 (MUST NOT be 0), Non-Ext OP Type 255. */
		wbuf_put_u8(w, OPT_PARAM_EXT_LEN);
		wbuf_put_u8(w, OPT_PARAM_EXT_LEN);
		wbuf_put_u16(w, (uint16_t)plen);
		params_write(w, caps.data, caps.len, true);
	} else {
		wbuf_put_u8(w, (uint8_t)params_write(NULL, caps.data, caps.len, false));
		params_write(w, caps.data, caps.len, false);
	}
	wbuf_free(&caps);
	/* RFC 8654 4: an OPEN never exceeds 4096 bytes. */
	return bgp_msg_finish(w, start, BGP_MAX_MSG);
}

int bgp_open_encode(struct wbuf *w, const struct bgp_open *o)
{
	return bgp_open_encode_extra(w, o, NULL, 0);
}

uint32_t bgp_open_peer_as(const struct bgp_open *o)
{
	/* RFC 6793 4.2: the capability, when present, is the real AS. */
	return o->caps.as4 ? o->caps.as4_asn : o->my_as;
}

int bgp_open_validate(const struct bgp_open *o, uint32_t expected_as,
		      uint32_t local_id, bool ibgp, struct bgp_notify *err)
{
	if (o->version != BGP_VERSION)
		return open_version_err(err);

	/* Peer AS (RFC 4271 6.2).  AS 0 is never valid (RFC 7607 2).  AS_TRANS
	 * is a placeholder for a 4-octet AS: in My AS without the AS4
	 * capability, or as the capability's own value, it names no real
	 * AS (RFC 6793 4.2, 9), so it is a bad peer AS too. */
	uint32_t peer_as = bgp_open_peer_as(o);
	if (peer_as == 0 || peer_as == BGP_AS_TRANS || o->my_as == 0 ||
	    (expected_as != 0 && peer_as != expected_as)) {
		bgp_notify_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_AS, NULL, 0);
		return -EBADMSG;
	}
	/* RFC 4271 4.2, 6.2: hold time 0 or at least 3 seconds. */
	if (o->hold_time == 1 || o->hold_time == 2) {
		bgp_notify_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_HOLD_TIME, NULL, 0);
		return -EBADMSG;
	}
	/* RFC 4271 6.2, RFC 6286 2.2: the identifier is non-zero and, inside
	 * one AS, differs from ours. */
	if (o->bgp_id == 0 || (ibgp && o->bgp_id == local_id)) {
		bgp_notify_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_ID, NULL, 0);
		return -EBADMSG;
	}
	return 0;
}
