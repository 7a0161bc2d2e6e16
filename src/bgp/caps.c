/* Capabilities (RFC 5492): decoding the TLVs of a Capabilities optional
 * parameter, encoding ours, and negotiating what both sides share.
 *
 * Error policy: RFC 5492 3 says capabilities we do not understand are
 * ignored, so unknown codes are only counted.  For a capability we do
 * know but whose length or content is wrong neither RFC 5492 nor the
 * capability RFCs name a subcode; RFC 4271 6.2 covers it: "If one of the
 * Optional Parameters in the OPEN message is recognized, but is
 * malformed, then the Error Subcode MUST be set to 0 (Unspecific)".  So a
 * malformed known capability, or a TLV that runs past its parameter, is
 * answered with OPEN Message Error / Unspecific (2/0), no data. */
#include "bgp/caps.h"

#include <string.h>

/* RFC 4724 3: Restart Flags are the top 4 bits, Restart Time the low 12. */
#define GR_FLAG_RESTARTED 0x8000
#define GR_TIME_MASK 0x0fff
/* RFC 4724 3: per-AFI/SAFI flags, bit 0 = Forwarding State preserved. */
#define GR_AF_FORWARDING 0x80

static int caps_malformed(struct bgp_notify *err)
{
	bgp_notify_set(err, BGP_ERR_OPEN, 0, NULL, 0);
	return -EBADMSG;
}

/* RFC 4760 8: MP capability value is AFI (2), Reserved (1), SAFI (1).
 * Families we do not speak still mark mp_present: the peer did use
 * MP, so IPv4 unicast is no longer implied. */
static int cap_mp_decode(struct rbuf *v, struct bgp_caps *c)
{
	uint16_t afi;
	uint8_t res, safi;
	if (rbuf_left(v) != 4 || rbuf_get_u16(v, &afi) || rbuf_get_u8(v, &res) ||
	    rbuf_get_u8(v, &safi))
		return -EBADMSG;
	c->mp_present = true;
	int f = bgp_family_from_afi_safi(afi, safi);
	if (f >= 0)
		c->families |= BGP_FAM_BIT(f);
	return 0;
}

/* RFC 4724 3: flags+time (2), then AFI (2), SAFI (1), flags (1) per
 * family.  A later GR capability replaces an earlier one. */
static int cap_gr_decode(struct rbuf *v, struct bgp_caps *c)
{
	uint16_t ft;
	if (rbuf_left(v) < 2 || (rbuf_left(v) - 2) % 4 != 0 || rbuf_get_u16(v, &ft))
		return -EBADMSG;
	c->graceful_restart = true;
	c->gr_restarted = (ft & GR_FLAG_RESTARTED) != 0;
	c->gr_time = ft & GR_TIME_MASK;
	memset(c->gr, 0, sizeof(c->gr));
	while (rbuf_left(v) > 0) {
		uint16_t afi;
		uint8_t safi, flags;
		if (rbuf_get_u16(v, &afi) || rbuf_get_u8(v, &safi) || rbuf_get_u8(v, &flags))
			return -EBADMSG;
		int f = bgp_family_from_afi_safi(afi, safi);
		if (f < 0)
			continue;
		c->gr[f].present = true;
		c->gr[f].forwarding_preserved = (flags & GR_AF_FORWARDING) != 0;
	}
	return 0;
}

static int cap_one_decode(uint8_t code, struct rbuf *v, struct bgp_caps *c)
{
	switch (code) {
	case BGP_CAP_MP:
		return cap_mp_decode(v, c);
	case BGP_CAP_ROUTE_REFRESH: /* RFC 2918 2: length 0 */
		c->route_refresh = true;
		return rbuf_left(v) == 0 ? 0 : -EBADMSG;
	case BGP_CAP_ENHANCED_RR: /* RFC 7313 3.1: length 0 */
		c->enhanced_route_refresh = true;
		return rbuf_left(v) == 0 ? 0 : -EBADMSG;
	case BGP_CAP_EXT_MESSAGE: /* RFC 8654 3: length 0 */
		c->extended_message = true;
		return rbuf_left(v) == 0 ? 0 : -EBADMSG;
	case BGP_CAP_AS4: /* RFC 6793 3: the 4-octet AS, length 4 */
		if (rbuf_left(v) != 4 || rbuf_get_u32(v, &c->as4_asn))
			return -EBADMSG;
		c->as4 = true;
		return 0;
	case BGP_CAP_GRACEFUL_RESTART:
		return cap_gr_decode(v, c);
	}
	/* RFC 5492 3: ignore what we do not understand. */
	if (c->n_unknown < UINT16_MAX)
		c->n_unknown++;
	return 0;
}

int bgp_caps_decode(const uint8_t *p, size_t len, struct bgp_caps *c,
		    struct bgp_notify *err)
{
	struct rbuf r, v;
	rbuf_init(&r, p, len);
	while (rbuf_left(&r) > 0) {
		uint8_t code, clen;
		/* RFC 5492 4: code (1), length (1), value (length). */
		if (rbuf_get_u8(&r, &code) || rbuf_get_u8(&r, &clen) ||
		    rbuf_get_sub(&r, clen, &v))
			return caps_malformed(err);
		if (cap_one_decode(code, &v, c))
			return caps_malformed(err);
	}
	return 0;
}

void bgp_caps_decode_finish(struct bgp_caps *c)
{
	/* RFC 4760 8: a peer that sends no MP capability speaks IPv4
	 * unicast only. */
	if (!c->mp_present)
		c->families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST);
}

static void cap_put(struct wbuf *w, uint8_t code, uint8_t len)
{
	wbuf_put_u8(w, code);
	wbuf_put_u8(w, len);
}

int bgp_caps_encode(struct wbuf *w, const struct bgp_caps *c, uint32_t local_as)
{
	/* Without MP capabilities the peer assumes IPv4 unicast only
	 * (RFC 4760 8); refuse a set that would claim more. */
	if (!c->mp_present && (c->families & ~BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST)))
		return -EINVAL;
	if (c->mp_present) {
		for (int f = 0; f < BGP_FAM_COUNT; f++) {
			uint16_t afi;
			uint8_t safi;
			if (!(c->families & BGP_FAM_BIT(f)))
				continue;
			bgp_family_to_afi_safi((enum bgp_family)f, &afi, &safi);
			cap_put(w, BGP_CAP_MP, 4);
			wbuf_put_u16(w, afi);
			wbuf_put_u8(w, 0);
			wbuf_put_u8(w, safi);
		}
	}
	if (c->route_refresh)
		cap_put(w, BGP_CAP_ROUTE_REFRESH, 0);
	if (c->enhanced_route_refresh)
		cap_put(w, BGP_CAP_ENHANCED_RR, 0);
	if (c->extended_message)
		cap_put(w, BGP_CAP_EXT_MESSAGE, 0);
	/* RFC 6793 3: always announce our real AS; a 2-octet peer ignores it. */
	cap_put(w, BGP_CAP_AS4, 4);
	wbuf_put_u32(w, local_as);
	if (c->graceful_restart) {
		uint8_t n = 0;
		for (int f = 0; f < BGP_FAM_COUNT; f++)
			n += c->gr[f].present;
		cap_put(w, BGP_CAP_GRACEFUL_RESTART, (uint8_t)(2 + 4 * n));
		wbuf_put_u16(w, (uint16_t)((c->gr_restarted ? GR_FLAG_RESTARTED : 0) |
					   (c->gr_time & GR_TIME_MASK)));
		for (int f = 0; f < BGP_FAM_COUNT; f++) {
			uint16_t afi;
			uint8_t safi;
			if (!c->gr[f].present)
				continue;
			bgp_family_to_afi_safi((enum bgp_family)f, &afi, &safi);
			wbuf_put_u16(w, afi);
			wbuf_put_u8(w, safi);
			wbuf_put_u8(w, c->gr[f].forwarding_preserved ? GR_AF_FORWARDING : 0);
		}
	}
	return wbuf_status(w);
}

/* Families a side speaks, with RFC 4760 8 applied even if the caps were
 * built by hand rather than decoded. */
static uint32_t caps_families(const struct bgp_caps *c)
{
	return c->mp_present ? c->families : BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST);
}

void bgp_caps_negotiate(const struct bgp_caps *local, const struct bgp_caps *remote,
			struct bgp_negotiated *out)
{
	*out = (struct bgp_negotiated){0};
	/* RFC 4760 6 / RFC 5492: a family or feature is usable only when
	 * both sides announced it. */
	out->families = caps_families(local) & caps_families(remote);
	out->as4 = local->as4 && remote->as4;
	out->route_refresh = local->route_refresh && remote->route_refresh;
	out->enhanced_route_refresh =
		local->enhanced_route_refresh && remote->enhanced_route_refresh;
	/* RFC 8654 3: larger messages only when both sides advertised it. */
	out->extended_message = local->extended_message && remote->extended_message;
	out->peer_graceful_restart = remote->graceful_restart;
	/* hold_time and keepalive are not capabilities: the FSM computes
	 * them from both OPENs and the configuration (RFC 4271 4.2, 10)
	 * and fills them in; they stay 0 here. */
}
