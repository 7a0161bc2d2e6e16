/* Per-attribute decoding with RFC 7606 error handling, table driven: one
 * row per attribute code with the flags it must carry, its length rule,
 * its decoder and the action a malformed value gets.
 *
 * Order of checks for a known attribute (RFC 7606 3 and 7.x):
 *   1. a repeat of an attribute already met: MP_REACH/MP_UNREACH reset the
 *      session (3/1), others are dropped (RFC 7606 3);
 *   2. attributes an eBGP peer must not send are discarded whatever their
 *      contents (RFC 7606 7.5, 7.9, 7.10), and AS4_PATH/AS4_AGGREGATOR
 *      from a 4-octet peer likewise (RFC 6793 6);
 *   3. Optional/Transitive flags that do not match: treat-as-withdraw
 *      (RFC 7606 3);
 *   4. the length rule, then the value: the row's action. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/attr_priv.h"

#define F_O BGP_ATTR_F_OPTIONAL
#define F_T BGP_ATTR_F_TRANSITIVE

enum len_rule { LEN_ANY, LEN_EXACT, LEN_MULT /* non-zero multiple */ };

typedef int (*attr_decode_fn)(struct bgp_update_dec *d, struct rbuf *v);

struct attr_row {
	uint8_t code;
	uint8_t flags;       /* expected Optional and Transitive bits */
	uint8_t len_rule;
	uint8_t len;         /* the exact length or the multiple */
	uint8_t action;      /* what a malformed value gets */
	uint8_t val_sub;     /* RFC 4271 6.3 subcode of a bad value */
	bool ebgp_discard;   /* dropped when sent by an eBGP peer */
	attr_decode_fn decode;
	const char *bad;     /* reason for a bad value */
};

static int dec_origin(struct bgp_update_dec *d, struct rbuf *v)
{
	uint8_t o;
	if (rbuf_get_u8(v, &o) || o > BGP_ORIGIN_INCOMPLETE)
		return -EBADMSG; /* RFC 7606 7.1 */
	d->a->origin = o;
	return 0;
}

static int dec_aspath(struct bgp_update_dec *d, struct rbuf *v)
{
	uint8_t *segs;
	size_t len;
	bool confed;
	int rc = bgp_aspath_parse(v->p, v->left, d->ctx->as4 ? 4 : 2, &segs, &len, &confed);
	if (rc)
		return rc;
	/* RFC 5065 5: confederation segments from a peer outside our
	 * confederation (we are in none) make the AS_PATH malformed. */
	if ((confed && d->ctx->ebgp) || len > 65535) {
		free(segs);
		return -EBADMSG;
	}
	free(bgp_attrs_mut(d->a)->aspath);
	bgp_attrs_mut(d->a)->aspath = segs;
	d->a->aspath_len = (uint16_t)len;
	return 0;
}

static int dec_nexthop(struct bgp_update_dec *d, struct rbuf *v)
{
	uint32_t nh;
	if (rbuf_get_u32(v, &nh))
		return -EBADMSG;
	/* RFC 4271 6.3: a semantically wrong NEXT_HOP (unspecified,
	 * multicast, class E, broadcast) means the routes are ignored
	 * without a NOTIFICATION: treat-as-withdraw. */
	if (nh == 0 || nh >= 0xe0000000u)
		return -EBADMSG;
	d->a->nexthop.s_addr = htonl(nh);
	return 0;
}

static int dec_med(struct bgp_update_dec *d, struct rbuf *v)
{
	return rbuf_get_u32(v, &d->a->med);
}

static int dec_local_pref(struct bgp_update_dec *d, struct rbuf *v)
{
	return rbuf_get_u32(v, &d->a->local_pref);
}

static int dec_atomic(struct bgp_update_dec *d, struct rbuf *v)
{
	return 0;
}

static int dec_aggregator(struct bgp_update_dec *d, struct rbuf *v)
{
	uint32_t as, id;
	uint16_t as16;
	/* RFC 7606 7.7: 6 octets, or 8 when both sides are 4-octet capable. */
	if (rbuf_left(v) != (d->ctx->as4 ? 8u : 6u))
		return -EBADMSG;
	if (d->ctx->as4) {
		if (rbuf_get_u32(v, &as))
			return -EBADMSG;
	} else {
		if (rbuf_get_u16(v, &as16))
			return -EBADMSG;
		as = as16;
	}
	if (rbuf_get_u32(v, &id) || as == 0) /* RFC 7607 2 */
		return -EBADMSG;
	bgp_attrs_mut(d->a)->agg = (struct bgp_aggregator){ as, id };
	return 0;
}

static int dec_communities(struct bgp_update_dec *d, struct rbuf *v)
{
	size_t n = rbuf_left(v) / 4;
	uint32_t *c = malloc(n * sizeof(*c));
	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		(void)rbuf_get_u32(v, &c[i]);
	free(bgp_attrs_mut(d->a)->communities);
	bgp_attrs_mut(d->a)->communities = c;
	d->a->n_communities = (uint16_t)n;
	return 0;
}

/* ORIGINATOR_ID and CLUSTER_LIST (RFC 4456) are checked but not kept: we
 * are not a route reflector and never reflect them on. */
static int dec_checked_only(struct bgp_update_dec *d, struct rbuf *v)
{
	return 0;
}

static int dec_ext_communities(struct bgp_update_dec *d, struct rbuf *v)
{
	size_t n = rbuf_left(v);
	uint8_t *c = malloc(n);
	if (!c)
		return -ENOMEM;
	(void)rbuf_get_bytes(v, c, n);
	free(bgp_attrs_mut(d->a)->ext_communities);
	bgp_attrs_mut(d->a)->ext_communities = c;
	d->a->n_ext_communities = (uint16_t)(n / 8);
	return 0;
}

static int dec_as4_path(struct bgp_update_dec *d, struct rbuf *v)
{
	uint8_t *segs, *stripped;
	size_t len, slen;
	bool confed;
	/* RFC 6793 6: malformed if the length is odd or under 6, or a
	 * segment is empty, overruns, or has an unknown type. */
	if (rbuf_left(v) < 6 || rbuf_left(v) % 2)
		return -EBADMSG;
	int rc = bgp_aspath_parse(v->p, v->left, 4, &segs, &len, &confed);
	if (rc)
		return rc;
	/* RFC 6793 6: confederation segments in AS4_PATH are dropped and
	 * the rest is used. */
	rc = bgp_aspath_strip_confed(segs, len, &stripped, &slen);
	free(segs);
	if (rc)
		return rc;
	free(d->as4path);
	d->as4path = stripped;
	d->as4path_len = slen;
	return 0;
}

static int dec_as4_aggregator(struct bgp_update_dec *d, struct rbuf *v)
{
	uint32_t as, id;
	if (rbuf_get_u32(v, &as) || rbuf_get_u32(v, &id) || as == 0)
		return -EBADMSG;
	d->as4agg = true;
	d->as4agg_as = as;
	d->as4agg_id = id;
	return 0;
}

static int dec_large_communities(struct bgp_update_dec *d, struct rbuf *v)
{
	size_t n = rbuf_left(v) / 12;
	struct bgp_large_community *c = malloc(n * sizeof(*c));
	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		(void)rbuf_get_u32(v, &c[i].global);
		(void)rbuf_get_u32(v, &c[i].local1);
		(void)rbuf_get_u32(v, &c[i].local2);
	}
	free(bgp_attrs_mut(d->a)->large_communities);
	bgp_attrs_mut(d->a)->large_communities = c;
	d->a->n_large_communities = (uint16_t)n;
	return 0;
}

/* MP_REACH_NLRI and MP_UNREACH_NLRI have rows for their flags; their
 * bodies are decoded by update_decode.c, which owns the NLRI lists. */
static const struct attr_row attr_table[] = {
	/* code                        flags      length       action / value subcode */
	{BGP_ATTR_ORIGIN, F_T, LEN_EXACT, 1, BGP_UPD_TREAT_AS_WITHDRAW, BGP_ERR_UPD_ORIGIN,
	 false, dec_origin, "invalid ORIGIN"},                               /* 7606 7.1 */
	{BGP_ATTR_AS_PATH, F_T, LEN_ANY, 0, BGP_UPD_TREAT_AS_WITHDRAW, BGP_ERR_UPD_AS_PATH,
	 false, dec_aspath, "malformed AS_PATH"},                            /* 7606 7.2 */
	{BGP_ATTR_NEXT_HOP, F_T, LEN_EXACT, 4, BGP_UPD_TREAT_AS_WITHDRAW, BGP_ERR_UPD_NEXT_HOP,
	 false, dec_nexthop, "invalid NEXT_HOP"},                            /* 7606 7.3 */
	{BGP_ATTR_MED, F_O, LEN_EXACT, 4, BGP_UPD_TREAT_AS_WITHDRAW, BGP_ERR_UPD_OPTIONAL_ATTR,
	 false, dec_med, "malformed MULTI_EXIT_DISC"},                       /* 7606 7.4 */
	{BGP_ATTR_LOCAL_PREF, F_T, LEN_EXACT, 4, BGP_UPD_TREAT_AS_WITHDRAW, BGP_ERR_UPD_ATTR_LEN,
	 true, dec_local_pref, "malformed LOCAL_PREF"},                      /* 7606 7.5 */
	{BGP_ATTR_ATOMIC_AGGREGATE, F_T, LEN_EXACT, 0, BGP_UPD_ATTR_DISCARD, BGP_ERR_UPD_ATTR_LEN,
	 false, dec_atomic, "malformed ATOMIC_AGGREGATE"},                   /* 7606 7.6 */
	{BGP_ATTR_AGGREGATOR, F_O | F_T, LEN_ANY, 0, BGP_UPD_ATTR_DISCARD,
	 BGP_ERR_UPD_OPTIONAL_ATTR, false, dec_aggregator, "malformed AGGREGATOR"}, /* 7606 7.7 */
	{BGP_ATTR_COMMUNITIES, F_O | F_T, LEN_MULT, 4, BGP_UPD_TREAT_AS_WITHDRAW,
	 BGP_ERR_UPD_OPTIONAL_ATTR, false, dec_communities, "malformed COMMUNITIES"}, /* 7606 7.8 */
	{BGP_ATTR_ORIGINATOR_ID, F_O, LEN_EXACT, 4, BGP_UPD_TREAT_AS_WITHDRAW,
	 BGP_ERR_UPD_OPTIONAL_ATTR, true, dec_checked_only, "malformed ORIGINATOR_ID"}, /* 7.9 */
	{BGP_ATTR_CLUSTER_LIST, F_O, LEN_MULT, 4, BGP_UPD_TREAT_AS_WITHDRAW,
	 BGP_ERR_UPD_OPTIONAL_ATTR, true, dec_checked_only, "malformed CLUSTER_LIST"}, /* 7.10 */
	{BGP_ATTR_MP_REACH_NLRI, F_O, LEN_ANY, 0, BGP_UPD_AFISAFI_DISABLE,
	 BGP_ERR_UPD_OPTIONAL_ATTR, false, NULL, "malformed MP_REACH_NLRI"}, /* 7606 7.11 */
	{BGP_ATTR_MP_UNREACH_NLRI, F_O, LEN_ANY, 0, BGP_UPD_AFISAFI_DISABLE,
	 BGP_ERR_UPD_OPTIONAL_ATTR, false, NULL, "malformed MP_UNREACH_NLRI"}, /* 7606 7.12 */
	{BGP_ATTR_EXT_COMMUNITIES, F_O | F_T, LEN_MULT, 8, BGP_UPD_TREAT_AS_WITHDRAW,
	 BGP_ERR_UPD_OPTIONAL_ATTR, false, dec_ext_communities,
	 "malformed EXTENDED_COMMUNITIES"},                                  /* 7606 7.14 */
	{BGP_ATTR_AS4_PATH, F_O | F_T, LEN_ANY, 0, BGP_UPD_ATTR_DISCARD, BGP_ERR_UPD_OPTIONAL_ATTR,
	 false, dec_as4_path, "malformed AS4_PATH"},                         /* 6793 6 */
	{BGP_ATTR_AS4_AGGREGATOR, F_O | F_T, LEN_EXACT, 8, BGP_UPD_ATTR_DISCARD,
	 BGP_ERR_UPD_OPTIONAL_ATTR, false, dec_as4_aggregator, "malformed AS4_AGGREGATOR"},
	{BGP_ATTR_LARGE_COMMUNITIES, F_O | F_T, LEN_MULT, 12, BGP_UPD_TREAT_AS_WITHDRAW,
	 BGP_ERR_UPD_OPTIONAL_ATTR, false, dec_large_communities,
	 "malformed LARGE_COMMUNITIES"},                                     /* 8092 6 */
};

static const struct attr_row *attr_row_find(uint8_t code)
{
	for (size_t i = 0; i < sizeof(attr_table) / sizeof(attr_table[0]); i++)
		if (attr_table[i].code == code)
			return &attr_table[i];
	return NULL;
}

static bool seen_test_set(struct bgp_update_dec *d, uint8_t code)
{
	bool was = d->seen[code / 8] & (1u << (code % 8));
	d->seen[code / 8] |= (uint8_t)(1u << (code % 8));
	return was;
}

static int keep_unknown(struct bgp_update_dec *d, uint8_t flags, uint8_t code,
			const uint8_t *val, size_t vlen)
{
	struct bgp_attrs *a = d->a;
	struct bgp_attrs_mut *m = bgp_attrs_mut(a);
	struct bgp_attr_raw *n = realloc(m->unknown, (a->n_unknown + 1u) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	m->unknown = n;
	uint8_t *data = NULL;
	if (vlen) {
		data = malloc(vlen);
		if (!data)
			return -ENOMEM;
		memcpy(data, val, vlen);
	}
	/* RFC 4271 5 / 9.1.1: passed on as received, Partial set because
	 * we did not understand it. The extended-length bit is recomputed
	 * when we send it. */
	n[a->n_unknown++] = (struct bgp_attr_raw){
		.flags = (uint8_t)((flags & (F_O | F_T | BGP_ATTR_F_PARTIAL)) | BGP_ATTR_F_PARTIAL),
		.code = code,
		.len = (uint16_t)vlen,
		.data = data,
	};
	return 0;
}

int bgp_attr_decode_one(struct bgp_update_dec *d, uint8_t flags, uint8_t code,
			const uint8_t *val, size_t vlen, const uint8_t *raw, size_t raw_len)
{
	bool mp = code == BGP_ATTR_MP_REACH_NLRI || code == BGP_ATTR_MP_UNREACH_NLRI;

	if (seen_test_set(d, code)) {
		if (mp) /* RFC 7606 3 */
			bgp_update_dec_error(d, BGP_UPD_SESSION_RESET, code,
					     "MP_REACH/MP_UNREACH repeated", BGP_ERR_UPD_ATTR_LIST,
					     NULL, 0);
		else
			bgp_update_dec_error(d, BGP_UPD_ATTR_DISCARD, code,
					     "attribute repeated, first kept", 0, NULL, 0);
		return 0;
	}
	if (code != BGP_ATTR_MP_UNREACH_NLRI)
		d->other_attrs = true;

	const struct attr_row *row = attr_row_find(code);
	if (!row) {
		if (!(flags & F_O)) { /* RFC 4271 6.3, kept by RFC 7606 */
			bgp_update_dec_error(d, BGP_UPD_SESSION_RESET, code,
					     "unrecognized well-known attribute",
					     BGP_ERR_UPD_UNKNOWN_WELLKNOWN, raw, raw_len);
			return 0;
		}
		if (flags & F_T)
			return keep_unknown(d, flags, code, val, vlen);
		return 0; /* unknown optional non-transitive: quietly ignored */
	}

	bool flags_ok = (flags & (F_O | F_T)) == row->flags;
	if (mp)
		return bgp_update_decode_mp(d, code == BGP_ATTR_MP_REACH_NLRI, flags_ok, val, vlen,
					    raw, raw_len);
	if (row->ebgp_discard && d->ctx->ebgp) {
		bgp_update_dec_error(d, BGP_UPD_ATTR_DISCARD, code,
				     "attribute not accepted from an eBGP peer", 0, NULL, 0);
		return 0;
	}
	if ((code == BGP_ATTR_AS4_PATH || code == BGP_ATTR_AS4_AGGREGATOR) && d->ctx->as4) {
		bgp_update_dec_error(d, BGP_UPD_ATTR_DISCARD, code,
				     "AS4 attribute from a 4-octet peer", 0, NULL, 0);
		return 0;
	}
	if (!flags_ok) {
		bgp_update_dec_error(d, BGP_UPD_TREAT_AS_WITHDRAW, code, "attribute flags error",
				     BGP_ERR_UPD_ATTR_FLAGS, raw, raw_len);
		return 0;
	}
	bool len_ok = row->len_rule == LEN_ANY ||
		      (row->len_rule == LEN_EXACT && vlen == row->len) ||
		      (row->len_rule == LEN_MULT && vlen > 0 && vlen % row->len == 0);
	if (!len_ok) {
		bgp_update_dec_error(d, row->action, code, "attribute length error",
				     BGP_ERR_UPD_ATTR_LEN, raw, raw_len);
		return 0;
	}
	struct rbuf v;
	rbuf_init(&v, val, vlen);
	int rc = row->decode(d, &v);
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		/* RFC 4271 6.3 gives no data for a malformed AS_PATH. */
		bool nodata = row->val_sub == BGP_ERR_UPD_AS_PATH;
		bgp_update_dec_error(d, row->action, code, row->bad, row->val_sub,
				     nodata ? NULL : raw, nodata ? 0 : raw_len);
		return 0;
	}
	if (code < 64 && code != BGP_ATTR_AS4_PATH && code != BGP_ATTR_AS4_AGGREGATOR &&
	    code != BGP_ATTR_ORIGINATOR_ID && code != BGP_ATTR_CLUSTER_LIST)
		d->a->present |= BGP_ATTR_BIT(code);
	return 0;
}

static int raw_cmp(const void *x, const void *y)
{
	const struct bgp_attr_raw *a = x, *b = y;
	return (int)a->code - (int)b->code;
}

int bgp_attr_decode_finish(struct bgp_update_dec *d)
{
	struct bgp_attrs *a = d->a;
	int rc = 0;

	if (!d->ctx->as4 && bgp_attrs_has(a, BGP_ATTR_AS_PATH)) {
		bool agg = bgp_attrs_has(a, BGP_ATTR_AGGREGATOR);
		/* RFC 6793 4.2.3: an AGGREGATOR naming a real 2-octet AS
		 * means the AS4 attributes are stale and are ignored. */
		if (agg && bgp_attrs_aggregator(a).as != BGP_AS_TRANS) {
			if (d->as4path || d->as4agg)
				bgp_update_dec_error(d, BGP_UPD_OK, BGP_ATTR_AS4_PATH,
						     "AS4 attributes ignored: AGGREGATOR not AS_TRANS",
						     0, NULL, 0);
		} else {
			if (agg && d->as4agg) {
				bgp_attrs_mut(a)->agg =
					(struct bgp_aggregator){ d->as4agg_as, d->as4agg_id };
			}
			if (d->as4path) {
				uint8_t *m;
				size_t mlen;
				rc = bgp_aspath_merge_as4(bgp_attrs_aspath(a), a->aspath_len,
							  d->as4path, d->as4path_len, &m, &mlen);
				if (!rc && mlen > 65535) {
					free(m);
				} else if (!rc) {
					free(bgp_attrs_mut(a)->aspath);
					bgp_attrs_mut(a)->aspath = m;
					a->aspath_len = (uint16_t)mlen;
				}
			}
		}
	}
	free(d->as4path);
	d->as4path = NULL;
	/* Ascending type order, the order they go out in, so that equal
	 * sets compare equal whatever order a peer used. */
	if (a->n_unknown > 1)
		qsort(bgp_attrs_mut(a)->unknown, a->n_unknown, sizeof(struct bgp_attr_raw),
		      raw_cmp);
	return rc;
}
