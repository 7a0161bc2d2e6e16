/* Cloud-gateway personalities: the route selection AWS documents for
 * its gateways, as comparators of the one decision engine
 * (rib/decision.h); loc_rib_config.cmp selects one.  Every rule, its
 * source and where we differ from the cloud: docs/cloud-personalities.md.
 *
 * aws-vgw (virtual private gateway, Site-to-Site VPN), in AWS's order:
 *   1. only healthy tunnels: a path exists only while its session is
 *      Established (the daemon withdraws the others), and an
 *      unreachable next hop is ineligible as everywhere;
 *   2. Direct Connect BGP routes over VPN static routes over VPN BGP
 *      routes (rib_peer.source);
 *   3. shortest AS_PATH;
 *   4. lowest MED, compared only when the first AS of the AS_SEQUENCE
 *      is the same (a missing MED counts 0, as RFC 4271 9.1.2.2 c);
 *   5. (ours) the incumbent: the tunnel already chosen keeps the
 *      traffic until it fails or a better path arrives; AWS picks one
 *      of the equal tunnels itself and does not say how;
 *   6. (ours) lowest peer address, so a choice among equal newcomers
 *      does not depend on arrival order.
 *   LOCAL_PREF, ORIGIN, router id and age are not steps: AWS documents
 *   none of them.  No ECMP.
 *
 * aws-tgw (transit gateway, VPN attachments): static over Direct
 *   Connect propagated over VPN propagated, then as the VGW; with
 *   vpn-ecmp, VPN BGP paths tied through MED whose AS_PATH is identical
 *   (same advertised ASN and path) share the traffic.
 *
 * aws-dx (Direct Connect private virtual interface): the local
 *   preference communities 7224:7300 (high) > 7224:7200 (medium, the
 *   default) > 7224:7100 (low) come before AS_PATH; then as the VGW. */
#ifndef EGRESS_RIB_PERSONALITY_AWS_H
#define EGRESS_RIB_PERSONALITY_AWS_H

#include <stdint.h>

#include "rib/decision.h"

/* Direct Connect local preference communities (7224 is Amazon's AS). */
#define AWS_COMM_LP_LOW    ((7224u << 16) | 7100u)
#define AWS_COMM_LP_MEDIUM ((7224u << 16) | 7200u)
#define AWS_COMM_LP_HIGH   ((7224u << 16) | 7300u)

extern const struct rib_comparator rib_comparator_aws_vgw;
extern const struct rib_comparator rib_comparator_aws_tgw;
extern const struct rib_comparator rib_comparator_aws_dx;

/* The comparator for "aws-vgw", "aws-tgw", "aws-dx" or "rfc4271";
 * NULL for any other name. */
const struct rib_comparator *rib_comparator_by_name(const char *name);

/* Direct Connect preference of a path: 100, 200 or 300 from its
 * communities (the highest present wins), 200 without one. */
uint32_t aws_dx_local_pref(const struct bgp_attrs *a);

#endif
