/* The grammar: statements and blocks, turned into a struct pconf.
 *
 * Recovery: a bad statement is reported once and skipped up to its end
 * (newline, ';', or the '}' of the enclosing block, skipping over any
 * block it opened), so one run finds every error in the file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/lex.h"
#include "conf/parse.h"

enum ctx { CTX_TOP = 1, CTX_GROUP = 2, CTX_NEIGHBOR = 4 };

struct block {
	enum ctx ctx;
	size_t idx;      /* group or neighbor index (not for CTX_TOP) */
	size_t group;    /* enclosing group for neighbors, or SIZE_MAX */
};

struct parser {
	struct lex lx;
	struct lex_token tok;
	struct lex_token kw;   /* keyword of the statement being parsed */
	struct conf_diag *diag;
	struct pconf *pc;
};

/* Token text for messages, cut short so one huge word cannot bury the
 * message: printf("%.*s%s", TOK_ARGS(t)). */
#define TOK_CUT 48
#define TOK_FMT "%.*s%s"
#define TOK_ARGS(t) (int)((t)->len > TOK_CUT ? TOK_CUT : (t)->len), (t)->text, \
	((t)->len > TOK_CUT ? "..." : "")

static const char *ctx_where(enum ctx c)
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

static void next(struct parser *p)
{
	if (p->diag->full) {
		/* Enough said; unwind as if the file ended here. */
		p->tok.type = LEX_EOF;
		return;
	}
	lex_next(&p->lx, &p->tok);
}

static bool at_end(const struct parser *p)
{
	return p->tok.type == LEX_EOS || p->tok.type == LEX_RBRACE ||
	       p->tok.type == LEX_EOF;
}

/* Current token is '{': skip to its matching '}'. */
static void skip_block(struct parser *p)
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
				next(p);
				return;
			}
			break;
		case LEX_EOF:
			diag_add(p->diag, open, "unterminated block (no matching '}')");
			return;
		default:
			break;
		}
		next(p);
	}
}

/* Skips the rest of a statement, including any block it opened, and
 * the newline or ';' that ends it; leaves a closing '}' for the block. */
static void skip_stmt(struct parser *p)
{
	while (p->tok.type != LEX_EOS && p->tok.type != LEX_RBRACE &&
	       p->tok.type != LEX_EOF) {
		if (p->tok.type == LEX_LBRACE)
			skip_block(p);
		else
			next(p);
	}
	if (p->tok.type == LEX_EOS)
		next(p);
}

static void end_stmt(struct parser *p)
{
	if (p->tok.type == LEX_EOS) {
		next(p);
		return;
	}
	if (p->tok.type == LEX_RBRACE || p->tok.type == LEX_EOF)
		return;
	if (p->tok.type != LEX_ERROR) {
		char d[80];
		diag_add(p->diag, p->tok.pos, "unexpected %s at end of '%s' statement",
			 lex_describe(&p->tok, d, sizeof(d)), p->kw.text);
	}
	skip_stmt(p);
}

/* Moves to the statement's next token and checks it is a value: a word,
 * or also a string when strings are allowed.  Reports what is wrong
 * (nothing more for a token the lexer already reported). */
static bool want_value(struct parser *p, const char *expect, bool string_ok)
{
	next(p);
	if (p->tok.type == LEX_WORD || (string_ok && p->tok.type == LEX_STRING))
		return true;
	if (p->tok.type == LEX_ERROR)
		return false;
	if (at_end(p)) {
		diag_add(p->diag, p->tok.pos, "missing value after '%s' (expected %s)",
			 p->kw.text, expect);
	} else {
		char d[80];
		diag_add(p->diag, p->tok.pos, "expected %s after '%s', got %s", expect,
			 p->kw.text, lex_describe(&p->tok, d, sizeof(d)));
	}
	return false;
}

static bool value_uint(struct parser *p, uint32_t lo, uint32_t hi,
		       const char *range, uint32_t *v)
{
	int r = conf_value_uint(p->tok.text, lo, hi, v);
	if (r == -EINVAL)
		diag_add(p->diag, p->tok.pos, "invalid %s '" TOK_FMT "' (expected %s)",
			 p->kw.text, TOK_ARGS(&p->tok), range);
	else if (r < 0)
		diag_add(p->diag, p->tok.pos, "%s " TOK_FMT " out of range (%s)",
			 p->kw.text, TOK_ARGS(&p->tok), range);
	return r == 0;
}

#define AS_RANGE "1..4294967295 or asdot X.Y"

static bool value_asn(struct parser *p, uint32_t *v)
{
	int r = conf_value_asn(p->tok.text, v);
	if (r == -EINVAL)
		diag_add(p->diag, p->tok.pos, "invalid %s '" TOK_FMT "' (expected " AS_RANGE ")",
			 p->kw.text, TOK_ARGS(&p->tok));
	else if (r == -ERANGE)
		diag_add(p->diag, p->tok.pos, "%s " TOK_FMT " out of range (1..4294967295)",
			 p->kw.text, TOK_ARGS(&p->tok));
	else if (r == -EDOM)
		diag_add(p->diag, p->tok.pos,
			 "%s " TOK_FMT " out of range (asdot halves are 0..65535)",
			 p->kw.text, TOK_ARGS(&p->tok));
	else if (*v == 23456) {
		/* RFC 6793 section 9: AS_TRANS stands in for a 4-octet AS on
		 * 2-octet sessions and is never a real AS. */
		diag_add(p->diag, p->tok.pos,
			 "%s 23456 is AS_TRANS (RFC 6793), not a real AS number",
			 p->kw.text);
		r = -ERANGE;
	}
	return r == 0;
}

static bool value_addr(struct parser *p, const char *what, struct addr *a)
{
	if (addr_parse(p->tok.text, a) < 0) {
		diag_add(p->diag, p->tok.pos,
			 "invalid %s '" TOK_FMT "' (expected an IPv4 or IPv6 address)",
			 what, TOK_ARGS(&p->tok));
		return false;
	}
	addr_unmap_v4(a);
	return true;
}

static bool addr_is_unspecified(const struct addr *a)
{
	static const uint8_t zero[16];
	return memcmp(a->b, zero, addr_bytes(a->af)) == 0;
}

static bool addr_is_multicast(const struct addr *a)
{
	return a->af == AF_INET ? (a->b[0] & 0xf0) == 0xe0 : a->b[0] == 0xff;
}

static void *grow(struct parser *p, void *arr, size_t n, size_t size)
{
	/* Doubling at powers of two keeps appends amortised O(1). */
	if (n && (n & (n - 1)))
		return arr;
	size_t cap = n ? n * 2 : 1;
	void *q = realloc(arr, cap * size);
	if (!q) {
		p->diag->oom = true;
		return NULL;
	}
	return q;
}

static char *dup_text(struct parser *p)
{
	char *s = strdup(p->tok.text);
	if (!s)
		p->diag->oom = true;
	return s;
}

/* ---- neighbor-level statements (in a neighbor, or a group's defaults) ---- */

static struct nset *block_set(struct parser *p, const struct block *b)
{
	if (b->ctx == CTX_GROUP)
		return &p->pc->groups[b->idx].set;
	return &p->pc->neighbors[b->idx].set;
}

/* yes|no after passive / ttl-security; bare means yes. */
static bool value_bool(struct parser *p, bool *v)
{
	next(p);
	if (at_end(p)) {
		*v = true;
		return true;
	}
	if (p->tok.type == LEX_WORD && strcmp(p->tok.text, "yes") == 0)
		*v = true;
	else if (p->tok.type == LEX_WORD && strcmp(p->tok.text, "no") == 0)
		*v = false;
	else {
		if (p->tok.type != LEX_ERROR) {
			char d[80];
			diag_add(p->diag, p->tok.pos,
				 "invalid %s value %s (expected yes or no)", p->kw.text,
				 lex_describe(&p->tok, d, sizeof(d)));
		}
		return false;
	}
	next(p);
	return true;
}

static bool value_filter(struct parser *p, enum conf_filter *f)
{
	if (!want_value(p, "all or none", false))
		return false;
	if (strcmp(p->tok.text, "all") == 0)
		*f = CONF_FILTER_ALL;
	else if (strcmp(p->tok.text, "none") == 0)
		*f = CONF_FILTER_NONE;
	else {
		/* DESIGN 6 names policies here; they arrive with the
		 * routing core, so say so rather than "invalid". */
		diag_add(p->diag, p->tok.pos,
			 "%s '" TOK_FMT "': named policies are not supported yet (%s all|none)",
			 p->kw.text, TOK_ARGS(&p->tok), p->kw.text);
		return false;
	}
	next(p);
	return true;
}

/* Parses one neighbor-level statement's value into s; false after an
 * error (reported). Leaves the token after the value current. */
static bool nset_value(struct parser *p, struct nset *s, enum nset_field f)
{
	uint32_t v;
	switch (f) {
	case NS_REMOTE_AS:
		if (!want_value(p, "an AS number", false) || !value_asn(p, &v))
			return false;
		s->remote_as = v;
		break;
	case NS_DESCRIPTION:
		if (!want_value(p, "a quoted string", true))
			return false;
		free(s->description);
		s->description = dup_text(p);
		break;
	case NS_PASSWORD:
		if (!want_value(p, "a quoted string", true))
			return false;
		/* RFC 2385 keys; Linux caps them at TCP_MD5SIG_MAXKEYLEN (80). */
		if (p->tok.len < 1 || p->tok.len > 80) {
			diag_add(p->diag, p->tok.pos,
				 "password is %zu bytes long; TCP MD5 keys are 1..80 bytes",
				 p->tok.len);
			return false;
		}
		free(s->password);
		s->password = dup_text(p);
		break;
	case NS_HOLD_TIME:
		if (!want_value(p, "0 or 3..65535", false) ||
		    !value_uint(p, 0, 65535, "0 or 3..65535", &v))
			return false;
		/* RFC 4271 section 4.2: zero, or at least three seconds. */
		if (v == 1 || v == 2) {
			diag_add(p->diag, p->tok.pos,
				 "hold-time %u out of range (0 or 3..65535)", v);
			return false;
		}
		s->hold_time = (uint16_t)v;
		break;
	case NS_KEEPALIVE:
		/* RFC 4271 section 10: keepalive is about a third of the hold
		 * time, so the largest useful value is 65535 / 3. */
		if (!want_value(p, "1..21845", false) ||
		    !value_uint(p, 1, 21845, "1..21845", &v))
			return false;
		s->keepalive = (uint16_t)v;
		break;
	case NS_PASSIVE:
		return value_bool(p, &s->passive);
	case NS_TTL_SECURITY:
		return value_bool(p, &s->ttl_security);
	case NS_LOCAL_ADDRESS:
		if (!want_value(p, "an address", false) ||
		    !value_addr(p, "local-address", &s->local_addr))
			return false;
		if (addr_is_unspecified(&s->local_addr) ||
		    addr_is_multicast(&s->local_addr)) {
			diag_add(p->diag, p->tok.pos,
				 "local-address " TOK_FMT " is not a unicast address",
				 TOK_ARGS(&p->tok));
			memset(&s->local_addr, 0, sizeof(s->local_addr));
			return false;
		}
		break;
	case NS_PORT:
		if (!want_value(p, "1..65535", false) ||
		    !value_uint(p, 1, 65535, "1..65535", &v))
			return false;
		s->port = (uint16_t)v;
		break;
	case NS_IMPORT:
		return value_filter(p, &s->import);
	case NS_EXPORT:
		return value_filter(p, &s->export);
	case NS_COUNT:
		return false;
	}
	next(p);
	return true;
}

static void stmt_nset(struct parser *p, const struct block *b, enum nset_field f)
{
	struct nset *s = block_set(p, b);
	struct conf_pos kwpos = p->kw.pos;
	s->seen |= 1u << f;
	if (nset_has(s, f)) {
		diag_add(p->diag, kwpos, "duplicate '%s' (first set at line %u)",
			 p->kw.text, s->pos[f].line);
		skip_stmt(p);
		return;
	}
	if (!nset_value(p, s, f)) {
		skip_stmt(p);
		return;
	}
	s = block_set(p, b);
	s->set |= 1u << f;
	s->pos[f] = kwpos;
	end_stmt(p);
}

/* ---- blocks ---- */

static void parse_block(struct parser *p, const struct block *b);

/* After a group name or neighbor address: is a block opening here (the
 * brace may sit on a following line)?  Leaves the '{' current if so. */
static bool block_opens(struct parser *p)
{
	if (p->tok.type == LEX_LBRACE)
		return true;
	if (p->tok.type != LEX_EOS || !p->tok.newline || !lex_brace_follows(&p->lx))
		return false;
	while (p->tok.type != LEX_LBRACE)
		next(p);
	return true;
}

static void stmt_neighbor(struct parser *p, const struct block *b)
{
	struct pconf *pc = p->pc;
	if (!want_value(p, "an address", false)) {
		skip_stmt(p);
		return;
	}
	struct pneighbor n = { .pos = p->tok.pos, .group = SIZE_MAX };
	if (b->ctx == CTX_GROUP)
		n.group = b->idx;
	if (value_addr(p, "neighbor address", &n.addr) &&
	    (addr_is_unspecified(&n.addr) || addr_is_multicast(&n.addr))) {
		diag_add(p->diag, p->tok.pos,
			 "neighbor " TOK_FMT " is not a unicast address", TOK_ARGS(&p->tok));
		n.addr.af = 0;
	}
	/* Kept even when the address is bad (af 0, skipped by the
	 * validator) so the errors inside its block are still found. */
	struct pneighbor *arr = grow(p, pc->neighbors, pc->n_neighbors, sizeof(*arr));
	if (!arr) {
		skip_stmt(p);
		return;
	}
	pc->neighbors = arr;
	pc->neighbors[pc->n_neighbors++] = n;
	struct lex_token kw = p->kw;
	next(p);
	if (block_opens(p)) {
		struct block nb = { .ctx = CTX_NEIGHBOR, .idx = pc->n_neighbors - 1,
				    .group = n.group };
		parse_block(p, &nb);
	}
	p->kw = kw;
	end_stmt(p);
}

static bool group_name_ok(const char *s)
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
	if (!want_value(p, "a group name", false)) {
		skip_stmt(p);
		return;
	}
	if (!group_name_ok(p->tok.text))
		diag_add(p->diag, p->tok.pos,
			 "invalid group name '" TOK_FMT "' (up to 64 letters, digits, '-', '_' "
			 "or '.', starting with a letter)", TOK_ARGS(&p->tok));
	struct pgroup g = { .pos = p->tok.pos, .name = dup_text(p) };
	struct pgroup *arr = grow(p, pc->groups, pc->n_groups, sizeof(*arr));
	if (!arr) {
		free(g.name);
		skip_stmt(p);
		return;
	}
	pc->groups = arr;
	pc->groups[pc->n_groups++] = g;
	struct lex_token kw = p->kw;
	next(p);
	if (!block_opens(p)) {
		char d[80];
		if (p->tok.type != LEX_ERROR)
			diag_add(p->diag, p->tok.pos, "expected '{' after group name, got %s",
				 lex_describe(&p->tok, d, sizeof(d)));
		skip_stmt(p);
		return;
	}
	struct block gb = { .ctx = CTX_GROUP, .idx = pc->n_groups - 1, .group = SIZE_MAX };
	parse_block(p, &gb);
	p->kw = kw;
	end_stmt(p);
}

/* ---- top-level statements ---- */

static bool top_once(struct parser *p, bool *set, struct conf_pos *pos)
{
	if (*set) {
		diag_add(p->diag, p->kw.pos, "duplicate '%s' (first set at line %u)",
			 p->kw.text, pos->line);
		return false;
	}
	return true;
}

static void stmt_router_id(struct parser *p)
{
	struct pconf *pc = p->pc;
	struct addr a;
	struct conf_pos kwpos = p->kw.pos;
	pc->router_id_seen = true;
	if (!top_once(p, &pc->router_id_set, &pc->router_id_pos) ||
	    !want_value(p, "an IPv4 address", false)) {
		skip_stmt(p);
		return;
	}
	if (addr_parse(p->tok.text, &a) < 0 || a.af != AF_INET) {
		diag_add(p->diag, p->tok.pos,
			 "invalid router-id '" TOK_FMT "' (expected an IPv4 address A.B.C.D)",
			 TOK_ARGS(&p->tok));
		skip_stmt(p);
		return;
	}
	if (addr_v4_host(&a) == 0) {
		/* RFC 6286 section 2.1: a non-zero 32-bit number. */
		diag_add(p->diag, p->tok.pos,
			 "router-id 0.0.0.0 is not allowed (must be non-zero, RFC 6286)");
		skip_stmt(p);
		return;
	}
	pc->router_id = addr_v4_host(&a);
	pc->router_id_set = true;
	pc->router_id_pos = kwpos;
	next(p);
	end_stmt(p);
}

static void stmt_local_as(struct parser *p)
{
	struct pconf *pc = p->pc;
	uint32_t v;
	struct conf_pos kwpos = p->kw.pos;
	pc->local_as_seen = true;
	if (!top_once(p, &pc->local_as_set, &pc->local_as_pos) ||
	    !want_value(p, "an AS number", false) || !value_asn(p, &v)) {
		skip_stmt(p);
		return;
	}
	pc->local_as = v;
	pc->local_as_set = true;
	pc->local_as_pos = kwpos;
	next(p);
	end_stmt(p);
}

static void stmt_listen(struct parser *p)
{
	struct pconf *pc = p->pc;
	struct conf_listen l = { 0 };
	char d[80];
	next(p);
	if (p->tok.type != LEX_WORD || strcmp(p->tok.text, "on") != 0) {
		if (p->tok.type != LEX_ERROR)
			diag_add(p->diag, p->tok.pos, "expected 'on' after 'listen', got %s",
				 lex_describe(&p->tok, d, sizeof(d)));
		skip_stmt(p);
		return;
	}
	l.pos = p->tok.pos;
	if (!want_value(p, "an address", false) ||
	    !value_addr(p, "listen address", &l.addr)) {
		skip_stmt(p);
		return;
	}
	l.pos = p->tok.pos;
	next(p);
	if (p->tok.type == LEX_WORD && strcmp(p->tok.text, "port") == 0) {
		uint32_t v;
		struct lex_token kw = p->kw;
		p->kw = p->tok;
		if (!want_value(p, "1..65535", false) ||
		    !value_uint(p, 1, 65535, "1..65535", &v)) {
			skip_stmt(p);
			return;
		}
		p->kw = kw;
		l.port = (uint16_t)v;
		next(p);
	}
	struct conf_listen *arr = grow(p, pc->listen, pc->n_listen, sizeof(*arr));
	if (!arr) {
		skip_stmt(p);
		return;
	}
	pc->listen = arr;
	pc->listen[pc->n_listen++] = l;
	end_stmt(p);
}

static void stmt_originate(struct parser *p)
{
	struct pconf *pc = p->pc;
	struct conf_originate o = { 0 };
	if (!want_value(p, "a prefix", false)) {
		skip_stmt(p);
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
		skip_stmt(p);
		return;
	}
	struct conf_originate *arr = grow(p, pc->originate, pc->n_originate, sizeof(*arr));
	if (!arr) {
		skip_stmt(p);
		return;
	}
	pc->originate = arr;
	pc->originate[pc->n_originate++] = o;
	next(p);
	end_stmt(p);
}

/* ---- dispatch ---- */

enum kw_kind { KW_ROUTER_ID, KW_LOCAL_AS, KW_LISTEN, KW_ORIGINATE, KW_GROUP,
	       KW_NEIGHBOR, KW_NSET };

struct keyword {
	const char *name;
	unsigned ctx;            /* CTX_* where it is allowed */
	enum kw_kind kind;
	enum nset_field field;   /* for KW_NSET */
};

#define NSET_CTX (CTX_GROUP | CTX_NEIGHBOR)

static const struct keyword keywords[] = {
	{ "router-id", CTX_TOP, KW_ROUTER_ID, 0 },
	{ "local-as", CTX_TOP, KW_LOCAL_AS, 0 },
	{ "listen", CTX_TOP, KW_LISTEN, 0 },
	{ "originate", CTX_TOP, KW_ORIGINATE, 0 },
	{ "group", CTX_TOP, KW_GROUP, 0 },
	{ "neighbor", CTX_TOP | CTX_GROUP, KW_NEIGHBOR, 0 },
	{ "remote-as", NSET_CTX, KW_NSET, NS_REMOTE_AS },
	{ "description", NSET_CTX, KW_NSET, NS_DESCRIPTION },
	{ "password", NSET_CTX, KW_NSET, NS_PASSWORD },
	{ "hold-time", NSET_CTX, KW_NSET, NS_HOLD_TIME },
	{ "keepalive", NSET_CTX, KW_NSET, NS_KEEPALIVE },
	{ "passive", NSET_CTX, KW_NSET, NS_PASSIVE },
	{ "ttl-security", NSET_CTX, KW_NSET, NS_TTL_SECURITY },
	{ "local-address", NSET_CTX, KW_NSET, NS_LOCAL_ADDRESS },
	{ "port", NSET_CTX, KW_NSET, NS_PORT },
	{ "import", NSET_CTX, KW_NSET, NS_IMPORT },
	{ "export", NSET_CTX, KW_NSET, NS_EXPORT },
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
			 TOK_ARGS(&p->tok), ctx_where(ctx), s);
	else
		diag_add(p->diag, p->tok.pos, "unknown statement '" TOK_FMT "' %s",
			 TOK_ARGS(&p->tok), ctx_where(ctx));
	skip_stmt(p);
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
		 ctx_where(ctx), why);
	skip_stmt(p);
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
		stmt_router_id(p);
		break;
	case KW_LOCAL_AS:
		stmt_local_as(p);
		break;
	case KW_LISTEN:
		stmt_listen(p);
		break;
	case KW_ORIGINATE:
		stmt_originate(p);
		break;
	case KW_GROUP:
		stmt_group(p);
		break;
	case KW_NEIGHBOR:
		stmt_neighbor(p, b);
		break;
	case KW_NSET:
		stmt_nset(p, b, k->field);
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
		next(p);
	for (;;) {
		switch (p->tok.type) {
		case LEX_EOS:
			next(p);
			break;
		case LEX_EOF:
			if (b->ctx != CTX_TOP)
				diag_add(p->diag, open,
					 "unterminated %s block (no matching '}')",
					 b->ctx == CTX_GROUP ? "group" : "neighbor");
			return;
		case LEX_RBRACE:
			if (b->ctx != CTX_TOP) {
				next(p);
				return;
			}
			diag_add(p->diag, p->tok.pos, "unexpected '}' (no block is open)");
			next(p);
			break;
		case LEX_LBRACE:
			diag_add(p->diag, p->tok.pos, "unexpected '{' (a block must follow "
				 "'group NAME' or 'neighbor ADDR')");
			skip_block(p);
			break;
		case LEX_STRING:
			diag_add(p->diag, p->tok.pos, "expected a statement %s, got %s",
				 ctx_where(b->ctx), lex_describe(&p->tok, d, sizeof(d)));
			skip_stmt(p);
			break;
		case LEX_ERROR:
			skip_stmt(p);
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
	next(p);
	struct block top = { .ctx = CTX_TOP, .group = SIZE_MAX };
	parse_block(p, &top);
	free(p);
}

static void nset_free(struct nset *s)
{
	free(s->description);
	free(s->password);
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
	free(pc->originate);
	memset(pc, 0, sizeof(*pc));
}
