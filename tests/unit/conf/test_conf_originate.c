/* originate PREFIX [policy NAME] [when CONDITION] and condition NAME
 * [up|down]: what is parsed, every error, the round trip. */
#include "conf_test.h"

#include <errno.h>
#include <stdlib.h>

#define HEAD "router-id 10.0.0.1\nlocal-as 64521\n"
#define POL "policy tag { set med 5; accept }\n"

static void test_parse(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(HEAD POL "condition uplink\ncondition manual up\n"
					   "originate 0.0.0.0/0 when uplink\n"
					   "originate ::/0 policy tag when manual\n"
					   "originate 198.51.100.0/24 policy tag\n"
					   "originate 203.0.113.0/24\n");
	assert_int_equal(c->n_conditions, 2);
	assert_string_equal(c->conditions[0].name, "uplink");
	assert_false(c->conditions[0].up);
	assert_true(c->conditions[1].up);
	assert_ptr_equal(conf_condition_find(c, "manual"), &c->conditions[1]);
	assert_null(conf_condition_find(c, "nope"));
	assert_int_equal(c->n_originate, 4);
	assert_string_equal(c->originate[0].when, "uplink");
	assert_null(c->originate[0].policy);
	assert_string_equal(c->originate[1].policy, "tag");
	assert_string_equal(c->originate[1].when, "manual");
	assert_string_equal(c->originate[2].policy, "tag");
	assert_null(c->originate[2].when);
	assert_null(c->originate[3].when);
	conf_free(c);
	/* Either order. */
	/* A probe defines a condition of its name. */
	c = conf_test_ok(HEAD "probe uplink { icmp 192.0.2.1 }\noriginate 0.0.0.0/0 when uplink\n");
	assert_string_equal(c->originate[0].when, "uplink");
	conf_free(c);
	c = conf_test_ok(HEAD POL "condition u down\noriginate 0.0.0.0/0 when u policy tag\n");
	assert_string_equal(c->originate[0].policy, "tag");
	assert_string_equal(c->originate[0].when, "u");
	conf_free(c);
}

static void expect_error(const char *text, const char *want)
{
	struct conf *c = NULL;
	struct conf_errors e;
	int r = conf_load_string("t.conf", text, strlen(text), &c, &e);
	bool ok = r == -EINVAL && !c && e.n == 1 && strcmp(e.msgs[0], want) == 0;
	if (!ok) {
		print_error("config:\n%s\ngot %zu errors:\n", text, e.n);
		for (size_t i = 0; i < e.n; i++)
			print_error("  %s\n", e.msgs[i]);
		print_error("wanted: %s\n", want);
	}
	conf_errors_free(&e);
	conf_free(c);
	assert_true(ok);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error(HEAD "condition uplink\noriginate 0.0.0.0/0 when uplnk\n",
		     "t.conf:4:26: unknown condition 'uplnk' in originate; did you mean 'uplink'?");
	expect_error(HEAD "originate 0.0.0.0/0 policy nope\n",
		     "t.conf:3:28: unknown policy 'nope' in originate");
	expect_error(HEAD "originate 0.0.0.0/0 when\n",
		     "t.conf:3:25: missing value after 'when' (expected condition name)");
	expect_error(HEAD "condition a\ncondition b\noriginate 0.0.0.0/0 when a when b\n",
		     "t.conf:5:28: duplicate 'when' in originate");
	expect_error(HEAD "originate 0.0.0.0/0 if uplink\n",
		     "t.conf:3:21: unexpected 'if' after originate prefix (expected "
		     "'policy NAME' or 'when CONDITION')");
	expect_error(HEAD "condition 9x\n",
		     "t.conf:3:11: invalid condition name '9x' (up to 64 letters, digits, '-', "
		     "'_' or '.', starting with a letter)");
	expect_error(HEAD "condition a sideways\n",
		     "t.conf:3:13: invalid condition state 'sideways' (expected up or down)");
	expect_error(HEAD "condition a\ncondition a up\n",
		     "t.conf:4:11: duplicate condition 'a' (first defined at line 3)");
	expect_error(HEAD "neighbor 10.0.0.2 { remote-as 1; condition a }\n",
		     "t.conf:3:34: 'condition' is not allowed in neighbor block (it is a "
		     "top-level statement)");
}

static void test_round_trip(void **state)
{
	(void)state;
	struct conf *a = conf_test_ok(HEAD POL "condition uplink up\ncondition b\n"
					   "originate 0.0.0.0/0 policy tag when uplink\n"
					   "originate ::/0 when b\n");
	char *out = NULL;
	assert_int_equal(conf_print(a, &out), 0);
	struct conf *b = conf_test_ok(out);
	assert_true(conf_equal(a, b));
	b->conditions[0].up = false;
	assert_false(conf_equal(a, b));
	b->conditions[0].up = true;
	free(b->originate[1].when);
	b->originate[1].when = NULL;
	assert_false(conf_equal(a, b));
	free(out);
	conf_free(a);
	conf_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
