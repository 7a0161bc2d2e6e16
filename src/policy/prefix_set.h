/* Prefix sets: "PREFIX ge G le L" lines matched in one trie descent.
 *
 * A binary trie keyed by prefix bits; a node that ends one or more lines
 * holds the set of route lengths those lines allow (a bitmask over
 * 0..128), so a route prefix of length n is checked by walking at most n
 * nodes and testing one bit at each node that has lines — whatever the
 * number of lines (100k-entry customer lists cost the same walk). */
#ifndef EGRESS_POLICY_PREFIX_SET_H
#define EGRESS_POLICY_PREFIX_SET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/addr.h"

struct policy_pset;

struct policy_pset *policy_pset_new(void);
void policy_pset_free(struct policy_pset *s);
/* Adds a line: routes inside p with length ge..le match.  -EINVAL
 * unless p->len <= ge <= le <= 32/128 and p has no host bits; -ENOMEM. */
int policy_pset_add(struct policy_pset *s, const struct prefix *p, unsigned ge,
		    unsigned le);
/* True if some line covers p (same family, inside, length allowed). */
bool policy_pset_match(const struct policy_pset *s, const struct prefix *p);
/* Trie nodes in use (memory accounting, tests). */
size_t policy_pset_nodes(const struct policy_pset *s);

#endif
