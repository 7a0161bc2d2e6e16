/* ICMP echo for uplink probes: building requests and reading replies.
 * Replies are untrusted bytes off a raw socket and are read through
 * struct rbuf with every length checked first. */
#ifndef EGRESS_PROBE_PROBE_ICMP_H
#define EGRESS_PROBE_PROBE_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 792 (Echo, Echo Reply) and RFC 4443 section 4 (ICMPv6 Echo). */
#define PROBE_ICMP_ECHO_REQUEST 8
#define PROBE_ICMP_ECHO_REPLY 0
#define PROBE_ICMP6_ECHO_REQUEST 128
#define PROBE_ICMP6_ECHO_REPLY 129

/* Echo payload after the 8-byte ICMP header: a cookie the probe chose,
 * so a reply to somebody else's echo with the same id is not ours. */
#define PROBE_ICMP_PAYLOAD 8
#define PROBE_ICMP_LEN (8 + PROBE_ICMP_PAYLOAD)

struct probe_icmp_reply {
	uint16_t id;
	uint16_t seq;
	uint64_t cookie;
};

/* Writes an echo request into out (PROBE_ICMP_LEN bytes).  For IPv4 the
 * checksum is filled in (RFC 792); for IPv6 the kernel computes it over
 * the pseudo-header (RFC 3542 section 3.1), so it is left zero. */
void probe_icmp_build(uint8_t out[PROBE_ICMP_LEN], bool v6, uint16_t id, uint16_t seq,
		      uint64_t cookie);

/* Reads one datagram.  ip_header: the bytes start with an IPv4 header
 * (raw IPv4 sockets deliver it; raw ICMPv6 and datagram ICMP sockets do
 * not).  Returns 0 and fills *out for an echo reply, -ENOMSG for a
 * well-formed ICMP message that is not an echo reply (another type, or
 * an IPv4 packet of another protocol), -EBADMSG for anything truncated
 * or inconsistent. */
int probe_icmp_parse(const uint8_t *p, size_t n, bool v6, bool ip_header,
		     struct probe_icmp_reply *out);

/* RFC 1071 Internet checksum. */
uint16_t probe_icmp_csum(const uint8_t *p, size_t n);

#endif
