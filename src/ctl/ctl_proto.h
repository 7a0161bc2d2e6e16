/* Control protocol requests: parsing (the server side, untrusted input)
 * and encoding (the client side).
 *
 * A request is one line of JSON, an object such as
 *   {"command":"show rib in","neighbor":"192.0.2.1"}
 * Every way a request can be wrong has its own message, sent back to
 * the client as {"error":"..."}; docs/control-protocol.md lists them. */
#ifndef EGRESS_CTL_PROTO_H
#define EGRESS_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include "core/addr.h"

enum ctl_cmd {
	CTL_CMD_SHOW_NEIGHBORS,
	CTL_CMD_SHOW_NEIGHBOR,   /* neighbor required */
	CTL_CMD_SHOW_RIB_IN,     /* neighbor optional */
	CTL_CMD_SHOW_RIB_OUT,    /* neighbor optional */
	CTL_CMD_RELOAD,
	CTL_CMD_COUNT,
};

struct ctl_request {
	enum ctl_cmd cmd;
	bool has_neighbor;
	struct addr neighbor;
	int ext; /* index of a daemon-registered command, else -1 */
};

/* Room for any message ctl_request_parse() writes. */
#define CTL_ERR_MAX 256

/* Parses one request of len bytes (the line without its newline; a
 * trailing "\r" is tolerated).  The bytes need not be NUL-terminated and
 * may contain anything.  Returns 0, or -EINVAL (bad request) / -EMSGSIZE
 * (longer than CTL_MAX_REQUEST) / -ENOMEM with a message for the client
 * in err (err_size bytes, CTL_ERR_MAX is enough). */
int ctl_request_parse(const void *buf, size_t len, struct ctl_request *req,
		      char *err, size_t err_size);

/* The same, also accepting the commands named in ext_names[0..n_ext):
 * for those, req->ext is the index and *args (when args is not NULL)
 * gets the whole request object, whose keys the command checks itself;
 * the caller releases it with json_decref().  Built-in names win. */
struct json_t;
int ctl_request_parse_ext(const void *buf, size_t len, const char *const *ext_names,
			  size_t n_ext, struct ctl_request *req, struct json_t **args,
			  char *err, size_t err_size);

/* Encodes a request as one line, newline included (malloc'd, NUL-
 * terminated).  NULL on allocation failure. */
char *ctl_request_encode(const struct ctl_request *req);

/* The same for a command the daemon registers (ctl.h,
 * ctl_server_add_command), which takes no arguments: {"command":name}. */
char *ctl_request_encode_name(const char *name);

/* "show neighbors", ...; NULL for an out-of-range value. */
const char *ctl_cmd_name(enum ctl_cmd cmd);

#endif
