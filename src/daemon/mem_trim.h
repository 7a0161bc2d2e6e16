/* Gives memory back to the kernel after the routing core shrank by a
 * lot (a mass withdrawal, a lost peer with a full table).  See
 * daemon/mem_trim.c. */
#ifndef EGRESS_DAEMON_MEM_TRIM_H
#define EGRESS_DAEMON_MEM_TRIM_H

#include <ev.h>

struct rib;
struct daemon_mem_trim;

/* Watches rib's attribute sets from a timer on loop.  NULL on -ENOMEM
 * (the daemon runs on; memory is then given back only at the heap's
 * top, as before). */
struct daemon_mem_trim *daemon_mem_trim_start(struct ev_loop *loop, struct rib *rib);
void daemon_mem_trim_stop(struct daemon_mem_trim *m);

#endif
