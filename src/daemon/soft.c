/* Soft reconfiguration inbound: see daemon/soft.h. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

#include "core/log.h"
#include "daemon/daemon.h"
#include "daemon/soft.h"

void daemon_soft_store(struct daemon *d, struct daemon_peer *dp, const struct bgp_update *u)
{
	if (!dp->n || !dp->n->soft_reconfig_in)
		return;
	char nb[ADDR_STRLEN];
	if (!dp->pre_in && !(dp->pre_in = adj_rib_new())) {
		log_err("peer %s: out of memory for its pre-policy routes",
			addr_fmt(&dp->rp.addr, nb));
		return;
	}
	for (uint32_t i = 0; i < u->n_withdrawn; i++)
		adj_rib_withdraw(dp->pre_in, &u->withdrawn[i]);
	if (!u->attrs || !u->n_announced)
		return;
	/* The shared copy (the same one the import path interns), so the
	 * pre-policy table costs its entries, not the attributes again. */
	struct bgp_attrs *r = bgp_attrs_ref(u->attrs);
	struct bgp_attrs *a = attr_intern(rib_attr_table(d->rib), r);
	if (!a)
		a = r; /* -ENOMEM: our reference to the message's copy serves */
	for (uint32_t i = 0; i < u->n_announced; i++) {
		if (adj_rib_update(dp->pre_in, &u->announced[i], a) < 0) {
			log_err("peer %s: out of memory for its pre-policy routes",
				addr_fmt(&dp->rp.addr, nb));
			break;
		}
	}
	bgp_attrs_unref(a);
}

static void rerun_drop(struct daemon_peer *dp)
{
	adj_rib_entries_free(dp->soft_e, dp->soft_n);
	dp->soft_e = NULL;
	dp->soft_n = dp->soft_i = 0;
}

void daemon_soft_clear(struct daemon_peer *dp, int af)
{
	if (!af) {
		rerun_drop(dp);
		adj_rib_free(dp->pre_in);
		dp->pre_in = NULL;
	} else if (dp->pre_in) {
		adj_rib_clear(dp->pre_in, af);
	}
}

size_t daemon_soft_count(const struct daemon_peer *dp)
{
	return dp->pre_in ? adj_rib_count(dp->pre_in) : 0;
}

int daemon_soft_memory(struct daemon *d, void *answer)
{
	size_t n = 0, bytes = 0;
	for (size_t i = 1; i < d->n_peers; i++) {
		n += daemon_soft_count(&d->peers[i]);
		bytes += adj_rib_bytes(d->peers[i].pre_in);
	}
	/* The tables, as for the other Adj-RIBs: the attribute sets are
	 * the interned ones, counted under "attributes". */
	json_t *o = json_pack("{s:I, s:I}", "routes", (json_int_t)n, "bytes", (json_int_t)bytes);
	if (!o || json_object_set_new(answer, "adj_rib_in_pre_policy", o) != 0)
		return -ENOMEM;
	return 0;
}

int daemon_soft_rerun_start(struct daemon *d, struct daemon_peer *dp)
{
	(void)d;
	rerun_drop(dp);
	if (!dp->pre_in)
		return 0;
	/* A snapshot (references held), so UPDATEs arriving during the
	 * re-run change the live copy, not the walk; a route they replace
	 * is imported twice, the newer last, which is right. */
	int rc = adj_rib_entries(dp->pre_in, &dp->soft_e, &dp->soft_n);
	if (rc < 0) {
		dp->soft_e = NULL;
		dp->soft_n = 0;
		return rc;
	}
	dp->soft_i = 0;
	return 0;
}

bool daemon_soft_step(struct daemon *d, struct daemon_peer *dp, size_t budget)
{
	if (!dp->soft_e)
		return false;
	if (!dp->peer || dp->peer->state != BGP_STATE_ESTABLISHED) {
		rerun_drop(dp);
		return false;
	}
	size_t end = dp->soft_i + budget;
	if (end > dp->soft_n)
		end = dp->soft_n;
	for (; dp->soft_i < end; dp->soft_i++) {
		const struct adj_rib_entry *e = &dp->soft_e[dp->soft_i];
		/* Still what the peer last sent? (It may have been withdrawn
		 * or replaced since the snapshot; the live copy wins.) */
		if (adj_rib_lookup(dp->pre_in, &e->prefix) != e->attrs)
			continue;
		daemon_import_rerun(d, dp, &e->prefix, e->attrs);
	}
	if (dp->soft_i < dp->soft_n)
		return true;
	char nb[ADDR_STRLEN];
	log_info("peer %s: import policy re-run over %zu stored routes (soft-reconfiguration "
		 "inbound)", addr_fmt(&dp->rp.addr, nb), dp->soft_n);
	rerun_drop(dp);
	return false;
}
