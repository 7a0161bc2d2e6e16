/* The statements: each parses its values into the struct pconf (or a
 * group's or neighbor's settings) and reports what is wrong with them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/parser.h"

bool parser_want_value(struct parser *p, const char *expect, bool string_ok)
{
	parser_next(p);
	if (p->tok.type == LEX_WORD || (string_ok && p->tok.type == LEX_STRING))
		return true;
	if (p->tok.type == LEX_ERROR)
		return false;
	if (parser_at_end(p)) {
		diag_add(p->diag, p->tok.pos, "missing value after '%s' (expected %s)",
			 p->kw.text, expect);
	} else {
		char d[80];
		diag_add(p->diag, p->tok.pos, "expected %s after '%s', got %s", expect,
			 p->kw.text, lex_describe(&p->tok, d, sizeof(d)));
	}
	return false;
}

static bool parser_value_uint(struct parser *p, uint32_t lo, uint32_t hi,
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

static bool parser_value_asn(struct parser *p, uint32_t *v)
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

bool parser_value_addr(struct parser *p, const char *what, struct addr *a)
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

bool parser_addr_unspecified(const struct addr *a)
{
	static const uint8_t zero[16];
	return memcmp(a->b, zero, addr_bytes(a->af)) == 0;
}

bool parser_addr_multicast(const struct addr *a)
{
	return a->af == AF_INET ? (a->b[0] & 0xf0) == 0xe0 : a->b[0] == 0xff;
}

void *parser_grow(struct parser *p, void *arr, size_t n, size_t size)
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

char *parser_dup_text(struct parser *p)
{
	char *s = strdup(p->tok.text);
	if (!s)
		p->diag->oom = true;
	return s;
}

/* ---- neighbor-level statements (in a neighbor, or a group's defaults) ---- */

static struct nset *parser_block_set(struct parser *p, const struct block *b)
{
	if (b->ctx == CTX_GROUP)
		return &p->pc->groups[b->idx].set;
	return &p->pc->neighbors[b->idx].set;
}

/* yes|no after passive / ttl-security; bare means yes. */
static bool parser_value_bool(struct parser *p, bool *v)
{
	parser_next(p);
	if (parser_at_end(p)) {
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
	parser_next(p);
	return true;
}

static bool parser_value_filter(struct parser *p, enum conf_filter *f, char **name)
{
	if (!parser_want_value(p, "all, none or a policy name", false))
		return false;
	if (strcmp(p->tok.text, "all") == 0) {
		*f = CONF_FILTER_ALL;
	} else if (strcmp(p->tok.text, "none") == 0) {
		*f = CONF_FILTER_NONE;
	} else if (parser_name_ok(p->tok.text)) {
		/* DESIGN 6: a policy name; the validator checks it exists,
		 * since policies may be defined after the neighbors. */
		free(*name);
		*name = parser_dup_text(p);
		*f = CONF_FILTER_POLICY;
	} else {
		diag_add(p->diag, p->tok.pos,
			 "invalid %s '" TOK_FMT "' (expected all, none or a policy name)",
			 p->kw.text, TOK_ARGS(&p->tok));
		return false;
	}
	parser_next(p);
	return true;
}

/* Parses one neighbor-level statement's value into s; false after an
 * error (reported). Leaves the token after the value current. */
static bool parser_nset_value(struct parser *p, struct nset *s, enum nset_field f)
{
	uint32_t v;
	switch (f) {
	case NS_REMOTE_AS:
		if (!parser_want_value(p, "an AS number", false) || !parser_value_asn(p, &v))
			return false;
		s->remote_as = v;
		break;
	case NS_DESCRIPTION:
		if (!parser_want_value(p, "a quoted string", true))
			return false;
		free(s->description);
		s->description = parser_dup_text(p);
		break;
	case NS_PASSWORD:
		if (!parser_want_value(p, "a quoted string", true))
			return false;
		/* RFC 2385 keys; Linux caps them at TCP_MD5SIG_MAXKEYLEN (80). */
		if (p->tok.len < 1 || p->tok.len > 80) {
			diag_add(p->diag, p->tok.pos,
				 "password is %zu bytes long; TCP MD5 keys are 1..80 bytes",
				 p->tok.len);
			return false;
		}
		free(s->password);
		s->password = parser_dup_text(p);
		break;
	case NS_HOLD_TIME:
		if (!parser_want_value(p, "0 or 3..65535", false) ||
		    !parser_value_uint(p, 0, 65535, "0 or 3..65535", &v))
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
		if (!parser_want_value(p, "1..21845", false) ||
		    !parser_value_uint(p, 1, 21845, "1..21845", &v))
			return false;
		s->keepalive = (uint16_t)v;
		break;
	case NS_CONNECT_RETRY:
		/* RFC 4271 section 8: ConnectRetryTime is a positive number
		 * of seconds; zero would retry in a tight loop. */
		if (!parser_want_value(p, "1..65535", false) ||
		    !parser_value_uint(p, 1, 65535, "1..65535", &v))
			return false;
		s->connect_retry = (uint16_t)v;
		break;
	case NS_DELAY_OPEN:
		/* RFC 4271 section 8.1.1: DelayOpenTime, with 0 meaning the
		 * DelayOpen attribute is off. */
		if (!parser_want_value(p, "0..65535", false) ||
		    !parser_value_uint(p, 0, 65535, "0..65535", &v))
			return false;
		s->delay_open = (uint16_t)v;
		break;
	case NS_PASSIVE:
		return parser_value_bool(p, &s->passive);
	case NS_TTL_SECURITY:
		return parser_value_bool(p, &s->ttl_security);
	case NS_LOCAL_ADDRESS:
		if (!parser_want_value(p, "an address", false) ||
		    !parser_value_addr(p, "local-address", &s->local_addr))
			return false;
		if (parser_addr_unspecified(&s->local_addr) ||
		    parser_addr_multicast(&s->local_addr)) {
			diag_add(p->diag, p->tok.pos,
				 "local-address " TOK_FMT " is not a unicast address",
				 TOK_ARGS(&p->tok));
			memset(&s->local_addr, 0, sizeof(s->local_addr));
			return false;
		}
		break;
	case NS_PORT:
		if (!parser_want_value(p, "1..65535", false) ||
		    !parser_value_uint(p, 1, 65535, "1..65535", &v))
			return false;
		s->port = (uint16_t)v;
		break;
	case NS_IMPORT:
		return parser_value_filter(p, &s->import, &s->import_policy);
	case NS_EXPORT:
		return parser_value_filter(p, &s->export, &s->export_policy);
	case NS_MAX_PREFIX:
		/* RFC 4486 4: the limit travels as 4 octets. */
		if (!parser_want_value(p, "1..4294967295", false) ||
		    !parser_value_uint(p, 1, UINT32_MAX, "1..4294967295", &v))
			return false;
		s->max_prefix = v;
		break;
	case NS_ATTACHMENT:
		if (!parser_want_value(p, "vpn or direct-connect", false))
			return false;
		if (strcmp(p->tok.text, "vpn") == 0) {
			s->attachment = CONF_ATTACH_VPN;
		} else if (strcmp(p->tok.text, "direct-connect") == 0) {
			s->attachment = CONF_ATTACH_DX;
		} else {
			diag_add(p->diag, p->tok.pos,
				 "invalid attachment '" TOK_FMT "' (expected vpn or direct-connect)",
				 TOK_ARGS(&p->tok));
			return false;
		}
		break;
	case NS_SOFT_RECONF:
		/* Only the inbound side exists: outbound is the Adj-RIB-Out,
		 * always kept. */
		if (!parser_want_value(p, "inbound", false))
			return false;
		if (strcmp(p->tok.text, "inbound") != 0) {
			diag_add(p->diag, p->tok.pos,
				 "invalid soft-reconfiguration '" TOK_FMT "' (expected inbound)",
				 TOK_ARGS(&p->tok));
			return false;
		}
		s->soft_reconfig_in = true;
		break;
	case NS_GRACEFUL_RESTART:
		if (!parser_want_value(p, "on or off", false))
			return false;
		if (strcmp(p->tok.text, "on") == 0) {
			s->graceful_restart = true;
		} else if (strcmp(p->tok.text, "off") == 0) {
			s->graceful_restart = false;
		} else {
			diag_add(p->diag, p->tok.pos,
				 "invalid graceful-restart '" TOK_FMT "' (expected on or off)",
				 TOK_ARGS(&p->tok));
			return false;
		}
		break;
	case NS_RESTART_TIME:
		/* RFC 4724 3: the Restart Time field has 12 bits; 0 would
		 * tell the peer to drop our routes at once. */
		if (!parser_want_value(p, "1..4095", false) ||
		    !parser_value_uint(p, 1, 4095, "1..4095", &v))
			return false;
		s->restart_time = (uint16_t)v;
		break;
	case NS_COUNT:
		return false;
	}
	parser_next(p);
	return true;
}

void parser_stmt_nset(struct parser *p, const struct block *b, enum nset_field f)
{
	struct nset *s = parser_block_set(p, b);
	struct conf_pos kwpos = p->kw.pos;
	s->seen |= 1u << f;
	if (nset_has(s, f)) {
		diag_add(p->diag, kwpos, "duplicate '%s' (first set at line %u)",
			 p->kw.text, s->pos[f].line);
		parser_skip_stmt(p);
		return;
	}
	if (!parser_nset_value(p, s, f)) {
		parser_skip_stmt(p);
		return;
	}
	s = parser_block_set(p, b);
	s->set |= 1u << f;
	s->pos[f] = kwpos;
	parser_end_stmt(p);
}

/* ---- top-level statements ---- */

static bool parser_top_once(struct parser *p, bool *set, struct conf_pos *pos)
{
	if (*set) {
		diag_add(p->diag, p->kw.pos, "duplicate '%s' (first set at line %u)",
			 p->kw.text, pos->line);
		return false;
	}
	return true;
}

void parser_stmt_router_id(struct parser *p)
{
	struct pconf *pc = p->pc;
	struct addr a;
	struct conf_pos kwpos = p->kw.pos;
	pc->router_id_seen = true;
	if (!parser_top_once(p, &pc->router_id_set, &pc->router_id_pos) ||
	    !parser_want_value(p, "an IPv4 address", false)) {
		parser_skip_stmt(p);
		return;
	}
	if (addr_parse(p->tok.text, &a) < 0 || a.af != AF_INET) {
		diag_add(p->diag, p->tok.pos,
			 "invalid router-id '" TOK_FMT "' (expected an IPv4 address A.B.C.D)",
			 TOK_ARGS(&p->tok));
		parser_skip_stmt(p);
		return;
	}
	if (addr_v4_host(&a) == 0) {
		/* RFC 6286 section 2.1: a non-zero 32-bit number. */
		diag_add(p->diag, p->tok.pos,
			 "router-id 0.0.0.0 is not allowed (must be non-zero, RFC 6286)");
		parser_skip_stmt(p);
		return;
	}
	pc->router_id = addr_v4_host(&a);
	pc->router_id_set = true;
	pc->router_id_pos = kwpos;
	parser_next(p);
	parser_end_stmt(p);
}

void parser_stmt_local_as(struct parser *p)
{
	struct pconf *pc = p->pc;
	uint32_t v;
	struct conf_pos kwpos = p->kw.pos;
	pc->local_as_seen = true;
	if (!parser_top_once(p, &pc->local_as_set, &pc->local_as_pos) ||
	    !parser_want_value(p, "an AS number", false) || !parser_value_asn(p, &v)) {
		parser_skip_stmt(p);
		return;
	}
	pc->local_as = v;
	pc->local_as_set = true;
	pc->local_as_pos = kwpos;
	parser_next(p);
	parser_end_stmt(p);
}

void parser_stmt_listen(struct parser *p)
{
	struct pconf *pc = p->pc;
	struct conf_listen l = { 0 };
	char d[80];
	parser_next(p);
	if (p->tok.type != LEX_WORD || strcmp(p->tok.text, "on") != 0) {
		if (p->tok.type != LEX_ERROR)
			diag_add(p->diag, p->tok.pos, "expected 'on' after 'listen', got %s",
				 lex_describe(&p->tok, d, sizeof(d)));
		parser_skip_stmt(p);
		return;
	}
	l.pos = p->tok.pos;
	if (!parser_want_value(p, "an address", false) ||
	    !parser_value_addr(p, "listen address", &l.addr)) {
		parser_skip_stmt(p);
		return;
	}
	l.pos = p->tok.pos;
	parser_next(p);
	if (p->tok.type == LEX_WORD && strcmp(p->tok.text, "port") == 0) {
		uint32_t v;
		struct lex_token kw = p->kw;
		p->kw = p->tok;
		if (!parser_want_value(p, "1..65535", false) ||
		    !parser_value_uint(p, 1, 65535, "1..65535", &v)) {
			parser_skip_stmt(p);
			return;
		}
		p->kw = kw;
		l.port = (uint16_t)v;
		parser_next(p);
	}
	struct conf_listen *arr = parser_grow(p, pc->listen, pc->n_listen, sizeof(*arr));
	if (!arr) {
		parser_skip_stmt(p);
		return;
	}
	pc->listen = arr;
	pc->listen[pc->n_listen++] = l;
	parser_end_stmt(p);
}

