/* egressctl show fib [--check]: the daemon's answer (ctl/ctl_fib.h)
 * as text.  Every field is type-checked before it is printed, strings
 * are sanitised for the terminal (render.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/render.h"

static const char *str_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool int_of(json_t *o, const char *key, long long *out)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		return false;
	*out = (long long)json_integer_value(v);
	return true;
}

/* "10.0.1.2 eg1, 10.0.2.2 eg2" */
static int nexthops_text(json_t *arr, char *buf, size_t size, char *err, size_t err_size)
{
	size_t off = 0;
	size_t i;
	json_t *nh;
	buf[0] = '\0';
	json_array_foreach(arr, i, nh) {
		long long ifindex;
		const char *gw = str_of(nh, "gateway"), *dev = str_of(nh, "dev");
		if (!json_is_object(nh) || !int_of(nh, "ifindex", &ifindex)) {
			snprintf(err, err_size, "nexthop %zu: \"ifindex\" missing or not an integer", i);
			return -EBADMSG;
		}
		char g[64], d[32], ifs[24];
		render_sanitize(gw ? gw : "on-link", g, sizeof(g));
		snprintf(ifs, sizeof(ifs), "if%lld", ifindex);
		render_sanitize(dev ? dev : ifs, d, sizeof(d));
		int n = snprintf(buf + off, size - off, "%s%s %s", i ? ", " : "", g, d);
		if (n < 0 || (size_t)n >= size - off)
			break;
		off += (size_t)n;
	}
	return 0;
}

int render_fib(FILE *out, json_t *ans, char *err, size_t err_size)
{
	json_t *routes = json_object_get(ans, "routes");
	long long table, proto, count;
	if (!json_is_array(routes) || !int_of(ans, "table", &table) ||
	    !int_of(ans, "protocol", &proto) || !int_of(ans, "route_count", &count)) {
		snprintf(err, err_size, "\"routes\", \"table\", \"protocol\" or \"route_count\" "
			 "missing or of the wrong type");
		return -EBADMSG;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	bool install = json_is_true(json_object_get(ans, "install"));
	const char *mode = str_of(ans, "mode");
	if (!install && mode && strcmp(mode, "off") == 0) {
		/* Nothing computed, so no routes follow and no column heads. */
		fprintf(mem, "table %lld, protocol %lld: install off: egressd writes nothing "
			     "to the kernel\n", table, proto);
	} else {
		/* fib { initial-download after-eor }: why routes are missing. */
		const char *dl = str_of(ans, "download");
		fprintf(mem, "table %lld, protocol %lld, %lld routes%s%s%s\n", table, proto, count,
			install ? "" : " (install dry-run: not in the kernel)",
			dl ? ": " : "", dl ? dl : "");
		fprintf(mem, "%-43s %-10s %-13s %s\n", "Prefix", "Group", "State", "Next hops");
	}
	size_t i;
	json_t *r;
	int rc = 0;
	json_array_foreach(routes, i, r) {
		const char *pfx = str_of(r, "prefix"), *state = str_of(r, "state");
		json_t *nhs = json_object_get(r, "nexthops");
		if (!json_is_object(r) || !pfx || !state || !json_is_array(nhs)) {
			snprintf(err, err_size, "route %zu: \"prefix\", \"state\" or \"nexthops\" "
				 "missing or of the wrong type", i);
			rc = -EBADMSG;
			break;
		}
		char p[64], s[32], g[16] = "-", nt[512];
		long long gid;
		if (int_of(r, "group", &gid))
			snprintf(g, sizeof(g), "%lld", gid);
		render_sanitize(pfx, p, sizeof(p));
		render_sanitize(state, s, sizeof(s));
		rc = nexthops_text(nhs, nt, sizeof(nt), err, err_size);
		if (rc)
			break;
		fprintf(mem, "%-43s %-10s %-13s %s\n", p, g, s, nt);
		/* Its backup route: the kernel's fallback, at a higher metric. */
		json_t *b = json_object_get(r, "backup");
		const char *bs = json_is_object(b) ? str_of(b, "state") : NULL;
		json_t *bn = json_is_object(b) ? json_object_get(b, "nexthops") : NULL;
		if (bs && json_is_array(bn)) {
			snprintf(g, sizeof(g), "-");
			if (int_of(b, "group", &gid))
				snprintf(g, sizeof(g), "%lld", gid);
			render_sanitize(bs, s, sizeof(s));
			rc = nexthops_text(bn, nt, sizeof(nt), err, err_size);
			if (rc)
				break;
			fprintf(mem, "%-43s %-10s %-13s %s\n", "  backup", g, s, nt);
		}
	}
	fclose(mem);
	if (rc == 0)
		fwrite(buf, 1, len, out);
	free(buf);
	return rc;
}

int render_fib_check(FILE *out, json_t *ans, char *err, size_t err_size)
{
	json_t *diffs = json_object_get(ans, "differences");
	long long n, table, count;
	if (!json_is_array(diffs) || !int_of(ans, "difference_count", &n) ||
	    !int_of(ans, "table", &table) || !int_of(ans, "route_count", &count)) {
		snprintf(err, err_size, "\"differences\", \"difference_count\", \"table\" or "
			 "\"route_count\" missing or of the wrong type");
		return -EBADMSG;
	}
	size_t i;
	json_t *d;
	json_array_foreach(diffs, i, d) {
		if (!json_is_object(d) || !str_of(d, "prefix") || !str_of(d, "kind")) {
			snprintf(err, err_size, "difference %zu: \"prefix\" or \"kind\" missing", i);
			return -EBADMSG;
		}
	}
	if (n == 0) {
		fprintf(out, "table %lld: the kernel holds the %lld routes egressd installed, "
			"no difference\n", table, count);
		return 0;
	}
	fprintf(out, "table %lld: %lld difference%s between egressd (%lld routes) and the kernel\n",
		table, n, n == 1 ? "" : "s", count);
	fprintf(out, "%-43s %s\n", "Prefix", "Difference");
	json_array_foreach(diffs, i, d) {
		char p[64], k[16];
		render_sanitize(str_of(d, "prefix"), p, sizeof(p));
		render_sanitize(str_of(d, "kind"), k, sizeof(k));
		const char *why = strcmp(k, "missing") == 0 ? "missing (egressd has it, kernel not)"
				: strcmp(k, "extra") == 0 ? "extra (kernel has it with our protocol)"
				: strcmp(k, "nexthop") == 0 ? "nexthop (other next hops in the kernel)"
							    : k;
		fprintf(out, "%-43s %s\n", p, why);
	}
	if ((long long)json_array_size(diffs) < n)
		fprintf(out, "(%lld more not listed)\n", n - (long long)json_array_size(diffs));
	return 0;
}
