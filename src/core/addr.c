#include "core/addr.h"
#include "core/hash.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int addr_parse(const char *s, struct addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, &out->v4) == 1) {
		out->af = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &out->v6) == 1) {
		out->af = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

const char *addr_fmt(const struct addr *a, char *buf)
{
	if (!a->af || !inet_ntop(a->af, a->b, buf, ADDR_STRLEN))
		strcpy(buf, "-");
	return buf;
}

bool addr_eq(const struct addr *a, const struct addr *b)
{
	return a->af == b->af && memcmp(a->b, b->b, addr_bytes(a->af)) == 0;
}

int addr_cmp(const struct addr *a, const struct addr *b)
{
	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	return memcmp(a->b, b->b, addr_bytes(a->af));
}

void addr_from_v4(struct addr *a, uint32_t host_order)
{
	memset(a, 0, sizeof(*a));
	a->af = AF_INET;
	a->v4.s_addr = htonl(host_order);
}

uint32_t addr_v4_host(const struct addr *a)
{
	return a->af == AF_INET ? ntohl(a->v4.s_addr) : 0;
}

bool addr_is_v4_mapped(const struct addr *a)
{
	return a->af == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&a->v6);
}

void addr_unmap_v4(struct addr *a)
{
	if (!addr_is_v4_mapped(a))
		return;
	uint8_t v4[4];
	memcpy(v4, &a->b[12], 4);
	memset(a, 0, sizeof(*a));
	a->af = AF_INET;
	memcpy(a->b, v4, 4);
}

int addr_to_sockaddr(const struct addr *a, uint16_t port,
		     struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (a->af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = a->v4;
		*len = sizeof(*sin);
		return 0;
	}
	if (a->af == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = a->v6;
		*len = sizeof(*sin6);
		return 0;
	}
	return -EAFNOSUPPORT;
}

int addr_from_sockaddr(const struct sockaddr *sa, struct addr *a, uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		a->af = AF_INET;
		a->v4 = sin->sin_addr;
		if (port)
			*port = ntohs(sin->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		a->af = AF_INET6;
		a->v6 = sin6->sin6_addr;
		if (port)
			*port = ntohs(sin6->sin6_port);
		addr_unmap_v4(a);
		return 0;
	}
	return -EAFNOSUPPORT;
}

void prefix_mask(struct prefix *p)
{
	unsigned bytes = addr_bytes(p->addr.af);
	for (unsigned i = 0; i < bytes; i++) {
		unsigned bit = i * 8;
		if (bit >= p->len)
			p->addr.b[i] = 0;
		else if (p->len - bit < 8)
			p->addr.b[i] &= (uint8_t)(0xff00 >> (p->len - bit));
	}
	for (unsigned i = bytes; i < 16; i++)
		p->addr.b[i] = 0;
}

int prefix_parse(const char *s, struct prefix *out)
{
	char tmp[PREFIX_STRLEN];
	const char *slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, (size_t)(slash - s));
	tmp[slash - s] = '\0';
	memset(out, 0, sizeof(*out));
	if (addr_parse(tmp, &out->addr) < 0)
		return -EINVAL;
	const char *d = slash + 1;
	if (*d < '0' || *d > '9' || strlen(d) > 3)
		return -EINVAL;
	char *end;
	long len = strtol(d, &end, 10);
	if (*end || len < 0 || len > (long)addr_bits(out->addr.af))
		return -EINVAL;
	out->len = (uint8_t)len;
	struct prefix masked = *out;
	prefix_mask(&masked);
	if (!prefix_eq(&masked, out))
		return -ERANGE;
	return 0;
}

const char *prefix_fmt(const struct prefix *p, char *buf)
{
	char a[ADDR_STRLEN];
	snprintf(buf, PREFIX_STRLEN, "%s/%u", addr_fmt(&p->addr, a), p->len);
	return buf;
}

bool prefix_eq(const struct prefix *a, const struct prefix *b)
{
	return a->len == b->len && addr_eq(&a->addr, &b->addr);
}

int prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int c = addr_cmp(&a->addr, &b->addr);
	if (c)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

uint32_t prefix_hash(const struct prefix *p)
{
	/* Only the significant bytes: host bits are zero anyway. */
	uint32_t h = hash_fnv1a(HASH_FNV1A_INIT ^ p->addr.af, p->addr.b, (p->len + 7u) / 8u);
	return hash_fnv1a(h, &p->len, 1);
}
