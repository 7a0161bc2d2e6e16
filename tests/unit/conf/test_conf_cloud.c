/* The cloud personality in the config (issue 5): what each personality
 * implies for neighbors (quoting the AWS fact it stands for), route
 * tables, generic max-prefix, every error with its position, and -nv
 * printing that parses back to the same model. */
#include "conf_test.h"

#include <errno.h>
#include <stdlib.h>

#define RID "router-id 10.0.0.1\n"

/* "Amazon-side ASN: default 64512"; "BGP: hold 30 s, keepalive 10 s";
 * a personality brings the cloud's own import/export behaviour; "100
 * dynamic routes per VPN connection". */
static void test_vgw_implies(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(RID "personality aws-vgw\n"
				      "neighbor 169.254.247.2 { remote-as 64521 }\n");
	assert_int_equal(c->cloud.personality, CONF_PERSONALITY_AWS_VGW);
	assert_int_equal(c->local_as, 64512);
	const struct conf_neighbor *n = conf_test_nbr(c, "169.254.247.2");
	assert_int_equal(n->hold_time, 30);
	assert_int_equal(n->keepalive, 10);
	assert_int_equal(n->import, CONF_FILTER_ALL);
	assert_int_equal(n->export, CONF_FILTER_ALL);
	assert_int_equal(n->max_prefix, 100);
	assert_int_equal(n->attachment, CONF_ATTACH_VPN);
	assert_false(c->cloud.vpn_ecmp);
	conf_free(c);
}

/* "Up to 1,000 routes per VPN attachment"; "VPN ECMP ... on by
 * default". */
static void test_tgw_implies(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(RID "personality aws-tgw\nlocal-as 64513\n"
				      "neighbor 169.254.247.2 { remote-as 64521 }\n");
	assert_int_equal(c->local_as, 64513);
	assert_int_equal(conf_test_nbr(c, "169.254.247.2")->max_prefix, 1000);
	assert_true(c->cloud.vpn_ecmp);
	conf_free(c);
	c = conf_test_ok(RID "personality aws-tgw\nvpn-ecmp off\n");
	assert_false(c->cloud.vpn_ecmp);
	conf_free(c);
}

/* Direct Connect: "default hold 90 s, keepalive 30 s"; "100 prefixes
 * per address family". */
static void test_dx_implies(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(RID "personality aws-dx\n"
				      "neighbor 169.254.10.2 { remote-as 65000; password \"k\" }\n");
	const struct conf_neighbor *n = conf_test_nbr(c, "169.254.10.2");
	assert_int_equal(n->hold_time, 90);
	assert_int_equal(n->keepalive, 30);
	assert_int_equal(n->max_prefix, 100);
	assert_int_equal(n->attachment, CONF_ATTACH_DX);
	conf_free(c);
}

/* What the neighbor writes itself wins over the implied values. */
static void test_explicit_wins(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(RID "personality aws-vgw\n"
				      "policy p { accept }\n"
				      "neighbor 169.254.247.2 { remote-as 64521; hold-time 60; "
				      "import p; max-prefix 5; attachment direct-connect }\n");
	const struct conf_neighbor *n = conf_test_nbr(c, "169.254.247.2");
	assert_int_equal(n->hold_time, 60);
	assert_int_equal(n->keepalive, 20);
	assert_int_equal(n->import, CONF_FILTER_POLICY);
	assert_int_equal(n->export, CONF_FILTER_ALL);
	assert_int_equal(n->max_prefix, 5);
	assert_int_equal(n->attachment, CONF_ATTACH_DX);
	conf_free(c);
}

/* max-prefix is generic: without a personality it is only what the
 * file says, and nothing else changes. */
static void test_max_prefix_generic(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(RID "local-as 64521\n"
				      "group g { max-prefix 250; neighbor 10.0.0.2 { remote-as 1 } }\n"
				      "neighbor 10.0.0.3 { remote-as 2 }\n");
	assert_int_equal(conf_test_nbr(c, "10.0.0.2")->max_prefix, 250);
	assert_int_equal(conf_test_nbr(c, "10.0.0.3")->max_prefix, 0);
	assert_false(conf_test_nbr(c, "10.0.0.3")->max_prefix_set);
	assert_int_equal(conf_test_nbr(c, "10.0.0.3")->import, CONF_FILTER_UNSET);
	conf_free(c);
}

static void test_route_table(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(RID "personality aws-vgw\n"
				      "neighbor 169.254.247.2 { remote-as 64521 }\n"
				      "route-table vpc {\n table 100\n local 10.180.0.0/20\n"
				      " static 0.0.0.0/0 via 10.180.0.5\n"
				      " static 192.0.2.0/24 via 169.254.247.2\n}\n");
	const struct conf_route_table *t = conf_route_table_find(c, "vpc");
	assert_non_null(t);
	assert_int_equal(t->table, 100);
	assert_int_equal(t->max_routes, 100);
	assert_int_equal(t->n_local, 1);
	assert_int_equal(t->n_static, 2);
	assert_false(t->statics[0].via_neighbor);
	assert_true(t->statics[1].via_neighbor);
	assert_null(conf_route_table_find(c, "other"));
	conf_free(c);
}

struct bad {
	const char *text;
	const char *err;
};

static const struct bad bad_cases[] = {
	/* "A customer gateway with the same ASN is refused (AsnConflict)". */
	{ RID "personality aws-vgw\nneighbor 169.254.247.2 {\n remote-as 64512\n}\n",
	  "t.conf:4:2: neighbor 169.254.247.2: remote-as 64512 is the gateway's own ASN "
	  "(local-as 64512); aws-vgw refuses a customer gateway with the same ASN (AsnConflict)" },
	{ RID "personality aws-tgw\nlocal-as 65000\ngroup g { remote-as 65000\n"
	  " neighbor 169.254.247.2 { } }\n",
	  "t.conf:4:11: neighbor 169.254.247.2: remote-as 65000 is the gateway's own ASN "
	  "(local-as 65000); aws-tgw refuses a customer gateway with the same ASN (AsnConflict)" },
	/* Direct Connect: "MD5 is always on". */
	{ RID "personality aws-dx\nneighbor 169.254.10.2 { remote-as 65000 }\n",
	  "t.conf:3:10: neighbor 169.254.10.2 has no password; Direct Connect always uses "
	  "TCP MD5 (RFC 2385): set 'password'" },
	{ RID "personality aws-vgw\nneighbor 169.254.247.2 { remote-as 1; keepalive 40 }\n",
	  "t.conf:3:10: neighbor 169.254.247.2: keepalive 40 must be less than the aws-vgw "
	  "hold-time 30" },
	{ RID "personality aws\n",
	  "t.conf:2:13: unknown personality 'aws' (expected aws-vgw, aws-tgw or aws-dx)" },
	{ RID "personality aws-vpg\n",
	  "t.conf:2:13: unknown personality 'aws-vpg' (expected aws-vgw, aws-tgw or aws-dx); "
	  "did you mean 'aws-vgw'?" },
	{ RID "personality aws-vgw\npersonality aws-tgw\n",
	  "t.conf:3:1: duplicate 'personality' (first set at line 2)" },
	{ RID "personality aws-vgw\nvpn-ecmp on\n",
	  "t.conf:3:1: vpn-ecmp is a transit gateway option (personality aws-tgw), not "
	  "aws-vgw's (a virtual private gateway never uses ECMP)" },
	{ RID "personality aws-tgw\nvpn-ecmp yes\n",
	  "t.conf:3:10: invalid vpn-ecmp value 'yes' (expected on or off)" },
	{ RID "local-as 1\nvpn-ecmp on\n",
	  "t.conf:3:1: vpn-ecmp needs 'personality aws-tgw'" },
	{ RID "local-as 1\nroute-table vpc { table 100 }\n",
	  "t.conf:3:13: route-table needs a cloud personality ('personality aws-vgw', "
	  "'aws-tgw' or 'aws-dx')" },
	{ RID "personality aws-vgw\nroute-table vpc { max-routes 5 }\n",
	  "t.conf:3:13: route-table vpc has no 'table N' (the kernel table its routes go into)" },
	{ RID "personality aws-vgw\nroute-table vpc { table 255 }\n",
	  "t.conf:3:25: table 255 is the kernel's local table; a route table needs its own "
	  "(e.g. 100)" },
	{ RID "personality aws-vgw\nroute-table vpc { table 100; max-routes 1001 }\n",
	  "t.conf:3:41: max-routes 1001 out of range (1..1000)" },
	{ RID "personality aws-vgw\nroute-table vpc { table 100; local 10.180.0.1/20 }\n",
	  "t.conf:3:36: local 10.180.0.1/20 has host bits set; did you mean 10.180.0.0/20?" },
	{ RID "personality aws-vgw\nroute-table vpc { table 100; static 0.0.0.0/0 10.0.0.1 }\n",
	  "t.conf:3:47: expected 'via ADDRESS' after the prefix, got '10.0.0.1'" },
	{ RID "personality aws-vgw\nroute-table vpc { table 100; static 0.0.0.0/0 via ::1 }\n",
	  "t.conf:3:51: via ::1 is not of the prefix's family" },
	{ RID "personality aws-vgw\nroute-table vpc { table 100; tabel 3 }\n",
	  "t.conf:3:30: unknown statement 'tabel' in route-table block; did you mean 'table'?" },
	{ RID "personality aws-vgw\nroute-table vpc { table 100\n local 10.0.0.0/8\n"
	  " local 10.0.0.0/8 }\n",
	  "t.conf:5:2: duplicate local 10.0.0.0/8 (first at line 4)" },
	{ RID "personality aws-vgw\nroute-table a { table 100 }\nroute-table b { table 100 }\n",
	  "t.conf:4:13: route-table b uses table 100, as route-table a (line 3) does" },
	{ RID "personality aws-vgw\nroute-table a { table 100 }\nroute-table a { table 101 }\n",
	  "t.conf:4:13: duplicate route-table 'a' (first defined at line 3)" },
	{ RID "personality aws-vgw\nfib { table 100 }\nroute-table vpc { table 100 }\n",
	  "t.conf:4:13: route-table vpc uses table 100, which the fib block writes too; give the "
	  "route table its own" },
	{ RID "local-as 1\nneighbor 10.0.0.2 { remote-as 2; max-prefix 0 }\n",
	  "t.conf:3:45: max-prefix 0 out of range (1..4294967295)" },
	{ RID "local-as 1\nneighbor 10.0.0.2 { remote-as 2; attachment ipsec }\n",
	  "t.conf:3:45: invalid attachment 'ipsec' (expected vpn or direct-connect)" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		conf_test_error(bad_cases[i].text, bad_cases[i].err);
}

static void round_trip(const char *text, const char *want)
{
	struct conf *a = conf_test_ok(text);
	char *out = conf_test_reprint(a);
	if (!strstr(out, want))
		fail_msg("printed config lacks %s:\n%s", want, out);
	free(out);
	conf_free(a);
}

static void test_print(void **state)
{
	(void)state;
	round_trip(RID "personality aws-tgw\nvpn-ecmp off\n"
		   "neighbor 169.254.247.2 { remote-as 64521 }\n"
		   "route-table vpc { table 100; max-routes 20; local 10.180.0.0/20\n"
		   " static 0.0.0.0/0 via 169.254.247.2 }\n",
		   "route-table vpc {\n\ttable 100\n\tmax-routes 20\n\tlocal 10.180.0.0/20\n"
		   "\tstatic 0.0.0.0/0 via 169.254.247.2\n}\n");
	round_trip(RID "local-as 1\nneighbor 10.0.0.2 { remote-as 2; max-prefix 7 }\n",
		   "\tmax-prefix 7\n");
	struct conf *a = conf_test_ok(RID "personality aws-vgw\n");
	struct conf *b = conf_test_ok(RID "personality aws-tgw\n");
	assert_false(conf_equal(a, b));
	conf_free(a);
	conf_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vgw_implies),
		cmocka_unit_test(test_tgw_implies),
		cmocka_unit_test(test_dx_implies),
		cmocka_unit_test(test_explicit_wins),
		cmocka_unit_test(test_max_prefix_generic),
		cmocka_unit_test(test_route_table),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_print),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
