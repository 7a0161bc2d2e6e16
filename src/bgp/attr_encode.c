/* Path attribute encoding for one peer: ascending type order, unknown
 * transitive attributes merged in by type with the Partial bit, and the
 * RFC 6793 4.2.2 AS_TRANS/AS4_PATH/AS4_AGGREGATOR forms for 2-octet
 * peers. MP_REACH/MP_UNREACH are written by update_encode.c, first. */
#include <errno.h>
#include <stdlib.h>

#include "bgp/attr_priv.h"

#define F_O BGP_ATTR_F_OPTIONAL
#define F_T BGP_ATTR_F_TRANSITIVE

void bgp_attr_put(struct wbuf *w, uint8_t flags, uint8_t code, const void *val, size_t len)
{
	if (len > 65535) {
		w->err = w->err ? w->err : -EMSGSIZE;
		return;
	}
	/* RFC 4271 4.3: the extended length form only when needed. */
	if (len > 255) {
		wbuf_put_u8(w, flags | BGP_ATTR_F_EXTLEN);
		wbuf_put_u8(w, code);
		wbuf_put_u16(w, (uint16_t)len);
	} else {
		wbuf_put_u8(w, flags & (uint8_t)~BGP_ATTR_F_EXTLEN);
		wbuf_put_u8(w, code);
		wbuf_put_u8(w, (uint8_t)len);
	}
	wbuf_put_bytes(w, val, len);
}

static void put_u32_attr(struct wbuf *w, uint8_t flags, uint8_t code, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	bgp_attr_put(w, flags, code, b, 4);
}

/* Writes the value built in tmp as attribute (flags, code). */
static void put_tmp(struct wbuf *w, struct wbuf *tmp, uint8_t flags, uint8_t code)
{
	if (wbuf_status(tmp)) {
		if (!w->err)
			w->err = wbuf_status(tmp);
	} else {
		bgp_attr_put(w, flags, code, tmp->data, tmp->len);
	}
	wbuf_reset(tmp);
}

static void put_aggregator(struct wbuf *w, const struct bgp_attrs *a, bool as4)
{
	struct wbuf t;
	uint8_t mem[8];
	wbuf_init_fixed(&t, mem, sizeof(mem));
	struct bgp_aggregator g = bgp_attrs_aggregator(a);
	if (as4) {
		wbuf_put_u32(&t, g.as);
	} else {
		/* RFC 6793 4.2.2: AS_TRANS, the real AS goes in AS4_AGGREGATOR. */
		wbuf_put_u16(&t, g.as > 0xffff ? BGP_AS_TRANS : (uint16_t)g.as);
	}
	wbuf_put_u32(&t, g.id);
	bgp_attr_put(w, F_O | F_T, BGP_ATTR_AGGREGATOR, t.data, t.len);
}

static int put_unknown_below(struct wbuf *w, const struct bgp_attrs *a, unsigned *i,
			     unsigned code_limit)
{
	const struct bgp_attr_raw *u = bgp_attrs_unknown(a);
	for (; *i < a->n_unknown && u[*i].code < code_limit; (*i)++) {
		const struct bgp_attr_raw *r = &u[*i];
		/* RFC 4271 5: unrecognized transitive attributes go on with
		 * the Partial bit set, value untouched. */
		uint8_t flags = (uint8_t)((r->flags & (F_O | F_T)) | BGP_ATTR_F_PARTIAL);
		bgp_attr_put(w, flags, r->code, r->data, r->len);
	}
	return 0;
}

int bgp_attrs_encode(const struct bgp_attrs *a, const struct bgp_encode_ctx *ctx,
		     struct wbuf *w)
{
	struct wbuf t;
	unsigned ui = 0;
	wbuf_init(&t, 65535);

	/* Each block writes one type; unknown ones in between by code. */
	put_unknown_below(w, a, &ui, BGP_ATTR_ORIGIN);
	if (bgp_attrs_has(a, BGP_ATTR_ORIGIN)) {
		uint8_t o = a->origin;
		bgp_attr_put(w, F_T, BGP_ATTR_ORIGIN, &o, 1);
	}
	put_unknown_below(w, a, &ui, BGP_ATTR_AS_PATH);
	bool want_as4path = false;
	if (bgp_attrs_has(a, BGP_ATTR_AS_PATH)) {
		if (ctx->as4) {
			bgp_attr_put(w, F_T, BGP_ATTR_AS_PATH, bgp_attrs_aspath(a), a->aspath_len);
		} else {
			bgp_aspath_put_as2(bgp_attrs_aspath(a), a->aspath_len, &t);
			put_tmp(w, &t, F_T, BGP_ATTR_AS_PATH);
			want_as4path = bgp_aspath_has_as4(bgp_attrs_aspath(a), a->aspath_len);
		}
	}
	put_unknown_below(w, a, &ui, BGP_ATTR_NEXT_HOP);
	if (bgp_attrs_has(a, BGP_ATTR_NEXT_HOP))
		bgp_attr_put(w, F_T, BGP_ATTR_NEXT_HOP, &a->nexthop.s_addr, 4);
	put_unknown_below(w, a, &ui, BGP_ATTR_MED);
	if (bgp_attrs_has(a, BGP_ATTR_MED))
		put_u32_attr(w, F_O, BGP_ATTR_MED, a->med);
	put_unknown_below(w, a, &ui, BGP_ATTR_LOCAL_PREF);
	/* RFC 4271 5.1.5: LOCAL_PREF never goes to an external peer. */
	if (bgp_attrs_has(a, BGP_ATTR_LOCAL_PREF) && !ctx->ebgp)
		put_u32_attr(w, F_T, BGP_ATTR_LOCAL_PREF, a->local_pref);
	put_unknown_below(w, a, &ui, BGP_ATTR_ATOMIC_AGGREGATE);
	if (bgp_attrs_has(a, BGP_ATTR_ATOMIC_AGGREGATE))
		bgp_attr_put(w, F_T, BGP_ATTR_ATOMIC_AGGREGATE, NULL, 0);
	put_unknown_below(w, a, &ui, BGP_ATTR_AGGREGATOR);
	if (bgp_attrs_has(a, BGP_ATTR_AGGREGATOR))
		put_aggregator(w, a, ctx->as4);
	put_unknown_below(w, a, &ui, BGP_ATTR_COMMUNITIES);
	if (bgp_attrs_has(a, BGP_ATTR_COMMUNITIES) && a->n_communities) {
		for (unsigned i = 0; i < a->n_communities; i++)
			wbuf_put_u32(&t, bgp_attrs_communities(a)[i]);
		put_tmp(w, &t, F_O | F_T, BGP_ATTR_COMMUNITIES);
	}
	put_unknown_below(w, a, &ui, BGP_ATTR_EXT_COMMUNITIES);
	if (bgp_attrs_has(a, BGP_ATTR_EXT_COMMUNITIES) && a->n_ext_communities)
		bgp_attr_put(w, F_O | F_T, BGP_ATTR_EXT_COMMUNITIES, bgp_attrs_ext_communities(a),
			     (size_t)a->n_ext_communities * 8);
	put_unknown_below(w, a, &ui, BGP_ATTR_AS4_PATH);
	if (want_as4path) {
		/* RFC 6793 4.2.2: the real path without confederation
		 * segments, only when it holds a 4-octet ASN. */
		uint8_t *s;
		size_t sl;
		int rc = bgp_aspath_strip_confed(bgp_attrs_aspath(a), a->aspath_len, &s, &sl);
		if (rc) {
			wbuf_free(&t);
			return rc;
		}
		bgp_attr_put(w, F_O | F_T, BGP_ATTR_AS4_PATH, s, sl);
		free(s);
	}
	put_unknown_below(w, a, &ui, BGP_ATTR_AS4_AGGREGATOR);
	struct bgp_aggregator g = bgp_attrs_aggregator(a);
	if (!ctx->as4 && bgp_attrs_has(a, BGP_ATTR_AGGREGATOR) && g.as > 0xffff) {
		wbuf_put_u32(&t, g.as);
		wbuf_put_u32(&t, g.id);
		put_tmp(w, &t, F_O | F_T, BGP_ATTR_AS4_AGGREGATOR);
	}
	put_unknown_below(w, a, &ui, BGP_ATTR_LARGE_COMMUNITIES);
	if (bgp_attrs_has(a, BGP_ATTR_LARGE_COMMUNITIES) && a->n_large_communities) {
		const struct bgp_large_community *lc = bgp_attrs_large_communities(a);
		for (unsigned i = 0; i < a->n_large_communities; i++) {
			wbuf_put_u32(&t, lc[i].global);
			wbuf_put_u32(&t, lc[i].local1);
			wbuf_put_u32(&t, lc[i].local2);
		}
		put_tmp(w, &t, F_O | F_T, BGP_ATTR_LARGE_COMMUNITIES);
	}
	put_unknown_below(w, a, &ui, 256);
	wbuf_free(&t);
	return wbuf_status(w);
}
