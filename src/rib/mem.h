/* Memory accounting shared by the routing-core modules (issue 3: shown by
 * `egressctl show memory`).  Each module fills one of these for what it
 * owns; nobody counts the same bytes twice. */
#ifndef EGRESS_RIB_MEM_H
#define EGRESS_RIB_MEM_H

#include <stddef.h>

struct rib_mem_stats {
	size_t items; /* what the module counts: prefixes, paths, attribute sets */
	size_t bytes; /* memory held, including pool slabs not yet handed out */
};

#endif
