/* The configuration model: what the parser builds and the daemon reads.
 * Plain data; the parser runs nothing (DESIGN 4). */
#ifndef EGRESS_CONF_CONF_H
#define EGRESS_CONF_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

/* Where a statement came from, for messages about it. */
struct conf_pos {
	unsigned line;
	unsigned col;
};

/* import/export: all, none, or a named policy (the name is in
 * import_policy / export_policy).  UNSET resolves per RFC 8212: NONE for
 * eBGP, ALL for iBGP. */
enum conf_filter { CONF_FILTER_UNSET = 0, CONF_FILTER_ALL, CONF_FILTER_NONE,
		   CONF_FILTER_POLICY };

/* ---- policies (the model only; src/policy compiles and runs them) ---- */

/* One prefix-list line: PREFIX [ge N] [le N], stored resolved: a route
 * prefix matches if it lies inside `prefix` and its length is in ge..le.
 * Without ge/le both equal the prefix length (exact match); "ge N" alone
 * means le = 32 or 128, "le N" alone means ge = the prefix length. */
struct conf_prefix_range {
	struct conf_pos pos;
	struct prefix prefix;
	uint8_t ge;
	uint8_t le;
};

struct conf_prefix_set {
	struct conf_pos pos;
	char *name;
	size_t n;
	struct conf_prefix_range *ranges;
};

enum conf_match_kind {
	CONF_MATCH_PREFIX_SET,     /* name, set (index into conf.prefix_sets) */
	CONF_MATCH_PREFIX,         /* range */
	CONF_MATCH_NEIGHBOR_AS,    /* u32: first AS of the path */
	CONF_MATCH_ORIGIN_AS,      /* u32: last AS of the path */
	CONF_MATCH_AS_CONTAINS,    /* u32: anywhere in the path */
	CONF_MATCH_AS_LENGTH_LE,   /* u32: RFC 4271 9.1.2.2 length <= */
	CONF_MATCH_AS_LENGTH_GE,   /* u32: length >= */
	CONF_MATCH_COMMUNITY,      /* u32: RFC 1997 community */
	CONF_MATCH_LARGE_COMMUNITY,/* lc: RFC 8092 large community */
	CONF_MATCH_NEXT_HOP,       /* addr */
};

struct conf_match {
	struct conf_pos pos;
	enum conf_match_kind kind;
	char *name;
	size_t set;
	struct conf_prefix_range range;
	uint32_t u32;
	uint32_t lc[3];
	struct addr addr;
};

enum conf_action_kind {
	CONF_ACT_SET_LOCAL_PREF,   /* u32 */
	CONF_ACT_SET_MED,          /* u32 */
	CONF_ACT_PREPEND,          /* u32: own AS this many times */
	CONF_ACT_ADD_COMMUNITY,    /* u32 */
	CONF_ACT_REMOVE_COMMUNITY, /* u32 */
	CONF_ACT_SET_COMMUNITY,    /* u32, or none: all removed */
	CONF_ACT_ADD_LARGE,        /* lc */
	CONF_ACT_REMOVE_LARGE,     /* lc */
	CONF_ACT_SET_LARGE,        /* lc, or none */
	CONF_ACT_NEXT_HOP_SELF,
};

struct conf_action {
	struct conf_pos pos;
	enum conf_action_kind kind;
	bool none;                 /* set community/large-community none */
	uint32_t u32;
	uint32_t lc[3];
};

/* What a term does when all its matches hold: stop with accept or
 * reject, or (NEXT) apply its actions and go on to the next term. */
enum conf_verdict { CONF_VERDICT_NEXT = 0, CONF_VERDICT_ACCEPT, CONF_VERDICT_REJECT };

struct conf_term {
	struct conf_pos pos;
	char *name;                /* NULL: the statements sat in the policy itself */
	size_t n_match;
	struct conf_match *match;
	size_t n_action;
	struct conf_action *action;
	enum conf_verdict verdict;
};

struct conf_policy {
	struct conf_pos pos;
	char *name;
	size_t n_terms;
	struct conf_term *terms;
	bool default_accept;       /* no term decided: accept (default reject) */
};

/* Cloud-gateway personality (issue 5, stmt_cloud.c). */
enum conf_personality { CONF_PERSONALITY_NONE = 0, CONF_PERSONALITY_AWS_VGW,
			CONF_PERSONALITY_AWS_TGW, CONF_PERSONALITY_AWS_DX };
/* What kind of connection a neighbor is to the cloud gateway: a VPN
 * tunnel or a Direct Connect virtual interface (AWS ranks their routes
 * differently).  UNSET resolves by personality. */
enum conf_attachment { CONF_ATTACH_UNSET = 0, CONF_ATTACH_VPN, CONF_ATTACH_DX };

/* ConnectRetryTime when a neighbor sets none: shorter than RFC 4271
 * section 10's suggested 120 s because failover labs restart peers
 * often and should not wait two minutes for the next attempt. */
#define CONF_CONNECT_RETRY_DEFAULT 30

struct conf_neighbor {
	struct conf_pos pos;
	struct addr addr;
	uint16_t port;            /* 0 = 179 */
	uint32_t remote_as;       /* 0 = not set (an error after inheritance) */
	char *description;        /* NULL if none */
	char *password;           /* TCP MD5 key, NULL if none */
	uint16_t hold_time;       /* seconds; 0 allowed (no keepalives) */
	bool hold_time_set;
	uint16_t keepalive;       /* seconds; default hold_time / 3 */
	bool keepalive_set;
	uint16_t connect_retry;   /* seconds, 1..65535; default
				   * CONF_CONNECT_RETRY_DEFAULT */
	bool connect_retry_set;
	uint16_t delay_open;      /* seconds; 0 = DelayOpen off (the default),
				   * RFC 4271 8.1.1 DelayOpenTime */
	bool delay_open_set;
	bool passive;             /* never connect, only accept */
	bool ttl_security;        /* GTSM, RFC 5082 */
	struct addr local_addr;   /* af 0 = kernel's choice */
	enum conf_filter import;
	enum conf_filter export;
	char *import_policy;      /* CONF_FILTER_POLICY: name in policies */
	char *export_policy;
	char *group;              /* name of the enclosing group, or NULL */
	/* Appended for the cloud personality (stmt_cloud.c); max-prefix is
	 * generic.  0 = no limit. */
	uint32_t max_prefix;      /* accepted prefixes per family, RFC 4486 */
	bool max_prefix_set;
	enum conf_attachment attachment; /* how the tunnel reaches the cloud */
	/* `soft-reconfiguration inbound`: keep the routes as received
	 * (pre-policy) so a changed import policy is re-run over them on
	 * reload without asking the peer. */
	bool soft_reconfig_in;
	/* `graceful-restart on|off` (RFC 4724): off sends no GR capability,
	 * so neither side of the procedure runs with this neighbor.
	 * `restart-time N`: the Restart Time we advertise (gr_restart.c). */
	bool gr_off;
	bool gr_set;
	uint16_t restart_time;    /* 0 = CONF_RESTART_TIME_DEFAULT */
	bool restart_time_set;
};
#define CONF_RESTART_TIME_DEFAULT 120

struct conf_listen {
	struct conf_pos pos;
	struct addr addr;
	uint16_t port;            /* 0 = 179 */
};

struct conf_originate {
	struct conf_pos pos;
	struct prefix prefix;
	char *policy;             /* applied to the route we originate, or NULL */
	char *when;               /* announced only while this condition is up */
	struct conf_pos policy_pos, when_pos;
};

/* `condition NAME [up|down]`: a named condition driven by hand
 * (egressctl condition NAME up|down), starting in the given state. */
struct conf_condition {
	struct conf_pos pos;
	char *name;
	bool up;
};

/* `fib { ... }` (issue 4): how egressd programs the kernel.  Values are
 * resolved (defaults filled in); the *_set flags say what the file
 * wrote, so -nv prints only that. */
#define CONF_FIB_TABLE_MAIN 254      /* RT_TABLE_MAIN */
#define CONF_FIB_PROTOCOL_DEFAULT 57 /* FIB_PROTO_DEFAULT in src/fib/fib.h */
struct conf_fib {
	struct conf_pos pos;      /* of the 'fib' keyword; line 0 = no block */
	uint32_t table;           /* kernel table id */
	bool ecmp;                /* install the multipath set, not only the best */
	bool install;             /* on: write the kernel; off or dry-run: never */
	uint8_t protocol;         /* rtm_protocol of our routes and nexthops */
	bool graceful_restart;    /* keep routes across a restart of egressd */
	bool table_set, ecmp_set, install_set, protocol_set, graceful_restart_set;
	/* `install dry-run` (install is false): the FIB logic runs on a
	 * table in memory so `show fib` lists what would be written; plain
	 * `install off` computes and keeps nothing for the kernel. */
	bool dry_run;
	/* `backup-routes on|off` (default on): a second kernel route per
	 * prefix, at a higher metric, through the backup path's next hops
	 * when they are on another interface (fib/fib_backup.c). */
	bool backup_routes;
	bool backup_routes_set;
	/* `initial-download after-eor|immediate` (default after-eor): at
	 * start, routes wait for End-of-RIB from the peers (RFC 4724), or a
	 * bounded timer, then go to the kernel in one pass
	 * (daemon/fib_sync.c). */
	bool initial_after_eor;
	bool initial_download_set;
};

/* Decision process knobs (global; rib/decision.h says what each does). */
struct conf_decision {
	uint32_t multipath;          /* 1..64 equal-cost paths, 1 = best only */
	bool multipath_relax;        /* paths from different neighbouring ASes */
	bool always_compare_med;
	bool deterministic_med;
	bool prefer_oldest;          /* RFC 5004 */
	bool med_missing_as_worst;
	uint32_t default_local_pref; /* 100 unless set */
};

/* A `local PREFIX` or `static PREFIX via ADDR` of a route table. */
struct conf_rt_route {
	struct conf_pos pos;
	struct prefix prefix;
	struct addr via;          /* af 0 for local */
	bool via_neighbor;        /* via names a neighbor: a VPN static route */
};

/* AWS: "at most 100 propagated routes per route table". */
#define CONF_MAX_ROUTES_DEFAULT 100
#define CONF_MAX_ROUTES_MAX 1000

/* `route-table NAME { table N; max-routes N; local P; static P via A }`:
 * the VPC route table, a kernel table the chosen routes go into. */
struct conf_route_table {
	struct conf_pos pos;      /* of the name */
	char *name;
	uint32_t table;           /* kernel table id, 0 = not set (an error) */
	uint32_t max_routes;      /* propagated routes kept */
	bool max_routes_set;
	size_t n_local;
	struct conf_rt_route *local;
	size_t n_static;
	struct conf_rt_route *statics;
};

struct conf_cloud {
	enum conf_personality personality;
	struct conf_pos personality_pos;  /* line 0 = not set */
	bool vpn_ecmp;            /* aws-tgw: share equal VPN routes (default on) */
	bool vpn_ecmp_set;
	struct conf_pos vpn_ecmp_pos;
	size_t n_route_tables;
	struct conf_route_table *route_tables;
};

/* probe NAME { ... } (issue 6): an uplink health check; its state is a
 * condition of the same name (stmt_probe.c). */
enum conf_probe_kind { CONF_PROBE_ICMP = 1, CONF_PROBE_TCP };
#define CONF_PROBE_INTERVAL_DEFAULT 1000 /* ms */
#define CONF_PROBE_TIMEOUT_DEFAULT 500   /* ms; half the interval if shorter */
#define CONF_PROBE_RISE_DEFAULT 3
#define CONF_PROBE_FALL_DEFAULT 2

struct conf_probe {
	struct conf_pos pos;      /* of the name */
	char *name;
	enum conf_probe_kind kind;
	struct addr target;
	uint16_t port;            /* CONF_PROBE_TCP */
	char *via;                /* interface (SO_BINDTODEVICE), or NULL */
	struct addr source;       /* af 0 = kernel's choice */
	uint32_t interval_ms;
	uint32_t timeout_ms;
	uint8_t rise, fall;
	bool interval_set, timeout_set, rise_set, fall_set;
};

struct conf {
	char *path;               /* file the config was read from */
	uint32_t router_id;       /* host byte order; 0 = not set (error) */
	uint32_t local_as;        /* 0 = not set (error) */
	size_t n_listen;
	struct conf_listen *listen;   /* none given: 0.0.0.0 and :: port 179 */
	size_t n_originate;
	struct conf_originate *originate;
	size_t n_neighbors;
	struct conf_neighbor *neighbors; /* groups already flattened into these */
	size_t n_prefix_sets;
	struct conf_prefix_set *prefix_sets;
	size_t n_policies;
	struct conf_policy *policies;   /* every name used by a neighbor is here */
	struct conf_fib fib;
	struct conf_decision decision;
	struct conf_cloud cloud;        /* personality, vpn-ecmp, route tables */
	size_t n_probes;
	struct conf_probe *probes;
	size_t n_conditions;
	struct conf_condition *conditions;
};

/* Every problem found, each "file:line:col: message", in file order. */
struct conf_errors {
	size_t n;
	char **msgs;
};

/* Parses a file. Returns 0 and a config, or -EINVAL with every error in
 * errs (the parser keeps going after an error so one run reports all),
 * or another negative errno if the file cannot be read (also in errs). */
int conf_load_file(const char *path, struct conf **out, struct conf_errors *errs);
/* Same, from memory; name is used in messages. */
int conf_load_string(const char *name, const char *text, size_t len,
		     struct conf **out, struct conf_errors *errs);
void conf_free(struct conf *c);
void conf_errors_free(struct conf_errors *e);
/* Effective keepalive: the configured one, else hold_time / 3. */
uint16_t conf_neighbor_keepalive(const struct conf_neighbor *n);
/* Writes the config back in its own syntax (round-trip tests, -nv). */
int conf_print(const struct conf *c, char **out);
/* Same settings, ignoring positions and path (round trips; a reload can
 * use conf_neighbor_equal to find the neighbors that changed). */
bool conf_neighbor_equal(const struct conf_neighbor *a, const struct conf_neighbor *b);
bool conf_equal(const struct conf *a, const struct conf *b);
bool conf_decision_equal(const struct conf_decision *a, const struct conf_decision *b);
/* Originations (with their policy and condition) and conditions alike. */
bool conf_origination_equal(const struct conf *a, const struct conf *b);
const struct conf_condition *conf_condition_find(const struct conf *c, const char *name);
/* The policy called name is the same in a and b, prefix sets it matches
 * included (reload: re-evaluate only what a changed policy touches).
 * Absent from both counts as the same. */
bool conf_policy_same(const struct conf *a, const struct conf *b, const char *name);
/* Policy or prefix set by name, NULL if none. */
const struct conf_policy *conf_policy_find(const struct conf *c, const char *name);
const struct conf_prefix_set *conf_prefix_set_find(const struct conf *c, const char *name);
/* Probe by name, NULL if none (stmt_probe.c). */
const struct conf_probe *conf_probe_find(const struct conf *c, const char *name);
/* The fib block's defaults: table main, ecmp on, install on, protocol
 * 57, graceful-restart off (stmt_fib.c). */
void conf_fib_defaults(struct conf_fib *f);
bool conf_fib_equal(const struct conf_fib *a, const struct conf_fib *b);
/* "aws-vgw", "aws-tgw", "aws-dx" or "none". */
const char *conf_personality_name(enum conf_personality p);
const struct conf_route_table *conf_route_table_find(const struct conf *c, const char *name);
bool conf_cloud_equal(const struct conf_cloud *a, const struct conf_cloud *b);
void conf_cloud_free(struct conf_cloud *c);

#endif
