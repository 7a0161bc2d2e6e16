/* AS paths in the canonical 4-octet form (see bgp/attr.h): validation,
 * counting, prepending, formatting, and the RFC 6793 conversions between
 * that form and what a 2-octet peer sends (AS_PATH + AS4_PATH). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/attr_priv.h"

#define SEG_MAX 255 /* the count is one octet (RFC 4271 4.3) */

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static bool seg_type_ok(uint8_t t)
{
	return t >= BGP_AS_SET && t <= BGP_AS_CONFED_SET;
}

static bool seg_is_confed(uint8_t t)
{
	return t == BGP_AS_CONFED_SEQUENCE || t == BGP_AS_CONFED_SET;
}

int bgp_aspath_parse(const uint8_t *p, size_t len, unsigned asn_size, uint8_t **out,
		     size_t *out_len, bool *has_confed)
{
	struct rbuf r;
	/* 2-octet ASNs widen to 4: the output is at most twice the input. */
	uint8_t *o = malloc(len * 2 + 1);
	size_t n = 0;

	if (!o)
		return -ENOMEM;
	*has_confed = false;
	rbuf_init(&r, p, len);
	while (rbuf_left(&r)) {
		uint8_t type, count;
		/* RFC 7606 7.2: one octet left cannot hold a segment header;
		 * a zero count or a count that overruns the attribute is a
		 * malformed segment; so is an unknown type. */
		if (rbuf_get_u8(&r, &type) || rbuf_get_u8(&r, &count) || !seg_type_ok(type) ||
		    count == 0 || rbuf_left(&r) < (size_t)count * asn_size)
			goto bad;
		if (seg_is_confed(type))
			*has_confed = true;
		o[n++] = type;
		o[n++] = count;
		for (unsigned i = 0; i < count; i++) {
			uint32_t asn;
			uint16_t a16;
			if (asn_size == 2) {
				if (rbuf_get_u16(&r, &a16))
					goto bad;
				asn = a16;
			} else if (rbuf_get_u32(&r, &asn)) {
				goto bad;
			}
			/* RFC 7607 2: AS 0 in a path makes it malformed. */
			if (asn == 0)
				goto bad;
			put32(o + n, asn);
			n += 4;
		}
	}
	*out = o;
	*out_len = n;
	return 0;
bad:
	free(o);
	return -EBADMSG;
}

bool bgp_aspath_valid(const uint8_t *segs, size_t len)
{
	size_t off = 0;
	while (off < len) {
		if (len - off < 2 || !seg_type_ok(segs[off]) || segs[off + 1] == 0)
			return false;
		size_t body = (size_t)segs[off + 1] * 4;
		if (len - off - 2 < body)
			return false;
		off += 2 + body;
	}
	return true;
}

unsigned bgp_aspath_length(const uint8_t *segs, size_t len)
{
	unsigned n = 0;
	for (size_t off = 0; off + 2 <= len; off += 2 + (size_t)segs[off + 1] * 4) {
		/* RFC 4271 9.1.2.2: an AS_SET counts 1; RFC 5065 5.3:
		 * confederation segments do not count. */
		if (segs[off] == BGP_AS_SEQUENCE)
			n += segs[off + 1];
		else if (segs[off] == BGP_AS_SET)
			n += 1;
	}
	return n;
}

size_t bgp_aspath_asns(const uint8_t *segs, size_t len, uint32_t *out, size_t max)
{
	size_t n = 0;
	size_t off = 0;
	while (off + 2 <= len) {
		uint8_t type = segs[off], count = segs[off + 1];
		if (len - off - 2 < (size_t)count * 4)
			break;
		for (unsigned i = 0; i < count; i++) {
			if (type != BGP_AS_SEQUENCE && type != BGP_AS_SET)
				continue;
			if (n < max)
				out[n] = get32(segs + off + 2 + 4 * i);
			n++;
		}
		off += 2 + (size_t)count * 4;
	}
	return n;
}

bool bgp_aspath_contains(const uint8_t *segs, size_t len, uint32_t asn)
{
	size_t off = 0;
	while (off + 2 <= len) {
		uint8_t count = segs[off + 1];
		if (len - off - 2 < (size_t)count * 4)
			break;
		for (unsigned i = 0; i < count; i++)
			if (get32(segs + off + 2 + 4 * i) == asn)
				return true;
		off += 2 + (size_t)count * 4;
	}
	return false;
}

int bgp_aspath_prepend_to(const uint8_t *segs, size_t len, uint32_t asn, unsigned n,
			  uint8_t *out, size_t cap, size_t *out_len)
{
	size_t first_cnt = 0, rest_off = 0;
	if (len >= 2 && segs[0] == BGP_AS_SEQUENCE && len - 2 >= (size_t)segs[1] * 4) {
		first_cnt = segs[1];
		rest_off = 2 + first_cnt * 4;
	}
	/* The prepended ASNs join the leading AS_SEQUENCE; every 255 ASNs
	 * open a new segment (RFC 4271 4.3: the count is one octet). */
	size_t total = (size_t)n + first_cnt;
	size_t nsegs = (total + SEG_MAX - 1) / SEG_MAX;
	size_t olen = nsegs * 2 + total * 4 + (len - rest_off);
	*out_len = olen;
	if (olen > 65535)
		return -EMSGSIZE;
	if (olen > cap)
		return -ENOSPC;
	size_t w = 0, done = 0;
	while (done < total) {
		size_t c = total - done > SEG_MAX ? SEG_MAX : total - done;
		out[w++] = BGP_AS_SEQUENCE;
		out[w++] = (uint8_t)c;
		for (size_t i = 0; i < c; i++, done++) {
			uint32_t v = done < n ? asn : get32(segs + 2 + 4 * (done - n));
			put32(out + w, v);
			w += 4;
		}
	}
	if (len > rest_off)
		memcpy(out + w, segs + rest_off, len - rest_off);
	return 0;
}

uint8_t *bgp_aspath_prepend(const uint8_t *segs, size_t len, uint32_t asn, unsigned n,
			    size_t *out_len)
{
	size_t olen;
	if (bgp_aspath_prepend_to(segs, len, asn, n, NULL, 0, &olen) == -EMSGSIZE) {
		errno = EMSGSIZE;
		return NULL;
	}
	uint8_t *o = malloc(olen + 1);
	if (!o)
		return NULL;
	(void)bgp_aspath_prepend_to(segs, len, asn, n, o, olen, out_len);
	return o;
}

void bgp_aspath_format(const uint8_t *segs, size_t len, char *buf, size_t size)
{
	size_t pos = 0, off = 0;
	if (!size)
		return;
	buf[0] = '\0';
	while (off + 2 <= len) {
		uint8_t type = segs[off], count = segs[off + 1];
		if (len - off - 2 < (size_t)count * 4)
			break;
		/* {set}, (confed sequence), [confed set] */
		const char *open = type == BGP_AS_SET ? "{" : type == BGP_AS_CONFED_SEQUENCE ? "("
				   : type == BGP_AS_CONFED_SET ? "[" : "";
		const char *close = type == BGP_AS_SET ? "}" : type == BGP_AS_CONFED_SEQUENCE ? ")"
				    : type == BGP_AS_CONFED_SET ? "]" : "";
		int k = snprintf(buf + pos, size - pos, "%s%s", pos ? " " : "", open);
		if (k < 0 || (size_t)k >= size - pos)
			return;
		pos += (size_t)k;
		for (unsigned i = 0; i < count; i++) {
			k = snprintf(buf + pos, size - pos, "%s%u", i ? " " : "",
				     (unsigned)get32(segs + off + 2 + 4 * i));
			if (k < 0 || (size_t)k >= size - pos)
				return;
			pos += (size_t)k;
		}
		k = snprintf(buf + pos, size - pos, "%s", close);
		if (k < 0 || (size_t)k >= size - pos)
			return;
		pos += (size_t)k;
		off += 2 + (size_t)count * 4;
	}
}

int bgp_aspath_strip_confed(const uint8_t *segs, size_t len, uint8_t **out, size_t *out_len)
{
	uint8_t *o = malloc(len + 1);
	size_t w = 0, off = 0;
	if (!o)
		return -ENOMEM;
	while (off + 2 <= len) {
		size_t sl = 2 + (size_t)segs[off + 1] * 4;
		if (len - off < sl)
			break;
		if (!seg_is_confed(segs[off])) {
			memcpy(o + w, segs + off, sl);
			w += sl;
		}
		off += sl;
	}
	*out = o;
	*out_len = w;
	return 0;
}

int bgp_aspath_merge_as4(const uint8_t *path, size_t len, const uint8_t *path4, size_t len4,
			 uint8_t **out, size_t *out_len)
{
	unsigned n = bgp_aspath_length(path, len);
	unsigned m = bgp_aspath_length(path4, len4);
	uint8_t *o = malloc(len + len4 + 1);
	size_t w = 0;

	if (!o)
		return -ENOMEM;
	/* RFC 6793 4.2.3: an AS4_PATH longer than AS_PATH is ignored. */
	if (n < m) {
		memcpy(o, path, len);
		*out = o;
		*out_len = len;
		return 0;
	}
	/* Otherwise take as many ASNs (and segments) from the front of
	 * AS_PATH as make the lengths equal, then AS4_PATH.  Confederation
	 * segments go along when leading or next to a taken segment. */
	unsigned need = n - m;
	bool prev_taken = false;
	size_t off = 0;
	for (unsigned i = 0; off + 2 <= len; i++) {
		uint8_t type = path[off], count = path[off + 1];
		size_t sl = 2 + (size_t)count * 4;
		if (len - off < sl)
			break;
		if (seg_is_confed(type)) {
			if (!(i == 0 || prev_taken || need > 0))
				break;
			memcpy(o + w, path + off, sl);
			w += sl;
			prev_taken = true;
		} else if (need == 0) {
			break;
		} else if (type == BGP_AS_SET) {
			memcpy(o + w, path + off, sl);
			w += sl;
			need--;
			prev_taken = true;
		} else {
			unsigned take = count <= need ? count : need;
			o[w++] = type;
			o[w++] = (uint8_t)take;
			memcpy(o + w, path + off + 2, (size_t)take * 4);
			w += (size_t)take * 4;
			need -= take;
			prev_taken = true;
			if (take < count)
				break;
		}
		off += sl;
	}
	memcpy(o + w, path4, len4);
	w += len4;
	*out = o;
	*out_len = w;
	return 0;
}

bool bgp_aspath_has_as4(const uint8_t *segs, size_t len)
{
	size_t off = 0;
	while (off + 2 <= len) {
		uint8_t count = segs[off + 1];
		if (len - off - 2 < (size_t)count * 4)
			break;
		if (!seg_is_confed(segs[off]))
			for (unsigned i = 0; i < count; i++)
				if (get32(segs + off + 2 + 4 * i) > 0xffff)
					return true;
		off += 2 + (size_t)count * 4;
	}
	return false;
}

void bgp_aspath_put_as2(const uint8_t *segs, size_t len, struct wbuf *w)
{
	size_t off = 0;
	while (off + 2 <= len) {
		uint8_t count = segs[off + 1];
		if (len - off - 2 < (size_t)count * 4)
			break;
		wbuf_put_u8(w, segs[off]);
		wbuf_put_u8(w, count);
		for (unsigned i = 0; i < count; i++) {
			uint32_t asn = get32(segs + off + 2 + 4 * i);
			/* RFC 6793 4.2.2: AS_TRANS stands in for 4-octet ASNs. */
			wbuf_put_u16(w, asn > 0xffff ? BGP_AS_TRANS : (uint16_t)asn);
		}
		off += 2 + (size_t)count * 4;
	}
}
