/* The config's decision knobs (conf/decision.c) as the Loc-RIB's
 * configuration (rib/loc_rib.h), at start and on reload. */
#include "daemon/knobs.h"
#include "daemon/personality.h"

void daemon_knobs_apply(const struct conf_decision *k, struct loc_rib_config *cfg)
{
	rib_decision_opts_default(&cfg->opts);
	cfg->opts.always_compare_med = k->always_compare_med;
	cfg->opts.deterministic_med = k->deterministic_med;
	cfg->opts.prefer_oldest = k->prefer_oldest;
	cfg->opts.med_missing_as_worst = k->med_missing_as_worst;
	cfg->opts.default_local_pref = k->default_local_pref;
	cfg->multipath = k->multipath ? k->multipath : 1;
	cfg->multipath_relax = k->multipath_relax;
}

void daemon_rib_config(const struct conf *c, struct loc_rib_config *cfg)
{
	/* The comparator stays rib_comparator_rfc4271 (NULL) unless a
	 * personality picks its own here. */
	daemon_knobs_apply(&c->decision, cfg);
	daemon_personality_rib_config(c, cfg);
}
