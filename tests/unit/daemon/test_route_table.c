/* VPC route table rules (daemon/route_table.h) against the FIB's mock
 * kernel: what the kernel table holds is what is asserted, each rule
 * quoting the AWS fact it stands for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "daemon/route_table.h"

static struct prefix pfx(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

static struct addr ad(const char *s)
{
	struct addr a;
	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

static struct rtab_hops hops1(const char *gw)
{
	struct rtab_hops h = { .n = 1 };
	h.gw[0] = h.peer[0] = ad(gw);
	return h;
}

static struct fib_mock *mock;
static struct fib *fib;
static struct prefix refuse; /* set refuses this prefix (len 255: none) */

/* The daemon writes through fib_sync's extra tables; here the same
 * calls go to a FIB over the mock kernel, one batch each. */
static int k_set(void *arg, const struct prefix *p, const struct addr *gw, size_t n)
{
	(void)arg;
	if (refuse.len != 255 && prefix_eq(p, &refuse))
		return -EHOSTUNREACH;
	struct fib_route r = { .pfx = *p };
	for (size_t i = 0; i < n; i++) {
		struct fib_nexthop nh = { .gw = gw[i] };
		assert_int_equal(fib_nhset_add(&r.nhs, &nh), 0);
	}
	assert_int_equal(fib_nhset_normalize(&r.nhs), 0);
	return fib_route_install(fib, &r);
}

static int k_del(void *arg, const struct prefix *p)
{
	(void)arg;
	return fib_route_delete(fib, p);
}

static void fib_err(void *arg, const struct prefix *p, int err)
{
	(void)arg;
	(void)p;
	fail_msg("kernel error %d", err);
}

static struct rtab *table(uint32_t max)
{
	struct fib_backend be;
	/* Inline routes: the kernel resolves each gateway (no ifindex). */
	assert_int_equal(fib_mock_open(false, &be), 0);
	mock = fib_mock_from(&be);
	struct fib_config fc = { .ecmp = true };
	fib_destroy(fib);
	assert_int_equal(fib_create(&fc, be, fib_err, NULL, &fib), 0);
	refuse.len = 255;
	struct rtab_kernel k = { k_set, k_del, NULL };
	struct rtab *rt = NULL;
	assert_int_equal(rtab_new("vpc", 100, max, &k, &rt), 0);
	return rt;
}

/* The gateway (IPv4 next hop) the mock kernel has for p, or "-". */
static const char *kernel_gw(const char *p, char *buf)
{
	struct prefix x = pfx(p);
	struct fib_nhset s;
	uint32_t id;
	if (fib_mock_route_get(mock, &x, &id, &s) < 0)
		return "-";
	buf[0] = 0;
	for (unsigned i = 0; i < s.n; i++) {
		char a[ADDR_STRLEN];
		if (i)
			strcat(buf, ",");
		strcat(buf, addr_fmt(&s.nh[i].gw, a));
	}
	return buf;
}

struct seen {
	char text[2048];
};

static void row(void *arg, const struct rtab_row *r)
{
	struct seen *s = arg;
	char p[PREFIX_STRLEN];
	size_t n = strlen(s->text);
	snprintf(s->text + n, sizeof(s->text) - n, "%s %s %s;", prefix_fmt(&r->prefix, p),
		 rtab_origin_name(r->origin), rtab_state_name(r->state));
}

/* "Propagated routes show target vgw-..., propagated": the chosen
 * route lands in the kernel table and leaves it when withdrawn. */
static void test_propagated(void **state)
{
	(void)state;
	char b[256];
	struct rtab *rt = table(100);
	struct prefix d = pfx("0.0.0.0/0");
	struct rtab_hops h = hops1("169.254.247.2");
	assert_int_equal(rtab_propagated_set(rt, &d, &h), 0);
	rtab_sync(rt);
	assert_string_equal(kernel_gw("0.0.0.0/0", b), "169.254.247.2");
	h = hops1("169.254.247.26");
	rtab_propagated_set(rt, &d, &h);
	rtab_sync(rt);
	assert_string_equal(kernel_gw("0.0.0.0/0", b), "169.254.247.26");
	rtab_propagated_set(rt, &d, NULL);
	rtab_sync(rt);
	assert_string_equal(kernel_gw("0.0.0.0/0", b), "-");
	struct seen s = { "" };
	rtab_walk(rt, row, &s);
	assert_string_equal(s.text, "");
	rtab_free(rt);
}

/* "For an identical prefix a static route wins over a propagated one.
 * So a static 0.0.0.0/0 to a NAT gateway hides a propagated default". */
static void test_static_beats_propagated(void **state)
{
	(void)state;
	char b[256];
	struct rtab *rt = table(100);
	struct prefix d = pfx("0.0.0.0/0");
	struct addr nat = ad("10.180.0.5");
	struct rtab_hops h = hops1("169.254.247.2");
	rtab_propagated_set(rt, &d, &h);
	assert_int_equal(rtab_static_add(rt, &d, &nat), 0);
	rtab_sync(rt);
	assert_string_equal(kernel_gw("0.0.0.0/0", b), "10.180.0.5");
	struct seen s = { "" };
	rtab_walk(rt, row, &s);
	assert_string_equal(s.text, "0.0.0.0/0 static active;0.0.0.0/0 propagated "
				    "suppressed-by-static;");
	struct rtab_counts c;
	rtab_counts_get(rt, &c);
	assert_int_equal(c.suppressed, 1);
	rtab_free(rt);
}

/* "The VPC's local route always wins": a propagated route for the VPC
 * CIDR, or inside it, is not installed. */
static void test_local_wins(void **state)
{
	(void)state;
	char b[256];
	struct rtab *rt = table(100);
	struct prefix vpc = pfx("10.180.0.0/20"), in = pfx("10.180.1.0/24"),
		      out = pfx("10.180.16.0/24");
	assert_int_equal(rtab_local_add(rt, &vpc), 0);
	struct rtab_hops h = hops1("169.254.247.2");
	rtab_propagated_set(rt, &vpc, &h);
	rtab_propagated_set(rt, &in, &h);
	rtab_propagated_set(rt, &out, &h);
	rtab_sync(rt);
	assert_string_equal(kernel_gw("10.180.0.0/20", b), "-");
	assert_string_equal(kernel_gw("10.180.1.0/24", b), "-");
	assert_string_equal(kernel_gw("10.180.16.0/24", b), "169.254.247.2");
	struct seen s = { "" };
	rtab_walk(rt, row, &s);
	assert_string_equal(s.text, "10.180.0.0/20 local active;10.180.0.0/20 propagated "
				    "suppressed-by-local;10.180.1.0/24 propagated "
				    "suppressed-by-local;10.180.16.0/24 propagated active;");
	rtab_free(rt);
}

/* "At most 100 propagated routes per route table ... behaviour above
 * it: undocumented".  Ours: the first max-routes in prefix order, the
 * same whatever the arrival order. */
static void test_max_routes(void **state)
{
	(void)state;
	char b[256];
	struct rtab *rt = table(3);
	struct rtab_hops h = hops1("169.254.247.2");
	const char *order[] = { "192.0.2.4/32", "192.0.2.1/32", "192.0.2.3/32", "192.0.2.2/32" };
	for (int i = 0; i < 4; i++) {
		struct prefix p = pfx(order[i]);
		rtab_propagated_set(rt, &p, &h);
		rtab_sync(rt);
	}
	assert_int_equal(fib_mock_route_count(mock), 3);
	assert_string_equal(kernel_gw("192.0.2.4/32", b), "-");
	assert_string_equal(kernel_gw("192.0.2.1/32", b), "169.254.247.2");
	struct rtab_counts c;
	rtab_counts_get(rt, &c);
	assert_int_equal(c.propagated, 4);
	assert_int_equal(c.over_limit, 1);
	assert_int_equal(c.installed, 3);
	/* One of the kept ones goes: the over-limit one moves in. */
	struct prefix p2 = pfx("192.0.2.2/32");
	rtab_propagated_set(rt, &p2, NULL);
	rtab_sync(rt);
	assert_string_equal(kernel_gw("192.0.2.4/32", b), "169.254.247.2");
	assert_string_equal(kernel_gw("192.0.2.2/32", b), "-");
	rtab_counts_get(rt, &c);
	assert_int_equal(c.over_limit, 0);
	rtab_free(rt);
}

/* Transit gateway ECMP: the table gets every next hop of the set. */
static void test_ecmp_hops(void **state)
{
	(void)state;
	char b[256];
	struct rtab *rt = table(100);
	struct prefix d = pfx("0.0.0.0/0");
	struct rtab_hops h = { .n = 2 };
	h.gw[0] = h.peer[0] = ad("169.254.247.26");
	h.gw[1] = h.peer[1] = ad("169.254.247.2");
	rtab_propagated_set(rt, &d, &h);
	rtab_sync(rt);
	assert_string_equal(kernel_gw("0.0.0.0/0", b), "169.254.247.2,169.254.247.26");
	rtab_free(rt);
}

/* A route whose next hop cannot be reached is shown as blackhole, not
 * as active, and is not in the kernel. */
static void test_kernel_refusal_blackhole(void **state)
{
	(void)state;
	struct rtab *rt = table(100);
	struct prefix d = pfx("0.0.0.0/0");
	struct addr nat = ad("10.180.0.5");
	rtab_static_add(rt, &d, &nat);
	refuse = d;
	rtab_sync(rt);
	struct seen s = { "" };
	rtab_walk(rt, row, &s);
	assert_string_equal(s.text, "0.0.0.0/0 static blackhole;");
	char b[64];
	assert_string_equal(kernel_gw("0.0.0.0/0", b), "-");
	rtab_free(rt);
}

int main(void)
{
	log_init("test_route_table", true, LOG_LVL_ERR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_propagated),
		cmocka_unit_test(test_static_beats_propagated),
		cmocka_unit_test(test_local_wins),
		cmocka_unit_test(test_max_routes),
		cmocka_unit_test(test_ecmp_hops),
		cmocka_unit_test(test_kernel_refusal_blackhole),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	fib_destroy(fib);
	return rc;
}
