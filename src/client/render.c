/* Human-readable output of egressctl (see render.h for the rules). */
#include "client/render.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Field checker: the first problem found is kept in err. */
struct ck {
	char *err;
	size_t size;
	bool bad;
};

static void ck_fail(struct ck *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ck_fail(struct ck *k, const char *fmt, ...)
{
	va_list ap;

	if (k->bad)
		return;
	k->bad = true;
	va_start(ap, fmt);
	vsnprintf(k->err, k->size, fmt, ap);
	va_end(ap);
}

static const char *get_str(struct ck *k, json_t *o, const char *key, const char *what)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v)) {
		ck_fail(k, "%s: \"%s\" is missing or not a string", what, key);
		return "";
	}
	return json_string_value(v);
}

static long long get_int(struct ck *k, json_t *o, const char *key, const char *what)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v)) {
		ck_fail(k, "%s: \"%s\" is missing or not an integer", what, key);
		return 0;
	}
	return json_integer_value(v);
}

/* An integer or null; false for null. */
static bool get_opt_int(struct ck *k, json_t *o, const char *key, const char *what,
			long long *val)
{
	json_t *v = json_object_get(o, key);
	if (json_is_null(v))
		return false;
	if (!json_is_integer(v)) {
		ck_fail(k, "%s: \"%s\" is missing or not an integer or null", what, key);
		return false;
	}
	*val = json_integer_value(v);
	return true;
}

static json_t *get_array(struct ck *k, json_t *o, const char *key, const char *what)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_array(v)) {
		ck_fail(k, "%s: \"%s\" is missing or not an array", what, key);
		return NULL;
	}
	return v;
}

void render_sanitize(const char *s, char *out, size_t out_size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	if (!out_size)
		return;
	while (*p && o + 1 < out_size) {
		if (*p < 0x20 || *p == 0x7f) {
			out[o++] = '?';
			p++;
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* C1 controls (U+0080..U+009F) steer some terminals too. */
			out[o++] = '?';
			p += 2;
		} else {
			out[o++] = (char)*p++;
		}
	}
	out[o] = '\0';
}

void render_duration(long long secs, char *buf, size_t size)
{
	if (secs < 0)
		secs = 0;
	if (secs < 86400)
		snprintf(buf, size, "%02lld:%02lld:%02lld", secs / 3600, secs / 60 % 60, secs % 60);
	else
		snprintf(buf, size, "%lldd%02lldh%02lldm", secs / 86400, secs / 3600 % 24,
			 secs / 60 % 60);
}

/* A text table: cells are copied (sanitised) and columns sized to fit. */
#define TBL_MAX_COLS 8
struct table {
	size_t ncols, nrows, cap;
	bool right[TBL_MAX_COLS];
	char **cells; /* nrows * ncols */
};

static int table_add(struct table *t, const char *const *row)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, cap * t->ncols * sizeof(*c));
		if (!c)
			return -ENOMEM;
		t->cells = c;
		t->cap = cap;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		size_t n = strlen(row[i]) + 1;
		char *s = malloc(n);
		if (!s) {
			for (size_t j = 0; j < i; j++)
				free(t->cells[t->nrows * t->ncols + j]);
			return -ENOMEM;
		}
		render_sanitize(row[i], s, n);
		t->cells[t->nrows * t->ncols + i] = s;
	}
	t->nrows++;
	return 0;
}

static void table_print(FILE *out, const struct table *t)
{
	size_t w[TBL_MAX_COLS] = { 0 };

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t n = strlen(t->cells[r * t->ncols + c]);
			if (n > w[c])
				w[c] = n;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		/* Empty cells at the end of a row would only print blanks. */
		size_t end = t->ncols;
		while (end > 1 && !t->cells[r * t->ncols + end - 1][0])
			end--;
		for (size_t c = 0; c < end; c++) {
			const char *s = t->cells[r * t->ncols + c];
			bool last = c + 1 == end;
			if (t->right[c])
				fprintf(out, "%*s", (int)w[c], s);
			else if (last) /* no trailing blanks */
				fputs(s, out);
			else
				fprintf(out, "%-*s", (int)w[c], s);
			if (!last)
				fputs("  ", out);
		}
		fputc('\n', out);
	}
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
}

/* Runs the renderer into memory and copies to out only on success. */
typedef int (*render_fn)(FILE *mem, json_t *ans, struct ck *k);

static int render_buffered(FILE *out, json_t *ans, char *err, size_t err_size, render_fn fn)
{
	struct ck k = { .err = err, .size = err_size };
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	if (!mem) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	int rc = fn(mem, ans, &k);
	fclose(mem);
	if (rc == 0 && k.bad)
		rc = -EBADMSG;
	if (rc == 0)
		fwrite(buf, 1, len, out);
	else if (!k.bad)
		snprintf(err, err_size, "%s", strerror(-rc));
	free(buf);
	return rc;
}

static int neighbors_fn(FILE *mem, json_t *ans, struct ck *k)
{
	static const char *const head[] = { "Neighbor", "AS", "State", "Up/Down",
					    "Rcvd", "Sent", "Description" };
	struct table t = { .ncols = 7, .right = { false, true, false, true, true, true, false } };
	json_t *arr = get_array(k, ans, "neighbors", "answer");
	json_t *n;
	size_t i;
	int rc = table_add(&t, head);

	if (!arr)
		goto out;
	json_array_foreach(arr, i, n) {
		char what[32], as[24], up[32], rcvd[24], sent[24];
		snprintf(what, sizeof(what), "neighbor %zu", i);
		if (!json_is_object(n)) {
			ck_fail(k, "%s is not an object", what);
			break;
		}
		const char *addr = get_str(k, n, "address", what);
		snprintf(as, sizeof(as), "%lld", get_int(k, n, "remote_as", what));
		const char *state = get_str(k, n, "state", what);
		render_duration(get_int(k, n, "uptime_s", what), up, sizeof(up));
		snprintf(rcvd, sizeof(rcvd), "%lld", get_int(k, n, "prefixes_received", what));
		snprintf(sent, sizeof(sent), "%lld", get_int(k, n, "prefixes_sent", what));
		const char *desc = get_str(k, n, "description", what);
		if (k->bad)
			break;
		const char *row[] = { addr, as, state, up, rcvd, sent, desc };
		if (rc == 0)
			rc = table_add(&t, row);
	}
	if (rc == 0 && !k->bad)
		table_print(mem, &t);
out:
	table_free(&t);
	return rc;
}

int render_neighbors(FILE *out, json_t *ans, char *err, size_t err_size)
{
	return render_buffered(out, ans, err, err_size, neighbors_fn);
}

static void print_field(FILE *mem, const char *label, const char *val)
{
	char clean[1024];
	render_sanitize(val, clean, sizeof(clean));
	fprintf(mem, "  %-24s %s\n", label, clean);
}

static int neighbor_fn(FILE *mem, json_t *n, struct ck *k)
{
	const char *w = "neighbor";
	char buf[256], up[32];
	long long v;

	const char *addr = get_str(k, n, "address", w);
	long long ras = get_int(k, n, "remote_as", w);
	long long las = get_int(k, n, "local_as", w);
	const char *state = get_str(k, n, "state", w);
	long long uptime = get_int(k, n, "uptime_s", w);
	long long rcvd = get_int(k, n, "prefixes_received", w);
	long long sent = get_int(k, n, "prefixes_sent", w);
	const char *lerr = get_str(k, n, "last_error", w);
	if (k->bad)
		return 0;

	render_sanitize(addr, buf, sizeof(buf));
	fprintf(mem, "BGP neighbor %s, remote AS %lld, local AS %lld\n", buf, ras, las);
	json_t *d = json_object_get(n, "description");
	if (json_is_string(d) && json_string_length(d))
		print_field(mem, "Description:", json_string_value(d));
	render_duration(uptime, up, sizeof(up));
	snprintf(buf, sizeof(buf), "%s for %s", state, up);
	print_field(mem, "State:", buf);
	if (json_is_integer(json_object_get(n, "port"))) {
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(json_object_get(n, "port")));
		print_field(mem, "Port:", buf);
	}
	json_t *rid = json_object_get(n, "remote_id");
	if (json_is_string(rid))
		print_field(mem, "Remote router ID:", json_string_value(rid));
	if (get_opt_int(k, n, "hold_time", w, &v)) {
		long long ka = 0;
		get_opt_int(k, n, "keepalive", w, &ka);
		snprintf(buf, sizeof(buf), "%lld s, keepalive %lld s", v, ka);
		print_field(mem, "Hold time:", buf);
	}
	snprintf(buf, sizeof(buf), "%lld received, %lld sent", rcvd, sent);
	print_field(mem, "Prefixes:", buf);

	json_t *caps = json_object_get(n, "capabilities");
	if (json_is_object(caps) && json_object_size(caps)) {
		const char *key;
		json_t *val;
		size_t o = 0;
		buf[0] = '\0';
		json_object_foreach(caps, key, val) {
			if (json_is_true(val) && o < sizeof(buf))
				o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
						      o ? " " : "", key);
			else if (json_is_array(val)) {
				size_t i;
				json_t *f;
				json_array_foreach(val, i, f) {
					if (json_is_string(f) && o < sizeof(buf))
						o += (size_t)snprintf(buf + o, sizeof(buf) - o,
								      "%s%s", o ? " " : "",
								      json_string_value(f));
				}
			}
		}
		print_field(mem, "Capabilities:", buf);
	}

	json_t *msgs = json_object_get(n, "messages");
	json_t *in = json_object_get(msgs, "in"), *out = json_object_get(msgs, "out");
	if (json_is_object(in) && json_is_object(out)) {
		static const char *const types[] = { "open", "update", "notification", "keepalive",
						     "route_refresh", "total" };
		fprintf(mem, "  Messages:                %12s %12s\n", "sent", "received");
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			long long s = get_int(k, out, types[i], "messages.out");
			long long r = get_int(k, in, types[i], "messages.in");
			fprintf(mem, "    %-22s %12lld %12lld\n", types[i], s, r);
		}
	}
	json_t *ns = json_object_get(n, "last_notification_sent");
	json_t *nr = json_object_get(n, "last_notification_received");
	if (json_is_string(ns))
		print_field(mem, "Last NOTIFICATION sent:", json_string_value(ns));
	if (json_is_string(nr))
		print_field(mem, "Last NOTIFICATION rcvd:", json_string_value(nr));
	print_field(mem, "Last error:", lerr[0] ? lerr : "none");
	return 0;
}

int render_neighbor(FILE *out, json_t *ans, char *err, size_t err_size)
{
	return render_buffered(out, ans, err, err_size, neighbor_fn);
}

/* Joins the strings of an array with spaces into buf (cut if long). */
static void join_strings(struct ck *k, json_t *arr, const char *what, char *buf, size_t size,
			 size_t *o)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		if (!json_is_string(v)) {
			ck_fail(k, "%s holds a non-string", what);
			return;
		}
		if (*o < size)
			*o += (size_t)snprintf(buf + *o, size - *o, "%s%s", *o ? " " : "",
					       json_string_value(v));
	}
}

/* Adj-RIB rows name their neighbor; Loc-RIB rows (loc) may have none
 * (our own prefixes) and say which path is the best ('*') or shares
 * traffic with it ('='). */
static int routes_table(FILE *mem, json_t *ans, struct ck *k, bool loc)
{
	static const char *const head[] = { "Neighbor", "Prefix", "Next hop", "MED", "LocPref",
					    "AS path", "Origin", "Communities" };
	struct table t = { .ncols = 8,
			   .right = { false, false, false, true, true, false, false, false } };
	json_t *arr = get_array(k, ans, "routes", "answer");
	json_t *r;
	size_t i;
	int rc = table_add(&t, head);

	if (!arr)
		goto out;
	json_array_foreach(arr, i, r) {
		char what[32], med[24] = "-", lp[24] = "-", path[1024] = "", comm[1024] = "";
		long long v;
		size_t o = 0;
		snprintf(what, sizeof(what), "route %zu", i);
		if (!json_is_object(r)) {
			ck_fail(k, "%s is not an object", what);
			break;
		}
		const char *nbr;
		char nbuf[96];
		if (loc) {
			json_t *jn = json_object_get(r, "neighbor");
			if (!json_is_string(jn) && !json_is_null(jn))
				ck_fail(k, "%s: \"neighbor\" is missing or not a string or null", what);
			json_t *jb = json_object_get(r, "best"), *jm = json_object_get(r, "multipath");
			if (!json_is_boolean(jb) || !json_is_boolean(jm))
				ck_fail(k, "%s: \"best\" or \"multipath\" is not a boolean", what);
			snprintf(nbuf, sizeof(nbuf), "%c %s",
				 json_is_true(jb) ? '*' : json_is_true(jm) ? '=' : ' ',
				 json_is_string(jn) ? json_string_value(jn) : "local");
			nbr = nbuf;
		} else {
			nbr = get_str(k, r, "neighbor", what);
		}
		const char *pfx = get_str(k, r, "prefix", what);
		json_t *nh = json_object_get(r, "next_hop");
		if (!json_is_string(nh) && !json_is_null(nh))
			ck_fail(k, "%s: \"next_hop\" is missing or not a string or null", what);
		if (get_opt_int(k, r, "med", what, &v))
			snprintf(med, sizeof(med), "%lld", v);
		if (get_opt_int(k, r, "local_pref", what, &v))
			snprintf(lp, sizeof(lp), "%lld", v);
		json_t *pt = json_object_get(r, "as_path_text");
		if (json_is_string(pt)) {
			snprintf(path, sizeof(path), "%s", json_string_value(pt));
		} else {
			json_t *asns = get_array(k, r, "as_path", what);
			json_t *a;
			size_t j, po = 0;
			json_array_foreach(asns, j, a) {
				if (!json_is_integer(a)) {
					ck_fail(k, "%s: \"as_path\" holds a non-integer", what);
					break;
				}
				if (po < sizeof(path))
					po += (size_t)snprintf(path + po, sizeof(path) - po, "%s%lld",
							       po ? " " : "",
							       (long long)json_integer_value(a));
			}
		}
		json_t *origin = json_object_get(r, "origin");
		if (!json_is_string(origin) && !json_is_null(origin))
			ck_fail(k, "%s: \"origin\" is missing or not a string or null", what);
		json_t *c = get_array(k, r, "communities", what);
		json_t *lc = get_array(k, r, "large_communities", what);
		json_t *ec = json_object_get(r, "ext_communities");
		if (c)
			join_strings(k, c, "communities", comm, sizeof(comm), &o);
		if (lc)
			join_strings(k, lc, "large_communities", comm, sizeof(comm), &o);
		if (json_is_array(ec))
			join_strings(k, ec, "ext_communities", comm, sizeof(comm), &o);
		if (k->bad)
			break;
		const char *row[] = { nbr, pfx, json_is_string(nh) ? json_string_value(nh) : "-",
				      med, lp, path,
				      json_is_string(origin) ? json_string_value(origin) : "-",
				      comm };
		if (rc == 0)
			rc = table_add(&t, row);
	}
	if (rc == 0 && !k->bad)
		table_print(mem, &t);
out:
	table_free(&t);
	return rc;
}

static int routes_fn(FILE *mem, json_t *ans, struct ck *k)
{
	return routes_table(mem, ans, k, false);
}

static int loc_routes_fn(FILE *mem, json_t *ans, struct ck *k)
{
	return routes_table(mem, ans, k, true);
}

int render_routes(FILE *out, json_t *ans, char *err, size_t err_size)
{
	return render_buffered(out, ans, err, err_size, routes_fn);
}

int render_loc_rib(FILE *out, json_t *ans, char *err, size_t err_size)
{
	return render_buffered(out, ans, err, err_size, loc_routes_fn);
}

static int memory_fn(FILE *mem, json_t *ans, struct ck *k)
{
	/* The routing core's modules are always there; the others come
	 * from newer daemons (an older one's answer still renders). */
	static const struct {
		const char *name;
		bool optional;
	} mods[] = {
		{ "loc_rib", false },	     { "attributes", false },
		{ "adj_rib_in", false },     { "adj_rib_in_pre_policy", true },
		{ "adj_rib_out", false },    { "sessions", true },
		{ "allocator", true },
	};
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		json_t *o = json_object_get(ans, mods[i].name);
		if (!o && mods[i].optional)
			continue;
		if (!json_is_object(o)) {
			ck_fail(k, "\"%s\" is missing or not an object", mods[i].name);
			return 0;
		}
		fprintf(mem, "%-12s", mods[i].name);
		const char *key;
		json_t *v;
		json_object_foreach(o, key, v) {
			if (!json_is_integer(v)) {
				ck_fail(k, "%s.%s is not an integer", mods[i].name, key);
				return 0;
			}
			char clean[64];
			render_sanitize(key, clean, sizeof(clean));
			fprintf(mem, " %s %lld", clean, (long long)json_integer_value(v));
		}
		fputc('\n', mem);
	}
	long long total = get_int(k, ans, "total_bytes", "answer");
	if (!k->bad)
		fprintf(mem, "%-12s %lld bytes\n", "total", total);
	return 0;
}

int render_memory(FILE *out, json_t *ans, char *err, size_t err_size)
{
	return render_buffered(out, ans, err, err_size, memory_fn);
}

#define PROBE_STRIP 16

/* `show probes`: one block per probe, its last results as a strip
 * ('!' success, '.' failure, newest last) and its transitions. */
static void fmt_wall(double t, char *buf, size_t size)
{
	/* Rounded to the millisecond first, so 1.4 s never prints .399. */
	long long ms = (long long)(t * 1000.0 + 0.5);
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&s, &tm);
	size_t n = strftime(buf, size, "%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03dZ", (int)(ms % 1000));
}

static int probes_fn(FILE *mem, json_t *ans, struct ck *k)
{
	json_t *arr = get_array(k, ans, "probes", "answer");
	json_t *p;
	size_t i;
	if (k->bad)
		return 0;
	if (json_array_size(arr) == 0)
		fprintf(mem, "no probes configured\n");
	json_array_foreach(arr, i, p) {
		const char *w = "probe";
		const char *name = get_str(k, p, "name", w), *kind = get_str(k, p, "kind", w);
		const char *target = get_str(k, p, "target", w), *state = get_str(k, p, "state", w);
		long long ok = get_int(k, p, "ok", w), fail = get_int(k, p, "fail", w);
		long long iv = get_int(k, p, "interval_ms", w);
		json_t *res = get_array(k, p, "results", w), *tr = get_array(k, p, "transitions", w);
		if (k->bad)
			return 0;
		char n[80], t[80], s[16], strip[PROBE_STRIP + 1];
		render_sanitize(name, n, sizeof(n));
		render_sanitize(target, t, sizeof(t));
		render_sanitize(state, s, sizeof(s));
		json_t *port = json_object_get(p, "port");
		bool v6 = strchr(t, ':') != NULL;
		if (json_is_integer(port))
			fprintf(mem, "probe %s: %s, tcp %s%s%s:%lld", n, s, v6 ? "[" : "", t,
				v6 ? "]" : "", (long long)json_integer_value(port));
		else
			fprintf(mem, "probe %s: %s, %s %s", n, s,
				strcmp(kind, "tcp") == 0 ? "tcp" : "icmp", t);
		fprintf(mem, " every %lldms, %lld ok, %lld failed\n", iv, ok, fail);
		size_t nr = json_array_size(res), m = 0;
		for (size_t j = nr; j-- > 0 && m < PROBE_STRIP;) {
			json_t *r = json_array_get(res, j);
			json_t *rok = json_object_get(r, "ok");
			if (!json_is_boolean(rok)) {
				ck_fail(k, "probe result without a boolean \"ok\"");
				return 0;
			}
			strip[m++] = json_is_true(rok) ? '!' : '.';
		}
		strip[m] = 0;
		fprintf(mem, "  last results  %s\n", m ? strip : "(none yet)");
		json_t *x;
		size_t j;
		json_array_foreach(tr, j, x) {
			json_t *tt = json_object_get(x, "time");
			const char *from = get_str(k, x, "from", "transition");
			const char *to = get_str(k, x, "to", "transition");
			const char *why = get_str(k, x, "reason", "transition");
			if (k->bad || !json_is_number(tt)) {
				ck_fail(k, "transition without a numeric \"time\"");
				return 0;
			}
			char when[32], f2[16], t2[16], r2[80];
			fmt_wall(json_number_value(tt), when, sizeof(when));
			render_sanitize(from, f2, sizeof(f2));
			render_sanitize(to, t2, sizeof(t2));
			render_sanitize(why, r2, sizeof(r2));
			fprintf(mem, "  %s  %s -> %s (%s)\n", when, f2, t2, r2);
		}
	}
	return 0;
}

int render_probes(FILE *out, json_t *ans, char *err, size_t err_size)
{
	return render_buffered(out, ans, err, err_size, probes_fn);
}

bool render_field_str(json_t *o, const char *key, char *buf, size_t size, char *err,
		      size_t err_size, const char *what)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v)) {
		snprintf(err, err_size, "%s: \"%s\" is missing or not a string", what, key);
		return false;
	}
	render_sanitize(json_string_value(v), buf, size);
	return true;
}

bool render_field_int(json_t *o, const char *key, long long *out, char *err,
		      size_t err_size, const char *what)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v)) {
		snprintf(err, err_size, "%s: \"%s\" is missing or not an integer", what, key);
		return false;
	}
	*out = (long long)json_integer_value(v);
	return true;
}
