/* Originated prefixes and the conditions that gate them:
 *
 *   originate PREFIX [policy NAME] [when CONDITION]
 *   condition NAME [up|down]
 *
 * "policy NAME" runs a policy over the route we originate (set MED,
 * communities, prepend, ...) before it competes in the Loc-RIB.  "when
 * NAME" announces the prefix only while that condition is up: a
 * `condition` (set by hand with egressctl; its initial state written
 * here, down by default) or, later, an uplink probe of that name.  The
 * model only records them; src/daemon/condition.c and originate.c run
 * them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/parser.h"

/* "WORD NAME" after the prefix: the name into *out (reported on error). */
static bool orig_name(struct parser *p, const char *word, const char *what, char **out,
		      struct conf_pos *pos)
{
	struct conf_pos wpos = p->tok.pos;
	struct lex_token kw = p->kw;
	p->kw = p->tok;
	bool ok = parser_want_value(p, what, false);
	p->kw = kw;
	if (!ok)
		return false;
	if (*out) {
		diag_add(p->diag, wpos, "duplicate '%s' in originate", word);
		return false;
	}
	if (!parser_name_ok(p->tok.text)) {
		diag_add(p->diag, p->tok.pos,
			 "invalid %s '" TOK_FMT "' (up to 64 letters, digits, '-', '_' or '.', "
			 "starting with a letter)", what, TOK_ARGS(&p->tok));
		return false;
	}
	*pos = p->tok.pos;
	*out = parser_dup_text(p);
	return *out != NULL;
}

void parser_stmt_originate(struct parser *p)
{
	struct pconf *pc = p->pc;
	struct conf_originate o = { 0 };
	if (!parser_want_value(p, "a prefix", false)) {
		parser_skip_stmt(p);
		return;
	}
	o.pos = p->tok.pos;
	int r = prefix_parse(p->tok.text, &o.prefix);
	if (r == -ERANGE) {
		char buf[PREFIX_STRLEN];
		prefix_mask(&o.prefix);
		diag_add(p->diag, p->tok.pos,
			 "originate " TOK_FMT " has host bits set; did you mean %s?",
			 TOK_ARGS(&p->tok), prefix_fmt(&o.prefix, buf));
	} else if (r < 0) {
		diag_add(p->diag, p->tok.pos,
			 "invalid prefix '" TOK_FMT "' (expected ADDR/LEN, e.g. 0.0.0.0/0)",
			 TOK_ARGS(&p->tok));
	}
	if (r < 0) {
		parser_skip_stmt(p);
		return;
	}
	parser_next(p);
	bool ok = true;
	while (ok && !parser_at_end(p) && p->tok.type == LEX_WORD) {
		if (strcmp(p->tok.text, "policy") == 0) {
			ok = orig_name(p, "policy", "policy name", &o.policy, &o.policy_pos);
		} else if (strcmp(p->tok.text, "when") == 0) {
			ok = orig_name(p, "when", "condition name", &o.when, &o.when_pos);
		} else {
			diag_add(p->diag, p->tok.pos,
				 "unexpected '" TOK_FMT "' after originate prefix (expected "
				 "'policy NAME' or 'when CONDITION')", TOK_ARGS(&p->tok));
			ok = false;
		}
		if (ok)
			parser_next(p);
	}
	if (!ok) {
		free(o.policy);
		free(o.when);
		parser_skip_stmt(p);
		return;
	}
	struct conf_originate *arr = parser_grow(p, pc->originate, pc->n_originate, sizeof(*arr));
	if (!arr) {
		free(o.policy);
		free(o.when);
		parser_skip_stmt(p);
		return;
	}
	pc->originate = arr;
	pc->originate[pc->n_originate++] = o;
	parser_end_stmt(p);
}

void parser_stmt_condition(struct parser *p)
{
	struct pconf *pc = p->pc;
	struct conf_condition c = { .pos = p->kw.pos };
	if (!parser_want_value(p, "a condition name", false)) {
		parser_skip_stmt(p);
		return;
	}
	if (!parser_name_ok(p->tok.text)) {
		diag_add(p->diag, p->tok.pos,
			 "invalid condition name '" TOK_FMT "' (up to 64 letters, digits, '-', "
			 "'_' or '.', starting with a letter)", TOK_ARGS(&p->tok));
		parser_skip_stmt(p);
		return;
	}
	c.pos = p->tok.pos;
	c.name = parser_dup_text(p);
	if (!c.name) {
		parser_skip_stmt(p);
		return;
	}
	parser_next(p);
	if (!parser_at_end(p) && p->tok.type == LEX_WORD &&
	    (strcmp(p->tok.text, "up") == 0 || strcmp(p->tok.text, "down") == 0)) {
		c.up = strcmp(p->tok.text, "up") == 0;
		parser_next(p);
	} else if (!parser_at_end(p)) {
		if (p->tok.type != LEX_ERROR) {
			char d[80];
			diag_add(p->diag, p->tok.pos,
				 "invalid condition state %s (expected up or down)",
				 lex_describe(&p->tok, d, sizeof(d)));
		}
		free(c.name);
		parser_skip_stmt(p);
		return;
	}
	struct conf_condition *arr =
		parser_grow(p, pc->conditions, pc->n_conditions, sizeof(*arr));
	if (!arr) {
		free(c.name);
		parser_skip_stmt(p);
		return;
	}
	pc->conditions = arr;
	pc->conditions[pc->n_conditions++] = c;
	parser_end_stmt(p);
}

/* ---- validation ---- */

bool conf_condition_defined(const struct pconf *pc, const char *name)
{
	for (size_t i = 0; i < pc->n_conditions; i++)
		if (strcmp(pc->conditions[i].name, name) == 0)
			return true;
	/* A probe block defines a condition of its name (up while the
	 * probe is). */
	for (size_t i = 0; i < pc->n_probes; i++)
		if (pc->probes[i].name && strcmp(pc->probes[i].name, name) == 0)
			return true;
	return false;
}

static bool policy_defined(const struct pconf *pc, const char *name)
{
	for (size_t i = 0; i < pc->n_policies; i++)
		if (strcmp(pc->policies[i].name, name) == 0)
			return true;
	return false;
}

/* " (did you mean 'x'?)" among the condition names, or "". */
static const char *cond_suggest(const struct pconf *pc, const char *word, char *buf,
				size_t size)
{
	const char *cands[64];
	size_t k = 0;
	for (size_t i = 0; i < pc->n_conditions && k < 64; i++)
		cands[k++] = pc->conditions[i].name;
	const char *s = conf_suggest(word, cands, k);
	buf[0] = '\0';
	if (s)
		snprintf(buf, size, "; did you mean '%s'?", s);
	return buf;
}

void conf_validate_origination(struct pconf *pc, struct conf *c, struct conf_diag *d)
{
	char sug[100];
	for (size_t i = 1; i < pc->n_conditions; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(pc->conditions[i].name, pc->conditions[j].name) == 0) {
				diag_add(d, pc->conditions[i].pos,
					 "duplicate condition '%s' (first defined at line %u)",
					 pc->conditions[i].name, pc->conditions[j].pos.line);
				break;
			}
	for (size_t i = 0; i < pc->n_originate; i++) {
		const struct conf_originate *o = &pc->originate[i];
		if (o->when && !conf_condition_defined(pc, o->when))
			diag_add(d, o->when_pos, "unknown condition '%s' in originate%s", o->when,
				 cond_suggest(pc, o->when, sug, sizeof(sug)));
		if (o->policy && !policy_defined(pc, o->policy))
			diag_add(d, o->policy_pos, "unknown policy '%s' in originate", o->policy);
	}
	c->originate = pc->originate;
	c->n_originate = pc->n_originate;
	c->conditions = pc->conditions;
	c->n_conditions = pc->n_conditions;
	pc->originate = NULL;
	pc->n_originate = 0;
	pc->conditions = NULL;
	pc->n_conditions = 0;
}

/* ---- the model ---- */

void conf_originates_free(struct conf_originate *o, size_t n)
{
	if (!o)
		return;
	for (size_t i = 0; i < n; i++) {
		free(o[i].policy);
		free(o[i].when);
	}
	free(o);
}

void conf_conditions_free(struct conf_condition *c, size_t n)
{
	if (!c)
		return;
	for (size_t i = 0; i < n; i++)
		free(c[i].name);
	free(c);
}

static bool str_same(const char *a, const char *b)
{
	return (!a || !b) ? a == b : strcmp(a, b) == 0;
}

bool conf_origination_equal(const struct conf *a, const struct conf *b)
{
	if (a->n_originate != b->n_originate || a->n_conditions != b->n_conditions)
		return false;
	for (size_t i = 0; i < a->n_originate; i++) {
		const struct conf_originate *x = &a->originate[i], *y = &b->originate[i];
		if (!prefix_eq(&x->prefix, &y->prefix) || !str_same(x->policy, y->policy) ||
		    !str_same(x->when, y->when))
			return false;
	}
	for (size_t i = 0; i < a->n_conditions; i++)
		if (strcmp(a->conditions[i].name, b->conditions[i].name) != 0 ||
		    a->conditions[i].up != b->conditions[i].up)
			return false;
	return true;
}

const struct conf_condition *conf_condition_find(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_conditions; i++)
		if (strcmp(c->conditions[i].name, name) == 0)
			return &c->conditions[i];
	return NULL;
}

void conf_origination_print(const struct conf *c, void *file)
{
	FILE *f = file;
	for (size_t i = 0; i < c->n_conditions; i++)
		fprintf(f, "condition %s %s\n", c->conditions[i].name,
			c->conditions[i].up ? "up" : "down");
	for (size_t i = 0; i < c->n_originate; i++) {
		const struct conf_originate *o = &c->originate[i];
		char p[PREFIX_STRLEN];
		fprintf(f, "originate %s", prefix_fmt(&o->prefix, p));
		if (o->policy)
			fprintf(f, " policy %s", o->policy);
		if (o->when)
			fprintf(f, " when %s", o->when);
		fputc('\n', f);
	}
}
