/* The daemon's uplink probes (issue 6): one src/probe per `probe`
 * statement, each driving the condition of its name, and the
 * `show probes` control command. */
#ifndef EGRESS_DAEMON_PROBES_H
#define EGRESS_DAEMON_PROBES_H

struct daemon;
struct ctl_server;

/* Starts every configured probe and adds "show probes" to ctl.
 * 0 or negative errno (logged here, with the probe's name). */
int daemon_probes_start(struct daemon *d, struct ctl_server *ctl);
void daemon_probes_free(struct daemon *d);

#endif
