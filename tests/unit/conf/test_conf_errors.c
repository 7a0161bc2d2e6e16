/* Bad configs: every error, its exact text and its position. */
#include "conf_test.h"

#include <errno.h>
#include <stdlib.h>

/* Prepended to the table's cases so they only show their own errors;
 * their lines therefore start at 3. */
#define HEAD "router-id 10.0.0.1\nlocal-as 64521\n"

struct bad_case {
	const char *text;
	const char *errs[4]; /* expected messages, NULL-terminated */
};

static const struct bad_case bad_cases[] = {
	/* lexical */
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; description \"open\n}\n",
	  { "t.conf:3:46: unterminated string" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; description \"a\\nb\" }\n",
	  { "t.conf:3:48: unknown escape '\\n' in string (only \\\" and \\\\ are allowed)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; description \"a\x01\" }\n",
	  { "t.conf:3:48: control character 0x01 in string" } },
	{ HEAD "originate\x02 ::/0\n",
	  { "t.conf:3:10: unexpected control character 0x02" } },
	/* blocks */
	{ HEAD "neighbor 10.0.0.2 {\n remote-as 1\n",
	  { "t.conf:3:19: unterminated neighbor block (no matching '}')" } },
	{ HEAD "group g {\n remote-as 1\n neighbor 10.0.0.2 {\n}\n",
	  { "t.conf:3:9: unterminated group block (no matching '}')" } },
	{ HEAD "}\n",
	  { "t.conf:3:1: unexpected '}' (no block is open)" } },
	{ HEAD "{ remote-as 1 }\n",
	  { "t.conf:3:1: unexpected '{' (a block must follow 'group NAME' or 'neighbor ADDR')" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1 } extra\n",
	  { "t.conf:3:35: unexpected 'extra' at end of 'neighbor' statement" } },
	{ HEAD "neighbor 10.0.0.2 remote-as 1\n",
	  { "t.conf:3:19: expected '{' or end of statement after neighbor address, got 'remote-as'" } },
	{ HEAD "group g remote-as 1\n",
	  { "t.conf:3:9: expected '{' after group name, got 'remote-as'" } },
	{ HEAD "group 9lives { }\n",
	  { "t.conf:3:7: invalid group name '9lives' (up to 64 letters, digits, '-', '_' or '.', starting with a letter)" } },
	{ HEAD "\"stray\"\n",
	  { "t.conf:3:1: expected a statement at top level, got string \"stray\"" } },
	/* unknown and misplaced statements */
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; holdtime 30 }\n",
	  { "t.conf:3:34: unknown statement 'holdtime' in neighbor block; did you mean 'hold-time'?" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; foo 30 }\n",
	  { "t.conf:3:34: unknown statement 'foo' in neighbor block" } },
	{ HEAD "neighbour 10.0.0.2 { remote-as 1 }\n",
	  { "t.conf:3:1: unknown statement 'neighbour' at top level; did you mean 'neighbor'?" } },
	{ HEAD "group g { remote-as 1; Passive }\n",
	  { "t.conf:3:24: unknown statement 'Passive' in group block; did you mean 'passive'?" } },
	{ HEAD "bfd interval 300 { x }\n",
	  { "t.conf:3:1: unknown statement 'bfd' at top level" } },
	{ HEAD "hold-time 30\n",
	  { "t.conf:3:1: 'hold-time' is not allowed at top level (it belongs in a neighbor or group block)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; local-as 5 }\n",
	  { "t.conf:3:34: 'local-as' is not allowed in neighbor block (it is a top-level statement)" } },
	{ HEAD "group a { remote-as 1; group b { } }\n",
	  { "t.conf:3:24: 'group' is not allowed in group block (groups do not nest)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; neighbor 10.0.0.3 { } }\n",
	  { "t.conf:3:34: 'neighbor' is not allowed in neighbor block (neighbor blocks do not nest)" } },
	/* values */
	{ "router-id 10.0.0\nlocal-as 1\n",
	  { "t.conf:1:11: invalid router-id '10.0.0' (expected an IPv4 address A.B.C.D)" } },
	{ "router-id 2001:db8::1\nlocal-as 1\n",
	  { "t.conf:1:11: invalid router-id '2001:db8::1' (expected an IPv4 address A.B.C.D)" } },
	{ "router-id 0.0.0.0\nlocal-as 1\n",
	  { "t.conf:1:11: router-id 0.0.0.0 is not allowed (must be non-zero, RFC 6286)" } },
	{ "router-id 10.0.0.1\nlocal-as 4294967296\n",
	  { "t.conf:2:10: local-as 4294967296 out of range (1..4294967295)" } },
	{ "router-id 10.0.0.1\nlocal-as 0\n",
	  { "t.conf:2:10: local-as 0 out of range (1..4294967295)" } },
	{ "router-id 10.0.0.1\nlocal-as 0.0\n",
	  { "t.conf:2:10: local-as 0.0 out of range (1..4294967295)" } },
	{ "router-id 10.0.0.1\nlocal-as 1.65536\n",
	  { "t.conf:2:10: local-as 1.65536 out of range (asdot halves are 0..65535)" } },
	{ "router-id 10.0.0.1\nlocal-as -5\n",
	  { "t.conf:2:10: invalid local-as '-5' (expected 1..4294967295 or asdot X.Y)" } },
	{ "router-id 10.0.0.1\nlocal-as 1.2.3\n",
	  { "t.conf:2:10: invalid local-as '1.2.3' (expected 1..4294967295 or asdot X.Y)" } },
	{ "router-id 10.0.0.1\nlocal-as 23456\n",
	  { "t.conf:2:10: local-as 23456 is AS_TRANS (RFC 6793), not a real AS number" } },
	{ "router-id 10.0.0.1\nlocal-as\n",
	  { "t.conf:2:9: missing value after 'local-as' (expected an AS number)" } },
	{ "router-id 10.0.0.1\nlocal-as 1 2\n",
	  { "t.conf:2:12: unexpected '2' at end of 'local-as' statement" } },
	{ HEAD "local-as 2\n",
	  { "t.conf:3:1: duplicate 'local-as' (first set at line 2)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; hold-time 2 }\n",
	  { "t.conf:3:44: hold-time 2 out of range (0 or 3..65535)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; hold-time 65536 }\n",
	  { "t.conf:3:44: hold-time 65536 out of range (0 or 3..65535)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; hold-time 30s }\n",
	  { "t.conf:3:44: invalid hold-time '30s' (expected 0 or 3..65535)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; keepalive 0 }\n",
	  { "t.conf:3:44: keepalive 0 out of range (1..21845)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; keepalive 21846 }\n",
	  { "t.conf:3:44: keepalive 21846 out of range (1..21845)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; port 0 }\n",
	  { "t.conf:3:39: port 0 out of range (1..65535)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; port 65536 }\n",
	  { "t.conf:3:39: port 65536 out of range (1..65535)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; remote-as 2 }\n",
	  { "t.conf:3:34: duplicate 'remote-as' (first set at line 3)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; passive maybe }\n",
	  { "t.conf:3:42: invalid passive value 'maybe' (expected yes or no)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; ttl-security \"yes\" }\n",
	  { "t.conf:3:47: invalid ttl-security value string \"yes\" (expected yes or no)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; import primary }\n",
	  { "t.conf:3:34: unknown policy 'primary' in import" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; export backup }\n",
	  { "t.conf:3:34: unknown policy 'backup' in export" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; import }\n",
	  { "t.conf:3:41: missing value after 'import' (expected all, none or a policy name)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; password \"\" }\n",
	  { "t.conf:3:43: password is 0 bytes long; TCP MD5 keys are 1..80 bytes" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; password \"123456789012345678901234567890123456789012345678901234567890123456789012345678901\" }\n",
	  { "t.conf:3:43: password is 81 bytes long; TCP MD5 keys are 1..80 bytes" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; description { x } }\n",
	  { "t.conf:3:46: expected a quoted string after 'description', got '{'" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; local-address 10.0.0.256 }\n",
	  { "t.conf:3:48: invalid local-address '10.0.0.256' (expected an IPv4 or IPv6 address)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; local-address 0.0.0.0 }\n",
	  { "t.conf:3:48: local-address 0.0.0.0 is not a unicast address" } },
	{ HEAD "neighbor 10.0.0.x { remote-as 1; hold-time 1 }\n",
	  { "t.conf:3:10: invalid neighbor address '10.0.0.x' (expected an IPv4 or IPv6 address)",
	    "t.conf:3:44: hold-time 1 out of range (0 or 3..65535)" } },
	{ HEAD "neighbor 224.0.0.5 { remote-as 1 }\n",
	  { "t.conf:3:10: neighbor 224.0.0.5 is not a unicast address" } },
	{ HEAD "neighbor :: { remote-as 1 }\n",
	  { "t.conf:3:10: neighbor :: is not a unicast address" } },
	{ HEAD "listen 127.0.0.1\n",
	  { "t.conf:3:8: expected 'on' after 'listen', got '127.0.0.1'" } },
	{ HEAD "listen on 127.0.0.1 port 99999\n",
	  { "t.conf:3:26: port 99999 out of range (1..65535)" } },
	{ HEAD "listen on localhost\n",
	  { "t.conf:3:11: invalid listen address 'localhost' (expected an IPv4 or IPv6 address)" } },
	{ HEAD "originate 10.0.0.1/8\n",
	  { "t.conf:3:11: originate 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?" } },
	{ HEAD "originate 2001:db8::1/32\n",
	  { "t.conf:3:11: originate 2001:db8::1/32 has host bits set; did you mean 2001:db8::/32?" } },
	{ HEAD "originate 10.0.0.0/33\n",
	  { "t.conf:3:11: invalid prefix '10.0.0.0/33' (expected ADDR/LEN, e.g. 0.0.0.0/0)" } },
	{ HEAD "originate 10.0.0.0\n",
	  { "t.conf:3:11: invalid prefix '10.0.0.0' (expected ADDR/LEN, e.g. 0.0.0.0/0)" } },
	{ HEAD "originate 0.0.0.0/0 when uplink\n",
	  { "t.conf:3:26: unknown condition 'uplink' in originate" } },
	/* validation */
	{ "local-as 1\n",
	  { "t.conf:1:1: missing required statement 'router-id'" } },
	{ "router-id 10.0.0.1\n",
	  { "t.conf:1:1: missing required statement 'local-as'" } },
	{ "",
	  { "t.conf:1:1: missing required statement 'router-id'",
	    "t.conf:1:1: missing required statement 'local-as'" } },
	{ HEAD "neighbor 10.0.0.2\n",
	  { "t.conf:3:10: neighbor 10.0.0.2 has no remote-as (set it in the neighbor or its group)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1 }\nneighbor 10.0.0.2 { remote-as 2 }\n",
	  { "t.conf:4:10: duplicate neighbor 10.0.0.2 (first defined at line 3)" } },
	{ HEAD "group g { port 1790; remote-as 1; neighbor 10.0.0.2 }\n"
	       "neighbor 10.0.0.2 { remote-as 2; port 1790 }\n",
	  { "t.conf:4:10: duplicate neighbor 10.0.0.2 port 1790 (first defined at line 3)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1 }\nneighbor 10.0.0.2 { remote-as 2; port 179 }\n",
	  { "t.conf:4:10: duplicate neighbor 10.0.0.2 (first defined at line 3)" } },
	{ HEAD "group g { }\ngroup g { }\n",
	  { "t.conf:4:7: duplicate group 'g' (first defined at line 3)" } },
	{ HEAD "originate ::/0\noriginate 0::0/0\n",
	  { "t.conf:4:11: duplicate originate ::/0 (first at line 3)" } },
	{ HEAD "listen on 127.0.0.1\nlisten on 127.0.0.1 port 179\n",
	  { "t.conf:4:11: duplicate listen on 127.0.0.1 port 179 (first defined at line 3)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; hold-time 30; keepalive 30 }\n",
	  { "t.conf:3:48: keepalive 30 must be less than hold-time 30" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; keepalive 90 }\n",
	  { "t.conf:3:34: keepalive 90 must be less than hold-time 90 (the default)" } },
	{ HEAD "group g { remote-as 1; keepalive 40; hold-time 30\n neighbor 10.0.0.2\n neighbor 10.0.0.3\n}\n",
	  { "t.conf:3:24: keepalive 40 must be less than hold-time 30" } },
	{ HEAD "group g { remote-as 1; hold-time 30\n neighbor 10.0.0.2 { keepalive 30 }\n}\n",
	  { "t.conf:4:22: keepalive 30 must be less than hold-time 30 (hold-time from group 'g')" } },
	{ HEAD "group g { remote-as 1; keepalive 20\n neighbor 10.0.0.2 { hold-time 15 }\n}\n",
	  { "t.conf:4:22: keepalive 20 must be less than hold-time 15 (keepalive from group 'g')" } },
	{ HEAD "neighbor 2001:db8::2 { remote-as 1; local-address 10.0.0.1 }\n",
	  { "t.conf:3:37: local-address 10.0.0.1 is IPv4 but neighbor 2001:db8::2 is IPv6" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; connect-retry 0 }\n",
	  { "t.conf:3:48: connect-retry 0 out of range (1..65535)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; connect-retry 65536 }\n",
	  { "t.conf:3:48: connect-retry 65536 out of range (1..65535)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; connect-retry 30s }\n",
	  { "t.conf:3:48: invalid connect-retry '30s' (expected 1..65535)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; connect-retry }\n",
	  { "t.conf:3:48: missing value after 'connect-retry' (expected 1..65535)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; delay-open 65536 }\n",
	  { "t.conf:3:45: delay-open 65536 out of range (0..65535)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; delay-open -1 }\n",
	  { "t.conf:3:45: invalid delay-open '-1' (expected 0..65535)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; delay-open 3 4 }\n",
	  { "t.conf:3:47: unexpected '4' at end of 'delay-open' statement" } },
	{ HEAD "group g { remote-as 1; delay-open 99999\n neighbor 10.0.0.2\n}\n",
	  { "t.conf:3:35: delay-open 99999 out of range (0..65535)" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; delay-open 1; delay-open 2 }\n",
	  { "t.conf:3:48: duplicate 'delay-open' (first set at line 3)" } },
	{ HEAD "delay-open 3\n",
	  { "t.conf:3:1: 'delay-open' is not allowed at top level (it belongs in a neighbor or group block)" } },
	{ HEAD "connect-retry 3\n",
	  { "t.conf:3:1: 'connect-retry' is not allowed at top level (it belongs in a neighbor or group block)" } },
	/* the suggestions know the new keywords */
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; delayopen 3 }\n",
	  { "t.conf:3:34: unknown statement 'delayopen' in neighbor block; did you mean 'delay-open'?" } },
	{ HEAD "group g { remote-as 1; connect-retyr 5 }\n",
	  { "t.conf:3:24: unknown statement 'connect-retyr' in group block; did you mean 'connect-retry'?" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; connectretry 5 }\n",
	  { "t.conf:3:34: unknown statement 'connectretry' in neighbor block; did you mean 'connect-retry'?" } },
	{ HEAD "group g { remote-as 1; local-address 2001:db8::1\n neighbor 2001:db8::2\n neighbor 10.0.0.2\n}\n",
	  { "t.conf:5:11: local-address 2001:db8::1 (from group 'g') is IPv6 but neighbor 10.0.0.2 is IPv4" } },
};

static bool check_case(const struct bad_case *bc)
{
	struct conf *c = (struct conf *)1;
	struct conf_errors e;
	int r = conf_load_string("t.conf", bc->text, strlen(bc->text), &c, &e);
	size_t want = 0;
	while (want < 4 && bc->errs[want])
		want++;
	bool ok = r == -EINVAL && c == NULL && e.n == want;
	for (size_t i = 0; ok && i < want; i++)
		ok = strcmp(e.msgs[i], bc->errs[i]) == 0;
	if (!ok) {
		print_error("config:\n%s\nr=%d, got %zu errors:\n", bc->text, r, e.n);
		for (size_t i = 0; i < e.n; i++)
			print_error("  %s\n", e.msgs[i]);
		print_error("wanted:\n");
		for (size_t i = 0; i < want; i++)
			print_error("  %s\n", bc->errs[i]);
	}
	conf_errors_free(&e);
	return ok;
}

static void test_bad_table(void **state)
{
	(void)state;
	/* Every case runs, so one run shows every mismatch. */
	size_t failed = 0;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		failed += !check_case(&bad_cases[i]);
	assert_int_equal(failed, 0);
}

/* One file with many problems: all are reported, in file order, though
 * the parser finds some (syntax) before others (validation). */
static void test_all_errors_in_order(void **state)
{
	(void)state;
	static const char text[] =
		"local-as 64521\n"                                   /* 1 */
		"group aws {\n"                                      /* 2 */
		"  remote-as 64512\n"                                /* 3 */
		"  hold-time 30\n"                                   /* 4 */
		"  keepalive 30\n"                                   /* 5 */
		"  neighbor 169.254.247.1 { descripton \"t1\" }\n"   /* 6 */
		"  neighbor 169.254.247.1\n"                         /* 7 */
		"}\n"                                                /* 8 */
		"neighbor 10.0.0.9 {\n"                              /* 9 */
		"  hold-time 1\n"                                    /* 10 */
		"  import maybe\n"                                   /* 11 */
		"}\n"                                                /* 12 */
		"originate 10.1.2.3/16\n"                            /* 13 */
		"}\n";                                               /* 14 */
	static const char *const want[] = {
		"x.conf:1:1: missing required statement 'router-id'",
		"x.conf:5:3: keepalive 30 must be less than hold-time 30",
		"x.conf:6:28: unknown statement 'descripton' in neighbor block; did you mean 'description'?",
		"x.conf:7:12: duplicate neighbor 169.254.247.1 (first defined at line 6)",
		"x.conf:9:10: neighbor 10.0.0.9 has no remote-as (set it in the neighbor or its group)",
		"x.conf:10:13: hold-time 1 out of range (0 or 3..65535)",
		"x.conf:11:3: unknown policy 'maybe' in import",
		"x.conf:13:11: originate 10.1.2.3/16 has host bits set; did you mean 10.1.0.0/16?",
		"x.conf:14:1: unexpected '}' (no block is open)",
	};
	struct conf *c;
	struct conf_errors e;
	int r = conf_load_string("x.conf", text, sizeof(text) - 1, &c, &e);
	assert_int_equal(r, -EINVAL);
	for (size_t i = 0; i < e.n; i++)
		print_message("%s\n", e.msgs[i]);
	assert_int_equal(e.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < e.n; i++)
		assert_string_equal(e.msgs[i], want[i]);
	conf_errors_free(&e);
}

static void test_error_cap(void **state)
{
	(void)state;
	/* Garbage should not produce megabytes of messages. */
	size_t n = 5000;
	char *text = malloc(n * 4 + 1);
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		memcpy(text + i * 4, "foo\n", 4);
	text[n * 4] = '\0';
	struct conf *c;
	struct conf_errors e;
	int r = conf_load_string("g.conf", text, n * 4, &c, &e);
	assert_int_equal(r, -EINVAL);
	assert_int_equal(e.n, 101);
	assert_string_equal(e.msgs[0], "g.conf:1:1: unknown statement 'foo' at top level");
	assert_string_equal(e.msgs[100], "g.conf: too many errors, stopped after 100");
	conf_errors_free(&e);
	free(text);
}

static void test_long_tokens(void **state)
{
	(void)state;
	size_t n = 2000;
	char *text = malloc(n + 64);
	assert_non_null(text);
	memcpy(text, HEAD, strlen(HEAD));
	memset(text + strlen(HEAD), 'w', n);
	strcpy(text + strlen(HEAD) + n, "\n");
	struct conf *c;
	struct conf_errors e;
	int r = conf_load_string("t.conf", text, strlen(text), &c, &e);
	assert_int_equal(r, -EINVAL);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msgs[0], "t.conf:3:1: word too long (limit 1024 bytes)");
	conf_errors_free(&e);
	/* A long unknown word is quoted only in part. */
	text[strlen(HEAD) + 60] = '\n';
	text[strlen(HEAD) + 61] = '\0';
	r = conf_load_string("t.conf", text, strlen(text), &c, &e);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msgs[0], "t.conf:3:1: unknown statement "
			    "'wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww...' at top level");
	conf_errors_free(&e);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_all_errors_in_order),
		cmocka_unit_test(test_error_cap),
		cmocka_unit_test(test_long_tokens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
