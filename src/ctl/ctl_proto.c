/* Control protocol requests.  The parser is the daemon's door for local
 * users, so it trusts nothing: the length is capped before JSON parsing,
 * NUL bytes are refused, duplicate keys, unknown keys and wrong types are
 * errors, and any piece of the request quoted back in a message is cut
 * short and reduced to printable ASCII (the answer must stay valid UTF-8
 * JSON and safe to print on a terminal). */
#include "ctl/ctl_proto.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "ctl/ctl.h"

static const char *const cmd_names[CTL_CMD_COUNT] = {
	[CTL_CMD_SHOW_NEIGHBORS] = "show neighbors",
	[CTL_CMD_SHOW_NEIGHBOR] = "show neighbor",
	[CTL_CMD_SHOW_RIB_IN] = "show rib in",
	[CTL_CMD_SHOW_RIB_OUT] = "show rib out",
	[CTL_CMD_RELOAD] = "reload",
};

enum nbr_rule { NBR_NONE, NBR_OPTIONAL, NBR_REQUIRED };
static const enum nbr_rule cmd_nbr_rule[CTL_CMD_COUNT] = {
	[CTL_CMD_SHOW_NEIGHBORS] = NBR_NONE,
	[CTL_CMD_SHOW_NEIGHBOR] = NBR_REQUIRED,
	[CTL_CMD_SHOW_RIB_IN] = NBR_OPTIONAL,
	[CTL_CMD_SHOW_RIB_OUT] = NBR_OPTIONAL,
	[CTL_CMD_RELOAD] = NBR_NONE,
};

const char *ctl_cmd_name(enum ctl_cmd cmd)
{
	if ((unsigned)cmd >= CTL_CMD_COUNT)
		return NULL;
	return cmd_names[cmd];
}

/* Longest piece of client input quoted back in an error message. */
#define QUOTE_MAX 40

/* Copies untrusted text for an error message: at most max bytes,
 * anything outside printable ASCII as '?', "..." when cut. */
static void quote(const char *s, size_t len, size_t max, char *out, size_t out_size)
{
	struct rbuf r;
	size_t o = 0;
	uint8_t c;

	rbuf_init(&r, s, len);
	while (o + 4 < out_size && o < max && rbuf_get_u8(&r, &c) == 0)
		out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	if (rbuf_left(&r) && o + 4 <= out_size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static int fail(char *err, size_t err_size, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t err_size, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_size, fmt, ap);
	va_end(ap);
	return rc;
}

static bool all_space(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

static bool name_is(const char *want, const char *name, size_t name_len)
{
	return want && strlen(want) == name_len && memcmp(want, name, name_len) == 0;
}

static int parse_object(json_t *root, const char *const *ext_names, size_t n_ext,
			struct ctl_request *req, char *err, size_t err_size)
{
	char q[QUOTE_MAX + 8];
	const char *key;
	json_t *val;
	json_t *cmd = json_object_get(root, "command"), *nbr = NULL;

	if (!cmd)
		return fail(err, err_size, -EINVAL, "missing \"command\"");
	if (!json_is_string(cmd))
		return fail(err, err_size, -EINVAL, "\"command\" must be a string");

	const char *name = json_string_value(cmd);
	size_t name_len = json_string_length(cmd);
	int found = -1;
	for (int i = 0; i < CTL_CMD_COUNT && found < 0; i++)
		if (name_is(cmd_names[i], name, name_len))
			found = i;
	if (found < 0) {
		/* A command the daemon registered checks its own keys. */
		for (size_t i = 0; i < n_ext; i++) {
			if (name_is(ext_names[i], name, name_len)) {
				req->ext = (int)i;
				return 0;
			}
		}
		quote(name, name_len, QUOTE_MAX, q, sizeof(q));
		return fail(err, err_size, -EINVAL, "unknown command '%s'", q);
	}
	req->cmd = (enum ctl_cmd)found;

	json_object_foreach(root, key, val) {
		if (strcmp(key, "neighbor") == 0) {
			nbr = val;
		} else if (strcmp(key, "command") != 0) {
			quote(key, strlen(key), QUOTE_MAX, q, sizeof(q));
			return fail(err, err_size, -EINVAL, "unknown key '%s'", q);
		}
	}

	if (nbr) {
		if (!json_is_string(nbr))
			return fail(err, err_size, -EINVAL, "\"neighbor\" must be a string");
		if (cmd_nbr_rule[req->cmd] == NBR_NONE)
			return fail(err, err_size, -EINVAL, "command '%s' takes no \"neighbor\"",
				    cmd_names[req->cmd]);
		/* Without JSON_ALLOW_NUL jansson refuses "\u0000", so the
		 * value is a proper C string; the length check is a second
		 * guard for addr_parse. */
		const char *s = json_string_value(nbr);
		size_t s_len = json_string_length(nbr);
		if (s_len != strlen(s) || s_len >= 64 || addr_parse(s, &req->neighbor) != 0) {
			quote(s, s_len, QUOTE_MAX, q, sizeof(q));
			return fail(err, err_size, -EINVAL, "invalid neighbor address '%s'", q);
		}
		/* Peers are configured by plain IPv4 address; a v4-mapped
		 * literal names the same peer. */
		addr_unmap_v4(&req->neighbor);
		req->has_neighbor = true;
	} else if (cmd_nbr_rule[req->cmd] == NBR_REQUIRED) {
		return fail(err, err_size, -EINVAL, "command '%s' needs a \"neighbor\"",
			    cmd_names[req->cmd]);
	}
	return 0;
}

int ctl_request_parse(const void *buf, size_t len, struct ctl_request *req,
		      char *err, size_t err_size)
{
	return ctl_request_parse_ext(buf, len, NULL, 0, req, NULL, err, err_size);
}

int ctl_request_parse_ext(const void *buf, size_t len, const char *const *ext_names,
			  size_t n_ext, struct ctl_request *req, json_t **args,
			  char *err, size_t err_size)
{
	const uint8_t *p = buf;
	char q[JSON_ERROR_TEXT_LENGTH];
	json_error_t jerr;

	memset(req, 0, sizeof(*req));
	req->ext = -1;
	if (args)
		*args = NULL;
	if (err_size)
		err[0] = '\0';
	/* Cap before parsing so a huge line costs nothing but the read. */
	if (len > CTL_MAX_REQUEST - 1)
		return fail(err, err_size, -EMSGSIZE, "request longer than %d bytes",
			    CTL_MAX_REQUEST - 1);
	if (len && p[len - 1] == '\r')
		len--;
	if (len && memchr(p, '\0', len))
		return fail(err, err_size, -EINVAL, "request contains a NUL byte");
	if (all_space(p, len))
		return fail(err, err_size, -EINVAL, "empty request");

	/* JSON_DECODE_ANY so that a bare scalar gets our own message;
	 * duplicate keys are refused so a request has one meaning. */
	json_t *root = json_loadb((const char *)p, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
				  &jerr);
	if (!root) {
		quote(jerr.text, strnlen(jerr.text, sizeof(jerr.text)), sizeof(q) - 4, q, sizeof(q));
		return fail(err, err_size, -EINVAL, "invalid JSON at byte %d: %s",
			    jerr.position, q);
	}
	int rc;
	if (!json_is_object(root))
		rc = fail(err, err_size, -EINVAL, "request must be a JSON object");
	else
		rc = parse_object(root, ext_names, n_ext, req, err, err_size);
	if (rc == 0 && req->ext >= 0 && args) {
		*args = root; /* the caller's reference now */
		return 0;
	}
	json_decref(root);
	if (rc) {
		memset(req, 0, sizeof(*req));
		req->ext = -1;
	}
	return rc;
}

/* A request on the wire is one JSON object and a newline; takes body. */
static char *line_from_json(char *body)
{
	size_t n = strlen(body);
	char *line = malloc(n + 2);
	if (line) {
		memcpy(line, body, n);
		line[n] = '\n';
		line[n + 1] = '\0';
	}
	free(body);
	return line;
}

char *ctl_request_encode(const struct ctl_request *req)
{
	const char *name = ctl_cmd_name(req->cmd);
	char abuf[ADDR_STRLEN];

	if (!name)
		return NULL;
	json_t *o = json_object();
	if (!o)
		return NULL;
	int rc = json_object_set_new(o, "command", json_string(name));
	if (rc == 0 && req->has_neighbor)
		rc = json_object_set_new(o, "neighbor", json_string(addr_fmt(&req->neighbor, abuf)));
	char *body = rc == 0 ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!body)
		return NULL;
	return line_from_json(body);
}

char *ctl_request_encode_name(const char *name)
{
	json_t *o = json_pack("{s:s}", "command", name);
	char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!body)
		return NULL;
	return line_from_json(body);
}
