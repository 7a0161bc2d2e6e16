#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/outq.h"

static const struct bgp_encode_ctx ectx = { .as4 = true, .ebgp = true, .max_msg = BGP_MAX_MSG };
static const struct bgp_decode_ctx dctx = {
	.as4 = true, .ebgp = true, .max_msg = BGP_MAX_MSG,
	.families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) | BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST),
};

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

static struct bgp_attrs *attrs_med(uint32_t med)
{
	struct bgp_attrs *a = bgp_attrs_new();
	uint8_t seg[6] = { BGP_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xe9 };
	a->origin = BGP_ORIGIN_IGP;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN);
	assert_int_equal(bgp_attrs_set_aspath(a, seg, sizeof(seg)), 0);
	struct addr v4, v6;
	addr_parse("192.0.2.1", &v4);
	a->nexthop = v4.v4;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	addr_parse("2001:db8::1", &v6);
	assert_int_equal(bgp_attrs_set_mp_nexthop(a, &v6, NULL), 0);
	a->med = med;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_MED);
	return a;
}

/* The messages in w, decoded. */
struct msgs {
	size_t n;
	uint8_t type[64];
	struct bgp_update u[64];
	struct bgp_route_refresh rr[64];
	uint16_t len[64];
};

static void parse(const struct wbuf *w, struct msgs *m)
{
	memset(m, 0, sizeof(*m));
	for (size_t o = 0; o < w->len;) {
		struct bgp_hdr h;
		struct bgp_notify err;
		assert_true(o + BGP_HEADER_LEN <= w->len);
		assert_int_equal(bgp_hdr_decode(w->data + o, BGP_MAX_MSG, &h, &err), 0);
		assert_true(o + h.len <= w->len);
		assert_true(m->n < 64);
		m->type[m->n] = h.type;
		m->len[m->n] = h.len;
		const uint8_t *body = w->data + o + BGP_HEADER_LEN;
		size_t blen = h.len - BGP_HEADER_LEN;
		if (h.type == BGP_MSG_UPDATE) {
			assert_int_equal(bgp_update_decode(body, blen, &dctx, &m->u[m->n]), 0);
			assert_int_equal(m->u[m->n].action, BGP_UPD_OK);
		} else {
			assert_int_equal(h.type, BGP_MSG_ROUTE_REFRESH);
			assert_int_equal(bgp_refresh_decode(body, blen, &m->rr[m->n], &err), 0);
		}
		m->n++;
		o += h.len;
	}
}

static void msgs_free(struct msgs *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->type[i] == BGP_MSG_UPDATE)
			bgp_update_free(&m->u[i]);
	free(m);
}

static struct msgs *drain_all(struct bgp_outq *q)
{
	struct wbuf w;
	wbuf_init(&w, 1 << 24);
	assert_int_equal(bgp_outq_drain(q, &ectx, &w, 1 << 23), 0);
	assert_true(bgp_outq_empty(q));
	struct msgs *m = malloc(sizeof(*m));
	parse(&w, m);
	wbuf_free(&w);
	return m;
}

static void test_withdrawals_first_then_groups(void **state)
{
	(void)state;
	struct bgp_outq *q = bgp_outq_new();
	struct bgp_attrs *a = attrs_med(10), *b = attrs_med(20), *a2 = attrs_med(10);
	struct prefix pa[3] = { pfx("10.0.1.0/24"), pfx("10.0.2.0/24"), pfx("10.0.3.0/24") };
	struct prefix pb[2] = { pfx("10.1.1.0/24"), pfx("10.1.2.0/24") };
	struct prefix wd[2] = { pfx("10.9.1.0/24"), pfx("10.9.2.0/24") };
	assert_int_equal(bgp_outq_announce(q, a, pa, 2), 0);
	assert_int_equal(bgp_outq_announce(q, b, pb, 2), 0);
	/* Equal attributes in another object join the same group. */
	assert_int_equal(bgp_outq_announce(q, a2, &pa[2], 1), 0);
	assert_int_equal(bgp_outq_withdraw(q, wd, 2), 0);
	struct msgs *m = drain_all(q);
	assert_int_equal(m->n, 3);
	assert_int_equal(m->u[0].n_withdrawn, 2);
	assert_int_equal(m->u[0].n_announced, 0);
	assert_int_equal(m->u[1].n_announced, 3);
	assert_int_equal(m->u[1].attrs->med, 10);
	assert_int_equal(m->u[2].n_announced, 2);
	assert_int_equal(m->u[2].attrs->med, 20);
	msgs_free(m);
	bgp_attrs_unref(a);
	bgp_attrs_unref(b);
	bgp_attrs_unref(a2);
	bgp_outq_free(q);
}

static void test_later_change_replaces_pending(void **state)
{
	(void)state;
	struct bgp_outq *q = bgp_outq_new();
	struct bgp_attrs *a = attrs_med(10), *b = attrs_med(20);
	struct prefix x = pfx("192.0.2.0/24"), y = pfx("198.51.100.0/24");
	bgp_outq_announce(q, a, &x, 1);
	bgp_outq_withdraw(q, &x, 1);   /* announce then withdraw: withdraw */
	bgp_outq_withdraw(q, &y, 1);
	bgp_outq_announce(q, a, &y, 1); /* withdraw then announce: announce */
	bgp_outq_announce(q, b, &y, 1); /* new attributes win */
	bgp_outq_withdraw(q, &x, 1);   /* no duplicate withdrawal */
	struct msgs *m = drain_all(q);
	assert_int_equal(m->n, 2);
	assert_int_equal(m->u[0].n_withdrawn, 1);
	assert_true(prefix_eq(&m->u[0].withdrawn[0], &x));
	assert_int_equal(m->u[1].n_announced, 1);
	assert_true(prefix_eq(&m->u[1].announced[0], &y));
	assert_int_equal(m->u[1].attrs->med, 20);
	msgs_free(m);
	bgp_attrs_unref(a);
	bgp_attrs_unref(b);
	bgp_outq_free(q);
}

static void test_markers_keep_their_place(void **state)
{
	(void)state;
	struct bgp_outq *q = bgp_outq_new();
	struct bgp_attrs *a = attrs_med(1);
	struct prefix x = pfx("192.0.2.0/24"), y = pfx("2001:db8:1::/48");
	bgp_outq_refresh(q, BGP_FAM_IPV6_UNICAST, BGP_RR_BORR);
	bgp_outq_announce(q, a, &x, 1);
	bgp_outq_announce(q, a, &y, 1);
	bgp_outq_eor(q, BGP_FAM_IPV4_UNICAST);
	bgp_outq_refresh(q, BGP_FAM_IPV6_UNICAST, BGP_RR_EORR);
	bgp_outq_withdraw(q, &x, 1);  /* after the marker: must not undo x */
	bgp_outq_eor(q, BGP_FAM_IPV6_UNICAST);
	struct msgs *m = drain_all(q);
	assert_int_equal(m->n, 7);
	assert_int_equal(m->type[0], BGP_MSG_ROUTE_REFRESH);
	assert_int_equal(m->rr[0].subtype, BGP_RR_BORR);
	assert_int_equal(m->rr[0].afi, BGP_AFI_IPV6);
	assert_int_equal(m->u[1].n_announced, 1);
	assert_true(prefix_eq(&m->u[1].announced[0], &x));
	assert_int_equal(m->u[2].n_announced, 1);
	assert_true(prefix_eq(&m->u[2].announced[0], &y));
	assert_true(m->u[3].end_of_rib);
	assert_int_equal(m->u[3].eor_family, BGP_FAM_IPV4_UNICAST);
	assert_int_equal(m->rr[4].subtype, BGP_RR_EORR);
	assert_int_equal(m->u[5].n_withdrawn, 1);
	assert_true(m->u[6].end_of_rib);
	assert_int_equal(m->u[6].eor_family, BGP_FAM_IPV6_UNICAST);
	msgs_free(m);
	bgp_attrs_unref(a);
	bgp_outq_free(q);
}

/* Big tables: packed into as few 4096-byte UPDATEs as fit, produced a
 * budget at a time, nothing lost or duplicated. */
static void test_packing_and_budget(void **state)
{
	(void)state;
	enum { N = 3000 };
	struct bgp_outq *q = bgp_outq_new();
	struct bgp_attrs *a = attrs_med(5);
	struct prefix *v = calloc(N, sizeof(*v));
	for (unsigned i = 0; i < N; i++)
		v[i] = pfx_n(i);
	assert_int_equal(bgp_outq_announce(q, a, v, N), 0);
	assert_int_equal(bgp_outq_withdraw(q, v, 10), 0); /* 10 become withdrawals */
	struct wbuf w;
	wbuf_init(&w, 1 << 22);
	unsigned rounds = 0;
	while (!bgp_outq_empty(q)) {
		size_t before = w.len;
		assert_int_equal(bgp_outq_drain(q, &ectx, &w, w.len + 8000), 0);
		/* At most one message past the budget. */
		assert_true(w.len - before < 8000 + BGP_MAX_MSG);
		assert_true(w.len > before);
		rounds++;
	}
	assert_true(rounds > 1);
	struct msgs *m = malloc(sizeof(*m));
	parse(&w, m);
	size_t ann = 0, wd = 0;
	for (size_t i = 0; i < m->n; i++) {
		assert_true(m->len[i] <= BGP_MAX_MSG);
		ann += m->u[i].n_announced;
		wd += m->u[i].n_withdrawn;
	}
	assert_int_equal(wd, 10);
	assert_int_equal(ann, N - 10);
	/* 4 bytes per /24: about 1000 per message, so a handful. */
	assert_true(m->n <= 5);
	msgs_free(m);
	wbuf_free(&w);
	free(v);
	bgp_attrs_unref(a);
	bgp_outq_free(q);
}

static void test_clear_releases_everything(void **state)
{
	(void)state;
	struct bgp_outq *q = bgp_outq_new();
	struct bgp_attrs *a = attrs_med(1);
	struct prefix x = pfx("192.0.2.0/24");
	bgp_outq_announce(q, a, &x, 1);
	bgp_outq_eor(q, BGP_FAM_IPV4_UNICAST);
	bgp_outq_announce(q, a, &x, 1);
	assert_int_equal(a->refcnt, 3);
	bgp_outq_clear(q);
	assert_true(bgp_outq_empty(q));
	assert_int_equal(a->refcnt, 1);
	bgp_outq_free(q);
	bgp_attrs_unref(a);
}

/* Applies every UPDATE in w to state[] (0 withdrawn, else the MED + 1
 * of the attributes announced), prefixes pfx_n(0..n-1). */
static void apply_msgs(const struct wbuf *w, uint32_t *state, unsigned n)
{
	for (size_t o = 0; o < w->len;) {
		struct bgp_hdr h;
		struct bgp_notify err;
		struct bgp_update u;
		assert_int_equal(bgp_hdr_decode(w->data + o, BGP_MAX_MSG, &h, &err), 0);
		assert_int_equal(h.type, BGP_MSG_UPDATE);
		assert_int_equal(bgp_update_decode(w->data + o + BGP_HEADER_LEN,
						   h.len - BGP_HEADER_LEN, &dctx, &u), 0);
		for (size_t i = 0; i < u.n_withdrawn; i++) {
			unsigned k = (unsigned)u.withdrawn[i].addr.b[1] << 8 | u.withdrawn[i].addr.b[2];
			assert_true(k < n);
			state[k] = 0;
			/* RFC 7606 5.3: never withdrawn and announced in one
			 * UPDATE. */
			for (size_t j = 0; j < u.n_announced; j++)
				assert_false(prefix_eq(&u.withdrawn[i], &u.announced[j]));
		}
		for (size_t i = 0; i < u.n_announced; i++) {
			unsigned k = (unsigned)u.announced[i].addr.b[1] << 8 | u.announced[i].addr.b[2];
			assert_true(k < n);
			state[k] = u.attrs->med + 1;
		}
		bgp_update_free(&u);
		o += h.len;
	}
}

/* The indexed replace (built on the first non-fresh call) against a
 * model: thousands of random announces, withdrawals and small partial
 * drains; what the peer ends up with is the last word on every prefix. */
static void test_replace_matches_model(void **state)
{
	(void)state;
	enum { N = 3000, OPS = 40000 };
	struct bgp_outq *q = bgp_outq_new();
	struct bgp_attrs *a[4];
	for (unsigned i = 0; i < 4; i++)
		a[i] = attrs_med(i * 10);
	uint32_t *want = calloc(N, sizeof(*want)), *got = calloc(N, sizeof(*got));
	bool *pending = calloc(N, sizeof(*pending));
	assert_non_null(want);
	assert_non_null(got);
	assert_non_null(pending);
	struct wbuf w;
	wbuf_init(&w, 1 << 24);
	srand(7);
	/* A table sent fresh first, so the index is built over a batch that
	 * already holds thousands of prefixes. */
	for (unsigned k = 0; k < N; k++) {
		struct prefix p = pfx_n(k);
		assert_int_equal(bgp_outq_announce_fresh(q, a[k % 4], &p, 1), 0);
		want[k] = (k % 4) * 10 + 1;
		pending[k] = true;
	}
	for (unsigned op = 0; op < OPS; op++) {
		unsigned k = (unsigned)rand() % N, r = (unsigned)rand() % 100;
		struct prefix p = pfx_n(k);
		if (r < 45) {
			unsigned ai = (unsigned)rand() % 4;
			if (!pending[k] && r < 10)
				assert_int_equal(bgp_outq_announce_fresh(q, a[ai], &p, 1), 0);
			else
				assert_int_equal(bgp_outq_announce(q, a[ai], &p, 1), 0);
			want[k] = ai * 10 + 1;
			pending[k] = true;
		} else if (r < 90) {
			if (!pending[k] && r < 55)
				assert_int_equal(bgp_outq_withdraw_fresh(q, &p, 1), 0);
			else
				assert_int_equal(bgp_outq_withdraw(q, &p, 1), 0);
			want[k] = 0;
			pending[k] = true;
		} else if (r < 92) {
			/* Send a little: what went out is no longer pending. */
			wbuf_reset(&w);
			assert_int_equal(bgp_outq_drain(q, &ectx, &w, 200), 0);
			apply_msgs(&w, got, N);
			if (bgp_outq_empty(q))
				memset(pending, 0, N * sizeof(*pending));
		}
	}
	wbuf_reset(&w);
	assert_int_equal(bgp_outq_drain(q, &ectx, &w, 1 << 23), 0);
	assert_true(bgp_outq_empty(q));
	apply_msgs(&w, got, N);
	for (unsigned k = 0; k < N; k++)
		if (got[k] != want[k])
			fail_msg("prefix %u: peer has %u, last queued %u", k, got[k], want[k]);
	wbuf_free(&w);
	free(want);
	free(got);
	free(pending);
	for (unsigned i = 0; i < 4; i++)
		bgp_attrs_unref(a[i]);
	bgp_outq_free(q);
}

/* The daemon's rule (daemon/sync.c, rib/loc_rib_out.h): an
 * announcement goes fresh whenever no announcement of the prefix is
 * pending, even if a withdrawal is; a withdrawal goes fresh when nothing
 * is.  A pending withdrawal followed by a fresh announcement must end
 * announced at the receiver, in separate UPDATEs, whether the batch is
 * indexed later (a searched call after them) or never. */
static void test_fresh_announce_after_pending_withdrawal(void **state)
{
	(void)state;
	struct bgp_attrs *a = attrs_med(10), *b = attrs_med(20);
	for (int indexed = 0; indexed < 3; indexed++) {
		struct bgp_outq *q = bgp_outq_new();
		struct prefix x = pfx_n(1), y = pfx_n(2), z = pfx_n(3);
		uint32_t got[4] = {0};
		struct wbuf w;
		wbuf_init(&w, 1 << 20);
		assert_int_equal(bgp_outq_announce_fresh(q, a, &x, 1), 0);
		assert_int_equal(bgp_outq_announce_fresh(q, a, &y, 1), 0);
		assert_int_equal(bgp_outq_drain(q, &ectx, &w, 1 << 19), 0);
		apply_msgs(&w, got, 4);
		assert_int_equal(got[1], 11);
		/* x: withdrawn (pending), then announced fresh. */
		assert_int_equal(bgp_outq_withdraw_fresh(q, &x, 1), 0);
		if (indexed == 2) /* the index exists before the fresh call */
			assert_int_equal(bgp_outq_announce(q, a, &z, 1), 0);
		assert_int_equal(bgp_outq_announce_fresh(q, b, &x, 1), 0);
		if (indexed == 1) /* the index is built over both */
			assert_int_equal(bgp_outq_announce(q, a, &z, 1), 0);
		if (indexed) {
			/* A searched withdrawal of y and a re-announcement
			 * of x must find their one place each. */
			assert_int_equal(bgp_outq_withdraw(q, &y, 1), 0);
			assert_int_equal(bgp_outq_announce(q, a, &x, 1), 0);
		}
		wbuf_reset(&w);
		assert_int_equal(bgp_outq_drain(q, &ectx, &w, 1 << 19), 0);
		assert_true(bgp_outq_empty(q));
		apply_msgs(&w, got, 4);
		assert_int_equal(got[1], indexed ? 11 : 21);
		assert_int_equal(got[2], indexed ? 0 : 11);
		assert_int_equal(got[3], indexed ? 11 : 0);
		wbuf_free(&w);
		bgp_outq_free(q);
	}
	bgp_attrs_unref(a);
	bgp_attrs_unref(b);
}

/* The batch gets indexed while a withdrawal and a fresh announcement of
 * the same prefix wait in it; later searched changes of other prefixes
 * move entries around and must not lose any. */
static void test_index_over_withdrawal_and_fresh_announce(void **state)
{
	(void)state;
	struct bgp_attrs *a = attrs_med(10), *b = attrs_med(20);
	struct bgp_outq *q = bgp_outq_new();
	struct prefix x = pfx_n(1), qq = pfx_n(2), m = pfx_n(3), z = pfx_n(4);
	uint32_t got[5] = {0};
	struct wbuf w;
	wbuf_init(&w, 1 << 20);
	assert_int_equal(bgp_outq_announce_fresh(q, a, &x, 1), 0);
	assert_int_equal(bgp_outq_announce_fresh(q, a, &qq, 1), 0);
	assert_int_equal(bgp_outq_drain(q, &ectx, &w, 1 << 19), 0);
	apply_msgs(&w, got, 5);
	assert_int_equal(bgp_outq_withdraw_fresh(q, &qq, 1), 0);
	assert_int_equal(bgp_outq_withdraw_fresh(q, &x, 1), 0);
	assert_int_equal(bgp_outq_announce_fresh(q, b, &m, 1), 0);
	assert_int_equal(bgp_outq_announce_fresh(q, b, &x, 1), 0);
	assert_int_equal(bgp_outq_announce(q, a, &z, 1), 0); /* builds the index */
	assert_int_equal(bgp_outq_announce(q, a, &qq, 1), 0); /* replaces qq's withdrawal */
	assert_int_equal(bgp_outq_withdraw(q, &x, 1), 0);     /* replaces x's announcement */
	wbuf_reset(&w);
	assert_int_equal(bgp_outq_drain(q, &ectx, &w, 1 << 19), 0);
	assert_true(bgp_outq_empty(q));
	apply_msgs(&w, got, 5);
	assert_int_equal(got[1], 0);
	assert_int_equal(got[2], 11);
	assert_int_equal(got[3], 21);
	assert_int_equal(got[4], 11);
	wbuf_free(&w);
	bgp_outq_free(q);
	bgp_attrs_unref(a);
	bgp_attrs_unref(b);
}

/* test_replace_matches_model with the daemon's rule for fresh calls. */
static void test_out_entry_rule_matches_model(void **state)
{
	(void)state;
	enum { N = 2000, OPS = 40000 };
	struct bgp_outq *q = bgp_outq_new();
	struct bgp_attrs *a[4];
	for (unsigned i = 0; i < 4; i++)
		a[i] = attrs_med(i * 10);
	uint32_t *want = calloc(N, sizeof(*want)), *got = calloc(N, sizeof(*got));
	uint8_t *pend = calloc(N, 1); /* 0 nothing, 1 announcement, 2 withdrawal */
	assert_non_null(want);
	assert_non_null(got);
	assert_non_null(pend);
	struct wbuf w;
	wbuf_init(&w, 1 << 24);
	srand(11);
	for (unsigned op = 0; op < OPS; op++) {
		unsigned k = (unsigned)rand() % N, r = (unsigned)rand() % 100;
		struct prefix p = pfx_n(k);
		if (r < 50) {
			unsigned ai = (unsigned)rand() % 4;
			if (pend[k] != 1)
				assert_int_equal(bgp_outq_announce_fresh(q, a[ai], &p, 1), 0);
			else
				assert_int_equal(bgp_outq_announce(q, a[ai], &p, 1), 0);
			want[k] = ai * 10 + 1;
			pend[k] = 1;
		} else if (r < 95) {
			if (!want[k])
				continue; /* only what was announced is withdrawn */
			if (pend[k] == 0)
				assert_int_equal(bgp_outq_withdraw_fresh(q, &p, 1), 0);
			else
				assert_int_equal(bgp_outq_withdraw(q, &p, 1), 0);
			want[k] = 0;
			pend[k] = 2;
		} else {
			wbuf_reset(&w);
			assert_int_equal(bgp_outq_drain(q, &ectx, &w, 300), 0);
			apply_msgs(&w, got, N);
			if (bgp_outq_empty(q))
				memset(pend, 0, N);
		}
	}
	wbuf_reset(&w);
	assert_int_equal(bgp_outq_drain(q, &ectx, &w, 1 << 23), 0);
	assert_true(bgp_outq_empty(q));
	apply_msgs(&w, got, N);
	for (unsigned k = 0; k < N; k++)
		if (got[k] != want[k])
			fail_msg("prefix %u: peer has %u, last queued %u", k, got[k], want[k]);
	wbuf_free(&w);
	free(want);
	free(got);
	free(pend);
	for (unsigned i = 0; i < 4; i++)
		bgp_attrs_unref(a[i]);
	bgp_outq_free(q);
}

/* A batch that stays open (routes keep coming faster than they drain,
 * as a full table to a new peer) gives back the places of its sent
 * groups: the queue's memory follows what waits in it, not everything
 * it ever held, and every route still arrives with its attributes. */
static void test_open_batch_gives_back_sent_groups(void **state)
{
	(void)state;
	enum { G = 20000, PER_ROUND = 10 };
	struct bgp_outq *q = bgp_outq_new();
	uint32_t *got = calloc(2 * G, sizeof(*got));
	struct wbuf w;
	wbuf_init(&w, 1 << 24);
	size_t routes = 0, bytes = 0, worst = 0;
	for (unsigned g = 0; g < G; g++) {
		struct bgp_attrs *a = attrs_med(g);
		struct prefix two[2] = { pfx_n(2 * g), pfx_n(2 * g + 1) };
		assert_int_equal(bgp_outq_announce_fresh(q, a, two, 2), 0);
		bgp_attrs_unref(a);
		if (g % PER_ROUND != PER_ROUND - 1)
			continue;
		/* Somewhat less than a round's worth of UPDATEs. */
		assert_int_equal(bgp_outq_drain(q, &ectx, &w, w.len + 500), 0);
		assert_false(bgp_outq_empty(q));
		bgp_outq_mem(q, &routes, &bytes);
		if (bytes > worst)
			worst = bytes;
	}
	/* Thousands of routes still wait, every one sent before them
	 * is gone from the queue. */
	assert_true(routes > 1000 && routes < G);
	/* 105 bytes a waiting route here; 450 when the array kept
	 * every group. */
	assert_true(worst < 200 * routes);
	assert_int_equal(bgp_outq_drain(q, &ectx, &w, w.len + (1 << 23)), 0);
	assert_true(bgp_outq_empty(q));
	bgp_outq_mem(q, &routes, &bytes);
	assert_int_equal(routes, 0);
	apply_msgs(&w, got, 2 * G);
	for (unsigned i = 0; i < 2 * G; i++)
		assert_int_equal(got[i], i / 2 + 1);
	wbuf_free(&w);
	free(got);
	bgp_outq_free(q);
}

/* The same for withdrawals: a full table withdrawn faster than the
 * socket drains keeps in memory what waits, not what went. */
static void test_open_batch_gives_back_sent_withdrawals(void **state)
{
	(void)state;
	enum { N = 60000, PER_ROUND = 1200 };
	struct bgp_outq *q = bgp_outq_new();
	uint32_t *got = malloc(N * sizeof(*got));
	for (unsigned i = 0; i < N; i++)
		got[i] = 1;
	struct wbuf w;
	wbuf_init(&w, 1 << 24);
	size_t routes = 0, bytes = 0, worst = 0;
	for (unsigned i = 0; i < N; i += PER_ROUND) {
		for (unsigned k = i; k < i + PER_ROUND && k < N; k++) {
			struct prefix p = pfx_n(k);
			assert_int_equal(bgp_outq_withdraw_fresh(q, &p, 1), 0);
		}
		/* One UPDATE (about 1,000 /24s) a round. */
		assert_int_equal(bgp_outq_drain(q, &ectx, &w, w.len + 1), 0);
		assert_false(bgp_outq_empty(q));
		bgp_outq_mem(q, &routes, &bytes);
		if (bytes > worst)
			worst = bytes;
	}
	assert_true(routes > 1000 && routes < N / 2);
	/* 86 bytes a waiting route here, 173 when the vector kept
	 * every withdrawal. */
	assert_true(worst < 120 * routes);
	assert_int_equal(bgp_outq_drain(q, &ectx, &w, w.len + (1 << 23)), 0);
	assert_true(bgp_outq_empty(q));
	apply_msgs(&w, got, N);
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(got[i], 0);
	wbuf_free(&w);
	free(got);
	bgp_outq_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_withdrawals_first_then_groups),
		cmocka_unit_test(test_later_change_replaces_pending),
		cmocka_unit_test(test_markers_keep_their_place),
		cmocka_unit_test(test_packing_and_budget),
		cmocka_unit_test(test_clear_releases_everything),
		cmocka_unit_test(test_replace_matches_model),
		cmocka_unit_test(test_fresh_announce_after_pending_withdrawal),
		cmocka_unit_test(test_index_over_withdrawal_and_fresh_announce),
		cmocka_unit_test(test_out_entry_rule_matches_model),
		cmocka_unit_test(test_open_batch_gives_back_sent_groups),
		cmocka_unit_test(test_open_batch_gives_back_sent_withdrawals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
