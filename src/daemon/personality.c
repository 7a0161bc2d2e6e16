/* The personality's decision process: which comparator the Loc-RIB runs
 * and how many equal paths it keeps (see daemon/personality.h). */
#include "daemon/personality.h"
#include "fib/fib.h"
#include "rib/personality_aws.h"

const struct rib_comparator *daemon_personality_cmp(enum conf_personality p)
{
	switch (p) {
	case CONF_PERSONALITY_AWS_VGW: return &rib_comparator_aws_vgw;
	case CONF_PERSONALITY_AWS_TGW: return &rib_comparator_aws_tgw;
	case CONF_PERSONALITY_AWS_DX: return &rib_comparator_aws_dx;
	case CONF_PERSONALITY_NONE: break;
	}
	return NULL;
}

void daemon_personality_rib_config(const struct conf *c, struct loc_rib_config *cfg)
{
	const struct conf_cloud *cl = &c->cloud;
	const struct rib_comparator *cmp = daemon_personality_cmp(cl->personality);
	if (!cmp)
		return;
	cfg->cmp = cmp;
	/* A VGW and a DX gateway use one path per prefix; a TGW with VPN
	 * ECMP every equal VPN path (as many as one kernel route takes,
	 * unless `multipath N` asks for fewer). */
	if (cl->personality == CONF_PERSONALITY_AWS_TGW && cl->vpn_ecmp)
		cfg->multipath = cfg->multipath > 1 && cfg->multipath < FIB_NH_MAX ? cfg->multipath
										  : FIB_NH_MAX;
	else
		cfg->multipath = 1;
}

