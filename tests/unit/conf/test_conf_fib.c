/* The fib block (issue 4): defaults, values, every error with its
 * position, and the -nv print that must parse back to the same model. */
#include "conf_test.h"

#include <errno.h>
#include <stdlib.h>

#define HEAD "router-id 10.0.0.1\nlocal-as 64521\n"

static void test_defaults(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(HEAD);
	assert_int_equal(c->fib.table, 254);
	assert_true(c->fib.ecmp);
	assert_true(c->fib.install);
	assert_false(c->fib.dry_run);
	assert_int_equal(c->fib.protocol, 57);
	assert_false(c->fib.graceful_restart);
	conf_free(c);
	/* An empty block changes nothing. */
	c = conf_test_ok(HEAD "fib { }\n");
	assert_int_equal(c->fib.table, 254);
	assert_true(c->fib.ecmp);
	assert_int_equal(c->fib.protocol, 57);
	assert_true(c->fib.backup_routes);
	conf_free(c);
}

static void test_values(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(HEAD "fib {\n table 100\n ecmp off; install off\n"
				      " protocol 201\n graceful-restart on\n}\n");
	assert_int_equal(c->fib.table, 100);
	assert_false(c->fib.ecmp);
	assert_false(c->fib.install);
	assert_false(c->fib.dry_run); /* off computes nothing */
	assert_int_equal(c->fib.protocol, 201);
	assert_true(c->fib.graceful_restart);
	assert_true(c->fib.backup_routes);
	conf_free(c);
	c = conf_test_ok(HEAD "fib { backup-routes off }\n");
	assert_false(c->fib.backup_routes);
	assert_true(c->fib.backup_routes_set);
	assert_true(c->fib.initial_after_eor); /* the default */
	assert_false(c->fib.initial_download_set);
	conf_free(c);
	c = conf_test_ok(HEAD "fib { initial-download immediate }\n");
	assert_false(c->fib.initial_after_eor);
	assert_true(c->fib.initial_download_set);
	conf_free(c);
	c = conf_test_ok(HEAD "fib { initial-download after-eor }\n");
	assert_true(c->fib.initial_after_eor);
	conf_free(c);
	/* dry-run: not written (install false), but computed. */
	c = conf_test_ok(HEAD "fib { install dry-run }\n");
	assert_false(c->fib.install);
	assert_true(c->fib.dry_run);
	assert_true(c->fib.install_set);
	conf_free(c);
	c = conf_test_ok(HEAD "fib { install on }\n");
	assert_true(c->fib.install);
	assert_false(c->fib.dry_run);
	conf_free(c);
	c = conf_test_ok(HEAD "fib { table main; ecmp on }\n");
	assert_int_equal(c->fib.table, 254);
	assert_true(c->fib.table_set);
	assert_false(c->fib.protocol_set);
	conf_free(c);
}

struct bad {
	const char *text;
	const char *err;
};

static const struct bad bad_cases[] = {
	{ HEAD "fib { table 0 }\n",
	  "t.conf:3:13: table 0 out of range (1..4294967295)" },
	{ HEAD "fib { table 4294967296 }\n",
	  "t.conf:3:13: table 4294967296 out of range (1..4294967295)" },
	{ HEAD "fib { table local }\n",
	  "t.conf:3:13: invalid table 'local' (expected 1..4294967295 or main)" },
	{ HEAD "fib { table 255 }\n",
	  "t.conf:3:13: table 255 is the kernel's local table; choose another (e.g. main or 100)" },
	{ HEAD "fib { table }\n",
	  "t.conf:3:13: missing value after 'table' (expected a table number or main)" },
	{ HEAD "fib { ecmp yes }\n",
	  "t.conf:3:12: invalid ecmp value 'yes' (expected on or off)" },
	{ HEAD "fib { install 1 }\n",
	  "t.conf:3:15: invalid install value '1' (expected on, off or dry-run)" },
	{ HEAD "fib { install dryrun }\n",
	  "t.conf:3:15: invalid install value 'dryrun' (expected on, off or dry-run)" },
	{ HEAD "fib { install }\n",
	  "t.conf:3:15: missing value after 'install' (expected on, off or dry-run)" },
	{ HEAD "fib { install dry-run; install off }\n",
	  "t.conf:3:24: duplicate 'install' (first set at line 3)" },
	{ HEAD "fib { graceful-restart maybe }\n",
	  "t.conf:3:24: invalid graceful-restart value 'maybe' (expected on or off)" },
	{ HEAD "fib { backup-routes sometimes }\n",
	  "t.conf:3:21: invalid backup-routes value 'sometimes' (expected on or off)" },
	{ HEAD "fib { initial-download later }\n",
	  "t.conf:3:24: invalid initial-download value 'later' (expected after-eor or immediate)" },
	{ HEAD "fib { backup-route on }\n",
	  "t.conf:3:7: unknown statement 'backup-route' in fib block; did you mean 'backup-routes'?" },
	{ HEAD "fib { protocol 256 }\n",
	  "t.conf:3:16: protocol 256 out of range (5..255)" },
	{ HEAD "fib { protocol bgp }\n",
	  "t.conf:3:16: invalid protocol 'bgp' (expected 5..255)" },
	{ HEAD "fib { protocol 2 }\n",
	  "t.conf:3:16: protocol 2 is taken by 'kernel'; egressd sweeps routes of its "
	  "protocol, so it needs a number nobody else uses" },
	{ HEAD "fib { protocol 12 }\n",
	  "t.conf:3:16: protocol 12 is taken by 'bird'; egressd sweeps routes of its "
	  "protocol, so it needs a number nobody else uses" },
	{ HEAD "fib { protocol 186 }\n",
	  "t.conf:3:16: protocol 186 is taken by 'bgp (FRR)'; egressd sweeps routes of its "
	  "protocol, so it needs a number nobody else uses" },
	{ HEAD "fib { table 10\n table 11 }\n",
	  "t.conf:4:2: duplicate 'table' (first set at line 3)" },
	{ HEAD "fib { tabel 10 }\n",
	  "t.conf:3:7: unknown statement 'tabel' in fib block; did you mean 'table'?" },
	{ HEAD "fib { route 10 }\n",
	  "t.conf:3:7: unknown statement 'route' in fib block" },
	{ HEAD "fib { \"x\" }\n",
	  "t.conf:3:7: expected a statement in fib block, got string \"x\"" },
	{ HEAD "fib table 10\n",
	  "t.conf:3:5: expected '{' after 'fib', got 'table'" },
	{ HEAD "fib { }\nfib { table 3 }\n",
	  "t.conf:4:1: duplicate 'fib' block (first at line 3)" },
	{ HEAD "fib { table 3 } x\n",
	  "t.conf:3:17: unexpected 'x' at end of 'fib' statement" },
	{ HEAD "fib { table 3\n",
	  "t.conf:3:5: unterminated fib block (no matching '}')" },
	{ HEAD "fib { ecmp on { } }\n",
	  "t.conf:3:15: unexpected '{' at end of 'ecmp' statement" },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; fib { } }\n",
	  "t.conf:3:34: 'fib' is not allowed in neighbor block (it is a top-level statement)" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		conf_test_error(bad_cases[i].text, bad_cases[i].err);
}

static void round_trip(const char *text, const char *want_block)
{
	struct conf *a = conf_test_ok(text);
	char *out = conf_test_reprint(a);
	if (want_block)
		assert_non_null(strstr(out, want_block));
	else
		assert_null(strstr(out, "fib"));
	free(out);
	conf_free(a);
}

static void test_print(void **state)
{
	(void)state;
	round_trip(HEAD, NULL);
	round_trip(HEAD "fib { table 100; protocol 201 }\n", "fib {\n\ttable 100\n\tprotocol 201\n}\n");
	round_trip(HEAD "fib { table main; ecmp off; install off; graceful-restart on }\n",
		   "fib {\n\ttable main\n\tecmp off\n\tinstall off\n\tgraceful-restart on\n}\n");
	round_trip(HEAD "fib { install dry-run }\n", "fib {\n\tinstall dry-run\n}\n");
	round_trip(HEAD "fib { backup-routes off }\n", "fib {\n\tbackup-routes off\n}\n");
	round_trip(HEAD "fib { install on }\n", "fib {\n\tinstall on\n}\n");
	round_trip(HEAD "fib { initial-download immediate }\n",
		   "fib {\n\tinitial-download immediate\n}\n");
	/* off and dry-run are different models. */
	struct conf *x = conf_test_ok(HEAD "fib { install off }\n");
	struct conf *y = conf_test_ok(HEAD "fib { install dry-run }\n");
	assert_false(conf_equal(x, y));
	conf_free(x);
	conf_free(y);
	/* Only what was written is printed: defaults stay implicit. */
	round_trip(HEAD "fib { ecmp on }\n", "fib {\n\tecmp on\n}\n");
	struct conf *a = conf_test_ok(HEAD "fib { table 7 }\n");
	struct conf *b = conf_test_ok(HEAD "fib { table 8 }\n");
	assert_false(conf_equal(a, b));
	conf_free(a);
	conf_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_print),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
