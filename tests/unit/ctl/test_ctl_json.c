/* JSON views: routes built from hand-made attributes, and a neighbor
 * built from a hand-made struct bgp_peer, checked key by key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/attr.h"
#include "bgp/session.h"
#include "core/log.h"
#include "ctl/ctl_show.h"
#include "rib/rib.h"

/* Canonical AS path bytes: type, count, 4-byte ASNs. */
static size_t seg(uint8_t *p, uint8_t type, const uint32_t *asns, uint8_t n)
{
	p[0] = type;
	p[1] = n;
	for (uint8_t i = 0; i < n; i++) {
		p[2 + 4 * i] = (uint8_t)(asns[i] >> 24);
		p[3 + 4 * i] = (uint8_t)(asns[i] >> 16);
		p[4 + 4 * i] = (uint8_t)(asns[i] >> 8);
		p[5 + 4 * i] = (uint8_t)asns[i];
	}
	return 2 + 4u * n;
}

static char *dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	assert_non_null(s);
	return s;
}

static struct bgp_attrs *full_attrs(void)
{
	struct bgp_attrs *a = bgp_attrs_new();
	struct bgp_attrs_mut *m = bgp_attrs_mut(a);
	assert_non_null(a);
	uint8_t path[64];
	size_t n = seg(path, BGP_AS_SEQUENCE, (const uint32_t[]){ 64512, 4200000001u }, 2);
	n += seg(path + n, BGP_AS_SET, (const uint32_t[]){ 1, 2 }, 2);
	assert_int_equal(bgp_attrs_set_aspath(a, path, n), 0);
	const uint32_t comms[] = { (65000u << 16) | 1, 0xffffff01u };
	assert_int_equal(bgp_attrs_set_communities(a, comms, 2), 0);
	const struct bgp_large_community lc[] = { { 1, 2, 3 }, { 4200000001u, 0, 7 } };
	assert_int_equal(bgp_attrs_set_large_communities(a, lc, 2), 0);
	static const uint8_t ec[] = { 0x00, 0x02, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x64 };
	m->ext_communities = malloc(sizeof(ec));
	assert_non_null(m->ext_communities);
	memcpy(m->ext_communities, ec, sizeof(ec));
	a->n_ext_communities = 1;
	a->origin = BGP_ORIGIN_IGP;
	inet_pton(AF_INET, "169.254.247.1", &a->nexthop);
	a->med = 10;
	m->agg = (struct bgp_aggregator){ 64512, 0x0a000001 };
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP) |
		      BGP_ATTR_BIT(BGP_ATTR_MED) | BGP_ATTR_BIT(BGP_ATTR_ATOMIC_AGGREGATE) |
		      BGP_ATTR_BIT(BGP_ATTR_AGGREGATOR) | BGP_ATTR_BIT(BGP_ATTR_EXT_COMMUNITIES);
	return a;
}

static void test_route_with_every_attribute(void **state)
{
	(void)state;
	struct bgp_attrs *a = full_attrs();
	struct prefix p;
	struct addr nbr;
	assert_int_equal(prefix_parse("0.0.0.0/0", &p), 0);
	assert_int_equal(addr_parse("169.254.247.1", &nbr), 0);

	json_t *r = ctl_json_route(&p, a, &nbr);
	assert_non_null(r);
	char *s = dump(r);
	assert_string_equal(s,
		"{\"prefix\":\"0.0.0.0/0\",\"next_hop\":\"169.254.247.1\","
		"\"as_path\":[64512,4200000001,1,2],\"as_path_text\":\"64512 4200000001 {1 2}\","
		"\"origin\":\"igp\",\"med\":10,\"local_pref\":null,"
		"\"communities\":[\"65000:1\",\"65535:65281\"],"
		"\"large_communities\":[\"1:2:3\",\"4200000001:0:7\"],"
		"\"ext_communities\":[\"rt:65000:100\"],\"atomic_aggregate\":true,"
		"\"aggregator\":{\"as\":64512,\"id\":\"10.0.0.1\"},\"unknown_attributes\":[],"
		"\"neighbor\":\"169.254.247.1\"}");
	free(s);
	json_decref(r);
	bgp_attrs_unref(a);
}

static void test_ipv6_route_with_few_attributes(void **state)
{
	(void)state;
	struct bgp_attrs *a = bgp_attrs_new();
	assert_non_null(a);
	struct prefix p;
	assert_int_equal(prefix_parse("::/0", &p), 0);
	struct addr nh, ll;
	assert_int_equal(addr_parse("2001:db8::1", &nh), 0);
	assert_int_equal(addr_parse("fe80::1", &ll), 0);
	assert_int_equal(bgp_attrs_set_mp_nexthop(a, &nh, &ll), 0);
	a->origin = BGP_ORIGIN_INCOMPLETE;
	a->local_pref = 100;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);

	json_t *r = ctl_json_route(&p, a, NULL);
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "next_hop")), "2001:db8::1");
	assert_string_equal(json_string_value(json_object_get(r, "next_hop_ll")), "fe80::1");
	assert_int_equal(json_array_size(json_object_get(r, "as_path")), 0);
	assert_string_equal(json_string_value(json_object_get(r, "as_path_text")), "");
	assert_string_equal(json_string_value(json_object_get(r, "origin")), "incomplete");
	assert_true(json_is_null(json_object_get(r, "med")));
	assert_int_equal(json_integer_value(json_object_get(r, "local_pref")), 100);
	assert_true(json_is_false(json_object_get(r, "atomic_aggregate")));
	assert_true(json_is_null(json_object_get(r, "aggregator")));
	assert_null(json_object_get(r, "neighbor"));
	json_decref(r);
	bgp_attrs_unref(a);
}

static void test_unknown_attribute_is_listed(void **state)
{
	(void)state;
	struct bgp_attrs *a = bgp_attrs_new();
	assert_non_null(a);
	bgp_attrs_mut(a)->unknown = calloc(1, sizeof(*bgp_attrs_mut(a)->unknown));
	assert_non_null(bgp_attrs_unknown(a));
	bgp_attrs_mut(a)->unknown[0] = (struct bgp_attr_raw){ .flags = 0xe0, .code = 99, .len = 0 };
	a->n_unknown = 1;
	struct prefix p;
	assert_int_equal(prefix_parse("10.0.0.0/8", &p), 0);
	json_t *r = ctl_json_route(&p, a, NULL);
	char *s = dump(json_object_get(r, "unknown_attributes"));
	assert_string_equal(s, "[{\"code\":99,\"flags\":224,\"length\":0}]");
	assert_true(json_is_null(json_object_get(r, "next_hop")));
	assert_true(json_is_null(json_object_get(r, "origin")));
	free(s);
	json_decref(r);
	bgp_attrs_unref(a);
}

static void test_aspath_segments_and_truncation(void **state)
{
	(void)state;
	uint8_t path[64];
	size_t n = seg(path, BGP_AS_CONFED_SEQUENCE, (const uint32_t[]){ 65001 }, 1);
	n += seg(path + n, BGP_AS_CONFED_SET, (const uint32_t[]){ 65002, 65003 }, 2);
	n += seg(path + n, BGP_AS_SEQUENCE, (const uint32_t[]){ 64512 }, 1);
	json_t *list, *text;
	assert_int_equal(ctl_aspath_json(path, n, &list, &text), 0);
	assert_string_equal(json_string_value(text), "(65001) [65002 65003] 64512");
	assert_int_equal(json_array_size(list), 4);
	json_decref(list);
	json_decref(text);

	/* A segment claiming more ASNs than the bytes hold stops the walk. */
	n = seg(path, BGP_AS_SEQUENCE, (const uint32_t[]){ 64512 }, 1);
	path[n] = BGP_AS_SEQUENCE;
	path[n + 1] = 3;
	assert_int_equal(ctl_aspath_json(path, n + 2 + 4, &list, &text), 0);
	assert_string_equal(json_string_value(text), "64512 ?");
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	json_decref(text);
	/* A lone type byte. */
	assert_int_equal(ctl_aspath_json(path, 1, &list, &text), 0);
	assert_string_equal(json_string_value(text), "?");
	json_decref(list);
	json_decref(text);
}

static void test_ext_community_formats(void **state)
{
	(void)state;
	char buf[48];
	ctl_ext_community_format((const uint8_t[]){ 0x01, 0x03, 192, 0, 2, 1, 0x00, 0x07 }, buf,
				 sizeof(buf));
	assert_string_equal(buf, "soo:192.0.2.1:7");
	ctl_ext_community_format((const uint8_t[]){ 0x02, 0x02, 0xfa, 0x56, 0xea, 0x01, 0x00, 0x64 },
				 buf, sizeof(buf));
	assert_string_equal(buf, "rt:4200000001:100");
	/* Non-transitive two-octet AS (0x40) is not a route target. */
	ctl_ext_community_format((const uint8_t[]){ 0x40, 0x02, 0xfd, 0xe8, 0, 0, 0, 0x64 }, buf,
				 sizeof(buf));
	assert_string_equal(buf, "0x4002fde800000064");
}

static void test_text_survives_bad_utf8(void **state)
{
	(void)state;
	json_t *j = ctl_json_text("bye \xff\xfe now\x01", 64);
	assert_non_null(j);
	assert_string_equal(json_string_value(j), "bye ?? now?");
	json_decref(j);
	j = ctl_json_text("caf\xc3\xa9", 64); /* valid UTF-8 is kept */
	assert_string_equal(json_string_value(j), "caf\xc3\xa9");
	json_decref(j);
	j = ctl_json_text(NULL, 10);
	assert_string_equal(json_string_value(j), "");
	json_decref(j);
	j = ctl_json_error("no neighbor 192.0.2.9");
	char *s = dump(j);
	assert_string_equal(s, "{\"error\":\"no neighbor 192.0.2.9\"}");
	free(s);
	json_decref(j);
}

static void test_neighbor_object(void **state)
{
	(void)state;
	struct bgp_peer p;
	memset(&p, 0, sizeof(p));
	p.id = 3;
	assert_int_equal(addr_parse("169.254.247.1", &p.cfg.addr), 0);
	p.cfg.remote_as = 64512;
	p.cfg.local_as = 64521;
	p.cfg.description = (char *)"tunnel 1";
	p.cfg.hold_time = 90;
	p.cfg.keepalive = 30;
	p.state = BGP_STATE_ESTABLISHED;
	p.state_since = mono_now() - 65;
	p.established_since = p.state_since;
	p.remote_open.bgp_id = 0xc0000209;
	p.neg.families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST);
	p.neg.as4 = true;
	p.neg.route_refresh = true;
	p.neg.hold_time = 30;
	p.neg.keepalive = 10;
	p.stats.msgs_in[0] = 5;
	p.stats.msgs_in[BGP_MSG_UPDATE] = 3;
	p.stats.msgs_out[BGP_MSG_KEEPALIVE] = 2;
	snprintf(p.last_error, sizeof(p.last_error), "hold timer expired");

	struct rib *rib = rib_new();
	assert_non_null(rib);
	/* The Adj-RIB-In is the peer's Loc-RIB paths. */
	struct loc_rib_config cfg = {0};
	assert_int_equal(rib_loc_create(rib, &cfg, NULL, NULL), 0);
	static struct rib_peer rp;
	rp.id = p.id;
	struct bgp_attrs *a = full_attrs();
	struct rib_path path = { .peer = &rp, .attrs = a, .nh_reachable = true };
	struct prefix pf;
	assert_int_equal(prefix_parse("0.0.0.0/0", &pf), 0);
	assert_int_equal(loc_rib_update(rib_loc(rib), &pf, &path), 0);
	assert_int_equal(prefix_parse("10.180.0.0/20", &pf), 0);
	assert_int_equal(loc_rib_update(rib_loc(rib), &pf, &path), 0);
	bgp_attrs_unref(a);

	json_t *n = ctl_json_neighbor(&p, rib);
	assert_non_null(n);
	assert_string_equal(json_string_value(json_object_get(n, "address")), "169.254.247.1");
	assert_int_equal(json_integer_value(json_object_get(n, "port")), 179);
	assert_int_equal(json_integer_value(json_object_get(n, "remote_as")), 64512);
	assert_int_equal(json_integer_value(json_object_get(n, "local_as")), 64521);
	assert_string_equal(json_string_value(json_object_get(n, "description")), "tunnel 1");
	assert_string_equal(json_string_value(json_object_get(n, "state")), "Established");
	json_int_t up = json_integer_value(json_object_get(n, "uptime_s"));
	assert_true(json_is_integer(json_object_get(n, "uptime_s")));
	assert_in_range(up, 64, 67);
	assert_int_equal(json_integer_value(json_object_get(n, "prefixes_received")), 2);
	assert_int_equal(json_integer_value(json_object_get(n, "prefixes_sent")), 0);
	assert_string_equal(json_string_value(json_object_get(n, "last_error")),
			    "hold timer expired");
	assert_int_equal(json_integer_value(json_object_get(n, "hold_time")), 30);
	assert_int_equal(json_integer_value(json_object_get(n, "keepalive")), 10);
	assert_string_equal(json_string_value(json_object_get(n, "remote_id")), "192.0.2.9");
	char *s = dump(json_object_get(n, "capabilities"));
	assert_string_equal(s, "{\"as4\":true,\"route_refresh\":true,"
			       "\"enhanced_route_refresh\":false,\"extended_message\":false,"
			       "\"graceful_restart\":false,\"families\":[\"ipv4-unicast\"]}");
	free(s);
	json_t *msgs = json_object_get(n, "messages");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(msgs, "in"), "total")), 5);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(msgs, "in"), "update")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(msgs, "out"),
							    "keepalive")), 2);
	assert_true(json_is_null(json_object_get(n, "last_notification_sent")));
	json_decref(n);

	/* Before Established: configured timers, no capabilities, no id. */
	p.state = BGP_STATE_ACTIVE;
	p.cfg.description = NULL;
	p.cfg.port = 1790;
	n = ctl_json_neighbor(&p, NULL);
	assert_non_null(n);
	assert_string_equal(json_string_value(json_object_get(n, "state")), "Active");
	assert_int_equal(json_integer_value(json_object_get(n, "port")), 1790);
	assert_string_equal(json_string_value(json_object_get(n, "description")), "");
	assert_int_equal(json_integer_value(json_object_get(n, "hold_time")), 90);
	assert_int_equal(json_integer_value(json_object_get(n, "prefixes_received")), 0);
	assert_true(json_is_null(json_object_get(n, "remote_id")));
	assert_int_equal(json_object_size(json_object_get(n, "capabilities")), 0);
	json_decref(n);
	rib_free(rib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_with_every_attribute),
		cmocka_unit_test(test_ipv6_route_with_few_attributes),
		cmocka_unit_test(test_unknown_attribute_is_listed),
		cmocka_unit_test(test_aspath_segments_and_truncation),
		cmocka_unit_test(test_ext_community_formats),
		cmocka_unit_test(test_text_survives_bad_utf8),
		cmocka_unit_test(test_neighbor_object),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
