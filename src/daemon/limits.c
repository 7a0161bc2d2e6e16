/* Per-neighbor max-prefix (RFC 4486): when the routes accepted from a
 * peer in one family pass its limit, the session ends with NOTIFICATION
 * Cease / Maximum Number of Prefixes Reached, data AFI (2 octets), SAFI
 * (1) and the limit (4) (RFC 4486 4), and stays Idle through the idle
 * hold-down (bgp_peer_reset), so a peer that keeps sending too many is
 * retried ever more slowly.  AWS: "above it: NOTIFICATION Cease / Maximum
 * Number of Prefixes Reached, data 00 01 01 00 00 00 64, session idle".
 *
 * What counts is the Adj-RIB-In: the routes accepted (after the import
 * policy, when there is one), AS-path loops included; the Loc-RIB
 * counts them per peer and family. */
#include <stdio.h>

#include "core/log.h"
#include "daemon/cloud.h"
#include "daemon/daemon.h"

bool daemon_max_prefix_check(struct daemon *d, struct daemon_peer *dp, struct bgp_peer *p)
{
	uint32_t limit = dp->n ? dp->n->max_prefix : 0;
	if (!limit || p->state != BGP_STATE_ESTABLISHED)
		return false;
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		int af = f == BGP_FAM_IPV6_UNICAST ? AF_INET6 : AF_INET;
		size_t n = loc_rib_peer_routes(rib_loc(d->rib), p->id, af);
		if (n <= limit)
			continue;
		uint16_t afi;
		uint8_t safi;
		bgp_family_to_afi_safi((enum bgp_family)f, &afi, &safi);
		struct bgp_notify note;
		bgp_notify_set_max_prefix(&note, afi, safi, limit);
		char nb[ADDR_STRLEN], why[128];
		snprintf(why, sizeof(why), "max-prefix: %zu %s routes, limit %u", n,
			 bgp_family_name((enum bgp_family)f), limit);
		log_warn("peer %s: %zu %s routes accepted, more than max-prefix %u: sending Cease/"
			 "Maximum Number of Prefixes Reached (RFC 4486) and holding the session idle",
			 addr_fmt(&p->cfg.addr, nb), n, bgp_family_name((enum bgp_family)f), limit);
		bgp_peer_reset(p, &note, why);
		return true;
	}
	return false;
}
