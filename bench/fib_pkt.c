/* See fib_pkt.h.  The capture sees whatever reaches the receiving
 * namespace's link, so the IPv4 header (RFC 791 3.1: IHL in 32-bit
 * words, at least 5; Total Length covers header and data) and the UDP
 * header (RFC 768) are checked before the payload is read. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "core/buf.h"
#include "fib_pkt.h"

void fib_pkt_payload(uint8_t out[FIB_PKT_PAYLOAD], uint32_t idx, uint32_t seq)
{
	uint32_t v[3] = {htonl(FIB_PKT_MAGIC), htonl(idx), htonl(seq)};
	memcpy(out, v, sizeof(v));
}

int fib_pkt_parse(const uint8_t *p, size_t n, uint32_t *idx, uint32_t *seq)
{
	struct rbuf r, udp;
	uint8_t vihl, proto;
	uint16_t tot, dport, ulen;
	uint32_t magic;
	rbuf_init(&r, p, n);
	if (rbuf_get_u8(&r, &vihl) || (vihl >> 4) != 4 || (vihl & 15) < 5)
		return -EBADMSG;
	size_t ihl = (size_t)(vihl & 15) * 4;
	/* TOS, then Total Length */
	if (rbuf_skip(&r, 1) || rbuf_get_u16(&r, &tot) || tot < ihl || tot > n)
		return -EBADMSG;
	/* Identification, flags and fragment offset, TTL, then Protocol */
	if (rbuf_skip(&r, 5) || rbuf_get_u8(&r, &proto) || proto != IPPROTO_UDP)
		return -EBADMSG;
	/* 10 bytes read: the checksum, addresses and options remain */
	if (rbuf_skip(&r, ihl - 10) || rbuf_get_sub(&r, tot - ihl, &udp))
		return -EBADMSG;
	if (rbuf_skip(&udp, 2) || rbuf_get_u16(&udp, &dport) || dport != FIB_PKT_PORT ||
	    rbuf_get_u16(&udp, &ulen) || ulen < 8 + FIB_PKT_PAYLOAD || rbuf_skip(&udp, 2))
		return -EBADMSG;
	if (rbuf_get_u32(&udp, &magic) || magic != FIB_PKT_MAGIC || rbuf_get_u32(&udp, idx) ||
	    rbuf_get_u32(&udp, seq))
		return -EBADMSG;
	return 0;
}
