/* The FIB's route index (fib_rtab.c): open addressing with backward-
 * shift deletion, checked against a plain array under a long random
 * mix of inserts and removes, through several grows, with hashes made
 * to collide so probe runs are long and wrap around the table's end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fib/fib_priv.h"

#define N 20000

static uint64_t rng = 88172645463325252ull;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static struct prefix P4(unsigned i)
{
	char buf[32];
	struct prefix p;
	snprintf(buf, sizeof(buf), "%u.%u.%u.0/24", 1 + (i >> 16), (i >> 8) & 255, i & 255);
	assert_int_equal(prefix_parse(buf, &p), 0);
	return p;
}

static void count_one(struct fib_rt *rt, void *arg)
{
	(void)rt;
	(*(size_t *)arg)++;
}

static void run(uint32_t (*hash)(const struct prefix *), unsigned n_keys)
{
	static struct fib_rt rts[N];
	static bool in[N];
	memset(in, 0, sizeof(in));
	struct fib_rtab t;
	assert_int_equal(fib_rtab_init(&t, 16), 0);
	for (unsigned i = 0; i < N; i++)
		rts[i].pfx = P4(i);
	size_t live = 0;
	for (unsigned step = 0; step < 20 * n_keys; step++) {
		unsigned i = next_rand() % n_keys;
		uint32_t h = hash(&rts[i].pfx);
		struct fib_rt *got = fib_rtab_find(&t, &rts[i].pfx, h);
		assert_ptr_equal(got, in[i] ? &rts[i] : NULL);
		if (in[i]) {
			fib_rtab_remove(&t, &rts[i], h);
			in[i] = false;
			live--;
		} else {
			assert_int_equal(fib_rtab_insert(&t, &rts[i], h), 0);
			in[i] = true;
			live++;
		}
		assert_int_equal(t.count, live);
		/* Now and then every entry must still be found. */
		if (step % (4 * n_keys) == 0)
			for (unsigned k = 0; k < n_keys; k++)
				assert_ptr_equal(fib_rtab_find(&t, &rts[k].pfx, hash(&rts[k].pfx)),
						 in[k] ? &rts[k] : NULL);
	}
	size_t n = 0;
	fib_rtab_foreach(&t, count_one, &n);
	assert_int_equal(n, live);
	assert_true(2 * t.count <= t.mask + 1);
	fib_rtab_fini(&t);
}

static uint32_t good_hash(const struct prefix *p) { return prefix_hash(p); }

/* 256 distinct values: runs of equal hashes, found by the prefix. */
static uint32_t bad_hash(const struct prefix *p) { return prefix_hash(p) & 255u; }

static void test_random_mix(void **state)
{
	(void)state;
	run(good_hash, N);
}

static void test_colliding_hashes(void **state)
{
	(void)state;
	run(bad_hash, 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_mix),
		cmocka_unit_test(test_colliding_hashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
