/* Policy evaluation: every match kind, every action, term order, the
 * default, and copy-on-write of the attributes.  Policies are written as
 * config text and compiled with policy_set_build, the daemon's path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/proto.h"
#include "conf/conf.h"
#include "policy/policy.h"

#define HEAD "router-id 10.0.0.1\nlocal-as 64521\n"

struct fx {
	struct conf *c;
	struct policy_set *ps;
};

static void fx_load(struct fx *f, const char *body)
{
	char text[4096];
	snprintf(text, sizeof(text), HEAD "%s", body);
	struct conf_errors e;
	int r = conf_load_string("t.conf", text, strlen(text), &f->c, &e);
	for (size_t i = 0; i < e.n; i++)
		print_error("%s\n", e.msgs[i]);
	assert_int_equal(r, 0);
	conf_errors_free(&e);
	assert_int_equal(policy_set_build(f->c, &f->ps), 0);
}

static void fx_free(struct fx *f)
{
	policy_set_free(f->ps);
	conf_free(f->c);
}

/* AS path "A B C" as one AS_SEQUENCE (a trailing "{X}" becomes an AS_SET). */
static struct bgp_attrs *route(const char *path)
{
	struct bgp_attrs *a = bgp_attrs_new();
	assert_non_null(a);
	uint8_t segs[512];
	size_t len = 0;
	uint32_t seq[64], set[8];
	size_t nseq = 0, nset = 0;
	const char *p = path;
	while (*p) {
		char *end;
		if (*p == ' ' || *p == '}') {
			p++;
			continue;
		}
		bool in_set = *p == '{';
		if (in_set)
			p++;
		uint32_t v = (uint32_t)strtoul(p, &end, 10);
		if (in_set || nset)
			set[nset++] = v;
		else
			seq[nseq++] = v;
		p = end;
	}
	if (nseq) {
		segs[len++] = BGP_AS_SEQUENCE;
		segs[len++] = (uint8_t)nseq;
		for (size_t i = 0; i < nseq; i++, len += 4) {
			segs[len] = (uint8_t)(seq[i] >> 24);
			segs[len + 1] = (uint8_t)(seq[i] >> 16);
			segs[len + 2] = (uint8_t)(seq[i] >> 8);
			segs[len + 3] = (uint8_t)seq[i];
		}
	}
	if (nset) {
		segs[len++] = BGP_AS_SET;
		segs[len++] = (uint8_t)nset;
		for (size_t i = 0; i < nset; i++, len += 4) {
			segs[len] = (uint8_t)(set[i] >> 24);
			segs[len + 1] = (uint8_t)(set[i] >> 16);
			segs[len + 2] = (uint8_t)(set[i] >> 8);
			segs[len + 3] = (uint8_t)set[i];
		}
	}
	assert_int_equal(bgp_attrs_set_aspath(a, segs, len), 0);
	struct addr nh;
	assert_int_equal(addr_parse("192.0.2.1", &nh), 0);
	a->nexthop = nh.v4;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP) | BGP_ATTR_BIT(BGP_ATTR_ORIGIN);
	return a;
}

struct ctx_buf {
	struct prefix pfx;
	struct policy_route_ctx ctx;
};

static const struct policy_route_ctx *ctx_for(struct ctx_buf *b, const char *prefix)
{
	assert_int_equal(prefix_parse(prefix, &b->pfx), 0);
	b->ctx = (struct policy_route_ctx){ .prefix = &b->pfx, .peer_as = 64512,
					    .local_as = 64521, .ebgp = true };
	assert_int_equal(addr_parse(b->pfx.addr.af == AF_INET ? "169.254.247.2"
				    : "2001:db8::2", &b->ctx.self), 0);
	return &b->ctx;
}

/* Runs policy name on a route; returns the verdict, *a is the result. */
static enum policy_result run(struct fx *f, const char *name, const char *prefix,
			      struct bgp_attrs **a)
{
	const struct policy *p = policy_set_find(f->ps, name);
	assert_non_null(p);
	assert_string_equal(policy_name(p), name);
	struct ctx_buf b;
	enum policy_result r = POLICY_ACCEPT;
	assert_int_equal(policy_eval(p, ctx_for(&b, prefix), a, &r), 0);
	return r;
}

/* Verdict for a fresh route with this path; the route is freed. */
static enum policy_result verdict(struct fx *f, const char *name, const char *prefix,
				  const char *path)
{
	struct bgp_attrs *a = route(path);
	enum policy_result r = run(f, name, prefix, &a);
	bgp_attrs_unref(a);
	return r;
}

static void test_match_prefix(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "prefix-set vpc { 10.180.0.0/16 le 24; 2001:db8::/32 ge 48 le 64 }\n"
		    "policy s { match prefix-set vpc; accept }\n"
		    "policy p { match prefix 10.180.0.0/16 le 24; accept }\n");
	assert_int_equal(verdict(&f, "s", "10.180.3.0/24", "64512"), POLICY_ACCEPT);
	assert_int_equal(verdict(&f, "s", "10.180.3.0/25", "64512"), POLICY_REJECT);
	assert_int_equal(verdict(&f, "s", "2001:db8:5::/48", "64512"), POLICY_ACCEPT);
	assert_int_equal(verdict(&f, "s", "2001:db8::/32", "64512"), POLICY_REJECT);
	assert_int_equal(verdict(&f, "p", "10.180.0.0/16", "64512"), POLICY_ACCEPT);
	assert_int_equal(verdict(&f, "p", "10.181.0.0/16", "64512"), POLICY_REJECT);
	assert_null(policy_set_find(f.ps, "nosuch"));
	fx_free(&f);
}

static void test_match_aspath(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "policy n { match as-path neighbor-as 64512; accept }\n"
		    "policy o { match as-path origin-as 65001; accept }\n"
		    "policy c { match as-path contains 3356; accept }\n"
		    "policy le { match as-path length <= 2; accept }\n"
		    "policy ge { match as-path length >= 3; accept }\n");
	const char *q = "0.0.0.0/0";
	assert_int_equal(verdict(&f, "n", q, "64512 3356 65001"), POLICY_ACCEPT);
	assert_int_equal(verdict(&f, "n", q, "3356 64512"), POLICY_REJECT);
	assert_int_equal(verdict(&f, "n", q, ""), POLICY_REJECT);
	assert_int_equal(verdict(&f, "o", q, "64512 3356 65001"), POLICY_ACCEPT);
	assert_int_equal(verdict(&f, "o", q, "65001 3356"), POLICY_REJECT);
	/* An AS_SET at the end leaves the origin unknown (RFC 6811 2). */
	assert_int_equal(verdict(&f, "o", q, "64512 {65001}"), POLICY_REJECT);
	assert_int_equal(verdict(&f, "c", q, "64512 3356 65001"), POLICY_ACCEPT);
	assert_int_equal(verdict(&f, "c", q, "64512 {3356 7}"), POLICY_ACCEPT);
	assert_int_equal(verdict(&f, "c", q, "64512 65001"), POLICY_REJECT);
	/* RFC 4271 9.1.2.2: an AS_SET counts as one. */
	assert_int_equal(verdict(&f, "le", q, "64512 {1 2 3}"), POLICY_ACCEPT);
	assert_int_equal(verdict(&f, "le", q, "64512 1 2"), POLICY_REJECT);
	assert_int_equal(verdict(&f, "le", q, ""), POLICY_ACCEPT);
	assert_int_equal(verdict(&f, "ge", q, "64512 1 2"), POLICY_ACCEPT);
	assert_int_equal(verdict(&f, "ge", q, "64512 {1 2 3}"), POLICY_REJECT);
	fx_free(&f);
}

static void test_match_communities_nexthop(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "policy c { match community 65000:1; accept }\n"
		    "policy l { match large-community 4200000000:1:2; accept }\n"
		    "policy h { match next-hop 192.0.2.1; accept }\n"
		    "policy h6 { match next-hop 2001:db8::9; accept }\n"
		    "policy both { match community 65000:1; match next-hop 192.0.2.1; accept }\n");
	struct bgp_attrs *a = route("64512");
	uint32_t cs[] = { 65000u << 16 | 2, 65000u << 16 | 1 };
	assert_int_equal(bgp_attrs_set_communities(a, cs, 2), 0);
	struct bgp_large_community lc = { 4200000000u, 1, 2 };
	assert_int_equal(bgp_attrs_set_large_communities(a, &lc, 1), 0);
	assert_int_equal(run(&f, "c", "0.0.0.0/0", &a), POLICY_ACCEPT);
	assert_int_equal(run(&f, "l", "0.0.0.0/0", &a), POLICY_ACCEPT);
	assert_int_equal(run(&f, "h", "0.0.0.0/0", &a), POLICY_ACCEPT);
	assert_int_equal(run(&f, "both", "0.0.0.0/0", &a), POLICY_ACCEPT);
	assert_int_equal(run(&f, "h6", "0.0.0.0/0", &a), POLICY_REJECT);
	/* IPv6 routes carry their next hop in MP_REACH (RFC 4760). */
	struct addr nh6;
	assert_int_equal(addr_parse("2001:db8::9", &nh6), 0);
	assert_int_equal(bgp_attrs_set_mp_nexthop(a, &nh6, NULL), 0);
	assert_int_equal(run(&f, "h6", "::/0", &a), POLICY_ACCEPT);
	assert_int_equal(run(&f, "h", "::/0", &a), POLICY_REJECT);
	bgp_attrs_unref(a);
	a = route("64512");
	assert_int_equal(run(&f, "c", "0.0.0.0/0", &a), POLICY_REJECT);
	assert_int_equal(run(&f, "l", "0.0.0.0/0", &a), POLICY_REJECT);
	assert_int_equal(run(&f, "both", "0.0.0.0/0", &a), POLICY_REJECT);
	a->nexthop.s_addr = htonl(0xc0000202);
	assert_int_equal(run(&f, "h", "0.0.0.0/0", &a), POLICY_REJECT);
	bgp_attrs_unref(a);
	fx_free(&f);
}

static void test_actions(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "policy x {\n"
		    "  set local-pref 200; set med 10; prepend 2\n"
		    "  add community 65000:100; add community 65000:100\n"
		    "  remove community 65000:1\n"
		    "  add large-community 64521:1:1; remove large-community 1:2:3\n"
		    "  set next-hop self\n"
		    "  accept\n"
		    "}\n"
		    "policy clear { set community none; set large-community none; accept }\n"
		    "policy one { set community 1:2; set large-community 7:8:9; accept }\n"
		    "policy long { prepend 64; prepend 64; prepend 64; prepend 64; "
		    "prepend 64; accept }\n");
	struct bgp_attrs *a = route("64512 65001");
	uint32_t cs[] = { 65000u << 16 | 1, 65000u << 16 | 7 };
	assert_int_equal(bgp_attrs_set_communities(a, cs, 2), 0);
	struct bgp_large_community lc[] = { { 1, 2, 3 }, { 4, 5, 6 } };
	assert_int_equal(bgp_attrs_set_large_communities(a, lc, 2), 0);
	assert_int_equal(run(&f, "x", "10.180.0.0/16", &a), POLICY_ACCEPT);
	assert_true(bgp_attrs_has(a, BGP_ATTR_LOCAL_PREF));
	assert_int_equal(a->local_pref, 200);
	assert_true(bgp_attrs_has(a, BGP_ATTR_MED));
	assert_int_equal(a->med, 10);
	char path[128];
	bgp_aspath_format(bgp_attrs_aspath(a), a->aspath_len, path, sizeof(path));
	assert_string_equal(path, "64521 64521 64512 65001");
	assert_int_equal(a->n_communities, 2);
	assert_int_equal(bgp_attrs_communities(a)[0], 65000u << 16 | 7);
	assert_int_equal(bgp_attrs_communities(a)[1], 65000u << 16 | 100);
	assert_int_equal(a->n_large_communities, 2);
	assert_int_equal(bgp_attrs_large_communities(a)[0].global, 4);
	assert_int_equal(bgp_attrs_large_communities(a)[1].global, 64521);
	char nh[ADDR_STRLEN];
	struct addr n4 = { .af = AF_INET, .v4 = a->nexthop };
	assert_string_equal(addr_fmt(&n4, nh), "169.254.247.2");

	assert_int_equal(run(&f, "clear", "10.180.0.0/16", &a), POLICY_ACCEPT);
	assert_int_equal(a->n_communities, 0);
	assert_false(bgp_attrs_has(a, BGP_ATTR_COMMUNITIES));
	assert_int_equal(a->n_large_communities, 0);
	assert_false(bgp_attrs_has(a, BGP_ATTR_LARGE_COMMUNITIES));
	assert_int_equal(run(&f, "one", "10.180.0.0/16", &a), POLICY_ACCEPT);
	assert_int_equal(a->n_communities, 1);
	assert_int_equal(bgp_attrs_communities(a)[0], 1u << 16 | 2);
	assert_int_equal(a->n_large_communities, 1);
	assert_int_equal(bgp_attrs_large_communities(a)[0].local2, 9);

	/* 4 + 5 x 64 ASNs, prepended 64 at a time: the fourth prepend fills
	 * the first segment to 255 and spills 5 into a second; the fifth
	 * fills it again and spills 64 (RFC 4271 4.3: one-octet counts). */
	assert_int_equal(run(&f, "long", "10.180.0.0/16", &a), POLICY_ACCEPT);
	assert_int_equal(bgp_aspath_length(bgp_attrs_aspath(a), a->aspath_len), 4 + 320);
	assert_int_equal(bgp_attrs_aspath(a)[0], BGP_AS_SEQUENCE);
	assert_int_equal(bgp_attrs_aspath(a)[1], 255);
	assert_int_equal(bgp_attrs_aspath(a)[2 + 255 * 4], BGP_AS_SEQUENCE);
	assert_int_equal(bgp_attrs_aspath(a)[2 + 255 * 4 + 1], 64);
	assert_int_equal(bgp_attrs_aspath(a)[4 + 319 * 4 + 1], 5);
	bgp_attrs_unref(a);

	/* next-hop self for IPv6: the global address, no link-local. */
	a = route("64512");
	struct addr g6, ll6;
	assert_int_equal(addr_parse("fe80::1", &ll6), 0);
	assert_int_equal(addr_parse("2001:db8::99", &g6), 0);
	assert_int_equal(bgp_attrs_set_mp_nexthop(a, &g6, &ll6), 0);
	assert_int_equal(run(&f, "x", "2001:db8:1::/48", &a), POLICY_ACCEPT);
	assert_string_equal(addr_fmt(bgp_attrs_mp_nexthop(a), nh), "2001:db8::2");
	assert_int_equal(bgp_attrs_mp_nexthop_ll(a)->af, 0);
	bgp_attrs_unref(a);
	fx_free(&f);
}

static void test_terms(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "policy t {\n"
		    "  term tag { add community 65000:9 }\n"   /* no verdict: go on */
		    "  term bogon { match prefix 10.0.0.0/8 le 32; reject }\n"
		    "  term any { match prefix 0.0.0.0/0 le 32; set med 5; accept }\n"
		    "  term never { set med 99; accept }\n"
		    "}\n"
		    "policy d { match community 1:1; accept; }\n"
		    "policy da { term a { match community 1:1; reject }\n default accept }\n"
		    "policy empty { default accept }\n"
		    "policy tagged { term t { add community 1:1 }\n default accept }\n");
	struct bgp_attrs *a = route("64512");
	/* First matching term with a verdict wins: bogon before any. */
	assert_int_equal(run(&f, "t", "10.1.0.0/16", &a), POLICY_REJECT);
	assert_int_equal(a->n_communities, 1);   /* the tag term ran first */
	assert_false(bgp_attrs_has(a, BGP_ATTR_MED));
	bgp_attrs_unref(a);
	a = route("64512");
	assert_int_equal(run(&f, "t", "192.0.2.0/24", &a), POLICY_ACCEPT);
	assert_int_equal(a->med, 5);
	assert_int_equal(a->n_communities, 1);
	bgp_attrs_unref(a);
	/* No term decides: the default, reject unless "default accept". */
	assert_int_equal(verdict(&f, "d", "192.0.2.0/24", "1"), POLICY_REJECT);
	assert_int_equal(verdict(&f, "da", "192.0.2.0/24", "1"), POLICY_ACCEPT);
	assert_int_equal(verdict(&f, "empty", "192.0.2.0/24", "1"), POLICY_ACCEPT);
	a = route("1");
	assert_int_equal(run(&f, "tagged", "192.0.2.0/24", &a), POLICY_ACCEPT);
	assert_int_equal(a->n_communities, 1);   /* actions, then the default */
	bgp_attrs_unref(a);
	a = route("1");
	uint32_t c = 1u << 16 | 1;
	assert_int_equal(bgp_attrs_set_communities(a, &c, 1), 0);
	assert_int_equal(run(&f, "da", "192.0.2.0/24", &a), POLICY_REJECT);
	bgp_attrs_unref(a);
	fx_free(&f);
}

static void test_copy_on_write(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "policy w { set med 7; prepend 1; add community 1:1; accept }\n"
		    "policy r { match as-path neighbor-as 64512; accept }\n");
	struct bgp_attrs *orig = route("64512");
	struct bgp_attrs *snap = bgp_attrs_dup(orig);
	assert_non_null(snap);
	/* The caller keeps orig: it hands policy_eval a reference of its own. */
	struct bgp_attrs *a = bgp_attrs_ref(orig);
	assert_int_equal(orig->refcnt, 2);
	assert_int_equal(run(&f, "w", "0.0.0.0/0", &a), POLICY_ACCEPT);
	assert_ptr_not_equal(a, orig);
	assert_int_equal(orig->refcnt, 1);        /* eval dropped the one it got */
	assert_true(bgp_attrs_equal(orig, snap)); /* and never wrote to it */
	assert_false(bgp_attrs_equal(a, snap));
	assert_int_equal(a->med, 7);
	bgp_attrs_unref(a);
	/* Matching alone copies nothing. */
	a = bgp_attrs_ref(orig);
	assert_int_equal(run(&f, "r", "0.0.0.0/0", &a), POLICY_ACCEPT);
	assert_ptr_equal(a, orig);
	bgp_attrs_unref(a);
	bgp_attrs_unref(orig);
	bgp_attrs_unref(snap);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_prefix),
		cmocka_unit_test(test_match_aspath),
		cmocka_unit_test(test_match_communities_nexthop),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_terms),
		cmocka_unit_test(test_copy_on_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
