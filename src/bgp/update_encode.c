/* UPDATE encoding and packing: each call writes one message holding as
 * many prefixes as fit in the peer's maximum message size, so a caller
 * loops until every prefix went out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/attr_priv.h"

static size_t pfx_wire_len(const struct prefix *p)
{
	return 1u + (p->len + 7u) / 8u;
}

static void pfx_put(struct wbuf *w, const struct prefix *p)
{
	wbuf_put_u8(w, p->len);
	wbuf_put_bytes(w, p->addr.b, (p->len + 7u) / 8u);
}

static bool pfx_ok(const struct prefix *p, uint8_t af)
{
	return p->addr.af == af && p->len <= addr_bits(af);
}

static size_t msg_max(const struct bgp_encode_ctx *ctx)
{
	if (ctx->max_msg < BGP_HEADER_LEN + 4u)
		return BGP_MAX_MSG;
	return ctx->max_msg > BGP_MAX_MSG_EXT ? BGP_MAX_MSG_EXT : ctx->max_msg;
}

/* How many of pfx[0..n) (same family af) fit in room bytes; *bytes gets
 * their encoded size. Stops at a prefix of another family. */
static size_t pack_count(const struct prefix *pfx, size_t n, uint8_t af, size_t room,
			 size_t *bytes)
{
	size_t k = 0, sum = 0;
	while (k < n && pfx_ok(&pfx[k], af) && sum + pfx_wire_len(&pfx[k]) <= room) {
		sum += pfx_wire_len(&pfx[k]);
		k++;
	}
	*bytes = sum;
	return k;
}

static void afi_safi_put(struct wbuf *w, uint8_t af)
{
	wbuf_put_u16(w, af == AF_INET6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4);
	wbuf_put_u8(w, BGP_SAFI_UNICAST);
}

long bgp_update_encode_announce(struct wbuf *w, const struct bgp_encode_ctx *ctx,
				const struct bgp_attrs *attrs,
				const struct prefix *nlri, size_t n)
{
	if (!n || (nlri[0].addr.af != AF_INET && nlri[0].addr.af != AF_INET6))
		return -EINVAL;
	uint8_t af = nlri[0].addr.af;
	/* A shallow copy: only scalar fields change. */
	struct bgp_attrs_mut tmp;
	bgp_attrs_borrow(&tmp, attrs);
	if (af == AF_INET) {
		if (!bgp_attrs_has(attrs, BGP_ATTR_NEXT_HOP)) {
			if (bgp_attrs_mp_nexthop(attrs)->af != AF_INET)
				return -EINVAL;
			tmp.a.nexthop = bgp_attrs_mp_nexthop(attrs)->v4;
			tmp.a.present |= BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
		}
	} else {
		if (bgp_attrs_mp_nexthop(attrs)->af != AF_INET6)
			return -EINVAL;
		/* RFC 4760 3: no NEXT_HOP when all NLRI are in MP_REACH. */
		tmp.a.present &= ~BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	}

	struct wbuf aw;
	wbuf_init(&aw, 65535);
	int rc = bgp_attrs_encode(&tmp.a, ctx, &aw);
	if (rc) {
		wbuf_free(&aw);
		return rc;
	}
	size_t max = msg_max(ctx);
	size_t fixed = BGP_HEADER_LEN + 4u + aw.len;
	size_t mp_base = 0, bytes = 0, k;
	size_t nhlen = bgp_attrs_mp_nexthop_ll(attrs)->af == AF_INET6 ? 32 : 16;
	if (af == AF_INET6) {
		/* AFI, SAFI, next-hop length, next hop, reserved (RFC 4760 3),
		 * behind a header counted at its extended size. */
		mp_base = 2 + 1 + 1 + nhlen + 1;
		fixed += 4 + mp_base;
	}
	if (fixed >= max) {
		wbuf_free(&aw);
		return -EMSGSIZE;
	}
	k = pack_count(nlri, n, af, max - fixed, &bytes);
	if (k == 0) {
		wbuf_free(&aw);
		return -EMSGSIZE;
	}

	size_t start = bgp_msg_begin(w, BGP_MSG_UPDATE);
	wbuf_put_u16(w, 0); /* no withdrawn routes */
	if (af == AF_INET) {
		wbuf_put_u16(w, (uint16_t)aw.len);
		wbuf_put_bytes(w, aw.data, aw.len);
		for (size_t i = 0; i < k; i++)
			pfx_put(w, &nlri[i]);
	} else {
		struct wbuf mp;
		wbuf_init(&mp, 65535);
		afi_safi_put(&mp, AF_INET6);
		wbuf_put_u8(&mp, (uint8_t)nhlen);
		wbuf_put_bytes(&mp, bgp_attrs_mp_nexthop(attrs)->b, 16);
		if (nhlen == 32)
			wbuf_put_bytes(&mp, bgp_attrs_mp_nexthop_ll(attrs)->b, 16);
		wbuf_put_u8(&mp, 0); /* reserved */
		for (size_t i = 0; i < k; i++)
			pfx_put(&mp, &nlri[i]);
		size_t hdr = mp.len > 255 ? 4 : 3;
		size_t attr_len = hdr + mp.len + aw.len;
		wbuf_put_u16(w, (uint16_t)attr_len);
		/* RFC 7606 5.1: MP_REACH_NLRI first, so a receiver finds the
		 * NLRI before anything that could go wrong. */
		if (wbuf_status(&mp) && !w->err)
			w->err = wbuf_status(&mp);
		else
			bgp_attr_put(w, BGP_ATTR_F_OPTIONAL, BGP_ATTR_MP_REACH_NLRI, mp.data,
				     mp.len);
		wbuf_put_bytes(w, aw.data, aw.len);
		wbuf_free(&mp);
	}
	wbuf_free(&aw);
	rc = bgp_msg_finish(w, start, max);
	return rc ? rc : (long)k;
}

long bgp_update_encode_withdraw(struct wbuf *w, const struct bgp_encode_ctx *ctx,
				const struct prefix *pfx, size_t n)
{
	if (!n || (pfx[0].addr.af != AF_INET && pfx[0].addr.af != AF_INET6))
		return -EINVAL;
	uint8_t af = pfx[0].addr.af;
	size_t max = msg_max(ctx), bytes, k;
	/* IPv6 withdrawals ride in MP_UNREACH_NLRI: header (extended size)
	 * plus AFI and SAFI. */
	size_t fixed = BGP_HEADER_LEN + 4u + (af == AF_INET6 ? 4u + 3u : 0u);
	k = pack_count(pfx, n, af, max - fixed, &bytes);
	if (k == 0)
		return -EMSGSIZE;
	size_t start = bgp_msg_begin(w, BGP_MSG_UPDATE);
	if (af == AF_INET) {
		wbuf_put_u16(w, (uint16_t)bytes);
		for (size_t i = 0; i < k; i++)
			pfx_put(w, &pfx[i]);
		wbuf_put_u16(w, 0); /* no attributes */
	} else {
		size_t vlen = 3 + bytes;
		wbuf_put_u16(w, 0);
		wbuf_put_u16(w, (uint16_t)((vlen > 255 ? 4 : 3) + vlen));
		if (vlen > 255) {
			wbuf_put_u8(w, BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_EXTLEN);
			wbuf_put_u8(w, BGP_ATTR_MP_UNREACH_NLRI);
			wbuf_put_u16(w, (uint16_t)vlen);
		} else {
			wbuf_put_u8(w, BGP_ATTR_F_OPTIONAL);
			wbuf_put_u8(w, BGP_ATTR_MP_UNREACH_NLRI);
			wbuf_put_u8(w, (uint8_t)vlen);
		}
		afi_safi_put(w, AF_INET6);
		for (size_t i = 0; i < k; i++)
			pfx_put(w, &pfx[i]);
	}
	int rc = bgp_msg_finish(w, start, max);
	return rc ? rc : (long)k;
}

int bgp_update_encode_eor(struct wbuf *w, enum bgp_family fam)
{
	size_t start = bgp_msg_begin(w, BGP_MSG_UPDATE);
	/* RFC 4724 2: IPv4 unicast uses the empty UPDATE; other families an
	 * MP_UNREACH_NLRI with only AFI/SAFI. */
	wbuf_put_u16(w, 0);
	if (fam == BGP_FAM_IPV4_UNICAST) {
		wbuf_put_u16(w, 0);
	} else if (fam == BGP_FAM_IPV6_UNICAST) {
		wbuf_put_u16(w, 6);
		wbuf_put_u8(w, BGP_ATTR_F_OPTIONAL);
		wbuf_put_u8(w, BGP_ATTR_MP_UNREACH_NLRI);
		wbuf_put_u8(w, 3);
		afi_safi_put(w, AF_INET6);
	} else {
		wbuf_truncate(w, start);
		return -EINVAL;
	}
	return bgp_msg_finish(w, start, BGP_MAX_MSG);
}
