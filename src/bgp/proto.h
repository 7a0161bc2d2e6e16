/* BGP-4 protocol numbers: message types, NOTIFICATION codes, attribute
 * and capability codes.  Numbers only; no code lives here. */
#ifndef EGRESS_BGP_PROTO_H
#define EGRESS_BGP_PROTO_H

#define BGP_PORT 179
#define BGP_VERSION 4
#define BGP_HEADER_LEN 19      /* RFC 4271 4.1: marker 16, length 2, type 1 */
#define BGP_MAX_MSG 4096       /* RFC 4271 4 */
#define BGP_MAX_MSG_EXT 65535  /* RFC 8654 */
#define BGP_AS_TRANS 23456     /* RFC 6793 9 */

enum bgp_msg_type {
	BGP_MSG_OPEN = 1,
	BGP_MSG_UPDATE = 2,
	BGP_MSG_NOTIFICATION = 3,
	BGP_MSG_KEEPALIVE = 4,
	BGP_MSG_ROUTE_REFRESH = 5, /* RFC 2918 */
};

/* Address families (RFC 4760); egressd speaks unicast for both. */
#define BGP_AFI_IPV4 1
#define BGP_AFI_IPV6 2
#define BGP_SAFI_UNICAST 1
/* Index of an AFI/SAFI we support, for bitmasks and per-family arrays. */
enum bgp_family { BGP_FAM_IPV4_UNICAST = 0, BGP_FAM_IPV6_UNICAST = 1, BGP_FAM_COUNT };
#define BGP_FAM_BIT(f) (1u << (f))

/* NOTIFICATION error codes (RFC 4271 4.5 and later RFCs). */
enum bgp_err_code {
	BGP_ERR_HEADER = 1,
	BGP_ERR_OPEN = 2,
	BGP_ERR_UPDATE = 3,
	BGP_ERR_HOLD_TIMER = 4,
	BGP_ERR_FSM = 5,
	BGP_ERR_CEASE = 6,
	BGP_ERR_ROUTE_REFRESH = 7, /* RFC 7313 */
	BGP_ERR_SEND_HOLD_TIMER = 8, /* RFC 9687 */
};
enum bgp_err_header_sub {
	BGP_ERR_HDR_NOT_SYNC = 1,
	BGP_ERR_HDR_BAD_LEN = 2,
	BGP_ERR_HDR_BAD_TYPE = 3,
};
enum bgp_err_open_sub {
	BGP_ERR_OPEN_VERSION = 1,
	BGP_ERR_OPEN_BAD_AS = 2,
	BGP_ERR_OPEN_BAD_ID = 3,
	BGP_ERR_OPEN_OPT_PARAM = 4,
	/* 5 deprecated (authentication failure) */
	BGP_ERR_OPEN_HOLD_TIME = 6,
	BGP_ERR_OPEN_CAPABILITY = 7, /* RFC 5492 */
	BGP_ERR_OPEN_ROLE = 11,      /* RFC 9234 */
};
enum bgp_err_update_sub {
	BGP_ERR_UPD_ATTR_LIST = 1,
	BGP_ERR_UPD_UNKNOWN_WELLKNOWN = 2,
	BGP_ERR_UPD_MISSING_WELLKNOWN = 3,
	BGP_ERR_UPD_ATTR_FLAGS = 4,
	BGP_ERR_UPD_ATTR_LEN = 5,
	BGP_ERR_UPD_ORIGIN = 6,
	/* 7 deprecated (AS routing loop) */
	BGP_ERR_UPD_NEXT_HOP = 8,
	BGP_ERR_UPD_OPTIONAL_ATTR = 9,
	BGP_ERR_UPD_NETWORK = 10,
	BGP_ERR_UPD_AS_PATH = 11,
};
enum bgp_err_fsm_sub { /* RFC 6608 */
	BGP_ERR_FSM_UNSPECIFIED = 0,
	BGP_ERR_FSM_OPENSENT = 1,
	BGP_ERR_FSM_OPENCONFIRM = 2,
	BGP_ERR_FSM_ESTABLISHED = 3,
};
enum bgp_err_cease_sub { /* RFC 4486, 8538, 9384 */
	BGP_CEASE_MAX_PREFIX = 1,
	BGP_CEASE_ADMIN_SHUTDOWN = 2,
	BGP_CEASE_PEER_DECONFIGURED = 3,
	BGP_CEASE_ADMIN_RESET = 4,
	BGP_CEASE_CONN_REJECTED = 5,
	BGP_CEASE_CONFIG_CHANGE = 6,
	BGP_CEASE_COLLISION = 7,
	BGP_CEASE_OUT_OF_RESOURCES = 8,
	BGP_CEASE_HARD_RESET = 9,
	BGP_CEASE_BFD_DOWN = 10,
};
enum bgp_err_refresh_sub { /* RFC 7313 5 */
	BGP_ERR_RR_BAD_LEN = 1,
};

/* Path attribute type codes. */
enum bgp_attr_code {
	BGP_ATTR_ORIGIN = 1,
	BGP_ATTR_AS_PATH = 2,
	BGP_ATTR_NEXT_HOP = 3,
	BGP_ATTR_MED = 4,
	BGP_ATTR_LOCAL_PREF = 5,
	BGP_ATTR_ATOMIC_AGGREGATE = 6,
	BGP_ATTR_AGGREGATOR = 7,
	BGP_ATTR_COMMUNITIES = 8,         /* RFC 1997 */
	BGP_ATTR_ORIGINATOR_ID = 9,       /* RFC 4456 */
	BGP_ATTR_CLUSTER_LIST = 10,       /* RFC 4456 */
	BGP_ATTR_MP_REACH_NLRI = 14,      /* RFC 4760 */
	BGP_ATTR_MP_UNREACH_NLRI = 15,    /* RFC 4760 */
	BGP_ATTR_EXT_COMMUNITIES = 16,    /* RFC 4360 */
	BGP_ATTR_AS4_PATH = 17,           /* RFC 6793 */
	BGP_ATTR_AS4_AGGREGATOR = 18,     /* RFC 6793 */
	BGP_ATTR_LARGE_COMMUNITIES = 32,  /* RFC 8092 */
};
/* Attribute flags (RFC 4271 4.3). */
#define BGP_ATTR_F_OPTIONAL 0x80
#define BGP_ATTR_F_TRANSITIVE 0x40
#define BGP_ATTR_F_PARTIAL 0x20
#define BGP_ATTR_F_EXTLEN 0x10

enum bgp_origin { BGP_ORIGIN_IGP = 0, BGP_ORIGIN_EGP = 1, BGP_ORIGIN_INCOMPLETE = 2 };

/* AS_PATH segment types (RFC 4271 4.3, RFC 5065 3). */
enum bgp_aspath_seg {
	BGP_AS_SET = 1,
	BGP_AS_SEQUENCE = 2,
	BGP_AS_CONFED_SEQUENCE = 3,
	BGP_AS_CONFED_SET = 4,
};

/* Capability codes (RFC 5492 and the RFCs named). */
enum bgp_cap_code {
	BGP_CAP_MP = 1,                  /* RFC 4760 */
	BGP_CAP_ROUTE_REFRESH = 2,       /* RFC 2918 */
	BGP_CAP_EXT_MESSAGE = 6,         /* RFC 8654 */
	BGP_CAP_GRACEFUL_RESTART = 64,   /* RFC 4724 */
	BGP_CAP_AS4 = 65,                /* RFC 6793 */
	BGP_CAP_ENHANCED_RR = 70,        /* RFC 7313 */
};

/* ROUTE-REFRESH message subtypes (RFC 7313 3.2). */
enum bgp_rr_subtype { BGP_RR_NORMAL = 0, BGP_RR_BORR = 1, BGP_RR_EORR = 2 };

#endif
