/* Good configs parse to the expected model. */
#include "conf_test.h"

#include <errno.h>
#include <stdlib.h>

static void test_full_model(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(
		"# comment line\n"
		"router-id 192.0.2.11   # trailing comment\n"
		"local-as 64521\n"
		"listen on 127.0.0.1 port 1790\n"
		"listen on ::\n"
		"originate 0.0.0.0/0\n"
		"originate ::/0\n"
		"originate 2001:db8:100::/48\n"
		"\n"
		"neighbor 169.254.247.1 {\n"
		"\tremote-as 64512\n"
		"\tdescription \"tunnel 1\"\n"
		"\tpassword \"s3cret\"\n"
		"\thold-time 30\n"
		"\tkeepalive 10\n"
		"\tpassive\n"
		"\tttl-security yes\n"
		"\tlocal-address 169.254.247.2\n"
		"\tport 1791\n"
		"\timport all\n"
		"\texport none\n"
		"}\n");
	assert_string_equal(c->path, "t.conf");
	assert_int_equal(c->router_id, 0xc000020b);
	assert_int_equal(c->local_as, 64521);
	assert_int_equal(c->n_listen, 2);
	char buf[PREFIX_STRLEN];
	assert_string_equal(addr_fmt(&c->listen[0].addr, buf), "127.0.0.1");
	assert_int_equal(c->listen[0].port, 1790);
	assert_int_equal(c->listen[0].pos.line, 4);
	assert_string_equal(addr_fmt(&c->listen[1].addr, buf), "::");
	assert_int_equal(c->listen[1].port, 0);
	assert_int_equal(c->n_originate, 3);
	assert_string_equal(prefix_fmt(&c->originate[0].prefix, buf), "0.0.0.0/0");
	assert_string_equal(prefix_fmt(&c->originate[1].prefix, buf), "::/0");
	assert_string_equal(prefix_fmt(&c->originate[2].prefix, buf), "2001:db8:100::/48");
	assert_int_equal(c->originate[2].pos.line, 8);
	assert_int_equal(c->originate[2].pos.col, 11);
	assert_int_equal(c->n_neighbors, 1);
	const struct conf_neighbor *n = &c->neighbors[0];
	assert_string_equal(addr_fmt(&n->addr, buf), "169.254.247.1");
	assert_int_equal(n->pos.line, 10);
	assert_int_equal(n->pos.col, 10);
	assert_int_equal(n->remote_as, 64512);
	assert_string_equal(n->description, "tunnel 1");
	assert_string_equal(n->password, "s3cret");
	assert_int_equal(n->hold_time, 30);
	assert_true(n->hold_time_set);
	assert_int_equal(n->keepalive, 10);
	assert_true(n->keepalive_set);
	assert_int_equal(conf_neighbor_keepalive(n), 10);
	assert_true(n->passive);
	assert_true(n->ttl_security);
	assert_string_equal(addr_fmt(&n->local_addr, buf), "169.254.247.2");
	assert_int_equal(n->port, 1791);
	assert_int_equal(n->import, CONF_FILTER_ALL);
	assert_int_equal(n->export, CONF_FILTER_NONE);
	assert_null(n->group);
	conf_free(c);
}

static void test_defaults(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok("router-id 10.0.0.1\nlocal-as 1\n"
				      "neighbor 10.0.0.2 { remote-as 2 }\n");
	const struct conf_neighbor *n = &c->neighbors[0];
	assert_int_equal(c->n_listen, 0);
	assert_int_equal(c->n_originate, 0);
	assert_int_equal(n->hold_time, 90); /* RFC 4271 section 10 */
	assert_false(n->hold_time_set);
	assert_false(n->keepalive_set);
	assert_int_equal(conf_neighbor_keepalive(n), 30);
	assert_int_equal(n->port, 0);
	assert_false(n->passive);
	assert_false(n->ttl_security);
	assert_int_equal(n->local_addr.af, 0);
	assert_null(n->description);
	assert_null(n->password);
	/* RFC 8212 is resolved by the daemon, which needs to know "unset". */
	assert_int_equal(n->import, CONF_FILTER_UNSET);
	assert_int_equal(n->export, CONF_FILTER_UNSET);
	conf_free(c);
}

static void test_keepalive_without_hold_time_and_hold_zero(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(
		"router-id 10.0.0.1\nlocal-as 1\n"
		"neighbor 10.0.0.2 { remote-as 2; keepalive 20 }\n"
		"neighbor 10.0.0.3 { remote-as 2; hold-time 0 }\n"
		"neighbor 10.0.0.4 { remote-as 2; hold-time 0; keepalive 100 }\n");
	const struct conf_neighbor *n = conf_test_nbr(c, "10.0.0.2");
	assert_int_equal(n->hold_time, 90);
	assert_int_equal(conf_neighbor_keepalive(n), 20);
	n = conf_test_nbr(c, "10.0.0.3");
	assert_int_equal(n->hold_time, 0);
	assert_true(n->hold_time_set);
	assert_int_equal(conf_neighbor_keepalive(n), 0);
	n = conf_test_nbr(c, "10.0.0.4");
	assert_int_equal(conf_neighbor_keepalive(n), 100);
	conf_free(c);
}

static void test_group_inheritance_and_override(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(
		"router-id 10.0.0.1\nlocal-as 64521\n"
		"group aws {\n"
		"  remote-as 64512\n"
		"  hold-time 30\n"
		"  keepalive 10\n"
		"  description \"from group\"\n"
		"  password \"groupkey\"\n"
		"  passive\n"
		"  port 1790\n"
		"  import none\n"
		"  export all\n"
		"  neighbor 169.254.247.1 { description \"tunnel 1\" }\n"
		"  neighbor 169.254.247.5 {\n"
		"    remote-as 64513; hold-time 60; keepalive 20; passive no\n"
		"    password \"own\"; port 179; import all; export none\n"
		"  }\n"
		"  neighbor 169.254.247.9\n"
		"  neighbor 169.254.247.13 { }\n"
		"}\n"
		"neighbor 10.9.9.9 { remote-as 65000 }\n");
	assert_int_equal(c->n_neighbors, 5);
	const struct conf_neighbor *n = conf_test_nbr(c, "169.254.247.1");
	assert_string_equal(n->group, "aws");
	assert_int_equal(n->remote_as, 64512);
	assert_int_equal(n->hold_time, 30);
	assert_int_equal(n->keepalive, 10);
	assert_string_equal(n->description, "tunnel 1");
	assert_string_equal(n->password, "groupkey");
	assert_true(n->passive);
	assert_int_equal(n->port, 1790);
	assert_int_equal(n->import, CONF_FILTER_NONE);
	assert_int_equal(n->export, CONF_FILTER_ALL);

	n = conf_test_nbr(c, "169.254.247.5");
	assert_string_equal(n->group, "aws");
	assert_int_equal(n->remote_as, 64513);
	assert_int_equal(n->hold_time, 60);
	assert_int_equal(n->keepalive, 20);
	assert_string_equal(n->description, "from group");
	assert_string_equal(n->password, "own");
	assert_false(n->passive);
	assert_int_equal(n->port, 179);
	assert_int_equal(n->import, CONF_FILTER_ALL);
	assert_int_equal(n->export, CONF_FILTER_NONE);

	n = conf_test_nbr(c, "169.254.247.9");
	assert_string_equal(n->group, "aws");
	assert_int_equal(n->remote_as, 64512);
	n = conf_test_nbr(c, "169.254.247.13");
	assert_string_equal(n->group, "aws");
	assert_int_equal(n->hold_time, 30);

	n = conf_test_nbr(c, "10.9.9.9");
	assert_null(n->group);
	assert_int_equal(n->hold_time, 90);
	assert_false(n->passive);
	/* File order is kept. */
	char buf[ADDR_STRLEN];
	assert_string_equal(addr_fmt(&c->neighbors[0].addr, buf), "169.254.247.1");
	assert_string_equal(addr_fmt(&c->neighbors[4].addr, buf), "10.9.9.9");
	conf_free(c);
}

/* connect-retry and delay-open: defaults, bounds, and a group's value
 * reaching its neighbors unless they set their own (RFC 4271 8.1.1). */
static void test_connect_retry_and_delay_open(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(
		"router-id 10.0.0.1\nlocal-as 1\n"
		"neighbor 10.0.0.2 { remote-as 2 }\n"
		"neighbor 10.0.0.3 { remote-as 2; connect-retry 1; delay-open 0 }\n"
		"neighbor 10.0.0.4 { remote-as 2; connect-retry 65535; delay-open 65535 }\n"
		"group g {\n"
		"  remote-as 3; connect-retry 5; delay-open 3\n"
		"  neighbor 10.0.1.1\n"
		"  neighbor 10.0.1.2 { connect-retry 120 }\n"
		"  neighbor 10.0.1.3 { delay-open 0 }\n"
		"}\n");
	const struct conf_neighbor *n = conf_test_nbr(c, "10.0.0.2");
	assert_int_equal(n->connect_retry, CONF_CONNECT_RETRY_DEFAULT);
	assert_int_equal(n->connect_retry, 30);
	assert_false(n->connect_retry_set);
	assert_int_equal(n->delay_open, 0);
	assert_false(n->delay_open_set);

	n = conf_test_nbr(c, "10.0.0.3");
	assert_int_equal(n->connect_retry, 1);
	assert_true(n->connect_retry_set);
	assert_int_equal(n->delay_open, 0);
	assert_true(n->delay_open_set);

	n = conf_test_nbr(c, "10.0.0.4");
	assert_int_equal(n->connect_retry, 65535);
	assert_int_equal(n->delay_open, 65535);

	n = conf_test_nbr(c, "10.0.1.1");
	assert_int_equal(n->connect_retry, 5);
	assert_true(n->connect_retry_set);
	assert_int_equal(n->delay_open, 3);
	assert_true(n->delay_open_set);

	n = conf_test_nbr(c, "10.0.1.2");
	assert_int_equal(n->connect_retry, 120);
	assert_int_equal(n->delay_open, 3);

	/* A neighbor can turn off the group's DelayOpen. */
	n = conf_test_nbr(c, "10.0.1.3");
	assert_int_equal(n->connect_retry, 5);
	assert_int_equal(n->delay_open, 0);
	assert_true(n->delay_open_set);
	conf_free(c);
}

static void test_as_numbers(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(
		"router-id 10.0.0.1\nlocal-as 1.10\n"
		"neighbor 10.0.0.2 { remote-as 4294967295 }\n"
		"neighbor 10.0.0.3 { remote-as 65535.65535 }\n"
		"neighbor 10.0.0.4 { remote-as 0.1 }\n"
		"neighbor 10.0.0.5 { remote-as 65000.2 }\n");
	/* RFC 5396 asdot: high.low = high * 65536 + low */
	assert_int_equal(c->local_as, 65546);
	assert_int_equal(conf_test_nbr(c, "10.0.0.2")->remote_as, 4294967295u);
	assert_int_equal(conf_test_nbr(c, "10.0.0.3")->remote_as, 4294967295u);
	assert_int_equal(conf_test_nbr(c, "10.0.0.4")->remote_as, 1);
	assert_int_equal(conf_test_nbr(c, "10.0.0.5")->remote_as, 4259840002u);
	conf_free(c);
}

static void test_strings_and_escapes(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(
		"router-id 10.0.0.1\nlocal-as 1\n"
		"neighbor 10.0.0.2 {\n"
		"  remote-as 2\n"
		"  description \"say \\\"hi\\\" \\\\ back # not a comment; nor this {\"\n"
		"  password \"tab\there\"\n"
		"}\n"
		"neighbor 10.0.0.3 { remote-as 2; description bare-word; password k }\n"
		"neighbor 10.0.0.4 { remote-as 2; description \"\" }\n");
	const struct conf_neighbor *n = conf_test_nbr(c, "10.0.0.2");
	assert_string_equal(n->description, "say \"hi\" \\ back # not a comment; nor this {");
	assert_string_equal(n->password, "tab\there");
	n = conf_test_nbr(c, "10.0.0.3");
	assert_string_equal(n->description, "bare-word");
	assert_string_equal(n->password, "k");
	assert_string_equal(conf_test_nbr(c, "10.0.0.4")->description, "");
	conf_free(c);
}

static void test_password_80_bytes(void **state)
{
	(void)state;
	char text[300];
	char key[81];
	memset(key, 'k', 80);
	key[80] = '\0';
	snprintf(text, sizeof(text),
		 "router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2; password \"%s\" }\n",
		 key);
	struct conf *c = conf_test_ok(text);
	assert_int_equal(strlen(c->neighbors[0].password), 80);
	conf_free(c);
}

static void test_layout_variants(void **state)
{
	(void)state;
	/* Semicolons, CRLF, braces on the next line, one-line blocks,
	 * neighbors without braces, blank lines and comments anywhere. */
	struct conf *c = conf_test_ok(
		"router-id 10.0.0.1; local-as 1;;\r\n"
		"group g\r\n"
		"# comment between name and brace\n"
		"\n"
		"{ remote-as 2\n"
		"  neighbor 10.0.0.2\n"
		"  neighbor 10.0.0.3\n"
		"  {\n"
		"     passive yes ; ttl-security\n"
		"  }\n"
		"}\n"
		"neighbor 10.0.0.4 { remote-as 3 }; neighbor 2001:db8::4 { remote-as 3 }\n"
		"neighbor ::ffff:10.0.0.5 { remote-as 3 }");
	assert_int_equal(c->n_neighbors, 5);
	assert_string_equal(conf_test_nbr(c, "10.0.0.2")->group, "g");
	const struct conf_neighbor *n = conf_test_nbr(c, "10.0.0.3");
	assert_true(n->passive);
	assert_true(n->ttl_security);
	assert_int_equal(n->remote_as, 2);
	/* A v4-mapped address is the IPv4 neighbor it stands for. */
	assert_int_equal(conf_test_nbr(c, "10.0.0.5")->addr.af, AF_INET);
	assert_int_equal(conf_test_nbr(c, "2001:db8::4")->pos.line, 12);
	conf_free(c);
}

static void test_same_address_other_port_is_not_duplicate(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(
		"router-id 10.0.0.1\nlocal-as 1\n"
		"neighbor 127.0.0.2 { remote-as 2; port 1790 }\n"
		"neighbor 127.0.0.2 { remote-as 2; port 1791 }\n"
		"listen on 127.0.0.1 port 1790\nlisten on 127.0.0.1 port 1791\n");
	assert_int_equal(c->n_neighbors, 2);
	assert_int_equal(c->n_listen, 2);
	conf_free(c);
}

static void test_load_file_errors(void **state)
{
	(void)state;
	struct conf *c = (struct conf *)1;
	struct conf_errors e;
	int r = conf_load_file("does/not/exist.conf", &c, &e);
	assert_int_equal(r, -ENOENT);
	assert_null(c);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msgs[0], "does/not/exist.conf: No such file or directory");
	conf_errors_free(&e);

	r = conf_load_file(".", &c, &e);
	assert_int_equal(r, -EISDIR);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msgs[0], ".: Is a directory");
	conf_errors_free(&e);
}

static void test_nul_and_size(void **state)
{
	(void)state;
	struct conf *c;
	struct conf_errors e;
	static const char text[] = "router-id 10.0.0.1\nlocal\0-as 1\n";
	int r = conf_load_string("bin.conf", text, sizeof(text) - 1, &c, &e);
	assert_int_equal(r, -EINVAL);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msgs[0], "bin.conf:2:6: NUL byte in input (not a text file?)");
	conf_errors_free(&e);

	size_t big = (4u << 20) + 1;
	char *huge = malloc(big);
	assert_non_null(huge);
	memset(huge, '\n', big);
	r = conf_load_string("big.conf", huge, big, &c, &e);
	assert_int_equal(r, -EFBIG);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msgs[0], "big.conf: file too large (the limit is 4 MiB)");
	conf_errors_free(&e);
	/* Just under the limit is fine (and only lacks its statements). */
	r = conf_load_string("big.conf", huge, big - 1, &c, &e);
	assert_int_equal(r, -EINVAL);
	assert_int_equal(e.n, 2);
	assert_string_equal(e.msgs[0], "big.conf:1:1: missing required statement 'router-id'");
	conf_errors_free(&e);
	free(huge);
}

static void test_text_not_nul_terminated(void **state)
{
	(void)state;
	/* The length bounds the parse, not a terminating NUL. */
	static const char text[] = "router-id 10.0.0.1\nlocal-as 1\nneighbor 10.0.0.2 { remote-as 2 }XXXX";
	struct conf *c;
	struct conf_errors e;
	int r = conf_load_string("t.conf", text, sizeof(text) - 1 - 4, &c, &e);
	assert_int_equal(r, 0);
	assert_int_equal(c->n_neighbors, 1);
	conf_free(c);
	conf_errors_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_model),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_keepalive_without_hold_time_and_hold_zero),
		cmocka_unit_test(test_group_inheritance_and_override),
		cmocka_unit_test(test_connect_retry_and_delay_open),
		cmocka_unit_test(test_as_numbers),
		cmocka_unit_test(test_strings_and_escapes),
		cmocka_unit_test(test_password_80_bytes),
		cmocka_unit_test(test_layout_variants),
		cmocka_unit_test(test_same_address_other_port_is_not_duplicate),
		cmocka_unit_test(test_load_file_errors),
		cmocka_unit_test(test_nul_and_size),
		cmocka_unit_test(test_text_not_nul_terminated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
