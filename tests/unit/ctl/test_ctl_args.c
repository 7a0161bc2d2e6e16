/* Arguments of the daemon-added control commands (ctl_args.c): the keys
 * each takes, their types, required ones, and error messages that quote
 * the client's text only as 40 bytes of printable ASCII (the daemon's
 * own checks used to echo keys and names raw, control characters and
 * all, into text egressctl prints on a terminal). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "ctl/ctl.h"
#include "ctl/ctl_args.h"
#include "ctl/ctl_proto.h"

struct args_case {
	const char *cmd;
	const char *req; /* JSON object */
	int rc;
	const char *err; /* exact message when rc != 0 */
};

static const struct args_case cases[] = {
	{ "show probes", "{\"command\":\"show probes\"}", 0, NULL },
	{ "show probes", "{\"command\":\"show probes\",\"x\":1}", -EINVAL,
	  "unexpected key 'x' in request" },
	/* show loop once echoed a client's key as it came, escape codes
	 * and all; every command with no arguments now says it alike. */
	{ "show loop", "{\"command\":\"show loop\",\"\\u001b[2J\":1}", -EINVAL,
	  "unexpected key '?[2J' in request" },
	{ "show memory", "{\"command\":\"show memory\"}", 0, NULL },
	{ "show rib", "{\"command\":\"show rib\",\"all\":true}", -EINVAL,
	  "unexpected key 'all' in request" },
	{ "show fib", "{\"command\":\"show fib\",\"check\":true}", 0, NULL },
	{ "show fib", "{\"command\":\"show fib\",\"check\":\"yes\"}", -EINVAL,
	  "\"check\" must be a boolean" },
	{ "show route-table", "{\"command\":\"show route-table\"}", 0, NULL },
	{ "show route-table", "{\"command\":\"show route-table\",\"name\":7}", -EINVAL,
	  "\"name\" must be a string" },
	{ "explain", "{\"command\":\"explain\",\"prefix\":\"10.0.0.0/8\"}", 0, NULL },
	{ "explain", "{\"command\":\"explain\"}", -EINVAL, "explain needs \"prefix\"" },
	{ "explain", "{\"command\":\"explain\",\"prefix\":\"10.0.0.0/33\"}", -EINVAL,
	  "\"prefix\" must be a prefix such as 0.0.0.0/0" },
	/* A NUL inside the string would make it another, shorter one in C. */
	{ "explain", "{\"command\":\"explain\",\"prefix\":\"10.0.0.0/8\\u0000junk\"}", -EINVAL,
	  "\"prefix\" must be a prefix such as 0.0.0.0/0" },
	{ "condition", "{\"command\":\"condition\",\"name\":\"u\",\"state\":\"up\"}", 0, NULL },
	{ "condition", "{\"command\":\"condition\",\"state\":\"up\"}", -EINVAL,
	  "condition needs \"name\"" },
	{ "condition", "{\"command\":\"condition\",\"name\":\"u\",\"state\":true}", -EINVAL,
	  "\"state\" must be a string" },
	/* Control characters in a key: '?' on the way back. */
	{ "condition", "{\"command\":\"condition\",\"\\u001b[2Jk\":1}", -EINVAL,
	  "unexpected key '?[2Jk' in request" },
	/* A long key: cut at 40 bytes. */
	{ "originate",
	  "{\"command\":\"originate\",\"aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeee\":1}",
	  -EINVAL, "unexpected key 'aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd...' in request" },
	/* Non-ASCII UTF-8: each byte a '?'. */
	{ "originate", "{\"command\":\"originate\",\"\\u00e9\":1}", -EINVAL,
	  "unexpected key '?" "?' in request" },
	{ "show rib in pre-policy",
	  "{\"command\":\"show rib in pre-policy\",\"neighbor\":\"::ffff:192.0.2.1\"}", 0, NULL },
	{ "show rib in pre-policy", "{\"command\":\"show rib in pre-policy\",\"neighbor\":\"x\"}",
	  -EINVAL, "\"neighbor\" must be an address such as 192.0.2.1" },
	{ "no such", "{\"command\":\"no such\"}", -ENOENT,
	  "no argument table for command 'no such'" },
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct args_case *c = &cases[i];
		json_error_t je;
		json_t *req = json_loads(c->req, JSON_ALLOW_NUL, &je);
		assert_non_null(req);
		struct ctl_arg_value v[CTL_ARGS_MAX];
		char err[CTL_ERR_MAX] = "";
		int rc = ctl_args_parse(req, c->cmd, v, err, sizeof(err));
		if (rc != c->rc || (c->err && strcmp(err, c->err) != 0))
			fail_msg("case %zu (%s): rc %d err '%s', want %d '%s'", i, c->req, rc, err,
				 c->rc, c->err ? c->err : "");
		json_decref(req);
	}
}

static void test_values(void **state)
{
	(void)state;
	json_t *req = json_loads("{\"command\":\"show rib in pre-policy\","
				 "\"neighbor\":\"::ffff:192.0.2.1\"}", 0, NULL);
	struct ctl_arg_value v[CTL_ARGS_MAX];
	char err[CTL_ERR_MAX];
	assert_int_equal(ctl_args_parse(req, "show rib in pre-policy", v, err, sizeof(err)), 0);
	struct addr want;
	assert_int_equal(addr_parse("192.0.2.1", &want), 0);
	assert_true(v[0].present);
	assert_true(addr_eq(&v[0].addr, &want));
	json_decref(req);

	req = json_loads("{\"command\":\"condition\",\"state\":\"down\",\"name\":\"up1\"}", 0,
			 NULL);
	assert_int_equal(ctl_args_parse(req, "condition", v, err, sizeof(err)), 0);
	assert_string_equal(v[0].str, "up1");
	assert_string_equal(v[1].str, "down");
	json_decref(req);
}

/* Every command in the table is one the parser routes to the daemon,
 * not a built-in it would answer itself. */
static void test_table(void **state)
{
	(void)state;
	for (const struct ctl_command_args *c = ctl_command_args; c->command; c++) {
		assert_true(c->n_args <= CTL_ARGS_MAX);
		char line[128];
		struct ctl_request req;
		char err[CTL_ERR_MAX];
		json_t *args = NULL;
		snprintf(line, sizeof(line), "{\"command\":\"%s\"}", c->command);
		assert_int_equal(ctl_request_parse_ext(line, strlen(line), &c->command, 1, &req,
						       &args, err, sizeof(err)),
				 0);
		assert_int_equal(req.ext, 0);
		json_decref(args);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
