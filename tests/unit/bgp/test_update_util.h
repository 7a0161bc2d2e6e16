/* Helpers for the UPDATE codec tests: UPDATE bodies written as hex, with
 * the two length fields computed, so each test reads like the wire. */
#ifndef EGRESS_TEST_UPDATE_UTIL_H
#define EGRESS_TEST_UPDATE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Parses hex digits, ignoring anything else (spaces, dots). */
static inline size_t hex_parse(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;
	for (; s && *s; s++) {
		int v;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			if (n < max)
				out[n] = (uint8_t)(hi << 4 | v);
			n++;
			hi = -1;
		}
	}
	return n;
}

/* Body = withdrawn length, withdrawn, attribute length, attributes, NLRI. */
static inline size_t body_build(const char *wd, const char *attrs, const char *nlri,
				uint8_t *out, size_t max)
{
	uint8_t w[4096], a[4096], n[4096];
	size_t wl = hex_parse(wd, w, sizeof(w));
	size_t al = hex_parse(attrs, a, sizeof(a));
	size_t nl = hex_parse(nlri, n, sizeof(n));
	size_t len = 4 + wl + al + nl;
	if (len > max)
		return 0;
	out[0] = (uint8_t)(wl >> 8);
	out[1] = (uint8_t)wl;
	memcpy(out + 2, w, wl);
	out[2 + wl] = (uint8_t)(al >> 8);
	out[3 + wl] = (uint8_t)al;
	memcpy(out + 4 + wl, a, al);
	memcpy(out + 4 + wl + al, n, nl);
	return len;
}

#endif
