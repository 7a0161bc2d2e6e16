/* graceful-restart on|off and restart-time per neighbor or inherited
 * from a group (restarting side, src/daemon/gr_restart.c): parsed,
 * defaulted, printed, compared, and their errors. */
#include "conf_test.h"

#include <errno.h>
#include <stdlib.h>

#define HEAD "router-id 10.0.0.1\nlocal-as 64521\n"

static void test_parse_and_inherit(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(HEAD "group g { remote-as 1; restart-time 60\n"
					   "  neighbor 10.0.0.2\n"
					   "  neighbor 10.0.0.4 { restart-time 300 }\n}\n"
					   "neighbor 10.0.0.3 { remote-as 2; graceful-restart off }\n"
					   "neighbor 10.0.0.5 { remote-as 2 }\n");
	const struct conf_neighbor *n2 = conf_test_nbr(c, "10.0.0.2");
	assert_false(n2->gr_off);
	assert_int_equal(n2->restart_time, 60);
	assert_int_equal(conf_test_nbr(c, "10.0.0.4")->restart_time, 300);
	assert_true(conf_test_nbr(c, "10.0.0.3")->gr_off);
	/* Not written: on, with the default restart time. */
	const struct conf_neighbor *n5 = conf_test_nbr(c, "10.0.0.5");
	assert_false(n5->gr_off);
	assert_false(n5->restart_time_set);
	assert_int_equal(n5->restart_time, CONF_RESTART_TIME_DEFAULT);

	char *out = NULL;
	assert_int_equal(conf_print(c, &out), 0);
	assert_non_null(strstr(out, "graceful-restart off"));
	assert_non_null(strstr(out, "restart-time 300"));
	struct conf *b = conf_test_ok(out);
	assert_true(conf_equal(c, b));
	b->neighbors[0].restart_time++;
	assert_false(conf_equal(c, b));
	free(out);
	conf_free(b);
	conf_free(c);
}

static void test_errors(void **state)
{
	(void)state;
	conf_test_error(HEAD "neighbor 10.0.0.2 { remote-as 1; graceful-restart maybe }\n",
			"t.conf:3:51: invalid graceful-restart 'maybe' (expected on or off)");
	/* RFC 4724 3: 12 bits. */
	conf_test_error(HEAD "neighbor 10.0.0.2 { remote-as 1; restart-time 4096 }\n",
			"t.conf:3:47: restart-time 4096 out of range (1..4095)");
	conf_test_error(HEAD "neighbor 10.0.0.2 { remote-as 1; restart-time 0 }\n",
			"t.conf:3:47: restart-time 0 out of range (1..4095)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_inherit),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
