/* Neighbors and Adj-RIBs as JSON.  Read-only views over struct bgp_peer
 * and struct rib; nothing here changes daemon state. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/attr.h"
#include "bgp/msg.h"
#include "bgp/session.h"
#include "ctl/ctl_show.h"
#include "rib/rib.h"

static void put(json_t *o, const char *key, json_t *val, int *bad)
{
	if (!val || json_object_set_new(o, key, val) != 0)
		(*bad)++;
}

static json_t *msg_counts_json(const uint64_t *c)
{
	/* Index = message type (RFC 4271 4.1, RFC 2918), [0] = total. */
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "total", (json_int_t)c[0], "open",
			 (json_int_t)c[BGP_MSG_OPEN], "update", (json_int_t)c[BGP_MSG_UPDATE],
			 "notification", (json_int_t)c[BGP_MSG_NOTIFICATION], "keepalive",
			 (json_int_t)c[BGP_MSG_KEEPALIVE], "route_refresh",
			 (json_int_t)c[BGP_MSG_ROUTE_REFRESH]);
}

static json_t *families_json(uint32_t mask)
{
	static const char *const names[BGP_FAM_COUNT] = {
		[BGP_FAM_IPV4_UNICAST] = "ipv4-unicast",
		[BGP_FAM_IPV6_UNICAST] = "ipv6-unicast",
	};
	json_t *arr = json_array();
	for (unsigned f = 0; arr && f < BGP_FAM_COUNT; f++) {
		if ((mask & BGP_FAM_BIT(f)) && json_array_append_new(arr, json_string(names[f]))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* What both sides agreed on; only meaningful in Established. */
static json_t *caps_json(const struct bgp_peer *p)
{
	if (p->state != BGP_STATE_ESTABLISHED)
		return json_object();
	const struct bgp_negotiated *n = &p->neg;
	json_t *o = json_pack("{s:b, s:b, s:b, s:b, s:b}", "as4", n->as4, "route_refresh",
			      n->route_refresh, "enhanced_route_refresh",
			      n->enhanced_route_refresh, "extended_message", n->extended_message,
			      "graceful_restart", n->peer_graceful_restart);
	if (o && json_object_set_new(o, "families", families_json(n->families)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *notify_json(const struct bgp_notify *n)
{
	char buf[1024];

	if (n->code == 0) /* no NOTIFICATION yet (0 is not a valid code) */
		return json_null();
	bgp_notify_format(n, buf, sizeof(buf));
	return ctl_json_text(buf, sizeof(buf));
}

/* The Adj-RIBs live in the Loc-RIB, which counts them per peer. */
static size_t adj_count(struct rib *rib, uint32_t id, bool out)
{
	struct loc_rib *lr = rib ? rib_loc(rib) : NULL;
	if (!lr)
		return 0;
	return out ? loc_rib_out_count(lr, id) : loc_rib_peer_routes(lr, id, 0);
}

json_t *ctl_json_neighbor(const struct bgp_peer *p, struct rib *rib)
{
	char buf[ADDR_STRLEN];
	const struct bgp_peer_config *c = &p->cfg;
	bool up = p->state == BGP_STATE_ESTABLISHED;
	json_t *o = json_object();
	int bad = 0;

	if (!o)
		return NULL;
	double uptime = bgp_peer_uptime(p);
	put(o, "address", json_string(addr_fmt(&c->addr, buf)), &bad);
	put(o, "port", json_integer(c->port ? c->port : BGP_PORT), &bad);
	put(o, "remote_as", json_integer(c->remote_as), &bad);
	put(o, "local_as", json_integer(c->local_as), &bad);
	put(o, "description", ctl_json_text(c->description, 256), &bad);
	const char *st = bgp_state_name(p->state);
	put(o, "state", json_string(st ? st : "Unknown"), &bad);
	put(o, "uptime_s", json_integer(uptime > 0 ? (json_int_t)uptime : 0), &bad);
	put(o, "prefixes_received", json_integer((json_int_t)adj_count(rib, p->id, false)), &bad);
	put(o, "prefixes_sent", json_integer((json_int_t)adj_count(rib, p->id, true)), &bad);
	put(o, "last_error", ctl_json_text(p->last_error, sizeof(p->last_error)), &bad);
	/* RFC 4271 4.2: the hold time in use is the smaller of both
	 * proposals; before Established only our proposal is known. */
	put(o, "hold_time", json_integer(up ? p->neg.hold_time : c->hold_time), &bad);
	put(o, "keepalive", json_integer(up ? p->neg.keepalive : c->keepalive), &bad);
	if (p->state >= BGP_STATE_OPENCONFIRM) {
		struct in_addr id = { .s_addr = htonl(p->remote_open.bgp_id) };
		char ibuf[INET_ADDRSTRLEN] = "?";
		inet_ntop(AF_INET, &id, ibuf, sizeof(ibuf));
		put(o, "remote_id", json_string(ibuf), &bad);
	} else {
		put(o, "remote_id", json_null(), &bad);
	}
	put(o, "capabilities", caps_json(p), &bad);
	put(o, "messages",
	    json_pack("{s:o, s:o}", "in", msg_counts_json(p->stats.msgs_in), "out",
		      msg_counts_json(p->stats.msgs_out)),
	    &bad);
	put(o, "updates_malformed", json_integer((json_int_t)p->stats.updates_malformed), &bad);
	put(o, "established_count", json_integer(p->stats.established_count), &bad);
	put(o, "flaps", json_integer(p->stats.flaps), &bad);
	put(o, "last_notification_sent", notify_json(&p->last_notify_sent), &bad);
	put(o, "last_notification_received", notify_json(&p->last_notify_recv), &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *ctl_show_neighbors(struct bgp_speaker *sp, struct rib *rib)
{
	json_t *arr = json_array();
	size_t n = sp ? bgp_speaker_peer_count(sp) : 0;

	if (!arr)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct bgp_peer *p = bgp_speaker_peer_at(sp, i);
		if (p && json_array_append_new(arr, ctl_json_neighbor(p, rib)) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return json_pack("{s:o}", "neighbors", arr);
}

static void no_such_neighbor(const struct addr *a, char *msg, size_t size)
{
	char buf[ADDR_STRLEN];
	snprintf(msg, size, "no neighbor %s", addr_fmt(a, buf));
}

json_t *ctl_show_neighbor(struct bgp_speaker *sp, struct rib *rib, const struct addr *a)
{
	const struct bgp_peer *p = sp ? bgp_peer_find(sp, a) : NULL;
	char msg[96];

	if (!p) {
		no_such_neighbor(a, msg, sizeof(msg));
		return ctl_json_error(msg);
	}
	return ctl_json_neighbor(p, rib);
}

/* A "show rib" answer in the making.  The snapshot arrays hold their own
 * references to the attributes, and each row keeps a copy of the
 * neighbor's address, so the walk stays valid while the answer is
 * written out over many loop iterations, whatever happens to the RIB
 * or the peers meanwhile. */
struct rib_row {
	const struct prefix *pfx;
	const struct bgp_attrs *attrs;
	struct addr nbr;
};

struct rib_snap {
	struct adj_rib_entry *e;
	size_t n;
};

struct ctl_rib_walk {
	struct rib_snap *snaps;
	size_t nsnaps;
	struct rib_row *rows;
	size_t nrows;
	size_t next;     /* first row not yet written */
	bool started;    /* the opening text is out */
};

static int row_cmp(const void *x, const void *y)
{
	const struct rib_row *a = x, *b = y;
	int c = prefix_cmp(a->pfx, b->pfx);
	return c ? c : addr_cmp(&a->nbr, &b->nbr);
}

void ctl_rib_walk_free(struct ctl_rib_walk *wk)
{
	if (!wk)
		return;
	for (size_t i = 0; wk->snaps && i < wk->nsnaps; i++)
		if (wk->snaps[i].e)
			adj_rib_entries_free(wk->snaps[i].e, wk->snaps[i].n);
	free(wk->snaps);
	free(wk->rows);
	free(wk);
}

struct ctl_rib_walk *ctl_rib_walk_new(struct bgp_speaker *sp, struct rib *rib, bool out,
				      const struct addr *a, json_t **err)
{
	const struct bgp_peer *only = NULL;
	char msg[96];

	*err = NULL;
	if (a) {
		only = sp ? bgp_peer_find(sp, a) : NULL;
		if (!only) {
			no_such_neighbor(a, msg, sizeof(msg));
			*err = ctl_json_error(msg);
			return NULL;
		}
	}
	size_t npeers = only ? 1 : (sp ? bgp_speaker_peer_count(sp) : 0);
	struct ctl_rib_walk *wk = calloc(1, sizeof(*wk));
	if (!wk)
		return NULL;
	wk->nsnaps = npeers;
	wk->snaps = calloc(npeers ? npeers : 1, sizeof(*wk->snaps));
	if (!wk->snaps)
		goto fail;
	struct loc_rib *lr = rib ? rib_loc(rib) : NULL;
	for (size_t i = 0; i < npeers && lr; i++) {
		const struct bgp_peer *p = only ? only : bgp_speaker_peer_at(sp, i);
		if (p && loc_rib_peer_entries(lr, p->id, out, &wk->snaps[i].e, &wk->snaps[i].n) != 0)
			goto fail;
		wk->nrows += wk->snaps[i].n;
	}
	wk->rows = calloc(wk->nrows ? wk->nrows : 1, sizeof(*wk->rows));
	if (!wk->rows)
		goto fail;
	size_t k = 0;
	for (size_t i = 0; i < npeers; i++) {
		const struct bgp_peer *p = only ? only : bgp_speaker_peer_at(sp, i);
		for (size_t j = 0; p && j < wk->snaps[i].n; j++)
			wk->rows[k++] = (struct rib_row){ &wk->snaps[i].e[j].prefix,
							  wk->snaps[i].e[j].attrs, p->cfg.addr };
	}
	wk->nrows = k;
	qsort(wk->rows, wk->nrows, sizeof(*wk->rows), row_cmp);
	return wk;
fail:
	ctl_rib_walk_free(wk);
	return NULL;
}

size_t ctl_rib_walk_count(const struct ctl_rib_walk *wk)
{
	return wk->nrows;
}

static const char walk_open[] = "{\"routes\":[";
static const char walk_close[] = "]}\n";

int ctl_rib_walk_next(struct ctl_rib_walk *wk, size_t max, struct wbuf *w)
{
	if (!wk->started) {
		wbuf_put_bytes(w, walk_open, sizeof(walk_open) - 1);
		wk->started = true;
	}
	for (size_t n = 0; n < max && wk->next < wk->nrows; n++, wk->next++) {
		const struct rib_row *r = &wk->rows[wk->next];
		json_t *j = ctl_json_route(r->pfx, r->attrs, &r->nbr);
		char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		if (!s)
			return -ENOMEM;
		if (wk->next)
			wbuf_put_u8(w, ',');
		wbuf_put_bytes(w, s, strlen(s));
		free(s);
	}
	if (wk->next == wk->nrows)
		wbuf_put_bytes(w, walk_close, sizeof(walk_close) - 1);
	if (wbuf_status(w))
		return wbuf_status(w);
	return wk->next < wk->nrows ? 1 : 0;
}

json_t *ctl_show_rib(struct bgp_speaker *sp, struct rib *rib, bool out, const struct addr *a)
{
	json_t *err;
	struct ctl_rib_walk *wk = ctl_rib_walk_new(sp, rib, out, a, &err);
	if (!wk)
		return err;
	json_t *arr = json_array(), *res = NULL;
	for (size_t i = 0; arr && i < wk->nrows; i++) {
		const struct rib_row *r = &wk->rows[i];
		if (json_array_append_new(arr, ctl_json_route(r->pfx, r->attrs, &r->nbr)) != 0)
			goto out;
	}
	if (arr)
		res = json_pack("{s:O}", "routes", arr);
out:
	json_decref(arr);
	ctl_rib_walk_free(wk);
	return res;
}

/* Loc-RIB rows are produced under the walk, so the loop below writes
 * JSON for each prefix as it is visited. */
struct loc_show {
	struct loc_rib *lr;
	json_t *arr;
	int bad;
};

#define LOC_SHOW_MAX_PATHS 64

static int loc_show_visit(void *arg, const struct prefix *p, const struct rib_path *best)
{
	struct loc_show *ls = arg;
	const struct rib_path *paths[LOC_SHOW_MAX_PATHS], *mp[LOC_SHOW_MAX_PATHS];
	size_t n = loc_rib_paths(ls->lr, p, paths, LOC_SHOW_MAX_PATHS);
	if (n > LOC_SHOW_MAX_PATHS)
		n = LOC_SHOW_MAX_PATHS;
	size_t nmp = best ? loc_rib_multipath(ls->lr, p, mp, LOC_SHOW_MAX_PATHS) : 0;
	for (size_t i = 0; i < n; i++) {
		const struct rib_path *rp = paths[i];
		bool in_mp = false;
		for (size_t j = 0; j < nmp && !in_mp; j++)
			in_mp = mp[j] == rp;
		/* Our own prefixes come from a pseudo-peer without an
		 * address. */
		bool local = rp->peer->addr.af == 0;
		json_t *o = ctl_json_route(p, rp->attrs, local ? NULL : &rp->peer->addr);
		if (!o) {
			ls->bad++;
			return -ENOMEM;
		}
		int bad = 0;
		if (local)
			put(o, "neighbor", json_null(), &bad);
		put(o, "best", json_boolean(rp == best), &bad);
		put(o, "multipath", json_boolean(in_mp), &bad);
		put(o, "ebgp", json_boolean(rp->peer->ebgp), &bad);
		if (bad || json_array_append_new(ls->arr, o) != 0) {
			ls->bad++;
			return -ENOMEM;
		}
	}
	return 0;
}

json_t *ctl_show_loc_rib(struct rib *rib)
{
	struct loc_show ls = { .lr = rib ? rib_loc(rib) : NULL, .arr = json_array() };
	if (!ls.arr)
		return NULL;
	for (int i = 0; ls.lr && i < 2 && !ls.bad; i++)
		loc_rib_walk(ls.lr, i ? AF_INET6 : AF_INET, NULL, 0, loc_show_visit, &ls, NULL);
	if (ls.bad) {
		json_decref(ls.arr);
		return NULL;
	}
	return json_pack("{s:o}", "routes", ls.arr);
}

static json_t *mem_json(const char *items_key, const struct rib_mem_stats *s)
{
	return json_pack("{s:I, s:I}", items_key, (json_int_t)s->items, "bytes",
			 (json_int_t)s->bytes);
}

json_t *ctl_show_memory(struct rib *rib)
{
	struct rib_mem_report m;
	if (!rib)
		return ctl_json_error("no RIB");
	rib_mem(rib, &m);
	const struct attr_table *t = rib_attr_table(rib);
	struct loc_rib *lr = rib_loc(rib);
	json_t *o = json_object();
	int bad = 0;
	if (!o)
		return NULL;
	json_t *loc = json_pack("{s:I, s:I, s:I, s:I}", "prefixes",
				(json_int_t)(lr ? loc_rib_count(lr, 0) : 0), "paths",
				(json_int_t)m.paths.items, "trie_bytes", (json_int_t)m.trie.bytes,
				"path_bytes", (json_int_t)m.paths.bytes);
	put(o, "loc_rib", loc, &bad);
	json_t *attrs = mem_json("sets", &m.attrs);
	if (attrs && (json_object_set_new(attrs, "intern_hits", json_integer((json_int_t)t->hits)) ||
		      json_object_set_new(attrs, "intern_misses",
					  json_integer((json_int_t)t->misses))))
		bad++;
	put(o, "attributes", attrs, &bad);
	put(o, "adj_rib_in", mem_json("routes", &m.adj_in), &bad);
	put(o, "adj_rib_out", mem_json("routes", &m.adj_out), &bad);
	/* Only what the modules count themselves (not the allocator's own
	 * overhead, sessions, the FIB side). */
	put(o, "total_bytes",
	    json_integer((json_int_t)(m.trie.bytes + m.paths.bytes + m.attrs.bytes +
				      m.adj_in.bytes + m.adj_out.bytes)),
	    &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}
