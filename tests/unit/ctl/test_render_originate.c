/* egressctl originate / condition as text: exact output for answers as
 * egressd gives them, refusal with nothing printed for malformed ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/render_originate.h"
#include "render_test.h"

/* render_originate as of 1000 + 3661 (the ages below are from 1000). */
static int originate_at(FILE *f, json_t *j, char *err, size_t err_size)
{
	return render_originate(f, j, 1000 + 3661, err, err_size);
}

static char *run(const char *text, bool originate, int *rc, char *err, size_t err_size)
{
	return render_test_run(originate ? originate_at : render_condition, text, rc, err,
			       err_size);
}

static const char answer[] =
	"{\"originate\":[{\"prefix\":\"0.0.0.0/0\",\"policy\":null,\"condition\":\"uplink\","
	"\"state\":\"down\",\"reason\":\"condition uplink down: set down by egressctl\","
	"\"since\":1000},{\"prefix\":\"198.51.100.0/24\",\"policy\":\"tag\",\"condition\":null,"
	"\"state\":\"up\",\"reason\":\"unconditional\",\"since\":4600}],"
	"\"conditions\":[{\"name\":\"uplink\",\"state\":\"down\",\"driven_by\":\"manual\","
	"\"reason\":\"set down by egressctl\",\"since\":1000,\"changes\":2}]}";

static void test_originate_text(void **state)
{
	(void)state;
	char err[256];
	int rc;
	char *out = run(answer, true, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_string_equal(out,
		"Prefix               State For      Condition    Policy       Why\n"
		"0.0.0.0/0            down  01:01:01 uplink       -            condition uplink down: set down by egressctl\n"
		"198.51.100.0/24      up    00:01:01 -            tag          unconditional\n"
		"\n"
		"Condition            State For      By       Reason\n"
		"uplink               down  01:01:01 manual   set down by egressctl\n");
	free(out);
}

static void test_malformed_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"{}",
		"{\"originate\":[],\"conditions\":{}}",
		"{\"originate\":[{\"prefix\":1}],\"conditions\":[]}",
		/* One literal split over two lines, not two array entries. */
		("{\"originate\":[{\"prefix\":\"0.0.0.0/0\",\"policy\":null,\"condition\":null,"
		 "\"state\":\"up\",\"reason\":\"x\",\"since\":\"yesterday\"}],\"conditions\":[]}"),
		"{\"originate\":[],\"conditions\":[{\"name\":\"u\",\"state\":\"up\"}]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256];
		int rc;
		char *out = run(bad[i], true, &rc, err, sizeof(err));
		if (rc != -EBADMSG || out[0] || !err[0])
			fail_msg("case %zu: rc %d, out '%s', err '%s'", i, rc, out, err);
		free(out);
	}
}

static void test_condition_text(void **state)
{
	(void)state;
	char err[256];
	int rc;
	char *out = run("{\"condition\":\"uplink\",\"state\":\"up\",\"changed\":false}", false,
			&rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_string_equal(out, "condition uplink up (it already was)\n");
	free(out);
	out = run("{\"condition\":\"uplink\",\"state\":\"up\"}", false, &rc, err, sizeof(err));
	assert_int_equal(rc, -EBADMSG);
	assert_string_equal(out, "");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_originate_text),
		cmocka_unit_test(test_malformed_refused),
		cmocka_unit_test(test_condition_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
