/* `show fib` and `show fib --check` (issue 4): what egressd believes it
 * installed, and how that differs from the kernel.
 *
 * The listing walks the Loc-RIB in prefix order from a cursor and asks
 * the FIB about each prefix, a few per loop iteration (the control
 * server streams it), so a million routes cost no snapshot and the
 * sessions keep their timers; a route changed while the listing runs
 * shows as it is when the walk passes it.  The check dumps the kernel
 * table in one go (one netlink dump, about a second per million routes)
 * and lists at most CTL_FIB_CHECK_MAX differences.
 *
 * With `install off` the daemon keeps no FIB (fib NULL): the listing is
 * its header, zero counts, and no routes. */
#include "ctl/ctl_fib.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "ctl/ctl_show.h"
#include "rib/rib.h"

json_t *ctl_json_fib_route(const struct prefix *pfx, const struct fib_nhset *nhs,
			   uint32_t group, int err, bool install)
{
	char pb[PREFIX_STRLEN], ab[ADDR_STRLEN], ifn[IF_NAMESIZE];
	json_t *arr = json_array();
	for (unsigned i = 0; arr && i < nhs->n; i++) {
		const struct fib_nexthop *nh = &nhs->nh[i];
		json_t *o = json_pack("{s:s?,s:i,s:s?,s:i}", "gateway",
				      nh->gw.af ? addr_fmt(&nh->gw, ab) : NULL, "ifindex",
				      nh->ifindex, "dev",
				      nh->ifindex > 0 && if_indextoname((unsigned)nh->ifindex, ifn)
					      ? ifn : NULL,
				      "weight", nh->weight ? nh->weight : 1);
		if (!o || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	if (!arr)
		return NULL;
	/* -EINPROGRESS: held for the initial download (fib_hold). */
	const char *state = !install		? "not-installed"
			    : err == -EINPROGRESS ? "deferred"
			    : err		? "failed"
						: "installed";
	if (err == -EINPROGRESS)
		err = 0;
	json_t *r = json_pack("{s:s,s:o,s:s}", "prefix", prefix_fmt(pfx, pb), "nexthops", arr,
			      "state", state);
	if (!r)
		return NULL;
	if (group && json_object_set_new(r, "group", json_integer(group)) != 0) {
		json_decref(r);
		return NULL;
	}
	if (err && json_object_set_new(r, "error", json_string(strerror(-err))) != 0) {
		json_decref(r);
		return NULL;
	}
	return r;
}

struct ctl_fib_walk {
	struct rib *rib;
	struct fib *fib;
	struct ctl_fib_info info;
	int af;                 /* family being walked; 0 = done */
	bool has_cursor;
	struct prefix cursor;
	bool started;
	size_t emitted;
	struct wbuf *w;         /* during a step */
	int err;
};

struct ctl_fib_walk *ctl_fib_walk_new(struct rib *rib, struct fib *fib,
				      const struct ctl_fib_info *info)
{
	struct ctl_fib_walk *wk = calloc(1, sizeof(*wk));
	if (!wk)
		return NULL;
	wk->rib = rib;
	wk->fib = fib;
	wk->info = *info;
	wk->af = AF_INET;
	return wk;
}

void ctl_fib_walk_free(struct ctl_fib_walk *wk)
{
	free(wk);
}

static int walk_visit(void *arg, const struct prefix *p, const struct rib_path *best)
{
	struct ctl_fib_walk *wk = arg;
	struct fib_nhset nhs;
	uint32_t gid = 0;
	int err = 0;
	(void)best;
	if (fib_route_lookup(wk->fib, p, &nhs, &gid, &err) != 0)
		return 0; /* no kernel route for it (no best, or nothing to forward to) */
	json_t *j = ctl_json_fib_route(p, &nhs, gid, err, wk->info.install);
	/* Its backup route (fib { backup-routes on }), when one was written. */
	struct fib_nhset bnhs;
	uint32_t bgid = 0;
	int berr = 0;
	if (j && fib_backup_lookup(wk->fib, p, &bnhs, &bgid, &berr) == 0) {
		json_t *b = ctl_json_fib_route(p, &bnhs, bgid, berr, wk->info.install);
		if (b)
			json_object_del(b, "prefix");
		if (!b || json_object_set_new(j, "backup", b) != 0) {
			json_decref(j);
			j = NULL;
		}
	}
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!s) {
		wk->err = -ENOMEM;
		return -ENOMEM;
	}
	if (wk->emitted++)
		wbuf_put_u8(wk->w, ',');
	wbuf_put_bytes(wk->w, s, strlen(s));
	free(s);
	return 0;
}

int ctl_fib_walk_next(struct ctl_fib_walk *wk, size_t max, struct wbuf *w)
{
	wk->w = w;
	if (!wk->started) {
		struct fib_stats st = { 0 };
		if (wk->fib)
			fib_stats_get(wk->fib, &st);
		const char *mode = wk->info.install ? "on" : wk->info.dry_run ? "dry-run" : "off";
		json_t *h = json_pack("{s:i,s:i,s:b,s:s,s:b,s:b,s:I,s:I,s:I,s:I}", "table",
				      (json_int_t)wk->info.table, "protocol", wk->info.protocol,
				      "install", wk->info.install, "mode", mode, "ecmp",
				      wk->info.ecmp, "nexthop_objects",
				      wk->fib && fib_uses_nhobj(wk->fib), "route_count",
				      (json_int_t)st.routes, "failed_count",
				      (json_int_t)st.routes_failed, "group_count",
				      (json_int_t)st.groups, "nexthop_count", (json_int_t)st.nexthops);
		if (h && (json_object_set_new(h, "backup_count", json_integer((json_int_t)st.backups)) ||
			  json_object_set_new(h, "backup_pending",
					      json_integer((json_int_t)st.backups_pending)) ||
			  json_object_set_new(h, "held_count", json_integer((json_int_t)st.held)))) {
			json_decref(h);
			h = NULL;
		}
		/* fib { initial-download after-eor }: why the kernel has
		 * none of the routes yet, or not all. */
		const char *dl = st.holding ? "deferred until End-of-RIB"
				 : st.held  ? "initial download under way"
					    : NULL;
		if (h && dl && json_object_set_new(h, "download", json_string(dl))) {
			json_decref(h);
			h = NULL;
		}
		char *s = h ? json_dumps(h, JSON_COMPACT) : NULL;
		json_decref(h);
		if (!s)
			return -ENOMEM;
		/* The header object, its closing brace replaced by the
		 * routes array that follows in parts. */
		wbuf_put_bytes(w, s, strlen(s) - 1);
		free(s);
		static const char open[] = ",\"routes\":[";
		wbuf_put_bytes(w, open, sizeof(open) - 1);
		wk->started = true;
	}
	struct loc_rib *lr = wk->fib ? rib_loc(wk->rib) : NULL;
	while (wk->af && lr) {
		struct prefix next;
		int rc = loc_rib_walk(lr, wk->af, wk->has_cursor ? &wk->cursor : NULL, max,
				      walk_visit, wk, &next);
		if (wk->err)
			return wk->err;
		if (rc < 0)
			return rc;
		if (rc == 1) {
			wk->cursor = next;
			wk->has_cursor = true;
			return wbuf_status(w) ? wbuf_status(w) : 1;
		}
		wk->af = wk->af == AF_INET ? AF_INET6 : 0;
		wk->has_cursor = false;
		if (wk->af)
			return wbuf_status(w) ? wbuf_status(w) : 1;
	}
	static const char close[] = "]}\n";
	wbuf_put_bytes(w, close, sizeof(close) - 1);
	return wbuf_status(w) ? wbuf_status(w) : 0;
}

struct check_ctx {
	json_t *list;
	size_t max;
	int err;
};

static void check_cb(void *arg, const struct prefix *pfx, enum fib_diff kind)
{
	struct check_ctx *c = arg;
	char pb[PREFIX_STRLEN];
	if (json_array_size(c->list) >= c->max)
		return;
	json_t *o = json_pack("{s:s,s:s}", "prefix", prefix_fmt(pfx, pb), "kind",
			      fib_diff_name(kind));
	if (!o || json_array_append_new(c->list, o) != 0)
		c->err = -ENOMEM;
}

json_t *ctl_fib_check(struct fib *fib, const struct ctl_fib_info *info, size_t max)
{
	struct check_ctx c = { .list = json_array(), .max = max };
	if (!c.list)
		return NULL;
	if (!info->install || !fib) {
		json_decref(c.list);
		return ctl_json_error("fib install is off: nothing in the kernel to compare");
	}
	int n = fib_check(fib, check_cb, &c);
	if (n < 0) {
		json_decref(c.list);
		char msg[128];
		snprintf(msg, sizeof(msg), "cannot read the kernel table: %s", strerror(-n));
		return ctl_json_error(msg);
	}
	if (c.err) {
		json_decref(c.list);
		return NULL;
	}
	struct fib_stats st;
	fib_stats_get(fib, &st);
	return json_pack("{s:i,s:i,s:I,s:i,s:b,s:o}", "table", (json_int_t)info->table,
			 "protocol", info->protocol, "route_count", (json_int_t)st.routes,
			 "difference_count", n, "truncated", (size_t)n > max, "differences",
			 c.list);
}
