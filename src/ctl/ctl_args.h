/* Arguments of the commands the daemon adds to the control socket
 * (ctl.h, ctl_server_add_command): one table says, per command, which
 * keys it takes and of what type, and ctl_args_parse() checks a request
 * object against it.  The daemon's handlers and tests/fuzz/fuzz_ctl.c
 * use the same table, so the fuzzer reaches the argument checks that
 * run in the daemon.
 *
 * Errors follow docs/control-protocol.md: client text quoted in a
 * message is cut at 40 bytes and shown as printable ASCII only. */
#ifndef EGRESS_CTL_ARGS_H
#define EGRESS_CTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/addr.h"

struct json_t;

enum ctl_arg_type {
	CTL_ARG_STRING,
	CTL_ARG_BOOL,
	CTL_ARG_ADDR,   /* an address string, IPv4-mapped IPv6 unmapped */
	CTL_ARG_PREFIX, /* ADDR/LEN */
};

struct ctl_arg_spec {
	const char *key;
	enum ctl_arg_type type;
	bool required;
};

/* Most keys any command takes. */
#define CTL_ARGS_MAX 4

struct ctl_arg_value {
	bool present;
	const char *str; /* CTL_ARG_STRING, ADDR, PREFIX: the request's text
			    (valid while the request object lives) */
	bool b;
	struct addr addr;
	struct prefix prefix;
};

struct ctl_command_args {
	const char *command;
	const struct ctl_arg_spec *args;
	size_t n_args;
};

/* The commands the daemon adds, with their keys; NULL-terminated by
 * command. */
extern const struct ctl_command_args ctl_command_args[];

/* The entry of command, or NULL. */
const struct ctl_command_args *ctl_args_find(const char *command);

/* Checks req (a request object with "command") against the keys of
 * command: every other key must be one of them, of its type; required
 * ones present.  out[i] gets the value of args[i].  Returns 0, or
 * -EINVAL with a message in err (CTL_ERR_MAX is enough), -ENOENT if the
 * command has no entry. */
int ctl_args_parse(const struct json_t *req, const char *command,
		   struct ctl_arg_value out[CTL_ARGS_MAX], char *err, size_t err_size);

/* Client text for an error message: at most 40 bytes (then "..."),
 * anything outside printable ASCII as '?'.  out_size >= 48 holds it. */
void ctl_args_quote(const char *s, char *out, size_t out_size);

#endif
