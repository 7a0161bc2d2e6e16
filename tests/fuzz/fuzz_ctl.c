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
#include "ctl/ctl_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request req, back;
	char err[CTL_ERR_MAX];

	/* With a daemon-registered command the request object is handed
	 * over: it must be an object holding that very command. */
	static const char *const ext[] = { "drain" };
	json_t *args = NULL;
	if (ctl_request_parse_ext(data, size, ext, 1, &req, &args, err, sizeof(err)) == 0 &&
	    req.ext == 0) {
		json_t *cmd = json_object_get(args, "command");
		if (!json_is_object(args) || !json_is_string(cmd) ||
		    strcmp(json_string_value(cmd), "drain") != 0)
			abort();
	}
	json_decref(args);

	int rc = ctl_request_parse(data, size, &req, err, sizeof(err));
	if (rc) {
		size_t n = strnlen(err, sizeof(err));
		if (n == 0 || n == sizeof(err))
			abort();
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] >= 0x7f)
				abort();
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
