/* Graceful restart, restarting side (RFC 4724 4.1).
 *
 * Our model: `fib { graceful-restart on }` says the kernel keeps
 * forwarding over egressd's routes while egressd is down.  With it, every
 * neighbor whose `graceful-restart` is not off is offered the restarting
 * side: our GR capability lists its families (so the peer keeps our
 * routes when the session ends without a NOTIFICATION), and
 *
 *  - at SIGTERM the sessions of those neighbors just close (no
 *    NOTIFICATION, RFC 4724 4.2 / RFC 8538 5 says a Cease would make the
 *    peer drop our routes), and a note is left in the runtime directory
 *    (gr_state.h says why a note rather than reading the kernel);
 *  - at the next start that note sets the Restart State (R) bit, and
 *    the Forwarding State (F) bit of the families whose kernel routes
 *    were kept, in our OPENs;
 *  - RFC 4724 4.1: the restarted speaker defers its route selection
 *    and its advertisements until it has End-of-RIB from every
 *    GR-capable peer (or the selection deferral timer fires); then it
 *    sends its updates and End-of-RIB.  Our decision process runs as
 *    routes arrive, so what is deferred here is what peers see: no
 *    session gets its initial dump (nor any change) until the end of the
 *    deferral.  The kernel side is fib_sync.c's own deferral of its
 *    stale sweep, which waits for the same End-of-RIBs; not repeated here.
 *
 * Without `fib { graceful-restart on }` egressd stays a helper only
 * (gr.c) and stops with Cease / Administrative Shutdown as before. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "daemon/daemon.h"
#include "daemon/gr_state.h"

/* RFC 4724 4.1 leaves the selection deferral timer to configuration; the
 * FIB waits as long (fib_sync.c) for its sweep. */
#define GR_SELECT_DEFER 120.0

struct daemon_gr_restart {
	char *state_path;
	bool deferring;
	uint32_t forwarding;
	ev_timer defer;
	size_t cap;
	uint32_t *eor_wait; /* by peer id: families whose End-of-RIB we await */
	bool *seen;         /* peer id: came up (or gave up) during the deferral */
	bool *held;         /* peer id: Established, export not started yet */
};

bool daemon_gr_restart_capable(const struct conf *c)
{
	return c->fib.graceful_restart && c->fib.install;
}

uint32_t daemon_gr_restart_families(const struct conf *c, const struct conf_neighbor *n)
{
	if (n->gr_off || !daemon_gr_restart_capable(c))
		return 0;
	return BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) | BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST);
}

static bool peer_waited(const struct daemon *d, size_t i)
{
	const struct daemon_peer *dp = &d->peers[i];
	return dp->peer && dp->n && dp->peer->cfg.gr_families;
}

static void defer_end(struct daemon *d, const char *why)
{
	struct daemon_gr_restart *g = d->grr;
	g->deferring = false;
	ev_timer_stop(d->loop, &g->defer);
	size_t released = 0;
	for (size_t i = 1; i < d->n_peers && i < g->cap; i++) {
		struct daemon_peer *dp = &d->peers[i];
		if (!dp->peer)
			continue;
		/* Later OPENs of this run are not after a restart. */
		bgp_peer_set_gr(dp->peer, false, 0);
		if (g->held[i]) {
			g->held[i] = false;
			if (dp->peer->state == BGP_STATE_ESTABLISHED) {
				daemon_sync_start(d, dp);
				released++;
			}
		}
	}
	log_info("graceful restart: %s: route selection done, updates and End-of-RIB "
		 "sent to %zu peers (RFC 4724 4.1)", why, released);
}

static void check_done(struct daemon *d)
{
	struct daemon_gr_restart *g = d->grr;
	if (!g->deferring)
		return;
	for (size_t i = 1; i < d->n_peers && i < g->cap; i++)
		if (peer_waited(d, i) && (!g->seen[i] || g->eor_wait[i]))
			return;
	defer_end(d, "End-of-RIB from every peer");
}

static void defer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	defer_end(w->data, "selection deferral time is up");
}

int daemon_gr_restart_start(struct daemon *d, const char *sock_path)
{
	if (!daemon_gr_restart_capable(d->conf))
		return 0;
	struct daemon_gr_restart *g = calloc(1, sizeof(*g));
	size_t plen = strlen(sock_path) + sizeof(".gr-state");
	if (!g)
		return -ENOMEM;
	g->cap = d->peers_cap;
	g->state_path = malloc(plen);
	g->eor_wait = calloc(g->cap, sizeof(*g->eor_wait));
	g->seen = calloc(g->cap, sizeof(*g->seen));
	g->held = calloc(g->cap, sizeof(*g->held));
	if (!g->state_path || !g->eor_wait || !g->seen || !g->held) {
		free(g->state_path);
		free(g->eor_wait);
		free(g->seen);
		free(g->held);
		free(g);
		return -ENOMEM;
	}
	snprintf(g->state_path, plen, "%s.gr-state", sock_path);
	ev_timer_init(&g->defer, defer_cb, GR_SELECT_DEFER, 0.);
	g->defer.data = d;
	d->grr = g;

	struct gr_state st;
	int rc = gr_state_take(g->state_path, &st);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0) {
		log_warn("graceful restart: note %s unreadable (%s): starting afresh",
			 g->state_path, strerror(-rc));
		return 0;
	}
	time_t now = time(NULL);
	log_info("graceful restart: restarting %llu s after a graceful stop, forwarding kept "
		 "for %s%s",
		 (unsigned long long)((uint64_t)now > st.stopped ? (uint64_t)now - st.stopped : 0),
		 st.forwarding & BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) ? "IPv4 " : "",
		 st.forwarding & BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST) ? "IPv6" : "");
	g->forwarding = st.forwarding;
	g->deferring = true;
	for (size_t i = 1; i < d->n_peers; i++)
		if (d->peers[i].peer)
			bgp_peer_set_gr(d->peers[i].peer, true, g->forwarding);
	ev_timer_start(d->loop, &g->defer);
	/* No neighbor to wait for (all with graceful-restart off): no
	 * deferral at all. */
	check_done(d);
	return 0;
}

bool daemon_gr_restart_hold(struct daemon *d, struct daemon_peer *dp)
{
	struct daemon_gr_restart *g = d->grr;
	struct bgp_peer *p = dp->peer;
	if (!g || !g->deferring || !p || p->id >= g->cap)
		return false;
	g->held[p->id] = true;
	if (!g->seen[p->id]) {
		g->seen[p->id] = true;
		/* RFC 4724 4.1: only a GR-capable peer is awaited; another
		 * may never send End-of-RIB. */
		g->eor_wait[p->id] = p->neg.peer_graceful_restart
					     ? p->neg.families & ~p->disabled_families
					     : 0;
	}
	check_done(d);
	return true;
}

void daemon_gr_restart_eor(struct daemon *d, struct daemon_peer *dp, enum bgp_family f)
{
	struct daemon_gr_restart *g = d->grr;
	if (!g || !g->deferring || !dp->peer || dp->peer->id >= g->cap || f >= BGP_FAM_COUNT)
		return;
	g->eor_wait[dp->peer->id] &= ~BGP_FAM_BIT(f);
	check_done(d);
}

void daemon_gr_restart_down(struct daemon *d, struct daemon_peer *dp)
{
	struct daemon_gr_restart *g = d->grr;
	if (!g || !g->deferring || !dp->peer || dp->peer->id >= g->cap)
		return;
	/* A peer lost during the deferral is not waited for again. */
	g->held[dp->peer->id] = false;
	g->seen[dp->peer->id] = true;
	g->eor_wait[dp->peer->id] = 0;
	check_done(d);
}

bool daemon_gr_restart_deferring(const struct daemon *d)
{
	return d->grr && d->grr->deferring;
}

void daemon_gr_restart_stop(struct daemon *d, const char *msg)
{
	struct daemon_gr_restart *g = d->grr;
	bool graceful = false;
	if (g && d->fib) {
		/* Forwarding kept for every family we program: the FIB
		 * leaves its routes in place (daemon_fib_stop). */
		struct gr_state st = {
			.forwarding = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) |
				      BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST),
			.stopped = (uint64_t)time(NULL),
		};
		int rc = gr_state_save(g->state_path, &st);
		if (rc < 0)
			log_err("graceful restart: cannot write %s: %s; stopping with "
				"NOTIFICATION", g->state_path, strerror(-rc));
		else
			graceful = true;
	}
	size_t quiet = 0;
	for (size_t i = 0; i < bgp_speaker_peer_count(d->sp); i++) {
		struct bgp_peer *p = bgp_speaker_peer_at(d->sp, i);
		if (graceful && p->cfg.gr_families) {
			bgp_peer_stop_graceful(p, "graceful restart");
			quiet++;
		} else {
			bgp_peer_stop(p, BGP_CEASE_ADMIN_SHUTDOWN, msg);
		}
	}
	if (graceful)
		log_info("graceful restart: %zu sessions closed without NOTIFICATION, "
			 "peers keep our routes (RFC 4724 4.2)", quiet);
}

void daemon_gr_restart_free(struct daemon *d)
{
	struct daemon_gr_restart *g = d->grr;
	if (!g)
		return;
	ev_timer_stop(d->loop, &g->defer);
	free(g->state_path);
	free(g->eor_wait);
	free(g->seen);
	free(g->held);
	free(g);
	d->grr = NULL;
}
