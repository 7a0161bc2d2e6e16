/* The shipped example configs (every .conf in deploy/examples) must load, and
 * survive a print/parse round trip. */
#include "conf_test.h"

#include <dirent.h>
#include <stdlib.h>

static void test_examples_load(void **state)
{
	(void)state;
	const char *root = getenv("EGRESS_SOURCE_ROOT");
	assert_non_null(root);
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/deploy/examples", root);
	DIR *d = opendir(dir);
	assert_non_null(d);
	unsigned loaded = 0;
	bool saw_group = false;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".conf") != 0)
			continue;
		char path[8192];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		struct conf *c = NULL;
		struct conf_errors e;
		int r = conf_load_file(path, &c, &e);
		for (size_t i = 0; i < e.n; i++)
			print_error("%s\n", e.msgs[i]);
		assert_int_equal(r, 0);
		assert_int_equal(e.n, 0);
		conf_errors_free(&e);
		assert_true(c->n_neighbors > 0);
		for (size_t i = 0; i < c->n_neighbors; i++)
			saw_group |= c->neighbors[i].group != NULL;
		char *out;
		assert_int_equal(conf_print(c, &out), 0);
		struct conf *b = conf_test_ok(out);
		assert_true(conf_equal(c, b));
		free(out);
		conf_free(b);
		conf_free(c);
		loaded++;
	}
	closedir(d);
	assert_true(loaded >= 2);
	/* The customer-gateway example shows a group of tunnel neighbors. */
	assert_true(saw_group);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
