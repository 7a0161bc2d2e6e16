/* egressctl: turning the daemon's JSON answers into text for people.
 *
 * The answer comes from another process, so it is checked like any
 * other input: every field is looked up with its expected type and a
 * missing or mistyped one is an error naming the field, never a crash;
 * strings are stripped of control characters before they reach the
 * terminal. */
#ifndef EGRESS_CLIENT_RENDER_H
#define EGRESS_CLIENT_RENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Each returns 0, or -EBADMSG with a description of what was wrong in
 * err.  Output goes to out only once the whole answer checked out. */
int render_neighbors(FILE *out, json_t *ans, char *err, size_t err_size);
int render_neighbor(FILE *out, json_t *ans, char *err, size_t err_size);
int render_routes(FILE *out, json_t *ans, char *err, size_t err_size);
/* `show rib`: the Loc-RIB, best path marked. */
int render_loc_rib(FILE *out, json_t *ans, char *err, size_t err_size);
/* `show memory`: per-module counts and bytes. */
int render_memory(FILE *out, json_t *ans, char *err, size_t err_size);

/* `show probes`: state, target, last results, transitions. */
int render_probes(FILE *out, json_t *ans, char *err, size_t err_size);

/* `show fib` and `show fib --check` (render_fib.c). */
int render_fib(FILE *out, json_t *ans, char *err, size_t err_size);
int render_fib_check(FILE *out, json_t *ans, char *err, size_t err_size);

/* `show loop`: the event loop's iteration times (render_loop.c). */
int render_loop(FILE *out, json_t *ans, char *err, size_t err_size);

/* A string or integer member of an object, for the renderers that report
 * into err directly: false with "WHAT: \"KEY\" is missing or not a
 * string" (or "an integer") in err.  The string is copied sanitized. */
bool render_field_str(json_t *o, const char *key, char *buf, size_t size, char *err,
		      size_t err_size, const char *what);
bool render_field_int(json_t *o, const char *key, long long *out, char *err,
		      size_t err_size, const char *what);

/* Copies s for a terminal: control characters (C0, DEL, C1) become '?'. */
void render_sanitize(const char *s, char *out, size_t out_size);
/* "01:02:03" below a day, "3d04h05m" above. */
void render_duration(long long secs, char *buf, size_t size);

#endif
