/* `show memory` beyond the routing core (issue 3): what the sessions
 * hold (output queues, connection buffers) and what the allocator holds
 * in all, so the answer explains the process's RSS rather than only
 * the tables.
 *
 * The routing core's part comes from ctl_show_memory (ctl/ctl_show.c)
 * and the pre-policy Adj-RIBs-In from daemon_soft_memory; this adds
 * "sessions" and "allocator" and brings total_bytes to the sum of every
 * module that counts itself.  "allocator" is glibc's own view
 * (mallinfo2): in_use_bytes next to total_bytes shows what no module
 * counts, and heap/free bytes show slack the allocator keeps (free
 * chunks between live ones after a burst). */
#include <errno.h>
#include <malloc.h>

#include <jansson.h>

#include "daemon/daemon.h"
#include "daemon/mem_show.h"

static int set_int(json_t *o, const char *key, size_t v)
{
	return json_object_set_new(o, key, json_integer((json_int_t)v));
}

static json_int_t module_bytes(json_t *ans, const char *mod)
{
	return json_integer_value(json_object_get(json_object_get(ans, mod), "bytes"));
}

static json_t *allocator_json(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	/* Walks the free lists: a few ms on a fragmented heap, fine for a
	 * command an operator types. */
	struct mallinfo2 mi = mallinfo2();
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "heap_bytes", (json_int_t)mi.arena,
			 "mmap_bytes", (json_int_t)mi.hblkhd, "in_use_bytes",
			 (json_int_t)(mi.uordblks + mi.hblkhd), "free_bytes",
			 (json_int_t)mi.fordblks, "top_free_bytes", (json_int_t)mi.keepcost);
#else
	return json_object();
#endif
}

int daemon_mem_show(struct daemon *d, void *answer)
{
	json_t *ans = answer;
	struct bgp_peer_mem sum = { 0 };
	size_t sessions = 0;
	for (size_t i = 1; i < d->n_peers; i++) {
		if (!d->peers[i].peer)
			continue;
		struct bgp_peer_mem m;
		bgp_peer_mem(d->peers[i].peer, &m);
		sum.queued_routes += m.queued_routes;
		sum.queue_bytes += m.queue_bytes;
		sum.buffer_bytes += m.buffer_bytes;
		sessions++;
	}
	json_t *s = json_object();
	if (!s || set_int(s, "peers", sessions) || set_int(s, "queued_routes", sum.queued_routes) ||
	    set_int(s, "queue_bytes", sum.queue_bytes) ||
	    set_int(s, "buffer_bytes", sum.buffer_bytes) ||
	    set_int(s, "bytes", sum.queue_bytes + sum.buffer_bytes) ||
	    json_object_set_new(ans, "sessions", s)) {
		json_decref(s);
		return -ENOMEM;
	}
	json_t *a = allocator_json();
	if (!a || json_object_set_new(ans, "allocator", a))
		return -ENOMEM;
	/* Every module that counts itself; the allocator's figures are a
	 * view of the same bytes, not more of them. */
	json_int_t total = json_integer_value(json_object_get(ans, "total_bytes")) +
			   module_bytes(ans, "adj_rib_in_pre_policy") + module_bytes(ans, "sessions");
	if (set_int(ans, "total_bytes", (size_t)total))
		return -ENOMEM;
	return 0;
}
