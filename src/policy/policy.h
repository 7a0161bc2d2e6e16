/* Import/export policies, compiled from the config model and evaluated
 * per route (DESIGN 3: session -> policy (import) -> rib; rib -> policy
 * (export) -> Adj-RIB-Out).
 *
 * Why policy includes conf/conf.h: the model is plain data that depends
 * only on core, and DESIGN 4 allows policy <- bgp <- core without
 * forbidding conf.  Compiling straight from struct conf_policy saves a
 * second, parallel description of matches and actions that the daemon
 * would have to translate field by field (and keep in step).  The
 * compiled form below is the policy module's own: prefix sets in tries,
 * names resolved to pointers, nothing the evaluator has to look up. */
#ifndef EGRESS_POLICY_POLICY_H
#define EGRESS_POLICY_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "conf/conf.h"
#include "core/addr.h"

struct policy;
struct policy_set;

enum policy_result { POLICY_REJECT = 0, POLICY_ACCEPT = 1 };

/* What a policy may need to know about the route beyond its attributes. */
struct policy_route_ctx {
	const struct prefix *prefix;
	uint32_t peer_as;      /* the neighbor the route comes from / goes to */
	uint32_t local_as;     /* prepended by "prepend N" */
	bool ebgp;
	struct addr self;      /* our address on that session: "set next-hop self" */
};

/* Compiles every prefix-set and policy of c (names already resolved by
 * the validator).  0, -ENOMEM, or -EINVAL if c is inconsistent. */
int policy_set_build(const struct conf *c, struct policy_set **out);
void policy_set_free(struct policy_set *ps);
/* The policy named name, or NULL.  It lives as long as the set. */
const struct policy *policy_set_find(const struct policy_set *ps, const char *name);
const char *policy_name(const struct policy *p);

/* Runs the terms in order: a term matches when all its matches hold
 * (no match at all: always); a matching term applies its actions, then
 * accept or reject ends the walk, otherwise the next term sees the
 * changed route.  No decision at the end: the policy's default (reject
 * unless "default accept").
 *
 * *attrs is the caller's reference.  Attributes are never changed in
 * place (they may be interned and shared): the first action replaces
 * *attrs by a private copy (bgp_attrs_dup) and drops the caller's
 * reference to the original, so a caller that wants to keep the input
 * holds its own extra reference.  On reject *attrs is still the
 * caller's to unref.  0, or -ENOMEM / -EMSGSIZE (prepend past the
 * attribute limit) with *out set to POLICY_REJECT. */
int policy_eval(const struct policy *p, const struct policy_route_ctx *ctx,
		struct bgp_attrs **attrs, enum policy_result *out);

#endif
