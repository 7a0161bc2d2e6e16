/* The Loc-RIB and the intern table.  The per-peer Adj-RIBs live in the
 * Loc-RIB's prefix records (rib/loc_rib_out.h). */
#include "rib/rib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct rib {
	struct loc_rib *loc;
	struct attr_table attrs;
};

struct rib *rib_new(void)
{
	struct rib *r = calloc(1, sizeof(struct rib));
	if (r)
		attr_table_init(&r->attrs);
	return r;
}

void rib_free(struct rib *r)
{
	if (!r)
		return;
	loc_rib_free(r->loc);
	/* Last: the paths and out entries released their references into it. */
	attr_table_destroy(&r->attrs);
	free(r);
}

int rib_loc_create(struct rib *r, const struct loc_rib_config *cfg, loc_rib_change_fn fn,
		   void *arg)
{
	if (r->loc)
		return -EEXIST;
	r->loc = loc_rib_new(cfg, fn, arg);
	return r->loc ? 0 : -ENOMEM;
}

struct loc_rib *rib_loc(struct rib *r) { return r->loc; }

struct attr_table *rib_attr_table(struct rib *r) { return &r->attrs; }

void rib_mem(const struct rib *r, struct rib_mem_report *m)
{
	memset(m, 0, sizeof(*m));
	attr_table_mem(&r->attrs, &m->attrs);
	if (!r->loc)
		return;
	loc_rib_mem(r->loc, &m->trie, &m->paths);
	/* The Adj-RIBs-In are the Loc-RIB's paths: counted, not again in
	 * bytes.  The out entries are their own pool. */
	m->adj_in.items = m->paths.items;
	loc_rib_out_mem(r->loc, &m->adj_out);
}
