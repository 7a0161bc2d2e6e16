/* egressctl show probes as text: exact output for an answer as egressd
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
	return render_test_run(render_probes, text, rc, err, err_size);
}

/* 1795700000 = 2026-11-26T13:33:20Z */
static const char answer[] =
	"{\"probes\":[{\"name\":\"uplink\",\"kind\":\"icmp\",\"target\":\"203.0.113.10\","
	"\"via\":\"isp0\",\"interval_ms\":200,\"timeout_ms\":150,\"rise\":3,\"fall\":3,"
	"\"state\":\"down\",\"ok\":4,\"fail\":3,"
	"\"results\":[{\"time\":1795700001.4,\"ok\":false,\"error\":\"Connection timed out\"},"
	"{\"time\":1795700001.2,\"ok\":false,\"error\":\"Connection timed out\"},"
	"{\"time\":1795700001.0,\"ok\":false,\"error\":\"Connection timed out\"},"
	"{\"time\":1795700000.8,\"ok\":true,\"rtt_ms\":0.1},"
	"{\"time\":1795700000.6,\"ok\":true,\"rtt_ms\":0.1}],"
	"\"transitions\":[{\"time\":1795700001.4,\"from\":\"up\",\"to\":\"down\","
	"\"reason\":\"3 failures in a row\"},{\"time\":1795700000.25,\"from\":\"unknown\","
	"\"to\":\"up\",\"reason\":\"3 successes in a row\"}]},"
	"{\"name\":\"web6\",\"kind\":\"tcp\",\"target\":\"2001:db8::1\",\"port\":443,"
	"\"interval_ms\":1000,\"timeout_ms\":500,\"rise\":3,\"fall\":2,\"state\":\"up\","
	"\"ok\":3,\"fail\":0,\"results\":[],\"transitions\":[]},"
	"{\"name\":\"web\",\"kind\":\"tcp\",\"target\":\"192.0.2.1\",\"port\":443,"
	"\"interval_ms\":1000,\"timeout_ms\":500,\"rise\":3,\"fall\":2,\"state\":\"unknown\","
	"\"ok\":0,\"fail\":0,\"results\":[],\"transitions\":[]}]}";

static void test_probes_text(void **state)
{
	(void)state;
	char err[256];
	int rc;
	char *out = run(answer, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_string_equal(out,
		"probe uplink: down, icmp 203.0.113.10 every 200ms, 4 ok, 3 failed\n"
		"  last results  !!...\n"
		"  13:33:21.400Z  up -> down (3 failures in a row)\n"
		"  13:33:20.250Z  unknown -> up (3 successes in a row)\n"
		"probe web6: up, tcp [2001:db8::1]:443 every 1000ms, 3 ok, 0 failed\n"
		"  last results  (none yet)\n"
		"probe web: unknown, tcp 192.0.2.1:443 every 1000ms, 0 ok, 0 failed\n"
		"  last results  (none yet)\n");
	free(out);
}

static void test_no_probes(void **state)
{
	(void)state;
	char err[256];
	int rc;
	char *out = run("{\"probes\":[]}", &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_string_equal(out, "no probes configured\n");
	free(out);
}

static void test_malformed_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"{}",
		"{\"probes\":{}}",
		"{\"probes\":[{\"name\":\"x\"}]}",
		"{\"probes\":[{\"name\":\"x\",\"kind\":\"icmp\",\"target\":\"a\",\"state\":\"up\","
		"\"ok\":1,\"fail\":0,\"interval_ms\":1,\"results\":[{\"ok\":1}],\"transitions\":[]}]}",
		"{\"probes\":[{\"name\":\"x\",\"kind\":\"icmp\",\"target\":\"a\",\"state\":\"up\","
		"\"ok\":1,\"fail\":0,\"interval_ms\":1,\"results\":[],\"transitions\":[{\"from\":"
		"\"up\",\"to\":\"down\",\"reason\":\"r\"}]}]}",
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
		cmocka_unit_test(test_probes_text),
		cmocka_unit_test(test_no_probes),
		cmocka_unit_test(test_malformed_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
