/* Path attributes as JSON (one route of a "show rib" answer).
 *
 * Attributes come from the decoder and are well-formed by construction,
 * but the walk over the AS path still reads through struct rbuf so a
 * broken invariant shows as " ?" instead of a read past the end. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/attr.h"
#include "core/buf.h"
#include "ctl/ctl_show.h"

static bool is_utf8_safe_ascii(uint8_t c) { return c >= 0x20 && c < 0x7f; }

json_t *ctl_json_text(const char *s, size_t max)
{
	if (!s)
		return json_string("");
	size_t n = strnlen(s, max);
	json_t *j = json_stringn(s, n);
	if (j)
		return j;
	/* Not valid UTF-8 (or out of memory): keep what is plainly
	 * printable, so the operator still sees most of the text. */
	char *tmp = malloc(n + 1);
	if (!tmp)
		return NULL;
	for (size_t i = 0; i < n; i++)
		tmp[i] = is_utf8_safe_ascii((uint8_t)s[i]) ? s[i] : '?';
	tmp[n] = '\0';
	j = json_stringn(tmp, n);
	free(tmp);
	return j;
}

json_t *ctl_json_error(const char *msg)
{
	json_t *o = json_object();
	if (o && json_object_set_new(o, "error", ctl_json_text(msg, 1024)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static void text_puts(struct wbuf *w, const char *s)
{
	wbuf_put_bytes(w, s, strlen(s));
}

int ctl_aspath_json(const uint8_t *segs, size_t len, json_t **list_out, json_t **text_out)
{
	struct rbuf r;
	struct wbuf w;
	json_t *list = json_array();
	int rc = 0;

	*list_out = NULL;
	*text_out = NULL;
	if (!list)
		return -ENOMEM;
	/* 11 bytes per 4-byte ASN plus brackets bounds the text. */
	wbuf_init(&w, len * 3 + 64);
	rbuf_init(&r, segs, segs ? len : 0);
	while (rbuf_left(&r) && rc == 0) {
		uint8_t type, count;
		const char *open = "", *close = "";
		if (rbuf_get_u8(&r, &type) || rbuf_get_u8(&r, &count) ||
		    rbuf_left(&r) < (size_t)count * 4) {
			text_puts(&w, w.len ? " ?" : "?");
			break;
		}
		switch (type) { /* RFC 4271 4.3, RFC 5065 3 */
		case BGP_AS_SET: open = "{"; close = "}"; break;
		case BGP_AS_CONFED_SEQUENCE: open = "("; close = ")"; break;
		case BGP_AS_CONFED_SET: open = "["; close = "]"; break;
		default: break;
		}
		if (w.len)
			text_puts(&w, " ");
		text_puts(&w, open);
		for (unsigned i = 0; i < count; i++) {
			uint32_t asn = 0;
			char num[16];
			(void)rbuf_get_u32(&r, &asn); /* length checked above */
			snprintf(num, sizeof(num), i ? " %" PRIu32 : "%" PRIu32, asn);
			text_puts(&w, num);
			if (json_array_append_new(list, json_integer(asn)) != 0) {
				rc = -ENOMEM;
				break;
			}
		}
		text_puts(&w, close);
	}
	wbuf_put_u8(&w, 0);
	if (rc == 0 && wbuf_status(&w))
		rc = wbuf_status(&w);
	if (rc == 0) {
		*text_out = json_string((const char *)w.data);
		if (!*text_out)
			rc = -ENOMEM;
	}
	wbuf_free(&w);
	if (rc) {
		json_decref(list);
		return rc;
	}
	*list_out = list;
	return 0;
}

void ctl_ext_community_format(const uint8_t *ec, char *buf, size_t size)
{
	uint8_t type = ec[0], sub = ec[1];
	/* RFC 4360 4 (route target, subtype 2) and 5 (route origin, 3) in
	 * the transitive two-octet AS, IPv4 and four-octet AS (RFC 5668)
	 * types; everything else is shown as raw bytes. */
	const char *name = sub == 0x02 ? "rt" : sub == 0x03 ? "soo" : NULL;
	uint32_t g32 = ((uint32_t)ec[2] << 24) | ((uint32_t)ec[3] << 16) |
		       ((uint32_t)ec[4] << 8) | ec[5];
	uint16_t l16 = (uint16_t)((ec[6] << 8) | ec[7]);

	if (name && type == 0x00) {
		uint16_t as = (uint16_t)((ec[2] << 8) | ec[3]);
		uint32_t l32 = ((uint32_t)ec[4] << 24) | ((uint32_t)ec[5] << 16) |
			       ((uint32_t)ec[6] << 8) | ec[7];
		snprintf(buf, size, "%s:%u:%" PRIu32, name, as, l32);
	} else if (name && type == 0x01) {
		snprintf(buf, size, "%s:%u.%u.%u.%u:%u", name, ec[2], ec[3], ec[4], ec[5], l16);
	} else if (name && type == 0x02) {
		snprintf(buf, size, "%s:%" PRIu32 ":%u", name, g32, l16);
	} else {
		snprintf(buf, size, "0x%02x%02x%02x%02x%02x%02x%02x%02x", ec[0], ec[1], ec[2],
			 ec[3], ec[4], ec[5], ec[6], ec[7]);
	}
}

static const char *origin_name(uint8_t o)
{
	switch (o) {
	case BGP_ORIGIN_IGP: return "igp";
	case BGP_ORIGIN_EGP: return "egp";
	case BGP_ORIGIN_INCOMPLETE: return "incomplete";
	default: return "unknown";
	}
}

/* Sets key to val, consuming val; counts a failure in *bad. */
static void put(json_t *o, const char *key, json_t *val, int *bad)
{
	if (!val || json_object_set_new(o, key, val) != 0)
		(*bad)++;
}

static json_t *next_hop_json(const struct prefix *pfx, const struct bgp_attrs *a)
{
	char buf[ADDR_STRLEN];
	bool v4nh = bgp_attrs_has(a, BGP_ATTR_NEXT_HOP);

	/* IPv4 NLRI use NEXT_HOP; other families the MP_REACH next hop
	 * (RFC 4760 3).  If only one is there, show that one. */
	const struct addr *mp = bgp_attrs_mp_nexthop(a);
	if (v4nh && (pfx->addr.af == AF_INET || !mp->af)) {
		if (!inet_ntop(AF_INET, &a->nexthop, buf, sizeof(buf)))
			return json_null();
		return json_string(buf);
	}
	if (mp->af)
		return json_string(addr_fmt(mp, buf));
	return json_null();
}

static json_t *communities_json(const struct bgp_attrs *a)
{
	json_t *arr = json_array();
	char buf[32];

	for (size_t i = 0; arr && bgp_attrs_communities(a) && i < a->n_communities; i++) {
		uint32_t c = bgp_attrs_communities(a)[i]; /* RFC 1997: AS:value, 16 bits each */
		snprintf(buf, sizeof(buf), "%" PRIu32 ":%" PRIu32, c >> 16, c & 0xffff);
		if (json_array_append_new(arr, json_string(buf)) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *large_communities_json(const struct bgp_attrs *a)
{
	json_t *arr = json_array();
	char buf[40];

	const struct bgp_large_community *lc = bgp_attrs_large_communities(a);
	for (size_t i = 0; arr && lc && i < a->n_large_communities; i++) {
		const struct bgp_large_community *c = &lc[i];
		snprintf(buf, sizeof(buf), "%" PRIu32 ":%" PRIu32 ":%" PRIu32, c->global,
			 c->local1, c->local2);
		if (json_array_append_new(arr, json_string(buf)) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *ext_communities_json(const struct bgp_attrs *a)
{
	json_t *arr = json_array();
	char buf[48];

	for (size_t i = 0; arr && bgp_attrs_ext_communities(a) && i < a->n_ext_communities; i++) {
		ctl_ext_community_format(bgp_attrs_ext_communities(a) + 8 * i, buf, sizeof(buf));
		if (json_array_append_new(arr, json_string(buf)) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *unknown_json(const struct bgp_attrs *a)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && bgp_attrs_unknown(a) && i < a->n_unknown; i++) {
		const struct bgp_attr_raw *u = &bgp_attrs_unknown(a)[i];
		json_t *o = json_pack("{s:i, s:i, s:i}", "code", (int)u->code, "flags",
				      (int)u->flags, "length", (int)u->len);
		if (json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

json_t *ctl_json_route(const struct prefix *pfx, const struct bgp_attrs *a,
		       const struct addr *neighbor)
{
	char buf[PREFIX_STRLEN];
	json_t *o = json_object();
	json_t *path = NULL, *path_text = NULL;
	int bad = 0;

	if (!o)
		return NULL;
	put(o, "prefix", json_string(prefix_fmt(pfx, buf)), &bad);
	put(o, "next_hop", next_hop_json(pfx, a), &bad);
	if (bgp_attrs_mp_nexthop_ll(a)->af)
		put(o, "next_hop_ll", json_string(addr_fmt(bgp_attrs_mp_nexthop_ll(a), buf)), &bad);
	if (ctl_aspath_json(bgp_attrs_aspath(a), a->aspath_len, &path, &path_text) != 0)
		bad++;
	put(o, "as_path", path, &bad);
	put(o, "as_path_text", path_text, &bad);
	put(o, "origin",
	    bgp_attrs_has(a, BGP_ATTR_ORIGIN) ? json_string(origin_name(a->origin)) : json_null(),
	    &bad);
	put(o, "med", bgp_attrs_has(a, BGP_ATTR_MED) ? json_integer(a->med) : json_null(), &bad);
	put(o, "local_pref",
	    bgp_attrs_has(a, BGP_ATTR_LOCAL_PREF) ? json_integer(a->local_pref) : json_null(),
	    &bad);
	put(o, "communities", communities_json(a), &bad);
	put(o, "large_communities", large_communities_json(a), &bad);
	put(o, "ext_communities", ext_communities_json(a), &bad);
	put(o, "atomic_aggregate", json_boolean(bgp_attrs_has(a, BGP_ATTR_ATOMIC_AGGREGATE)),
	    &bad);
	if (bgp_attrs_has(a, BGP_ATTR_AGGREGATOR)) {
		struct bgp_aggregator g = bgp_attrs_aggregator(a);
		struct in_addr id = { .s_addr = htonl(g.id) };
		char ibuf[INET_ADDRSTRLEN] = "?";
		inet_ntop(AF_INET, &id, ibuf, sizeof(ibuf));
		put(o, "aggregator", json_pack("{s:I, s:s}", "as", (json_int_t)g.as,
					       "id", ibuf), &bad);
	} else {
		put(o, "aggregator", json_null(), &bad);
	}
	put(o, "unknown_attributes", unknown_json(a), &bad);
	if (neighbor)
		put(o, "neighbor", json_string(addr_fmt(neighbor, buf)), &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}
