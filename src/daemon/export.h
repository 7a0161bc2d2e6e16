/* Export rules: what one peer is told about the best path of a prefix
 * (RFC 4271 5.1 and 9.2), before the peer's named export policy if it
 * has one (sync.c runs it on the result; without one a peer's export
 * is all or none, RFC 8212).  Pure functions over the path and a description of the
 * receiving session, so the rules are unit-tested without sockets. */
#ifndef EGRESS_DAEMON_EXPORT_H
#define EGRESS_DAEMON_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "core/addr.h"
#include "policy/policy.h"
#include "rib/decision.h"

/* Originated prefixes are Loc-RIB paths of this pseudo-peer; session
 * peer ids start at 1. */
#define DAEMON_LOCAL_PEER_ID 0u

/* The receiving session as export sees it. */
struct export_target {
	uint32_t peer_id;
	uint32_t peer_as;
	uint32_t local_as;
	bool ebgp;
	struct addr self4;   /* our address for IPv4 next hops, af 0 if none */
	struct addr self6;   /* our address for IPv6 next hops, af 0 if none */
};

enum export_verdict {
	EXPORT_SEND = 0,
	EXPORT_NO_BEST,         /* nothing eligible for the prefix */
	EXPORT_FROM_PEER,       /* learned from this very peer */
	EXPORT_IBGP_TO_IBGP,    /* RFC 4271 9.2: no iBGP re-advertisement */
	EXPORT_AS_LOOP,         /* the peer's AS is already in the path */
	EXPORT_NO_NEXTHOP,      /* no address of the prefix's family */
	EXPORT_POLICY_REJECT,   /* the peer's export policy said no (sync.c) */
};

/* Decides whether best (NULL: no best) for prefix p goes to t, and if
 * so builds the attributes to send in *out (a new set, refcnt 1, not
 * interned, frozen: bgp_attrs_dup it to change it, as policies do).
 * Returns the verdict (>= 0) or a negative errno. */
int export_attrs(const struct export_target *t, const struct prefix *p,
		 const struct rib_path *best, struct bgp_attrs **out);

/* The peer's named export policy on top of export_attrs' result, so
 * its "prepend" adds to the eBGP prepend of RFC 4271 5.1.2 and "set
 * next-hop self" means our address on this session.  *a is the rules'
 * set (a reference the caller gives up); on accept it is replaced by
 * the policy's result, on reject or error unref'd and set to NULL.
 * EXPORT_SEND, EXPORT_POLICY_REJECT, or a negative errno. */
int export_policy_apply(const struct export_target *t, const struct policy *pol,
			const struct prefix *p, struct bgp_attrs **a);

/* Short name of a verdict for logs and tests. */
const char *export_verdict_name(int v);

#endif
