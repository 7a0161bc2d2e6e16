/* IPv4/IPv6 addresses and prefixes shared by every module. */
#ifndef EGRESS_CORE_ADDR_H
#define EGRESS_CORE_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define ADDR_STRLEN 46   /* INET6_ADDRSTRLEN */
#define PREFIX_STRLEN 50 /* address, '/', up to 3 digits, NUL */

struct addr {
	uint8_t af; /* AF_INET or AF_INET6; 0 = unset */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t b[16];
	};
};

struct prefix {
	struct addr addr; /* host bits are always zero */
	uint8_t len;
};

static inline unsigned addr_bits(uint8_t af) { return af == AF_INET6 ? 128 : 32; }
static inline unsigned addr_bytes(uint8_t af) { return af == AF_INET6 ? 16 : 4; }

/* Parses a literal IPv4 or IPv6 address. 0 or -EINVAL. */
int addr_parse(const char *s, struct addr *out);
/* Formats into buf (ADDR_STRLEN bytes) and returns buf; "-" if unset. */
const char *addr_fmt(const struct addr *a, char *buf);
bool addr_eq(const struct addr *a, const struct addr *b);
int addr_cmp(const struct addr *a, const struct addr *b);
void addr_from_v4(struct addr *a, uint32_t host_order);
uint32_t addr_v4_host(const struct addr *a);
bool addr_is_v4_mapped(const struct addr *a);
/* ::ffff:a.b.c.d -> a.b.c.d, other addresses unchanged. */
void addr_unmap_v4(struct addr *a);

int addr_to_sockaddr(const struct addr *a, uint16_t port,
		     struct sockaddr_storage *ss, socklen_t *len);
int addr_from_sockaddr(const struct sockaddr *sa, struct addr *a, uint16_t *port);

/* Parses "ADDR/LEN". -EINVAL on syntax, -ERANGE if host bits are set
 * (callers that want to be lenient call prefix_mask() themselves). */
int prefix_parse(const char *s, struct prefix *out);
const char *prefix_fmt(const struct prefix *p, char *buf);
void prefix_mask(struct prefix *p);
bool prefix_eq(const struct prefix *a, const struct prefix *b);
int prefix_cmp(const struct prefix *a, const struct prefix *b);
uint32_t prefix_hash(const struct prefix *p);

#endif
