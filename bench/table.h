/* The routing table the feeder replays: prefixes grouped by attribute
 * set, so each group goes out as tightly packed UPDATEs, exactly as a
 * real speaker sends a table it holds.  Built either synthetically
 * (table_synth.c) or from an MRT file (table_mrt.c). */
#ifndef EGRESS_BENCH_TABLE_H
#define EGRESS_BENCH_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "core/addr.h"

struct bench_group {
	struct bgp_attrs *attrs; /* owned, one reference */
	size_t first;            /* index into bench_table.pfx */
	size_t n;
};

struct bench_table {
	struct prefix *pfx;       /* grouped: a group's prefixes are contiguous */
	size_t n_pfx;
	struct bench_group *groups;
	size_t n_groups;
	/* What the MRT reader left out, reported so nobody wonders why the
	 * count differs from the file's. */
	size_t skipped_v6;        /* prefixes of other families */
	size_t skipped_loop;      /* AS path holds one of the bench ASes */
	size_t skipped_msgs;      /* UPDATEs whose error handling drops them */
	size_t skipped_records;   /* MRT records of types we do not replay */
	size_t records;           /* MRT records read */
	int truncated;            /* the file ended inside a record */
};

/* How the feeder presents routes: its own AS first in every path
 * (RFC 4271 6.3: an eBGP receiver may check the first AS), its own
 * address as NEXT_HOP, and the ASes of the daemon under test and the
 * collector never in a path (they would be dropped as loops). */
struct bench_rewrite {
	uint32_t feeder_as;
	uint32_t avoid_as[2];
	struct in_addr nexthop;
};

/* Synthetic IPv4 table: n unique prefixes, mostly /24s, 3-4 prefixes per
 * attribute set, AS paths of 2-6 ASes, some MEDs and communities.
 * Deterministic for a given seed.  0 or negative errno. */
int bench_table_synth(struct bench_table *t, size_t n, uint64_t seed,
		      const struct bench_rewrite *rw);

/* Table after replaying every UPDATE (BGP4MP, BGP4MP_ET) or RIB entry
 * (TABLE_DUMP_V2, first path of each prefix) of an MRT file, plain or
 * gzip/bzip2 compressed.  0 or negative errno; *why names the failure. */
int bench_table_mrt(struct bench_table *t, const char *path,
		    const struct bench_rewrite *rw, const char **why);

/* Groups rows of (prefix, attribute index) into t, taking ownership of
 * attrs[] (each referenced once; unreferenced ones are released). */
struct bench_row {
	struct prefix pfx;
	uint32_t attr;
};
int bench_table_group(struct bench_table *t, struct bench_row *rows, size_t n_rows,
		      struct bgp_attrs **attrs, size_t n_attrs);

/* Puts the attribute sets in a random order (deterministic for a seed),
 * each set's prefixes still together and ascending: the order a speaker
 * that walks its attribute sets by hash sends, where the built table's
 * own order is ascending by address.  The kernel's IPv4 trie takes the
 * two at very different costs (docs/benchmarks.md, "Kernel FIB").
 * 0 or -ENOMEM. */
int bench_table_shuffle_sets(struct bench_table *t, uint64_t seed);

void bench_table_free(struct bench_table *t);

#endif
