/* Shared by the egressctl renderer tests: render a JSON text the way
 * egressctl does and hand back what was printed. */
#ifndef EGRESS_TEST_RENDER_TEST_H
#define EGRESS_TEST_RENDER_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>

typedef int (*render_test_fn)(FILE *, json_t *, char *, size_t);

/* Renders text (which must be valid JSON) with fn; returns the output
 * (malloc'd, empty when refused) and sets *rc and err. */
static inline char *render_test_run(render_test_fn fn, const char *text, int *rc, char *err,
				    size_t err_size)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	if (!j)
		fail_msg("test JSON: %s", jerr.text);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	err[0] = '\0';
	*rc = fn(f, j, err, err_size);
	fclose(f);
	json_decref(j);
	return buf;
}

#endif
