#include "conf/lex.h"

#include <stdio.h>
#include <string.h>

void lex_init(struct lex *lx, const void *text, size_t len, struct conf_diag *diag)
{
	rbuf_init(&lx->in, text, len);
	lx->line = 1;
	lx->col = 1;
	lx->diag = diag;
}

/* The byte `off` ahead of the cursor, or -1 past the end. */
static int lex_peek_at(const struct rbuf *in, size_t off)
{
	if (off >= rbuf_left(in))
		return -1;
	return in->p[off];
}

static int lex_peek(const struct lex *lx)
{
	return lex_peek_at(&lx->in, 0);
}

/* Consumes one byte, keeping line and column (1-based, in bytes). */
static int lex_take(struct lex *lx)
{
	uint8_t c;
	if (rbuf_get_u8(&lx->in, &c) < 0)
		return -1;
	if (c == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	return c;
}

static struct conf_pos lex_pos(const struct lex *lx)
{
	return (struct conf_pos){ .line = lx->line, .col = lx->col };
}

static bool lex_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool lex_is_word(int c)
{
	return c > 0x20 && c != 0x7f && c != '{' && c != '}' && c != ';' &&
	       c != '#' && c != '"';
}

static void lex_skip_comment(struct lex *lx)
{
	int c;
	while ((c = lex_peek(lx)) >= 0 && c != '\n')
		lex_take(lx);
}

/* Strings: "..." with \" and \\ only, no control characters, ending on
 * the same line.  Reports the first problem only, then finds the end of
 * the string so the next token starts at a sane place. */
static void lex_string(struct lex *lx, struct lex_token *t)
{
	bool bad = false;
	lex_take(lx); /* opening quote */
	t->type = LEX_STRING;
	for (;;) {
		struct conf_pos at = lex_pos(lx);
		int c = lex_peek(lx);
		if (c < 0 || c == '\n') {
			/* Leave the newline: it still ends the statement. */
			diag_add(lx->diag, t->pos, "unterminated string");
			t->type = LEX_ERROR;
			return;
		}
		lex_take(lx);
		if (c == '"')
			break;
		if (c == '\\') {
			int e = lex_peek(lx);
			if (e == '"' || e == '\\') {
				lex_take(lx);
				c = e;
			} else if (e < 0 || e == '\n') {
				continue; /* reported as unterminated next round */
			} else {
				lex_take(lx);
				if (!bad) {
					if (e >= 0x20 && e < 0x7f)
						diag_add(lx->diag, at,
							 "unknown escape '\\%c' in string (only \\\" and \\\\ are allowed)",
							 e);
					else
						diag_add(lx->diag, at,
							 "unknown escape in string (only \\\" and \\\\ are allowed)");
				}
				bad = true;
				continue;
			}
		} else if ((c < 0x20 && c != '\t') || c == 0x7f) {
			if (!bad)
				diag_add(lx->diag, at,
					 "control character 0x%02x in string", c);
			bad = true;
			continue;
		}
		if (t->len == LEX_TOKEN_MAX) {
			if (!bad)
				diag_add(lx->diag, t->pos,
					 "string too long (limit %d bytes)",
					 LEX_TOKEN_MAX);
			bad = true;
			continue;
		}
		t->text[t->len++] = (char)c;
	}
	t->text[t->len] = '\0';
	if (bad)
		t->type = LEX_ERROR;
}

static void lex_word(struct lex *lx, struct lex_token *t)
{
	int c;
	bool too_long = false;
	t->type = LEX_WORD;
	while ((c = lex_peek(lx)) >= 0 && lex_is_word(c)) {
		lex_take(lx);
		if (t->len == LEX_TOKEN_MAX) {
			too_long = true;
			continue;
		}
		t->text[t->len++] = (char)c;
	}
	t->text[t->len] = '\0';
	if (too_long) {
		diag_add(lx->diag, t->pos, "word too long (limit %d bytes)",
			 LEX_TOKEN_MAX);
		t->type = LEX_ERROR;
	}
}

void lex_next(struct lex *lx, struct lex_token *t)
{
	t->len = 0;
	t->text[0] = '\0';
	t->newline = false;
	for (;;) {
		int c = lex_peek(lx);
		t->pos = lex_pos(lx);
		if (c < 0) {
			t->type = LEX_EOF;
			return;
		}
		if (lex_is_space(c)) {
			lex_take(lx);
			continue;
		}
		if (c == '#') {
			lex_skip_comment(lx);
			continue;
		}
		switch (c) {
		case '\n':
			t->newline = true;
			/* fall through */
		case ';':
			lex_take(lx);
			t->type = LEX_EOS;
			return;
		case '{':
			lex_take(lx);
			t->type = LEX_LBRACE;
			return;
		case '}':
			lex_take(lx);
			t->type = LEX_RBRACE;
			return;
		case '"':
			lex_string(lx, t);
			return;
		}
		if (lex_is_word(c)) {
			lex_word(lx, t);
			return;
		}
		/* Control characters and DEL outside strings. */
		lex_take(lx);
		diag_add(lx->diag, t->pos, "unexpected control character 0x%02x", c);
		t->type = LEX_ERROR;
		return;
	}
}

bool lex_brace_follows(const struct lex *lx)
{
	struct rbuf in = lx->in;
	size_t off = 0;
	for (;;) {
		int c = lex_peek_at(&in, off);
		if (c < 0)
			return false;
		if (c == '{')
			return true;
		if (c == '#') {
			while ((c = lex_peek_at(&in, off)) >= 0 && c != '\n')
				off++;
			continue;
		}
		if (c != '\n' && !lex_is_space(c))
			return false;
		off++;
	}
}

/* Quotes at most this much of a token in a message. */
#define LEX_DESCRIBE_MAX 48

const char *lex_describe(const struct lex_token *t, char *buf, size_t size)
{
	int cut = t->len > LEX_DESCRIBE_MAX ? LEX_DESCRIBE_MAX : (int)t->len;
	const char *dots = t->len > LEX_DESCRIBE_MAX ? "..." : "";
	switch (t->type) {
	case LEX_EOF:
		snprintf(buf, size, "end of file");
		break;
	case LEX_EOS:
		snprintf(buf, size, t->newline ? "end of line" : "';'");
		break;
	case LEX_LBRACE:
		snprintf(buf, size, "'{'");
		break;
	case LEX_RBRACE:
		snprintf(buf, size, "'}'");
		break;
	case LEX_WORD:
		snprintf(buf, size, "'%.*s%s'", cut, t->text, dots);
		break;
	case LEX_STRING:
		snprintf(buf, size, "string \"%.*s%s\"", cut, t->text, dots);
		break;
	case LEX_ERROR:
		snprintf(buf, size, "invalid token");
		break;
	}
	return buf;
}
