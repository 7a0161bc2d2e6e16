/* RFC 7606 revised error handling: one row per case of the table in the
 * shared reference "bgp-robustness", plus the incidents listed there.
 * Each row asserts the exact action, and for a session reset the exact
 * NOTIFICATION code, subcode and data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "bgp/update.h"
#include "test_update_util.h"

/* Well-formed pieces (4-octet peer unless noted). */
#define ORIGIN "40 01 01 00 "
#define ASPATH "40 02 06 02 01 00 00 fd e8 " /* AS_SEQUENCE 65000 */
#define ASPATH2 "40 02 04 02 01 fd e8 "      /* the same, 2-octet */
#define NH "40 03 04 c0 00 02 01 "           /* 192.0.2.1 */
#define BASE ORIGIN ASPATH NH
#define BASE2 ORIGIN ASPATH2 NH
#define NLRI1 "18 0a 00 00"                  /* 10.0.0.0/24 */
#define V6NH "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 "
/* MP_REACH_NLRI IPv6: next hop 2001:db8::1, NLRI 2001:db8::/32 */
#define MPV6 "80 0e 1a 00 02 01 10 " V6NH "00 20 20 01 0d b8 "
#define MPV6_UN "80 0f 08 00 02 01 20 20 01 0d b8 "

enum { DIS_NONE = 0, DIS_V4 = 1, DIS_V6 = 2 };

struct row {
	const char *name;
	bool as2, ibgp;
	uint32_t fams;          /* 0 = IPv4 and IPv6 */
	const char *raw;        /* whole body, or built from the three below */
	const char *wd, *attrs, *nlri;
	enum bgp_update_action action;
	uint8_t sub;            /* for a session reset */
	const char *data;       /* its NOTIFICATION data */
	int n_ann, n_wd;
	int dis;                /* DIS_* */
	int eor;                /* 1 + family */
};

#define RESET BGP_UPD_SESSION_RESET
#define TAW BGP_UPD_TREAT_AS_WITHDRAW
#define DISC BGP_UPD_ATTR_DISCARD
#define DISABLE BGP_UPD_AFISAFI_DISABLE
#define OK BGP_UPD_OK

static const struct row rows[] = {
	{.name = "well-formed", .attrs = BASE, .nlri = NLRI1, .action = OK, .n_ann = 1},
	/* Message structure (RFC 4271 6.3 as kept by RFC 7606 3). */
	{.name = "attribute length past the message", .raw = "00 00 00 10 40 01 01 00",
	 .action = RESET, .sub = 1, .data = ""},
	{.name = "withdrawn length past the message", .raw = "ff ff 00", .action = RESET,
	 .sub = 1, .data = ""},
	{.name = "body of one byte", .raw = "00", .action = RESET, .sub = 1, .data = ""},
	{.name = "no attribute length", .raw = "00 00", .action = RESET, .sub = 1, .data = ""},
	/* Repeats (RFC 7606 3). */
	{.name = "MP_REACH twice", .attrs = ORIGIN ASPATH MPV6 MPV6, .action = RESET, .sub = 1,
	 .data = ""},
	{.name = "MP_UNREACH twice", .attrs = MPV6_UN MPV6_UN, .action = RESET, .sub = 1,
	 .data = ""},
	{.name = "ORIGIN twice: first kept", .attrs = "40 01 01 00 40 01 01 07 " ASPATH NH,
	 .nlri = NLRI1, .action = DISC, .n_ann = 1},
	{.name = "unknown attribute twice", .attrs = BASE "c0 63 01 00 c0 63 01 01",
	 .nlri = NLRI1, .action = DISC, .n_ann = 1},
	/* IPv4 prefixes (RFC 7606 5.3). */
	{.name = "NLRI /33", .attrs = BASE, .nlri = "21 0a 00 00 00 00", .action = RESET,
	 .sub = 10, .data = ""},
	{.name = "NLRI overruns", .attrs = BASE, .nlri = "18 0a 00", .action = RESET, .sub = 10,
	 .data = ""},
	{.name = "withdrawn /33", .wd = "21 0a 00 00 00 00", .action = RESET, .sub = 10,
	 .data = ""},
	{.name = "withdrawn overruns", .wd = "20 0a 00", .action = RESET, .sub = 10, .data = ""},
	/* MP attributes (RFC 7606 7.11, 7.12; RFC 4760 7). */
	{.name = "MP_REACH next-hop length 8",
	 .attrs = ORIGIN ASPATH "80 0e 12 00 02 01 08 0102030405060708 00 20 20 01 0d b8",
	 .action = DISABLE, .dis = DIS_V6},
	{.name = "MP_REACH IPv6 /129", .attrs = ORIGIN ASPATH "80 0e 1a 00 02 01 10 " V6NH
						       "00 81 20 01 0d b8",
	 .action = DISABLE, .dis = DIS_V6},
	{.name = "MP_REACH of 2 bytes", .attrs = ORIGIN ASPATH "80 0e 02 00 02", .action = RESET,
	 .sub = 9, .data = "80 0e 02 00 02"},
	{.name = "MP_UNREACH of 2 bytes", .attrs = "80 0f 02 00 02", .action = RESET, .sub = 9,
	 .data = "80 0f 02 00 02"},
	{.name = "MP_REACH of 4 bytes (next hop missing)",
	 .attrs = ORIGIN ASPATH "80 0e 04 00 02 01 10", .action = DISABLE, .dis = DIS_V6},
	{.name = "MP_REACH next-hop length 255 (underflow)",
	 .attrs = ORIGIN ASPATH "80 0e 05 00 02 01 ff 00", .action = DISABLE, .dis = DIS_V6},
	{.name = "MP_UNREACH IPv4 prefix overruns", .attrs = "80 0f 05 00 01 01 18 0a",
	 .action = DISABLE, .dis = DIS_V4},
	{.name = "MP_REACH with wrong flags: withdrawn", .attrs = ORIGIN ASPATH
	 "c0 0e 1a 00 02 01 10 " V6NH "00 20 20 01 0d b8", .action = TAW, .n_wd = 1},
	{.name = "two families broken: reset",
	 .attrs = ORIGIN ASPATH "80 0e 05 00 02 01 ff 00 80 0f 05 00 01 01 21 0a",
	 .action = RESET, .sub = 9, .data = "80 0f 05 00 01 01 21 0a"},
	{.name = "MP_REACH IPv4 unicast", .attrs = ORIGIN ASPATH
	 "80 0e 0d 00 01 01 04 c0 00 02 01 00 18 0a 00 00", .action = OK, .n_ann = 1},
	{.name = "MP_REACH IPv4 next hop 0.0.0.0", .attrs = ORIGIN ASPATH
	 "80 0e 0d 00 01 01 04 00 00 00 00 00 18 0a 00 00", .action = TAW, .n_wd = 1},
	{.name = "MP_REACH IPv4 next hop of 16 bytes", .attrs = ORIGIN ASPATH
	 "80 0e 19 00 01 01 10 " V6NH "00 18 0a 00 00", .action = DISABLE, .dis = DIS_V4},
	{.name = "MP_REACH IPv6 next hop with link-local", .attrs = ORIGIN ASPATH
	 "80 0e 2a 00 02 01 20 " V6NH "fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 20 20 01 0d b8",
	 .action = OK, .n_ann = 1},
	{.name = "MP for an unknown AFI/SAFI: ignored", .attrs = ORIGIN ASPATH
	 "80 0e 0a 00 19 41 04 c0 00 02 01 00 00", .action = OK},
	{.name = "MP for a family not negotiated: ignored", .fams = 1u << BGP_FAM_IPV4_UNICAST,
	 .attrs = ORIGIN ASPATH MPV6, .action = OK},
	/* Attribute list structure (RFC 7606 4). */
	{.name = "attribute overruns the list: NLRI still found",
	 .attrs = BASE "c0 08 c8 00 00 00 01", .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "two bytes left for a header", .attrs = BASE "c0 08", .nlri = NLRI1,
	 .action = TAW, .n_wd = 1},
	{.name = "three bytes left for an extended header", .attrs = BASE "d0 08 00",
	 .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "extended length 65535 on 0 bytes", .attrs = BASE "d0 08 ff ff", .nlri = NLRI1,
	 .action = TAW, .n_wd = 1},
	{.name = "MP_REACH overruns the list", .attrs = ORIGIN ASPATH "80 0e 30 00 02 01 10",
	 .action = DISABLE, .dis = DIS_V6},
	/* Flags (RFC 7606 3) and missing attributes (RFC 7606 3.d). */
	{.name = "ORIGIN flagged optional", .attrs = "c0 01 01 00 " ASPATH NH, .nlri = NLRI1,
	 .action = TAW, .n_wd = 1},
	{.name = "COMMUNITIES flagged well-known", .attrs = BASE "40 08 04 fd e8 00 01",
	 .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "ORIGIN missing", .attrs = ASPATH NH, .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "AS_PATH missing", .attrs = ORIGIN NH, .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "NEXT_HOP missing", .attrs = ORIGIN ASPATH, .nlri = NLRI1, .action = TAW,
	 .n_wd = 1},
	{.name = "MP_REACH only needs no NEXT_HOP", .attrs = ORIGIN ASPATH MPV6, .action = OK,
	 .n_ann = 1},
	{.name = "withdrawals need no attributes", .wd = NLRI1, .action = OK, .n_wd = 1},
	/* Per attribute (RFC 7606 7). */
	{.name = "ORIGIN length 2", .attrs = "40 01 02 00 00 " ASPATH NH, .nlri = NLRI1,
	 .action = TAW, .n_wd = 1},
	{.name = "ORIGIN value 3", .attrs = "40 01 01 03 " ASPATH NH, .nlri = NLRI1,
	 .action = TAW, .n_wd = 1},
	{.name = "AS_PATH segment type 5", .attrs = ORIGIN "40 02 06 05 01 00 00 fd e8 " NH,
	 .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "AS_PATH segment count 0", .attrs = ORIGIN "40 02 02 02 00 " NH, .nlri = NLRI1,
	 .action = TAW, .n_wd = 1},
	{.name = "AS_PATH segment overruns", .attrs = ORIGIN "40 02 06 02 02 00 00 fd e8 " NH,
	 .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "AS_PATH one trailing byte", .attrs = ORIGIN "40 02 07 02 01 00 00 fd e8 02 " NH,
	 .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "AS_PATH with AS 0 (RFC 7607)", .attrs = ORIGIN "40 02 06 02 01 00 00 00 00 " NH,
	 .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "AS_PATH confederation from eBGP",
	 .attrs = ORIGIN "40 02 06 03 01 00 00 fd e8 " NH, .nlri = NLRI1, .action = TAW,
	 .n_wd = 1},
	{.name = "AS_PATH confederation from iBGP", .ibgp = true,
	 .attrs = ORIGIN "40 02 06 03 01 00 00 fd e8 " NH, .nlri = NLRI1, .action = OK,
	 .n_ann = 1},
	{.name = "empty AS_PATH is fine", .ibgp = true, .attrs = ORIGIN "40 02 00 " NH,
	 .nlri = NLRI1, .action = OK, .n_ann = 1},
	{.name = "NEXT_HOP of 3 bytes (GoBGP panic)", .attrs = ORIGIN ASPATH "40 03 03 c0 00 02",
	 .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "NEXT_HOP of 5 bytes", .attrs = ORIGIN ASPATH "40 03 05 c0 00 02 01 01",
	 .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "NEXT_HOP 0.0.0.0", .attrs = ORIGIN ASPATH "40 03 04 00 00 00 00",
	 .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "NEXT_HOP multicast", .attrs = ORIGIN ASPATH "40 03 04 e0 00 00 01",
	 .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "MED of 3 bytes", .attrs = BASE "80 04 03 00 00 01", .nlri = NLRI1,
	 .action = TAW, .n_wd = 1},
	{.name = "MED of 0 bytes", .attrs = BASE "80 04 00", .nlri = NLRI1, .action = TAW,
	 .n_wd = 1},
	{.name = "LOCAL_PREF from eBGP", .attrs = BASE "40 05 04 00 00 00 64", .nlri = NLRI1,
	 .action = DISC, .n_ann = 1},
	{.name = "bad LOCAL_PREF from eBGP still discarded", .attrs = BASE "40 05 01 00",
	 .nlri = NLRI1, .action = DISC, .n_ann = 1},
	{.name = "LOCAL_PREF of 3 bytes from iBGP", .ibgp = true, .attrs = BASE "40 05 03 00 00 64",
	 .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "LOCAL_PREF from iBGP", .ibgp = true, .attrs = BASE "40 05 04 00 00 00 64",
	 .nlri = NLRI1, .action = OK, .n_ann = 1},
	{.name = "ORIGINATOR_ID from eBGP", .attrs = BASE "80 09 04 01 02 03 04", .nlri = NLRI1,
	 .action = DISC, .n_ann = 1},
	{.name = "ORIGINATOR_ID of 3 bytes from iBGP", .ibgp = true,
	 .attrs = BASE "80 09 03 01 02 03", .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "CLUSTER_LIST from eBGP", .attrs = BASE "80 0a 04 01 02 03 04", .nlri = NLRI1,
	 .action = DISC, .n_ann = 1},
	{.name = "CLUSTER_LIST of 5 bytes from iBGP", .ibgp = true,
	 .attrs = BASE "80 0a 05 01 02 03 04 05", .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "CLUSTER_LIST of 0 bytes from iBGP", .ibgp = true, .attrs = BASE "80 0a 00",
	 .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "ATOMIC_AGGREGATE of 1 byte", .attrs = BASE "40 06 01 00", .nlri = NLRI1,
	 .action = DISC, .n_ann = 1},
	{.name = "AGGREGATOR of 6 bytes, 4-octet session", .attrs = BASE "c0 07 06 fd e8 c0 00 02 01",
	 .nlri = NLRI1, .action = DISC, .n_ann = 1},
	{.name = "AGGREGATOR of 8 bytes, 2-octet session", .as2 = true,
	 .attrs = BASE2 "c0 07 08 00 00 fd e8 c0 00 02 01", .nlri = NLRI1, .action = DISC,
	 .n_ann = 1},
	{.name = "AGGREGATOR AS 0", .attrs = BASE "c0 07 08 00 00 00 00 c0 00 02 01",
	 .nlri = NLRI1, .action = DISC, .n_ann = 1},
	{.name = "COMMUNITIES of 5 bytes", .attrs = BASE "c0 08 05 00 00 00 01 02", .nlri = NLRI1,
	 .action = TAW, .n_wd = 1},
	{.name = "COMMUNITIES of 0 bytes", .attrs = BASE "c0 08 00", .nlri = NLRI1, .action = TAW,
	 .n_wd = 1},
	{.name = "EXT_COMMUNITIES of 7 bytes", .attrs = BASE "c0 10 07 00 02 fd e8 00 00 00",
	 .nlri = NLRI1, .action = TAW, .n_wd = 1},
	{.name = "LARGE_COMMUNITIES of 13 bytes",
	 .attrs = BASE "c0 20 0d 00 00 fd e8 00 00 00 01 00 00 00 02 00", .nlri = NLRI1,
	 .action = TAW, .n_wd = 1},
	{.name = "LARGE_COMMUNITIES of 0 bytes", .attrs = BASE "c0 20 00", .nlri = NLRI1,
	 .action = TAW, .n_wd = 1},
	/* No reachable NLRI (RFC 7606 5.2). */
	{.name = "bad ORIGIN with only withdrawals: reset", .wd = "18 0a 01 00",
	 .attrs = "40 01 01 05 " ASPATH NH, .action = RESET, .sub = 6, .data = "40 01 01 05"},
	{.name = "empty MP_REACH and bad COMMUNITIES: reset",
	 .attrs = ORIGIN ASPATH "80 0e 15 00 02 01 10 " V6NH "00 c0 08 03 00 00 01",
	 .action = RESET, .sub = 5, .data = "c0 08 03 00 00 01"},
	{.name = "attribute discard with only withdrawals: no reset", .wd = "18 0a 01 00",
	 .attrs = BASE "40 06 01 00", .action = DISC, .n_wd = 1},
	/* Unknown attributes (RFC 4271 5, 6.3). */
	{.name = "unknown well-known", .attrs = BASE "40 63 01 00", .nlri = NLRI1, .action = RESET,
	 .sub = 2, .data = "40 63 01 00"},
	{.name = "unknown optional transitive kept", .attrs = BASE "c0 63 02 ab cd", .nlri = NLRI1,
	 .action = OK, .n_ann = 1},
	{.name = "unknown optional non-transitive dropped", .attrs = BASE "80 63 01 00",
	 .nlri = NLRI1, .action = OK, .n_ann = 1},
	/* RFC 6793 6. */
	{.name = "AS4_PATH from a 4-octet peer", .attrs = BASE "c0 11 06 02 01 00 01 11 70",
	 .nlri = NLRI1, .action = DISC, .n_ann = 1},
	{.name = "AS4_PATH of 5 bytes", .as2 = true, .attrs = BASE2 "c0 11 05 02 01 00 01 11",
	 .nlri = NLRI1, .action = DISC, .n_ann = 1},
	{.name = "AS4_PATH with count 0", .as2 = true, .attrs = BASE2 "c0 11 06 02 00 00 01 11 70",
	 .nlri = NLRI1, .action = DISC, .n_ann = 1},
	{.name = "AS4_AGGREGATOR of 7 bytes", .as2 = true,
	 .attrs = BASE2 "c0 07 06 5b a0 c0 00 02 01 c0 12 07 00 01 11 70 c0 00 02",
	 .nlri = NLRI1, .action = DISC, .n_ann = 1},
	/* Incidents (shared reference, "Incidents worth a regression test"). */
	{.name = "2023-06 corrupted attribute 28 passed on",
	 .attrs = BASE "c0 1c 05 ff ff ff ff ff", .nlri = NLRI1, .action = OK, .n_ann = 1},
	{.name = "2023-08 corrupted attribute 23 passed on", .attrs = BASE "c0 17 03 00 ff 01",
	 .nlri = NLRI1, .action = OK, .n_ann = 1},
	{.name = "2025-05 all-zero attribute 40 passed on",
	 .attrs = BASE "c0 28 08 00 00 00 00 00 00 00 00", .nlri = NLRI1, .action = OK,
	 .n_ann = 1},
	{.name = "2025-10 OTC (35) with a wrong length passed on", .attrs = BASE "c0 23 03 00 00 01",
	 .nlri = NLRI1, .action = OK, .n_ann = 1},
	{.name = "GoBGP: AS4_PATH before AS_PATH", .as2 = true,
	 .attrs = ORIGIN "c0 11 0a 02 02 00 01 11 70 00 00 00 c8 40 02 06 02 02 5b a0 00 c8 " NH,
	 .nlri = NLRI1, .action = OK, .n_ann = 1},
	{.name = "GoBGP: attribute length under its header", .attrs = BASE "c0 08 01",
	 .nlri = NLRI1, .action = TAW, .n_wd = 1},
	/* End-of-RIB (RFC 4724 2). */
	{.name = "IPv4 End-of-RIB", .raw = "00 00 00 00", .action = OK, .eor = 1},
	{.name = "IPv6 End-of-RIB", .attrs = "80 0f 03 00 02 01", .action = OK, .eor = 2},
};

static void check_row(const struct row *r)
{
	uint8_t body[8192], want[4096];
	size_t len;
	if (r->raw)
		len = hex_parse(r->raw, body, sizeof(body));
	else
		len = body_build(r->wd, r->attrs, r->nlri, body, sizeof(body));
	struct bgp_decode_ctx ctx = {
		.as4 = !r->as2,
		.ebgp = !r->ibgp,
		.families = r->fams ? r->fams
				    : BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) | BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST),
		.max_msg = 4096,
	};
	struct bgp_update u;
	assert_int_equal(bgp_update_decode(body, len, &ctx, &u), 0);
	if (u.action != r->action) {
		fprintf(stderr, "row \"%s\": action %s, want %s\n", r->name,
			bgp_update_action_name(u.action), bgp_update_action_name(r->action));
		for (unsigned i = 0; i < u.n_diag; i++)
			fprintf(stderr, "  diag %u: %s attr %u: %s\n", i,
				bgp_update_action_name(u.diag[i].action), u.diag[i].attr_code,
				u.diag[i].reason);
		fail();
	}
	if (r->action == RESET) {
		size_t wl = hex_parse(r->data, want, sizeof(want));
		if (u.notify.code != 3 || u.notify.subcode != r->sub || u.notify.data_len != wl ||
		    memcmp(u.notify.data, want, wl) != 0) {
			fprintf(stderr, "row \"%s\": notify %u/%u len %u, want 3/%u len %zu\n", r->name,
				u.notify.code, u.notify.subcode, u.notify.data_len, r->sub, wl);
			fail();
		}
		assert_null(u.attrs);
		assert_int_equal(u.n_announced, 0);
	} else {
		if ((int)u.n_announced != r->n_ann || (int)u.n_withdrawn != r->n_wd) {
			fprintf(stderr, "row \"%s\": %u announced %u withdrawn, want %d %d\n", r->name,
				u.n_announced, u.n_withdrawn, r->n_ann, r->n_wd);
			fail();
		}
		/* Attributes come with announcements and only then. */
		assert_true((u.attrs != NULL) == (u.n_announced > 0));
	}
	if (r->dis)
		assert_int_equal(u.disabled_family, r->dis - 1);
	assert_int_equal(u.end_of_rib, r->eor != 0);
	if (r->eor)
		assert_int_equal(u.eor_family, r->eor - 1);
	assert_true(u.n_diag <= BGP_UPDATE_MAX_DIAG);
	for (unsigned i = 0; i < u.n_diag; i++)
		assert_non_null(u.diag[i].reason);
	bgp_update_free(&u);

	/* Every truncation of the row must decode without reading past the
	 * end (ASan watches the heap copy) and give some defined action. */
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, body, cut);
		assert_int_equal(bgp_update_decode(copy, cut, &ctx, &u), 0);
		assert_true(u.action <= BGP_UPD_SESSION_RESET);
		bgp_update_free(&u);
		free(copy);
	}
}

static void test_rfc7606_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i]);
}

/* The details behind some rows: what is kept, and how. */
static void decode_ok(const char *attrs, const char *nlri, bool as4, struct bgp_update *u)
{
	uint8_t body[4096];
	size_t len = body_build(NULL, attrs, nlri, body, sizeof(body));
	struct bgp_decode_ctx ctx = {.as4 = as4, .ebgp = true, .families = 3, .max_msg = 4096};
	assert_int_equal(bgp_update_decode(body, len, &ctx, u), 0);
	assert_non_null(u->attrs);
}

static void test_unknown_transitive_kept_partial(void **state)
{
	(void)state;
	struct bgp_update u;
	decode_ok(BASE "c0 28 02 00 00 e0 63 01 07 80 64 01 00", NLRI1, true, &u);
	/* 40 and 99 kept (sorted by code, Partial set); 100 dropped. */
	assert_int_equal(u.attrs->n_unknown, 2);
	assert_int_equal(bgp_attrs_unknown(u.attrs)[0].code, 40);
	assert_int_equal(bgp_attrs_unknown(u.attrs)[0].flags, 0xe0);
	assert_int_equal(bgp_attrs_unknown(u.attrs)[0].len, 2);
	assert_int_equal(bgp_attrs_unknown(u.attrs)[1].code, 99);
	assert_int_equal(bgp_attrs_unknown(u.attrs)[1].data[0], 7);
	bgp_update_free(&u);
}

static void test_repeat_keeps_first(void **state)
{
	(void)state;
	struct bgp_update u;
	decode_ok("40 01 01 01 40 01 01 02 " ASPATH NH, NLRI1, true, &u);
	assert_int_equal(u.attrs->origin, 1);
	bgp_update_free(&u);
}

static void test_overrun_withdraws_by_total_length(void **state)
{
	(void)state;
	uint8_t body[256];
	size_t len = body_build("18 0a 09 00", BASE "c0 08 c8 00 00 00 01", "18 0a 00 00 10 0b 01",
				body, sizeof(body));
	struct bgp_decode_ctx ctx = {.as4 = true, .ebgp = true, .families = 3, .max_msg = 4096};
	struct bgp_update u;
	assert_int_equal(bgp_update_decode(body, len, &ctx, &u), 0);
	assert_int_equal(u.action, BGP_UPD_TREAT_AS_WITHDRAW);
	assert_null(u.attrs);
	assert_int_equal(u.n_withdrawn, 3);
	char buf[PREFIX_STRLEN];
	assert_string_equal(prefix_fmt(&u.withdrawn[0], buf), "10.9.0.0/24");
	assert_string_equal(prefix_fmt(&u.withdrawn[1], buf), "10.0.0.0/24");
	assert_string_equal(prefix_fmt(&u.withdrawn[2], buf), "11.1.0.0/16");
	bgp_update_free(&u);
}

static void test_strongest_action_wins(void **state)
{
	(void)state;
	struct bgp_update u;
	uint8_t body[256];
	/* discard (ATOMIC_AGGREGATE), treat-as-withdraw (MED), reset
	 * (unknown well-known): the reset wins and carries its own data. */
	size_t len = body_build(NULL, BASE "40 06 01 00 80 04 01 00 40 63 02 01 02", NLRI1, body,
				sizeof(body));
	struct bgp_decode_ctx ctx = {.as4 = true, .ebgp = true, .families = 3, .max_msg = 4096};
	assert_int_equal(bgp_update_decode(body, len, &ctx, &u), 0);
	assert_int_equal(u.action, BGP_UPD_SESSION_RESET);
	assert_int_equal(u.notify.subcode, BGP_ERR_UPD_UNKNOWN_WELLKNOWN);
	assert_int_equal(u.notify.data_len, 5);
	assert_int_equal(u.n_diag, 3);
	assert_int_equal(u.diag[0].action, BGP_UPD_ATTR_DISCARD);
	assert_int_equal(u.diag[0].attr_code, 6);
	assert_int_equal(u.diag[1].action, BGP_UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(u.diag[1].attr_code, 4);
	bgp_update_free(&u);
}

static void test_notify_data_is_what_arrived(void **state)
{
	(void)state;
	/* An unknown well-known attribute of 4000 bytes: the data is the
	 * attribute as received (header + value), and fits the limit. */
	static uint8_t body[8192];
	size_t al = 4 + 4000;
	uint8_t *p = body;
	*p++ = 0; *p++ = 0;
	*p++ = (uint8_t)(al >> 8); *p++ = (uint8_t)al;
	*p++ = 0x50; *p++ = 99; *p++ = 4000 >> 8; *p++ = 4000 & 0xff;
	memset(p, 0xab, 4000);
	p += 4000;
	struct bgp_decode_ctx ctx = {.as4 = true, .ebgp = true, .families = 3, .max_msg = 65535};
	struct bgp_update u;
	assert_int_equal(bgp_update_decode(body, (size_t)(p - body), &ctx, &u), 0);
	assert_int_equal(u.action, BGP_UPD_SESSION_RESET);
	assert_int_equal(u.notify.subcode, 2);
	assert_int_equal(u.notify.data_len, 4004);
	assert_int_equal(u.notify.data[0], 0x50);
	assert_int_equal(u.notify.data[4003], 0xab);
	bgp_update_free(&u);
}

static void test_disable_keeps_other_family(void **state)
{
	(void)state;
	struct bgp_update u;
	uint8_t body[256];
	/* IPv4 NLRI fine, IPv6 MP_REACH broken: IPv6 disabled, IPv4 kept. */
	size_t len = body_build(NULL, BASE "80 0e 05 00 02 01 ff 00", NLRI1, body, sizeof(body));
	struct bgp_decode_ctx ctx = {.as4 = true, .ebgp = true, .families = 3, .max_msg = 4096};
	assert_int_equal(bgp_update_decode(body, len, &ctx, &u), 0);
	assert_int_equal(u.action, BGP_UPD_AFISAFI_DISABLE);
	assert_int_equal(u.disabled_family, BGP_FAM_IPV6_UNICAST);
	assert_int_equal(u.n_announced, 1);
	assert_int_equal(u.announced[0].addr.af, AF_INET);
	assert_non_null(u.attrs);
	bgp_update_free(&u);
}

static void test_many_errors_bounded(void **state)
{
	(void)state;
	/* Ten discarded repeats: eight diagnostics kept, action still right. */
	struct bgp_update u;
	uint8_t body[512];
	size_t len = body_build(NULL, BASE "40 06 00 40 06 00 40 06 00 40 06 00 40 06 00 40 06 00 "
					"40 06 00 40 06 00 40 06 00 40 06 00 40 06 00",
				NLRI1, body, sizeof(body));
	struct bgp_decode_ctx ctx = {.as4 = true, .ebgp = true, .families = 3, .max_msg = 4096};
	assert_int_equal(bgp_update_decode(body, len, &ctx, &u), 0);
	assert_int_equal(u.action, BGP_UPD_ATTR_DISCARD);
	assert_int_equal(u.n_diag, BGP_UPDATE_MAX_DIAG);
	assert_int_equal(u.n_announced, 1);
	bgp_update_free(&u);
}

static void test_action_names(void **state)
{
	(void)state;
	assert_string_equal(bgp_update_action_name(BGP_UPD_OK), "none");
	assert_string_equal(bgp_update_action_name(BGP_UPD_ATTR_DISCARD), "attribute discard");
	assert_string_equal(bgp_update_action_name(BGP_UPD_TREAT_AS_WITHDRAW), "treat-as-withdraw");
	assert_string_equal(bgp_update_action_name(BGP_UPD_AFISAFI_DISABLE), "AFI/SAFI disable");
	assert_string_equal(bgp_update_action_name(BGP_UPD_SESSION_RESET), "session reset");
	assert_string_equal(bgp_update_action_name((enum bgp_update_action)9), "unknown");
	/* weakest first, so the strongest of several is the maximum */
	assert_true(BGP_UPD_OK < BGP_UPD_ATTR_DISCARD &&
		    BGP_UPD_ATTR_DISCARD < BGP_UPD_TREAT_AS_WITHDRAW &&
		    BGP_UPD_TREAT_AS_WITHDRAW < BGP_UPD_AFISAFI_DISABLE &&
		    BGP_UPD_AFISAFI_DISABLE < BGP_UPD_SESSION_RESET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7606_table),
		cmocka_unit_test(test_unknown_transitive_kept_partial),
		cmocka_unit_test(test_repeat_keeps_first),
		cmocka_unit_test(test_overrun_withdraws_by_total_length),
		cmocka_unit_test(test_strongest_action_wins),
		cmocka_unit_test(test_notify_data_is_what_arrived),
		cmocka_unit_test(test_disable_keeps_other_family),
		cmocka_unit_test(test_many_errors_bounded),
		cmocka_unit_test(test_action_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
