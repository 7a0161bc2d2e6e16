/* The RIB: the Loc-RIB (rib/loc_rib.h), whose prefix records also hold
 * every peer's Adj-RIB-In (its paths) and Adj-RIB-Out (out entries,
 * rib/loc_rib_out.h), and the table that interns the path attributes
 * all of them share (rib/attr_intern.h).
 *
 * The RIB never names sessions, the FIB or the CLI (DESIGN 4): whoever
 * owns it (the daemon) gives the Loc-RIB its change callback and turns
 * changes into updates. */
#ifndef EGRESS_RIB_RIB_H
#define EGRESS_RIB_RIB_H

#include <stdbool.h>
#include <stdint.h>

#include "rib/adj_rib.h"
#include "rib/attr_intern.h"
#include "rib/loc_rib.h"
#include "rib/mem.h"

struct rib;

struct rib *rib_new(void);
void rib_free(struct rib *r);
/* Creates the Loc-RIB with its change callback (once; -EEXIST after).
 * Until then rib_loc() is NULL.  0 or -ENOMEM. */
int rib_loc_create(struct rib *r, const struct loc_rib_config *cfg, loc_rib_change_fn fn,
		   void *arg);
struct loc_rib *rib_loc(struct rib *r);
/* The attribute intern table every stored route goes through. */
struct attr_table *rib_attr_table(struct rib *r);

/* Per-module memory (issue 3, `show memory`); each module counts only
 * what it owns. */
struct rib_mem_report {
	struct rib_mem_stats trie;     /* Loc-RIB prefix trie */
	struct rib_mem_stats paths;    /* Loc-RIB paths */
	struct rib_mem_stats attrs;    /* interned attribute sets */
	/* Adj-RIB-In routes, all peers: the Loc-RIB's paths, whose bytes
	 * are counted under paths (0 here). */
	struct rib_mem_stats adj_in;
	struct rib_mem_stats adj_out;  /* Adj-RIB-Out entries, all peers, and their pool */
};
void rib_mem(const struct rib *r, struct rib_mem_report *m);

#endif
