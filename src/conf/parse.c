/* The grammar: statements and blocks, turned into a struct pconf.
 *
 * Recovery: a bad statement is reported once and skipped up to its end
 * (newline, ';', or the '}' of the enclosing block, skipping over any
 * block it opened), so one run finds every error in the file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/parser.h"

const char *parser_ctx_where(enum ctx c)
{
	switch (c) {
	case CTX_TOP:
		return "at top level";
	case CTX_GROUP:
		return "in group block";
	case CTX_NEIGHBOR:
		return "in neighbor block";
	}
	return "";
}

void parser_next(struct parser *p)
{
	if (p->diag->full) {
		/* Enough said; unwind as if the file ended here. */
		p->tok.type = LEX_EOF;
		return;
	}
	lex_next(&p->lx, &p->tok);
}

bool parser_at_end(const struct parser *p)
{
	return p->tok.type == LEX_EOS || p->tok.type == LEX_RBRACE ||
	       p->tok.type == LEX_EOF;
}

/* Current token is '{': skip to its matching '}'. */
void parser_skip_block(struct parser *p)
{
	struct conf_pos open = p->tok.pos;
	unsigned depth = 0;
	for (;;) {
		switch (p->tok.type) {
		case LEX_LBRACE:
			depth++;
			break;
		case LEX_RBRACE:
			if (--depth == 0) {
				parser_next(p);
				return;
			}
			break;
		case LEX_EOF:
			diag_add(p->diag, open, "unterminated block (no matching '}')");
			return;
		default:
			break;
		}
		parser_next(p);
	}
}

bool parser_block(struct parser *p, const char *what,
		  void (*fn)(struct parser *, void *), void *arg)
{
	struct conf_pos open = p->tok.pos;
	parser_next(p);
	for (;;) {
		switch (p->tok.type) {
		case LEX_EOS:
			parser_next(p);
			break;
		case LEX_EOF:
			diag_add(p->diag, open, "unterminated %s block (no matching '}')", what);
			return false;
		case LEX_RBRACE:
			parser_next(p);
			return true;
		case LEX_LBRACE:
			diag_add(p->diag, p->tok.pos, "unexpected '{' in %s block", what);
			parser_skip_block(p);
			break;
		default:
			fn(p, arg);
			break;
		}
	}
}

/* Skips the rest of a statement, including any block it opened, and
 * the newline or ';' that ends it; leaves a closing '}' for the block. */
void parser_skip_stmt(struct parser *p)
{
	while (p->tok.type != LEX_EOS && p->tok.type != LEX_RBRACE &&
	       p->tok.type != LEX_EOF) {
		if (p->tok.type == LEX_LBRACE)
			parser_skip_block(p);
		else
			parser_next(p);
	}
	if (p->tok.type == LEX_EOS)
		parser_next(p);
}

void parser_end_stmt(struct parser *p)
{
	if (p->tok.type == LEX_EOS) {
		parser_next(p);
		return;
	}
	if (p->tok.type == LEX_RBRACE || p->tok.type == LEX_EOF)
		return;
	if (p->tok.type != LEX_ERROR) {
		char d[80];
		diag_add(p->diag, p->tok.pos, "unexpected %s at end of '%s' statement",
			 lex_describe(&p->tok, d, sizeof(d)), p->kw.text);
	}
	parser_skip_stmt(p);
}

/* ---- blocks ---- */

static void parse_block(struct parser *p, const struct block *b);

/* After a group name or neighbor address: is a block opening here (the
 * brace may sit on a following line)?  Leaves the '{' current if so. */
bool parser_block_opens(struct parser *p)
{
	if (p->tok.type == LEX_LBRACE)
		return true;
	if (p->tok.type != LEX_EOS || !p->tok.newline || !lex_brace_follows(&p->lx))
		return false;
	while (p->tok.type != LEX_LBRACE)
		parser_next(p);
	return true;
}

static void stmt_neighbor(struct parser *p, const struct block *b)
{
	struct pconf *pc = p->pc;
	if (!parser_want_value(p, "an address", false)) {
		parser_skip_stmt(p);
		return;
	}
	struct pneighbor n = { .pos = p->tok.pos, .group = SIZE_MAX };
	if (b->ctx == CTX_GROUP)
		n.group = b->idx;
	if (parser_value_addr(p, "neighbor address", &n.addr) &&
	    (parser_addr_unspecified(&n.addr) || parser_addr_multicast(&n.addr))) {
		diag_add(p->diag, p->tok.pos,
			 "neighbor " TOK_FMT " is not a unicast address", TOK_ARGS(&p->tok));
		n.addr.af = 0;
	}
	/* Kept even when the address is bad (af 0, skipped by the
	 * validator) so the errors inside its block are still found. */
	struct pneighbor *arr = parser_grow(p, pc->neighbors, pc->n_neighbors, sizeof(*arr));
	if (!arr) {
		parser_skip_stmt(p);
		return;
	}
	pc->neighbors = arr;
	pc->neighbors[pc->n_neighbors++] = n;
	struct lex_token kw = p->kw;
	parser_next(p);
	if (parser_block_opens(p)) {
		struct block nb = { .ctx = CTX_NEIGHBOR, .idx = pc->n_neighbors - 1,
				    .group = n.group };
		parse_block(p, &nb);
	} else if (!parser_at_end(p) && p->tok.type != LEX_ERROR) {
		/* Most likely settings written without their braces. */
		char d[80];
		diag_add(p->diag, p->tok.pos,
			 "expected '{' or end of statement after neighbor address, got %s",
			 lex_describe(&p->tok, d, sizeof(d)));
		/* Its settings were skipped: don't also report them missing. */
		pc->neighbors[pc->n_neighbors - 1].addr.af = 0;
		parser_skip_stmt(p);
		return;
	}
	p->kw = kw;
	parser_end_stmt(p);
}

bool parser_name_ok(const char *s)
{
	/* A word that prints back as itself and reads well in messages. */
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789-_.") == n;
}

static void stmt_group(struct parser *p)
{
	struct pconf *pc = p->pc;
	if (!parser_want_value(p, "a group name", false)) {
		parser_skip_stmt(p);
		return;
	}
	if (!parser_name_ok(p->tok.text))
		diag_add(p->diag, p->tok.pos,
			 "invalid group name '" TOK_FMT "' (up to 64 letters, digits, '-', '_' "
			 "or '.', starting with a letter)", TOK_ARGS(&p->tok));
	struct pgroup g = { .pos = p->tok.pos, .name = parser_dup_text(p) };
	struct pgroup *arr = parser_grow(p, pc->groups, pc->n_groups, sizeof(*arr));
	if (!arr) {
		free(g.name);
		parser_skip_stmt(p);
		return;
	}
	pc->groups = arr;
	pc->groups[pc->n_groups++] = g;
	struct lex_token kw = p->kw;
	parser_next(p);
	if (!parser_block_opens(p)) {
		char d[80];
		if (p->tok.type != LEX_ERROR)
			diag_add(p->diag, p->tok.pos, "expected '{' after group name, got %s",
				 lex_describe(&p->tok, d, sizeof(d)));
		parser_skip_stmt(p);
		return;
	}
	struct block gb = { .ctx = CTX_GROUP, .idx = pc->n_groups - 1, .group = SIZE_MAX };
	parse_block(p, &gb);
	p->kw = kw;
	parser_end_stmt(p);
}

/* ---- dispatch ---- */

enum kw_kind { KW_ROUTER_ID, KW_LOCAL_AS, KW_LISTEN, KW_ORIGINATE, KW_GROUP,
	       KW_NEIGHBOR, KW_NSET, KW_PREFIX_SET, KW_POLICY, KW_FIB, KW_DECISION,
	       KW_PERSONALITY, KW_VPN_ECMP, KW_ROUTE_TABLE, KW_PROBE, KW_CONDITION };

struct keyword {
	const char *name;
	unsigned ctx;            /* CTX_* where it is allowed */
	enum kw_kind kind;
	enum nset_field field;   /* KW_NSET; KW_DECISION: an enum pdecision_field */
};

#define NSET_CTX (CTX_GROUP | CTX_NEIGHBOR)

static const struct keyword keywords[] = {
	{ "router-id", CTX_TOP, KW_ROUTER_ID, 0 },
	{ "local-as", CTX_TOP, KW_LOCAL_AS, 0 },
	{ "listen", CTX_TOP, KW_LISTEN, 0 },
	{ "originate", CTX_TOP, KW_ORIGINATE, 0 },
	{ "condition", CTX_TOP, KW_CONDITION, 0 },
	{ "group", CTX_TOP, KW_GROUP, 0 },
	{ "prefix-set", CTX_TOP, KW_PREFIX_SET, 0 },
	{ "policy", CTX_TOP, KW_POLICY, 0 },
	{ "fib", CTX_TOP, KW_FIB, 0 },
	{ "personality", CTX_TOP, KW_PERSONALITY, 0 },
	{ "vpn-ecmp", CTX_TOP, KW_VPN_ECMP, 0 },
	{ "route-table", CTX_TOP, KW_ROUTE_TABLE, 0 },
	{ "probe", CTX_TOP, KW_PROBE, 0 },
	{ "neighbor", CTX_TOP | CTX_GROUP, KW_NEIGHBOR, 0 },
	{ "multipath", CTX_TOP, KW_DECISION, (enum nset_field)PD_MULTIPATH },
	{ "always-compare-med", CTX_TOP, KW_DECISION, (enum nset_field)PD_ALWAYS_COMPARE_MED },
	{ "deterministic-med", CTX_TOP, KW_DECISION, (enum nset_field)PD_DETERMINISTIC_MED },
	{ "prefer-oldest", CTX_TOP, KW_DECISION, (enum nset_field)PD_PREFER_OLDEST },
	{ "med-missing-as-worst", CTX_TOP, KW_DECISION, (enum nset_field)PD_MED_MISSING_AS_WORST },
	{ "default-local-pref", CTX_TOP, KW_DECISION, (enum nset_field)PD_DEFAULT_LOCAL_PREF },
	{ "remote-as", NSET_CTX, KW_NSET, NS_REMOTE_AS },
	{ "description", NSET_CTX, KW_NSET, NS_DESCRIPTION },
	{ "password", NSET_CTX, KW_NSET, NS_PASSWORD },
	{ "hold-time", NSET_CTX, KW_NSET, NS_HOLD_TIME },
	{ "keepalive", NSET_CTX, KW_NSET, NS_KEEPALIVE },
	{ "connect-retry", NSET_CTX, KW_NSET, NS_CONNECT_RETRY },
	{ "delay-open", NSET_CTX, KW_NSET, NS_DELAY_OPEN },
	{ "passive", NSET_CTX, KW_NSET, NS_PASSIVE },
	{ "ttl-security", NSET_CTX, KW_NSET, NS_TTL_SECURITY },
	{ "local-address", NSET_CTX, KW_NSET, NS_LOCAL_ADDRESS },
	{ "port", NSET_CTX, KW_NSET, NS_PORT },
	{ "import", NSET_CTX, KW_NSET, NS_IMPORT },
	{ "export", NSET_CTX, KW_NSET, NS_EXPORT },
	{ "max-prefix", NSET_CTX, KW_NSET, NS_MAX_PREFIX },
	{ "attachment", NSET_CTX, KW_NSET, NS_ATTACHMENT },
	{ "soft-reconfiguration", NSET_CTX, KW_NSET, NS_SOFT_RECONF },
	{ "graceful-restart", NSET_CTX, KW_NSET, NS_GRACEFUL_RESTART },
	{ "restart-time", NSET_CTX, KW_NSET, NS_RESTART_TIME },
};
#define N_KEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

static void stmt_unknown(struct parser *p, enum ctx ctx)
{
	const char *cands[N_KEYWORDS];
	size_t n = 0;
	for (size_t i = 0; i < N_KEYWORDS; i++)
		if (keywords[i].ctx & ctx)
			cands[n++] = keywords[i].name;
	const char *s = conf_suggest(p->tok.text, cands, n);
	if (s)
		diag_add(p->diag, p->tok.pos,
			 "unknown statement '" TOK_FMT "' %s; did you mean '%s'?",
			 TOK_ARGS(&p->tok), parser_ctx_where(ctx), s);
	else
		diag_add(p->diag, p->tok.pos, "unknown statement '" TOK_FMT "' %s",
			 TOK_ARGS(&p->tok), parser_ctx_where(ctx));
	parser_skip_stmt(p);
}

static void stmt_misplaced(struct parser *p, const struct keyword *k, enum ctx ctx)
{
	const char *why;
	if (k->ctx == CTX_TOP && ctx != CTX_TOP)
		why = k->kind == KW_GROUP && ctx == CTX_GROUP ? "groups do not nest"
							       : "it is a top-level statement";
	else if (k->kind == KW_NEIGHBOR)
		why = "neighbor blocks do not nest";
	else
		why = "it belongs in a neighbor or group block";
	diag_add(p->diag, p->tok.pos, "'%s' is not allowed %s (%s)", k->name,
		 parser_ctx_where(ctx), why);
	parser_skip_stmt(p);
}

static void parse_stmt(struct parser *p, const struct block *b)
{
	const struct keyword *k = NULL;
	for (size_t i = 0; i < N_KEYWORDS; i++)
		if (strcmp(keywords[i].name, p->tok.text) == 0)
			k = &keywords[i];
	if (!k) {
		stmt_unknown(p, b->ctx);
		return;
	}
	if (!(k->ctx & b->ctx)) {
		stmt_misplaced(p, k, b->ctx);
		return;
	}
	p->kw = p->tok;
	switch (k->kind) {
	case KW_ROUTER_ID:
		parser_stmt_router_id(p);
		break;
	case KW_LOCAL_AS:
		parser_stmt_local_as(p);
		break;
	case KW_LISTEN:
		parser_stmt_listen(p);
		break;
	case KW_ORIGINATE:
		parser_stmt_originate(p);
		break;
	case KW_GROUP:
		stmt_group(p);
		break;
	case KW_NEIGHBOR:
		stmt_neighbor(p, b);
		break;
	case KW_NSET:
		parser_stmt_nset(p, b, k->field);
		break;
	case KW_PREFIX_SET:
		parser_stmt_prefix_set(p);
		break;
	case KW_POLICY:
		parser_stmt_policy(p);
		break;
	case KW_FIB:
		parser_stmt_fib(p);
		break;
	case KW_DECISION:
		parser_stmt_decision(p, (int)k->field);
		break;
	case KW_PERSONALITY:
		parser_stmt_personality(p);
		break;
	case KW_VPN_ECMP:
		parser_stmt_vpn_ecmp(p);
		break;
	case KW_ROUTE_TABLE:
		parser_stmt_route_table(p);
		break;
	case KW_PROBE:
		parser_stmt_probe(p);
		break;
	case KW_CONDITION:
		parser_stmt_condition(p);
		break;
	}
}

/* Parses statements up to the '}' closing this block (current token is
 * its '{'), or to the end of the file at top level. */
static void parse_block(struct parser *p, const struct block *b)
{
	struct conf_pos open = p->tok.pos;
	char d[80];
	if (b->ctx != CTX_TOP)
		parser_next(p);
	for (;;) {
		switch (p->tok.type) {
		case LEX_EOS:
			parser_next(p);
			break;
		case LEX_EOF:
			if (b->ctx != CTX_TOP)
				diag_add(p->diag, open,
					 "unterminated %s block (no matching '}')",
					 b->ctx == CTX_GROUP ? "group" : "neighbor");
			return;
		case LEX_RBRACE:
			if (b->ctx != CTX_TOP) {
				parser_next(p);
				return;
			}
			diag_add(p->diag, p->tok.pos, "unexpected '}' (no block is open)");
			parser_next(p);
			break;
		case LEX_LBRACE:
			diag_add(p->diag, p->tok.pos, "unexpected '{' (a block must follow "
				 "'group NAME' or 'neighbor ADDR')");
			parser_skip_block(p);
			break;
		case LEX_STRING:
			diag_add(p->diag, p->tok.pos, "expected a statement %s, got %s",
				 parser_ctx_where(b->ctx), lex_describe(&p->tok, d, sizeof(d)));
			parser_skip_stmt(p);
			break;
		case LEX_ERROR:
			parser_skip_stmt(p);
			break;
		case LEX_WORD:
			parse_stmt(p, b);
			break;
		}
	}
}

void conf_parse(const char *text, size_t len, struct pconf *pc, struct conf_diag *diag)
{
	struct parser *p = calloc(1, sizeof(*p));
	if (!p) {
		diag->oom = true;
		return;
	}
	memset(pc, 0, sizeof(*pc));
	p->pc = pc;
	p->diag = diag;
	lex_init(&p->lx, text, len, diag);
	parser_next(p);
	struct block top = { .ctx = CTX_TOP, .group = SIZE_MAX };
	parse_block(p, &top);
	free(p);
}

static void nset_free(struct nset *s)
{
	free(s->description);
	free(s->password);
	free(s->import_policy);
	free(s->export_policy);
}

void pconf_free(struct pconf *pc)
{
	for (size_t i = 0; i < pc->n_groups; i++) {
		free(pc->groups[i].name);
		nset_free(&pc->groups[i].set);
	}
	for (size_t i = 0; i < pc->n_neighbors; i++)
		nset_free(&pc->neighbors[i].set);
	free(pc->groups);
	free(pc->neighbors);
	free(pc->listen);
	conf_originates_free(pc->originate, pc->n_originate);
	conf_conditions_free(pc->conditions, pc->n_conditions);
	conf_prefix_sets_free(pc->prefix_sets, pc->n_prefix_sets);
	conf_policies_free(pc->policies, pc->n_policies);
	conf_cloud_free(&pc->cloud);
	conf_probes_free(pc->probes, pc->n_probes);
	memset(pc, 0, sizeof(*pc));
}

