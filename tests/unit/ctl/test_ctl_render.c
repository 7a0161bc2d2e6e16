/* egressctl's human output: exact tables for good answers, and for a
 * malformed answer an error naming the field and no output at all. */
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

static char *run(render_test_fn fn, const char *text, int *rc, char *err, size_t err_size)
{
	return render_test_run(fn, text, rc, err, err_size);
}

static const char neighbors_json[] =
	"{\"neighbors\":["
	"{\"address\":\"169.254.247.1\",\"remote_as\":64512,\"state\":\"Established\","
	"\"uptime_s\":3725,\"prefixes_received\":2,\"prefixes_sent\":1,"
	"\"description\":\"tunnel 1\",\"last_error\":\"\"},"
	"{\"address\":\"2001:db8::1\",\"remote_as\":4200000001,\"state\":\"Active\","
	"\"uptime_s\":90061,\"prefixes_received\":0,\"prefixes_sent\":0,"
	"\"description\":\"evil\\u001b[2J\",\"last_error\":\"x\"}]}";

static void test_neighbors_table(void **state)
{
	(void)state;
	int rc;
	char err[256];
	char *out = run(render_neighbors, neighbors_json, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_string_equal(out,
		"Neighbor               AS  State         Up/Down  Rcvd  Sent  Description\n"
		"169.254.247.1       64512  Established  01:02:05     2     1  tunnel 1\n"
		"2001:db8::1    4200000001  Active       1d01h01m     0     0  evil?[2J\n");
	free(out);
}

static void test_malformed_neighbors_are_refused(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		const char *err;
	} cases[] = {
		{ "{}", "answer: \"neighbors\" is missing or not an array" },
		{ "{\"neighbors\":{}}", "answer: \"neighbors\" is missing or not an array" },
		{ "{\"neighbors\":[1]}", "neighbor 0 is not an object" },
		{ "{\"neighbors\":[{\"address\":\"a\",\"remote_as\":\"64512\",\"state\":\"Idle\","
		  "\"uptime_s\":0,\"prefixes_received\":0,\"prefixes_sent\":0,"
		  "\"description\":\"\"}]}",
		  "neighbor 0: \"remote_as\" is missing or not an integer" },
		{ "{\"neighbors\":[{\"address\":\"a\",\"remote_as\":1,\"state\":\"Idle\","
		  "\"uptime_s\":0,\"prefixes_received\":0,\"prefixes_sent\":0}]}",
		  "neighbor 0: \"description\" is missing or not a string" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;
		char err[256];
		char *out = run(render_neighbors, cases[i].json, &rc, err, sizeof(err));
		if (rc != -EBADMSG)
			fail_msg("case %zu: rc %d", i, rc);
		assert_string_equal(err, cases[i].err);
		assert_string_equal(out, ""); /* nothing half-printed */
		free(out);
	}
}

static const char routes_json[] =
	"{\"routes\":["
	"{\"prefix\":\"0.0.0.0/0\",\"next_hop\":\"169.254.247.1\",\"as_path\":[64512,1],"
	"\"as_path_text\":\"64512 {1}\",\"origin\":\"igp\",\"med\":10,\"local_pref\":null,"
	"\"communities\":[\"65000:1\"],\"large_communities\":[\"1:2:3\"],"
	"\"ext_communities\":[],\"neighbor\":\"169.254.247.1\"},"
	"{\"prefix\":\"::/0\",\"next_hop\":null,\"as_path\":[],"
	"\"origin\":null,\"med\":null,\"local_pref\":100,"
	"\"communities\":[],\"large_communities\":[],\"neighbor\":\"2001:db8::1\"}]}";

static void test_routes_table(void **state)
{
	(void)state;
	int rc;
	char err[256];
	char *out = run(render_routes, routes_json, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_string_equal(out,
		"Neighbor       Prefix     Next hop       MED  LocPref  AS path    Origin  Communities\n"
		"169.254.247.1  0.0.0.0/0  169.254.247.1   10        -  64512 {1}  igp     65000:1 1:2:3\n"
		"2001:db8::1    ::/0       -                -      100             -\n");
	free(out);

	out = run(render_routes,
		  "{\"routes\":[{\"prefix\":\"::/0\",\"next_hop\":null,\"as_path\":[],"
		  "\"origin\":null,\"med\":\"10\",\"local_pref\":100,\"communities\":[],"
		  "\"large_communities\":[],\"neighbor\":\"2001:db8::1\"}]}",
		  &rc, err, sizeof(err));
	assert_int_equal(rc, -EBADMSG);
	assert_string_equal(err, "route 0: \"med\" is missing or not an integer or null");
	assert_string_equal(out, "");
	free(out);

	out = run(render_routes,
		  "{\"routes\":[{\"prefix\":\"::/0\",\"next_hop\":null,\"as_path\":[\"x\"],"
		  "\"origin\":null,\"med\":null,\"local_pref\":100,\"communities\":[7],"
		  "\"large_communities\":[],\"neighbor\":\"2001:db8::1\"}]}",
		  &rc, err, sizeof(err));
	assert_int_equal(rc, -EBADMSG);
	assert_string_equal(err, "route 0: \"as_path\" holds a non-integer");
	free(out);
}

static void test_neighbor_detail(void **state)
{
	(void)state;
	int rc;
	char err[256];
	char *out = run(render_neighbor,
		"{\"address\":\"192.0.2.1\",\"port\":179,\"remote_as\":64512,\"local_as\":64521,"
		"\"description\":\"\",\"state\":\"Idle\",\"uptime_s\":5,"
		"\"prefixes_received\":0,\"prefixes_sent\":0,"
		"\"last_error\":\"Hold Timer Expired\",\"hold_time\":30,\"keepalive\":10,"
		"\"remote_id\":null,\"capabilities\":{},"
		"\"messages\":{\"in\":{\"total\":3,\"open\":1,\"update\":0,\"notification\":0,"
		"\"keepalive\":2,\"route_refresh\":0},\"out\":{\"total\":2,\"open\":1,"
		"\"update\":0,\"notification\":1,\"keepalive\":0,\"route_refresh\":0}},"
		"\"last_notification_sent\":\"Hold Timer Expired\"}",
		&rc, err, sizeof(err));
	if (rc)
		fail_msg("%s", err);
	assert_non_null(strstr(out, "BGP neighbor 192.0.2.1, remote AS 64512, local AS 64521\n"));
	assert_non_null(strstr(out, "  State:                   Idle for 00:00:05\n"));
	assert_non_null(strstr(out, "  Hold time:               30 s, keepalive 10 s\n"));
	assert_non_null(strstr(out, "    notification                      1            0\n"));
	assert_non_null(strstr(out, "  Last error:              Hold Timer Expired\n"));
	assert_null(strstr(out, "Description"));
	free(out);

	out = run(render_neighbor, "{\"address\":\"192.0.2.1\"}", &rc, err, sizeof(err));
	assert_int_equal(rc, -EBADMSG);
	assert_string_equal(err, "neighbor: \"remote_as\" is missing or not an integer");
	free(out);
}

static void test_sanitize_and_duration(void **state)
{
	(void)state;
	char buf[32];
	render_sanitize("a\x1b[31mb\x7f\xc2\x9b" "c\xc3\xa9", buf, sizeof(buf));
	assert_string_equal(buf, "a?[31mb??c\xc3\xa9");
	render_sanitize("abcdef", buf, 4);
	assert_string_equal(buf, "abc");
	render_duration(0, buf, sizeof(buf));
	assert_string_equal(buf, "00:00:00");
	render_duration(86399, buf, sizeof(buf));
	assert_string_equal(buf, "23:59:59");
	render_duration(86400 * 12 + 3600 * 5 + 60 * 7, buf, sizeof(buf));
	assert_string_equal(buf, "12d05h07m");
	render_duration(-5, buf, sizeof(buf));
	assert_string_equal(buf, "00:00:00");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_neighbors_table),
		cmocka_unit_test(test_malformed_neighbors_are_refused),
		cmocka_unit_test(test_routes_table),
		cmocka_unit_test(test_neighbor_detail),
		cmocka_unit_test(test_sanitize_and_duration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
