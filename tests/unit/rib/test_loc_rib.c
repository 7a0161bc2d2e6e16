/* Loc-RIB: best path per prefix after updates, implicit and explicit
 * withdrawals, next-hop eligibility, the change events, multipath
 * events, peer flush in slices, ordered walks and accounting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rib/loc_rib.h"
#include "rib_test_attrs.h"
#include "rib/trie.h"

static struct rib_peer peers[3];

struct events {
	unsigned n;
	uint32_t old_peer, new_peer; /* 0 = none */
	uint32_t old_med;
	bool best_changed, mp_changed;
	struct prefix last;
};

static void on_change(void *arg, const struct loc_rib_change *c)
{
	struct events *e = arg;
	e->n++;
	e->old_peer = c->old_best ? c->old_best->peer->id : 0;
	e->new_peer = c->new_best ? c->new_best->peer->id : 0;
	e->old_med = c->old_best ? c->old_best->attrs->med : UINT32_MAX;
	e->best_changed = c->best_changed;
	e->mp_changed = c->multipath_changed;
	e->last = *c->prefix;
}

static struct prefix pfx(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

static struct bgp_attrs *attrs(uint32_t first_as, uint32_t med)
{
	return test_attrs_med(first_as, med);
}

static struct rib_path path(int peer, struct bgp_attrs *a)
{
	return (struct rib_path){ .peer = &peers[peer], .attrs = a, .igp_cost = 1,
				  .nh_reachable = true };
}

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {
		memset(&peers[i], 0, sizeof(peers[i]));
		peers[i].id = (uint32_t)i + 1;
		addr_from_v4(&peers[i].addr, 0xc0000201u + (uint32_t)i);
		peers[i].router_id = (uint32_t)i + 1;
		peers[i].as = 65001;
		peers[i].ebgp = true;
	}
	return 0;
}

static struct loc_rib *mk(struct events *e, size_t multipath)
{
	struct loc_rib_config cfg = { .multipath = multipath };
	rib_decision_opts_default(&cfg.opts);
	struct loc_rib *lr = loc_rib_new(&cfg, on_change, e);
	assert_non_null(lr);
	return lr;
}

static void test_best_follows_changes(void **state)
{
	(void)state;
	struct events e = { 0 };
	struct loc_rib *lr = mk(&e, 1);
	struct prefix p = pfx("203.0.113.0/24");
	struct bgp_attrs *a = attrs(65001, 10), *b = attrs(65001, 20);
	struct rib_path pa = path(1, a), pb = path(2, b);

	assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.old_peer, 0);
	assert_int_equal(e.new_peer, 2);
	assert_true(prefix_eq(&e.last, &p));
	assert_int_equal(a->refcnt, 2);
	/* A worse path (higher MED, same neighbour AS): no change. */
	assert_int_equal(loc_rib_update(lr, &p, &pb), 0);
	assert_int_equal(e.n, 1);
	assert_ptr_equal(loc_rib_best(lr, &p)->peer, &peers[1]);
	const struct rib_path *v[4];
	assert_int_equal(loc_rib_paths(lr, &p, v, 4), 2);
	assert_ptr_equal(v[0]->peer, &peers[1]);
	assert_int_equal(loc_rib_path_count(lr), 2);
	assert_int_equal(loc_rib_count(lr, AF_INET), 1);
	assert_int_equal(loc_rib_count(lr, AF_INET6), 0);

	/* RFC 4271 3.1 implicit withdrawal: peer 1 now sends MED 30, and
	 * peer 2's path becomes the best; the event still shows the old
	 * attributes. */
	struct bgp_attrs *a2 = attrs(65001, 30);
	pa.attrs = a2;
	assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.old_peer, 2);
	assert_int_equal(e.old_med, 10);
	assert_int_equal(e.new_peer, 3);
	assert_int_equal(a->refcnt, 1);
	assert_int_equal(loc_rib_path_count(lr), 2);

	/* Re-sending equal attributes (a different copy) is no change. */
	struct bgp_attrs *b2 = attrs(65001, 20);
	pb.attrs = b2;
	assert_int_equal(loc_rib_update(lr, &p, &pb), 0);
	assert_int_equal(e.n, 2);
	assert_int_equal(b->refcnt, 1);

	/* Withdraw the best: back to peer 1; then the last one. */
	assert_int_equal(loc_rib_withdraw(lr, &p, 3), 1);
	assert_int_equal(e.n, 3);
	assert_int_equal(e.old_peer, 3);
	assert_int_equal(e.new_peer, 2);
	assert_int_equal(loc_rib_withdraw(lr, &p, 3), 0);
	assert_int_equal(loc_rib_withdraw(lr, &p, 2), 1);
	assert_int_equal(e.n, 4);
	assert_int_equal(e.old_peer, 2);
	assert_int_equal(e.new_peer, 0);
	assert_null(loc_rib_best(lr, &p));
	assert_int_equal(loc_rib_count(lr, 0), 0);
	assert_int_equal(loc_rib_path_count(lr), 0);
	assert_int_equal(a2->refcnt, 1);
	assert_int_equal(b2->refcnt, 1);
	assert_int_equal(loc_rib_withdraw(lr, &p, 2), 0);

	/* Withdrawing a path that is not the best changes nothing. */
	assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	assert_int_equal(loc_rib_update(lr, &p, &pb), 0);
	unsigned before = e.n;
	assert_int_equal(loc_rib_withdraw(lr, &p, 2), 1);
	assert_int_equal(e.n, before);
	loc_rib_free(lr);
	assert_int_equal(a2->refcnt, 1);
	assert_int_equal(b2->refcnt, 1);
	bgp_attrs_unref(a);
	bgp_attrs_unref(b);
	bgp_attrs_unref(a2);
	bgp_attrs_unref(b2);
}

/* RFC 4271 9.1.2.1: unresolvable next hops make paths ineligible; a
 * prefix whose paths are all ineligible has no best. */
static void test_unreachable_next_hop(void **state)
{
	(void)state;
	struct events e = { 0 };
	struct loc_rib *lr = mk(&e, 1);
	struct prefix p = pfx("2001:db8::/32");
	struct bgp_attrs *a = attrs(65001, 0), *b = attrs(65001, 50);
	struct rib_path pa = path(0, a), pb = path(1, b);
	pa.nh_reachable = false;
	assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	assert_int_equal(e.n, 0);
	assert_null(loc_rib_best(lr, &p));
	const struct rib_path *v[2];
	assert_int_equal(loc_rib_paths(lr, &p, v, 2), 1);
	assert_int_equal(loc_rib_count(lr, AF_INET6), 1);
	assert_int_equal(loc_rib_update(lr, &p, &pb), 0);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.new_peer, 2);
	/* The better path's next hop resolves: it takes over. */
	pa.nh_reachable = true;
	assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.old_peer, 2);
	assert_int_equal(e.new_peer, 1);
	/* Both lose their next hop: the best goes, the paths stay. */
	pa.nh_reachable = pb.nh_reachable = false;
	assert_int_equal(loc_rib_update(lr, &p, &pb), 0);
	assert_int_equal(e.n, 2);
	assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	assert_int_equal(e.n, 3);
	assert_int_equal(e.new_peer, 0);
	assert_null(loc_rib_best(lr, &p));
	assert_int_equal(loc_rib_path_count(lr), 2);
	/* Bad input. */
	struct rib_path bad = pa;
	bad.peer = NULL;
	assert_int_equal(loc_rib_update(lr, &p, &bad), -EINVAL);
	struct prefix q = p;
	q.len = 200;
	assert_int_equal(loc_rib_update(lr, &q, &pa), -EINVAL);
	assert_int_equal(loc_rib_path_count(lr), 2);
	loc_rib_free(lr);
	assert_int_equal(a->refcnt, 1);
	bgp_attrs_unref(a);
	bgp_attrs_unref(b);
}

/* With multipath, a second equal path is an event even though the
 * best stays; a worse one is not. */
static void test_multipath_events(void **state)
{
	(void)state;
	struct events e = { 0 };
	struct loc_rib *lr = mk(&e, 4);
	struct prefix p = pfx("0.0.0.0/0");
	struct bgp_attrs *a = attrs(65001, 0), *w = attrs(65001, 9);
	struct rib_path p0 = path(0, a), p1 = path(1, a), p2 = path(2, w);
	assert_int_equal(loc_rib_update(lr, &p, &p0), 0);
	assert_int_equal(e.n, 1);
	assert_true(e.mp_changed);
	assert_int_equal(loc_rib_update(lr, &p, &p1), 0);
	assert_int_equal(e.n, 2);
	assert_false(e.best_changed);
	assert_true(e.mp_changed);
	const struct rib_path *v[4];
	assert_int_equal(loc_rib_multipath(lr, &p, v, 4), 2);
	assert_ptr_equal(v[0]->peer, &peers[0]);
	assert_ptr_equal(v[1]->peer, &peers[1]);
	assert_int_equal(loc_rib_multipath(lr, &p, v, 1), 1);
	assert_int_equal(loc_rib_update(lr, &p, &p2), 0);
	assert_int_equal(e.n, 2);
	assert_int_equal(loc_rib_multipath(lr, &p, v, 4), 2);
	/* The equal partner leaves: event, best unchanged. */
	assert_int_equal(loc_rib_withdraw(lr, &p, 2), 1);
	assert_int_equal(e.n, 3);
	assert_false(e.best_changed);
	assert_true(e.mp_changed);
	loc_rib_free(lr);
	bgp_attrs_unref(a);
	bgp_attrs_unref(w);
}

static int count_visit(void *arg, const struct prefix *p, const struct rib_path *best)
{
	(void)p;
	size_t *n = arg;
	if (best)
		(*n)++;
	return 0;
}

/* A session goes down: its paths leave in budgeted slices, and every
 * prefix it was best for gets an event. */
static void test_peer_withdraw_sliced(void **state)
{
	(void)state;
	struct events e = { 0 };
	struct loc_rib *lr = mk(&e, 1);
	struct bgp_attrs *good = attrs(65001, 0), *bad = attrs(65001, 100);
	struct rib_path pa = path(0, good), pb = path(1, bad);
	enum { N = 5000 };
	_Static_assert(N > TRIE_INDEX_MIN, "exercise the indexed trie");
	for (unsigned i = 0; i < N; i++) {
		char s[32];
		snprintf(s, sizeof(s), "10.%u.%u.0/24", i >> 8, i & 255);
		struct prefix p = pfx(s);
		assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
		if (i % 2)
			assert_int_equal(loc_rib_update(lr, &p, &pb), 0);
	}
	assert_int_equal(e.n, N);
	assert_int_equal(loc_rib_path_count(lr), N + N / 2);
	struct rib_mem_stats ts, ps;
	loc_rib_mem(lr, &ts, &ps);
	assert_int_equal(ps.items, N + N / 2);
	assert_true(ps.bytes >= (N + N / 2) * 40);
	assert_true(ts.items >= N && ts.items < 2 * N);

	struct prefix cur = { 0 };
	int rc, slices = 0;
	do {
		rc = loc_rib_peer_withdraw(lr, AF_INET, 1, slices ? &cur : NULL, 100, &cur);
		assert_true(rc == 0 || rc == 1);
		slices++;
	} while (rc == 1);
	assert_true(slices >= N / 100);
	assert_true(slices <= N / 100 + 1);
	/* Every prefix lost its best; half got peer 2's path instead. */
	assert_int_equal(e.n, 2 * N);
	assert_int_equal(loc_rib_count(lr, AF_INET), N / 2);
	assert_int_equal(loc_rib_path_count(lr), N / 2);
	assert_int_equal(good->refcnt, 1);
	size_t with_best = 0;
	assert_int_equal(loc_rib_walk(lr, AF_INET, NULL, 0, count_visit, &with_best, NULL), 0);
	assert_int_equal(with_best, N / 2);
	/* Unbounded flush of the other peer. */
	assert_int_equal(loc_rib_peer_withdraw(lr, AF_INET, 2, NULL, 0, NULL), 0);
	assert_int_equal(loc_rib_count(lr, 0), 0);
	assert_int_equal(bad->refcnt, 1);
	loc_rib_free(lr);
	bgp_attrs_unref(good);
	bgp_attrs_unref(bad);
}

/* No callback configured: still selects. */
static void test_no_callback(void **state)
{
	(void)state;
	struct loc_rib_config cfg = { 0 };
	rib_decision_opts_default(&cfg.opts);
	cfg.opts.deterministic_med = true;
	struct loc_rib *lr = loc_rib_new(&cfg, NULL, NULL);
	struct bgp_attrs *a = attrs(65001, 0);
	struct rib_path pa = path(0, a), pb = path(1, a), pc = path(2, a);
	struct prefix p = pfx("198.51.100.0/24");
	assert_int_equal(loc_rib_update(lr, &p, &pc), 0);
	assert_int_equal(loc_rib_update(lr, &p, &pb), 0);
	assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	assert_ptr_equal(loc_rib_best(lr, &p)->peer, &peers[0]); /* lowest router-id */
	assert_int_equal(a->refcnt, 4);
	loc_rib_free(lr);
	assert_int_equal(a->refcnt, 1);
	bgp_attrs_unref(a);
}

/* Each candidate with the step it lost at, for `explain`. */
static void test_explain(void **state)
{
	(void)state;
	struct events e = { 0 };
	struct loc_rib *lr = mk(&e, 1);
	struct prefix p = pfx("192.0.2.0/24");
	struct bgp_attrs *best = attrs(65001, 0), *med = attrs(65001, 50), *lp = attrs(65001, 0);
	lp->local_pref = 10;
	lp->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
	struct rib_path a = path(1, med), b = path(0, best), c = path(2, lp);
	loc_rib_update(lr, &p, &a);
	loc_rib_update(lr, &p, &b);
	loc_rib_update(lr, &p, &c);
	struct loc_rib_explain x[3];
	assert_int_equal(loc_rib_explain(lr, &p, x, 3), 3);
	assert_true(x[0].best);
	assert_ptr_equal(x[0].path->peer, &peers[0]);
	assert_int_equal(x[0].lost_at, RIB_STEP_EQUAL);
	assert_false(x[1].best);
	assert_ptr_equal(x[1].path->peer, &peers[1]);
	assert_int_equal(x[1].lost_at, RIB_STEP_MED);
	assert_ptr_equal(x[2].path->peer, &peers[2]);
	assert_int_equal(x[2].lost_at, RIB_STEP_LOCAL_PREF);
	assert_int_equal(loc_rib_explain(lr, &p, x, 1), 3);
	struct prefix q = pfx("192.0.3.0/24");
	assert_int_equal(loc_rib_explain(lr, &q, x, 3), 0);
	/* Nothing eligible: every path is out on its next hop. */
	b.nh_reachable = a.nh_reachable = c.nh_reachable = false;
	loc_rib_update(lr, &p, &a);
	loc_rib_update(lr, &p, &b);
	loc_rib_update(lr, &p, &c);
	assert_int_equal(loc_rib_explain(lr, &p, x, 3), 3);
	for (int i = 0; i < 3; i++) {
		assert_false(x[i].best);
		assert_int_equal(x[i].lost_at, RIB_STEP_NEXTHOP);
	}
	loc_rib_free(lr);
	bgp_attrs_unref(best);
	bgp_attrs_unref(med);
	bgp_attrs_unref(lp);
}

/* Random updates and withdrawals against a model that keeps every
 * peer's path per prefix and selects from scratch.  With deterministic
 * MED the selection does not depend on candidate order, so the Loc-RIB's
 * incremental best (moved to the head, re-announcements moved to the
 * tail) must always equal the model's, and an event must come exactly
 * when the model's best changes. */
enum { MP = 4, MX = 3 };
struct model_ev {
	unsigned n;
	const struct rib_peer *old_peer, *new_peer;
	struct bgp_attrs *old_attrs, *new_attrs;
};

static void model_on_change(void *arg, const struct loc_rib_change *c)
{
	struct model_ev *m = arg;
	m->n++;
	m->old_peer = c->old_best ? c->old_best->peer : NULL;
	m->old_attrs = c->old_best ? c->old_best->attrs : NULL;
	m->new_peer = c->new_best ? c->new_best->peer : NULL;
	m->new_attrs = c->new_best ? c->new_best->attrs : NULL;
}

static uint64_t mrng = 0x1234567887654321ull;
static unsigned mrand(unsigned n)
{
	mrng ^= mrng << 13;
	mrng ^= mrng >> 7;
	mrng ^= mrng << 17;
	return (unsigned)(mrng % n);
}

static void test_random_against_model(void **state)
{
	(void)state;
	struct model_ev ev = { 0 };
	struct loc_rib_config cfg = { 0 };
	rib_decision_opts_default(&cfg.opts);
	cfg.opts.deterministic_med = true;
	struct loc_rib *lr = loc_rib_new(&cfg, model_on_change, &ev);
	/* A few attribute sets differing in LOCAL_PREF, path length,
	 * neighbour AS and MED, so every step gets to decide sometimes. */
	enum { NA = 6 };
	struct bgp_attrs *as[NA];
	for (int i = 0; i < NA; i++) {
		as[i] = attrs(i % 2 ? 65001 : 65002, (uint32_t)(i * 7) % 20);
		if (i == 5) {
			as[i]->local_pref = 200;
			as[i]->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
		}
	}
	struct prefix px[MX] = { pfx("10.0.0.0/8"), pfx("10.0.0.0/16"), pfx("2001:db8::/32") };
	struct rib_path model[MX][3];
	bool have[MX][3] = { { false } };
	const struct rib_peer *best_peer[MX] = { NULL };
	struct bgp_attrs *best_attrs[MX] = { NULL };
	uint32_t best_igp[MX] = { UINT32_MAX, UINT32_MAX, UINT32_MAX };

	for (int step = 0; step < 20000; step++) {
		unsigned x = mrand(MX), k = mrand(3);
		unsigned before = ev.n;
		if (mrand(3) == 0) {
			int rc = loc_rib_withdraw(lr, &px[x], peers[k].id);
			assert_int_equal(rc, have[x][k] ? 1 : 0);
			have[x][k] = false;
		} else {
			struct rib_path rp = path((int)k, as[mrand(NA)]);
			rp.nh_reachable = mrand(5) != 0;
			rp.igp_cost = mrand(2);
			assert_int_equal(loc_rib_update(lr, &px[x], &rp), 0);
			model[x][k] = rp;
			have[x][k] = true;
		}
		/* The model's best. */
		const struct rib_path *v[3];
		size_t n = 0;
		for (unsigned j = 0; j < 3; j++)
			if (have[x][j])
				v[n++] = &model[x][j];
		int b = rib_best_select(&rib_comparator_rfc4271, &cfg.opts, v, n);
		const struct rib_peer *bp = b >= 0 ? v[b]->peer : NULL;
		struct bgp_attrs *ba = b >= 0 ? v[b]->attrs : NULL;
		const struct rib_path *got = loc_rib_best(lr, &px[x]);
		assert_ptr_equal(got ? got->peer : NULL, bp);
		if (got)
			assert_ptr_equal(got->attrs, ba);
		const struct rib_path *all[MP];
		assert_int_equal(loc_rib_paths(lr, &px[x], all, MP), n);
		uint32_t bi = b >= 0 ? v[b]->igp_cost : UINT32_MAX;
		/* Another IGP cost to the same peer's same route is a
		 * change too: forwarding may care. */
		bool changed = bp != best_peer[x] || ba != best_attrs[x] || bi != best_igp[x];
		if (changed) {
			assert_int_equal(ev.n, before + 1);
			assert_ptr_equal(ev.old_peer, best_peer[x]);
			assert_ptr_equal(ev.old_attrs, best_attrs[x]);
			assert_ptr_equal(ev.new_peer, bp);
			assert_ptr_equal(ev.new_attrs, ba);
		} else {
			assert_int_equal(ev.n, before);
		}
		best_peer[x] = bp;
		best_attrs[x] = ba;
		best_igp[x] = bi;
	}
	size_t total = 0;
	for (unsigned x = 0; x < MX; x++)
		for (unsigned k = 0; k < 3; k++)
			total += have[x][k];
	assert_int_equal(loc_rib_path_count(lr), total);
	loc_rib_free(lr);
	for (int i = 0; i < NA; i++) {
		assert_int_equal(as[i]->refcnt, 1);
		bgp_attrs_unref(as[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_best_follows_changes, setup),
		cmocka_unit_test_setup(test_unreachable_next_hop, setup),
		cmocka_unit_test_setup(test_multipath_events, setup),
		cmocka_unit_test_setup(test_peer_withdraw_sliced, setup),
		cmocka_unit_test_setup(test_no_callback, setup),
		cmocka_unit_test_setup(test_explain, setup),
		cmocka_unit_test_setup(test_random_against_model, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
