#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "core/addr.h"

static void test_prefix_parse_and_format(void **state)
{
	(void)state;
	struct prefix p;
	char buf[PREFIX_STRLEN];
	assert_int_equal(prefix_parse("10.180.0.0/20", &p), 0);
	assert_string_equal(prefix_fmt(&p, buf), "10.180.0.0/20");
	assert_int_equal(prefix_parse("0.0.0.0/0", &p), 0);
	assert_int_equal(p.len, 0);
	assert_int_equal(prefix_parse("2001:db8::/32", &p), 0);
	assert_string_equal(prefix_fmt(&p, buf), "2001:db8::/32");
	assert_int_equal(prefix_parse("10.0.0.1/8", &p), -ERANGE);
	assert_int_equal(prefix_parse("10.0.0.0/33", &p), -EINVAL);
	assert_int_equal(prefix_parse("10.0.0.0/", &p), -EINVAL);
	assert_int_equal(prefix_parse("10.0.0.0/-1", &p), -EINVAL);
	assert_int_equal(prefix_parse("10.0.0.0", &p), -EINVAL);
	assert_int_equal(prefix_parse("::/129", &p), -EINVAL);
}

static void test_prefix_mask_clears_host_bits(void **state)
{
	(void)state;
	struct prefix p;
	assert_int_equal(addr_parse("192.0.2.255", &p.addr), 0);
	p.len = 25;
	prefix_mask(&p);
	char buf[PREFIX_STRLEN];
	assert_string_equal(prefix_fmt(&p, buf), "192.0.2.128/25");
}

static void test_v4_mapped_is_unmapped(void **state)
{
	(void)state;
	struct addr a;
	char buf[ADDR_STRLEN];
	assert_int_equal(addr_parse("::ffff:169.254.247.1", &a), 0);
	addr_unmap_v4(&a);
	assert_int_equal(a.af, AF_INET);
	assert_string_equal(addr_fmt(&a, buf), "169.254.247.1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_parse_and_format),
		cmocka_unit_test(test_prefix_mask_clears_host_bits),
		cmocka_unit_test(test_v4_mapped_is_unmapped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
