/* libFuzzer target for the FIB's netlink parsers: dump replies
 * (fib_netlink_parse_dump), link/address/route notifications
 * (fib_monitor_input) and next-hop lookup replies (fib_resolve_parse)
 * get the same bytes.  Whatever the bytes, no crash, no read past
 * the input (ASan), and what reaches the callbacks is well-formed: a
 * prefix length within its family, at most FIB_NH_MAX next hops, each
 * gateway of a known family.  Seeds are real kernel dumps
 * (tests/fuzz/corpus/netlink/, made by tests/fuzz/make-netlink-seeds.py). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fib/fib.h"
#include "fib/fib_resolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_route(void *arg, const struct prefix *pfx, uint32_t metric, uint32_t nh_id,
		     const struct fib_nhset *nhs)
{
	(void)arg;
	(void)metric;
	if (pfx->addr.af != AF_INET && pfx->addr.af != AF_INET6)
		abort();
	if (pfx->len > addr_bits(pfx->addr.af))
		abort();
	if (nhs->n > FIB_NH_MAX || (!nh_id && !nhs->n))
		abort();
	for (unsigned i = 0; i < nhs->n; i++)
		if (nhs->nh[i].gw.af && nhs->nh[i].gw.af != pfx->addr.af)
			abort();
}

static void on_nh(void *arg, uint32_t id, const uint32_t *group, unsigned ngroup)
{
	(void)id;
	if (ngroup > FIB_NH_MAX)
		abort();
	uint32_t *sum = arg;
	for (unsigned i = 0; i < ngroup; i++)
		*sum += group[i]; /* ASan checks the array is really there */
}

static void on_link(void *arg, const struct fib_link_event *ev)
{
	(void)arg;
	if (strnlen(ev->name, sizeof(ev->name)) == sizeof(ev->name))
		abort(); /* name always terminated */
}

static void on_addr(void *arg, const struct fib_addr_event *ev)
{
	(void)arg;
	if (ev->pfx.len > addr_bits(ev->pfx.addr.af))
		abort();
}

static void on_mroute(void *arg, const struct fib_route_event *ev)
{
	(void)arg;
	if (ev->pfx.len > addr_bits(ev->pfx.addr.af))
		abort();
}

static const struct fib_monitor_ops mon_ops = {
	.link = on_link, .addr = on_addr, .route = on_mroute};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fib_monitor *mon;
	if (!mon && fib_monitor_open(&(struct fib_monitor_config){.no_socket = true}, &mon_ops,
					NULL, &mon))
		abort();
	/* The kernel hands netlink messages over 4-byte aligned; give the
	 * parser the same, in a heap block of exactly the input's size so
	 * any overread is caught. */
	void *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	uint32_t sum = 0;
	int rc = fib_netlink_parse_dump(buf, size, 57, 100, on_route, on_nh, &sum);
	if (rc > 1 || rc < -4095)
		abort();
	rc = fib_monitor_input(mon, buf, (long)size, 0);
	if (rc != 0 && rc != -EBADMSG)
		abort();
	struct fib_route_info ri;
	rc = fib_resolve_parse(buf, size, &ri);
	if (rc > 0 || rc < -4095)
		abort();
	if (rc == 0 && ((ri.af != AF_INET && ri.af != AF_INET6) ||
			ri.dst_len > addr_bits(ri.af) || (ri.gw.af && ri.gw.af != ri.af)))
		abort();
	free(buf);
	return 0;
}
