/* Decision knobs from the config into the Loc-RIB configuration. */
#ifndef EGRESS_DAEMON_KNOBS_H
#define EGRESS_DAEMON_KNOBS_H

#include "conf/conf.h"
#include "rib/loc_rib.h"

/* Sets cfg's decision options and multipath from k; leaves cfg->cmp (the
 * personality's comparator) as it is. */
void daemon_knobs_apply(const struct conf_decision *k, struct loc_rib_config *cfg);
/* The Loc-RIB configuration of a config, at start and on reload: the
 * knobs and the comparator. */
void daemon_rib_config(const struct conf *c, struct loc_rib_config *cfg);

#endif
