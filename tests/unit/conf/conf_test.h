/* Helpers shared by the config tests. */
#ifndef EGRESS_TEST_CONF_TEST_H
#define EGRESS_TEST_CONF_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
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
