/* `show memory`: the sessions' and the allocator's part (see
 * daemon/mem_show.c). */
#ifndef EGRESS_DAEMON_MEM_SHOW_H
#define EGRESS_DAEMON_MEM_SHOW_H

struct daemon;

/* Adds "sessions" and "allocator" to answer (a json_t object already
 * holding the routing core's modules) and brings its total_bytes to
 * the sum of the modules.  0 or -ENOMEM. */
int daemon_mem_show(struct daemon *d, void *answer);

#endif
