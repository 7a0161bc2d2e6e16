/* ICMP echo encode/decode (see probe_icmp.h). */
#include <errno.h>
#include <string.h>

#include "core/buf.h"
#include "probe/probe_icmp.h"

uint16_t probe_icmp_csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)((p[i] << 8) | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void probe_icmp_build(uint8_t out[PROBE_ICMP_LEN], bool v6, uint16_t id, uint16_t seq,
		      uint64_t cookie)
{
	memset(out, 0, PROBE_ICMP_LEN);
	out[0] = v6 ? PROBE_ICMP6_ECHO_REQUEST : PROBE_ICMP_ECHO_REQUEST;
	out[4] = (uint8_t)(id >> 8);
	out[5] = (uint8_t)id;
	out[6] = (uint8_t)(seq >> 8);
	out[7] = (uint8_t)seq;
	for (int i = 0; i < 8; i++)
		out[8 + i] = (uint8_t)(cookie >> (56 - 8 * i));
	if (!v6) {
		uint16_t c = probe_icmp_csum(out, PROBE_ICMP_LEN);
		out[2] = (uint8_t)(c >> 8);
		out[3] = (uint8_t)c;
	}
}

/* RFC 791 section 3.1: version 4, IHL in 32-bit words (at least 5),
 * total length covering the header; protocol 1 is ICMP. */
static int probe_icmp_skip_ipv4(struct rbuf *r)
{
	const uint8_t *start = r->p;
	size_t avail = rbuf_left(r);
	uint8_t vihl, proto;
	uint16_t total;
	if (rbuf_get_u8(r, &vihl) < 0)
		return -EBADMSG;
	if ((vihl >> 4) != 4)
		return -EBADMSG;
	size_t ihl = (size_t)(vihl & 0x0f) * 4;
	if (ihl < 20 || ihl > avail)
		return -EBADMSG;
	if (rbuf_skip(r, 1) < 0 || rbuf_get_u16(r, &total) < 0)
		return -EBADMSG;
	if (total < ihl || total > avail)
		return -EBADMSG;
	if (rbuf_skip(r, 5) < 0 || rbuf_get_u8(r, &proto) < 0)
		return -EBADMSG;
	if (proto != 1)
		return -ENOMSG;
	/* Trailing bytes past the total length are link padding. */
	rbuf_init(r, start + ihl, total - ihl);
	return 0;
}

int probe_icmp_parse(const uint8_t *p, size_t n, bool v6, bool ip_header,
		     struct probe_icmp_reply *out)
{
	struct rbuf r;
	rbuf_init(&r, p, n);
	if (ip_header && !v6) {
		int e = probe_icmp_skip_ipv4(&r);
		if (e < 0)
			return e;
	}
	uint8_t type, code;
	if (rbuf_get_u8(&r, &type) < 0 || rbuf_get_u8(&r, &code) < 0 ||
	    rbuf_skip(&r, 2) < 0)
		return -EBADMSG;
	if (type != (v6 ? PROBE_ICMP6_ECHO_REPLY : PROBE_ICMP_ECHO_REPLY))
		return -ENOMSG;
	if (code != 0)
		return -EBADMSG;
	uint16_t id, seq;
	uint32_t hi, lo;
	if (rbuf_get_u16(&r, &id) < 0 || rbuf_get_u16(&r, &seq) < 0)
		return -EBADMSG;
	/* Ours carry the cookie; a shorter echo is somebody else's. */
	if (rbuf_get_u32(&r, &hi) < 0 || rbuf_get_u32(&r, &lo) < 0)
		return -EBADMSG;
	out->id = id;
	out->seq = seq;
	out->cookie = ((uint64_t)hi << 32) | lo;
	return 0;
}
