/* Linux socket options for BGP sessions.  Each setter returns 0 or the
 * negative errno of the failing setsockopt; callers log with the peer. */
#include "bgp/sockopt.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IP_MINTTL
#define IP_MINTTL 21
#endif
#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT 73
#endif

static int sockopt(int fd, int level, int name, const void *v, socklen_t len)
{
	return setsockopt(fd, level, name, v, len) < 0 ? -errno : 0;
}

int bgp_sock_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

int bgp_sock_set_cs6(int fd, int af)
{
	int tos = 0xc0;
	if (af == AF_INET6)
		return sockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos));
	return sockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
}

int bgp_sock_set_nodelay(int fd)
{
	int one = 1;
	return sockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int bgp_sock_set_gtsm(int fd, int af)
{
	int ttl = 255, min = 254, rc;
	if (af == AF_INET6) {
		rc = sockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl));
		if (!rc)
			rc = sockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &min, sizeof(min));
		return rc;
	}
	rc = sockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	if (!rc)
		rc = sockopt(fd, IPPROTO_IP, IP_MINTTL, &min, sizeof(min));
	return rc;
}

int bgp_sock_set_md5(int fd, int sock_af, const struct addr *peer, const char *key)
{
	struct tcp_md5sig sig;
	memset(&sig, 0, sizeof(sig));
	size_t klen = key ? strlen(key) : 0;
	if (klen > TCP_MD5SIG_MAXKEYLEN)
		return -EINVAL;
	/* An IPv6 socket sees IPv4 peers as mapped addresses; the key must
	 * be installed under the address the kernel will look up. */
	struct addr a = *peer;
	if (sock_af == AF_INET6 && a.af == AF_INET) {
		struct addr m = { .af = AF_INET6 };
		m.b[10] = 0xff;
		m.b[11] = 0xff;
		memcpy(&m.b[12], &a.v4, 4);
		a = m;
	}
	struct sockaddr_storage ss;
	socklen_t sl;
	if (addr_to_sockaddr(&a, 0, &ss, &sl) < 0)
		return -EINVAL;
	memcpy(&sig.tcpm_addr, &ss, sl < sizeof(sig.tcpm_addr) ? sl : sizeof(sig.tcpm_addr));
	sig.tcpm_keylen = (uint16_t)klen;
	if (klen)
		memcpy(sig.tcpm_key, key, klen);
	return sockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig));
}

int bgp_sock_open(int af)
{
	int fd = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		return -errno;
	/* Marking is best effort: a refused TOS must not stop the session. */
	(void)bgp_sock_set_cs6(fd, af);
	(void)bgp_sock_set_nodelay(fd);
	return fd;
}

int bgp_sock_listen(const struct addr *a, uint16_t port)
{
	int fd = bgp_sock_open(a->af);
	if (fd < 0)
		return fd;
	int one = 1, rc;
	rc = sockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!rc && a->af == AF_INET6)
		rc = sockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	struct sockaddr_storage ss;
	socklen_t sl;
	if (!rc)
		rc = addr_to_sockaddr(a, port, &ss, &sl);
	if (!rc && bind(fd, (struct sockaddr *)&ss, sl) < 0)
		rc = -errno;
	if (!rc && listen(fd, 64) < 0)
		rc = -errno;
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}
