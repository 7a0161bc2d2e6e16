/* probe blocks (issue 6): uplink health checks whose state gates
 * origination (`originate PREFIX when NAME`).
 *
 *   probe uplink {
 *       icmp 203.0.113.10          # or: tcp 203.0.113.10:80, tcp [2001:db8::1]:443
 *       via eth1                   # or: source 198.51.100.2
 *       interval 1s; timeout 500ms; rise 3; fall 2
 *   }
 *
 * Settings are KEY VALUE pairs; several may share a line, so the short
 * form `probe up { icmp 203.0.113.1 interval 1s rise 3 fall 2 }` reads
 * as it looks.  The parser builds the model only; src/probe runs it. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/parser.h"

enum probe_kw { PK_ICMP, PK_TCP, PK_VIA, PK_SOURCE, PK_INTERVAL, PK_TIMEOUT, PK_RISE,
		PK_FALL, PK_COUNT };
static const char *const probe_words[PK_COUNT] = { "icmp", "tcp", "via", "source",
						   "interval", "timeout", "rise", "fall" };

/* Durations: a number with ms or s (a bare number is seconds, as
 * hold-time is).  0, -EINVAL or -ERANGE (outside lo..hi ms). */
int conf_value_duration_ms(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	size_t n = strlen(s), digits = strspn(s, "0123456789");
	if (digits == 0 || digits > 9)
		return digits > 9 ? -ERANGE : -EINVAL;
	const char *unit = s + digits;
	uint64_t mult;
	if (*unit == 0 || strcmp(unit, "s") == 0)
		mult = 1000;
	else if (strcmp(unit, "ms") == 0)
		mult = 1;
	else
		return -EINVAL;
	(void)n;
	uint64_t v = strtoull(s, NULL, 10) * mult;
	if (v < lo || v > hi)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

static void probe_unknown(struct parser *p)
{
	char d[80];
	if (p->tok.type != LEX_WORD) {
		if (p->tok.type != LEX_ERROR)
			diag_add(p->diag, p->tok.pos, "expected a setting in probe block, got %s",
				 lex_describe(&p->tok, d, sizeof(d)));
		return;
	}
	const char *s = conf_suggest(p->tok.text, probe_words, PK_COUNT);
	if (s)
		diag_add(p->diag, p->tok.pos,
			 "unknown setting '" TOK_FMT "' in probe block; did you mean '%s'?",
			 TOK_ARGS(&p->tok), s);
	else
		diag_add(p->diag, p->tok.pos, "unknown setting '" TOK_FMT "' in probe block "
			 "(icmp, tcp, via, source, interval, timeout, rise, fall)",
			 TOK_ARGS(&p->tok));
}

/* tcp ADDR:PORT, or [V6ADDR]:PORT. */
static bool probe_tcp_target(struct parser *p, struct conf_probe *pr)
{
	const char *s = p->tok.text;
	char host[64];
	const char *colon;
	size_t hl;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			goto bad;
		hl = (size_t)(close - s - 1);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, s + 1, hl);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			goto bad;
		hl = (size_t)(colon - s);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, s, hl);
	}
	host[hl] = 0;
	uint32_t port;
	if (addr_parse(host, &pr->target) < 0 ||
	    conf_value_uint(colon + 1, 1, 65535, &port) < 0)
		goto bad;
	addr_unmap_v4(&pr->target);
	pr->port = (uint16_t)port;
	return true;
bad:
	diag_add(p->diag, p->tok.pos,
		 "invalid tcp target '" TOK_FMT "' (expected ADDR:PORT or [IPv6]:PORT, port 1..65535)",
		 TOK_ARGS(&p->tok));
	return false;
}

static bool probe_count(struct parser *p, uint8_t *v)
{
	uint32_t x;
	int r = conf_value_uint(p->tok.text, 1, 255, &x);
	if (r < 0) {
		diag_add(p->diag, p->tok.pos, "invalid %s '" TOK_FMT "' (expected 1..255)",
			 p->kw.text, TOK_ARGS(&p->tok));
		return false;
	}
	*v = (uint8_t)x;
	return true;
}

static bool probe_duration(struct parser *p, uint32_t *v)
{
	/* 10 ms keeps a probe from flooding; an hour is beyond any use. */
	int r = conf_value_duration_ms(p->tok.text, 10, 3600 * 1000, v);
	if (r == -EINVAL)
		diag_add(p->diag, p->tok.pos,
			 "invalid %s '" TOK_FMT "' (expected a duration such as 1s or 500ms)",
			 p->kw.text, TOK_ARGS(&p->tok));
	else if (r < 0)
		diag_add(p->diag, p->tok.pos, "%s " TOK_FMT " out of range (10ms..3600s)",
			 p->kw.text, TOK_ARGS(&p->tok));
	return r == 0;
}

/* One KEY VALUE pair; false after an error (reported). */
static bool probe_setting(struct parser *p, struct conf_probe *pr, struct conf_pos *first)
{
	int k = -1;
	if (p->tok.type == LEX_WORD)
		for (int i = 0; i < PK_COUNT; i++)
			if (strcmp(p->tok.text, probe_words[i]) == 0)
				k = i;
	if (k < 0) {
		probe_unknown(p);
		return false;
	}
	p->kw = p->tok;
	/* icmp and tcp are one setting (the check), as are via and source
	 * (how the probe leaves): a second of either is a duplicate. */
	int slot = k == PK_TCP ? PK_ICMP : k == PK_SOURCE ? PK_VIA : k;
	if (first[slot].line) {
		diag_add(p->diag, p->tok.pos, "duplicate '%s' in probe %s (%s already set at line %u)",
			 probe_words[k], pr->name,
			 slot == PK_ICMP ? "the target" : slot == PK_VIA ? "the way out" :
			 probe_words[k], first[slot].line);
		return false;
	}
	first[slot] = p->tok.pos;
	/* A bad target is reported once, not again as a missing one. */
	if (k == PK_ICMP || k == PK_TCP)
		pr->kind = k == PK_ICMP ? CONF_PROBE_ICMP : CONF_PROBE_TCP;
	const char *expect[PK_COUNT] = { "an address", "ADDR:PORT", "an interface name",
					 "an address", "a duration", "a duration", "1..255",
					 "1..255" };
	if (!parser_want_value(p, expect[k], false))
		return false;
	switch ((enum probe_kw)k) {
	case PK_ICMP:
		if (!parser_value_addr(p, "icmp target", &pr->target))
			return false;
		if (parser_addr_unspecified(&pr->target) || parser_addr_multicast(&pr->target)) {
			diag_add(p->diag, p->tok.pos, "icmp target must be a unicast address");
			return false;
		}
		pr->kind = CONF_PROBE_ICMP;
		return true;
	case PK_TCP:
		if (!probe_tcp_target(p, pr))
			return false;
		pr->kind = CONF_PROBE_TCP;
		return true;
	case PK_VIA:
		if (strlen(p->tok.text) >= IF_NAMESIZE || strchr(p->tok.text, '/')) {
			diag_add(p->diag, p->tok.pos,
				 "invalid interface name '" TOK_FMT "' (at most %d bytes, no '/')",
				 TOK_ARGS(&p->tok), IF_NAMESIZE - 1);
			return false;
		}
		pr->via = parser_dup_text(p);
		return pr->via != NULL;
	case PK_SOURCE:
		if (!parser_value_addr(p, "source address", &pr->source))
			return false;
		return true;
	case PK_INTERVAL:
		return (pr->interval_set = probe_duration(p, &pr->interval_ms));
	case PK_TIMEOUT:
		return (pr->timeout_set = probe_duration(p, &pr->timeout_ms));
	case PK_RISE:
		return (pr->rise_set = probe_count(p, &pr->rise));
	case PK_FALL:
		return (pr->fall_set = probe_count(p, &pr->fall));
	case PK_COUNT:
		break;
	}
	return false;
}

struct probe_block_ctx {
	struct conf_probe *pr;
	struct conf_pos first[PK_COUNT];   /* where each setting was first given */
};

/* One statement of a probe block (a parser_block callback). */
static void probe_block_stmt(struct parser *p, void *arg)
{
	struct probe_block_ctx *x = arg;
	if (!probe_setting(p, x->pr, x->first)) {
		parser_skip_stmt(p);
		return;
	}
	parser_next(p);
}

void parser_stmt_probe(struct parser *p)
{
	struct pconf *pc = p->pc;
	struct lex_token kw = p->kw;
	char d[80];
	if (!parser_want_value(p, "a probe name", false)) {
		parser_skip_stmt(p);
		return;
	}
	if (!parser_name_ok(p->tok.text)) {
		diag_add(p->diag, p->tok.pos,
			 "invalid probe name '" TOK_FMT "' (up to 64 letters, digits, '-', '_' "
			 "or '.', starting with a letter)", TOK_ARGS(&p->tok));
		parser_skip_stmt(p);
		return;
	}
	struct conf_probe *arr = parser_grow(p, pc->probes, pc->n_probes, sizeof(*arr));
	if (!arr) {
		parser_skip_stmt(p);
		return;
	}
	pc->probes = arr;
	struct conf_probe *pr = &pc->probes[pc->n_probes++];
	*pr = (struct conf_probe){ .pos = p->tok.pos, .name = parser_dup_text(p),
				   .interval_ms = CONF_PROBE_INTERVAL_DEFAULT,
				   .timeout_ms = CONF_PROBE_TIMEOUT_DEFAULT,
				   .rise = CONF_PROBE_RISE_DEFAULT,
				   .fall = CONF_PROBE_FALL_DEFAULT };
	if (!pr->name) {
		parser_skip_stmt(p);
		return;
	}
	parser_next(p);
	if (!parser_block_opens(p)) {
		if (p->tok.type != LEX_ERROR)
			diag_add(p->diag, p->tok.pos, "expected '{' after probe name, got %s",
				 lex_describe(&p->tok, d, sizeof(d)));
		/* Dropped, so it is not also reported as having no target. */
		free(pr->name);
		pc->n_probes--;
		parser_skip_stmt(p);
		return;
	}
	struct probe_block_ctx x = { .pr = pr };
	if (!parser_block(p, "probe", probe_block_stmt, &x))
		return;
	p->kw = kw;
	parser_end_stmt(p);
}

/* ---- validation, model helpers ---- */

void conf_validate_probes(struct pconf *pc, struct conf *c, struct conf_diag *d)
{
	for (size_t i = 0; i < pc->n_probes; i++) {
		struct conf_probe *pr = &pc->probes[i];
		if (!pr->name)
			continue;
		for (size_t j = 0; j < i; j++)
			if (pc->probes[j].name && strcmp(pc->probes[j].name, pr->name) == 0) {
				diag_add(d, pr->pos, "duplicate probe '%s' (first at line %u)",
					 pr->name, pc->probes[j].pos.line);
				break;
			}
		for (size_t j = 0; j < c->n_conditions; j++)
			if (strcmp(c->conditions[j].name, pr->name) == 0) {
				diag_add(d, pr->pos, "probe '%s' has the name of the condition at "
					 "line %u; a probe is a condition itself", pr->name,
					 c->conditions[j].pos.line);
				break;
			}
		if (!pr->kind)
			diag_add(d, pr->pos, "probe %s has no target (add 'icmp ADDR' or "
				 "'tcp ADDR:PORT')", pr->name);
		if (pr->via && pr->source.af)
			diag_add(d, pr->pos, "probe %s sets both 'via' and 'source'; choose one "
				 "way out", pr->name);
		if (pr->kind && pr->source.af && pr->source.af != pr->target.af)
			diag_add(d, pr->pos, "probe %s: source and target are of different "
				 "address families", pr->name);
		/* An unanswered attempt must have failed before the next one
		 * starts, or results would arrive out of order. */
		if (!pr->timeout_set && pr->interval_ms < pr->timeout_ms)
			pr->timeout_ms = pr->interval_ms / 2 >= 10 ? pr->interval_ms / 2 : 10;
		if (pr->timeout_ms > pr->interval_ms)
			diag_add(d, pr->pos, "probe %s: timeout %ums is longer than the "
				 "interval %ums", pr->name, pr->timeout_ms, pr->interval_ms);
	}
	if (!pc->n_probes)
		return;
	c->probes = pc->probes;
	c->n_probes = pc->n_probes;
	pc->probes = NULL;
	pc->n_probes = 0;
}

const struct conf_probe *conf_probe_find(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_probes; i++)
		if (c->probes[i].name && strcmp(c->probes[i].name, name) == 0)
			return &c->probes[i];
	return NULL;
}

void conf_probes_free(struct conf_probe *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].via);
	}
	free(p);
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

bool conf_probes_equal(const struct conf *a, const struct conf *b)
{
	if (a->n_probes != b->n_probes)
		return false;
	for (size_t i = 0; i < a->n_probes; i++) {
		const struct conf_probe *x = &a->probes[i], *y = &b->probes[i];
		if (!str_same(x->name, y->name) || x->kind != y->kind ||
		    !addr_eq(&x->target, &y->target) || x->port != y->port ||
		    !str_same(x->via, y->via) || x->source.af != y->source.af ||
		    (x->source.af && !addr_eq(&x->source, &y->source)) ||
		    x->interval_ms != y->interval_ms || x->timeout_ms != y->timeout_ms ||
		    x->rise != y->rise || x->fall != y->fall)
			return false;
	}
	return true;
}

static void probe_print_ms(FILE *f, const char *kw, uint32_t ms)
{
	if (ms % 1000 == 0)
		fprintf(f, "\t%s %us\n", kw, ms / 1000);
	else
		fprintf(f, "\t%s %ums\n", kw, ms);
}

void conf_probes_print(const struct conf *c, void *file)
{
	FILE *f = file;
	for (size_t i = 0; i < c->n_probes; i++) {
		const struct conf_probe *pr = &c->probes[i];
		char a[ADDR_STRLEN];
		fprintf(f, "probe %s {\n", pr->name);
		addr_fmt(&pr->target, a);
		if (pr->kind == CONF_PROBE_TCP)
			fprintf(f, pr->target.af == AF_INET6 ? "\ttcp [%s]:%u\n" : "\ttcp %s:%u\n",
				a, pr->port);
		else
			fprintf(f, "\ticmp %s\n", a);
		if (pr->via)
			fprintf(f, "\tvia %s\n", pr->via);
		if (pr->source.af)
			fprintf(f, "\tsource %s\n", addr_fmt(&pr->source, a));
		/* Printed resolved, so the round trip keeps the same values
		 * even where a default was derived from the interval. */
		probe_print_ms(f, "interval", pr->interval_ms);
		probe_print_ms(f, "timeout", pr->timeout_ms);
		fprintf(f, "\trise %u\n\tfall %u\n}\n", pr->rise, pr->fall);
	}
}
