#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"

static void test_rbuf_refuses_short_reads(void **state)
{
	(void)state;
	const uint8_t data[] = {0x01, 0x02, 0x03};
	struct rbuf r;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;
	rbuf_init(&r, data, sizeof(data));
	assert_int_equal(rbuf_get_u32(&r, &v32), -EBADMSG);
	assert_int_equal(rbuf_left(&r), 3); /* a failed read consumes nothing */
	assert_int_equal(rbuf_get_u16(&r, &v16), 0);
	assert_int_equal(v16, 0x0102);
	assert_int_equal(rbuf_get_u16(&r, &v16), -EBADMSG);
	assert_int_equal(rbuf_get_u8(&r, &v8), 0);
	assert_int_equal(v8, 3);
	assert_int_equal(rbuf_get_u8(&r, &v8), -EBADMSG);
}

static void test_rbuf_sub_splits(void **state)
{
	(void)state;
	const uint8_t data[] = {1, 2, 3, 4, 5};
	struct rbuf r, sub;
	rbuf_init(&r, data, sizeof(data));
	assert_int_equal(rbuf_get_sub(&r, 6, &sub), -EBADMSG);
	assert_int_equal(rbuf_get_sub(&r, 2, &sub), 0);
	assert_int_equal(rbuf_left(&sub), 2);
	assert_int_equal(rbuf_left(&r), 3);
	assert_int_equal(rbuf_skip(&r, 4), -EBADMSG);
	assert_int_equal(rbuf_skip(&r, 3), 0);
}

static void test_wbuf_limit_is_sticky(void **state)
{
	(void)state;
	struct wbuf w;
	wbuf_init(&w, 6);
	wbuf_put_u32(&w, 0xdeadbeef);
	wbuf_put_u16(&w, 0x0102);
	assert_int_equal(wbuf_status(&w), 0);
	assert_int_equal(w.len, 6);
	wbuf_put_u8(&w, 9);
	assert_int_equal(wbuf_status(&w), -EMSGSIZE);
	assert_int_equal(w.len, 6);
	wbuf_truncate(&w, 4);
	assert_int_equal(wbuf_status(&w), 0);
	wbuf_patch_u16(&w, 0, 0xabcd);
	assert_int_equal(w.data[0], 0xab);
	assert_int_equal(w.data[3], 0xef);
	wbuf_free(&w);
}

static void test_wbuf_fixed_never_grows(void **state)
{
	(void)state;
	uint8_t mem[3];
	struct wbuf w;
	wbuf_init_fixed(&w, mem, sizeof(mem));
	wbuf_put_u16(&w, 7);
	wbuf_put_u16(&w, 7);
	assert_int_equal(wbuf_status(&w), -EMSGSIZE);
	assert_int_equal(w.len, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rbuf_refuses_short_reads),
		cmocka_unit_test(test_rbuf_sub_splits),
		cmocka_unit_test(test_wbuf_limit_is_sticky),
		cmocka_unit_test(test_wbuf_fixed_never_grows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
