/* prefix-set and policy blocks: the model built, every error with its
 * exact message, round trips, and the examples in docs/configuration.md. */
#include "conf_test.h"

#include <errno.h>
#include <stdlib.h>

#define HEAD "router-id 10.0.0.1\nlocal-as 64521\n"

static void test_model(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(HEAD
		"prefix-set vpc {\n"
		"  10.180.0.0/16 le 24\n"
		"  2001:db8::/32 ge 48 le 64; 192.0.2.0/24\n"
		"  198.51.100.0/24 ge 28\n"
		"}\n"
		"policy from-aws {\n"
		"  term ok {\n"
		"    match prefix-set vpc\n"
		"    match as-path neighbor-as 64512\n"
		"    set local-pref 200; add community 65000:100\n"
		"    accept\n"
		"  }\n"
		"  term tag { set large-community none }\n"
		"  default accept\n"
		"}\n"
		"policy backup { set med 20; prepend 2; accept }\n"
		"group aws {\n"
		"  remote-as 64512\n"
		"  import from-aws\n"
		"  export backup\n"
		"  neighbor 169.254.247.1\n"
		"  neighbor 169.254.247.5 { export none }\n"
		"}\n");
	assert_int_equal(c->n_prefix_sets, 1);
	const struct conf_prefix_set *s = conf_prefix_set_find(c, "vpc");
	assert_non_null(s);
	assert_int_equal(s->n, 4);
	assert_int_equal(s->ranges[0].ge, 16);
	assert_int_equal(s->ranges[0].le, 24);
	assert_int_equal(s->ranges[1].ge, 48);
	assert_int_equal(s->ranges[1].le, 64);
	assert_int_equal(s->ranges[2].ge, 24);     /* exact */
	assert_int_equal(s->ranges[2].le, 24);
	assert_int_equal(s->ranges[3].ge, 28);     /* ge alone: up to /32 */
	assert_int_equal(s->ranges[3].le, 32);
	assert_null(conf_prefix_set_find(c, "nope"));

	const struct conf_policy *p = conf_policy_find(c, "from-aws");
	assert_non_null(p);
	assert_true(p->default_accept);
	assert_int_equal(p->n_terms, 2);
	assert_string_equal(p->terms[0].name, "ok");
	assert_int_equal(p->terms[0].n_match, 2);
	assert_int_equal(p->terms[0].match[0].kind, CONF_MATCH_PREFIX_SET);
	assert_int_equal(p->terms[0].match[0].set, 0);
	assert_int_equal(p->terms[0].match[1].kind, CONF_MATCH_NEIGHBOR_AS);
	assert_int_equal(p->terms[0].match[1].u32, 64512);
	assert_int_equal(p->terms[0].n_action, 2);
	assert_int_equal(p->terms[0].action[0].kind, CONF_ACT_SET_LOCAL_PREF);
	assert_int_equal(p->terms[0].action[0].u32, 200);
	assert_int_equal(p->terms[0].action[1].kind, CONF_ACT_ADD_COMMUNITY);
	assert_int_equal(p->terms[0].action[1].u32, 65000u << 16 | 100);
	assert_int_equal(p->terms[0].verdict, CONF_VERDICT_ACCEPT);
	assert_int_equal(p->terms[1].verdict, CONF_VERDICT_NEXT);
	assert_true(p->terms[1].action[0].none);

	p = conf_policy_find(c, "backup");
	assert_non_null(p);
	assert_false(p->default_accept);
	assert_int_equal(p->n_terms, 1);
	assert_null(p->terms[0].name);             /* statements straight in */
	assert_int_equal(p->terms[0].action[1].kind, CONF_ACT_PREPEND);
	assert_int_equal(p->terms[0].action[1].u32, 2);

	/* Group defaults carry policy names; a neighbor may override. */
	const struct conf_neighbor *n = conf_test_nbr(c, "169.254.247.1");
	assert_int_equal(n->import, CONF_FILTER_POLICY);
	assert_string_equal(n->import_policy, "from-aws");
	assert_int_equal(n->export, CONF_FILTER_POLICY);
	assert_string_equal(n->export_policy, "backup");
	n = conf_test_nbr(c, "169.254.247.5");
	assert_int_equal(n->export, CONF_FILTER_NONE);
	assert_null(n->export_policy);
	conf_free(c);
}

static void test_match_and_action_kinds(void **state)
{
	(void)state;
	struct conf *c = conf_test_ok(HEAD
		"policy k {\n"
		" term all {\n"
		"  match prefix 10.0.0.0/8 ge 16 le 24\n"
		"  match as-path origin-as 1.10\n"        /* asdot */
		"  match as-path contains 3356\n"
		"  match as-path length <= 5\n"
		"  match as-path length >= 1\n"
		"  match community 65000:1\n"
		"  match large-community 4200000000:1:2\n"
		"  match next-hop 2001:db8::1\n"
		"  remove community 65000:1; set community none; set community 1:2\n"
		"  add large-community 1:2:3; remove large-community 1:2:3\n"
		"  set large-community 7:8:9; set next-hop self; set med 0\n"
		"  reject\n"
		"  }\n"
		"  default accept\n"
		"}\n"
		"policy a { default accept }\n");
	const struct conf_policy *p = conf_policy_find(c, "k");
	assert_int_equal(p->n_terms, 1);
	const struct conf_term *t = &p->terms[0];
	static const enum conf_match_kind mk[] = {
		CONF_MATCH_PREFIX, CONF_MATCH_ORIGIN_AS, CONF_MATCH_AS_CONTAINS,
		CONF_MATCH_AS_LENGTH_LE, CONF_MATCH_AS_LENGTH_GE, CONF_MATCH_COMMUNITY,
		CONF_MATCH_LARGE_COMMUNITY, CONF_MATCH_NEXT_HOP,
	};
	assert_int_equal(t->n_match, 8);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(t->match[i].kind, mk[i]);
	assert_int_equal(t->match[0].range.ge, 16);
	assert_int_equal(t->match[0].range.le, 24);
	assert_int_equal(t->match[1].u32, 1u << 16 | 10);
	assert_int_equal(t->match[6].lc[0], 4200000000u);
	static const enum conf_action_kind ak[] = {
		CONF_ACT_REMOVE_COMMUNITY, CONF_ACT_SET_COMMUNITY, CONF_ACT_SET_COMMUNITY,
		CONF_ACT_ADD_LARGE, CONF_ACT_REMOVE_LARGE, CONF_ACT_SET_LARGE,
		CONF_ACT_NEXT_HOP_SELF, CONF_ACT_SET_MED,
	};
	assert_int_equal(t->n_action, 8);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(t->action[i].kind, ak[i]);
	assert_true(t->action[1].none);
	assert_false(t->action[2].none);
	assert_int_equal(t->verdict, CONF_VERDICT_REJECT);
	conf_free(c);
}

struct bad_case {
	const char *text;
	const char *errs[4];
};

#define ACC "policy ok { accept }\n"

static const struct bad_case bad_cases[] = {
	{ HEAD "prefix-set s { 10.1.2.3/8 }\n",
	  { "t.conf:3:16: prefix 10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?" } },
	{ HEAD "prefix-set s { 10.0.0.0/8 ge 4 }\n",
	  { "t.conf:3:30: ge 4 is shorter than the prefix length /8" } },
	{ HEAD "prefix-set s { 10.0.0.0/8 ge 24 le 16 }\n",
	  { "t.conf:3:16: ge 24 is greater than le 16" } },
	{ HEAD "prefix-set s { 10.0.0.0/8 le 33 }\n",
	  { "t.conf:3:30: le 33 out of range (0..32)" } },
	{ HEAD "prefix-set s { 10.0.0.0/8 le 16 ge 9 }\n",
	  { "t.conf:3:33: 'ge' must come before 'le'" } },
	{ HEAD "prefix-set s { bogus }\n",
	  { "t.conf:3:16: invalid prefix 'bogus' (expected ADDR/LEN, e.g. 10.0.0.0/8)" } },
	{ HEAD "prefix-set s { }\nprefix-set s { }\n",
	  { "t.conf:4:1: duplicate prefix-set 's' (first defined at line 3)" } },
	{ HEAD "prefix-set all { }\n",
	  { "t.conf:3:12: 'all' is reserved and cannot name a prefix-set" } },
	{ HEAD "policy 9p { accept }\n",
	  { "t.conf:3:8: invalid policy name '9p' (up to 64 letters, digits, '-', '_' or '.', starting with a letter)" } },
	{ HEAD "policy p accept\n",
	  { "t.conf:3:10: expected '{' after policy name, got 'accept'" } },
	{ HEAD "policy p {\n accept\n",
	  { "t.conf:3:10: unterminated policy block (no matching '}')" } },
	{ HEAD "prefix-set vpc { }\npolicy p { match prefix-set vcp; accept }\n",
	  { "t.conf:4:12: unknown prefix-set 'vcp'; did you mean 'vpc'?" } },
	{ HEAD "policy p { match as-path length < 3; accept }\n",
	  { "t.conf:3:33: expected <= or >= after 'length', got '<'" } },
	{ HEAD "policy p { match as-path first-as 3; accept }\n",
	  { "t.conf:3:26: unknown as-path match 'first-as' (expected neighbor-as, origin-as, contains or length)" } },
	{ HEAD "policy p { match as-path neighbor-as 0; accept }\n",
	  { "t.conf:3:38: invalid AS number '0' after 'neighbor-as' (expected 1..4294967295 or asdot X.Y)" } },
	{ HEAD "policy p { match community 65536:1; accept }\n",
	  { "t.conf:3:28: invalid community '65536:1' (expected A:B, each 0..65535)" } },
	{ HEAD "policy p { match large-community 1:2; accept }\n",
	  { "t.conf:3:34: invalid large community '1:2' (expected A:B:C, each 0..4294967295)" } },
	{ HEAD "policy p { match next-hop 1.2.3; accept }\n",
	  { "t.conf:3:27: invalid next-hop '1.2.3' (expected an IPv4 or IPv6 address)" } },
	{ HEAD "policy p { match bogus 1; accept }\n",
	  { "t.conf:3:18: unknown match 'bogus' (expected prefix-set, prefix, as-path, community, large-community or next-hop)" } },
	{ HEAD "policy p { match; accept }\n",
	  { "t.conf:3:17: missing value after 'match' (expected prefix-set, prefix, as-path, community, large-community or next-hop)" } },
	{ HEAD "policy p { set med -1; accept }\n",
	  { "t.conf:3:20: invalid med '-1' (expected 0..4294967295)" } },
	{ HEAD "policy p { set local-pref 4294967296; accept }\n",
	  { "t.conf:3:27: local-pref 4294967296 out of range (0..4294967295)" } },
	{ HEAD "policy p { set next-hop 1.2.3.4; accept }\n",
	  { "t.conf:3:25: set next-hop takes only 'self', got '1.2.3.4'" } },
	{ HEAD "policy p { set weight 5; accept }\n",
	  { "t.conf:3:16: unknown set 'weight' (expected local-pref, med, community, large-community or next-hop)" } },
	{ HEAD "policy p { prepend 0; accept }\n",
	  { "t.conf:3:20: prepend 0 out of range (1..64)" } },
	{ HEAD "policy p { add community; accept }\n",
	  { "t.conf:3:25: missing value after 'community' (expected a community A:B)" } },
	{ HEAD "policy p { add med 1; accept }\n",
	  { "t.conf:3:16: expected community or large-community after 'add', got 'med'" } },
	{ HEAD "policy p { accept; reject }\n",
	  { "t.conf:3:20: duplicate 'reject' (the term already ends in accept at line 3)" } },
	{ HEAD "policy p { mtach community 1:1; accept }\n",
	  { "t.conf:3:12: unknown statement 'mtach' in policy block; did you mean 'match'?" } },
	{ HEAD "policy p { term a { acept } \ndefault accept }\n",
	  { "t.conf:3:21: unknown statement 'acept' in term block; did you mean 'accept'?" } },
	{ HEAD "policy p { default maybe }\n",
	  { "t.conf:3:20: invalid default 'maybe' (expected accept or reject)" } },
	{ HEAD "policy p { default accept; default reject }\n",
	  { "t.conf:3:28: duplicate 'default' (first set at line 3)" } },
	{ HEAD "policy p { term a { accept }\n term a { reject } }\n",
	  { "t.conf:4:2: duplicate term 'a' (first defined at line 3)" } },
	{ HEAD "policy p { accept\n term b { } }\n",
	  { "t.conf:4:2: term block in a policy that already has statements outside any term (line 3); put those in a term too" } },
	{ HEAD "policy p { term b { default accept }\n accept }\n",
	  { "t.conf:3:21: 'default' is not allowed in a term block (it belongs in the policy block)",
	    "t.conf:4:2: statement outside any term in a policy that has term blocks (line 3); put it in a term" } },
	{ HEAD "policy p { term a { reject } }\n",
	  { "t.conf:3:1: policy 'p' accepts no route (no 'accept' and no 'default accept'; write import/export none to reject all)" } },
	{ HEAD "policy p { accept }\npolicy p { accept }\n",
	  { "t.conf:4:1: duplicate policy 'p' (first defined at line 3)" } },
	{ HEAD "policy none { accept }\n",
	  { "t.conf:3:8: 'none' is reserved and cannot name a policy" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; term a { } }\n",
	  { "t.conf:3:34: unknown statement 'term' in neighbor block" } },
	{ HEAD "neighbor 10.0.0.2 { remote-as 1; policy x { } }\n",
	  { "t.conf:3:34: 'policy' is not allowed in neighbor block (it is a top-level statement)" } },
	{ HEAD ACC "neighbor 10.0.0.2 { remote-as 1; import ko }\n",
	  { "t.conf:4:34: unknown policy 'ko' in import; did you mean 'ok'?" } },
	{ HEAD ACC "group g { remote-as 1; export nosuch\n neighbor 10.0.0.2\n neighbor 10.0.0.3 }\n",
	  { "t.conf:4:24: unknown policy 'nosuch' in export" } },
	{ HEAD ACC "neighbor 10.0.0.2 { remote-as 1; import \"ok\" }\n",
	  { "t.conf:4:41: expected all, none or a policy name after 'import', got string \"ok\"" } },
	{ HEAD ACC "neighbor 10.0.0.2 { remote-as 1; import o/k }\n",
	  { "t.conf:4:41: invalid import 'o/k' (expected all, none or a policy name)" } },
};

static void test_bad_table(void **state)
{
	(void)state;
	size_t failed = 0;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct conf *c = NULL;
		struct conf_errors e;
		int r = conf_load_string("t.conf", bc->text, strlen(bc->text), &c, &e);
		size_t want = 0;
		while (want < 4 && bc->errs[want])
			want++;
		bool ok = r == -EINVAL && !c && e.n == want;
		for (size_t j = 0; ok && j < e.n; j++)
			ok = strcmp(e.msgs[j], bc->errs[j]) == 0;
		if (!ok) {
			print_error("case %zu: %s", i, bc->text);
			for (size_t j = 0; j < e.n; j++)
				print_error("  got:  %s\n", e.msgs[j]);
			for (size_t j = 0; j < want; j++)
				print_error("  want: %s\n", bc->errs[j]);
		}
		conf_errors_free(&e);
		conf_free(c);
		failed += !ok;
	}
	assert_int_equal(failed, 0);
}

static const char *const round_trips[] = {
	HEAD "prefix-set a { 10.0.0.0/8; 10.0.0.0/8 le 32; 10.0.0.0/8 ge 9; "
	"10.0.0.0/8 ge 9 le 10; ::/0 ge 128; 0.0.0.0/0 le 0 }\n"
	"prefix-set empty { }\n"
	"policy p { term t1 { match prefix-set a; match prefix 2001:db8::/32 ge 48 le 64\n"
	"match as-path neighbor-as 64512; match as-path origin-as 65000\n"
	"match as-path contains 7; match as-path length <= 3; match as-path length >= 1\n"
	"match community 65000:1; match large-community 1:2:3; match next-hop 192.0.2.1\n"
	"set local-pref 200; set med 10; prepend 2; add community 65000:100\n"
	"remove community 65000:1; set community none; set community 1:1\n"
	"add large-community 1:2:3; remove large-community 4:5:6\n"
	"set large-community none; set large-community 7:8:9; set next-hop self; accept }\n"
	"term t2 { reject }\n"
	"term t3 { set med 1 }\n"
	"default accept }\n"
	"policy q { set med 5; accept }\n"
	"group g { remote-as 64512; import p; export q\n neighbor 10.0.0.2 }\n"
	"neighbor 10.0.0.3 { remote-as 64513; import q; export all }\n",
	HEAD "policy e { default accept }\nneighbor 10.0.0.2 { remote-as 1; export e }\n",
};

static void test_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(round_trips) / sizeof(round_trips[0]); i++) {
		struct conf *a = conf_test_ok(round_trips[i]);
		char *out1, *out2;
		assert_int_equal(conf_print(a, &out1), 0);
		struct conf *b = conf_test_ok(out1);
		assert_true(conf_equal(a, b));
		assert_int_equal(conf_print(b, &out2), 0);
		assert_string_equal(out1, out2);
		/* And conf_equal does see a policy change. */
		b->policies[0].default_accept = !b->policies[0].default_accept;
		assert_false(conf_equal(a, b));
		free(out1);
		free(out2);
		conf_free(a);
		conf_free(b);
	}
}

/* A fenced block is a whole config when its first line that is not a
 * comment starts with router-id. */
static bool block_is_config(const char *body)
{
	while (*body == '#') {
		const char *nl = strchr(body, '\n');
		if (!nl)
			return false;
		body = nl + 1;
	}
	return strncmp(body, "router-id", 9) == 0;
}

/* Loads every whole config in a fenced block of a document under the
 * source root; returns how many, and how many hold policies. */
static unsigned load_doc_configs(const char *rel, unsigned *with_policy)
{
	const char *root = getenv("EGRESS_SOURCE_ROOT");
	assert_non_null(root);
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *doc = NULL;
	size_t cap = 0;
	ssize_t n = getdelim(&doc, &cap, '\0', f);
	fclose(f);
	assert_true(n > 0);
	unsigned loaded = 0;
	*with_policy = 0;
	/* Fences are lines that start with ```; an opening one may carry an
	 * info string ("```sh"), and only bare blocks can hold a config. */
	char *line = doc, *body = NULL;
	bool bare = false;
	while (*line) {
		char *nl = strchr(line, '\n');
		char *next = nl ? nl + 1 : line + strlen(line);
		if (strncmp(line, "```", 3) == 0) {
			if (!body) {
				body = next;
				bare = line[3] == '\n';
			} else {
				if (bare && block_is_config(body)) {
					char saved = *line;
					*line = '\0';
					struct conf *c = conf_test_ok(body);
					*with_policy += c->n_policies > 0;
					conf_free(c);
					*line = saved;
					loaded++;
				}
				body = NULL;
			}
		}
		line = next;
	}
	assert_null(body); /* every block closed */
	free(doc);
	return loaded;
}

/* The reference shows only configs that work. */
static void test_docs_examples(void **state)
{
	(void)state;
	unsigned with_policy;
	assert_true(load_doc_configs("docs/configuration.md", &with_policy) >= 2);
	assert_true(with_policy >= 1);
}

/* So does the README: its example is the first config a reader copies. */
static void test_readme_example(void **state)
{
	(void)state;
	unsigned with_policy;
	assert_true(load_doc_configs("README.md", &with_policy) >= 1);
	assert_true(with_policy >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_match_and_action_kinds),
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_docs_examples),
		cmocka_unit_test(test_readme_example),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
