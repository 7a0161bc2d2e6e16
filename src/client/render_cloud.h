/* egressctl show route-table / explain: the answers as text (render.h
 * rules: every field checked, strings sanitised, nothing printed unless
 * the whole answer checked out). */
#ifndef EGRESS_CLIENT_RENDER_CLOUD_H
#define EGRESS_CLIENT_RENDER_CLOUD_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

int render_route_tables(FILE *out, json_t *ans, char *err, size_t err_size);
int render_explain(FILE *out, json_t *ans, char *err, size_t err_size);

#endif
