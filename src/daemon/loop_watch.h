/* How long each event-loop iteration works between two polls.
 *
 * Every timer of the daemon (KeepaliveTimer, HoldTimer, probes) fires
 * late by as much as the iteration that was running when it came due,
 * so the longest iterations bound how late a KEEPALIVE can be (issue 3:
 * "keepalives to an idle peer are never late").  The watch measures
 * them, keeps a histogram, the longest and when it was, and answers
 * `egressctl show loop`. */
#ifndef EGRESS_DAEMON_LOOP_WATCH_H
#define EGRESS_DAEMON_LOOP_WATCH_H

#include <ev.h>

struct ctl_server;
struct daemon_loop_watch;

/* Starts watching loop and adds `show loop` to ctl (NULL: none).  NULL
 * on -ENOMEM (the daemon runs on unwatched). */
struct daemon_loop_watch *daemon_loop_watch_start(struct ev_loop *loop, struct ctl_server *ctl);
void daemon_loop_watch_stop(struct daemon_loop_watch *w);

#endif
