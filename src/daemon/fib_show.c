/* `show fib [--check]` on the control socket: the daemon owns the FIB
 * and the Loc-RIB, so it registers the command; ctl/ctl_fib.c formats. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "ctl/ctl.h"
#include "ctl/ctl_args.h"
#include "ctl/ctl_fib.h"
#include "daemon/daemon.h"
#include "daemon/fib_sync.h"

struct fib_show {
	struct ctl_fib_walk *walk; /* the listing, or */
	char *text;                /* the whole check answer */
};

static void info_of(struct daemon *d, struct ctl_fib_info *info)
{
	const struct conf_fib *c = daemon_fib_config(d);
	*info = (struct ctl_fib_info){ .table = c->table, .protocol = c->protocol,
				       .install = c->install, .ecmp = c->ecmp,
				       .dry_run = c->dry_run };
}

static void *show_start(void *ctx, json_t *req, char *err, size_t err_size)
{
	struct daemon *d = ctx;
	struct fib *f = daemon_fib_get(d);
	struct ctl_arg_value arg[CTL_ARGS_MAX];
	if (ctl_args_parse(req, "show fib", arg, err, err_size) != 0)
		return NULL;
	bool check = arg[0].b;
	/* With install off the FIB side runs without a table (f NULL):
	 * the answer says so, with no routes. */
	if (!daemon_fib_config(d)) {
		snprintf(err, err_size, "no FIB");
		return NULL;
	}
	struct fib_show *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	struct ctl_fib_info info;
	info_of(d, &info);
	if (check) {
		json_t *ans = ctl_fib_check(f, &info, CTL_FIB_CHECK_MAX);
		s->text = ans ? json_dumps(ans, JSON_COMPACT) : NULL;
		json_decref(ans);
		if (!s->text) {
			free(s);
			return NULL;
		}
		return s;
	}
	s->walk = ctl_fib_walk_new(d->rib, f, &info);
	if (!s->walk) {
		free(s);
		return NULL;
	}
	return s;
}

static int show_next(void *stream, size_t max, struct wbuf *w)
{
	struct fib_show *s = stream;
	if (s->walk)
		return ctl_fib_walk_next(s->walk, max, w);
	wbuf_put_bytes(w, s->text, strlen(s->text));
	wbuf_put_u8(w, '\n');
	return wbuf_status(w);
}

static void show_free(void *stream)
{
	struct fib_show *s = stream;
	ctl_fib_walk_free(s->walk);
	free(s->text);
	free(s);
}

static const struct ctl_stream_ops show_fib_ops = {
	.start = show_start, .next = show_next, .free = show_free,
};

int daemon_fib_ctl_register(struct daemon *d, struct ctl_server *ctl)
{
	return ctl_server_add_stream_command(ctl, "show fib", &show_fib_ops, d);
}
