/* See render_cloud.h. */
#include "client/render_cloud.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "client/render.h"

/* "169.254.247.2 (tunnel 1), 169.254.247.26" */
static bool targets_text(json_t *arr, char *buf, size_t size, char *err, size_t err_size)
{
	size_t i, used = 0;
	json_t *t;
	buf[0] = 0;
	if (!json_is_array(arr)) {
		snprintf(err, err_size, "route: \"targets\" is missing or not an array");
		return false;
	}
	json_array_foreach(arr, i, t) {
		char nh[64], sess[64] = "", desc[80] = "";
		if (!json_is_object(t) ||
		    !render_field_str(t, "next_hop", nh, sizeof(nh), err, err_size, "target"))
			return false;
		json_t *s = json_object_get(t, "session"), *dj = json_object_get(t, "description");
		if (s && !render_field_str(t, "session", sess, sizeof(sess), err, err_size, "target"))
			return false;
		if (dj && !render_field_str(t, "description", desc, sizeof(desc), err, err_size,
					    "target"))
			return false;
		int k = snprintf(buf + used, size - used, "%s%s%s%s%s%s", i ? ", " : "", nh,
				 sess[0] && strcmp(sess, nh) != 0 ? " via " : "",
				 sess[0] && strcmp(sess, nh) != 0 ? sess : "", desc[0] ? " " : "",
				 "");
		if (k < 0 || (size_t)k >= size - used)
			break;
		used += (size_t)k;
		if (desc[0]) {
			k = snprintf(buf + used, size - used, "(%s)", desc);
			if (k < 0 || (size_t)k >= size - used)
				break;
			used += (size_t)k;
		}
	}
	return true;
}

static bool table_text(FILE *m, json_t *t, char *err, size_t err_size)
{
	char name[80];
	long long table, max, prop, inst, over, supp;
	json_t *routes = json_object_get(t, "routes");
	if (!json_is_object(t) ||
	    !render_field_str(t, "name", name, sizeof(name), err, err_size, "table") ||
	    !render_field_int(t, "table", &table, err, err_size, "table") ||
	    !render_field_int(t, "max_routes", &max, err, err_size, "table") ||
	    !render_field_int(t, "propagated", &prop, err, err_size, "table") ||
	    !render_field_int(t, "installed", &inst, err, err_size, "table") ||
	    !render_field_int(t, "over_limit", &over, err, err_size, "table") ||
	    !render_field_int(t, "suppressed", &supp, err, err_size, "table"))
		return false;
	if (!json_is_array(routes)) {
		snprintf(err, err_size, "table: \"routes\" is missing or not an array");
		return false;
	}
	fprintf(m, "route-table %s (kernel table %lld): %lld propagated of at most %lld, "
		"%lld installed, %lld over the limit, %lld suppressed\n",
		name, table, prop, max, inst, over, supp);
	fprintf(m, "%-20s %-11s %-21s %s\n", "Destination", "Origin", "State", "Target");
	size_t i;
	json_t *r;
	json_array_foreach(routes, i, r) {
		char dst[64], origin[16], state[32], targets[512];
		if (!json_is_object(r) ||
		    !render_field_str(r, "destination", dst, sizeof(dst), err, err_size, "route") ||
		    !render_field_str(r, "origin", origin, sizeof(origin), err, err_size, "route") ||
		    !render_field_str(r, "state", state, sizeof(state), err, err_size, "route") ||
		    !targets_text(json_object_get(r, "targets"), targets, sizeof(targets), err,
				  err_size))
			return false;
		fprintf(m, "%-20s %-11s %-21s %s\n", dst, origin, state, targets);
	}
	return true;
}

/* Text is built in memory and printed only when all of it checked out;
 * *text is only valid once the stream is closed. */
static int emit(FILE *out, char **text, bool ok, FILE *m, char *err, size_t err_size)
{
	if (fclose(m) != 0)
		ok = false;
	if (ok && *text)
		fputs(*text, out);
	free(*text);
	if (!ok && !err[0])
		snprintf(err, err_size, "malformed answer");
	return ok ? 0 : -EBADMSG;
}

int render_route_tables(FILE *out, json_t *ans, char *err, size_t err_size)
{
	json_t *tables = json_object_get(ans, "route_tables");
	if (!json_is_array(tables)) {
		snprintf(err, err_size, "\"route_tables\" is missing or not an array");
		return -EBADMSG;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	bool ok = true;
	size_t i;
	json_t *t;
	json_array_foreach(tables, i, t) {
		if (i)
			fputc('\n', m);
		if (!(ok = table_text(m, t, err, err_size)))
			break;
	}
	return emit(out, &text, ok, m, err, err_size);
}

int render_explain(FILE *out, json_t *ans, char *err, size_t err_size)
{
	char prefix[64], cmp[32], decided[40] = "-";
	json_t *steps = json_object_get(ans, "steps"), *paths = json_object_get(ans, "paths");
	json_t *dj = json_object_get(ans, "decided_by");
	if (!render_field_str(ans, "prefix", prefix, sizeof(prefix), err, err_size, "answer") ||
	    !render_field_str(ans, "comparator", cmp, sizeof(cmp), err, err_size, "answer"))
		return -EBADMSG;
	if (!json_is_array(steps) || !json_is_array(paths)) {
		snprintf(err, err_size, "\"steps\" or \"paths\" is missing or not an array");
		return -EBADMSG;
	}
	if (json_is_string(dj))
		render_sanitize(json_string_value(dj), decided, sizeof(decided));
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	bool ok = true;
	fprintf(m, "%s: decision process %s, steps in order:\n  ", prefix, cmp);
	size_t i;
	json_t *s;
	json_array_foreach(steps, i, s) {
		char st[40];
		if (!json_is_string(s)) {
			ok = false;
			snprintf(err, err_size, "\"steps\" holds a non-string");
			break;
		}
		render_sanitize(json_string_value(s), st, sizeof(st));
		fprintf(m, "%s%s", i ? " > " : "", st);
	}
	fputc('\n', m);
	if (ok && json_array_size(paths) == 0)
		fprintf(m, "no paths for %s\n", prefix);
	else if (ok)
		fprintf(m, "winner decided at: %s\n", decided);
	json_t *p;
	json_array_foreach(paths, i, p) {
		if (!ok)
			break;
		char nb[64] = "-", path[256] = "", src[16] = "-", reason[256] = "", lost[40] = "";
		long long len_ = 0;
		json_t *bj = json_object_get(p, "best"), *mj = json_object_get(p, "med");
		ok = json_is_object(p) && json_is_boolean(bj) &&
		     render_field_str(p, "as_path_text", path, sizeof(path), err, err_size, "path") &&
		     render_field_str(p, "source", src, sizeof(src), err, err_size, "path") &&
		     render_field_int(p, "as_path_length", &len_, err, err_size, "path");
		if (ok && json_object_get(p, "neighbor"))
			ok = render_field_str(p, "neighbor", nb, sizeof(nb), err, err_size, "path");
		if (ok && json_object_get(p, "lost_at"))
			ok = render_field_str(p, "lost_at", lost, sizeof(lost), err, err_size, "path") &&
			     render_field_str(p, "reason", reason, sizeof(reason), err, err_size, "path");
		if (!ok)
			break;
		char med[24] = "-";
		if (json_is_integer(mj))
			snprintf(med, sizeof(med), "%lld", (long long)json_integer_value(mj));
		json_t *mc = json_object_get(p, "med_compared");
		fprintf(m, "%s %-16s %-10s as-path [%s] (length %lld) med %s%s\n",
			json_is_true(bj) ? "*" : " ", nb, src, path, len_, med,
			json_is_false(mc) ? " (MED not compared: another first AS)" : "");
		if (lost[0])
			fprintf(m, "    lost at %s: %s\n", lost, reason);
	}
	return emit(out, &text, ok, m, err, err_size);
}
