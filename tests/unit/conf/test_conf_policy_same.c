/* conf_policy_same: what a reload compares to decide whether a
 * neighbor's import or export must be re-evaluated. */
#include "conf_test.h"

#include <stdlib.h>

#define HEAD "router-id 10.0.0.1\nlocal-as 64521\n"

static bool same(const char *a, const char *b, const char *name)
{
	struct conf *x = conf_test_ok(a), *y = conf_test_ok(b);
	bool r = conf_policy_same(x, y, name);
	conf_free(x);
	conf_free(y);
	return r;
}

static void test_policy_same(void **state)
{
	(void)state;
	const char *base = HEAD "prefix-set s { 10.0.0.0/8 le 24 }\n"
			   "policy p { match prefix-set s; set med 5; accept }\n"
			   "policy q { accept }\n";
	assert_true(same(base, base, "p"));
	/* Another policy changed: p is the same. */
	assert_true(same(base, HEAD "prefix-set s { 10.0.0.0/8 le 24 }\n"
				   "policy p { match prefix-set s; set med 5; accept }\n"
				   "policy q { set med 1; accept }\n", "p"));
	/* Its action changed. */
	assert_false(same(base, HEAD "prefix-set s { 10.0.0.0/8 le 24 }\n"
				    "policy p { match prefix-set s; set med 6; accept }\n"
				    "policy q { accept }\n", "p"));
	/* The prefix set it matches changed. */
	assert_false(same(base, HEAD "prefix-set s { 10.0.0.0/8 le 25 }\n"
				    "policy p { match prefix-set s; set med 5; accept }\n"
				    "policy q { accept }\n", "p"));
	/* Gone on one side; absent on both. */
	assert_false(same(base, HEAD "policy q { accept }\n", "p"));
	assert_true(same(base, base, "nope"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
