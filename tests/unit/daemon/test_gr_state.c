/* The graceful restart note between two runs (src/daemon/gr_state.c):
 * round trip, refusal of anything else, and the file read only once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/gr_state.h"

static void test_round_trip(void **state)
{
	(void)state;
	struct gr_state s = { .forwarding = 3, .stopped = 0x123456789aULL }, t = { 0 };
	uint8_t b[GR_STATE_LEN];
	gr_state_encode(&s, b);
	assert_memory_equal(b, "EGGR", 4);
	assert_int_equal(gr_state_decode(b, sizeof(b), &t), 0);
	assert_int_equal(t.forwarding, 3);
	assert_true(t.stopped == 0x123456789aULL);
}

static void test_refused(void **state)
{
	(void)state;
	struct gr_state s = { .forwarding = 1, .stopped = 7 }, t;
	uint8_t b[GR_STATE_LEN + 1];
	gr_state_encode(&s, b);
	for (size_t n = 0; n < GR_STATE_LEN; n++)
		assert_int_equal(gr_state_decode(b, n, &t), -EBADMSG);
	assert_int_equal(gr_state_decode(b, GR_STATE_LEN + 1, &t), -EBADMSG);
	b[0] = 'X';
	assert_int_equal(gr_state_decode(b, GR_STATE_LEN, &t), -EBADMSG);
	gr_state_encode(&s, b);
	b[7] = 2; /* version 2 */
	assert_int_equal(gr_state_decode(b, GR_STATE_LEN, &t), -EBADMSG);
}

static void test_file_taken_once(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_gr_state.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/egressd.sock.gr-state", dir);
	struct gr_state s = { .forwarding = 2, .stopped = 42 }, t = { 0 };
	assert_int_equal(gr_state_take(path, &t), -ENOENT);
	assert_int_equal(gr_state_save(path, &s), 0);
	assert_int_equal(gr_state_take(path, &t), 0);
	assert_int_equal(t.forwarding, 2);
	assert_true(t.stopped == 42);
	/* A second start is not a restart of the run that wrote it. */
	assert_int_equal(gr_state_take(path, &t), -ENOENT);
	/* A damaged note is refused, and gone too. */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("garbage", f);
	fclose(f);
	assert_int_equal(gr_state_take(path, &t), -EBADMSG);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_file_taken_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
