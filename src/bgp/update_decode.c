/* UPDATE decoding (RFC 4271 4.3) with RFC 7606 revised error handling.
 *
 * Every attribute is decoded even after an error, so that each problem
 * is recorded and the strongest action wins (RFC 7606 3); only a session
 * reset stops the work early, since nothing of the message is used then.
 * NLRI are always located by the lengths in the message, never by the
 * attributes (RFC 7606 4), so treat-as-withdraw can name every prefix. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/attr_priv.h"

const char *bgp_update_action_name(enum bgp_update_action a)
{
	switch (a) {
	case BGP_UPD_OK: return "none";
	case BGP_UPD_ATTR_DISCARD: return "attribute discard";
	case BGP_UPD_TREAT_AS_WITHDRAW: return "treat-as-withdraw";
	case BGP_UPD_AFISAFI_DISABLE: return "AFI/SAFI disable";
	case BGP_UPD_SESSION_RESET: return "session reset";
	}
	return "unknown";
}

/* NOTIFICATION data is sized by what really arrived, never more than
 * fits (bgp_notify_set clips to BGP_NOTIFY_DATA_MAX). */
static void notify_fill(struct bgp_notify *n, uint8_t sub, const void *data, size_t len)
{
	bgp_notify_set(n, BGP_ERR_UPDATE, sub, data, len);
}

void bgp_update_dec_error(struct bgp_update_dec *d, enum bgp_update_action act,
			  uint8_t code, const char *reason, uint8_t subcode,
			  const void *data, size_t data_len)
{
	struct bgp_update *u = d->u;
	if (u->n_diag < BGP_UPDATE_MAX_DIAG)
		u->diag[u->n_diag++] = (struct bgp_update_diag){act, code, reason};
	if (act == BGP_UPD_SESSION_RESET && u->action < BGP_UPD_SESSION_RESET)
		notify_fill(&u->notify, subcode, data, data_len);
	if (act == BGP_UPD_TREAT_AS_WITHDRAW)
		d->taw = true;
	if ((act == BGP_UPD_TREAT_AS_WITHDRAW || act == BGP_UPD_AFISAFI_DISABLE) &&
	    !d->have_pend) {
		notify_fill(&d->pend, subcode, data, data_len);
		d->have_pend = true;
	}
	if (act > u->action)
		u->action = act;
}

static int family_of(uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST)
		return -1;
	if (afi == BGP_AFI_IPV4)
		return BGP_FAM_IPV4_UNICAST;
	if (afi == BGP_AFI_IPV6)
		return BGP_FAM_IPV6_UNICAST;
	return -1;
}

static int pfx_push(struct prefix **arr, uint32_t *n, uint32_t *cap, const struct prefix *p)
{
	if (*n == *cap) {
		uint32_t nc = *cap ? *cap * 2 : 16;
		struct prefix *na = realloc(*arr, nc * sizeof(*na));
		if (!na)
			return -ENOMEM;
		*arr = na;
		*cap = nc;
	}
	(*arr)[(*n)++] = *p;
	return 0;
}

/* Prefixes in the RFC 4271 4.3 / RFC 4760 5 encoding: length in bits,
 * then the fewest octets holding it.  -EBADMSG when a length exceeds the
 * family's or a prefix overruns the field (RFC 7606 5.3). */
static int nlri_parse(struct bgp_update_dec *d, struct rbuf *r, uint8_t af, bool announce,
		      uint32_t *count)
{
	struct bgp_update *u = d->u;
	*count = 0;
	while (rbuf_left(r)) {
		struct prefix p;
		uint8_t bits;
		memset(&p, 0, sizeof(p));
		if (rbuf_get_u8(r, &bits) || bits > addr_bits(af))
			return -EBADMSG;
		size_t nbytes = (bits + 7u) / 8u;
		if (rbuf_get_bytes(r, p.addr.b, nbytes))
			return -EBADMSG;
		/* Bits past the length are irrelevant (RFC 4271 4.3): clear
		 * them so equal prefixes compare equal. */
		if (bits % 8)
			p.addr.b[nbytes - 1] &= (uint8_t)(0xff00u >> (bits % 8));
		p.addr.af = af;
		p.len = bits;
		int rc = announce ? pfx_push(&u->announced, &u->n_announced, &d->cap_a, &p)
				  : pfx_push(&u->withdrawn, &u->n_withdrawn, &d->cap_w, &p);
		if (rc)
			return rc;
		(*count)++;
	}
	return 0;
}

/* RFC 4760 7 / RFC 7606 7.11: a bad MP attribute stops its AFI/SAFI.  A
 * second family in the same message cannot be reported apart, so that
 * becomes a session reset (Optional Attribute Error, RFC 4760 7). */
static void mp_disable(struct bgp_update_dec *d, int fam, uint8_t code, const char *reason,
		       const uint8_t *raw, size_t raw_len)
{
	if (d->disable_set && d->u->disabled_family != fam) {
		bgp_update_dec_error(d, BGP_UPD_SESSION_RESET, code, reason,
				     BGP_ERR_UPD_OPTIONAL_ATTR, raw, raw_len);
		return;
	}
	d->disable_set = true;
	d->u->disabled_family = (uint8_t)fam;
	bgp_update_dec_error(d, BGP_UPD_AFISAFI_DISABLE, code, reason, BGP_ERR_UPD_OPTIONAL_ATTR,
			     raw, raw_len);
}

int bgp_update_decode_mp(struct bgp_update_dec *d, bool reach, bool flags_ok,
			 const uint8_t *val, size_t vlen, const uint8_t *raw, size_t raw_len)
{
	uint8_t code = reach ? BGP_ATTR_MP_REACH_NLRI : BGP_ATTR_MP_UNREACH_NLRI;
	struct rbuf v;
	uint16_t afi;
	uint8_t safi;

	rbuf_init(&v, val, vlen);
	/* Without AFI/SAFI nothing can be disabled: reset (RFC 7606 7.11). */
	if (rbuf_get_u16(&v, &afi) || rbuf_get_u8(&v, &safi)) {
		bgp_update_dec_error(d, BGP_UPD_SESSION_RESET, code,
				     "MP attribute too short for AFI/SAFI",
				     BGP_ERR_UPD_OPTIONAL_ATTR, raw, raw_len);
		return 0;
	}
	int fam = family_of(afi, safi);
	if (fam < 0 || !(d->ctx->families & BGP_FAM_BIT(fam))) {
		/* RFC 4760 7 (and 6): routes of a family not negotiated are
		 * ignored. They still count as reachable NLRI for 7606 5.2. */
		if (reach && rbuf_left(&v))
			d->reach_nlri = true;
		bgp_update_dec_error(d, BGP_UPD_OK, code, "AFI/SAFI not negotiated, ignored", 0,
				     NULL, 0);
		return 0;
	}
	uint8_t af = fam == BGP_FAM_IPV6_UNICAST ? AF_INET6 : AF_INET;
	uint32_t n;
	if (reach) {
		uint8_t nhlen;
		struct addr nh = {0}, ll = {0};
		if (rbuf_get_u8(&v, &nhlen) || rbuf_left(&v) < (size_t)nhlen + 1u) {
			d->reach_nlri = true; /* it meant to carry some */
			mp_disable(d, fam, code, "MP_REACH_NLRI too short", raw, raw_len);
			return 0;
		}
		/* RFC 4760 3, RFC 2545 3: 4 octets for IPv4; 16, or 32 with
		 * a link-local address, for IPv6. */
		bool ok = af == AF_INET ? nhlen == 4 : (nhlen == 16 || nhlen == 32);
		if (!ok) {
			d->reach_nlri = true;
			mp_disable(d, fam, code, "bad MP_REACH_NLRI next-hop length", raw, raw_len);
			return 0;
		}
		nh.af = af;
		(void)rbuf_get_bytes(&v, nh.b, addr_bytes(af));
		/* RFC 4271 6.3, as for NEXT_HOP: an unusable IPv4 next hop
		 * means the routes are ignored (treat-as-withdraw below). */
		uint32_t v4 = ntohl(nh.v4.s_addr);
		bool nh_bad = af == AF_INET && (v4 == 0 || v4 >= 0xe0000000u);
		if (nhlen == 32) {
			ll.af = AF_INET6;
			(void)rbuf_get_bytes(&v, ll.b, 16);
		}
		(void)rbuf_skip(&v, 1); /* reserved (RFC 4760 3) */
		int rc = nlri_parse(d, &v, af, true, &n);
		if (rc == -ENOMEM)
			return rc;
		if (rc) {
			d->reach_nlri = true;
			mp_disable(d, fam, code, "unparsable MP_REACH_NLRI prefixes", raw, raw_len);
			return 0;
		}
		if (bgp_attrs_set_mp_nexthop(d->a, &nh, &ll) < 0)
			return -ENOMEM;
		if (nh_bad)
			bgp_update_dec_error(d, BGP_UPD_TREAT_AS_WITHDRAW, code,
					     "invalid MP_REACH_NLRI next hop", BGP_ERR_UPD_OPTIONAL_ATTR,
					     raw, raw_len);
		if (n) {
			d->reach_nlri = true;
			d->reach_parsed = true;
		}
	} else {
		int rc = nlri_parse(d, &v, af, false, &n);
		if (rc == -ENOMEM)
			return rc;
		if (rc) {
			mp_disable(d, fam, code, "unparsable MP_UNREACH_NLRI prefixes", raw, raw_len);
			return 0;
		}
		if (n == 0) {
			d->unreach_empty = true;
			d->unreach_fam = fam;
		}
	}
	/* RFC 7606 3: wrong flags are treat-as-withdraw; the prefixes were
	 * decoded first so they can be withdrawn. */
	if (!flags_ok)
		bgp_update_dec_error(d, BGP_UPD_TREAT_AS_WITHDRAW, code, "attribute flags error",
				     BGP_ERR_UPD_ATTR_FLAGS, raw, raw_len);
	return 0;
}

/* RFC 7606 4: an attribute that runs past the attribute field.  When it
 * is an MP attribute whose family can be read, that family is disabled
 * (its NLRI cannot be found); the rest is treat-as-withdraw. */
static void attr_overrun(struct bgp_update_dec *d, uint8_t code, const uint8_t *raw,
			 size_t raw_len, const uint8_t *val, size_t have)
{
	if (code == BGP_ATTR_MP_REACH_NLRI)
		d->reach_nlri = true; /* it meant to carry some (RFC 7606 5.2) */
	if (code == BGP_ATTR_MP_REACH_NLRI || code == BGP_ATTR_MP_UNREACH_NLRI) {
		if (have < 3) {
			bgp_update_dec_error(d, BGP_UPD_SESSION_RESET, code,
					     "MP attribute overruns the attributes",
					     BGP_ERR_UPD_OPTIONAL_ATTR, raw, raw_len);
			return;
		}
		int fam = family_of((uint16_t)((val[0] << 8) | val[1]), val[2]);
		if (fam >= 0 && (d->ctx->families & BGP_FAM_BIT(fam)))
			mp_disable(d, fam, code, "MP attribute overruns the attributes", raw,
				   raw_len);
	}
	bgp_update_dec_error(d, BGP_UPD_TREAT_AS_WITHDRAW, code,
			     "attribute overruns the attribute field", BGP_ERR_UPD_ATTR_LEN, raw,
			     raw_len);
}

static int attrs_parse(struct bgp_update_dec *d, struct rbuf *r)
{
	while (rbuf_left(r)) {
		const uint8_t *start = r->p;
		size_t left = rbuf_left(r);
		uint8_t flags, code;
		uint16_t vlen;
		uint8_t l8;

		/* RFC 7606 4: too few octets for a header is treat-as-withdraw. */
		if (left < 3 || ((start[0] & BGP_ATTR_F_EXTLEN) && left < 4)) {
			bgp_update_dec_error(d, BGP_UPD_TREAT_AS_WITHDRAW, 0,
					     "truncated attribute header", BGP_ERR_UPD_ATTR_LIST,
					     NULL, 0);
			return 0;
		}
		(void)rbuf_get_u8(r, &flags);
		(void)rbuf_get_u8(r, &code);
		if (flags & BGP_ATTR_F_EXTLEN) {
			(void)rbuf_get_u16(r, &vlen);
		} else {
			(void)rbuf_get_u8(r, &l8);
			vlen = l8;
		}
		size_t hdr = left - rbuf_left(r);
		if (rbuf_left(r) < vlen) {
			attr_overrun(d, code, start, left, r->p, rbuf_left(r));
			return 0;
		}
		const uint8_t *val = r->p;
		(void)rbuf_skip(r, vlen);
		int rc = bgp_attr_decode_one(d, flags, code, val, vlen, start, hdr + vlen);
		if (rc)
			return rc;
		if (d->u->action == BGP_UPD_SESSION_RESET)
			return 0;
	}
	return 0;
}

/* RFC 7606 3.d: missing well-known mandatory attributes when there are
 * routes to install; NEXT_HOP only for routes in the NLRI field (RFC 4760
 * 3 makes it unnecessary with MP_REACH_NLRI). */
static void check_mandatory(struct bgp_update_dec *d, bool v4_nlri)
{
	static const uint8_t need[] = {BGP_ATTR_ORIGIN, BGP_ATTR_AS_PATH, BGP_ATTR_NEXT_HOP};
	for (size_t i = 0; i < sizeof(need); i++) {
		uint8_t c = need[i];
		if (c == BGP_ATTR_NEXT_HOP && !v4_nlri)
			continue;
		if (!(d->seen[c / 8] & (1u << (c % 8))))
			bgp_update_dec_error(d, BGP_UPD_TREAT_AS_WITHDRAW, c,
					     "missing well-known attribute",
					     BGP_ERR_UPD_MISSING_WELLKNOWN, &c, 1);
	}
}

static void drop_family(struct prefix *arr, uint32_t *n, uint8_t af)
{
	uint32_t w = 0;
	for (uint32_t i = 0; i < *n; i++)
		if (arr[i].addr.af != af)
			arr[w++] = arr[i];
	*n = w;
}

/* Treat-as-withdraw (RFC 7606 2): every announced prefix is withdrawn. */
static int announce_to_withdraw(struct bgp_update_dec *d)
{
	struct bgp_update *u = d->u;
	for (uint32_t i = 0; i < u->n_announced; i++) {
		int rc = pfx_push(&u->withdrawn, &u->n_withdrawn, &d->cap_w, &u->announced[i]);
		if (rc)
			return rc;
	}
	u->n_announced = 0;
	return 0;
}

int bgp_update_decode(const uint8_t *body, size_t len, const struct bgp_decode_ctx *ctx,
		      struct bgp_update *u)
{
	struct bgp_update_dec dec;
	struct bgp_update_dec *d = &dec;
	struct rbuf r, wd, at;
	uint16_t wlen, alen;
	uint32_t n_v4 = 0;
	int rc = 0;

	memset(u, 0, sizeof(*u));
	memset(&dec, 0, sizeof(dec));
	d->ctx = ctx;
	d->u = u;
	rbuf_init(&r, body, len);
	/* RFC 4271 6.3 (kept by RFC 7606 3): lengths that do not add up are
	 * a Malformed Attribute List and reset the session. */
	if (rbuf_get_u16(&r, &wlen) || rbuf_get_sub(&r, wlen, &wd) || rbuf_get_u16(&r, &alen) ||
	    rbuf_get_sub(&r, alen, &at)) {
		bgp_update_dec_error(d, BGP_UPD_SESSION_RESET, 0,
				     "withdrawn/attribute lengths exceed the message",
				     BGP_ERR_UPD_ATTR_LIST, NULL, 0);
		return 0;
	}
	if (wlen == 0 && alen == 0 && rbuf_left(&r) == 0) {
		u->end_of_rib = true; /* RFC 4724 2: IPv4 unicast End-of-RIB */
		u->eor_family = BGP_FAM_IPV4_UNICAST;
		return 0;
	}
	uint32_t n;
	rc = nlri_parse(d, &wd, AF_INET, false, &n);
	if (rc == -EBADMSG) { /* RFC 7606 5.3 */
		bgp_update_dec_error(d, BGP_UPD_SESSION_RESET, 0, "bad withdrawn prefix",
				     BGP_ERR_UPD_NETWORK, NULL, 0);
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;

	d->a = bgp_attrs_new();
	if (!d->a) {
		rc = -ENOMEM;
		goto out;
	}
	rc = attrs_parse(d, &at);
	if (rc || u->action == BGP_UPD_SESSION_RESET)
		goto out;
	rc = nlri_parse(d, &r, AF_INET, true, &n_v4);
	if (rc == -EBADMSG) { /* RFC 7606 5.3 */
		bgp_update_dec_error(d, BGP_UPD_SESSION_RESET, 0, "bad NLRI prefix",
				     BGP_ERR_UPD_NETWORK, NULL, 0);
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	if (n_v4)
		d->reach_nlri = true;
	rc = bgp_attr_decode_finish(d);
	if (rc)
		goto out;
	if (n_v4 || d->reach_parsed)
		check_mandatory(d, n_v4 > 0);
	/* RFC 4760 3: NEXT_HOP is for the NLRI field; without IPv4 NLRI a
	 * received NEXT_HOP is ignored. */
	if (!n_v4) {
		d->a->present &= ~BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
		d->a->nexthop.s_addr = 0;
	}

	/* RFC 7606 5.2: attributes but no reachable NLRI, and an error
	 * stronger than attribute discard: the NLRI may not have been found
	 * correctly, so only a session reset is safe. */
	if (d->other_attrs && !d->reach_nlri && u->action >= BGP_UPD_TREAT_AS_WITHDRAW &&
	    u->action < BGP_UPD_SESSION_RESET) {
		if (u->n_diag < BGP_UPDATE_MAX_DIAG)
			u->diag[u->n_diag++] = (struct bgp_update_diag){
				BGP_UPD_SESSION_RESET, 0, "error in UPDATE without reachable NLRI"};
		u->notify = d->pend;
		u->action = BGP_UPD_SESSION_RESET;
		goto out;
	}
	if (u->action == BGP_UPD_AFISAFI_DISABLE) {
		uint8_t af = u->disabled_family == BGP_FAM_IPV6_UNICAST ? AF_INET6 : AF_INET;
		drop_family(u->announced, &u->n_announced, af);
		drop_family(u->withdrawn, &u->n_withdrawn, af);
	}
	if (d->taw) {
		rc = announce_to_withdraw(d);
		if (rc)
			goto out;
	}
	/* RFC 4724 2: an UPDATE holding only an empty MP_UNREACH_NLRI. */
	if (d->unreach_empty && !d->other_attrs && wlen == 0 && u->n_withdrawn == 0 &&
	    u->n_announced == 0 && n_v4 == 0 && u->action == BGP_UPD_OK) {
		u->end_of_rib = true;
		u->eor_family = (uint8_t)d->unreach_fam;
	}
	if (u->n_announced) {
		u->attrs = d->a;
		d->a = NULL;
	}
out:
	free(d->as4path);
	bgp_attrs_unref(d->a);
	if (u->action == BGP_UPD_SESSION_RESET || rc) {
		free(u->announced);
		free(u->withdrawn);
		u->announced = u->withdrawn = NULL;
		u->n_announced = u->n_withdrawn = 0;
		bgp_attrs_unref(u->attrs);
		u->attrs = NULL;
	}
	return rc;
}

void bgp_update_free(struct bgp_update *u)
{
	free(u->announced);
	free(u->withdrawn);
	bgp_attrs_unref(u->attrs);
	u->announced = u->withdrawn = NULL;
	u->n_announced = u->n_withdrawn = 0;
	u->attrs = NULL;
}
