/* The policy part of the model: freeing, comparing, looking up and
 * printing prefix-sets and policies (the parser is stmt_policy.c, the
 * checks validate_policy.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/parse.h"

void conf_prefix_sets_free(struct conf_prefix_set *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].ranges);
	}
	free(s);
}

void conf_policies_free(struct conf_policy *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t t = 0; t < p[i].n_terms; t++) {
			struct conf_term *term = &p[i].terms[t];
			for (size_t m = 0; m < term->n_match; m++)
				free(term->match[m].name);
			free(term->match);
			free(term->action);
			free(term->name);
		}
		free(p[i].terms);
		free(p[i].name);
	}
	free(p);
}

const struct conf_policy *conf_policy_find(const struct conf *c, const char *name)
{
	for (size_t i = 0; name && i < c->n_policies; i++)
		if (strcmp(c->policies[i].name, name) == 0)
			return &c->policies[i];
	return NULL;
}

const struct conf_prefix_set *conf_prefix_set_find(const struct conf *c, const char *name)
{
	for (size_t i = 0; name && i < c->n_prefix_sets; i++)
		if (strcmp(c->prefix_sets[i].name, name) == 0)
			return &c->prefix_sets[i];
	return NULL;
}

/* ---- equality (round trips, and a reload finding what changed) ---- */

static bool name_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool range_eq(const struct conf_prefix_range *a, const struct conf_prefix_range *b)
{
	return prefix_eq(&a->prefix, &b->prefix) && a->ge == b->ge && a->le == b->le;
}

static bool match_eq(const struct conf_match *a, const struct conf_match *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case CONF_MATCH_PREFIX_SET:
		return name_eq(a->name, b->name);
	case CONF_MATCH_PREFIX:
		return range_eq(&a->range, &b->range);
	case CONF_MATCH_LARGE_COMMUNITY:
		return memcmp(a->lc, b->lc, sizeof(a->lc)) == 0;
	case CONF_MATCH_NEXT_HOP:
		return addr_eq(&a->addr, &b->addr);
	default:
		return a->u32 == b->u32;
	}
}

static bool action_eq(const struct conf_action *a, const struct conf_action *b)
{
	if (a->kind != b->kind || a->none != b->none)
		return false;
	switch (a->kind) {
	case CONF_ACT_ADD_LARGE:
	case CONF_ACT_REMOVE_LARGE:
	case CONF_ACT_SET_LARGE:
		return a->none || memcmp(a->lc, b->lc, sizeof(a->lc)) == 0;
	case CONF_ACT_NEXT_HOP_SELF:
		return true;
	default:
		return a->none || a->u32 == b->u32;
	}
}

static bool term_eq(const struct conf_term *a, const struct conf_term *b)
{
	if (!name_eq(a->name, b->name) || a->verdict != b->verdict ||
	    a->n_match != b->n_match || a->n_action != b->n_action)
		return false;
	for (size_t i = 0; i < a->n_match; i++)
		if (!match_eq(&a->match[i], &b->match[i]))
			return false;
	for (size_t i = 0; i < a->n_action; i++)
		if (!action_eq(&a->action[i], &b->action[i]))
			return false;
	return true;
}

bool conf_policies_equal(const struct conf *a, const struct conf *b)
{
	if (a->n_prefix_sets != b->n_prefix_sets || a->n_policies != b->n_policies)
		return false;
	for (size_t i = 0; i < a->n_prefix_sets; i++) {
		const struct conf_prefix_set *x = &a->prefix_sets[i], *y = &b->prefix_sets[i];
		if (strcmp(x->name, y->name) != 0 || x->n != y->n)
			return false;
		for (size_t j = 0; j < x->n; j++)
			if (!range_eq(&x->ranges[j], &y->ranges[j]))
				return false;
	}
	for (size_t i = 0; i < a->n_policies; i++) {
		const struct conf_policy *x = &a->policies[i], *y = &b->policies[i];
		if (strcmp(x->name, y->name) != 0 || x->n_terms != y->n_terms ||
		    x->default_accept != y->default_accept)
			return false;
		for (size_t t = 0; t < x->n_terms; t++)
			if (!term_eq(&x->terms[t], &y->terms[t]))
				return false;
	}
	return true;
}

bool conf_policy_same(const struct conf *a, const struct conf *b, const char *name)
{
	const struct conf_policy *x = conf_policy_find(a, name), *y = conf_policy_find(b, name);
	if (!x || !y)
		return x == y;
	if (x->n_terms != y->n_terms || x->default_accept != y->default_accept)
		return false;
	for (size_t t = 0; t < x->n_terms; t++) {
		if (!term_eq(&x->terms[t], &y->terms[t]))
			return false;
		/* A prefix set is matched by name: its contents count too. */
		for (size_t m = 0; m < x->terms[t].n_match; m++) {
			const struct conf_match *mt = &x->terms[t].match[m];
			if (mt->kind != CONF_MATCH_PREFIX_SET || !mt->name)
				continue;
			const struct conf_prefix_set *sa = conf_prefix_set_find(a, mt->name);
			const struct conf_prefix_set *sb = conf_prefix_set_find(b, mt->name);
			if (!sa || !sb || sa->n != sb->n)
				return false;
			for (size_t j = 0; j < sa->n; j++)
				if (!range_eq(&sa->ranges[j], &sb->ranges[j]))
					return false;
		}
	}
	return true;
}

/* ---- printing ---- */

static void print_range(FILE *f, const struct conf_prefix_range *r)
{
	char buf[PREFIX_STRLEN];
	unsigned max = addr_bits(r->prefix.addr.af);
	fputs(prefix_fmt(&r->prefix, buf), f);
	/* The shortest form that parses back to the same ge..le. */
	if (r->ge == r->prefix.len && r->le == r->prefix.len)
		return;
	if (r->ge == r->prefix.len)
		fprintf(f, " le %u", r->le);
	else if (r->le == max)
		fprintf(f, " ge %u", r->ge);
	else
		fprintf(f, " ge %u le %u", r->ge, r->le);
}

static void print_match(FILE *f, const struct conf_match *m)
{
	char buf[ADDR_STRLEN];
	fputs("match ", f);
	switch (m->kind) {
	case CONF_MATCH_PREFIX_SET:
		fprintf(f, "prefix-set %s", m->name);
		break;
	case CONF_MATCH_PREFIX:
		fputs("prefix ", f);
		print_range(f, &m->range);
		break;
	case CONF_MATCH_NEIGHBOR_AS:
		fprintf(f, "as-path neighbor-as %u", m->u32);
		break;
	case CONF_MATCH_ORIGIN_AS:
		fprintf(f, "as-path origin-as %u", m->u32);
		break;
	case CONF_MATCH_AS_CONTAINS:
		fprintf(f, "as-path contains %u", m->u32);
		break;
	case CONF_MATCH_AS_LENGTH_LE:
		fprintf(f, "as-path length <= %u", m->u32);
		break;
	case CONF_MATCH_AS_LENGTH_GE:
		fprintf(f, "as-path length >= %u", m->u32);
		break;
	case CONF_MATCH_COMMUNITY:
		fprintf(f, "community %u:%u", m->u32 >> 16, m->u32 & 0xffff);
		break;
	case CONF_MATCH_LARGE_COMMUNITY:
		fprintf(f, "large-community %u:%u:%u", m->lc[0], m->lc[1], m->lc[2]);
		break;
	case CONF_MATCH_NEXT_HOP:
		fprintf(f, "next-hop %s", addr_fmt(&m->addr, buf));
		break;
	}
}

static void print_action(FILE *f, const struct conf_action *a)
{
	switch (a->kind) {
	case CONF_ACT_SET_LOCAL_PREF:
		fprintf(f, "set local-pref %u", a->u32);
		break;
	case CONF_ACT_SET_MED:
		fprintf(f, "set med %u", a->u32);
		break;
	case CONF_ACT_PREPEND:
		fprintf(f, "prepend %u", a->u32);
		break;
	case CONF_ACT_ADD_COMMUNITY:
	case CONF_ACT_REMOVE_COMMUNITY:
		fprintf(f, "%s community %u:%u", a->kind == CONF_ACT_ADD_COMMUNITY ? "add"
			: "remove", a->u32 >> 16, a->u32 & 0xffff);
		break;
	case CONF_ACT_SET_COMMUNITY:
		if (a->none)
			fputs("set community none", f);
		else
			fprintf(f, "set community %u:%u", a->u32 >> 16, a->u32 & 0xffff);
		break;
	case CONF_ACT_ADD_LARGE:
	case CONF_ACT_REMOVE_LARGE:
		fprintf(f, "%s large-community %u:%u:%u", a->kind == CONF_ACT_ADD_LARGE ? "add"
			: "remove", a->lc[0], a->lc[1], a->lc[2]);
		break;
	case CONF_ACT_SET_LARGE:
		if (a->none)
			fputs("set large-community none", f);
		else
			fprintf(f, "set large-community %u:%u:%u", a->lc[0], a->lc[1], a->lc[2]);
		break;
	case CONF_ACT_NEXT_HOP_SELF:
		fputs("set next-hop self", f);
		break;
	}
}

static void print_term_body(FILE *f, const struct conf_term *t, const char *ind)
{
	for (size_t i = 0; i < t->n_match; i++) {
		fputs(ind, f);
		print_match(f, &t->match[i]);
		fputc('\n', f);
	}
	for (size_t i = 0; i < t->n_action; i++) {
		fputs(ind, f);
		print_action(f, &t->action[i]);
		fputc('\n', f);
	}
	if (t->verdict != CONF_VERDICT_NEXT)
		fprintf(f, "%s%s\n", ind, t->verdict == CONF_VERDICT_ACCEPT ? "accept" : "reject");
}

void conf_policies_print(const struct conf *c, void *file)
{
	FILE *f = file;
	for (size_t i = 0; i < c->n_prefix_sets; i++) {
		const struct conf_prefix_set *s = &c->prefix_sets[i];
		fprintf(f, "\nprefix-set %s {\n", s->name);
		for (size_t j = 0; j < s->n; j++) {
			fputc('\t', f);
			print_range(f, &s->ranges[j]);
			fputc('\n', f);
		}
		fputs("}\n", f);
	}
	for (size_t i = 0; i < c->n_policies; i++) {
		const struct conf_policy *p = &c->policies[i];
		fprintf(f, "\npolicy %s {\n", p->name);
		for (size_t t = 0; t < p->n_terms; t++) {
			const struct conf_term *term = &p->terms[t];
			if (!term->name) {
				print_term_body(f, term, "\t");
				continue;
			}
			fprintf(f, "\tterm %s {\n", term->name);
			print_term_body(f, term, "\t\t");
			fputs("\t}\n", f);
		}
		if (p->default_accept)
			fputs("\tdefault accept\n", f);
		fputs("}\n", f);
	}
}
