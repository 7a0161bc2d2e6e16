/* Address family helpers: the AFI/SAFI pairs of RFC 4760 that egressd
 * speaks, mapped to the compact enum bgp_family used for bitmasks. */
#include "bgp/msg.h"

int bgp_family_from_afi_safi(uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST)
		return -1;
	switch (afi) {
	case BGP_AFI_IPV4: return BGP_FAM_IPV4_UNICAST;
	case BGP_AFI_IPV6: return BGP_FAM_IPV6_UNICAST;
	}
	return -1;
}

void bgp_family_to_afi_safi(enum bgp_family f, uint16_t *afi, uint8_t *safi)
{
	*afi = f == BGP_FAM_IPV6_UNICAST ? BGP_AFI_IPV6 : BGP_AFI_IPV4;
	*safi = BGP_SAFI_UNICAST;
}

const char *bgp_family_name(enum bgp_family f)
{
	switch (f) {
	case BGP_FAM_IPV4_UNICAST: return "ipv4-unicast";
	case BGP_FAM_IPV6_UNICAST: return "ipv6-unicast";
	case BGP_FAM_COUNT: break;
	}
	return "unknown";
}
