/* The Adj-RIBs in the Loc-RIB's prefix records (rib/loc_rib_out.h):
 * out entries across reselection and withdrawal, their session and
 * export generations and "pending" state, entries marked unknown, the
 * export function that reads them as the export of the best path now,
 * AS-path loop paths listed but never chosen, per-peer counters and
 * sliced per-peer walks. */
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
#include "rib/rib.h"

#define COLLECTOR 9

static struct rib_peer peers[3];

static struct prefix pfx(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

static struct prefix pfx_n(unsigned n)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "10.%u.%u.0/24", (n >> 8) & 255, n & 255);
	return pfx(buf);
}

static struct bgp_attrs *attrs(uint32_t med)
{
	return test_attrs_med(65001, med);
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

/* What peer's out entry says. */
static enum loc_out_state out_st(struct loc_rib *lr, struct loc_rib_rec *r, uint32_t peer,
				 bool *pending)
{
	return loc_rib_out_get(lr, r, peer, pending);
}

/* A stand-in for the daemon's export: the collector is sent the best's
 * attributes, or a withdrawal when there is none (unless muted). */
struct exporter {
	struct loc_rib *lr;
	bool muted;
	unsigned calls;
	enum loc_out_state seen_old; /* the out entry the callback found */
};

static void export_cb(void *arg, const struct loc_rib_change *c)
{
	struct exporter *x = arg;
	x->calls++;
	assert_non_null(c->rec);
	x->seen_old = out_st(x->lr, c->rec, COLLECTOR, NULL);
	if (x->muted)
		return;
	assert_int_equal(loc_rib_out_set(x->lr, c->rec, COLLECTOR, c->new_best != NULL), 0);
}

static struct loc_rib *mk(struct exporter *x)
{
	struct loc_rib_config cfg = { .multipath = 1 };
	rib_decision_opts_default(&cfg.opts);
	memset(x, 0, sizeof(*x));
	x->lr = loc_rib_new(&cfg, export_cb, x);
	assert_non_null(x->lr);
	return x->lr;
}

static void test_out_survives_reselection(void **state)
{
	(void)state;
	struct exporter x;
	struct loc_rib *lr = mk(&x);
	struct prefix p = pfx("203.0.113.0/24");
	struct bgp_attrs *a = attrs(20), *b = attrs(10);
	struct rib_path pa = path(0, a), pb = path(1, b);
	assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	assert_int_equal(x.seen_old, LOC_OUT_NONE);
	struct loc_rib_rec *r = loc_rib_rec_find(lr, &p);
	assert_int_equal(out_st(lr, r, COLLECTOR, NULL), LOC_OUT_CUR);
	/* A better path: the callback finds the entry of the old best. */
	assert_int_equal(loc_rib_update(lr, &p, &pb), 0);
	assert_int_equal(x.calls, 2);
	assert_int_equal(x.seen_old, LOC_OUT_CUR);
	assert_int_equal(out_st(lr, loc_rib_rec_find(lr, &p), COLLECTOR, NULL), LOC_OUT_CUR);
	/* A reselection that changes nothing reports nothing and keeps it;
	 * so does the same path sent again (an equal copy of its set). */
	assert_int_equal(loc_rib_reselect(lr, AF_INET, NULL, 0, NULL), 0);
	struct bgp_attrs *b2 = attrs(10);
	struct rib_path pb2 = path(1, b2);
	assert_int_equal(loc_rib_update(lr, &p, &pb2), 0);
	bgp_attrs_unref(b2);
	assert_int_equal(x.calls, 2);
	assert_int_equal(out_st(lr, loc_rib_rec_find(lr, &p), COLLECTOR, NULL), LOC_OUT_CUR);
	/* The worse path leaving does not touch the better's entry. */
	assert_int_equal(loc_rib_withdraw(lr, &p, peers[0].id), 1);
	assert_int_equal(x.calls, 2);
	assert_int_equal(out_st(lr, loc_rib_rec_find(lr, &p), COLLECTOR, NULL), LOC_OUT_CUR);
	assert_int_equal(loc_rib_out_count(lr, COLLECTOR), 1);
	loc_rib_free(lr);
	assert_int_equal(a->refcnt, 1);
	assert_int_equal(b->refcnt, 1);
	bgp_attrs_unref(a);
	bgp_attrs_unref(b);
}

static void test_record_reclaimed_with_prefix(void **state)
{
	(void)state;
	struct exporter x;
	struct loc_rib *lr = mk(&x);
	struct prefix p = pfx("198.51.100.0/24"), q = pfx("192.0.2.0/24");
	struct bgp_attrs *a = attrs(1);
	struct rib_path pa = path(0, a);
	/* Withdrawn and the export withdraws too: the record goes. */
	assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	assert_int_equal(loc_rib_withdraw(lr, &p, peers[0].id), 1);
	assert_int_equal(x.seen_old, LOC_OUT_CUR); /* the callback saw it sent */
	assert_null(loc_rib_rec_find(lr, &p));
	assert_int_equal(loc_rib_out_count(lr, COLLECTOR), 0);
	/* Withdrawn while the export says nothing (a peer not sending):
	 * the live entry keeps the record, invisible to the Loc-RIB. */
	assert_int_equal(loc_rib_update(lr, &q, &pa), 0);
	x.muted = true;
	assert_int_equal(loc_rib_withdraw(lr, &q, peers[0].id), 1);
	assert_non_null(loc_rib_rec_find(lr, &q));
	assert_int_equal(loc_rib_count(lr, 0), 0);
	assert_null(loc_rib_best(lr, &q));
	struct rib_mem_stats m;
	loc_rib_out_mem(lr, &m);
	assert_int_equal(m.items, 1);
	/* The session ends: the entry is stale, and the next flush (which
	 * passes every prefix) reclaims it and the record. */
	assert_int_equal(loc_rib_out_reset(lr, COLLECTOR), 0);
	assert_int_equal(loc_rib_peer_withdraw(lr, AF_INET, peers[1].id, NULL, 0, NULL), 0);
	assert_null(loc_rib_rec_find(lr, &q));
	loc_rib_out_mem(lr, &m);
	assert_int_equal(m.items, 0);
	assert_int_equal(a->refcnt, 1);
	/* A new path for it starts a fresh record. */
	x.muted = false;
	assert_int_equal(loc_rib_update(lr, &q, &pa), 0);
	assert_int_equal(loc_rib_count(lr, 0), 1);
	loc_rib_free(lr);
	assert_int_equal(a->refcnt, 1);
	bgp_attrs_unref(a);
}

static void test_session_generations(void **state)
{
	(void)state;
	struct exporter x;
	struct loc_rib *lr = mk(&x);
	struct prefix p = pfx("203.0.113.0/24");
	struct bgp_attrs *a = attrs(5);
	struct rib_path pa = path(0, a);
	assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	struct loc_rib_rec *r = loc_rib_rec_find(lr, &p);
	bool pending = false;
	assert_int_equal(out_st(lr, r, COLLECTOR, &pending), LOC_OUT_CUR);
	assert_true(pending); /* queued, the queue not yet seen empty */
	loc_rib_out_drained(lr, COLLECTOR);
	assert_int_equal(out_st(lr, r, COLLECTOR, &pending), LOC_OUT_CUR);
	assert_false(pending);
	/* Set again: pending again; a drain with nothing new set keeps
	 * the older entries as they are. */
	assert_int_equal(loc_rib_out_set(lr, r, COLLECTOR, true), 0);
	out_st(lr, r, COLLECTOR, &pending);
	assert_true(pending);
	loc_rib_out_drained(lr, COLLECTOR);
	loc_rib_out_drained(lr, COLLECTOR);
	out_st(lr, r, COLLECTOR, &pending);
	assert_false(pending);
	/* Another peer's entries do not move with this one's. */
	assert_int_equal(loc_rib_out_set(lr, r, 7, true), 0);
	/* The session ends: absent at once, for this peer only. */
	assert_int_equal(loc_rib_out_reset(lr, COLLECTOR), 0);
	assert_int_equal(out_st(lr, r, COLLECTOR, &pending), LOC_OUT_NONE);
	assert_false(pending);
	assert_int_equal(loc_rib_out_count(lr, COLLECTOR), 0);
	assert_int_equal(out_st(lr, r, 7, NULL), LOC_OUT_CUR);
	assert_int_equal(loc_rib_out_count(lr, 7), 1);
	/* The new session sends it again. */
	assert_int_equal(loc_rib_out_set(lr, r, COLLECTOR, true), 0);
	assert_int_equal(out_st(lr, r, COLLECTOR, NULL), LOC_OUT_CUR);
	assert_int_equal(loc_rib_out_count(lr, COLLECTOR), 1);
	struct rib_mem_stats m;
	loc_rib_out_mem(lr, &m);
	assert_int_equal(m.items, 2); /* the stale one was reclaimed when touched */
	assert_true(loc_rib_out_remove(lr, &p, 7));
	assert_false(loc_rib_out_remove(lr, &p, 7));
	assert_non_null(loc_rib_rec_find(lr, &p)); /* paths keep it */
	loc_rib_free(lr);
	assert_int_equal(a->refcnt, 1);
	bgp_attrs_unref(a);
}

static void test_loop_path_listed_not_chosen(void **state)
{
	(void)state;
	struct exporter x;
	struct loc_rib *lr = mk(&x);
	struct prefix p = pfx("203.0.113.0/24");
	struct bgp_attrs *a = attrs(1), *b = attrs(50);
	struct rib_path loop = path(0, a), pb = path(1, b);
	loop.as_loop = true;
	assert_false(rib_path_eligible(&loop));
	/* Only a loop path: stored, counted, no best, no event. */
	assert_int_equal(loc_rib_update(lr, &p, &loop), 0);
	assert_int_equal(x.calls, 0);
	assert_null(loc_rib_best(lr, &p));
	assert_int_equal(loc_rib_count(lr, AF_INET), 1);
	assert_int_equal(loc_rib_peer_routes(lr, peers[0].id, AF_INET), 1);
	/* A worse (higher MED) but loop-free path wins. */
	assert_int_equal(loc_rib_update(lr, &p, &pb), 0);
	assert_int_equal(x.calls, 1);
	assert_ptr_equal(loc_rib_best(lr, &p)->peer, &peers[1]);
	const struct rib_path *v[4];
	assert_int_equal(loc_rib_paths(lr, &p, v, 4), 2);
	struct loc_rib_explain ex[4];
	assert_int_equal(loc_rib_explain(lr, &p, ex, 4), 2);
	assert_int_equal(ex[1].lost_at, RIB_STEP_NEXTHOP);
	/* The peer's Adj-RIB-In lists it. */
	struct adj_rib_entry *e;
	size_t n;
	assert_int_equal(loc_rib_peer_entries(lr, peers[0].id, false, &e, &n), 0);
	assert_int_equal(n, 1);
	assert_ptr_equal(e[0].attrs, a);
	adj_rib_entries_free(e, n);
	/* The same peer without the loop: now a candidate, and the best. */
	struct rib_path clean = path(0, a);
	assert_int_equal(loc_rib_update(lr, &p, &clean), 0);
	assert_ptr_equal(loc_rib_best(lr, &p)->peer, &peers[0]);
	loc_rib_free(lr);
	bgp_attrs_unref(a);
	bgp_attrs_unref(b);
}

static void test_per_peer_counters(void **state)
{
	(void)state;
	struct exporter x;
	struct loc_rib *lr = mk(&x);
	struct bgp_attrs *a = attrs(1);
	struct rib_path p0 = path(0, a), p1 = path(1, a);
	for (unsigned i = 0; i < 30; i++) {
		struct prefix p = pfx_n(i);
		assert_int_equal(loc_rib_update(lr, &p, &p0), 0);
		if (i < 10)
			assert_int_equal(loc_rib_update(lr, &p, &p1), 0);
	}
	struct prefix v6 = pfx("2001:db8::/32");
	assert_int_equal(loc_rib_update(lr, &v6, &p0), 0);
	struct prefix again = pfx_n(3);
	assert_int_equal(loc_rib_update(lr, &again, &p0), 0); /* replaced: no change */
	assert_int_equal(loc_rib_peer_routes(lr, peers[0].id, AF_INET), 30);
	assert_int_equal(loc_rib_peer_routes(lr, peers[0].id, AF_INET6), 1);
	assert_int_equal(loc_rib_peer_routes(lr, peers[0].id, 0), 31);
	assert_int_equal(loc_rib_peer_routes(lr, peers[1].id, AF_INET), 10);
	assert_int_equal(loc_rib_peer_routes(lr, 77, 0), 0);
	/* A pseudo-peer with a large id (the cloud's static routes) is
	 * stored and chosen, not counted, never sent to. */
	static struct rib_peer pseudo = { .id = 0x40000005u, .router_id = 9 };
	struct rib_path ps = { .peer = &pseudo, .attrs = a, .nh_reachable = true };
	struct prefix sp = pfx("192.0.2.0/24");
	assert_int_equal(loc_rib_update(lr, &sp, &ps), 0);
	assert_ptr_equal(loc_rib_best(lr, &sp)->peer, &pseudo);
	assert_int_equal(loc_rib_peer_routes(lr, pseudo.id, 0), 0);
	assert_int_equal(loc_rib_out_set(lr, loc_rib_rec_find(lr, &sp), pseudo.id, true), -EINVAL);
	assert_int_equal(loc_rib_out_reset(lr, pseudo.id), -EINVAL);
	assert_int_equal(loc_rib_withdraw(lr, &sp, pseudo.id), 1);
	assert_int_equal(loc_rib_withdraw(lr, &again, peers[0].id), 1);
	assert_int_equal(loc_rib_withdraw(lr, &again, peers[0].id), 0);
	assert_int_equal(loc_rib_peer_routes(lr, peers[0].id, AF_INET), 29);
	assert_int_equal(loc_rib_peer_withdraw(lr, AF_INET, peers[0].id, NULL, 0, NULL), 0);
	assert_int_equal(loc_rib_peer_routes(lr, peers[0].id, AF_INET), 0);
	assert_int_equal(loc_rib_peer_routes(lr, peers[0].id, AF_INET6), 1);
	assert_int_equal(loc_rib_peer_routes(lr, peers[1].id, AF_INET), 10);
	assert_int_equal(loc_rib_count(lr, AF_INET), 10);
	loc_rib_free(lr);
	bgp_attrs_unref(a);
}

/* RFC 4724 4.2 stale sweep by arrival stamp: only the peer's paths
 * received up to the stamp go; one sent again since stays, and other
 * peers' paths are not touched. */
static void test_withdraw_older_sweeps_stale(void **state)
{
	(void)state;
	struct exporter x;
	struct loc_rib *lr = mk(&x);
	struct bgp_attrs *a = attrs(1);
	for (unsigned i = 0; i < 20; i++) {
		struct prefix p = pfx_n(i);
		struct rib_path p0 = path(0, a), p1 = path(1, a);
		p0.received = i + 1;
		p1.received = 100 + i;
		assert_int_equal(loc_rib_update(lr, &p, &p0), 0);
		if (i % 4 == 0)
			assert_int_equal(loc_rib_update(lr, &p, &p1), 0);
	}
	/* The session ended at stamp 20; prefix 3 comes again (stamp 21). */
	struct prefix again = pfx_n(3);
	struct rib_path fresh = path(0, a);
	fresh.received = 21;
	assert_int_equal(loc_rib_update(lr, &again, &fresh), 0);
	size_t removed = 0;
	struct prefix next;
	/* In slices of 7 prefixes. */
	const struct prefix *cur = NULL;
	int rc;
	while ((rc = loc_rib_peer_withdraw_older(lr, AF_INET, peers[0].id, 20, cur, 7, &next,
						 &removed)) == 1)
		cur = &next;
	assert_int_equal(rc, 0);
	assert_int_equal(removed, 19);
	assert_int_equal(loc_rib_peer_routes(lr, peers[0].id, 0), 1);
	assert_ptr_equal(loc_rib_best(lr, &again)->peer, &peers[0]);
	assert_int_equal(loc_rib_peer_routes(lr, peers[1].id, 0), 5);
	assert_int_equal(loc_rib_count(lr, AF_INET), 6); /* 0,3,4,8,12,16 */
	loc_rib_free(lr);
	assert_int_equal(a->refcnt, 1);
	bgp_attrs_unref(a);
}

struct seen {
	struct prefix last;
	bool any;
	unsigned n;
	unsigned hits[512];
	bool out;
};

static int seen_visit(void *arg, const struct prefix *p, const struct rib_path *path,
		      struct bgp_attrs *a)
{
	struct seen *s = arg;
	assert_non_null(a);
	assert_true(s->out ? path == NULL : path != NULL);
	if (s->any)
		assert_true(prefix_cmp(&s->last, p) < 0);
	s->last = *p;
	s->any = true;
	s->n++;
	unsigned k = (unsigned)p->addr.b[1] << 8 | p->addr.b[2];
	assert_true(k < 512);
	s->hits[k]++;
	return 0;
}

/* Slices of a per-peer walk resume after their cursor prefix while the
 * Loc-RIB changes between them: every prefix that stays is seen once, in
 * order, whatever was added or deleted around the cursor. */
static void test_peer_walk_sliced_across_changes(void **state)
{
	(void)state;
	for (int out = 0; out < 2; out++) {
		struct exporter x;
		struct loc_rib *lr = mk(&x);
		struct bgp_attrs *a = attrs(1);
		struct rib_path p0 = path(0, a), p1 = path(1, a);
		/* Peer 0 offers the even prefixes, peer 1 all. */
		for (unsigned i = 0; i < 400; i++) {
			struct prefix p = pfx_n(i);
			if (i % 2 == 0)
				assert_int_equal(loc_rib_update(lr, &p, &p0), 0);
			assert_int_equal(loc_rib_update(lr, &p, &p1), 0);
		}
		uint32_t who = out ? COLLECTOR : peers[0].id;
		struct seen s = { .out = out };
		bool removed[512] = { false };
		struct prefix cur;
		bool has = false;
		unsigned slices = 0;
		for (;;) {
			int rc = loc_rib_peer_walk(lr, AF_INET, who, out, has ? &cur : NULL, 37,
						   seen_visit, &s, &cur);
			assert_true(rc >= 0);
			slices++;
			/* Between slices: the prefix at the cursor and the
			 * next even one go, and one behind the cursor comes
			 * back from peer 0. */
			if (rc == 1) {
				unsigned k = (unsigned)cur.addr.b[1] << 8 | cur.addr.b[2];
				for (unsigned j = k; j <= k + 2 && j < 400; j += 2) {
					struct prefix gone = pfx_n(j);
					loc_rib_withdraw(lr, &gone, peers[1].id);
					loc_rib_withdraw(lr, &gone, peers[0].id);
					removed[j] = true;
				}
				if (k > 4) {
					struct prefix back = pfx_n(k - 3);
					assert_int_equal(loc_rib_update(lr, &back, &p0), 0);
				}
			}
			has = true;
			if (rc == 0)
				break;
		}
		assert_true(slices > 5);
		for (unsigned i = 0; i < 400; i++) {
			assert_true(s.hits[i] <= 1);
			/* Offered from the start and never removed: seen once. */
			if (!removed[i] && (out || i % 2 == 0))
				assert_int_equal(s.hits[i], 1);
		}
		assert_true(s.n > 150);
		loc_rib_free(lr);
		bgp_attrs_unref(a);
	}
}

/* A reload replaced the peer's export function: its entries still
 * count as sent but read as OLD (what exactly was sent is unknown),
 * pending as they were; set again they are CUR.  A session reset makes
 * them absent whatever their export generation. */
static void test_export_generations(void **state)
{
	(void)state;
	struct exporter x;
	struct loc_rib *lr = mk(&x);
	struct prefix p = pfx("203.0.113.0/24"), q = pfx("198.51.100.0/24");
	struct bgp_attrs *a = attrs(5);
	struct rib_path pa = path(0, a);
	assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	assert_int_equal(loc_rib_update(lr, &q, &pa), 0);
	struct loc_rib_rec *rp = loc_rib_rec_find(lr, &p), *rq = loc_rib_rec_find(lr, &q);
	bool pending = false;
	assert_int_equal(loc_rib_out_get(lr, rp, COLLECTOR, &pending), LOC_OUT_CUR);
	assert_true(pending);
	/* Changed while p is still queued: p stays pending. */
	assert_int_equal(loc_rib_out_export_changed(lr, COLLECTOR), 0);
	assert_int_equal(loc_rib_out_get(lr, rp, COLLECTOR, &pending), LOC_OUT_OLD);
	assert_true(pending);
	assert_int_equal(loc_rib_out_count(lr, COLLECTOR), 2);
	/* The queue empties: nothing pending, still OLD. */
	loc_rib_out_drained(lr, COLLECTOR);
	assert_int_equal(loc_rib_out_get(lr, rp, COLLECTOR, &pending), LOC_OUT_OLD);
	assert_false(pending);
	/* The re-export reaches p: CUR again, pending; q is not reached. */
	assert_int_equal(loc_rib_out_set(lr, rp, COLLECTOR, true), 0);
	assert_int_equal(loc_rib_out_get(lr, rp, COLLECTOR, &pending), LOC_OUT_CUR);
	assert_true(pending);
	assert_int_equal(loc_rib_out_get(lr, rq, COLLECTOR, &pending), LOC_OUT_OLD);
	assert_false(pending);
	/* Two changes in a row, then a drain: nothing pending, both OLD. */
	assert_int_equal(loc_rib_out_export_changed(lr, COLLECTOR), 0);
	assert_int_equal(loc_rib_out_export_changed(lr, COLLECTOR), 0);
	assert_int_equal(loc_rib_out_get(lr, rp, COLLECTOR, &pending), LOC_OUT_OLD);
	assert_true(pending);
	loc_rib_out_drained(lr, COLLECTOR);
	assert_int_equal(loc_rib_out_get(lr, rp, COLLECTOR, &pending), LOC_OUT_OLD);
	assert_false(pending);
	/* Another peer's entries are not touched by this one's change. */
	assert_int_equal(loc_rib_out_set(lr, rp, 7, true), 0);
	assert_int_equal(loc_rib_out_export_changed(lr, COLLECTOR), 0);
	assert_int_equal(loc_rib_out_get(lr, rp, 7, NULL), LOC_OUT_CUR);
	/* The session ends: absent, OLD or not. */
	assert_int_equal(loc_rib_out_reset(lr, COLLECTOR), 0);
	assert_int_equal(loc_rib_out_get(lr, rp, COLLECTOR, &pending), LOC_OUT_NONE);
	assert_false(pending);
	assert_int_equal(loc_rib_out_get(lr, rq, COLLECTOR, NULL), LOC_OUT_NONE);
	assert_int_equal(loc_rib_out_count(lr, COLLECTOR), 0);
	/* Pseudo-peers are never sent to. */
	assert_int_equal(loc_rib_out_export_changed(lr, 0x40000005u), -EINVAL);
	loc_rib_free(lr);
	assert_int_equal(a->refcnt, 1);
	bgp_attrs_unref(a);
}

/* A change of the best a peer could not be sent (loc_rib_out_unknown):
 * its entry reads OLD, sent but unknown, pending as it was, until it
 * is set again; an absent entry stays absent, another peer's entry is
 * not touched, and a session reset still makes it absent. */
static void test_unknown_entries(void **state)
{
	(void)state;
	struct exporter x;
	struct loc_rib *lr = mk(&x);
	struct prefix p = pfx("203.0.113.0/24"), q = pfx("198.51.100.0/24");
	struct bgp_attrs *a = attrs(5);
	struct rib_path pa = path(0, a);
	assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	assert_int_equal(loc_rib_update(lr, &q, &pa), 0);
	struct loc_rib_rec *rp = loc_rib_rec_find(lr, &p), *rq = loc_rib_rec_find(lr, &q);
	assert_int_equal(loc_rib_out_set(lr, rp, 7, true), 0);
	assert_int_equal(loc_rib_out_set(lr, rq, COLLECTOR, false), 0);
	loc_rib_out_drained(lr, COLLECTOR);
	bool pending = true;
	loc_rib_out_unknown(lr, rp, COLLECTOR);
	assert_int_equal(loc_rib_out_get(lr, rp, COLLECTOR, &pending), LOC_OUT_OLD);
	assert_false(pending);
	assert_int_equal(loc_rib_out_count(lr, COLLECTOR), 1);
	assert_int_equal(loc_rib_out_get(lr, rp, 7, NULL), LOC_OUT_CUR);
	loc_rib_out_unknown(lr, rq, COLLECTOR);
	assert_int_equal(loc_rib_out_get(lr, rq, COLLECTOR, NULL), LOC_OUT_NONE);
	loc_rib_out_unknown(lr, NULL, COLLECTOR);
	/* A drain or an export change leaves it unknown. */
	loc_rib_out_drained(lr, COLLECTOR);
	assert_int_equal(loc_rib_out_export_changed(lr, COLLECTOR), 0);
	assert_int_equal(loc_rib_out_get(lr, rp, COLLECTOR, NULL), LOC_OUT_OLD);
	/* Set again: current and pending. */
	assert_int_equal(loc_rib_out_set(lr, rp, COLLECTOR, true), 0);
	assert_int_equal(loc_rib_out_get(lr, rp, COLLECTOR, &pending), LOC_OUT_CUR);
	assert_true(pending);
	loc_rib_out_unknown(lr, rp, COLLECTOR);
	assert_int_equal(loc_rib_out_reset(lr, COLLECTOR), 0);
	assert_int_equal(loc_rib_out_get(lr, rp, COLLECTOR, NULL), LOC_OUT_NONE);
	loc_rib_free(lr);
	assert_int_equal(a->refcnt, 1);
	bgp_attrs_unref(a);
}

/* An out entry is 16 bytes and holds no reference: a million of them
 * (a full table to one peer) are 16 MB in the pool, and the sets are
 * held by the paths alone. */
static void test_entries_small_and_unreferencing(void **state)
{
	(void)state;
	struct exporter x;
	struct loc_rib *lr = mk(&x);
	struct bgp_attrs *a = attrs(1);
	struct rib_path pa = path(0, a);
	enum { N = 20000 }; /* enough slabs that the last one's slack is small */
	for (unsigned i = 0; i < N; i++) {
		struct prefix p = pfx_n(i);
		assert_int_equal(loc_rib_update(lr, &p, &pa), 0);
	}
	assert_int_equal(loc_rib_out_count(lr, COLLECTOR), N);
	assert_int_equal(a->refcnt, 1 + N);
	struct rib_mem_stats m;
	loc_rib_out_mem(lr, &m);
	assert_int_equal(m.items, N);
	assert_true(m.bytes >= N * 16);
	assert_true(m.bytes < N * 20);
	loc_rib_free(lr);
	assert_int_equal(a->refcnt, 1);
	bgp_attrs_unref(a);
}

/* The owner of the export rules reads entries as attributes, the export
 * of the best path now: a stand-in that sends b for the source a, and
 * nothing for a source from peers[1]. */
struct fake_export {
	struct bgp_attrs *a, *b;
	unsigned calls;
};

static int fake_export(void *arg, uint32_t peer_id, const struct prefix *p,
		       const struct loc_out_src *src, struct bgp_attrs **out)
{
	struct fake_export *f = arg;
	(void)p;
	assert_int_equal(peer_id, COLLECTOR);
	f->calls++;
	*out = NULL;
	if (src->peer_id == peers[1].id)
		return 0;
	*out = bgp_attrs_ref(src->attrs == f->a ? f->b : src->attrs);
	return 0;
}

static void test_entries_read_through_export(void **state)
{
	(void)state;
	struct exporter x;
	struct loc_rib *lr = mk(&x);
	struct bgp_attrs *a = attrs(1), *b = attrs(2);
	struct rib_path p0 = path(0, a), p1 = path(1, a);
	struct prefix p = pfx("10.0.0.0/24"), q = pfx("10.0.1.0/24"), v6 = pfx("2001:db8::/32");
	assert_int_equal(loc_rib_update(lr, &p, &p0), 0);
	assert_int_equal(loc_rib_update(lr, &q, &p1), 0);
	assert_int_equal(loc_rib_update(lr, &v6, &p0), 0);
	/* Without an export function: the best paths' sets as they are. */
	struct adj_rib_entry *e;
	size_t n;
	assert_int_equal(loc_rib_peer_entries(lr, COLLECTOR, true, &e, &n), 0);
	assert_int_equal(n, 3);
	assert_ptr_equal(e[0].attrs, a);
	adj_rib_entries_free(e, n);
	struct fake_export f = { a, b, 0 };
	loc_rib_out_export_set(lr, fake_export, &f);
	assert_int_equal(loc_rib_peer_entries(lr, COLLECTOR, true, &e, &n), 0);
	assert_int_equal(n, 2); /* q's source yields nothing now */
	assert_int_equal(prefix_cmp(&e[0].prefix, &p), 0);
	assert_ptr_equal(e[0].attrs, b);
	assert_int_equal(prefix_cmp(&e[1].prefix, &v6), 0);
	assert_ptr_equal(e[1].attrs, b);
	adj_rib_entries_free(e, n);
	assert_int_equal(f.calls, 3);
	/* The raw snapshot: the best paths now and whether the entries
	 * are current. */
	assert_int_equal(loc_rib_out_export_changed(lr, COLLECTOR), 0);
	assert_int_equal(loc_rib_out_set(lr, loc_rib_rec_find(lr, &v6), COLLECTOR, true), 0);
	struct loc_out_entry *oe;
	assert_int_equal(loc_rib_out_entries(lr, COLLECTOR, &oe, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(prefix_cmp(&oe[0].prefix, &p), 0);
	assert_ptr_equal(oe[0].src.attrs, a);
	assert_int_equal(oe[0].src.peer_id, peers[0].id);
	assert_false(oe[0].current);
	assert_int_equal(oe[1].src.peer_id, peers[1].id);
	assert_false(oe[1].current);
	assert_int_equal(prefix_cmp(&oe[2].prefix, &v6), 0);
	assert_true(oe[2].current);
	assert_int_equal(a->refcnt, 1 + 3 + 3); /* paths, snapshot */
	loc_rib_out_entries_free(oe, n);
	/* The best moves to another path: the entry reads as its export
	 * (q's was nothing from peers[1], now b from peers[0]'s a). */
	x.muted = true;
	assert_int_equal(loc_rib_update(lr, &q, &p0), 0);
	assert_int_equal(loc_rib_withdraw(lr, &q, peers[1].id), 1);
	assert_int_equal(loc_rib_peer_entries(lr, COLLECTOR, true, &e, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(prefix_cmp(&e[1].prefix, &q), 0);
	assert_ptr_equal(e[1].attrs, b);
	adj_rib_entries_free(e, n);
	/* Its best gone, an entry still live (the peer was not sent the
	 * change) has no export: the walk skips it, the snapshot lists it
	 * with no source so a re-send withdraws it. */
	assert_int_equal(loc_rib_withdraw(lr, &q, peers[0].id), 1);
	assert_int_equal(loc_rib_peer_entries(lr, COLLECTOR, true, &e, &n), 0);
	assert_int_equal(n, 2);
	adj_rib_entries_free(e, n);
	assert_int_equal(loc_rib_out_entries(lr, COLLECTOR, &oe, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(prefix_cmp(&oe[1].prefix, &q), 0);
	assert_null(oe[1].src.attrs);
	loc_rib_out_entries_free(oe, n);
	assert_int_equal(loc_rib_out_entries(lr, 77, &oe, &n), 0);
	assert_int_equal(n, 0);
	loc_rib_out_entries_free(oe, n);
	loc_rib_free(lr);
	assert_int_equal(a->refcnt, 1);
	assert_int_equal(b->refcnt, 1);
	bgp_attrs_unref(a);
	bgp_attrs_unref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_out_survives_reselection, setup),
		cmocka_unit_test_setup(test_record_reclaimed_with_prefix, setup),
		cmocka_unit_test_setup(test_session_generations, setup),
		cmocka_unit_test_setup(test_loop_path_listed_not_chosen, setup),
		cmocka_unit_test_setup(test_per_peer_counters, setup),
		cmocka_unit_test_setup(test_withdraw_older_sweeps_stale, setup),
		cmocka_unit_test_setup(test_peer_walk_sliced_across_changes, setup),
		cmocka_unit_test_setup(test_export_generations, setup),
		cmocka_unit_test_setup(test_unknown_entries, setup),
		cmocka_unit_test_setup(test_entries_small_and_unreferencing, setup),
		cmocka_unit_test_setup(test_entries_read_through_export, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
