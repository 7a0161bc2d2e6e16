/* Decision knobs: defaults, each statement, its errors, the round trip. */
#include "conf_test.h"

#include <errno.h>
#include <stdlib.h>

#define HEAD "router-id 10.0.0.1\nlocal-as 64521\n"

static void test_defaults(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(HEAD);
	assert_int_equal(c->decision.multipath, 1);
	assert_false(c->decision.multipath_relax);
	assert_false(c->decision.always_compare_med);
	assert_false(c->decision.deterministic_med);
	assert_false(c->decision.prefer_oldest);
	assert_false(c->decision.med_missing_as_worst);
	assert_int_equal(c->decision.default_local_pref, 100);
	conf_free(c);
}

static void test_every_knob(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(HEAD "multipath 8\nmultipath relax\nalways-compare-med\n"
					   "deterministic-med yes\nprefer-oldest\n"
					   "med-missing-as-worst\ndefault-local-pref 0\n");
	assert_int_equal(c->decision.multipath, 8);
	assert_true(c->decision.multipath_relax);
	assert_true(c->decision.always_compare_med);
	assert_true(c->decision.deterministic_med);
	assert_true(c->decision.prefer_oldest);
	assert_true(c->decision.med_missing_as_worst);
	assert_int_equal(c->decision.default_local_pref, 0);
	conf_free(c);
	c = conf_test_ok(HEAD "multipath 64 relax; always-compare-med no\n");
	assert_int_equal(c->decision.multipath, 64);
	assert_true(c->decision.multipath_relax);
	assert_false(c->decision.always_compare_med);
	conf_free(c);
	c = conf_test_ok(HEAD "multipath relax 2\ndefault-local-pref 4294967295\n");
	assert_int_equal(c->decision.multipath, 2);
	assert_true(c->decision.multipath_relax);
	assert_int_equal(c->decision.default_local_pref, 4294967295u);
	conf_free(c);
}

static void expect_errors(const char *text, const char *const *want, size_t n)
{
	struct conf *c = NULL;
	struct conf_errors e;
	int r = conf_load_string("t.conf", text, strlen(text), &c, &e);
	bool ok = r == -EINVAL && !c && e.n == n;
	for (size_t i = 0; ok && i < n; i++)
		ok = strcmp(e.msgs[i], want[i]) == 0;
	if (!ok) {
		print_error("config:\n%s\ngot %zu errors:\n", text, e.n);
		for (size_t i = 0; i < e.n; i++)
			print_error("  %s\n", e.msgs[i]);
	}
	conf_errors_free(&e);
	conf_free(c);
	assert_true(ok);
}

#define ERR1(text, msg)                                        \
	do {                                                   \
		const char *const w_[] = { msg };              \
		expect_errors(HEAD text, w_, 1);               \
	} while (0)

static void test_errors(void **state)
{
	(void)state;
	ERR1("multipath 0\n", "t.conf:3:11: multipath 0 out of range (1..64)");
	ERR1("multipath 65\n", "t.conf:3:11: multipath 65 out of range (1..64)");
	ERR1("multipath many\n", "t.conf:3:11: invalid multipath 'many' (expected 1..64)");
	ERR1("multipath\n", "t.conf:3:10: missing value after 'multipath' (expected 1..64 or 'relax')");
	ERR1("multipath 2\nmultipath 4\n", "t.conf:4:1: duplicate 'multipath' (first set at line 3)");
	ERR1("multipath relax\nmultipath 4 relax\n",
	     "t.conf:4:13: duplicate 'multipath relax' (first set at line 3)");
	ERR1("always-compare-med maybe\n",
	     "t.conf:3:20: invalid always-compare-med value 'maybe' (expected yes or no)");
	ERR1("prefer-oldest\nprefer-oldest no\n",
	     "t.conf:4:1: duplicate 'prefer-oldest' (first set at line 3)");
	ERR1("deterministic-med yes no\n",
	     "t.conf:3:23: unexpected 'no' at end of 'deterministic-med' statement");
	ERR1("default-local-pref 4294967296\n",
	     "t.conf:3:20: default-local-pref 4294967296 out of range (0..4294967295)");
	ERR1("default-local-pref -1\n",
	     "t.conf:3:20: invalid default-local-pref '-1' (expected 0..4294967295)");
	ERR1("neighbor 10.0.0.2 { remote-as 1; multipath 2 }\n",
	     "t.conf:3:34: 'multipath' is not allowed in neighbor block (it is a top-level statement)");
	ERR1("med-missing-as-worse\n",
	     "t.conf:3:1: unknown statement 'med-missing-as-worse' at top level; did you mean 'med-missing-as-worst'?");
}

static void test_round_trip(void **state)
{
	(void)state;
	struct conf *a = conf_test_ok(HEAD "multipath 4 relax\nalways-compare-med\n"
					   "deterministic-med\nprefer-oldest\n"
					   "med-missing-as-worst\ndefault-local-pref 50\n");
	char *out = NULL;
	assert_int_equal(conf_print(a, &out), 0);
	struct conf *b = conf_test_ok(out);
	assert_true(conf_equal(a, b));
	b->decision.prefer_oldest = false;
	assert_false(conf_equal(a, b));
	free(out);
	conf_free(a);
	conf_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_knob),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
