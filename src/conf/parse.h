/* What the parser builds before validation: the file as written, with
 * groups kept apart from their neighbors and every setting's position, so
 * the validator can apply group defaults and name the line at fault. */
#ifndef EGRESS_CONF_PARSE_H
#define EGRESS_CONF_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "conf/diag.h"

/* Neighbor-level settings; one bit per statement in nset.set. */
enum nset_field {
	NS_REMOTE_AS,
	NS_DESCRIPTION,
	NS_PASSWORD,
	NS_HOLD_TIME,
	NS_KEEPALIVE,
	NS_PASSIVE,
	NS_TTL_SECURITY,
	NS_LOCAL_ADDRESS,
	NS_PORT,
	NS_IMPORT,
	NS_EXPORT,
	NS_CONNECT_RETRY,
	NS_DELAY_OPEN,
	NS_MAX_PREFIX,
	NS_ATTACHMENT,
	NS_SOFT_RECONF,
	NS_GRACEFUL_RESTART,
	NS_RESTART_TIME,
	NS_COUNT
};

struct nset {
	unsigned set;                    /* 1u << enum nset_field */
	unsigned seen;                   /* statement present, even if bad */
	struct conf_pos pos[NS_COUNT];   /* where each was set */
	uint32_t remote_as;
	char *description;
	char *password;
	uint16_t hold_time;
	uint16_t keepalive;
	uint16_t connect_retry;
	uint16_t delay_open;
	bool passive;
	bool ttl_security;
	struct addr local_addr;
	uint16_t port;
	enum conf_filter import;
	enum conf_filter export;
	char *import_policy;             /* CONF_FILTER_POLICY */
	char *export_policy;
	uint32_t max_prefix;
	enum conf_attachment attachment;
	bool soft_reconfig_in;
	bool graceful_restart;
	uint16_t restart_time;
};

static inline bool nset_has(const struct nset *s, enum nset_field f)
{
	return s->set & (1u << f);
}

struct pgroup {
	char *name;
	struct conf_pos pos;             /* of the name */
	struct nset set;
};

struct pneighbor {
	struct addr addr;
	struct conf_pos pos;             /* of the address */
	size_t group;                    /* index into groups, or SIZE_MAX */
	struct nset set;
};

/* The decision knobs as parsed: which were written, and where, so a
 * second one is reported (decision.c). */
enum pdecision_field {
	PD_MULTIPATH,
	PD_MULTIPATH_RELAX,
	PD_ALWAYS_COMPARE_MED,
	PD_DETERMINISTIC_MED,
	PD_PREFER_OLDEST,
	PD_MED_MISSING_AS_WORST,
	PD_DEFAULT_LOCAL_PREF,
	PD_COUNT
};

struct pdecision {
	unsigned set;                    /* 1u << enum pdecision_field */
	struct conf_pos pos[PD_COUNT];
	struct conf_decision v;
};

struct pconf {
	bool router_id_set, local_as_set;
	bool router_id_seen, local_as_seen; /* present, even if bad */
	struct conf_pos router_id_pos, local_as_pos;
	uint32_t router_id;
	uint32_t local_as;
	size_t n_listen;
	struct conf_listen *listen;
	size_t n_originate;
	struct conf_originate *originate;
	size_t n_groups;
	struct pgroup *groups;
	size_t n_neighbors;
	struct pneighbor *neighbors;
	/* Policies need no inheritance, so they are parsed straight into
	 * the model's structures and handed over by the validator. */
	size_t n_prefix_sets;
	struct conf_prefix_set *prefix_sets;
	size_t n_policies;
	struct conf_policy *policies;
	/* The fib block, parsed straight into the model (no inheritance). */
	bool fib_seen;
	struct conf_fib fib;
	struct pdecision decision;
	/* personality, vpn-ecmp and route tables, parsed straight into the
	 * model; the validator applies the personality (stmt_cloud.c). */
	struct conf_cloud cloud;
	bool vpn_ecmp_seen;
	bool personality_seen;           /* present, even if bad */
	/* probe blocks, parsed straight into the model (stmt_probe.c). */
	size_t n_probes;
	struct conf_probe *probes;
	size_t n_conditions;
	struct conf_condition *conditions;
};

/* Parses the text into pc, reporting every syntax error to diag. */
void conf_parse(const char *text, size_t len, struct pconf *pc, struct conf_diag *diag);
void pconf_free(struct pconf *pc);
/* Applies group defaults, checks the whole, and builds the model.
 * Returns NULL if anything was reported (or on allocation failure). */
struct conf *conf_validate(struct pconf *pc, const char *name,
			   struct conf_diag *diag);
/* Policy checks (validate_policy.c): names unique and resolved, every
 * import/export name known. Moves the policies from pc into c. */
void conf_validate_policies(struct pconf *pc, struct conf *c, struct conf_diag *diag);

/* Cloud personality (stmt_cloud.c): applies its implied settings to
 * the built neighbors and checks them and the route tables; moves
 * pc->cloud into c. */
void conf_validate_cloud(struct pconf *pc, struct conf *c, struct conf_diag *diag);
void conf_cloud_print(const struct conf *c, void *file);

/* Writes the fib block if the file had one (stmt_fib.c). */
void conf_fib_print(const struct conf *c, void *file);
/* Originations and conditions (originate.c).  Checks every "when NAME"
 * and "policy NAME" of an originate and moves originations and
 * conditions from pc into c.  Call before conf_validate_policies (which
 * takes the policies away from pc). */
void conf_validate_origination(struct pconf *pc, struct conf *c, struct conf_diag *diag);
/* Whether "when NAME" may name name: a `condition` statement.  Other
 * sources of conditions (probe blocks) are added here. */
bool conf_condition_defined(const struct pconf *pc, const char *name);
void conf_originates_free(struct conf_originate *o, size_t n);
void conf_conditions_free(struct conf_condition *c, size_t n);
void conf_origination_print(const struct conf *c, void *file);

/* Decision knobs (decision.c): defaults for what was not written. */
void conf_decision_build(const struct pdecision *pd, struct conf_decision *out);
void conf_decision_print(const struct conf_decision *d, void *file);

/* Probes (stmt_probe.c): names unique, a target each, timeout within
 * the interval; moves them from pc into c. */
void conf_validate_probes(struct pconf *pc, struct conf *c, struct conf_diag *diag);
void conf_probes_free(struct conf_probe *p, size_t n);
bool conf_probes_equal(const struct conf *a, const struct conf *b);
void conf_probes_print(const struct conf *c, void *file);
/* "1s", "500ms", "2" (seconds) into ms within lo..hi: 0, -EINVAL, -ERANGE. */
int conf_value_duration_ms(const char *s, uint32_t lo, uint32_t hi, uint32_t *out);

/* Policy model helpers (policy.c). */
void conf_prefix_sets_free(struct conf_prefix_set *s, size_t n);
void conf_policies_free(struct conf_policy *p, size_t n);
bool conf_policies_equal(const struct conf *a, const struct conf *b);
/* Writes prefix-sets and policies in their own syntax. */
void conf_policies_print(const struct conf *c, void *file);

/* Argument parsers (value.c).  Decimal digits only: no sign, no hex.
 * conf_value_uint: 0, -EINVAL (not a number), -ERANGE (outside lo..hi;
 * *out still holds the value when it fits 32 bits, for the message).
 * conf_value_asn: asplain or asdot "X.Y" (RFC 5396); 0, -EINVAL,
 * -ERANGE (0 or too large), -EDOM (an asdot half above 65535). */
int conf_value_uint(const char *s, uint32_t lo, uint32_t hi, uint32_t *out);
int conf_value_asn(const char *s, uint32_t *out);
/* Closest of n candidates to word, or NULL if none is close enough. */
const char *conf_suggest(const char *word, const char *const *cands, size_t n);

#endif
