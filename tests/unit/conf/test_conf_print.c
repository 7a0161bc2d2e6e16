/* conf_print writes a config that parses back to an equal model. */
#include "conf_test.h"

#include <errno.h>
#include <stdlib.h>

static void round_trip(const char *text)
{
	struct conf *a = conf_test_ok(text);
	char *out = NULL;
	assert_int_equal(conf_print(a, &out), 0);
	assert_non_null(out);
	struct conf *b = conf_test_ok(out);
	if (!conf_equal(a, b))
		fail_msg("round trip changed the model; printed:\n%s", out);
	/* Printing is stable: the second print is the first. */
	char *out2 = NULL;
	assert_int_equal(conf_print(b, &out2), 0);
	assert_string_equal(out, out2);
	free(out);
	free(out2);
	conf_free(a);
	conf_free(b);
}

static void test_round_trips(void **state)
{
	(void)state;
	round_trip("router-id 10.0.0.1\nlocal-as 1\n");
	round_trip("router-id 255.255.255.255\nlocal-as 4294967295\n"
		   "listen on 0.0.0.0\nlisten on :: port 1790\nlisten on ::ffff:1.2.3.4\n"
		   "originate 0.0.0.0/0\noriginate ::/0\noriginate 192.0.2.128/25\n"
		   "originate 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/128\n");
	round_trip("router-id 10.0.0.1\nlocal-as 65000.1\n"
		   "group aws { remote-as 64512; hold-time 30; keepalive 10; passive\n"
		   "  ttl-security yes; import none; export all; port 1790\n"
		   "  description \"q\\\"uote \\\\ back\\\\\"; password \"k#;{}\"\n"
		   "  local-address 169.254.247.2\n"
		   "  neighbor 169.254.247.1 { description \"own\"; passive no }\n"
		   "  neighbor 169.254.247.5\n"
		   "}\n"
		   "neighbor 2001:db8::1 { remote-as 2; hold-time 0; keepalive 7 }\n"
		   "group other { remote-as 3; neighbor 10.0.0.1; neighbor 10.0.0.2 { port 179 } }\n"
		   "neighbor 10.0.0.3 { remote-as 3; import all; export none; ttl-security no }\n");
	/* connect-retry and delay-open, own and from a group; delay-open 0
	 * written explicitly must survive (it overrides a group's value). */
	round_trip("router-id 10.0.0.1\nlocal-as 1\n"
		   "group g { remote-as 2; connect-retry 5; delay-open 3\n"
		   "  neighbor 10.0.0.2\n"
		   "  neighbor 10.0.0.3 { delay-open 0; connect-retry 65535 }\n"
		   "}\n"
		   "neighbor 10.0.0.4 { remote-as 2; delay-open 0 }\n"
		   "neighbor 10.0.0.5 { remote-as 2; connect-retry 1; delay-open 65535 }\n");
}

static void test_print_timers_text(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(
		"router-id 10.0.0.1; local-as 1\n"
		"group g { remote-as 2; delay-open 3; connect-retry 10\n"
		"  neighbor 10.0.0.2 { delay-open 0 } }\n"
		"neighbor 10.0.0.3 { remote-as 2 }\n");
	char *out;
	assert_int_equal(conf_print(c, &out), 0);
	/* Unset defaults are not printed; a set 0 is. */
	assert_string_equal(out,
		"router-id 10.0.0.1\n"
		"local-as 1\n"
		"\n"
		"group g {\n"
		"\tneighbor 10.0.0.2 {\n"
		"\t\tremote-as 2\n"
		"\t\tconnect-retry 10\n"
		"\t\tdelay-open 0\n"
		"\t}\n"
		"}\n"
		"\n"
		"neighbor 10.0.0.3 {\n"
		"\tremote-as 2\n"
		"}\n");
	free(out);
	conf_free(c);
}

/* The exact text, so a reader of -nv output knows what to expect. */
static void test_print_text(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(
		"router-id 192.0.2.11; local-as 64521\n"
		"originate 0.0.0.0/0\n"
		"group aws { remote-as 64512; hold-time 30\n"
		"  neighbor 169.254.247.1 { description \"tunnel \\\"1\\\"\" } }\n"
		"neighbor 10.0.0.1 { remote-as 1; passive; export all }\n");
	char *out;
	assert_int_equal(conf_print(c, &out), 0);
	assert_string_equal(out,
		"router-id 192.0.2.11\n"
		"local-as 64521\n"
		"originate 0.0.0.0/0\n"
		"\n"
		"group aws {\n"
		"\tneighbor 169.254.247.1 {\n"
		"\t\tremote-as 64512\n"
		"\t\tdescription \"tunnel \\\"1\\\"\"\n"
		"\t\thold-time 30\n"
		"\t}\n"
		"}\n"
		"\n"
		"neighbor 10.0.0.1 {\n"
		"\tremote-as 1\n"
		"\tpassive\n"
		"\texport all\n"
		"}\n");
	free(out);
	conf_free(c);
}

/* A hand-built model whose group members are not next to each other
 * still prints one group block (two would be a duplicate group). */
static void test_print_gathers_groups(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(
		"router-id 10.0.0.1\nlocal-as 1\n"
		"group g { remote-as 2; neighbor 10.0.0.2; neighbor 10.0.0.3 }\n"
		"neighbor 10.0.0.4 { remote-as 2 }\n");
	/* Swap neighbors 1 and 2: g, -, g. */
	struct conf_neighbor tmp = c->neighbors[1];
	c->neighbors[1] = c->neighbors[2];
	c->neighbors[2] = tmp;
	char *out;
	assert_int_equal(conf_print(c, &out), 0);
	struct conf *b = conf_test_ok(out);
	assert_int_equal(b->n_neighbors, 3);
	assert_string_equal(b->neighbors[0].group, "g");
	assert_string_equal(b->neighbors[1].group, "g");
	assert_null(b->neighbors[2].group);
	free(out);
	conf_free(b);
	conf_free(c);
}

static void test_equal_notices_differences(void **state)
{
	(void)state;
	const char *base = "router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2 }\n";
	static const char *const variants[] = {
		"router-id 10.0.0.9\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2 }\n",
		"router-id 10.0.0.1\nlocal-as 9\nneighbor 10.0.0.2 { remote-as 2 }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 9 }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2; hold-time 90 }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2; keepalive 30 }\n",
		/* the defaults written out still differ: set flags count */
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2; connect-retry 30 }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2; connect-retry 31 }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2; delay-open 0 }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2; delay-open 5 }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2; description \"\" }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2; password x }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2; passive }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2; ttl-security }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2; port 179 }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2; import none }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2; export none }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2; local-address 10.0.0.1 }\n",
		"router-id 10.0.0.1\nlocal-as 1\ngroup g { neighbor 10.0.0.2 { remote-as 2 } }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.3 { remote-as 2 }\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2 }\nlisten on ::\n",
		"router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2 }\noriginate ::/0\n",
	};
	struct conf *a = conf_test_ok(base);
	struct conf *same = conf_test_ok(base);
	assert_true(conf_equal(a, same));
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		struct conf *b = conf_test_ok(variants[i]);
		if (conf_equal(a, b))
			fail_msg("conf_equal missed the difference in:\n%s", variants[i]);
		conf_free(b);
	}
	conf_free(a);
	conf_free(same);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_print_text),
		cmocka_unit_test(test_print_timers_text),
		cmocka_unit_test(test_print_gathers_groups),
		cmocka_unit_test(test_equal_notices_differences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
