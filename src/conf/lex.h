/* Tokenizer for the configuration language.
 *
 * A statement ends at a newline or ';' (both come out as LEX_EOS), '#'
 * starts a comment to the end of the line, strings are double-quoted with
 * \" and \\ as the only escapes and end on the line they start.  Anything
 * else up to whitespace or one of { } ; # " is a word.  Bad input is
 * reported through the diag and comes out as LEX_ERROR, so the parser can
 * skip the statement without a second message. */
#ifndef EGRESS_CONF_LEX_H
#define EGRESS_CONF_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"
#include "conf/diag.h"
#include "core/buf.h"

/* Longest word or string; longer ones are errors, so a token always fits
 * in struct lex_token and nothing is allocated per token. */
#define LEX_TOKEN_MAX 1024

enum lex_type {
	LEX_EOF,
	LEX_EOS,     /* newline or ';' */
	LEX_LBRACE,
	LEX_RBRACE,
	LEX_WORD,
	LEX_STRING,
	LEX_ERROR,   /* already reported */
};

struct lex_token {
	enum lex_type type;
	struct conf_pos pos;
	bool newline;          /* LEX_EOS that was a newline, not ';' */
	size_t len;            /* bytes in text (WORD, STRING) */
	char text[LEX_TOKEN_MAX + 1]; /* NUL-terminated; strings unescaped */
};

struct lex {
	struct rbuf in;
	unsigned line, col;    /* position of the next unread byte */
	struct conf_diag *diag;
};

void lex_init(struct lex *lx, const void *text, size_t len, struct conf_diag *diag);
void lex_next(struct lex *lx, struct lex_token *t);
/* True if only whitespace, newlines and comments stand between here and
 * a '{' (lets a block's brace sit on the next line). Consumes nothing. */
bool lex_brace_follows(const struct lex *lx);
/* Describes a token for messages: 'word', string "x", end of line, ... */
const char *lex_describe(const struct lex_token *t, char *buf, size_t size);

#endif
