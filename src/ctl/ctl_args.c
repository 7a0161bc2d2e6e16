/* Argument checks of the daemon-added control commands: see ctl_args.h.
 * The keys and messages are those of docs/control-protocol.md. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "ctl/ctl_args.h"

static const struct ctl_arg_spec no_args[1] = { { NULL, CTL_ARG_STRING, false } };
static const struct ctl_arg_spec show_fib_args[] = { { "check", CTL_ARG_BOOL, false } };
static const struct ctl_arg_spec route_table_args[] = { { "name", CTL_ARG_STRING, false } };
static const struct ctl_arg_spec explain_args[] = { { "prefix", CTL_ARG_PREFIX, true } };
static const struct ctl_arg_spec condition_args[] = {
	{ "name", CTL_ARG_STRING, true },
	{ "state", CTL_ARG_STRING, true },
};
static const struct ctl_arg_spec pre_policy_args[] = { { "neighbor", CTL_ARG_ADDR, true } };

#define ARGS(a) (a), sizeof(a) / sizeof((a)[0])
const struct ctl_command_args ctl_command_args[] = {
	{ "show rib", no_args, 0 },
	{ "show memory", no_args, 0 },
	{ "show loop", no_args, 0 },
	{ "show probes", no_args, 0 },
	{ "originate", no_args, 0 },
	{ "show fib", ARGS(show_fib_args) },
	{ "show route-table", ARGS(route_table_args) },
	{ "explain", ARGS(explain_args) },
	{ "condition", ARGS(condition_args) },
	{ "show rib in pre-policy", ARGS(pre_policy_args) },
	{ NULL, NULL, 0 },
};

const struct ctl_command_args *ctl_args_find(const char *command)
{
	for (const struct ctl_command_args *c = ctl_command_args; c->command; c++)
		if (strcmp(c->command, command) == 0)
			return c;
	return NULL;
}

#define QUOTE_MAX 40

void ctl_args_quote(const char *s, char *out, size_t out_size)
{
	struct rbuf r;
	size_t o = 0;
	uint8_t c;

	if (out_size == 0)
		return;
	rbuf_init(&r, s, strlen(s));
	while (o + 4 < out_size && o < QUOTE_MAX && rbuf_get_u8(&r, &c) == 0)
		out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	if (rbuf_left(&r) && o + 4 <= out_size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static const char *type_name(enum ctl_arg_type t)
{
	switch (t) {
	case CTL_ARG_BOOL:
		return "a boolean";
	case CTL_ARG_ADDR:
		return "an address such as 192.0.2.1";
	case CTL_ARG_PREFIX:
		return "a prefix such as 0.0.0.0/0";
	case CTL_ARG_STRING:
		break;
	}
	return "a string";
}

static int value_get(const struct ctl_arg_spec *a, json_t *v, struct ctl_arg_value *out)
{
	if (a->type == CTL_ARG_BOOL) {
		if (!json_is_boolean(v))
			return -EINVAL;
		out->b = json_is_true(v);
		return 0;
	}
	if (!json_is_string(v))
		return -EINVAL;
	/* A "\u0000" inside the string would cut it silently in C. */
	out->str = json_string_value(v);
	if (strlen(out->str) != json_string_length(v))
		return -EINVAL;
	if (a->type == CTL_ARG_ADDR) {
		if (addr_parse(out->str, &out->addr) != 0)
			return -EINVAL;
		addr_unmap_v4(&out->addr);
	} else if (a->type == CTL_ARG_PREFIX) {
		if (prefix_parse(out->str, &out->prefix) != 0)
			return -EINVAL;
	}
	return 0;
}

int ctl_args_parse(const json_t *req, const char *command,
		   struct ctl_arg_value out[CTL_ARGS_MAX], char *err, size_t err_size)
{
	const struct ctl_command_args *c = ctl_args_find(command);
	char q[48];

	if (!c || c->n_args > CTL_ARGS_MAX) {
		ctl_args_quote(command, q, sizeof(q));
		snprintf(err, err_size, "no argument table for command '%s'", q);
		return -ENOENT;
	}
	memset(out, 0, CTL_ARGS_MAX * sizeof(*out));
	const char *k;
	json_t *v;
	/* jansson's iteration macro takes a non-const object; it does not
	 * modify it. */
	json_object_foreach((json_t *)req, k, v) {
		if (strcmp(k, "command") == 0)
			continue;
		size_t i = 0;
		while (i < c->n_args && strcmp(c->args[i].key, k) != 0)
			i++;
		ctl_args_quote(k, q, sizeof(q));
		if (i == c->n_args) {
			snprintf(err, err_size, "unexpected key '%s' in request", q);
			return -EINVAL;
		}
		if (value_get(&c->args[i], v, &out[i]) != 0) {
			snprintf(err, err_size, "\"%s\" must be %s", q, type_name(c->args[i].type));
			return -EINVAL;
		}
		out[i].present = true;
	}
	for (size_t i = 0; i < c->n_args; i++) {
		if (c->args[i].required && !out[i].present) {
			snprintf(err, err_size, "%s needs \"%s\"", c->command, c->args[i].key);
			return -EINVAL;
		}
	}
	return 0;
}
