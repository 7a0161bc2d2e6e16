/* The parser's shared state and helpers, split between parse.c (blocks,
 * recovery, dispatch) and stmt.c (the statements and their values).
 * Private to src/conf. */
#ifndef EGRESS_CONF_PARSER_H
#define EGRESS_CONF_PARSER_H

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


const char *parser_ctx_where(enum ctx c);
/* Moves to the next token (end of file once the error cap is reached). */
void parser_next(struct parser *p);
/* Current token ends the statement: newline, ';', '}' or end of file. */
bool parser_at_end(const struct parser *p);
/* Skips the rest of a statement, including any block it opened, and
 * the newline or ';' that ends it; leaves a closing '}' for the block. */
void parser_skip_stmt(struct parser *p);
/* Expects the statement to end here; reports and skips anything else. */
void parser_end_stmt(struct parser *p);
/* Moves to the statement's next token and checks it is a value: a word,
 * or also a string when string_ok.  Reports what is wrong (nothing more
 * for a token the lexer already reported). */
bool parser_want_value(struct parser *p, const char *expect, bool string_ok);
bool parser_value_addr(struct parser *p, const char *what, struct addr *a);
bool parser_addr_unspecified(const struct addr *a);
bool parser_addr_multicast(const struct addr *a);
/* Makes room to append element n (arrays grow by doubling); NULL and
 * the diag marked out of memory on failure. */
void *parser_grow(struct parser *p, void *arr, size_t n, size_t size);
char *parser_dup_text(struct parser *p);

/* Statements (stmt.c); the keyword is p->kw and the current token. */
void parser_stmt_nset(struct parser *p, const struct block *b, enum nset_field f);
void parser_stmt_router_id(struct parser *p);
void parser_stmt_local_as(struct parser *p);
void parser_stmt_listen(struct parser *p);
/* originate and condition (originate.c). */
void parser_stmt_originate(struct parser *p);
/* personality, vpn-ecmp, route-table NAME { ... } (stmt_cloud.c). */
void parser_stmt_personality(struct parser *p);
void parser_stmt_vpn_ecmp(struct parser *p);
void parser_stmt_route_table(struct parser *p);
void parser_stmt_condition(struct parser *p);
/* fib { ... } (stmt_fib.c). */
void parser_stmt_fib(struct parser *p);
/* Decision knobs (decision.c); which is an enum pdecision_field. */
void parser_stmt_decision(struct parser *p, int which);
/* probe NAME { ... } (stmt_probe.c). */
void parser_stmt_probe(struct parser *p);
/* Policy blocks (stmt_policy.c). */
void parser_stmt_prefix_set(struct parser *p);
void parser_stmt_policy(struct parser *p);

/* Block helpers shared with stmt_policy.c (parse.c). */
/* After a name: is a block opening here (the brace may sit on a
 * following line)?  Leaves the '{' current if so. */
bool parser_block_opens(struct parser *p);
/* Current token is '{': skip to its matching '}'. */
void parser_skip_block(struct parser *p);
/* Runs fn on each statement of a named block (fib, probe, route-table,
 * policy, ...) up to its closing '}'; the current token is its '{'.
 * Blank statements are skipped, a nested '{' is reported and skipped,
 * and end of file reports "unterminated WHAT block".  True when the '}'
 * was reached (and consumed), false at end of file. */
bool parser_block(struct parser *p, const char *what,
		  void (*fn)(struct parser *, void *), void *arg);
/* A word that prints back as itself and reads well in messages: up to
 * 64 letters, digits, '-', '_' or '.', starting with a letter. */
bool parser_name_ok(const char *s);

#endif
