/* Helpers shared by the config tests. */
#ifndef EGRESS_TEST_CONF_TEST_H
#define EGRESS_TEST_CONF_TEST_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"

/* Loads text that must parse; prints the errors if it does not. */
static inline struct conf *conf_test_ok(const char *text)
{
	struct conf *c = NULL;
	struct conf_errors e;
	int r = conf_load_string("t.conf", text, strlen(text), &c, &e);
	for (size_t i = 0; i < e.n; i++)
		print_error("unexpected: %s\n", e.msgs[i]);
	assert_int_equal(r, 0);
	assert_int_equal(e.n, 0);
	assert_non_null(c);
	conf_errors_free(&e);
	return c;
}

/* Loads text that must be refused with exactly one error, want; prints
 * what came instead if not. */
static inline void conf_test_error(const char *text, const char *want)
{
	struct conf *c = NULL;
	struct conf_errors e;
	int r = conf_load_string("t.conf", text, strlen(text), &c, &e);
	if (r != -EINVAL || c || e.n != 1 || strcmp(e.msgs[0], want) != 0) {
		for (size_t i = 0; i < e.n; i++)
			print_error("got: %s\n", e.msgs[i]);
		fail_msg("want %s", want);
	}
	conf_errors_free(&e);
}

/* Prints a and parses the print back, which must give an equal model;
 * returns the printed text for the caller to check (and free). */
static inline char *conf_test_reprint(const struct conf *a)
{
	char *out = NULL;
	assert_int_equal(conf_print(a, &out), 0);
	struct conf *b = conf_test_ok(out);
	if (!conf_equal(a, b))
		fail_msg("round trip changed the model; printed:\n%s", out);
	conf_free(b);
	return out;
}

static inline const struct conf_neighbor *conf_test_nbr(const struct conf *c,
							const char *addr)
{
	struct addr a;
	assert_int_equal(addr_parse(addr, &a), 0);
	for (size_t i = 0; i < c->n_neighbors; i++)
		if (addr_eq(&c->neighbors[i].addr, &a))
			return &c->neighbors[i];
	fail_msg("neighbor %s not found", addr);
	return NULL;
}

#endif
