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

static void test_errors(void **state)
{
	(void)state;
	conf_test_error(HEAD "neighbor 10.0.0.2 { remote-as 1; soft-reconfiguration outbound }\n",
			"t.conf:3:55: invalid soft-reconfiguration 'outbound' (expected inbound)");
	conf_test_error(HEAD "neighbor 10.0.0.2 { remote-as 1; soft-reconfiguration }\n",
			"t.conf:3:55: missing value after 'soft-reconfiguration' (expected inbound)");
	conf_test_error(HEAD "soft-reconfiguration inbound\n",
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
