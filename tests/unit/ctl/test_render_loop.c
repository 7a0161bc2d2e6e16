/* egressctl show loop as text: exact output for an answer as egressd
 * gives it, refusal with nothing printed for malformed ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/render.h"
#include "render_test.h"

static char *run(const char *text, int *rc, char *err, size_t err_size)
{
	return render_test_run(render_loop, text, rc, err, err_size);
}

#define HIST "{\"<1ms\":900,\"1-10ms\":80,\"10-50ms\":15,\"50-100ms\":3,\"100-250ms\":1," \
	     "\"250ms-1s\":1,\">=1s\":0}"

/* 1795700000 = 2026-11-26T13:33:20Z */
static void test_loop_text(void **state)
{
	(void)state;
	char err[256];
	int rc;
	char *out = run("{\"seconds\":200,\"iterations\":1000,\"busy_us\":5000000,"
			"\"longest_us\":412345,\"longest_at\":1795700000,\"histogram\":" HIST "}",
			&rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_string_equal(out, "event loop: 1000 iterations in 00:03:20, working 5.000 s (2.5%)\n"
				 "longest iteration: 412.3 ms at 2026-11-26 13:33:20 UTC\n"
				 "iterations by work time:\n"
				 "  <1ms       900\n"
				 "  1-10ms     80\n"
				 "  10-50ms    15\n"
				 "  50-100ms   3\n"
				 "  100-250ms  1\n"
				 "  250ms-1s   1\n"
				 "  >=1s       0\n");
	free(out);
}

static void test_malformed_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"{}",
		"{\"seconds\":1,\"iterations\":1,\"busy_us\":1,\"longest_us\":1,\"longest_at\":1}",
		"{\"seconds\":1,\"iterations\":1,\"busy_us\":1,\"longest_us\":1,\"longest_at\":1,"
		"\"histogram\":[]}",
		"{\"seconds\":1,\"iterations\":1,\"busy_us\":1,\"longest_us\":1,\"longest_at\":1,"
		"\"histogram\":{\"<1ms\":1}}",
		"{\"seconds\":\"1\",\"iterations\":1,\"busy_us\":1,\"longest_us\":1,\"longest_at\":1,"
		"\"histogram\":" HIST "}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256];
		int rc;
		char *out = run(bad[i], &rc, err, sizeof(err));
		if (rc != -EBADMSG)
			fail_msg("case %zu accepted", i);
		assert_true(err[0] != '\0');
		assert_string_equal(out, "");
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_text),
		cmocka_unit_test(test_malformed_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
