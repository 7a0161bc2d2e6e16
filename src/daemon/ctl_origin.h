/* Control commands "originate" and "condition" (ctl_origin.c). */
#ifndef EGRESS_DAEMON_CTL_ORIGIN_H
#define EGRESS_DAEMON_CTL_ORIGIN_H

struct daemon;
struct ctl_server;

/* 0 or the negative errno of ctl_server_add_command. */
int daemon_ctl_origin_add(struct daemon *d, struct ctl_server *ctl);
/* "show rib in pre-policy" (ctl_soft.c). */
int daemon_ctl_soft_add(struct daemon *d, struct ctl_server *ctl);

#endif
