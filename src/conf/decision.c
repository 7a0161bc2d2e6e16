/* Decision process knobs, global statements:
 *
 *   multipath N [relax]        1..64 equal-cost paths (default 1)
 *   multipath relax            also paths from different neighbouring ASes
 *   always-compare-med [yes|no]
 *   deterministic-med [yes|no]
 *   prefer-oldest [yes|no]     RFC 5004
 *   med-missing-as-worst [yes|no]
 *   default-local-pref N       0..4294967295 (default 100)
 *
 * The model only records them; rib/decision.h implements each.  A knob
 * written twice is an error (two lines would disagree silently). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf/parser.h"

/* Matches the RIB's own cap on equal-cost paths kept per prefix and what
 * Linux accepts in one nexthop group comfortably. */
#define CONF_MULTIPATH_MAX 64
#define CONF_LOCAL_PREF_DEFAULT 100

static const char *const pd_names[PD_COUNT] = {
	[PD_MULTIPATH] = "multipath",
	[PD_MULTIPATH_RELAX] = "multipath relax",
	[PD_ALWAYS_COMPARE_MED] = "always-compare-med",
	[PD_DETERMINISTIC_MED] = "deterministic-med",
	[PD_PREFER_OLDEST] = "prefer-oldest",
	[PD_MED_MISSING_AS_WORST] = "med-missing-as-worst",
	[PD_DEFAULT_LOCAL_PREF] = "default-local-pref",
};

/* Records field f as written at pos; false (reported) if it already was. */
static bool pd_once(struct parser *p, int f, struct conf_pos pos)
{
	struct pdecision *pd = &p->pc->decision;
	if (pd->set & (1u << f)) {
		diag_add(p->diag, pos, "duplicate '%s' (first set at line %u)", pd_names[f],
			 pd->pos[f].line);
		return false;
	}
	pd->set |= 1u << f;
	pd->pos[f] = pos;
	return true;
}

static bool pd_uint(struct parser *p, uint32_t lo, uint32_t hi, uint32_t *v)
{
	int r = conf_value_uint(p->tok.text, lo, hi, v);
	if (r == 0)
		return true;
	if (r == -ERANGE)
		diag_add(p->diag, p->tok.pos, "%s " TOK_FMT " out of range (%u..%u)", p->kw.text,
			 TOK_ARGS(&p->tok), lo, hi);
	else
		diag_add(p->diag, p->tok.pos, "invalid %s '" TOK_FMT "' (expected %u..%u)",
			 p->kw.text, TOK_ARGS(&p->tok), lo, hi);
	return false;
}

/* multipath N | multipath relax | multipath N relax */
static void stmt_multipath(struct parser *p)
{
	struct pdecision *pd = &p->pc->decision;
	struct conf_pos kwpos = p->kw.pos;
	if (!parser_want_value(p, "1..64 or 'relax'", false)) {
		parser_skip_stmt(p);
		return;
	}
	bool any = false;
	while (!parser_at_end(p) && p->tok.type == LEX_WORD) {
		if (strcmp(p->tok.text, "relax") == 0) {
			if (!pd_once(p, PD_MULTIPATH_RELAX, any ? p->tok.pos : kwpos)) {
				parser_skip_stmt(p);
				return;
			}
			pd->v.multipath_relax = true;
		} else {
			uint32_t v;
			if (!pd_uint(p, 1, CONF_MULTIPATH_MAX, &v) ||
			    !pd_once(p, PD_MULTIPATH, kwpos)) {
				parser_skip_stmt(p);
				return;
			}
			pd->v.multipath = v;
		}
		any = true;
		parser_next(p);
	}
	parser_end_stmt(p);
}

/* KNOB [yes|no]: bare means yes, as for passive. */
static void stmt_flag(struct parser *p, int which)
{
	struct pdecision *pd = &p->pc->decision;
	struct conf_pos kwpos = p->kw.pos;
	bool v = true;
	parser_next(p);
	if (!parser_at_end(p)) {
		if (p->tok.type == LEX_WORD && strcmp(p->tok.text, "yes") == 0) {
			v = true;
		} else if (p->tok.type == LEX_WORD && strcmp(p->tok.text, "no") == 0) {
			v = false;
		} else {
			if (p->tok.type != LEX_ERROR) {
				char d[80];
				diag_add(p->diag, p->tok.pos,
					 "invalid %s value %s (expected yes or no)", p->kw.text,
					 lex_describe(&p->tok, d, sizeof(d)));
			}
			parser_skip_stmt(p);
			return;
		}
		parser_next(p);
	}
	if (!pd_once(p, which, kwpos)) {
		parser_skip_stmt(p);
		return;
	}
	switch (which) {
	case PD_ALWAYS_COMPARE_MED: pd->v.always_compare_med = v; break;
	case PD_DETERMINISTIC_MED: pd->v.deterministic_med = v; break;
	case PD_PREFER_OLDEST: pd->v.prefer_oldest = v; break;
	case PD_MED_MISSING_AS_WORST: pd->v.med_missing_as_worst = v; break;
	default: break;
	}
	parser_end_stmt(p);
}

static void stmt_default_local_pref(struct parser *p)
{
	struct pdecision *pd = &p->pc->decision;
	struct conf_pos kwpos = p->kw.pos;
	uint32_t v;
	if (!parser_want_value(p, "0..4294967295", false) ||
	    !pd_uint(p, 0, UINT32_MAX, &v) || !pd_once(p, PD_DEFAULT_LOCAL_PREF, kwpos)) {
		parser_skip_stmt(p);
		return;
	}
	pd->v.default_local_pref = v;
	parser_next(p);
	parser_end_stmt(p);
}

void parser_stmt_decision(struct parser *p, int which)
{
	switch (which) {
	case PD_MULTIPATH:
		stmt_multipath(p);
		break;
	case PD_DEFAULT_LOCAL_PREF:
		stmt_default_local_pref(p);
		break;
	default:
		stmt_flag(p, which);
		break;
	}
}

void conf_decision_build(const struct pdecision *pd, struct conf_decision *out)
{
	*out = pd->v;
	if (!(pd->set & (1u << PD_MULTIPATH)))
		out->multipath = 1;
	if (!(pd->set & (1u << PD_DEFAULT_LOCAL_PREF)))
		out->default_local_pref = CONF_LOCAL_PREF_DEFAULT;
}

bool conf_decision_equal(const struct conf_decision *a, const struct conf_decision *b)
{
	return a->multipath == b->multipath && a->multipath_relax == b->multipath_relax &&
	       a->always_compare_med == b->always_compare_med &&
	       a->deterministic_med == b->deterministic_med &&
	       a->prefer_oldest == b->prefer_oldest &&
	       a->med_missing_as_worst == b->med_missing_as_worst &&
	       a->default_local_pref == b->default_local_pref;
}

/* Only what differs from the defaults, so a plain config prints as before. */
void conf_decision_print(const struct conf_decision *d, void *file)
{
	FILE *f = file;
	if (d->multipath > 1)
		fprintf(f, "multipath %u\n", d->multipath);
	if (d->multipath_relax)
		fprintf(f, "multipath relax\n");
	if (d->always_compare_med)
		fprintf(f, "always-compare-med\n");
	if (d->deterministic_med)
		fprintf(f, "deterministic-med\n");
	if (d->prefer_oldest)
		fprintf(f, "prefer-oldest\n");
	if (d->med_missing_as_worst)
		fprintf(f, "med-missing-as-worst\n");
	if (d->default_local_pref != CONF_LOCAL_PREF_DEFAULT)
		fprintf(f, "default-local-pref %u\n", d->default_local_pref);
}
