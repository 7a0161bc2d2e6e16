/* egressctl show route-table / explain as text: exact output for
 * answers as egressd gives them, and refusal (no output) for malformed
 * ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/render_cloud.h"
#include "render_test.h"

static char *run(render_test_fn fn, const char *text, int *rc, char *err, size_t err_size)
{
	return render_test_run(fn, text, rc, err, err_size);
}

static const char tables_json[] =
	"{\"personality\":\"aws-vgw\",\"route_tables\":[{\"name\":\"vpc\",\"table\":100,"
	"\"max_routes\":100,\"propagated\":2,\"installed\":1,\"over_limit\":0,\"suppressed\":1,"
	"\"routes\":["
	"{\"destination\":\"0.0.0.0/0\",\"origin\":\"static\",\"state\":\"active\","
	"\"installed\":true,\"targets\":[{\"next_hop\":\"10.180.0.5\"}]},"
	"{\"destination\":\"0.0.0.0/0\",\"origin\":\"propagated\",\"state\":"
	"\"suppressed-by-static\",\"installed\":false,\"targets\":[{\"next_hop\":\"10.0.2.2\","
	"\"session\":\"10.0.2.2\",\"description\":\"cgw2 tunnel 1\"}]},"
	"{\"destination\":\"10.180.0.0/20\",\"origin\":\"local\",\"state\":\"active\","
	"\"installed\":false,\"targets\":[{\"next_hop\":\"local\"}]}]}]}";

static void test_route_table(void **state)
{
	(void)state;
	int rc;
	char err[256];
	char *out = run(render_route_tables, tables_json, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_string_equal(out,
		"route-table vpc (kernel table 100): 2 propagated of at most 100, 1 installed, "
		"0 over the limit, 1 suppressed\n"
		"Destination          Origin      State                 Target\n"
		"0.0.0.0/0            static      active                10.180.0.5\n"
		"0.0.0.0/0            propagated  suppressed-by-static  10.0.2.2 (cgw2 tunnel 1)\n"
		"10.180.0.0/20        local       active                local\n");
	free(out);
}

static const char explain_json[] =
	"{\"prefix\":\"0.0.0.0/0\",\"comparator\":\"aws-vgw\",\"steps\":[\"nexthop-reachable\","
	"\"route-source\",\"as-path-length\",\"med\",\"incumbent\",\"peer-address\"],"
	"\"decided_by\":\"incumbent\",\"paths\":["
	"{\"as_path_text\":\"64522\",\"med\":200,\"neighbor\":\"10.0.2.2\",\"best\":true,"
	"\"source\":\"vpn-bgp\",\"as_path_length\":1},"
	"{\"as_path_text\":\"64521\",\"med\":10,\"neighbor\":\"10.0.1.2\",\"best\":false,"
	"\"source\":\"vpn-bgp\",\"as_path_length\":1,\"med_compared\":false,"
	"\"lost_at\":\"incumbent\",\"reason\":\"equal so far\"}]}";

static void test_explain(void **state)
{
	(void)state;
	int rc;
	char err[256];
	char *out = run(render_explain, explain_json, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_string_equal(out,
		"0.0.0.0/0: decision process aws-vgw, steps in order:\n"
		"  nexthop-reachable > route-source > as-path-length > med > incumbent > "
		"peer-address\n"
		"winner decided at: incumbent\n"
		"* 10.0.2.2         vpn-bgp    as-path [64522] (length 1) med 200\n"
		"  10.0.1.2         vpn-bgp    as-path [64521] (length 1) med 10 (MED not "
		"compared: another first AS)\n"
		"    lost at incumbent: equal so far\n");
	free(out);
}

static void test_malformed(void **state)
{
	(void)state;
	int rc;
	char err[256];
	char *out = run(render_route_tables, "{\"route_tables\":[{\"name\":\"vpc\"}]}", &rc, err,
			sizeof(err));
	assert_int_equal(rc, -EBADMSG);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "\"table\""));
	free(out);
	out = run(render_explain, "{\"prefix\":\"0.0.0.0/0\",\"comparator\":\"x\",\"steps\":[],"
		  "\"paths\":[{\"best\":\"yes\"}]}", &rc, err, sizeof(err));
	assert_int_equal(rc, -EBADMSG);
	assert_string_equal(out, "");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_table),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
