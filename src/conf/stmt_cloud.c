/* The cloud-gateway personality (issue 5): `personality aws-vgw|aws-tgw|
 * aws-dx`, `vpn-ecmp on|off` and `route-table NAME { ... }`, and what a
 * personality implies for every neighbor (docs/cloud-personalities.md
 * gives each rule's source):
 *
 *   - local-as defaults to 64512, the Amazon-side default ASN, and a
 *     neighbor with that same ASN is refused (AWS: "AsnConflict");
 *   - hold-time 30 / keepalive 10 on VPN (aws-vgw, aws-tgw), 90 / 30 on
 *     Direct Connect, unless the neighbor sets its own;
 *   - import all / export all: the cloud gateway's own behaviour, so
 *     neighbors need no policy lines (RFC 8212's default does not apply
 *     to a stand-in for the cloud);
 *   - max-prefix 100 (VPN connection, and Direct Connect per family) or
 *     1000 (transit gateway VPN attachment);
 *   - aws-dx: MD5 is always on, so a neighbor without a password is an
 *     error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/parser.h"

#define AWS_DEFAULT_ASN 64512
#define AWS_VPN_HOLD 30
#define AWS_VPN_KEEPALIVE 10
#define AWS_DX_HOLD 90
#define AWS_DX_KEEPALIVE 30
#define AWS_VPN_MAX_PREFIX 100
#define AWS_TGW_MAX_PREFIX 1000
#define AWS_DX_MAX_PREFIX 100

const char *conf_personality_name(enum conf_personality p)
{
	switch (p) {
	case CONF_PERSONALITY_AWS_VGW: return "aws-vgw";
	case CONF_PERSONALITY_AWS_TGW: return "aws-tgw";
	case CONF_PERSONALITY_AWS_DX: return "aws-dx";
	case CONF_PERSONALITY_NONE: break;
	}
	return "none";
}

static void rt_free(struct conf_route_table *t)
{
	free(t->name);
	free(t->local);
	free(t->statics);
}

void conf_cloud_free(struct conf_cloud *c)
{
	for (size_t i = 0; i < c->n_route_tables; i++)
		rt_free(&c->route_tables[i]);
	free(c->route_tables);
	c->route_tables = NULL;
	c->n_route_tables = 0;
}

const struct conf_route_table *conf_route_table_find(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->cloud.n_route_tables; i++)
		if (strcmp(c->cloud.route_tables[i].name, name) == 0)
			return &c->cloud.route_tables[i];
	return NULL;
}

static bool routes_equal(const struct conf_rt_route *a, const struct conf_rt_route *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!prefix_eq(&a[i].prefix, &b[i].prefix) || a[i].via.af != b[i].via.af ||
		    (a[i].via.af && !addr_eq(&a[i].via, &b[i].via)) ||
		    a[i].via_neighbor != b[i].via_neighbor)
			return false;
	return true;
}

bool conf_cloud_equal(const struct conf_cloud *a, const struct conf_cloud *b)
{
	if (a->personality != b->personality || a->vpn_ecmp != b->vpn_ecmp ||
	    a->vpn_ecmp_set != b->vpn_ecmp_set || a->n_route_tables != b->n_route_tables)
		return false;
	for (size_t i = 0; i < a->n_route_tables; i++) {
		const struct conf_route_table *x = &a->route_tables[i], *y = &b->route_tables[i];
		if (strcmp(x->name, y->name) != 0 || x->table != y->table ||
		    x->max_routes != y->max_routes || x->max_routes_set != y->max_routes_set ||
		    x->n_local != y->n_local || x->n_static != y->n_static ||
		    !routes_equal(x->local, y->local, x->n_local) ||
		    !routes_equal(x->statics, y->statics, x->n_static))
			return false;
	}
	return true;
}

/* ---- parsing ---- */

void parser_stmt_personality(struct parser *p)
{
	struct conf_cloud *c = &p->pc->cloud;
	struct conf_pos kwpos = p->kw.pos;
	p->pc->personality_seen = true;
	if (c->personality_pos.line) {
		diag_add(p->diag, kwpos, "duplicate 'personality' (first set at line %u)",
			 c->personality_pos.line);
		parser_skip_stmt(p);
		return;
	}
	if (!parser_want_value(p, "aws-vgw, aws-tgw or aws-dx", false)) {
		parser_skip_stmt(p);
		return;
	}
	static const char *const names[] = { "aws-vgw", "aws-tgw", "aws-dx" };
	enum conf_personality v = CONF_PERSONALITY_NONE;
	for (int i = 0; i < 3; i++)
		if (strcmp(p->tok.text, names[i]) == 0)
			v = (enum conf_personality)(i + 1);
	if (v == CONF_PERSONALITY_NONE) {
		const char *s = conf_suggest(p->tok.text, names, 3);
		diag_add(p->diag, p->tok.pos,
			 "unknown personality '" TOK_FMT "' (expected aws-vgw, aws-tgw or aws-dx)%s%s%s",
			 TOK_ARGS(&p->tok), s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
		parser_skip_stmt(p);
		return;
	}
	c->personality = v;
	c->personality_pos = kwpos;
	parser_next(p);
	parser_end_stmt(p);
}

void parser_stmt_vpn_ecmp(struct parser *p)
{
	struct pconf *pc = p->pc;
	struct conf_pos kwpos = p->kw.pos;
	if (pc->vpn_ecmp_seen) {
		diag_add(p->diag, kwpos, "duplicate 'vpn-ecmp' (first set at line %u)",
			 pc->cloud.vpn_ecmp_pos.line);
		parser_skip_stmt(p);
		return;
	}
	pc->vpn_ecmp_seen = true;
	pc->cloud.vpn_ecmp_pos = kwpos;
	if (!parser_want_value(p, "on or off", false)) {
		parser_skip_stmt(p);
		return;
	}
	if (strcmp(p->tok.text, "on") == 0 || strcmp(p->tok.text, "off") == 0) {
		pc->cloud.vpn_ecmp = p->tok.text[1] == 'n';
		pc->cloud.vpn_ecmp_set = true;
	} else {
		diag_add(p->diag, p->tok.pos, "invalid vpn-ecmp value '" TOK_FMT "' (expected on or off)",
			 TOK_ARGS(&p->tok));
		parser_skip_stmt(p);
		return;
	}
	parser_next(p);
	parser_end_stmt(p);
}

static bool rt_prefix(struct parser *p, const char *what, struct prefix *out)
{
	if (!parser_want_value(p, "a prefix", false))
		return false;
	int r = prefix_parse(p->tok.text, out);
	if (r == -ERANGE) {
		char buf[PREFIX_STRLEN];
		prefix_mask(out);
		diag_add(p->diag, p->tok.pos, "%s " TOK_FMT " has host bits set; did you mean %s?",
			 what, TOK_ARGS(&p->tok), prefix_fmt(out, buf));
		return false;
	}
	if (r < 0) {
		diag_add(p->diag, p->tok.pos,
			 "invalid prefix '" TOK_FMT "' (expected ADDR/LEN, e.g. 10.180.0.0/20)",
			 TOK_ARGS(&p->tok));
		return false;
	}
	return true;
}

static bool rt_append(struct parser *p, struct conf_rt_route **arr, size_t *n,
		      const struct conf_rt_route *r)
{
	struct conf_rt_route *a = parser_grow(p, *arr, *n, sizeof(*a));
	if (!a)
		return false;
	*arr = a;
	a[(*n)++] = *r;
	return true;
}

enum rt_kw { RK_TABLE, RK_MAX_ROUTES, RK_LOCAL, RK_STATIC, RK_COUNT };
static const char *const rt_words[RK_COUNT] = { "table", "max-routes", "local", "static" };

static bool rt_table(struct parser *p, struct conf_route_table *t)
{
	uint32_t v;
	if (!parser_want_value(p, "a table number", false))
		return false;
	int r = conf_value_uint(p->tok.text, 1, UINT32_MAX, &v);
	if (r < 0) {
		diag_add(p->diag, p->tok.pos, "invalid table '" TOK_FMT "' (expected 1..4294967295)",
			 TOK_ARGS(&p->tok));
		return false;
	}
	/* 255 is the kernel's local table; 254 main would mix the VPC's
	 * routes with the gateway's own. */
	if (v == 255 || v == 254) {
		diag_add(p->diag, p->tok.pos,
			 "table %u is the kernel's %s table; a route table needs its own (e.g. 100)",
			 v, v == 255 ? "local" : "main");
		return false;
	}
	t->table = v;
	return true;
}

static bool rt_max_routes(struct parser *p, struct conf_route_table *t)
{
	uint32_t v;
	if (!parser_want_value(p, "1..1000", false))
		return false;
	int r = conf_value_uint(p->tok.text, 1, CONF_MAX_ROUTES_MAX, &v);
	if (r == -EINVAL) {
		diag_add(p->diag, p->tok.pos, "invalid max-routes '" TOK_FMT "' (expected 1..1000)",
			 TOK_ARGS(&p->tok));
		return false;
	}
	if (r < 0) {
		diag_add(p->diag, p->tok.pos, "max-routes " TOK_FMT " out of range (1..1000)",
			 TOK_ARGS(&p->tok));
		return false;
	}
	t->max_routes = v;
	t->max_routes_set = true;
	return true;
}

static bool rt_static(struct parser *p, struct conf_route_table *t, struct conf_pos pos)
{
	struct conf_rt_route r = { .pos = pos };
	if (!rt_prefix(p, "static", &r.prefix))
		return false;
	parser_next(p);
	if (p->tok.type != LEX_WORD || strcmp(p->tok.text, "via") != 0) {
		char d[80];
		if (p->tok.type != LEX_ERROR)
			diag_add(p->diag, p->tok.pos, "expected 'via ADDRESS' after the prefix, got %s",
				 lex_describe(&p->tok, d, sizeof(d)));
		return false;
	}
	struct lex_token kw = p->kw;
	p->kw = p->tok;
	bool ok = parser_want_value(p, "an address or a neighbor's address", false) &&
		  parser_value_addr(p, "via address", &r.via);
	p->kw = kw;
	if (!ok)
		return false;
	if (r.via.af != r.prefix.addr.af) {
		diag_add(p->diag, p->tok.pos, "via " TOK_FMT " is not of the prefix's family",
			 TOK_ARGS(&p->tok));
		return false;
	}
	return rt_append(p, &t->statics, &t->n_static, &r);
}

static void rt_stmt(struct parser *p, struct conf_route_table *t, struct conf_pos *first)
{
	int k = -1;
	char d[80];
	if (p->tok.type == LEX_WORD)
		for (int i = 0; i < RK_COUNT; i++)
			if (strcmp(p->tok.text, rt_words[i]) == 0)
				k = i;
	if (k < 0) {
		const char *s = p->tok.type == LEX_WORD ? conf_suggest(p->tok.text, rt_words, RK_COUNT)
							: NULL;
		if (p->tok.type == LEX_WORD)
			diag_add(p->diag, p->tok.pos,
				 "unknown statement '" TOK_FMT "' in route-table block%s%s%s",
				 TOK_ARGS(&p->tok), s ? "; did you mean '" : "", s ? s : "",
				 s ? "'?" : "");
		else if (p->tok.type != LEX_ERROR)
			diag_add(p->diag, p->tok.pos, "expected a statement in route-table block, got %s",
				 lex_describe(&p->tok, d, sizeof(d)));
		parser_skip_stmt(p);
		return;
	}
	p->kw = p->tok;
	struct conf_pos pos = p->tok.pos;
	if ((k == RK_TABLE || k == RK_MAX_ROUTES) && first[k].line) {
		diag_add(p->diag, pos, "duplicate '%s' (first set at line %u)", rt_words[k],
			 first[k].line);
		parser_skip_stmt(p);
		return;
	}
	first[k] = pos;
	bool ok = false;
	switch ((enum rt_kw)k) {
	case RK_TABLE:
		ok = rt_table(p, t);
		break;
	case RK_MAX_ROUTES:
		ok = rt_max_routes(p, t);
		break;
	case RK_LOCAL: {
		struct conf_rt_route r = { .pos = pos };
		ok = rt_prefix(p, "local", &r.prefix) && rt_append(p, &t->local, &t->n_local, &r);
		break;
	}
	case RK_STATIC:
		ok = rt_static(p, t, pos);
		break;
	case RK_COUNT:
		break;
	}
	if (!ok) {
		parser_skip_stmt(p);
		return;
	}
	parser_next(p);
	parser_end_stmt(p);
}

struct rt_block_ctx {
	struct conf_cloud *c;
	size_t idx;
	struct conf_pos first[RK_COUNT];   /* where each setting was first given */
};

/* One statement of a route-table block (a parser_block callback). */
static void rt_block_stmt(struct parser *p, void *arg)
{
	struct rt_block_ctx *x = arg;
	rt_stmt(p, &x->c->route_tables[x->idx], x->first);
}

void parser_stmt_route_table(struct parser *p)
{
	struct conf_cloud *c = &p->pc->cloud;
	struct lex_token kw = p->kw;
	char d[80];
	if (!parser_want_value(p, "a route table name", false)) {
		parser_skip_stmt(p);
		return;
	}
	if (!parser_name_ok(p->tok.text))
		diag_add(p->diag, p->tok.pos,
			 "invalid route-table name '" TOK_FMT "' (up to 64 letters, digits, '-', '_' "
			 "or '.', starting with a letter)", TOK_ARGS(&p->tok));
	struct conf_route_table t = { .pos = p->tok.pos, .max_routes = CONF_MAX_ROUTES_DEFAULT,
				      .name = parser_dup_text(p) };
	struct conf_route_table *arr = parser_grow(p, c->route_tables, c->n_route_tables,
						   sizeof(*arr));
	if (!arr || !t.name) {
		free(t.name);
		parser_skip_stmt(p);
		return;
	}
	c->route_tables = arr;
	size_t idx = c->n_route_tables++;
	c->route_tables[idx] = t;
	parser_next(p);
	if (!parser_block_opens(p)) {
		if (p->tok.type != LEX_ERROR)
			diag_add(p->diag, p->tok.pos, "expected '{' after route-table name, got %s",
				 lex_describe(&p->tok, d, sizeof(d)));
		parser_skip_stmt(p);
		return;
	}
	struct rt_block_ctx x = { .c = c, .idx = idx };
	if (!parser_block(p, "route-table", rt_block_stmt, &x))
		return;
	p->kw = kw;
	parser_end_stmt(p);
	if (!x.first[RK_TABLE].line)
		diag_add(p->diag, c->route_tables[idx].pos,
			 "route-table %s has no 'table N' (the kernel table its "
			 "routes go into)", c->route_tables[idx].name);
}

/* ---- validation: what a personality implies ---- */

static int rt_route_cmp(const void *a, const void *b)
{
	const struct conf_rt_route *x = a, *y = b;
	int c = prefix_cmp(&x->prefix, &y->prefix);
	if (c)
		return c;
	return (x->pos.line > y->pos.line) - (x->pos.line < y->pos.line);
}

/* The same prefix twice in one list: which would win is unclear. */
static void rt_dups(struct conf_diag *d, const struct conf_rt_route *r, size_t n,
		    const char *what)
{
	if (n < 2)
		return;
	struct conf_rt_route *k = malloc(n * sizeof(*k));
	if (!k) {
		d->oom = true;
		return;
	}
	memcpy(k, r, n * sizeof(*k));
	qsort(k, n, sizeof(*k), rt_route_cmp);
	for (size_t i = 1, first = 0; i < n; i++) {
		if (!prefix_eq(&k[i].prefix, &k[first].prefix)) {
			first = i;
			continue;
		}
		char buf[PREFIX_STRLEN];
		diag_add(d, k[i].pos, "duplicate %s %s (first at line %u)", what,
			 prefix_fmt(&k[i].prefix, buf), k[first].pos.line);
	}
	free(k);
}

static void check_route_tables(struct conf_cloud *cl, const struct conf *c, struct conf_diag *d)
{
	for (size_t i = 0; i < cl->n_route_tables; i++) {
		struct conf_route_table *t = &cl->route_tables[i];
		for (size_t j = 0; j < i; j++) {
			const struct conf_route_table *u = &cl->route_tables[j];
			if (strcmp(t->name, u->name) == 0)
				diag_add(d, t->pos, "duplicate route-table '%s' (first defined at line %u)",
					 t->name, u->pos.line);
			else if (t->table && t->table == u->table)
				diag_add(d, t->pos, "route-table %s uses table %u, as route-table %s "
					 "(line %u) does", t->name, t->table, u->name, u->pos.line);
		}
		/* Both would write the table with the same protocol number,
		 * and each sweeps what it does not hold.  (The fib block's
		 * default, main, is refused for route tables already.) */
		if (t->table && t->table == c->fib.table)
			diag_add(d, t->pos, "route-table %s uses table %u, which the fib block "
				 "writes too; give the route table its own", t->name, t->table);
		rt_dups(d, t->local, t->n_local, "local");
		rt_dups(d, t->statics, t->n_static, "static");
		/* via a neighbor's address: a static route of that VPN
		 * connection (it lives while the tunnel is up); via anything
		 * else: a static route of the VPC route table itself. */
		for (size_t k = 0; k < t->n_static; k++)
			for (size_t n = 0; n < c->n_neighbors; n++)
				if (addr_eq(&t->statics[k].via, &c->neighbors[n].addr))
					t->statics[k].via_neighbor = true;
	}
}

/* Where a neighbor's remote-as was written, for the AsnConflict error. */
static struct conf_pos remote_as_pos(const struct pconf *pc, const struct pneighbor *pn)
{
	if (nset_has(&pn->set, NS_REMOTE_AS))
		return pn->set.pos[NS_REMOTE_AS];
	if (pn->group != SIZE_MAX && nset_has(&pc->groups[pn->group].set, NS_REMOTE_AS))
		return pc->groups[pn->group].set.pos[NS_REMOTE_AS];
	return pn->pos;
}

static void apply_neighbor(const struct pconf *pc, const struct pneighbor *pn, struct conf *c,
			   struct conf_neighbor *n, struct conf_diag *d)
{
	enum conf_personality per = pc->cloud.personality;
	bool dx = per == CONF_PERSONALITY_AWS_DX;
	char a[ADDR_STRLEN];
	if (n->remote_as && n->remote_as == c->local_as)
		diag_add(d, remote_as_pos(pc, pn),
			 "neighbor %s: remote-as %u is the gateway's own ASN (local-as %u); %s "
			 "refuses a customer gateway with the same ASN (AsnConflict)",
			 addr_fmt(&n->addr, a), n->remote_as, c->local_as,
			 conf_personality_name(per));
	if (dx && !n->password)
		diag_add(d, n->pos,
			 "neighbor %s has no password; Direct Connect always uses TCP MD5 "
			 "(RFC 2385): set 'password'", addr_fmt(&n->addr, a));
	if (!n->hold_time_set && !n->keepalive_set) {
		n->hold_time = dx ? AWS_DX_HOLD : AWS_VPN_HOLD;
		n->keepalive = dx ? AWS_DX_KEEPALIVE : AWS_VPN_KEEPALIVE;
		n->hold_time_set = n->keepalive_set = true;
	} else if (!n->hold_time_set) {
		n->hold_time = dx ? AWS_DX_HOLD : AWS_VPN_HOLD;
		n->hold_time_set = true;
		if (n->keepalive >= n->hold_time)
			diag_add(d, n->pos, "neighbor %s: keepalive %u must be less than the "
				 "%s hold-time %u", addr_fmt(&n->addr, a), n->keepalive,
				 conf_personality_name(per), n->hold_time);
	}
	if (n->import == CONF_FILTER_UNSET)
		n->import = CONF_FILTER_ALL;
	if (n->export == CONF_FILTER_UNSET)
		n->export = CONF_FILTER_ALL;
	if (!n->max_prefix_set) {
		n->max_prefix = per == CONF_PERSONALITY_AWS_TGW ? AWS_TGW_MAX_PREFIX
			      : dx ? AWS_DX_MAX_PREFIX : AWS_VPN_MAX_PREFIX;
		n->max_prefix_set = true;
	}
	if (n->attachment == CONF_ATTACH_UNSET)
		n->attachment = dx ? CONF_ATTACH_DX : CONF_ATTACH_VPN;
}

void conf_validate_cloud(struct pconf *pc, struct conf *c, struct conf_diag *d)
{
	struct conf_cloud *cl = &pc->cloud;
	if (!cl->personality) {
		if (cl->n_route_tables)
			diag_add(d, cl->route_tables[0].pos,
				 "route-table needs a cloud personality ('personality aws-vgw', "
				 "'aws-tgw' or 'aws-dx')");
		if (pc->vpn_ecmp_seen)
			diag_add(d, cl->vpn_ecmp_pos, "vpn-ecmp needs 'personality aws-tgw'");
	} else {
		if (pc->vpn_ecmp_seen && cl->personality != CONF_PERSONALITY_AWS_TGW)
			diag_add(d, cl->vpn_ecmp_pos,
				 "vpn-ecmp is a transit gateway option (personality aws-tgw), not %s's "
				 "(a virtual private gateway never uses ECMP)",
				 conf_personality_name(cl->personality));
		if (!cl->vpn_ecmp_set)
			cl->vpn_ecmp = cl->personality == CONF_PERSONALITY_AWS_TGW; /* AWS default on */
		if (!pc->local_as_seen)
			c->local_as = AWS_DEFAULT_ASN;
		/* c->neighbors were built from pc->neighbors in order,
		 * skipping those whose address was bad. */
		size_t j = 0;
		for (size_t i = 0; i < pc->n_neighbors && j < c->n_neighbors; i++) {
			if (!pc->neighbors[i].addr.af)
				continue;
			apply_neighbor(pc, &pc->neighbors[i], c, &c->neighbors[j++], d);
		}
	}
	check_route_tables(cl, c, d);
	c->cloud = *cl;
	memset(cl, 0, sizeof(*cl));
}

/* ---- printing (-nv) ---- */

static void print_routes(FILE *f, const char *kw, const struct conf_rt_route *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char p[PREFIX_STRLEN], a[ADDR_STRLEN];
		fprintf(f, "\t%s %s", kw, prefix_fmt(&r[i].prefix, p));
		if (r[i].via.af)
			fprintf(f, " via %s", addr_fmt(&r[i].via, a));
		fputc('\n', f);
	}
}

void conf_cloud_print(const struct conf *c, void *file)
{
	FILE *f = file;
	const struct conf_cloud *cl = &c->cloud;
	if (cl->personality)
		fprintf(f, "personality %s\n", conf_personality_name(cl->personality));
	if (cl->vpn_ecmp_set)
		fprintf(f, "vpn-ecmp %s\n", cl->vpn_ecmp ? "on" : "off");
	for (size_t i = 0; i < cl->n_route_tables; i++) {
		const struct conf_route_table *t = &cl->route_tables[i];
		fprintf(f, "route-table %s {\n\ttable %u\n", t->name, t->table);
		if (t->max_routes_set)
			fprintf(f, "\tmax-routes %u\n", t->max_routes);
		print_routes(f, "local", t->local, t->n_local);
		print_routes(f, "static", t->statics, t->n_static);
		fprintf(f, "}\n");
	}
}
