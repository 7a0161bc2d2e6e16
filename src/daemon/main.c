/* egressd: reads the config, starts the BGP speaker and the control
 * socket, and runs the event loop.
 *
 * egressd always runs in the foreground (systemd and the test rig both
 * want that); -d sends the log to stderr instead of syslog.  SIGTERM and
 * SIGINT stop every session with Cease/Administrative Shutdown and an
 * RFC 9003 message, SIGHUP re-reads the config (reload.c, as `egressctl
 * reload` does). */
#include <errno.h>
#include <ev.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include <jansson.h>

#include "ctl/ctl.h"
#include "ctl/ctl_args.h"
#include "ctl/ctl_show.h"
#include "daemon/probes.h"
#include "daemon/ctl_origin.h"
#include "daemon/cloud.h"
#include "daemon/daemon.h"
#include "daemon/loop_watch.h"
#include "daemon/mem_show.h"
#include "daemon/mem_trim.h"
#include "daemon/soft.h"
#include "daemon/fib_sync.h"

#define DAEMON_HOLD_TIME_DEFAULT 90    /* RFC 4271 10 */
#define DAEMON_SHUTDOWN_MSG "egressd shutting down"

static void usage(FILE *f)
{
	fprintf(f, "usage: egressd -f FILE [-s SOCKET] [-d] [-n [-v]] [-V]\n"
		   "  -f FILE    configuration file\n"
		   "  -s SOCKET  control socket (default " CTL_DEFAULT_SOCKET ")\n"
		   "  -d         log to stderr instead of syslog (always foreground)\n"
		   "  -n         check the configuration and exit\n"
		   "  -v         with -n: print the configuration as understood\n"
		   "  -V         print the version and exit\n");
}

static void peer_config_from(const struct conf *c, const struct conf_neighbor *n,
			     struct bgp_peer_config *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->addr = n->addr;
	pc->port = n->port ? n->port : BGP_PORT;
	pc->remote_as = n->remote_as;
	pc->local_as = c->local_as;
	pc->router_id = c->router_id;
	pc->description = n->description;
	pc->password = n->password;
	pc->hold_time = n->hold_time_set ? n->hold_time : DAEMON_HOLD_TIME_DEFAULT;
	pc->keepalive = n->keepalive_set ? n->keepalive : (uint16_t)(pc->hold_time / 3);
	/* Not set: CONF_CONNECT_RETRY_DEFAULT (30 s, shorter than RFC 4271's
	 * 120 s: failover labs restart peers often), and DelayOpen off (0). */
	pc->connect_retry = n->connect_retry_set ? n->connect_retry
						 : CONF_CONNECT_RETRY_DEFAULT;
	pc->delay_open = n->delay_open;
	pc->passive = n->passive;
	pc->ttl_security = n->ttl_security;
	pc->local_addr = n->local_addr;
	pc->families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) | BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST);
	pc->gr_off = n->gr_off;
	pc->gr_time = n->restart_time;
	pc->gr_families = daemon_gr_restart_families(c, n);
}

static int daemon_listen(struct daemon *d)
{
	const struct conf *c = d->conf;
	char buf[ADDR_STRLEN];
	if (c->n_listen) {
		for (size_t i = 0; i < c->n_listen; i++) {
			uint16_t port = c->listen[i].port ? c->listen[i].port : BGP_PORT;
			int rc = bgp_speaker_listen(d->sp, &c->listen[i].addr, port);
			if (rc < 0) {
				log_err("cannot listen on %s port %u: %s",
					addr_fmt(&c->listen[i].addr, buf), port, strerror(-rc));
				return rc;
			}
			log_info("listening on %s port %u", addr_fmt(&c->listen[i].addr, buf), port);
		}
		return 0;
	}
	/* Default: both wildcards; one of them failing (no IPv6 in this
	 * namespace, say) is survivable, both is not. */
	int ok = 0;
	const char *any[] = { "0.0.0.0", "::" };
	for (int i = 0; i < 2; i++) {
		struct addr a;
		addr_parse(any[i], &a);
		int rc = bgp_speaker_listen(d->sp, &a, BGP_PORT);
		if (rc < 0)
			log_warn("cannot listen on %s port %u: %s", any[i], BGP_PORT, strerror(-rc));
		else
			ok++;
	}
	return ok ? 0 : -EADDRNOTAVAIL;
}

void daemon_peer_config(const struct conf *c, const struct conf_neighbor *n,
			struct bgp_peer_config *pc)
{
	peer_config_from(c, n, pc);
}

static int daemon_peers_add(struct daemon *d)
{
	const struct conf *c = d->conf;
	/* Spare room for neighbors a reload adds (daemon.h, peers_cap). */
	d->peers_cap = c->n_neighbors + 1 + DAEMON_PEERS_SPARE;
	d->peers = calloc(d->peers_cap, sizeof(*d->peers));
	if (!d->peers)
		return -ENOMEM;
	d->n_peers = c->n_neighbors + 1; /* peer ids start at 1 */
	for (size_t i = 0; i < c->n_neighbors; i++) {
		const struct conf_neighbor *n = &c->neighbors[i];
		struct bgp_peer_config pc;
		char buf[ADDR_STRLEN];
		peer_config_from(c, n, &pc);
		struct bgp_peer *p = bgp_peer_add(d->sp, &pc);
		if (!p) {
			log_err("neighbor %s: cannot add", addr_fmt(&n->addr, buf));
			return -ENOMEM;
		}
		if (p->id >= d->n_peers) {
			log_err("neighbor %s: unexpected peer id %u", addr_fmt(&n->addr, buf), p->id);
			return -EINVAL;
		}
		struct daemon_peer *dp = &d->peers[p->id];
		bool ebgp = n->remote_as != c->local_as;
		dp->n = n;
		dp->peer = p;
		dp->rp = (struct rib_peer){ .id = p->id, .addr = n->addr, .as = n->remote_as,
					    .ebgp = ebgp };
		daemon_gr_init(d, dp);
		int rc = daemon_peer_filters_set(dp, d->policies);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void on_stop_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;
	log_info("signal %d: stopping every session", w->signum);
	/* The kernel routes stay as they are from here (graceful restart)
	 * or all go at the end (daemon_fib_stop): no repairs meanwhile. */
	daemon_fib_freeze(d);
	/* With graceful restart the GR sessions close without a
	 * NOTIFICATION (gr_restart.c); the others get Cease. */
	daemon_gr_restart_stop(d, DAEMON_SHUTDOWN_MSG);
	ev_break(loop, EVBREAK_ALL);
}

static void on_hup(struct ev_loop *loop, ev_signal *w, int revents)
{
	char err[1024];
	(void)loop;
	(void)revents;
	/* daemon_reload logs what it did, or every config error. */
	log_info("SIGHUP: reloading the configuration");
	if (daemon_reload(w->data, err, sizeof(err)) < 0)
		log_err("SIGHUP: reload failed, running configuration kept: %s", err);
}

static int ctl_reload(void *ctx, char *err, size_t len)
{
	return daemon_reload(ctx, err, len);
}

/* `show rib` (the Loc-RIB) and `show memory`, added to the control
 * socket by the daemon, which owns the routing core (ctl.h). */
static json_t *cmd_show_loc_rib(void *ctx, json_t *req, char *err, size_t err_size)
{
	struct daemon *d = ctx;
	struct ctl_arg_value arg[CTL_ARGS_MAX];
	if (ctl_args_parse(req, "show rib", arg, err, err_size) != 0)
		return NULL;
	json_t *ans = ctl_show_loc_rib(d->rib);
	if (!ans)
		snprintf(err, err_size, "out of memory");
	return ans;
}

static json_t *cmd_show_memory(void *ctx, json_t *req, char *err, size_t err_size)
{
	struct daemon *d = ctx;
	struct ctl_arg_value arg[CTL_ARGS_MAX];
	if (ctl_args_parse(req, "show memory", arg, err, err_size) != 0)
		return NULL;
	json_t *ans = ctl_show_memory(d->rib);
	if (ans && (daemon_soft_memory(d, ans) < 0 || daemon_mem_show(d, ans) < 0)) {
		json_decref(ans);
		ans = NULL;
	}
	if (!ans)
		snprintf(err, err_size, "out of memory");
	return ans;
}

static int check_config(const char *path, struct conf **out)
{
	struct conf_errors errs = {0};
	int rc = conf_load_file(path, out, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	if (rc < 0 && !errs.n)
		fprintf(stderr, "%s: %s\n", path, strerror(-rc));
	conf_errors_free(&errs);
	return rc;
}

/* -nv: what the daemon understood, in its own syntax (as bgpd -nv does),
 * groups flattened and defaults that were not written left out. */
static int print_config(const struct conf *c)
{
	char *text = NULL;
	int rc = conf_print(c, &text);
	if (rc < 0) {
		fprintf(stderr, "%s: cannot print the configuration: %s\n", c->path,
			strerror(-rc));
		return rc;
	}
	fputs(text, stdout);
	free(text);
	if (fflush(stdout) != 0) {
		rc = -errno;
		fprintf(stderr, "%s: cannot write the configuration: %s\n", c->path,
			strerror(-rc));
		return rc;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *conf_path = NULL, *sock_path = CTL_DEFAULT_SOCKET;
	bool foreground_log = false, check_only = false, verbose = false;
	int opt;
	while ((opt = getopt(argc, argv, "f:s:dnvVh")) != -1) {
		switch (opt) {
		case 'f': conf_path = optarg; break;
		case 's': sock_path = optarg; break;
		case 'd': foreground_log = true; break;
		case 'n': check_only = true; break;
		case 'v': verbose = true; break;
		case 'V': printf("egressd %s\n", EGRESS_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	/* -v only changes what -n prints; alone it would be silently ignored. */
	if (optind != argc || !conf_path || (verbose && !check_only)) {
		usage(stderr);
		return 2;
	}

	struct daemon d = {0};
	if (check_config(conf_path, &d.conf) < 0)
		return 1;
	if (check_only) {
		int rc = verbose ? print_config(d.conf) : 0;
		conf_free(d.conf);
		return rc < 0 ? 1 : 0;
	}

	log_init("egressd", foreground_log, LOG_LVL_INFO);
	signal(SIGPIPE, SIG_IGN);
	d.loop = ev_default_loop(EVFLAG_AUTO);
	d.rib = rib_new();
	d.sp = bgp_speaker_new(d.loop, &daemon_bgp_callbacks, &d);
	int status = 1;
	struct ctl_server *ctl = NULL;
	struct daemon_loop_watch *lw = NULL;
	struct daemon_mem_trim *mt = NULL;
	if (!d.loop || !d.rib || !d.sp) {
		log_err("out of memory at start");
		goto out;
	}
	/* Compiled once; every neighbor naming a policy points into it. */
	int prc = policy_set_build(d.conf, &d.policies);
	if (prc < 0) {
		log_err("policies: cannot compile: %s", strerror(-prc));
		goto out;
	}
	if (daemon_peers_add(&d) < 0 || daemon_rib_init(&d) < 0 || daemon_fib_start(&d) < 0 ||
	    daemon_listen(&d) < 0)
		goto out;
	int grc = daemon_gr_restart_start(&d, sock_path);
	if (grc < 0) {
		log_err("graceful restart: %s", strerror(-grc));
		goto out;
	}
	int err = 0;
	ctl = ctl_server_start(d.loop, sock_path, d.sp, d.rib, &err);
	if (!ctl) {
		log_err("control socket %s: %s", sock_path, strerror(-err));
		goto out;
	}

	ctl_server_set_reload(ctl, ctl_reload, &d);
	lw = daemon_loop_watch_start(d.loop, ctl);
	mt = daemon_mem_trim_start(d.loop, d.rib);
	if (ctl_server_add_command(ctl, "show rib", cmd_show_loc_rib, &d) < 0 ||
	    ctl_server_add_command(ctl, "show memory", cmd_show_memory, &d) < 0 ||
	    daemon_ctl_origin_add(&d, ctl) < 0 || daemon_fib_ctl_register(&d, ctl) < 0) {
		log_err("control socket: cannot add commands");
		goto out;
	}

	if (daemon_probes_start(&d, ctl) < 0)
		goto out;
	if (daemon_cloud_start(&d, ctl) < 0) {
		log_err("cloud personality: cannot start");
		goto out;
	}

	ev_signal sterm, sint, shup;
	ev_signal_init(&sterm, on_stop_signal, SIGTERM);
	ev_signal_init(&sint, on_stop_signal, SIGINT);
	ev_signal_init(&shup, on_hup, SIGHUP);
	sterm.data = sint.data = shup.data = &d;
	ev_signal_start(d.loop, &sterm);
	ev_signal_start(d.loop, &sint);
	ev_signal_start(d.loop, &shup);

	log_info("egressd %s started: router-id %u.%u.%u.%u, AS %u, %zu neighbors",
		 EGRESS_VERSION, d.conf->router_id >> 24, (d.conf->router_id >> 16) & 255,
		 (d.conf->router_id >> 8) & 255, d.conf->router_id & 255, d.conf->local_as,
		 d.conf->n_neighbors);
	for (size_t i = 0; i < bgp_speaker_peer_count(d.sp); i++)
		bgp_peer_start(bgp_speaker_peer_at(d.sp, i));

	ev_run(d.loop, 0);
	log_info("egressd stopped");
	status = 0;
	ev_signal_stop(d.loop, &sterm);
	ev_signal_stop(d.loop, &sint);
	ev_signal_stop(d.loop, &shup);
out:
	/* Before the sessions' memory goes: the FIB reads the peers. */
	daemon_fib_stop(&d);
	daemon_gr_restart_free(&d);
	daemon_cloud_stop(&d);
	daemon_probes_free(&d);
	ctl_server_stop(ctl);
	daemon_loop_watch_stop(lw);
	daemon_mem_trim_stop(mt);
	bgp_speaker_free(d.sp);
	for (size_t i = 0; i < d.n_peers; i++)
		if (d.peers[i].peer)
			daemon_gr_free(&d, &d.peers[i]);
	daemon_rib_fini(&d);
	rib_free(d.rib);
	free(d.peers);
	policy_set_free(d.policies);
	conf_free(d.conf);
	return status;
}
