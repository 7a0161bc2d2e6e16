/* Attribute sets for the RIB unit tests (include after cmocka.h). */
#ifndef EGRESS_TEST_RIB_ATTRS_H
#define EGRESS_TEST_RIB_ATTRS_H

#include "bgp/attr.h"

/* ORIGIN IGP and an AS_SEQUENCE of n ASNs counting up from first. */
static inline struct bgp_attrs *test_attrs_seq(uint32_t first, unsigned n)
{
	struct bgp_attrs *a = bgp_attrs_new();
	uint8_t segs[2 + 4 * 16];
	assert_true(n >= 1 && n <= 16);
	segs[0] = BGP_AS_SEQUENCE;
	segs[1] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		uint32_t asn = first + i;
		segs[2 + 4 * i] = (uint8_t)(asn >> 24);
		segs[3 + 4 * i] = (uint8_t)(asn >> 16);
		segs[4 + 4 * i] = (uint8_t)(asn >> 8);
		segs[5 + 4 * i] = (uint8_t)asn;
	}
	assert_int_equal(bgp_attrs_set_aspath(a, segs, 2 + 4 * n), 0);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN);
	a->origin = BGP_ORIGIN_IGP;
	return a;
}

/* ORIGIN IGP, AS_SEQUENCE {first_as} and MULTI_EXIT_DISC med. */
static inline struct bgp_attrs *test_attrs_med(uint32_t first_as, uint32_t med)
{
	struct bgp_attrs *a = test_attrs_seq(first_as, 1);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_MED);
	a->med = med;
	return a;
}

#endif
