/* A cloud personality's decision process for the Loc-RIB: its
 * comparator (rib/personality_aws.h) and multipath width.  Apart from
 * cloud.c so the decision knobs' tests link it alone. */
#ifndef EGRESS_DAEMON_PERSONALITY_H
#define EGRESS_DAEMON_PERSONALITY_H

#include "conf/conf.h"
#include "rib/loc_rib.h"

/* NULL without a personality (the RFC 4271 comparator then). */
const struct rib_comparator *daemon_personality_cmp(enum conf_personality p);
/* The personality's comparator and multipath width into cfg, after the
 * decision knobs, which it overrides where the cloud has its own rule
 * (a VGW never uses ECMP; a TGW with vpn-ecmp keeps every equal VPN
 * path).  Nothing without a personality. */
void daemon_personality_rib_config(const struct conf *c, struct loc_rib_config *cfg);

#endif
