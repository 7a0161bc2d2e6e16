/* libFuzzer target for the config parser.
 *
 * Any input: no crash, no leak, and a failure always explains itself
 * (at least one message, each naming the input).  An input that parses:
 * conf_print's output parses again, to an equal model, and prints the
 * same text again (the round trip OpenBGPD's regress checks with -nv). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_errors(int r, const struct conf_errors *e, const char *name)
{
	if (r < 0 && e->n == 0)
		abort();
	if (r == 0 && e->n != 0)
		abort();
	for (size_t i = 0; i < e->n; i++)
		if (strncmp(e->msgs[i], name, strlen(name)) != 0 ||
		    e->msgs[i][strlen(name)] != ':')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *a = NULL, *b = NULL;
	struct conf_errors e;
	int r = conf_load_string("fuzz.conf", (const char *)data, size, &a, &e);
	check_errors(r, &e, "fuzz.conf");
	conf_errors_free(&e);
	if (r < 0)
		return 0;

	char *out = NULL, *out2 = NULL;
	if (conf_print(a, &out) < 0)
		abort();
	r = conf_load_string("printed.conf", out, strlen(out), &b, &e);
	check_errors(r, &e, "printed.conf");
	conf_errors_free(&e);
	if (r < 0 || !conf_equal(a, b))
		abort();
	if (conf_print(b, &out2) < 0 || strcmp(out, out2) != 0)
		abort();
	free(out);
	free(out2);
	conf_free(a);
	conf_free(b);
	return 0;
}
