/* probe blocks (issue 6): values and defaults, both layouts (one setting
 * per line, several on one line), every error with its file:line:col,
 * and the printed form parsing back to the same model. */
#include "conf_test.h"

#include <errno.h>
#include <stdlib.h>

#include "conf/parse.h"

#define HEAD "router-id 10.0.0.1\nlocal-as 64521\n"

static void test_icmp_defaults(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(HEAD "probe uplink {\n icmp 203.0.113.10\n}\n");
	assert_int_equal(c->n_probes, 1);
	const struct conf_probe *p = conf_probe_find(c, "uplink");
	assert_non_null(p);
	assert_int_equal(p->kind, CONF_PROBE_ICMP);
	char a[ADDR_STRLEN];
	assert_string_equal(addr_fmt(&p->target, a), "203.0.113.10");
	assert_int_equal(p->interval_ms, 1000);
	assert_int_equal(p->timeout_ms, 500);
	assert_int_equal(p->rise, 3);
	assert_int_equal(p->fall, 2);
	assert_null(p->via);
	assert_int_equal(p->source.af, 0);
	assert_int_equal(p->pos.line, 3);
	assert_null(conf_probe_find(c, "other"));
	conf_free(c);
	/* A probe is a condition `originate ... when` may name. */
	c = conf_test_ok(HEAD "originate 0.0.0.0/0 when uplink\nprobe uplink { icmp 192.0.2.1 }\n");
	assert_string_equal(c->originate[0].when, "uplink");
	conf_free(c);
}

static void test_all_settings(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(
		HEAD "probe web {\n tcp [2001:db8::1]:443; source 2001:db8::2\n"
		" interval 200ms; timeout 150ms\n rise 5\n fall 1\n}\n"
		"probe up { icmp 198.51.100.1 via eth1 interval 2s rise 1 fall 4 }\n");
	assert_int_equal(c->n_probes, 2);
	const struct conf_probe *p = &c->probes[0];
	assert_int_equal(p->kind, CONF_PROBE_TCP);
	assert_int_equal(p->target.af, AF_INET6);
	assert_int_equal(p->port, 443);
	assert_int_equal(p->source.af, AF_INET6);
	assert_int_equal(p->interval_ms, 200);
	assert_int_equal(p->timeout_ms, 150);
	assert_int_equal(p->rise, 5);
	assert_int_equal(p->fall, 1);
	p = &c->probes[1];
	assert_string_equal(p->name, "up");
	assert_string_equal(p->via, "eth1");
	assert_int_equal(p->interval_ms, 2000);
	assert_int_equal(p->timeout_ms, 500);
	assert_int_equal(p->fall, 4);
	conf_free(c);
	/* tcp v4; a short interval without a timeout halves it. */
	c = conf_test_ok(HEAD "probe t {\n tcp 192.0.2.1:80\n interval 100ms\n}\n");
	assert_int_equal(c->probes[0].port, 80);
	assert_int_equal(c->probes[0].timeout_ms, 50);
	conf_free(c);
}

static const struct {
	const char *text;
	const char *err;
} bad_cases[] = {
	{ HEAD "probe up {\n}\n",
	  "t.conf:3:7: probe up has no target (add 'icmp ADDR' or 'tcp ADDR:PORT')" },
	{ HEAD "probe up {\n icmp 203.0.113.300\n}\n",
	  "t.conf:4:7: invalid icmp target '203.0.113.300' (expected an IPv4 or IPv6 address)" },
	{ HEAD "probe up {\n icmp 0.0.0.0\n}\n",
	  "t.conf:4:7: icmp target must be a unicast address" },
	{ HEAD "probe up {\n tcp 192.0.2.1\n}\n",
	  "t.conf:4:6: invalid tcp target '192.0.2.1' (expected ADDR:PORT or [IPv6]:PORT, port 1..65535)" },
	{ HEAD "probe up {\n tcp 192.0.2.1:0\n}\n",
	  "t.conf:4:6: invalid tcp target '192.0.2.1:0' (expected ADDR:PORT or [IPv6]:PORT, port 1..65535)" },
	{ HEAD "probe up {\n tcp 2001:db8::1:80\n}\n",
	  "t.conf:4:6: invalid tcp target '2001:db8::1:80' (expected ADDR:PORT or [IPv6]:PORT, port 1..65535)" },
	{ HEAD "probe up {\n icmp 192.0.2.1\n tcp 192.0.2.1:80\n}\n",
	  "t.conf:5:2: duplicate 'tcp' in probe up (the target already set at line 4)" },
	{ HEAD "probe up {\n icmp 192.0.2.1\n via eth0; source 192.0.2.2\n}\n",
	  "t.conf:5:12: duplicate 'source' in probe up (the way out already set at line 5)" },
	{ HEAD "probe up {\n icmp 192.0.2.1\n interval 1h\n}\n",
	  "t.conf:5:11: invalid interval '1h' (expected a duration such as 1s or 500ms)" },
	{ HEAD "probe up {\n icmp 192.0.2.1\n interval 5ms\n}\n",
	  "t.conf:5:11: interval 5ms out of range (10ms..3600s)" },
	{ HEAD "probe up {\n icmp 192.0.2.1\n interval 1s; timeout 2s\n}\n",
	  "t.conf:3:7: probe up: timeout 2000ms is longer than the interval 1000ms" },
	{ HEAD "probe up {\n icmp 192.0.2.1\n rise 0\n}\n",
	  "t.conf:5:7: invalid rise '0' (expected 1..255)" },
	{ HEAD "probe up {\n icmp 192.0.2.1\n fall 256\n}\n",
	  "t.conf:5:7: invalid fall '256' (expected 1..255)" },
	{ HEAD "probe up {\n icmp 192.0.2.1\n intervall 1s\n}\n",
	  "t.conf:5:2: unknown setting 'intervall' in probe block; did you mean 'interval'?" },
	{ HEAD "probe up {\n icmp 192.0.2.1\n source 2001:db8::1\n}\n",
	  "t.conf:3:7: probe up: source and target are of different address families" },
	{ HEAD "probe up {\n icmp 192.0.2.1\n via averyveryverylongname\n}\n",
	  "t.conf:5:6: invalid interface name 'averyveryverylongname' (at most 15 bytes, no '/')" },
	{ HEAD "probe up { icmp 192.0.2.1 }\nprobe up { icmp 192.0.2.2 }\n",
	  "t.conf:4:7: duplicate probe 'up' (first at line 3)" },
	{ HEAD "condition up\nprobe up { icmp 192.0.2.1 }\n",
	  "t.conf:4:7: probe 'up' has the name of the condition at line 3; a probe is a "
	  "condition itself" },
	{ HEAD "probe up { icmp 192.0.2.1 }\noriginate 0.0.0.0/0 when upp\n",
	  "t.conf:4:26: unknown condition 'upp' in originate" },
	{ HEAD "probe 1up { icmp 192.0.2.1 }\n",
	  "t.conf:3:7: invalid probe name '1up' (up to 64 letters, digits, '-', '_' or '.', "
	  "starting with a letter)" },
	{ HEAD "probe up icmp 192.0.2.1\n",
	  "t.conf:3:10: expected '{' after probe name, got 'icmp'" },
	{ HEAD "probe up {\n icmp 192.0.2.1\n",
	  "t.conf:3:10: unterminated probe block (no matching '}')" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		conf_test_error(bad_cases[i].text, bad_cases[i].err);
}

static void test_print_round_trip(void **state)
{
	(void)state;
	struct conf *a = conf_test_ok(
		HEAD "probe web { tcp [2001:db8::1]:443; source 2001:db8::2; interval 250ms }\n"
		"probe up { icmp 198.51.100.1 via eth1 interval 2s rise 1 fall 4 }\n");
	char *out = conf_test_reprint(a);
	assert_non_null(strstr(out, "probe web {\n\ttcp [2001:db8::1]:443\n\tsource 2001:db8::2\n"
				    "\tinterval 250ms\n\ttimeout 125ms\n\trise 3\n\tfall 2\n}\n"));
	assert_non_null(strstr(out, "\tvia eth1\n\tinterval 2s\n\ttimeout 500ms\n"));
	free(out);
	conf_free(a);
}

static void test_duration_values(void **state)
{
	(void)state;
	uint32_t v;
	assert_int_equal(conf_value_duration_ms("2", 10, 100000, &v), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(conf_value_duration_ms("15ms", 10, 100000, &v), 0);
	assert_int_equal(v, 15);
	assert_int_equal(conf_value_duration_ms("3s", 10, 100000, &v), 0);
	assert_int_equal(v, 3000);
	assert_int_equal(conf_value_duration_ms("s", 10, 100000, &v), -EINVAL);
	assert_int_equal(conf_value_duration_ms("-1s", 10, 100000, &v), -EINVAL);
	assert_int_equal(conf_value_duration_ms("1m", 10, 100000, &v), -EINVAL);
	assert_int_equal(conf_value_duration_ms("9999999999", 10, 100000, &v), -ERANGE);
	assert_int_equal(conf_value_duration_ms("101s", 10, 100000, &v), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icmp_defaults),
		cmocka_unit_test(test_all_settings),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_print_round_trip),
		cmocka_unit_test(test_duration_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
