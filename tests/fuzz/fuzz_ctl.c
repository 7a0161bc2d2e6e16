/* libFuzzer target for the control request parser (src/ctl/ctl_proto.c),
 * the code that reads what local clients send to the daemon.
 *
 * Beyond "no crash": every outcome must be consistent.  A refused
 * request has a non-empty, printable-ASCII message (it travels back as
 * JSON and lands on a terminal); an accepted one re-encodes to a line
 * that parses to the same request. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl/ctl.h"
#include "ctl/ctl_args.h"
#include "ctl/ctl_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(const char *err)
{
	size_t n = strnlen(err, CTL_ERR_MAX);
	if (n == 0 || n == CTL_ERR_MAX)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] >= 0x7f)
			abort();
}

/* The daemon-added command's own argument checks (ctl_args.c), the
 * ones its handler runs: refused with a printable message, or every
 * required key present with a value of its type. */
static void check_args(json_t *args, const char *name)
{
	const struct ctl_command_args *c = ctl_args_find(name);
	if (!c)
		return; /* "drain" checks its own (none) */
	struct ctl_arg_value v[CTL_ARGS_MAX];
	char err[CTL_ERR_MAX] = "";
	if (ctl_args_parse(args, name, v, err, sizeof(err)) != 0) {
		check_err(err);
		return;
	}
	for (size_t i = 0; i < c->n_args; i++) {
		if (c->args[i].required && !v[i].present)
			abort();
		if (v[i].present && c->args[i].type != CTL_ARG_BOOL &&
		    (!v[i].str || !json_is_string(json_object_get(args, c->args[i].key))))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request req, back;
	char err[CTL_ERR_MAX];

	/* With a daemon-registered command the request object is handed
	 * over: it must be an object holding that very command.  The names
	 * are those the daemon adds (ctl_args.h), plus "drain". */
	static const char *ext[32];
	static size_t n_ext;
	if (!n_ext) {
		for (const struct ctl_command_args *c = ctl_command_args; c->command; c++)
			if (n_ext < 31)
				ext[n_ext++] = c->command;
		ext[n_ext++] = "drain";
	}
	json_t *args = NULL;
	if (ctl_request_parse_ext(data, size, ext, n_ext, &req, &args, err, sizeof(err)) == 0 &&
	    req.ext >= 0) {
		json_t *cmd = json_object_get(args, "command");
		if (!json_is_object(args) || !json_is_string(cmd) ||
		    strcmp(json_string_value(cmd), ext[req.ext]) != 0)
			abort();
		check_args(args, ext[req.ext]);
	}
	json_decref(args);

	int rc = ctl_request_parse(data, size, &req, err, sizeof(err));
	if (rc) {
		check_err(err);
		return 0;
	}
	if (!ctl_cmd_name(req.cmd))
		abort();
	char *line = ctl_request_encode(&req);
	if (!line)
		return 0; /* out of memory: nothing to compare */
	size_t n = strlen(line);
	if (n == 0 || line[n - 1] != '\n' || memchr(line, '\n', n - 1))
		abort();
	if (ctl_request_parse(line, n - 1, &back, err, sizeof(err)) != 0 ||
	    back.cmd != req.cmd || back.has_neighbor != req.has_neighbor ||
	    (req.has_neighbor && !addr_eq(&back.neighbor, &req.neighbor)))
		abort();
	free(line);
	return 0;
}
