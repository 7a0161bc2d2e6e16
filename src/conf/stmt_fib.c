/* The fib block (issue 4): which kernel table egressd writes, whether
 * it spreads a prefix over its multipath set, whether it writes at all,
 * the route protocol number it tags its routes with, and whether its
 * routes outlive a restart of egressd.
 *
 *   fib { table 100; ecmp on; install on; protocol 57; graceful-restart off
 *         backup-routes on }
 *
 * install: on writes the kernel; off computes nothing for it (like a
 * routing daemon with no kernel protocol); dry-run computes what would
 * be written, on a table in memory, for `show fib`.
 *
 * The protocol number is how egressd finds its own routes again (to
 * adopt or sweep them after a restart), so it must not be one the
 * kernel or another routing daemon uses: egressd would delete their
 * routes as stale.
 *
 * backup-routes: with on (the default), each route whose next-best path
 * leaves through another interface gets a second kernel route at a
 * higher metric through that path, so a link going down moves traffic
 * at once although the kernel deletes the primary's nexthops itself.
 *
 * initial-download: after-eor (the default) holds the first download of
 * routes until every Established peer sent End-of-RIB (RFC 4724 2), or
 * a bounded timer, and then writes the whole table in one pass in an
 * order the kernel inserts fast; immediate writes each route as it
 * arrives, as after the first download. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/parser.h"

void conf_fib_defaults(struct conf_fib *f)
{
	memset(f, 0, sizeof(*f));
	f->table = CONF_FIB_TABLE_MAIN;
	f->ecmp = true;
	f->install = true;
	f->protocol = CONF_FIB_PROTOCOL_DEFAULT;
	f->backup_routes = true;
	f->initial_after_eor = true;
}

bool conf_fib_equal(const struct conf_fib *a, const struct conf_fib *b)
{
	return a->table == b->table && a->ecmp == b->ecmp && a->install == b->install &&
	       a->protocol == b->protocol && a->graceful_restart == b->graceful_restart &&
	       a->table_set == b->table_set && a->ecmp_set == b->ecmp_set &&
	       a->install_set == b->install_set && a->protocol_set == b->protocol_set &&
	       a->graceful_restart_set == b->graceful_restart_set && a->dry_run == b->dry_run &&
	       a->backup_routes == b->backup_routes && a->backup_routes_set == b->backup_routes_set &&
	       a->initial_after_eor == b->initial_after_eor &&
	       a->initial_download_set == b->initial_download_set;
}

/* Route protocol numbers that are not ours to take: the kernel's own
 * (include/uapi/linux/rtnetlink.h RTPROT_*) and those iproute2's
 * rt_protos names for other daemons. */
static const struct {
	uint8_t num;
	const char *owner;
} taken_protocols[] = {
	{ 0, "unspec" }, { 1, "redirect" }, { 2, "kernel" }, { 3, "boot" }, { 4, "static" },
	{ 8, "gated" }, { 9, "ra" }, { 10, "mrt" }, { 11, "zebra" }, { 12, "bird" },
	{ 13, "dnrouted" }, { 14, "xorp" }, { 15, "ntk" }, { 16, "dhcp" },
	{ 17, "mrouted" }, { 18, "keepalived" }, { 42, "babel" }, { 99, "openr" },
	{ 186, "bgp (FRR)" }, { 187, "isis (FRR)" }, { 188, "ospf (FRR)" },
	{ 189, "rip (FRR)" }, { 192, "eigrp (FRR)" },
};

enum fib_kw { FK_TABLE, FK_ECMP, FK_INSTALL, FK_PROTOCOL, FK_GR, FK_BACKUP, FK_INITIAL, FK_COUNT };
static const char *const fib_words[FK_COUNT] = { "table", "ecmp", "install", "protocol",
						 "graceful-restart", "backup-routes",
						 "initial-download" };

struct fib_ctx {
	struct conf_pos first[FK_COUNT]; /* line 0 = not yet seen */
};

static bool fib_on_off(struct parser *p, bool *v)
{
	if (!parser_want_value(p, "on or off", false))
		return false;
	if (strcmp(p->tok.text, "on") == 0) {
		*v = true;
	} else if (strcmp(p->tok.text, "off") == 0) {
		*v = false;
	} else {
		diag_add(p->diag, p->tok.pos, "invalid %s value '" TOK_FMT "' (expected on or off)",
			 p->kw.text, TOK_ARGS(&p->tok));
		return false;
	}
	return true;
}

static bool fib_initial(struct parser *p, bool *after_eor)
{
	if (!parser_want_value(p, "after-eor or immediate", false))
		return false;
	if (strcmp(p->tok.text, "after-eor") == 0) {
		*after_eor = true;
	} else if (strcmp(p->tok.text, "immediate") == 0) {
		*after_eor = false;
	} else {
		diag_add(p->diag, p->tok.pos,
			 "invalid %s value '" TOK_FMT "' (expected after-eor or immediate)",
			 p->kw.text, TOK_ARGS(&p->tok));
		return false;
	}
	return true;
}

static bool fib_install(struct parser *p, struct conf_fib *f)
{
	if (!parser_want_value(p, "on, off or dry-run", false))
		return false;
	if (strcmp(p->tok.text, "on") == 0 || strcmp(p->tok.text, "off") == 0) {
		f->install = p->tok.text[1] == 'n';
		f->dry_run = false;
	} else if (strcmp(p->tok.text, "dry-run") == 0) {
		f->install = false;
		f->dry_run = true;
	} else {
		diag_add(p->diag, p->tok.pos,
			 "invalid install value '" TOK_FMT "' (expected on, off or dry-run)",
			 TOK_ARGS(&p->tok));
		return false;
	}
	return true;
}

static bool fib_table(struct parser *p, uint32_t *v)
{
	if (!parser_want_value(p, "a table number or main", false))
		return false;
	if (strcmp(p->tok.text, "main") == 0) {
		*v = CONF_FIB_TABLE_MAIN;
		return true;
	}
	int r = conf_value_uint(p->tok.text, 1, UINT32_MAX, v);
	if (r == -EINVAL) {
		diag_add(p->diag, p->tok.pos,
			 "invalid table '" TOK_FMT "' (expected 1..4294967295 or main)",
			 TOK_ARGS(&p->tok));
		return false;
	}
	if (r < 0) {
		diag_add(p->diag, p->tok.pos, "table " TOK_FMT " out of range (1..4294967295)",
			 TOK_ARGS(&p->tok));
		return false;
	}
	/* 255 is the kernel's local table (its own addresses and
	 * broadcasts); 253 "default" is legal but rarely meant. */
	if (*v == 255) {
		diag_add(p->diag, p->tok.pos,
			 "table 255 is the kernel's local table; choose another (e.g. main or 100)");
		return false;
	}
	return true;
}

static bool fib_protocol(struct parser *p, uint8_t *out)
{
	uint32_t v;
	if (!parser_want_value(p, "5..255", false))
		return false;
	int r = conf_value_uint(p->tok.text, 0, 255, &v);
	if (r == -EINVAL) {
		diag_add(p->diag, p->tok.pos, "invalid protocol '" TOK_FMT "' (expected 5..255)",
			 TOK_ARGS(&p->tok));
		return false;
	}
	if (r < 0) {
		diag_add(p->diag, p->tok.pos, "protocol " TOK_FMT " out of range (5..255)",
			 TOK_ARGS(&p->tok));
		return false;
	}
	for (size_t i = 0; i < sizeof(taken_protocols) / sizeof(taken_protocols[0]); i++) {
		if (taken_protocols[i].num == v) {
			diag_add(p->diag, p->tok.pos,
				 "protocol %u is taken by '%s'; egressd sweeps routes of its "
				 "protocol, so it needs a number nobody else uses",
				 v, taken_protocols[i].owner);
			return false;
		}
	}
	*out = (uint8_t)v;
	return true;
}

static void fib_unknown(struct parser *p)
{
	char d[80];
	if (p->tok.type != LEX_WORD) {
		if (p->tok.type != LEX_ERROR)
			diag_add(p->diag, p->tok.pos, "expected a statement in fib block, got %s",
				 lex_describe(&p->tok, d, sizeof(d)));
		parser_skip_stmt(p);
		return;
	}
	const char *s = conf_suggest(p->tok.text, fib_words, FK_COUNT);
	if (s)
		diag_add(p->diag, p->tok.pos,
			 "unknown statement '" TOK_FMT "' in fib block; did you mean '%s'?",
			 TOK_ARGS(&p->tok), s);
	else
		diag_add(p->diag, p->tok.pos, "unknown statement '" TOK_FMT "' in fib block",
			 TOK_ARGS(&p->tok));
	parser_skip_stmt(p);
}

/* One statement of the fib block (a parser_block callback; arg is the
 * block's struct fib_ctx). */
static void fib_stmt(struct parser *p, void *arg)
{
	struct fib_ctx *x = arg;
	struct conf_fib *f = &p->pc->fib;
	int k = -1;
	if (p->tok.type == LEX_WORD)
		for (int i = 0; i < FK_COUNT; i++)
			if (strcmp(p->tok.text, fib_words[i]) == 0)
				k = i;
	if (k < 0) {
		fib_unknown(p);
		return;
	}
	p->kw = p->tok;
	if (x->first[k].line) {
		diag_add(p->diag, p->tok.pos, "duplicate '%s' (first set at line %u)",
			 fib_words[k], x->first[k].line);
		parser_skip_stmt(p);
		return;
	}
	x->first[k] = p->tok.pos;
	bool ok = false;
	switch ((enum fib_kw)k) {
	case FK_TABLE:
		ok = fib_table(p, &f->table);
		f->table_set = ok;
		break;
	case FK_ECMP:
		ok = fib_on_off(p, &f->ecmp);
		f->ecmp_set = ok;
		break;
	case FK_INSTALL:
		ok = fib_install(p, f);
		f->install_set = ok;
		break;
	case FK_PROTOCOL:
		ok = fib_protocol(p, &f->protocol);
		f->protocol_set = ok;
		break;
	case FK_GR:
		ok = fib_on_off(p, &f->graceful_restart);
		f->graceful_restart_set = ok;
		break;
	case FK_BACKUP:
		ok = fib_on_off(p, &f->backup_routes);
		f->backup_routes_set = ok;
		break;
	case FK_INITIAL:
		ok = fib_initial(p, &f->initial_after_eor);
		f->initial_download_set = ok;
		break;
	case FK_COUNT:
		break;
	}
	if (!ok) {
		parser_skip_stmt(p);
		return;
	}
	parser_next(p);
	parser_end_stmt(p);
}

void parser_stmt_fib(struct parser *p)
{
	struct pconf *pc = p->pc;
	struct lex_token kw = p->kw;
	char d[80];
	if (pc->fib_seen) {
		diag_add(p->diag, kw.pos, "duplicate 'fib' block (first at line %u)",
			 pc->fib.pos.line);
		parser_next(p);
		parser_skip_stmt(p);
		return;
	}
	pc->fib_seen = true;
	conf_fib_defaults(&pc->fib);
	pc->fib.pos = kw.pos;
	parser_next(p);
	if (!parser_block_opens(p)) {
		if (p->tok.type != LEX_ERROR)
			diag_add(p->diag, p->tok.pos, "expected '{' after 'fib', got %s",
				 lex_describe(&p->tok, d, sizeof(d)));
		parser_skip_stmt(p);
		return;
	}
	struct fib_ctx x = { 0 };
	if (!parser_block(p, "fib", fib_stmt, &x))
		return;
	p->kw = kw;
	parser_end_stmt(p);
}

void conf_fib_print(const struct conf *c, void *file)
{
	FILE *f = file;
	const struct conf_fib *b = &c->fib;
	if (!b->pos.line && !b->table_set && !b->ecmp_set && !b->install_set &&
	    !b->protocol_set && !b->graceful_restart_set && !b->backup_routes_set &&
	    !b->initial_download_set)
		return;
	fprintf(f, "fib {\n");
	if (b->table_set) {
		if (b->table == CONF_FIB_TABLE_MAIN)
			fprintf(f, "\ttable main\n");
		else
			fprintf(f, "\ttable %u\n", b->table);
	}
	if (b->ecmp_set)
		fprintf(f, "\tecmp %s\n", b->ecmp ? "on" : "off");
	if (b->install_set)
		fprintf(f, "\tinstall %s\n", b->install ? "on" : b->dry_run ? "dry-run" : "off");
	if (b->protocol_set)
		fprintf(f, "\tprotocol %u\n", b->protocol);
	if (b->graceful_restart_set)
		fprintf(f, "\tgraceful-restart %s\n", b->graceful_restart ? "on" : "off");
	if (b->backup_routes_set)
		fprintf(f, "\tbackup-routes %s\n", b->backup_routes ? "on" : "off");
	if (b->initial_download_set)
		fprintf(f, "\tinitial-download %s\n",
			b->initial_after_eor ? "after-eor" : "immediate");
	fprintf(f, "}\n");
}
