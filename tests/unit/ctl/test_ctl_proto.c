/* Control request parser: a table of good and bad requests, each bad one
 * with the exact message the client gets back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl/ctl.h"
#include "ctl/ctl_proto.h"

struct good_case {
	const char *req;
	enum ctl_cmd cmd;
	const char *neighbor; /* NULL = none */
};

static const struct good_case good[] = {
	{ "{\"command\":\"show neighbors\"}", CTL_CMD_SHOW_NEIGHBORS, NULL },
	{ "  {\"command\" : \"show neighbors\"}  \r", CTL_CMD_SHOW_NEIGHBORS, NULL },
	{ "{\"command\":\"show neighbor\",\"neighbor\":\"192.0.2.1\"}", CTL_CMD_SHOW_NEIGHBOR,
	  "192.0.2.1" },
	{ "{\"neighbor\":\"2001:db8::1\",\"command\":\"show neighbor\"}", CTL_CMD_SHOW_NEIGHBOR,
	  "2001:db8::1" },
	{ "{\"command\":\"show neighbor\",\"neighbor\":\"::ffff:192.0.2.7\"}",
	  CTL_CMD_SHOW_NEIGHBOR, "192.0.2.7" },
	{ "{\"command\":\"show rib in\"}", CTL_CMD_SHOW_RIB_IN, NULL },
	{ "{\"command\":\"show rib in\",\"neighbor\":\"10.0.0.1\"}", CTL_CMD_SHOW_RIB_IN,
	  "10.0.0.1" },
	{ "{\"command\":\"show rib out\"}", CTL_CMD_SHOW_RIB_OUT, NULL },
	{ "{\"command\":\"show rib out\",\"neighbor\":\"fe80::1\"}", CTL_CMD_SHOW_RIB_OUT,
	  "fe80::1" },
	{ "{\"command\":\"reload\"}", CTL_CMD_RELOAD, NULL },
	/* JSON escapes are decoded before matching. */
	{ "{\"command\":\"show \\u006eeighbors\"}", CTL_CMD_SHOW_NEIGHBORS, NULL },
};

struct bad_case {
	const char *req;
	int rc;
	const char *msg; /* exact, or a prefix when prefix is true */
	bool prefix;
};

static const struct bad_case bad[] = {
	{ "", -EINVAL, "empty request", false },
	{ "   \t\r", -EINVAL, "empty request", false },
	{ "[1,2]", -EINVAL, "request must be a JSON object", false },
	{ "\"show neighbors\"", -EINVAL, "request must be a JSON object", false },
	{ "42", -EINVAL, "request must be a JSON object", false },
	{ "null", -EINVAL, "request must be a JSON object", false },
	{ "{", -EINVAL, "invalid JSON at byte ", true },
	{ "{\"command\":\"show neighbors\"} {}", -EINVAL, "invalid JSON at byte ", true },
	{ "{\"command\":'x'}", -EINVAL, "invalid JSON at byte ", true },
	{ "{}", -EINVAL, "missing \"command\"", false },
	{ "{\"neighbor\":\"192.0.2.1\"}", -EINVAL, "missing \"command\"", false },
	{ "{\"command\":42}", -EINVAL, "\"command\" must be a string", false },
	{ "{\"command\":null}", -EINVAL, "\"command\" must be a string", false },
	{ "{\"command\":[\"show neighbors\"]}", -EINVAL, "\"command\" must be a string", false },
	{ "{\"command\":\"show routes\"}", -EINVAL, "unknown command 'show routes'", false },
	{ "{\"command\":\"SHOW NEIGHBORS\"}", -EINVAL, "unknown command 'SHOW NEIGHBORS'", false },
	{ "{\"command\":\"show neighbors \"}", -EINVAL, "unknown command 'show neighbors '", false },
	/* Control characters never travel back to the client's terminal. */
	{ "{\"command\":\"a\\u001b[31mb\"}", -EINVAL, "unknown command 'a?[31mb'", false },
	{ "{\"command\":\"\\u00e9\"}", -EINVAL, "unknown command '?" "?'", false },
	{ "{\"command\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", -EINVAL,
	  "unknown command 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'", false },
	{ "{\"command\":\"show neighbors\",\"verbose\":true}", -EINVAL, "unknown key 'verbose'",
	  false },
	{ "{\"command\":\"show neighbors\",\"command\":\"reload\"}", -EINVAL,
	  "invalid JSON at byte ", true },
	{ "{\"command\":\"show neighbor\"}", -EINVAL,
	  "command 'show neighbor' needs a \"neighbor\"", false },
	{ "{\"command\":\"show neighbors\",\"neighbor\":\"192.0.2.1\"}", -EINVAL,
	  "command 'show neighbors' takes no \"neighbor\"", false },
	{ "{\"command\":\"reload\",\"neighbor\":\"192.0.2.1\"}", -EINVAL,
	  "command 'reload' takes no \"neighbor\"", false },
	{ "{\"command\":\"show neighbor\",\"neighbor\":1}", -EINVAL,
	  "\"neighbor\" must be a string", false },
	{ "{\"command\":\"show rib in\",\"neighbor\":null}", -EINVAL,
	  "\"neighbor\" must be a string", false },
	{ "{\"command\":\"show neighbor\",\"neighbor\":\"192.0.2.256\"}", -EINVAL,
	  "invalid neighbor address '192.0.2.256'", false },
	{ "{\"command\":\"show neighbor\",\"neighbor\":\"192.0.2.0/24\"}", -EINVAL,
	  "invalid neighbor address '192.0.2.0/24'", false },
	{ "{\"command\":\"show rib in\",\"neighbor\":\"\"}", -EINVAL,
	  "invalid neighbor address ''", false },
	{ "{\"command\":\"show neighbor\",\"neighbor\":\"\\u0000\"}", -EINVAL,
	  "invalid JSON at byte ", true },
};

static void test_good_requests(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct ctl_request req;
		char err[CTL_ERR_MAX];
		int rc = ctl_request_parse(good[i].req, strlen(good[i].req), &req, err, sizeof(err));
		if (rc)
			fail_msg("case %zu (%s): %s", i, good[i].req, err);
		assert_int_equal(req.cmd, good[i].cmd);
		assert_int_equal(req.has_neighbor, good[i].neighbor != NULL);
		if (good[i].neighbor) {
			struct addr want;
			assert_int_equal(addr_parse(good[i].neighbor, &want), 0);
			assert_true(addr_eq(&req.neighbor, &want));
		}
	}
}

static void test_bad_requests(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ctl_request req;
		char err[CTL_ERR_MAX];
		int rc = ctl_request_parse(bad[i].req, strlen(bad[i].req), &req, err, sizeof(err));
		if (rc != bad[i].rc)
			fail_msg("case %zu (%s): rc %d, want %d", i, bad[i].req, rc, bad[i].rc);
		bool ok = bad[i].prefix ? strncmp(err, bad[i].msg, strlen(bad[i].msg)) == 0
					: strcmp(err, bad[i].msg) == 0;
		if (!ok)
			fail_msg("case %zu (%s): message \"%s\", want \"%s\"", i, bad[i].req, err,
				 bad[i].msg);
	}
}

static void test_nul_byte_and_length_cap(void **state)
{
	(void)state;
	struct ctl_request req;
	char err[CTL_ERR_MAX];
	static const char with_nul[] = "{\"command\":\"show neighbors\"}\0x";

	assert_int_equal(ctl_request_parse(with_nul, sizeof(with_nul) - 1, &req, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "request contains a NUL byte");

	/* Exactly at the cap (line without newline) still parses as JSON;
	 * one byte more is refused before any parsing. */
	size_t n = CTL_MAX_REQUEST - 1;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "{\"command\":\"show neighbors\"}", 28);
	assert_int_equal(ctl_request_parse(big, n, &req, err, sizeof(err)), 0);
	assert_int_equal(req.cmd, CTL_CMD_SHOW_NEIGHBORS);
	big[n] = ' ';
	assert_int_equal(ctl_request_parse(big, n + 1, &req, err, sizeof(err)), -EMSGSIZE);
	assert_string_equal(err, "request longer than 65535 bytes");
	free(big);
}

static void test_deep_nesting_is_refused(void **state)
{
	(void)state;
	/* jansson caps nesting depth; a deep request must fail cleanly,
	 * not exhaust the stack. */
	size_t depth = 20000;
	char *s = malloc(depth * 2 + 1);
	assert_non_null(s);
	for (size_t i = 0; i < depth; i++) {
		s[i] = '[';
		s[depth + i] = ']';
	}
	s[depth * 2] = '\0';
	struct ctl_request req;
	char err[CTL_ERR_MAX];
	assert_int_equal(ctl_request_parse(s, depth * 2, &req, err, sizeof(err)), -EINVAL);
	assert_true(strncmp(err, "invalid JSON at byte ", 21) == 0);
	free(s);
}

static void test_small_error_buffer_is_not_overrun(void **state)
{
	(void)state;
	struct ctl_request req;
	char err[8];
	const char *r = "{\"command\":\"show routes\"}";
	assert_int_equal(ctl_request_parse(r, strlen(r), &req, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown");
}

static void test_encode_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct ctl_request req, back;
		char err[CTL_ERR_MAX];
		assert_int_equal(ctl_request_parse(good[i].req, strlen(good[i].req), &req, err,
						   sizeof(err)), 0);
		char *line = ctl_request_encode(&req);
		assert_non_null(line);
		size_t n = strlen(line);
		assert_true(n > 1 && line[n - 1] == '\n');
		assert_null(memchr(line, '\n', n - 1)); /* exactly one line */
		assert_int_equal(ctl_request_parse(line, n - 1, &back, err, sizeof(err)), 0);
		assert_int_equal(back.cmd, req.cmd);
		assert_int_equal(back.has_neighbor, req.has_neighbor);
		if (req.has_neighbor)
			assert_true(addr_eq(&back.neighbor, &req.neighbor));
		free(line);
	}
	assert_string_equal(ctl_cmd_name(CTL_CMD_SHOW_RIB_OUT), "show rib out");
	assert_null(ctl_cmd_name(CTL_CMD_COUNT));
}

static void test_added_commands(void **state)
{
	(void)state;
	static const char *const ext[] = { "drain", "show neighbors" };
	struct ctl_request req;
	char err[CTL_ERR_MAX];
	json_t *args = NULL;
	const char *r = "{\"command\":\"drain\",\"reason\":\"maintenance\"}";

	/* Unknown to the plain parser... */
	assert_int_equal(ctl_request_parse(r, strlen(r), &req, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown command 'drain'");
	/* ...handed over whole, extra keys and all, when registered. */
	assert_int_equal(ctl_request_parse_ext(r, strlen(r), ext, 2, &req, &args, err,
					       sizeof(err)), 0);
	assert_int_equal(req.ext, 0);
	assert_non_null(args);
	assert_string_equal(json_string_value(json_object_get(args, "reason")), "maintenance");
	json_decref(args);

	/* A built-in name stays built-in, with its own key checks. */
	r = "{\"command\":\"show neighbors\",\"x\":1}";
	assert_int_equal(ctl_request_parse_ext(r, strlen(r), ext, 2, &req, &args, err,
					       sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown key 'x'");
	assert_null(args);
	r = "{\"command\":\"show neighbors\"}";
	assert_int_equal(ctl_request_parse_ext(r, strlen(r), ext, 2, &req, &args, err,
					       sizeof(err)), 0);
	assert_int_equal(req.ext, -1);
	assert_int_equal(req.cmd, CTL_CMD_SHOW_NEIGHBORS);
	assert_null(args);

	r = "{\"command\":\"undrain\"}";
	assert_int_equal(ctl_request_parse_ext(r, strlen(r), ext, 2, &req, &args, err,
					       sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown command 'undrain'");
	assert_null(args);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_requests),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_nul_byte_and_length_cap),
		cmocka_unit_test(test_deep_nesting_is_refused),
		cmocka_unit_test(test_small_error_buffer_is_not_overrun),
		cmocka_unit_test(test_encode_round_trip),
		cmocka_unit_test(test_added_commands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
