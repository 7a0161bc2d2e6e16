/* Microbenchmark of the routing core's insert path (not a test; built
 * with -Dbench=true, never installed):
 *
 *   rib_insert [PREFIXES [PEERS]]
 *   MRT=FILE rib_insert [0 [PEERS]]
 *
 * Feeds PREFIXES (default 1,000,000) synthetic IPv4 prefixes (mostly
 * /24s, 3-4 prefixes per attribute set, AS paths of 2-6 ASes, some
 * communities) from each of PEERS (default 1) peers into a Loc-RIB the
 * way the daemon will: one freshly built attribute set per UPDATE-sized
 * group, interned, then one loc_rib_update per prefix.  Also times the
 * bare trie (and one /16 filled with host routes) and a full withdrawal, and reports ns/op, the modules' own
 * byte counts per prefix and the process RSS growth.  With MRT=FILE the
 * prefixes are those of a real table (bench/table_mrt.c) instead; the
 * attribute sets stay synthetic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rib/attr_intern.h"
#include "rib/loc_rib.h"
#include "rib/trie.h"
#include "table.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Distinct prefixes: /24 (about 60%), /16-/23 otherwise, spread over
 * 1.0.0.0-223.255.255.255 like a real table. */
static struct prefix *make_prefixes(size_t n)
{
	struct prefix *v = calloc(n, sizeof(*v));
	struct trie seen;
	trie_init(&seen);
	size_t k = 0;
	while (k < n) {
		struct prefix p;
		memset(&p, 0, sizeof(p));
		unsigned r = rnd() % 100;
		p.len = (uint8_t)(r < 60 ? 24 : 16 + r % 8);
		uint32_t a = (1u + rnd() % 223u) << 24 | (rnd() & 0xffffffu);
		addr_from_v4(&p.addr, a);
		prefix_mask(&p);
		if (trie_insert(&seen, &p, &v[k]) == 1)
			v[k++] = p;
	}
	trie_destroy(&seen);
	return v;
}

static int cmp_prefix(const void *a, const void *b) { return prefix_cmp(a, b); }

/* The attribute set a decoder would produce for group g from peer k. */
static struct bgp_attrs *make_attrs(size_t g, unsigned k)
{
	struct bgp_attrs *a = bgp_attrs_new();
	uint8_t segs[2 + 4 * 7];
	unsigned n = 2 + (unsigned)(g % 5);
	uint32_t x = (uint32_t)g * 2654435761u;
	segs[0] = BGP_AS_SEQUENCE;
	segs[1] = (uint8_t)(n + 1);
	uint32_t asns[7];
	asns[0] = 64600 + k;
	for (unsigned i = 1; i <= n; i++) {
		asns[i] = 1000 + (x >> (i * 3)) % 60000;
	}
	for (unsigned i = 0; i <= n; i++) {
		segs[2 + 4 * i] = (uint8_t)(asns[i] >> 24);
		segs[3 + 4 * i] = (uint8_t)(asns[i] >> 16);
		segs[4 + 4 * i] = (uint8_t)(asns[i] >> 8);
		segs[5 + 4 * i] = (uint8_t)asns[i];
	}
	bgp_attrs_set_aspath(a, segs, 2 + 4 * (n + 1));
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	a->origin = (uint8_t)(g % 3 == 0 ? BGP_ORIGIN_INCOMPLETE : BGP_ORIGIN_IGP);
	a->nexthop.s_addr = htonl(0xc6336401u + k);
	if (g % 4 == 0) {
		uint32_t c[3] = { (asns[1] << 16) | 100, (asns[1] << 16) | 200, 0xffff0000u | (x & 0xff) };
		bgp_attrs_set_communities(a, c, 1 + g % 3);
	}
	return a;
}

static int nop_change_count;
static void on_change(void *arg, const struct loc_rib_change *c)
{
	(void)arg;
	(void)c;
	nop_change_count++;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	unsigned peers_n = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1;
	if (n == 0 || peers_n == 0 || peers_n > 64) {
		fprintf(stderr, "usage: rib_insert [PREFIXES [PEERS (1-64)]]\n");
		return 2;
	}
	const char *mrt = getenv("MRT");
	struct prefix *pfx;
	if (mrt && *mrt) {
		struct bench_table bt;
		struct bench_rewrite rw = { .feeder_as = 65001 };
		const char *why = "";
		if (bench_table_mrt(&bt, mrt, &rw, &why) < 0) {
			fprintf(stderr, "rib_insert: %s: %s\n", mrt, why);
			return 1;
		}
		n = bt.n_pfx;
		pfx = calloc(n, sizeof(*pfx));
		memcpy(pfx, bt.pfx, n * sizeof(*pfx));
		bench_table_free(&bt);
	} else {
		pfx = make_prefixes(n);
	}
	char val;
	/* Tables arrive in prefix order (MRT dumps, a peer's initial
	 * UPDATEs, bench/feeder); RANDOM_ORDER=1 keeps them in random order. */
	const char *rnd_env = getenv("RANDOM_ORDER");
	bool shuffled = rnd_env && *rnd_env == '1';
	if (!shuffled)
		qsort(pfx, n, sizeof(*pfx), cmp_prefix);
	printf("%zu prefixes in %s order\n", n, shuffled ? "random" : "prefix");

	/* 1. The trie alone: insert, exact lookup, longest match of a host
	 * address inside each prefix, delete. */
	struct trie t;
	trie_init(&t);
	double t0 = now();
	for (size_t i = 0; i < n; i++)
		trie_insert(&t, &pfx[i], &val);
	double t1 = now();
	size_t hits = 0;
	for (size_t i = 0; i < n; i++)
		hits += trie_lookup(&t, &pfx[i]) != NULL;
	double t2 = now();
	struct rib_mem_stats tm;
	trie_mem(&t, &tm);
	size_t matched = 0;
	for (size_t i = 0; i < n; i++) {
		struct prefix h = pfx[i];
		h.addr.b[3] |= 1;
		h.len = 32;
		matched += trie_match(&t, &h, NULL) != NULL;
	}
	double t3 = now();
	for (size_t i = 0; i < n; i++)
		trie_delete(&t, &pfx[i]);
	double t4 = now();
	printf("trie: insert %.1f ns/op, lookup %.1f ns/op (%zu found), match %.1f ns/op (%zu), "
	       "delete %.1f ns/op, %zu nodes, %.1f bytes/prefix\n",
	       (t1 - t0) * 1e9 / (double)n, (t2 - t1) * 1e9 / (double)n, hits,
	       (t3 - t2) * 1e9 / (double)n, matched, (t4 - t3) * 1e9 / (double)n, tm.items,
	       (double)tm.bytes / (double)n);
	trie_destroy(&t);

	/* The adversarial shape: every /32 of one /16 (and the /16), in
	 * random order, on top of the table; no operation may become
	 * O(prefixes in the slot). */
	{
		size_t hn = 65536;
		struct prefix *hp = calloc(hn, sizeof(*hp));
		for (size_t i = 0; i < hn; i++) {
			addr_from_v4(&hp[i].addr, 0x0afe0000u | (uint32_t)i);
			hp[i].len = 32;
		}
		for (size_t i = hn - 1; i > 0; i--) {
			size_t j = rnd() % (i + 1);
			struct prefix x = hp[i];
			hp[i] = hp[j];
			hp[j] = x;
		}
		trie_init(&t);
		for (size_t i = 0; i < n; i++)
			trie_insert(&t, &pfx[i], &val);
		double h0 = now();
		for (size_t i = 0; i < hn; i++)
			trie_insert(&t, &hp[i], &val);
		double h1 = now();
		for (size_t i = 0; i < hn; i++)
			hits += trie_lookup(&t, &hp[i]) != NULL;
		double h2 = now();
		for (size_t i = 0; i < hn; i++)
			trie_delete(&t, &hp[i]);
		double h3 = now();
		printf("trie, 65536 host routes in one /16: insert %.1f ns/op, lookup %.1f ns/op, "
		       "delete %.1f ns/op\n",
		       (h1 - h0) * 1e9 / (double)hn, (h2 - h1) * 1e9 / (double)hn,
		       (h3 - h2) * 1e9 / (double)hn);
		trie_destroy(&t);
		free(hp);
	}

	/* 2. Intern + Loc-RIB, as a feed of UPDATEs of 3-4 prefixes. */
	struct rib_peer *peers = calloc(peers_n, sizeof(*peers));
	for (unsigned k = 0; k < peers_n; k++) {
		peers[k].id = k + 1;
		addr_from_v4(&peers[k].addr, 0xc6336401u + k);
		peers[k].router_id = 0x0a000001u + k;
		peers[k].as = 64600 + k;
		peers[k].ebgp = true;
	}
	struct attr_table at;
	attr_table_init(&at);
	struct loc_rib_config cfg = { 0 };
	rib_decision_opts_default(&cfg.opts);
	struct loc_rib *lr = loc_rib_new(&cfg, on_change, NULL);
	long rss0 = rss_kib();
	/* Groups of 3 or 4 prefixes (about 3.5 per set), as UPDATEs pack
	 * them; first the sets are built (what the decoder does) and
	 * interned, then the prefixes go in, each timed on its own. */
	size_t n_groups = (n + 2) / 3;
	struct bgp_attrs **sets = calloc(n_groups, sizeof(*sets));
	size_t *group_end = calloc(n_groups, sizeof(*group_end));
	double t_build = 0, t_intern = 0, t_update = 0;
	size_t groups = 0;
	for (unsigned k = 0; k < peers_n; k++) {
		size_t g = 0;
		double ta = now();
		for (size_t i = 0; i < n; g++) {
			i += 3 + (g % 2);
			group_end[g] = i < n ? i : n;
			sets[g] = make_attrs(g, k);
		}
		double tb = now();
		for (size_t j = 0; j < g; j++)
			sets[j] = attr_intern(&at, sets[j]);
		double tc = now();
		size_t i = 0;
		for (size_t j = 0; j < g; j++) {
			struct rib_path rp = { .peer = &peers[k], .attrs = sets[j], .received = j,
					       .igp_cost = 0, .nh_reachable = true };
			for (; i < group_end[j]; i++)
				loc_rib_update(lr, &pfx[i], &rp);
		}
		double td = now();
		for (size_t j = 0; j < g; j++)
			bgp_attrs_unref(sets[j]);
		t_build += tb - ta;
		t_intern += tc - tb;
		t_update += td - tc;
		groups += g;
	}
	free(sets);
	free(group_end);
	long rss1 = rss_kib();
	struct rib_mem_stats lt, lp, am;
	loc_rib_mem(lr, &lt, &lp);
	attr_table_mem(&at, &am);
	size_t total = lt.bytes + lp.bytes + am.bytes;
	printf("loc-rib: %u peer(s), %zu prefixes, %zu paths, %zu attribute sets (%zu UPDATE groups)\n",
	       peers_n, loc_rib_count(lr, 0), loc_rib_path_count(lr), attr_table_count(&at), groups);
	printf("per path: loc_rib_update %.1f ns, attr_intern %.1f ns (%.1f ns per set), "
	       "building the sets %.1f ns; %d best changes\n",
	       t_update * 1e9 / (double)(n * peers_n), t_intern * 1e9 / (double)(n * peers_n),
	       t_intern * 1e9 / (double)groups, t_build * 1e9 / (double)(n * peers_n),
	       nop_change_count);
	printf("memory: trie %.1f + paths %.1f + attrs %.1f = %.1f bytes/prefix (modules' count); "
	       "RSS grew %.1f MiB = %.1f bytes/prefix\n",
	       (double)lt.bytes / (double)n, (double)lp.bytes / (double)n,
	       (double)am.bytes / (double)n, (double)total / (double)n,
	       (double)(rss1 - rss0) / 1024.0, (double)(rss1 - rss0) * 1024.0 / (double)n);

	/* 3. Full withdrawal, peer by peer. */
	double t5 = now();
	for (unsigned k = 0; k < peers_n; k++)
		for (size_t i = 0; i < n; i++)
			loc_rib_withdraw(lr, &pfx[i], k + 1);
	double t6 = now();
	printf("withdraw: %.1f ns per path; %zu prefixes and %zu attribute sets left\n",
	       (t6 - t5) * 1e9 / (double)(n * peers_n), loc_rib_count(lr, 0),
	       attr_table_count(&at));
	loc_rib_free(lr);
	attr_table_destroy(&at);
	free(peers);
	free(pfx);
	return 0;
}
