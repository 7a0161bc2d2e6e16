/* libFuzzer target for the UPDATE decoder (RFC 7606 handling included).
 *
 * Input: an UPDATE body (after the 19-byte header).  It is decoded four
 * times, for 2-/4-octet and eBGP/iBGP sessions.  Each result must be
 * self-consistent; whatever was announced or withdrawn is then encoded
 * again (packed into as many UPDATEs as needed) and decoded once more,
 * and must come back unchanged with no error.  The decoded attributes
 * are also frozen (bgp_attrs_freeze, the interned form): the frozen set
 * must equal them, hash alike and encode to the same bytes, and a copy
 * of it must equal it again.  Any mismatch calls abort() so the fuzzer
 * reports it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/update.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static bool prefix_clean(const struct prefix *p)
{
	if (p->addr.af != AF_INET && p->addr.af != AF_INET6)
		return false;
	if (p->len > addr_bits(p->addr.af))
		return false;
	for (unsigned bit = p->len; bit < addr_bits(p->addr.af); bit++)
		if (p->addr.b[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

static void check_result(const struct bgp_update *u)
{
	CHECK(u->action <= BGP_UPD_SESSION_RESET);
	CHECK(u->n_diag <= BGP_UPDATE_MAX_DIAG);
	for (unsigned i = 0; i < u->n_diag; i++)
		CHECK(u->diag[i].reason && u->diag[i].action <= u->action);
	if (u->action == BGP_UPD_SESSION_RESET) {
		CHECK(u->notify.code == BGP_ERR_UPDATE);
		CHECK(u->notify.data_len <= BGP_NOTIFY_DATA_MAX);
		CHECK(!u->attrs && !u->n_announced && !u->n_withdrawn);
		return;
	}
	if (u->action == BGP_UPD_TREAT_AS_WITHDRAW)
		CHECK(!u->attrs && !u->n_announced);
	if (u->action == BGP_UPD_AFISAFI_DISABLE)
		CHECK(u->disabled_family < BGP_FAM_COUNT);
	CHECK((u->attrs != NULL) == (u->n_announced > 0));
	if (u->end_of_rib)
		CHECK(!u->n_announced && !u->n_withdrawn && u->eor_family < BGP_FAM_COUNT);
	for (uint32_t i = 0; i < u->n_announced; i++)
		CHECK(prefix_clean(&u->announced[i]));
	for (uint32_t i = 0; i < u->n_withdrawn; i++)
		CHECK(prefix_clean(&u->withdrawn[i]));
}

/* Prefixes of one family, in order. */
static size_t pick(const struct prefix *in, uint32_t n, uint8_t af, struct prefix *out)
{
	size_t k = 0;
	for (uint32_t i = 0; i < n; i++)
		if (in[i].addr.af == af)
			out[k++] = in[i];
	return k;
}

static bool confed_only_leading(const uint8_t *s, size_t len)
{
	bool seen_other = false;
	for (size_t off = 0; off + 2 <= len; off += 2 + (size_t)s[off + 1] * 4) {
		bool confed = s[off] == BGP_AS_CONFED_SEQUENCE || s[off] == BGP_AS_CONFED_SET;
		if (confed && seen_other)
			return false;
		if (!confed)
			seen_other = true;
	}
	return true;
}

/* Whether a path reaches a 2-octet peer intact.  Two RFC 6793 rules
 * make some paths differ, by design: confederation segments never go
 * into AS4_PATH (4.2.2), so those after other segments are lost; and a
 * receiver ignores AS4_PATH when AGGREGATOR names a 2-octet AS other
 * than AS_TRANS (4.2.3). */
static bool path_survives_as2(const struct bgp_attrs *a)
{
	if (!confed_only_leading(bgp_attrs_aspath(a), a->aspath_len))
		return false;
	bool has4 = false;
	const uint8_t *segs = bgp_attrs_aspath(a);
	for (size_t off = 0; off + 2 <= a->aspath_len; off += 2 + (size_t)segs[off + 1] * 4)
		for (unsigned i = 0; i < segs[off + 1]; i++) {
			const uint8_t *p = segs + off + 2 + 4 * i;
			if (p[0] || p[1])
				has4 = true;
		}
	uint32_t agg_as = bgp_attrs_aggregator(a).as;
	return !(has4 && bgp_attrs_has(a, BGP_ATTR_AGGREGATOR) && agg_as <= 0xffff &&
		 agg_as != BGP_AS_TRANS);
}

/* What the attributes must look like after a trip through an UPDATE of
 * family af: IPv4 carries the next hop in NEXT_HOP, IPv6 in MP_REACH
 * (RFC 4760 3). Modifies a private copy. */
static void normalise(struct bgp_attrs *a, uint8_t af)
{
	if (af == AF_INET) {
		if (!bgp_attrs_has(a, BGP_ATTR_NEXT_HOP) &&
		    bgp_attrs_mp_nexthop(a)->af == AF_INET) {
			a->nexthop = bgp_attrs_mp_nexthop(a)->v4;
			a->present |= BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
		}
		/* Clearing only frees: it cannot fail. */
		(void)bgp_attrs_set_mp_nexthop(a, NULL, NULL);
	} else {
		a->present &= ~BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
		a->nexthop.s_addr = 0;
	}
}

/* Encodes pfx[0..n) (announce with attrs, or withdraw), decodes every
 * message and checks the prefixes and attributes come back. */
static void re_encode(const struct bgp_decode_ctx *dc, const struct bgp_attrs *attrs,
		      const struct prefix *pfx, size_t n, uint8_t af)
{
	struct bgp_encode_ctx ec = {.as4 = dc->as4, .ebgp = dc->ebgp, .max_msg = 4096};
	struct bgp_attrs *want = NULL;
	struct wbuf w;
	size_t done = 0, got = 0;

	if (!n)
		return;
	if (attrs) {
		want = bgp_attrs_dup(attrs);
		CHECK(want);
		normalise(want, af);
	}
	while (done < n) {
		wbuf_init(&w, 65535);
		long k = attrs ? bgp_update_encode_announce(&w, &ec, attrs, pfx + done, n - done)
			       : bgp_update_encode_withdraw(&w, &ec, pfx + done, n - done);
		if (k == -EMSGSIZE && ec.max_msg < 65535) {
			/* Attributes too big for 4096 bytes (a 2-octet AS4_PATH
			 * can outgrow what came in): extended messages. */
			ec.max_msg = 65535;
			wbuf_free(&w);
			continue;
		}
		if (k == -EMSGSIZE) { /* cannot be sent at all: fine */
			wbuf_free(&w);
			break;
		}
		CHECK(k >= 1 && (size_t)k <= n - done);
		CHECK(w.len >= 23 && w.len <= ec.max_msg);
		CHECK(((size_t)w.data[16] << 8 | w.data[17]) == w.len);
		struct bgp_update u;
		CHECK(bgp_update_decode(w.data + 19, w.len - 19, dc, &u) == 0);
		CHECK(u.action == BGP_UPD_OK);
		if (attrs) {
			CHECK(u.n_announced == (uint32_t)k && u.n_withdrawn == 0);
			if (!dc->as4 && !path_survives_as2(want)) {
				/* The decoded set is mutable (bgp_attrs_mut). */
				struct bgp_attrs_mut *m = bgp_attrs_mut(u.attrs);
				free(m->aspath);
				m->aspath = malloc(want->aspath_len + 1u);
				CHECK(m->aspath);
				memcpy(m->aspath, bgp_attrs_aspath(want), want->aspath_len);
				u.attrs->aspath_len = want->aspath_len;
			}
			CHECK(bgp_attrs_equal(u.attrs, want));
			for (long i = 0; i < k; i++)
				CHECK(prefix_eq(&u.announced[i], &pfx[done + (size_t)i]));
		} else {
			CHECK(u.n_withdrawn == (uint32_t)k && u.n_announced == 0);
			for (long i = 0; i < k; i++)
				CHECK(prefix_eq(&u.withdrawn[i], &pfx[done + (size_t)i]));
		}
		bgp_update_free(&u);
		wbuf_free(&w);
		done += (size_t)k;
		got += (size_t)k;
	}
	bgp_attrs_unref(want);
	(void)got;
}

/* The one-block form of the decoded set says and sends the same. */
static void check_frozen(const struct bgp_decode_ctx *dc, const struct bgp_attrs *attrs,
			 const struct prefix *pfx)
{
	struct bgp_attrs *f = bgp_attrs_freeze(attrs);
	CHECK(f && f->frozen);
	CHECK(bgp_attrs_equal(f, attrs) && bgp_attrs_hash(f) == bgp_attrs_hash(attrs));
	struct bgp_encode_ctx ec = {.as4 = dc->as4, .ebgp = dc->ebgp, .max_msg = 65535};
	struct wbuf wa, wf;
	wbuf_init(&wa, 65535);
	wbuf_init(&wf, 65535);
	long ka = bgp_update_encode_announce(&wa, &ec, attrs, pfx, 1);
	long kf = bgp_update_encode_announce(&wf, &ec, f, pfx, 1);
	CHECK(ka == kf && wa.len == wf.len && memcmp(wa.data, wf.data, wa.len) == 0);
	wbuf_free(&wa);
	wbuf_free(&wf);
	struct bgp_attrs *d = bgp_attrs_dup(f);
	CHECK(d && !d->frozen && bgp_attrs_equal(d, f));
	bgp_attrs_unref(d);
	bgp_attrs_unref(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The decoder must not depend on bytes past the body: copy it to an
	 * exact-size heap block so ASan catches any over-read. */
	uint8_t *body = malloc(size ? size : 1);
	CHECK(body);
	if (size)
		memcpy(body, data, size);
	for (int mode = 0; mode < 4; mode++) {
		struct bgp_decode_ctx dc = {
			.as4 = mode & 1,
			.ebgp = (mode & 2) != 0,
			.families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) | BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST),
			.max_msg = 65535,
		};
		struct bgp_update u;
		CHECK(bgp_update_decode(body, size, &dc, &u) == 0);
		check_result(&u);
		if (u.action < BGP_UPD_SESSION_RESET) {
			uint32_t most = u.n_announced > u.n_withdrawn ? u.n_announced : u.n_withdrawn;
			struct prefix *tmp = malloc((most + 1u) * sizeof(*tmp));
			CHECK(tmp);
			static const uint8_t afs[] = {AF_INET, AF_INET6};
			for (int i = 0; i < 2; i++) {
				size_t k = pick(u.announced, u.n_announced, afs[i], tmp);
				re_encode(&dc, u.attrs, tmp, k, afs[i]);
				k = pick(u.withdrawn, u.n_withdrawn, afs[i], tmp);
				re_encode(&dc, NULL, tmp, k, afs[i]);
			}
			free(tmp);
			if (u.attrs)
				check_frozen(&dc, u.attrs, &u.announced[0]);
		}
		bgp_update_free(&u);
	}
	free(body);
	return 0;
}
