/* soft-reconfiguration inbound: per neighbor or inherited from a group,
 * its errors, printed and compared. */
#include "conf_test.h"

#include <errno.h>
#include <stdlib.h>

#define HEAD "router-id 10.0.0.1\nlocal-as 64521\n"

static void test_parse_and_inherit(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(HEAD "group g { remote-as 1; soft-reconfiguration inbound\n"
					   "  neighbor 10.0.0.2\n}\n"
					   "neighbor 10.0.0.3 { remote-as 2 }\n");
	assert_true(conf_test_nbr(c, "10.0.0.2")->soft_reconfig_in);
	assert_false(conf_test_nbr(c, "10.0.0.3")->soft_reconfig_in);
	char *out = NULL;
	assert_int_equal(conf_print(c, &out), 0);
	assert_non_null(strstr(out, "soft-reconfiguration inbound"));
	struct conf *b = conf_test_ok(out);
	assert_true(conf_equal(c, b));
	b->neighbors[0].soft_reconfig_in = !b->neighbors[0].soft_reconfig_in;
	assert_false(conf_equal(c, b));
	free(out);
	conf_free(b);
	conf_free(c);
}

static void expect_error(const char *text, const char *want)
{
	struct conf *c = NULL;
	struct conf_errors e;
	int r = conf_load_string("t.conf", text, strlen(text), &c, &e);
	bool ok = r == -EINVAL && !c && e.n == 1 && strcmp(e.msgs[0], want) == 0;
	if (!ok)
		for (size_t i = 0; i < e.n; i++)
			print_error("  %s\n", e.msgs[i]);
	conf_errors_free(&e);
	conf_free(c);
	assert_true(ok);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error(HEAD "neighbor 10.0.0.2 { remote-as 1; soft-reconfiguration outbound }\n",
		     "t.conf:3:55: invalid soft-reconfiguration 'outbound' (expected inbound)");
	expect_error(HEAD "neighbor 10.0.0.2 { remote-as 1; soft-reconfiguration }\n",
		     "t.conf:3:55: missing value after 'soft-reconfiguration' (expected inbound)");
	expect_error(HEAD "soft-reconfiguration inbound\n",
		     "t.conf:3:1: 'soft-reconfiguration' is not allowed at top level (it belongs "
		     "in a neighbor or group block)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_inherit),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
