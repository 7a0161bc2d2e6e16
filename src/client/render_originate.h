/* egressctl originate / condition: the answers as text (render.h rules:
 * every field checked, strings sanitised, nothing printed unless the
 * whole answer checked out). */
#ifndef EGRESS_CLIENT_RENDER_ORIGINATE_H
#define EGRESS_CLIENT_RENDER_ORIGINATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* now: the time ages are counted to (the caller's clock). */
int render_originate(FILE *out, json_t *ans, time_t now, char *err, size_t err_size);
int render_condition(FILE *out, json_t *ans, char *err, size_t err_size);

#endif
