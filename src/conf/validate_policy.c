/* Policy checks: unique names, every prefix-set and policy reference
 * resolved (each unknown name reported where it is used, with a
 * suggestion), then the policies handed from the parse to the model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/parse.h"

/* Names are few (tens), so a quadratic scan is plain and cheap. */
static void check_dup_names(struct conf_diag *d, const char *what, size_t n,
			    const char *(*name)(const void *, size_t),
			    struct conf_pos (*pos)(const void *, size_t), const void *arr)
{
	for (size_t i = 1; i < n; i++) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(name(arr, i), name(arr, j)) != 0)
				continue;
			diag_add(d, pos(arr, i), "duplicate %s '%s' (first defined at line %u)",
				 what, name(arr, i), pos(arr, j).line);
			break;
		}
	}
}

static const char *pset_name(const void *a, size_t i)
{
	return ((const struct conf_prefix_set *)a)[i].name;
}

static struct conf_pos pset_pos(const void *a, size_t i)
{
	return ((const struct conf_prefix_set *)a)[i].pos;
}

static const char *pol_name(const void *a, size_t i)
{
	return ((const struct conf_policy *)a)[i].name;
}

static struct conf_pos pol_pos(const void *a, size_t i)
{
	return ((const struct conf_policy *)a)[i].pos;
}

static const char *term_name(const void *a, size_t i)
{
	const char *n = ((const struct conf_term *)a)[i].name;
	return n ? n : "";
}

static struct conf_pos term_pos(const void *a, size_t i)
{
	return ((const struct conf_term *)a)[i].pos;
}

/* " (did you mean 'x'?)" or "" into buf. */
static const char *suggest(const char *word, const char *(*name)(const void *, size_t),
			   const void *arr, size_t n, char *buf, size_t size)
{
	const char *cands[64];
	size_t k = 0;
	for (size_t i = 0; i < n && k < 64; i++)
		cands[k++] = name(arr, i);
	const char *s = conf_suggest(word, cands, k);
	buf[0] = '\0';
	if (s)
		snprintf(buf, size, "; did you mean '%s'?", s);
	return buf;
}

static size_t find(const char *word, const char *(*name)(const void *, size_t),
		   const void *arr, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(word, name(arr, i)) == 0)
			return i;
	return SIZE_MAX;
}

static void resolve_matches(struct pconf *pc, struct conf_diag *d)
{
	char sug[100];
	for (size_t i = 0; i < pc->n_policies; i++) {
		struct conf_policy *p = &pc->policies[i];
		for (size_t t = 0; t < p->n_terms; t++) {
			struct conf_term *term = &p->terms[t];
			for (size_t m = 0; m < term->n_match; m++) {
				struct conf_match *mt = &term->match[m];
				if (mt->kind != CONF_MATCH_PREFIX_SET || !mt->name)
					continue;
				mt->set = find(mt->name, pset_name, pc->prefix_sets,
					       pc->n_prefix_sets);
				if (mt->set == SIZE_MAX)
					diag_add(d, mt->pos, "unknown prefix-set '%s'%s", mt->name,
						 suggest(mt->name, pset_name, pc->prefix_sets,
							 pc->n_prefix_sets, sug, sizeof(sug)));
			}
		}
	}
}

static void resolve_filter(struct pconf *pc, const struct nset *s, enum nset_field f,
			   struct conf_diag *d)
{
	const char *name = f == NS_IMPORT ? s->import_policy : s->export_policy;
	enum conf_filter flt = f == NS_IMPORT ? s->import : s->export;
	if (!nset_has(s, f) || flt != CONF_FILTER_POLICY || !name)
		return;
	if (find(name, pol_name, pc->policies, pc->n_policies) != SIZE_MAX)
		return;
	char sug[100];
	diag_add(d, s->pos[f], "unknown policy '%s' in %s%s", name,
		 f == NS_IMPORT ? "import" : "export",
		 suggest(name, pol_name, pc->policies, pc->n_policies, sug, sizeof(sug)));
}

void conf_validate_policies(struct pconf *pc, struct conf *c, struct conf_diag *d)
{
	check_dup_names(d, "prefix-set", pc->n_prefix_sets, pset_name, pset_pos,
			pc->prefix_sets);
	check_dup_names(d, "policy", pc->n_policies, pol_name, pol_pos, pc->policies);
	for (size_t i = 0; i < pc->n_policies; i++) {
		const struct conf_policy *p = &pc->policies[i];
		/* Only named terms can clash; the unnamed one is alone. */
		if (p->n_terms > 1)
			check_dup_names(d, "term", p->n_terms, term_name, term_pos, p->terms);
	}
	resolve_matches(pc, d);
	for (size_t i = 0; i < pc->n_policies; i++) {
		const struct conf_policy *p = &pc->policies[i];
		bool accepts = p->default_accept;
		for (size_t t = 0; t < p->n_terms; t++)
			accepts |= p->terms[t].verdict == CONF_VERDICT_ACCEPT;
		/* DESIGN 6 sketched "policy primary { set med 10 }"; with the
		 * default reject that would drop every route, silently.  A
		 * deliberate reject-all is spelled "none". */
		if (!accepts)
			diag_add(d, p->pos, "policy '%s' accepts no route (no 'accept' and no "
				 "'default accept'; write import/export none to reject all)",
				 p->name);
	}
	/* Checked where written (group or neighbor), so a group's bad name
	 * is reported once, not once per neighbor that inherits it. */
	for (size_t i = 0; i < pc->n_groups; i++) {
		resolve_filter(pc, &pc->groups[i].set, NS_IMPORT, d);
		resolve_filter(pc, &pc->groups[i].set, NS_EXPORT, d);
	}
	for (size_t i = 0; i < pc->n_neighbors; i++) {
		resolve_filter(pc, &pc->neighbors[i].set, NS_IMPORT, d);
		resolve_filter(pc, &pc->neighbors[i].set, NS_EXPORT, d);
	}
	c->prefix_sets = pc->prefix_sets;
	c->n_prefix_sets = pc->n_prefix_sets;
	c->policies = pc->policies;
	c->n_policies = pc->n_policies;
	pc->prefix_sets = NULL;
	pc->n_prefix_sets = 0;
	pc->policies = NULL;
	pc->n_policies = 0;
}
