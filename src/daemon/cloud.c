/* The cloud-gateway personality wired into egressd: see daemon/cloud.h.
 * Rules and their sources: docs/cloud-personalities.md. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "daemon/cloud.h"
#include "daemon/cloud_ctl.h"
#include "daemon/personality.h"
#include "daemon/daemon.h"
#include "daemon/fib_sync.h"
#include "daemon/route_table.h"
#include "rib/multipath.h"
#include "rib/personality_aws.h"

/* Rib peer ids of the VPN static routes' pseudo-peers: one per tunnel
 * that has some, above every session id and the local pseudo-peer. */
#define CLOUD_STATIC_ID_BASE 0x40000000u
/* AWS: the VPC CIDR goes to the customer with "MED 100". */
#define CLOUD_VPC_MED 100

struct cloud_table {
	struct rtab *rt;
	struct fib_sync_table *kt; /* NULL: computed and shown only */
};

struct cloud_static {
	struct prefix prefix;
	struct daemon_peer *via;
};

struct daemon_cloud {
	struct cloud_table *tables;
	size_t n_tables;
	struct rib_peer *static_peers; /* by session peer id */
	size_t n_static_peers;
	struct cloud_static *statics;
	size_t n_statics;
	ev_timer sync;
	bool sync_pending;
};

void daemon_cloud_peer_init(const struct daemon *d, struct daemon_peer *dp)
{
	if (d->conf->cloud.personality == CONF_PERSONALITY_NONE || !dp->n)
		return;
	dp->rp.source = dp->n->attachment == CONF_ATTACH_DX ? RIB_SOURCE_DX_BGP
							     : RIB_SOURCE_VPN_BGP;
}

bool daemon_cloud_no_stale(const struct daemon *d)
{
	return d->conf->cloud.personality != CONF_PERSONALITY_NONE;
}

/* ---- paths of our own: the VPC's CIDRs and VPN static routes ---- */

/* ORIGIN IGP, empty AS_PATH (our AS goes on at export, RFC 4271 5.1.2),
 * MED med when has_med, NEXT_HOP nh when its family is set. */
static struct bgp_attrs *own_attrs(struct daemon *d, bool has_med, uint32_t med,
				   const struct addr *nh)
{
	struct bgp_attrs *a = bgp_attrs_new();
	if (!a)
		return NULL;
	a->origin = BGP_ORIGIN_IGP;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN);
	if (bgp_attrs_set_aspath(a, NULL, 0) < 0) {
		bgp_attrs_unref(a);
		return NULL;
	}
	a->present |= BGP_ATTR_BIT(BGP_ATTR_AS_PATH);
	if (has_med) {
		a->med = med;
		a->present |= BGP_ATTR_BIT(BGP_ATTR_MED);
	}
	if (nh && nh->af == AF_INET) {
		memcpy(&a->nexthop, nh->b, 4);
		a->present |= BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	} else if (nh && nh->af == AF_INET6 && bgp_attrs_set_mp_nexthop(a, nh, NULL) < 0) {
		bgp_attrs_unref(a);
		return NULL;
	}
	struct bgp_attrs *ia = attr_intern(rib_attr_table(d->rib), a);
	return ia ? ia : a;
}

/* "AWS advertises the VPC CIDR to the customer with AS path = its ASN,
 * origin IGP, MED 100": a path of the local pseudo-peer, which export
 * sends to every customer gateway with our AS prepended and its MED. */
static int vpc_cidr_add(struct daemon *d, const struct prefix *p)
{
	struct bgp_attrs *a = own_attrs(d, true, CLOUD_VPC_MED, NULL);
	if (!a)
		return -ENOMEM;
	struct rib_path path = { .peer = &d->local, .attrs = a, .received = ++d->arrivals,
				 .igp_cost = 0, .nh_reachable = true };
	int rc = loc_rib_update(rib_loc(d->rib), p, &path);
	bgp_attrs_unref(a);
	return rc;
}

static void static_path_add(struct daemon *d, struct daemon_cloud *dc,
			    const struct cloud_static *s)
{
	const struct addr *nh = &s->via->rp.addr;
	struct bgp_attrs *a = own_attrs(d, false, 0, nh);
	char pb[PREFIX_STRLEN];
	if (!a) {
		log_err("VPN static route %s: out of memory", prefix_fmt(&s->prefix, pb));
		return;
	}
	struct rib_path path = {
		.peer = &dc->static_peers[s->via->rp.id],
		.attrs = a,
		.received = ++d->arrivals,
		.igp_cost = UINT32_MAX,
		.nh_reachable = daemon_fib_nh_reachable(d, s->prefix.addr.af, a),
	};
	int rc = loc_rib_update(rib_loc(d->rib), &s->prefix, &path);
	if (rc < 0)
		log_err("VPN static route %s: %s", prefix_fmt(&s->prefix, pb), strerror(-rc));
	bgp_attrs_unref(a);
}

void daemon_cloud_peer_up(struct daemon *d, struct daemon_peer *dp)
{
	struct daemon_cloud *dc = d->cloud;
	for (size_t i = 0; dc && i < dc->n_statics; i++)
		if (dc->statics[i].via == dp)
			static_path_add(d, dc, &dc->statics[i]);
}

const struct rib_peer *daemon_cloud_static_peer(const struct daemon *d, uint32_t id)
{
	const struct daemon_cloud *dc = d->cloud;
	if (!dc || id < CLOUD_STATIC_ID_BASE || id - CLOUD_STATIC_ID_BASE >= dc->n_static_peers)
		return NULL;
	const struct rib_peer *rp = &dc->static_peers[id - CLOUD_STATIC_ID_BASE];
	return rp->id == id ? rp : NULL;
}

void daemon_cloud_peer_down(struct daemon *d, struct daemon_peer *dp)
{
	struct daemon_cloud *dc = d->cloud;
	/* "A tunnel counts as UP only while its BGP session is
	 * Established": its static routes go with it. */
	for (size_t i = 0; dc && i < dc->n_statics; i++)
		if (dc->statics[i].via == dp)
			loc_rib_withdraw(rib_loc(d->rib), &dc->statics[i].prefix,
					 dc->static_peers[dp->rp.id].id);
}

/* ---- route tables ---- */

static int kt_set(void *arg, const struct prefix *p, const struct addr *gw, size_t n)
{
	return fib_sync_table_set(arg, p, gw, n);
}

static int kt_del(void *arg, const struct prefix *p)
{
	return fib_sync_table_delete(arg, p);
}

static void sync_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon *d = w->data;
	(void)loop;
	(void)revents;
	d->cloud->sync_pending = false;
	for (size_t i = 0; i < d->cloud->n_tables; i++)
		rtab_sync(d->cloud->tables[i].rt);
}

/* One sync per loop iteration however many prefixes changed; fib_sync
 * sends the writes before the loop next waits. */
static void sync_kick(struct daemon *d)
{
	struct daemon_cloud *dc = d->cloud;
	if (dc->sync_pending)
		return;
	dc->sync_pending = true;
	ev_timer_set(&dc->sync, 0., 0.);
	ev_timer_start(d->loop, &dc->sync);
}

void daemon_cloud_change(struct daemon *d, const struct loc_rib_change *c)
{
	struct daemon_cloud *dc = d->cloud;
	if (!dc || !dc->n_tables)
		return;
	/* Propagation: the gateway's choice for the prefix (the ECMP set
	 * on a TGW), unless the gateway's own route (the VPC) won. */
	struct rtab_hops h = { 0 };
	if (c->new_best && c->new_best->peer->id != DAEMON_LOCAL_PEER_ID) {
		const struct rib_path *mp[FIB_NH_MAX];
		size_t n = loc_rib_multipath(rib_loc(d->rib), c->prefix, mp, FIB_NH_MAX);
		if (n == 0) {
			mp[0] = c->new_best;
			n = 1;
		}
		for (size_t i = 0; i < n; i++) {
			if (!bgp_attrs_nexthop(mp[i]->attrs, c->prefix->addr.af, &h.gw[h.n]))
				continue;
			h.peer[h.n++] = mp[i]->peer->addr;
		}
	}
	for (size_t i = 0; i < dc->n_tables; i++) {
		int rc = rtab_propagated_set(dc->tables[i].rt, c->prefix, &h);
		if (rc < 0) {
			char pb[PREFIX_STRLEN];
			log_err("route-table %s: %s: %s", rtab_name(dc->tables[i].rt),
				prefix_fmt(c->prefix, pb), strerror(-rc));
		}
	}
	sync_kick(d);
}

static int table_open(struct daemon *d, const struct conf_route_table *ct, struct cloud_table *t)
{
	int rc = fib_sync_table_open(d, ct->table, &t->kt);
	if (rc < 0) {
		log_err("route-table %s: cannot open kernel table %u: %s", ct->name, ct->table,
			strerror(-rc));
		return rc;
	}
	struct rtab_kernel k = { kt_set, kt_del, t->kt };
	rc = rtab_new(ct->name, ct->table, ct->max_routes, &k, &t->rt);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < ct->n_local; i++) {
		rc = rtab_local_add(t->rt, &ct->local[i].prefix);
		if (rc == 0 && !loc_rib_best(rib_loc(d->rib), &ct->local[i].prefix))
			rc = vpc_cidr_add(d, &ct->local[i].prefix);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < ct->n_static; i++) {
		if (ct->statics[i].via_neighbor)
			continue; /* a VPN static route: through the Loc-RIB */
		rc = rtab_static_add(t->rt, &ct->statics[i].prefix, &ct->statics[i].via);
		if (rc < 0)
			return rc;
	}
	log_info("route-table %s: kernel table %u, max-routes %u, %zu local, %zu static",
		 ct->name, ct->table, ct->max_routes, ct->n_local, ct->n_static);
	return 0;
}

static struct daemon_peer *peer_by_addr(struct daemon *d, const struct addr *a)
{
	for (size_t i = 1; i < d->n_peers; i++)
		if (d->peers[i].peer && addr_eq(&d->peers[i].rp.addr, a))
			return &d->peers[i];
	return NULL;
}

static int statics_collect(struct daemon *d, struct daemon_cloud *dc)
{
	const struct conf_cloud *cl = &d->conf->cloud;
	size_t n = 0;
	for (size_t i = 0; i < cl->n_route_tables; i++)
		n += cl->route_tables[i].n_static;
	dc->statics = calloc(n ? n : 1, sizeof(*dc->statics));
	dc->static_peers = calloc(d->n_peers ? d->n_peers : 1, sizeof(*dc->static_peers));
	if (!dc->statics || !dc->static_peers)
		return -ENOMEM;
	dc->n_static_peers = d->n_peers ? d->n_peers : 1;
	for (size_t i = 0; i < cl->n_route_tables; i++) {
		const struct conf_route_table *ct = &cl->route_tables[i];
		for (size_t j = 0; j < ct->n_static; j++) {
			struct daemon_peer *dp;
			if (!ct->statics[j].via_neighbor ||
			    !(dp = peer_by_addr(d, &ct->statics[j].via)))
				continue;
			dc->statics[dc->n_statics++] = (struct cloud_static){ ct->statics[j].prefix, dp };
			/* "VPN static routes" rank between Direct Connect and
			 * VPN BGP routes, and live while the tunnel is up. */
			dc->static_peers[dp->rp.id] = (struct rib_peer){
				.id = CLOUD_STATIC_ID_BASE + dp->rp.id,
				.addr = dp->rp.addr,
				.as = dp->rp.as,
				.ebgp = true,
				.source = RIB_SOURCE_VPN_STATIC,
			};
		}
	}
	return 0;
}

int daemon_cloud_start(struct daemon *d, struct ctl_server *ctl)
{
	const struct conf_cloud *cl = &d->conf->cloud;
	/* explain works for every comparator, personality or not. */
	int rc = daemon_cloud_ctl_add(d, ctl);
	if (rc < 0 || cl->personality == CONF_PERSONALITY_NONE)
		return rc;
	struct daemon_cloud *dc = calloc(1, sizeof(*dc));
	if (!dc)
		return -ENOMEM;
	d->cloud = dc;
	ev_timer_init(&dc->sync, sync_cb, 0., 0.);
	dc->sync.data = d;
	d->local.source = RIB_SOURCE_LOCAL;
	for (size_t i = 1; i < d->n_peers; i++)
		if (d->peers[i].peer)
			daemon_cloud_peer_init(d, &d->peers[i]);
	rc = statics_collect(d, dc);
	if (rc < 0)
		return rc;
	dc->tables = calloc(cl->n_route_tables ? cl->n_route_tables : 1, sizeof(*dc->tables));
	if (!dc->tables)
		return -ENOMEM;
	for (size_t i = 0; i < cl->n_route_tables; i++) {
		rc = table_open(d, &cl->route_tables[i], &dc->tables[dc->n_tables]);
		if (dc->tables[dc->n_tables].rt)
			dc->n_tables++;
		if (rc < 0)
			return rc;
	}
	log_info("personality %s: comparator %s, %zu route table%s, %zu VPN static route%s",
		 conf_personality_name(cl->personality), daemon_personality_cmp(cl->personality)->name,
		 dc->n_tables, dc->n_tables == 1 ? "" : "s", dc->n_statics,
		 dc->n_statics == 1 ? "" : "s");
	sync_kick(d);
	return 0;
}

void daemon_cloud_stop(struct daemon *d)
{
	struct daemon_cloud *dc = d->cloud;
	if (!dc)
		return;
	if (d->loop)
		ev_timer_stop(d->loop, &dc->sync);
	/* The kernel tables belong to fib_sync, which closes them. */
	for (size_t i = 0; i < dc->n_tables; i++)
		rtab_free(dc->tables[i].rt);
	free(dc->tables);
	free(dc->statics);
	free(dc->static_peers);
	free(dc);
	d->cloud = NULL;
}

size_t daemon_cloud_tables(struct daemon *d, struct rtab **out, size_t max)
{
	struct daemon_cloud *dc = d->cloud;
	size_t n = dc ? dc->n_tables : 0;
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = dc->tables[i].rt;
	return n;
}
