/* prefix-set and policy blocks: the filter language of DESIGN 6.
 *
 *   prefix-set NAME { PREFIX [ge N] [le N] ... }
 *   policy NAME {
 *       term NAME { match ...; set ...; accept|reject }  ... or the
 *       same statements straight in the policy (one unnamed term)
 *       default accept|reject
 *   }
 *
 * Parsed straight into the model structures (no inheritance to apply);
 * names are resolved by validate_policy.c once the whole file is read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/parser.h"

/* ---- values ---- */

static bool pp_uint(struct parser *p, const char *what, uint32_t lo, uint32_t hi,
		    uint32_t *v)
{
	int r = conf_value_uint(p->tok.text, lo, hi, v);
	if (r == -EINVAL)
		diag_add(p->diag, p->tok.pos, "invalid %s '" TOK_FMT "' (expected %u..%u)",
			 what, TOK_ARGS(&p->tok), lo, hi);
	else if (r < 0)
		diag_add(p->diag, p->tok.pos, "%s " TOK_FMT " out of range (%u..%u)",
			 what, TOK_ARGS(&p->tok), lo, hi);
	return r == 0;
}

/* Next token must be a word; reports "missing/expected EXPECT after
 * 'WHAT'" with p->kw temporarily naming WHAT. */
static bool pp_want(struct parser *p, const struct lex_token *after, const char *expect)
{
	struct lex_token kw = p->kw;
	p->kw = *after;
	bool ok = parser_want_value(p, expect, false);
	p->kw = kw;
	return ok;
}

/* RFC 1997 community "A:B", each half 0..65535. */
static bool pp_community(struct parser *p, uint32_t *out)
{
	uint32_t a, b;
	char *colon = strchr(p->tok.text, ':');
	if (colon) {
		*colon = '\0';
		bool ok = conf_value_uint(p->tok.text, 0, 65535, &a) == 0 &&
			  conf_value_uint(colon + 1, 0, 65535, &b) == 0;
		*colon = ':';
		if (ok) {
			*out = a << 16 | b;
			return true;
		}
	}
	diag_add(p->diag, p->tok.pos,
		 "invalid community '" TOK_FMT "' (expected A:B, each 0..65535)",
		 TOK_ARGS(&p->tok));
	return false;
}

/* RFC 8092 large community "A:B:C", each 0..4294967295. */
static bool pp_large(struct parser *p, uint32_t out[3])
{
	char buf[LEX_TOKEN_MAX + 1];
	memcpy(buf, p->tok.text, p->tok.len + 1);
	char *s = buf;
	for (int i = 0; i < 3; i++) {
		char *end = strchr(s, ':');
		if ((i < 2) != (end != NULL))
			goto bad;
		if (end)
			*end = '\0';
		if (conf_value_uint(s, 0, UINT32_MAX, &out[i]) != 0)
			goto bad;
		s = end ? end + 1 : s;
	}
	return true;
bad:
	diag_add(p->diag, p->tok.pos,
		 "invalid large community '" TOK_FMT "' (expected A:B:C, each 0..4294967295)",
		 TOK_ARGS(&p->tok));
	return false;
}

/* PREFIX [ge N] [le N] from the current token on; leaves the token
 * after it current.  Lengths must satisfy len <= ge <= le <= max. */
static bool pp_range(struct parser *p, struct conf_prefix_range *r)
{
	r->pos = p->tok.pos;
	int e = prefix_parse(p->tok.text, &r->prefix);
	if (e == -ERANGE) {
		char buf[PREFIX_STRLEN];
		prefix_mask(&r->prefix);
		diag_add(p->diag, p->tok.pos, "prefix " TOK_FMT " has host bits set; did you "
			 "mean %s?", TOK_ARGS(&p->tok), prefix_fmt(&r->prefix, buf));
		return false;
	}
	if (e < 0) {
		diag_add(p->diag, p->tok.pos,
			 "invalid prefix '" TOK_FMT "' (expected ADDR/LEN, e.g. 10.0.0.0/8)",
			 TOK_ARGS(&p->tok));
		return false;
	}
	unsigned max = addr_bits(r->prefix.addr.af);
	bool ge_set = false, le_set = false;
	uint32_t ge = r->prefix.len, le = r->prefix.len;
	parser_next(p);
	while (p->tok.type == LEX_WORD &&
	       (strcmp(p->tok.text, "ge") == 0 || strcmp(p->tok.text, "le") == 0)) {
		bool is_ge = p->tok.text[0] == 'g';
		struct lex_token kw = p->tok;
		if ((is_ge && ge_set) || (!is_ge && le_set) || (is_ge && le_set)) {
			diag_add(p->diag, kw.pos, is_ge && le_set && !ge_set
				 ? "'ge' must come before 'le'" : "duplicate '%s'", kw.text);
			return false;
		}
		uint32_t v;
		if (!pp_want(p, &kw, "a prefix length") ||
		    !pp_uint(p, kw.text, 0, max, &v))
			return false;
		if (v < r->prefix.len) {
			/* A shorter route cannot lie inside the prefix. */
			diag_add(p->diag, p->tok.pos, "%s %u is shorter than the prefix "
				 "length /%u", kw.text, v, r->prefix.len);
			return false;
		}
		if (is_ge) {
			ge = v;
			ge_set = true;
		} else {
			le = v;
			le_set = true;
		}
		parser_next(p);
	}
	/* "ge N" alone reaches to the longest prefix (the usual prefix-list
	 * reading); "le N" alone starts at the prefix's own length. */
	if (ge_set && !le_set)
		le = max;
	if (ge > le) {
		diag_add(p->diag, r->pos, "ge %u is greater than le %u", ge, le);
		return false;
	}
	r->ge = (uint8_t)ge;
	r->le = (uint8_t)le;
	return true;
}

/* ---- prefix-set ---- */

static void pset_entry(struct parser *p, struct conf_prefix_set *s)
{
	struct conf_prefix_range r;
	if (p->tok.type != LEX_WORD) {
		char d[80];
		if (p->tok.type != LEX_ERROR)
			diag_add(p->diag, p->tok.pos, "expected a prefix in prefix-set, got %s",
				 lex_describe(&p->tok, d, sizeof(d)));
		parser_skip_stmt(p);
		return;
	}
	if (!pp_range(p, &r)) {
		parser_skip_stmt(p);
		return;
	}
	struct conf_prefix_range *arr = parser_grow(p, s->ranges, s->n, sizeof(*arr));
	if (!arr) {
		parser_skip_stmt(p);
		return;
	}
	s->ranges = arr;
	s->ranges[s->n++] = r;
	parser_end_stmt(p);
}

static void pset_stmt(struct parser *p, void *arg)
{
	const size_t *idx = arg;
	pset_entry(p, &p->pc->prefix_sets[*idx]);
}

/* Reads "KW NAME" and checks the name; NULL after an error (reported). */
static char *pp_name(struct parser *p, const char *what)
{
	if (!parser_want_value(p, "a name", false))
		return NULL;
	if (!parser_name_ok(p->tok.text)) {
		diag_add(p->diag, p->tok.pos,
			 "invalid %s name '" TOK_FMT "' (up to 64 letters, digits, '-', '_' "
			 "or '.', starting with a letter)", what, TOK_ARGS(&p->tok));
		return NULL;
	}
	/* import/export take all|none|NAME, so these cannot be names
	 * (prefix-sets share the rule to keep one set of naming rules). */
	if (strcmp(what, "term") != 0 &&
	    (strcmp(p->tok.text, "all") == 0 || strcmp(p->tok.text, "none") == 0)) {
		diag_add(p->diag, p->tok.pos, "'%s' is reserved and cannot name a %s",
			 p->tok.text, what);
		return NULL;
	}
	return parser_dup_text(p);
}

/* After the name: the '{' must follow. */
static bool pp_open(struct parser *p, const char *what)
{
	parser_next(p);
	if (parser_block_opens(p))
		return true;
	char d[80];
	if (p->tok.type != LEX_ERROR)
		diag_add(p->diag, p->tok.pos, "expected '{' after %s name, got %s", what,
			 lex_describe(&p->tok, d, sizeof(d)));
	parser_skip_stmt(p);
	return false;
}

void parser_stmt_prefix_set(struct parser *p)
{
	struct pconf *pc = p->pc;
	struct conf_pos kwpos = p->kw.pos;
	char *name = pp_name(p, "prefix-set");
	if (!name) {
		parser_skip_stmt(p);
		return;
	}
	struct conf_prefix_set *arr = parser_grow(p, pc->prefix_sets, pc->n_prefix_sets,
						  sizeof(*arr));
	if (!arr) {
		free(name);
		parser_skip_stmt(p);
		return;
	}
	pc->prefix_sets = arr;
	pc->prefix_sets[pc->n_prefix_sets++] = (struct conf_prefix_set){ .pos = kwpos,
									 .name = name };
	struct lex_token kw = p->kw;
	if (!pp_open(p, "prefix-set"))
		return;
	size_t idx = pc->n_prefix_sets - 1;
	parser_block(p, "prefix-set", pset_stmt, &idx);
	p->kw = kw;
	parser_end_stmt(p);
}

/* ---- policy ---- */

struct pp_policy {
	size_t idx;              /* into pc->policies */
	size_t bare;             /* the unnamed term, or SIZE_MAX */
	struct conf_pos bare_pos;
	struct conf_pos named_pos;
	bool named;              /* saw a term block */
	bool default_set;
	unsigned default_line;
	unsigned bare_verdict_line;
};

struct pp_term {
	struct pp_policy *pol;
	size_t idx;              /* into the policy's terms */
	unsigned verdict_line;
};

static const char *const term_words[] = { "match", "set", "add", "remove", "prepend",
					  "accept", "reject" };
static const char *const policy_words[] = { "term", "default", "match", "set", "add",
					    "remove", "prepend", "accept", "reject" };

static struct conf_term *pp_term_get(struct parser *p, struct pp_term *t)
{
	return &p->pc->policies[t->pol->idx].terms[t->idx];
}

static void pp_add_match(struct parser *p, struct pp_term *t, const struct conf_match *m)
{
	struct conf_term *term = pp_term_get(p, t);
	struct conf_match *arr = parser_grow(p, term->match, term->n_match, sizeof(*arr));
	if (!arr) {
		free(m->name);
		return;
	}
	term->match = arr;
	term->match[term->n_match++] = *m;
}

static void pp_add_action(struct parser *p, struct pp_term *t, const struct conf_action *a)
{
	struct conf_term *term = pp_term_get(p, t);
	struct conf_action *arr = parser_grow(p, term->action, term->n_action, sizeof(*arr));
	if (!arr)
		return;
	term->action = arr;
	term->action[term->n_action++] = *a;
}

/* match as-path neighbor-as|origin-as|contains N | length <=|>= N */
static bool pp_match_aspath(struct parser *p, struct conf_match *m)
{
	struct lex_token what = p->tok;
	if (!pp_want(p, &what, "neighbor-as, origin-as, contains or length"))
		return false;
	const char *w = p->tok.text;
	struct lex_token sub = p->tok;
	if (strcmp(w, "length") == 0) {
		if (!pp_want(p, &sub, "<= or >="))
			return false;
		if (strcmp(p->tok.text, "<=") == 0) {
			m->kind = CONF_MATCH_AS_LENGTH_LE;
		} else if (strcmp(p->tok.text, ">=") == 0) {
			m->kind = CONF_MATCH_AS_LENGTH_GE;
		} else {
			diag_add(p->diag, p->tok.pos, "expected <= or >= after 'length', got '"
				 TOK_FMT "'", TOK_ARGS(&p->tok));
			return false;
		}
		struct lex_token op = p->tok;
		/* An AS path holds at most 65535 bytes: far fewer ASNs. */
		return pp_want(p, &op, "a number") &&
		       pp_uint(p, "as-path length", 0, 65535, &m->u32);
	}
	if (strcmp(w, "neighbor-as") == 0)
		m->kind = CONF_MATCH_NEIGHBOR_AS;
	else if (strcmp(w, "origin-as") == 0)
		m->kind = CONF_MATCH_ORIGIN_AS;
	else if (strcmp(w, "contains") == 0)
		m->kind = CONF_MATCH_AS_CONTAINS;
	else {
		diag_add(p->diag, p->tok.pos, "unknown as-path match '" TOK_FMT "' (expected "
			 "neighbor-as, origin-as, contains or length)", TOK_ARGS(&p->tok));
		return false;
	}
	if (!pp_want(p, &sub, "an AS number"))
		return false;
	int r = conf_value_asn(p->tok.text, &m->u32);
	if (r < 0) {
		diag_add(p->diag, p->tok.pos, "invalid AS number '" TOK_FMT "' after '%s' "
			 "(expected 1..4294967295 or asdot X.Y)", TOK_ARGS(&p->tok), sub.text);
		return false;
	}
	return true;
}

static void pp_stmt_match(struct parser *p, struct pp_term *t)
{
	struct conf_match m = { .pos = p->tok.pos };
	struct lex_token kw = p->tok;
	if (!pp_want(p, &kw, "prefix-set, prefix, as-path, community, large-community "
		     "or next-hop"))
		goto skip;
	struct lex_token what = p->tok;
	const char *w = what.text;
	if (strcmp(w, "prefix-set") == 0) {
		m.kind = CONF_MATCH_PREFIX_SET;
		if (!pp_want(p, &what, "a prefix-set name"))
			goto skip;
		m.name = parser_dup_text(p);
		parser_next(p);
	} else if (strcmp(w, "prefix") == 0) {
		m.kind = CONF_MATCH_PREFIX;
		if (!pp_want(p, &what, "a prefix") || !pp_range(p, &m.range))
			goto skip;
	} else if (strcmp(w, "as-path") == 0) {
		if (!pp_match_aspath(p, &m))
			goto skip;
		parser_next(p);
	} else if (strcmp(w, "community") == 0) {
		m.kind = CONF_MATCH_COMMUNITY;
		if (!pp_want(p, &what, "a community A:B") || !pp_community(p, &m.u32))
			goto skip;
		parser_next(p);
	} else if (strcmp(w, "large-community") == 0) {
		m.kind = CONF_MATCH_LARGE_COMMUNITY;
		if (!pp_want(p, &what, "a large community A:B:C") || !pp_large(p, m.lc))
			goto skip;
		parser_next(p);
	} else if (strcmp(w, "next-hop") == 0) {
		m.kind = CONF_MATCH_NEXT_HOP;
		if (!pp_want(p, &what, "an address") ||
		    !parser_value_addr(p, "next-hop", &m.addr))
			goto skip;
		parser_next(p);
	} else {
		diag_add(p->diag, what.pos, "unknown match '" TOK_FMT "' (expected prefix-set, "
			 "prefix, as-path, community, large-community or next-hop)",
			 TOK_ARGS(&what));
		goto skip;
	}
	pp_add_match(p, t, &m);
	parser_end_stmt(p);
	return;
skip:
	free(m.name);
	parser_skip_stmt(p);
}

/* set local-pref|med N | set community|large-community VALUE|none |
 * set next-hop self */
static bool pp_set(struct parser *p, struct conf_action *a)
{
	struct lex_token kw = p->tok;
	if (!pp_want(p, &kw, "local-pref, med, community, large-community or next-hop"))
		return false;
	struct lex_token what = p->tok;
	const char *w = what.text;
	if (strcmp(w, "local-pref") == 0 || strcmp(w, "med") == 0) {
		a->kind = w[0] == 'l' ? CONF_ACT_SET_LOCAL_PREF : CONF_ACT_SET_MED;
		return pp_want(p, &what, "0..4294967295") &&
		       pp_uint(p, w, 0, UINT32_MAX, &a->u32);
	}
	if (strcmp(w, "next-hop") == 0) {
		a->kind = CONF_ACT_NEXT_HOP_SELF;
		if (!pp_want(p, &what, "self"))
			return false;
		if (strcmp(p->tok.text, "self") != 0) {
			diag_add(p->diag, p->tok.pos, "set next-hop takes only 'self', got '"
				 TOK_FMT "'", TOK_ARGS(&p->tok));
			return false;
		}
		return true;
	}
	bool large = strcmp(w, "large-community") == 0;
	if (!large && strcmp(w, "community") != 0) {
		diag_add(p->diag, what.pos, "unknown set '" TOK_FMT "' (expected local-pref, "
			 "med, community, large-community or next-hop)", TOK_ARGS(&what));
		return false;
	}
	a->kind = large ? CONF_ACT_SET_LARGE : CONF_ACT_SET_COMMUNITY;
	if (!pp_want(p, &what, large ? "A:B:C or none" : "A:B or none"))
		return false;
	if (strcmp(p->tok.text, "none") == 0) {
		a->none = true;
		return true;
	}
	return large ? pp_large(p, a->lc) : pp_community(p, &a->u32);
}

/* add|remove community A:B | large-community A:B:C */
static bool pp_add_remove(struct parser *p, struct conf_action *a, bool add)
{
	struct lex_token kw = p->tok;
	if (!pp_want(p, &kw, "community or large-community"))
		return false;
	struct lex_token what = p->tok;
	if (strcmp(what.text, "community") == 0) {
		a->kind = add ? CONF_ACT_ADD_COMMUNITY : CONF_ACT_REMOVE_COMMUNITY;
		return pp_want(p, &what, "a community A:B") && pp_community(p, &a->u32);
	}
	if (strcmp(what.text, "large-community") == 0) {
		a->kind = add ? CONF_ACT_ADD_LARGE : CONF_ACT_REMOVE_LARGE;
		return pp_want(p, &what, "a large community A:B:C") && pp_large(p, a->lc);
	}
	diag_add(p->diag, what.pos, "expected community or large-community after '%s', "
		 "got '" TOK_FMT "'", kw.text, TOK_ARGS(&what));
	return false;
}

static void pp_stmt_action(struct parser *p, struct pp_term *t)
{
	struct conf_action a = { .pos = p->tok.pos };
	const char *w = p->tok.text;
	bool ok;
	if (strcmp(w, "set") == 0) {
		ok = pp_set(p, &a);
	} else if (strcmp(w, "add") == 0 || strcmp(w, "remove") == 0) {
		ok = pp_add_remove(p, &a, w[0] == 'a');
	} else {
		/* prepend N: a path grows by N, and 64 is far past any use
		 * (AS-path prepending beyond ~10 is pointless, RFC 8195 3). */
		struct lex_token kw = p->tok;
		a.kind = CONF_ACT_PREPEND;
		ok = pp_want(p, &kw, "1..64") && pp_uint(p, "prepend", 1, 64, &a.u32);
	}
	if (!ok) {
		parser_skip_stmt(p);
		return;
	}
	pp_add_action(p, t, &a);
	parser_next(p);
	parser_end_stmt(p);
}

static void pp_stmt_verdict(struct parser *p, struct pp_term *t)
{
	struct conf_term *term = pp_term_get(p, t);
	enum conf_verdict v = p->tok.text[0] == 'a' ? CONF_VERDICT_ACCEPT
						    : CONF_VERDICT_REJECT;
	if (term->verdict != CONF_VERDICT_NEXT) {
		diag_add(p->diag, p->tok.pos, "duplicate '%s' (the term already ends in %s "
			 "at line %u)", p->tok.text,
			 term->verdict == CONF_VERDICT_ACCEPT ? "accept" : "reject",
			 t->verdict_line);
		parser_skip_stmt(p);
		return;
	}
	term->verdict = v;
	t->verdict_line = p->tok.pos.line;
	parser_next(p);
	parser_end_stmt(p);
}

/* A statement of a term (inside "term NAME { }" or straight in the policy). */
static bool pp_term_stmt(struct parser *p, struct pp_term *t)
{
	const char *w = p->tok.text;
	p->kw = p->tok;
	if (strcmp(w, "match") == 0)
		pp_stmt_match(p, t);
	else if (strcmp(w, "set") == 0 || strcmp(w, "add") == 0 ||
		 strcmp(w, "remove") == 0 || strcmp(w, "prepend") == 0)
		pp_stmt_action(p, t);
	else if (strcmp(w, "accept") == 0 || strcmp(w, "reject") == 0)
		pp_stmt_verdict(p, t);
	else
		return false;
	return true;
}

static void pp_unknown(struct parser *p, const char *where, const char *const *cands,
		       size_t n)
{
	char d[80];
	if (p->tok.type != LEX_WORD) {
		if (p->tok.type != LEX_ERROR)
			diag_add(p->diag, p->tok.pos, "expected a statement in %s block, got %s",
				 where, lex_describe(&p->tok, d, sizeof(d)));
		parser_skip_stmt(p);
		return;
	}
	const char *s = conf_suggest(p->tok.text, cands, n);
	if (s)
		diag_add(p->diag, p->tok.pos, "unknown statement '" TOK_FMT "' in %s block; "
			 "did you mean '%s'?", TOK_ARGS(&p->tok), where, s);
	else
		diag_add(p->diag, p->tok.pos, "unknown statement '" TOK_FMT "' in %s block",
			 TOK_ARGS(&p->tok), where);
	parser_skip_stmt(p);
}

static void term_stmt(struct parser *p, void *arg)
{
	if (p->tok.type != LEX_WORD || !pp_term_stmt(p, arg)) {
		if (p->tok.type == LEX_WORD && (strcmp(p->tok.text, "term") == 0 ||
						strcmp(p->tok.text, "default") == 0)) {
			diag_add(p->diag, p->tok.pos, "'%s' is not allowed in a term block "
				 "(it belongs in the policy block)", p->tok.text);
			parser_skip_stmt(p);
			return;
		}
		pp_unknown(p, "term", term_words, sizeof(term_words) / sizeof(term_words[0]));
	}
}

/* Appends a term to the policy; SIZE_MAX on allocation failure. */
static size_t pp_new_term(struct parser *p, struct pp_policy *pol, struct conf_pos pos,
			  char *name)
{
	struct conf_policy *cp = &p->pc->policies[pol->idx];
	struct conf_term *arr = parser_grow(p, cp->terms, cp->n_terms, sizeof(*arr));
	if (!arr) {
		free(name);
		return SIZE_MAX;
	}
	cp->terms = arr;
	cp->terms[cp->n_terms] = (struct conf_term){ .pos = pos, .name = name };
	return cp->n_terms++;
}

/* The policy holds either term blocks or bare statements: mixing them
 * would leave the order of evaluation to guesswork. */
static void pp_mixed(struct parser *p, struct pp_policy *pol, bool now_named)
{
	if (now_named)
		diag_add(p->diag, p->tok.pos, "term block in a policy that already has "
			 "statements outside any term (line %u); put those in a term too",
			 pol->bare_pos.line);
	else
		diag_add(p->diag, p->tok.pos, "statement outside any term in a policy that "
			 "has term blocks (line %u); put it in a term", pol->named_pos.line);
}

static void pp_stmt_term(struct parser *p, struct pp_policy *pol)
{
	struct conf_pos kwpos = p->tok.pos;
	if (pol->bare != SIZE_MAX) {
		pp_mixed(p, pol, true);
		parser_skip_stmt(p);
		return;
	}
	char *name = pp_name(p, "term");
	if (!name) {
		parser_skip_stmt(p);
		return;
	}
	if (!pol->named)
		pol->named_pos = kwpos;
	pol->named = true;
	size_t idx = pp_new_term(p, pol, kwpos, name);
	if (idx == SIZE_MAX) {
		parser_skip_stmt(p);
		return;
	}
	struct lex_token kw = p->kw;
	if (!pp_open(p, "term"))
		return;
	struct pp_term t = { .pol = pol, .idx = idx };
	parser_block(p, "term", term_stmt, &t);
	p->kw = kw;
	parser_end_stmt(p);
}

static void pp_stmt_default(struct parser *p, struct pp_policy *pol)
{
	struct lex_token kw = p->tok;
	p->kw = kw;
	if (pol->default_set) {
		diag_add(p->diag, kw.pos, "duplicate 'default' (first set at line %u)",
			 pol->default_line);
		parser_skip_stmt(p);
		return;
	}
	if (!pp_want(p, &kw, "accept or reject")) {
		parser_skip_stmt(p);
		return;
	}
	bool acc = strcmp(p->tok.text, "accept") == 0;
	if (!acc && strcmp(p->tok.text, "reject") != 0) {
		diag_add(p->diag, p->tok.pos, "invalid default '" TOK_FMT "' (expected accept "
			 "or reject)", TOK_ARGS(&p->tok));
		parser_skip_stmt(p);
		return;
	}
	p->pc->policies[pol->idx].default_accept = acc;
	pol->default_set = true;
	pol->default_line = kw.pos.line;
	parser_next(p);
	parser_end_stmt(p);
}

static void policy_stmt(struct parser *p, void *arg)
{
	struct pp_policy *pol = arg;
	if (p->tok.type == LEX_WORD && strcmp(p->tok.text, "term") == 0) {
		p->kw = p->tok;
		pp_stmt_term(p, pol);
		return;
	}
	if (p->tok.type == LEX_WORD && strcmp(p->tok.text, "default") == 0) {
		pp_stmt_default(p, pol);
		return;
	}
	bool is_term_stmt = false;
	for (size_t i = 0; p->tok.type == LEX_WORD &&
			   i < sizeof(term_words) / sizeof(term_words[0]); i++)
		is_term_stmt |= strcmp(p->tok.text, term_words[i]) == 0;
	if (!is_term_stmt) {
		pp_unknown(p, "policy", policy_words,
			   sizeof(policy_words) / sizeof(policy_words[0]));
		return;
	}
	if (pol->named) {
		pp_mixed(p, pol, false);
		parser_skip_stmt(p);
		return;
	}
	if (pol->bare == SIZE_MAX) {
		pol->bare_pos = p->tok.pos;
		pol->bare = pp_new_term(p, pol, p->tok.pos, NULL);
		if (pol->bare == SIZE_MAX) {
			parser_skip_stmt(p);
			return;
		}
	}
	struct pp_term t = { .pol = pol, .idx = pol->bare,
			     .verdict_line = pol->bare_verdict_line };
	pp_term_stmt(p, &t);
	pol->bare_verdict_line = t.verdict_line;
}

void parser_stmt_policy(struct parser *p)
{
	struct pconf *pc = p->pc;
	struct conf_pos kwpos = p->kw.pos;
	char *name = pp_name(p, "policy");
	if (!name) {
		parser_skip_stmt(p);
		return;
	}
	struct conf_policy *arr = parser_grow(p, pc->policies, pc->n_policies, sizeof(*arr));
	if (!arr) {
		free(name);
		parser_skip_stmt(p);
		return;
	}
	pc->policies = arr;
	pc->policies[pc->n_policies++] = (struct conf_policy){ .pos = kwpos, .name = name };
	struct lex_token kw = p->kw;
	if (!pp_open(p, "policy")) {
		/* Its body went unread: don't also call it unable to accept. */
		pc->policies[pc->n_policies - 1].default_accept = true;
		return;
	}
	struct pp_policy pol = { .idx = pc->n_policies - 1, .bare = SIZE_MAX };
	size_t errs = p->diag->n;
	parser_block(p, "policy", policy_stmt, &pol);
	/* A statement skipped for an error may have been its accept: don't
	 * follow up with "accepts no route" (the file is rejected anyway). */
	if (p->diag->n != errs)
		pc->policies[pol.idx].default_accept = true;
	p->kw = kw;
	parser_end_stmt(p);
}
