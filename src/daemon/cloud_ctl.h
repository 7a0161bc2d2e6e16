/* `show route-table [NAME]` and `explain PREFIX` on the control socket
 * (cloud_ctl.c); the JSON of explain is ctl's (ctl/ctl_explain.h). */
#ifndef EGRESS_DAEMON_CLOUD_CTL_H
#define EGRESS_DAEMON_CLOUD_CTL_H

#include <stddef.h>

struct daemon;
struct ctl_server;
struct rtab;

int daemon_cloud_ctl_add(struct daemon *d, struct ctl_server *ctl);
/* The route tables (cloud.c): how many, at most max written to out. */
size_t daemon_cloud_tables(struct daemon *d, struct rtab **out, size_t max);

#endif
