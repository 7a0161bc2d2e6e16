/* The failover benchmark's datagram (bench/fib_failover.c): what the
 * sender puts in a UDP payload and how a captured IPv4 packet is read
 * back.  Apart so tests/fuzz/fuzz_fibpkt.c can feed the reader. */
#ifndef EGRESS_BENCH_FIB_PKT_H
#define EGRESS_BENCH_FIB_PKT_H

#include <stddef.h>
#include <stdint.h>

#define FIB_PKT_MAGIC 0x45474653u /* "EGFS" */
#define FIB_PKT_PORT 47000
#define FIB_PKT_PAYLOAD 12        /* magic, index, sequence: 32 bits each */

/* Writes the payload for destination idx, sequence seq. */
void fib_pkt_payload(uint8_t out[FIB_PKT_PAYLOAD], uint32_t idx, uint32_t seq);

/* An IPv4 packet as AF_PACKET/SOCK_DGRAM hands it over (no link
 * header): 0 and the index and sequence if it is a UDP datagram to
 * FIB_PKT_PORT carrying our payload, -EBADMSG for anything else or
 * anything short.  Every length is checked before it is used. */
int fib_pkt_parse(const uint8_t *p, size_t n, uint32_t *idx, uint32_t *seq);

#endif
