/* The control socket: a unix stream socket on which egressctl (or a
 * script) asks the daemon what it knows.  One request per connection:
 * the client writes one line of JSON, the server answers with one JSON
 * document and closes.  The protocol is described in
 * docs/control-protocol.md.
 *
 * The server runs on the daemon's event loop and never blocks it: every
 * socket is non-blocking, each connection has a deadline, the number of
 * clients is capped, and answers are written as the socket drains. */
#ifndef EGRESS_CTL_CTL_H
#define EGRESS_CTL_CTL_H

#include <stddef.h>

struct ev_loop;
struct bgp_speaker;
struct rib;
struct ctl_server;

#define CTL_DEFAULT_SOCKET "/run/egressd.sock"
/* Longest request line accepted, newline included. */
#define CTL_MAX_REQUEST (64 * 1024)
/* Connections served at once; more are accepted and closed at once with
 * an error so a flood cannot exhaust descriptors. */
#define CTL_MAX_CLIENTS 16
/* Seconds a client has to send its request (counted from accept), and
 * then the longest it may go without reading while the answer is sent. */
#define CTL_CLIENT_TIMEOUT 10.0

/* Creates the socket at path (mode 0660) and starts serving on loop.
 * A stale socket file is removed only if nothing answers on it; if
 * another process is listening, fails with -EADDRINUSE.  sp and rib are
 * read when a request arrives and must outlive the server.  Returns NULL
 * and a negative errno in *err on failure. */
struct ctl_server *ctl_server_start(struct ev_loop *loop, const char *path,
				    struct bgp_speaker *sp, struct rib *rib, int *err);
/* Closes every client, the listening socket, and unlinks the path. */
void ctl_server_stop(struct ctl_server *s);

/* Hook for the "reload" command.  fn returns 0 on success or a negative
 * errno with a message in errbuf.  Without a hook, "reload" answers
 * {"error":"reload not supported"}. */
/* Replaces CTL_CLIENT_TIMEOUT for connections accepted from now on
 * (tests use a short one). */
void ctl_server_set_timeout(struct ctl_server *s, double seconds);

typedef int (*ctl_reload_fn)(void *ctx, char *errbuf, size_t len);
void ctl_server_set_reload(struct ctl_server *s, ctl_reload_fn fn, void *ctx);

/* Commands the daemon adds without touching the server ("drain",
 * "show probes", ... in later issues).  The handler gets the whole
 * request object (it checks the keys it takes; "command" is there) and
 * returns the answer, a JSON object (new reference), or NULL with a
 * message for the client in err.  It runs on the event loop, so it must
 * be quick.  Names of built-in commands cannot be taken.  Returns 0,
 * -EEXIST, -ENOSPC (more than CTL_MAX_COMMANDS) or -ENOMEM. */
#define CTL_MAX_COMMANDS 32
struct json_t;
typedef struct json_t *(*ctl_command_fn)(void *ctx, struct json_t *request, char *err,
					 size_t err_size);
int ctl_server_add_command(struct ctl_server *s, const char *name, ctl_command_fn fn,
			   void *ctx);

/* A command whose answer may be too big to build at once (a full
 * table): start checks the request and returns a stream (or NULL with
 * a message in err, or with err empty when memory ran out); the server
 * then calls next once per loop iteration, as the client drains, to
 * append at most `max` items of the answer's text to w (1 while more is
 * to come, 0 when the answer, newline included, is complete, or a
 * negative errno), and free when done or when the client goes.  The
 * stream must stay valid while the daemon changes (resume by key, not
 * by pointer).  Same names and limits as ctl_server_add_command. */
struct wbuf;
struct ctl_stream_ops {
	void *(*start)(void *ctx, struct json_t *request, char *err, size_t err_size);
	int (*next)(void *stream, size_t max, struct wbuf *w);
	void (*free)(void *stream);
};
int ctl_server_add_stream_command(struct ctl_server *s, const char *name,
				  const struct ctl_stream_ops *ops, void *ctx);

#endif
