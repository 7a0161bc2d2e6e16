/* The prefix trie (src/rib/trie.c) driven by a byte string and checked
 * against a brute-force model: a sorted array of (prefix, value).
 * Shared by the fuzz target (tests/fuzz/fuzz_trie.c) and the unit test
 * (tests/unit/rib/test_trie_model.c), which feeds it pseudo-random bytes
 * and a few hand-shaped tables.  Any disagreement prints what differed
 * and aborts.
 *
 * Every operation of rib/trie.h is covered: insert, insert_or_get,
 * lookup, lookup_slot (writing through the slot), longest match, delete,
 * lookup_pos + delete_pos, sliced walks with inserts and deletes between
 * the slices, and bulk operations that grow a table past the first-level
 * index (TRIE_INDEX_MIN) and fill one /16 with host routes (a sorted
 * array past TRIE_BUCKET_MAX becomes a sub-trie). */
#ifndef EGRESS_TESTS_TRIE_MODEL_H
#define EGRESS_TESTS_TRIE_MODEL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rib/trie.h"

/* Bulk inserts stop once the model holds this many prefixes (the fuzz
 * target sets it lower for speed; past TRIE_INDEX_MIN either way). */
#ifndef TM_BULK_LIMIT
#define TM_BULK_LIMIT 32768
#endif

#define TM_CHECK(c)                                                                        \
	do {                                                                               \
		if (!(c)) {                                                                \
			fprintf(stderr, "%s:%d: trie model: %s\n", __FILE__, __LINE__, #c); \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* Values are addresses in this array, never NULL. */
static char tm_vals[256];
#define TM_V(i) ((void *)&tm_vals[(i) & 0xff])

struct tm_ent {
	struct prefix p;
	void *v;
};

struct tm {
	struct trie t;
	struct tm_ent *e; /* sorted by prefix_cmp, IPv4 before IPv6 */
	size_t n, cap;
	const uint8_t *in; /* the operations */
	size_t len, at;
	size_t steps;
};

static int tm_cmp(const struct prefix *a, const struct prefix *b)
{
	if (a->addr.af != b->addr.af)
		return a->addr.af == AF_INET ? -1 : 1;
	return prefix_cmp(a, b);
}

static int tm_pfx_cmp(const void *a, const void *b) { return tm_cmp(a, b); }

static int tm_ent_cmp(const void *a, const void *b)
{
	return tm_cmp(&((const struct tm_ent *)a)->p, &((const struct tm_ent *)b)->p);
}

/* Position of p among the first n model entries (sorted), or where it
 * would go; *found. */
static size_t tm_find_in(const struct tm *m, size_t n, const struct prefix *p, bool *found)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (tm_cmp(&m->e[mid].p, p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < n && tm_cmp(&m->e[lo].p, p) == 0;
	return lo;
}

static size_t tm_find(const struct tm *m, const struct prefix *p, bool *found)
{
	return tm_find_in(m, m->n, p, found);
}

static void *tm_get(const struct tm *m, const struct prefix *p)
{
	bool f;
	size_t i = tm_find(m, p, &f);
	return f ? m->e[i].v : NULL;
}

static void tm_grow(struct tm *m, size_t need)
{
	if (need <= m->cap)
		return;
	size_t cap = m->cap ? m->cap : 64;
	while (cap < need)
		cap *= 2;
	m->e = realloc(m->e, cap * sizeof(*m->e));
	TM_CHECK(m->e != NULL);
	m->cap = cap;
}

/* 1 new, 0 replaced. */
static int tm_set(struct tm *m, const struct prefix *p, void *v)
{
	bool f;
	size_t i = tm_find(m, p, &f);
	if (f) {
		m->e[i].v = v;
		return 0;
	}
	tm_grow(m, m->n + 1);
	memmove(&m->e[i + 1], &m->e[i], (m->n - i) * sizeof(*m->e));
	m->e[i] = (struct tm_ent){ *p, v };
	m->n++;
	return 1;
}

static void *tm_del(struct tm *m, const struct prefix *p)
{
	bool f;
	size_t i = tm_find(m, p, &f);
	if (!f)
		return NULL;
	void *v = m->e[i].v;
	memmove(&m->e[i], &m->e[i + 1], (m->n - i - 1) * sizeof(*m->e));
	m->n--;
	return v;
}

static size_t tm_count(const struct tm *m, int af)
{
	size_t c = 0;
	for (size_t i = 0; i < m->n; i++)
		c += m->e[i].p.addr.af == af;
	return c;
}

/* Longest prefix of the model covering p: one search per length. */
static const struct tm_ent *tm_match(const struct tm *m, const struct prefix *p)
{
	for (int l = p->len; l >= 0; l--) {
		struct prefix c = *p;
		c.len = (uint8_t)l;
		prefix_mask(&c);
		bool f;
		size_t i = tm_find(m, &c, &f);
		if (f)
			return &m->e[i];
	}
	return NULL;
}

static unsigned tm_byte(struct tm *m)
{
	return m->at < m->len ? m->in[m->at++] : 0;
}

static bool tm_more(const struct tm *m) { return m->at < m->len; }

/* A prefix from the input, drawn so that prefixes often meet: IPv4 in
 * a few /8s and /16s (some first-level index slots, some nesting), or
 * anywhere; IPv6 under 2001:db8::/32 or anywhere.  Host bits cleared. */
static struct prefix tm_prefix(struct tm *m)
{
	unsigned shape = tm_byte(m);
	struct prefix p;
	memset(&p, 0, sizeof(p));
	bool v6 = shape & 1;
	p.addr.af = v6 ? AF_INET6 : AF_INET;
	unsigned bits = addr_bits(p.addr.af);
	p.len = (uint8_t)(tm_byte(m) % (bits + 1));
	if ((shape & 6) == 0 && p.len < bits - 8)
		p.len = (uint8_t)(bits - 8 + (shape >> 4) % 9); /* long ones are common */
	unsigned a = tm_byte(m), b = tm_byte(m), c = tm_byte(m);
	if (!v6) {
		bool spread = (shape & 0x18) == 0x18;
		p.addr.b[0] = (uint8_t)(spread ? a : 10 + a % 2);
		p.addr.b[1] = (uint8_t)(spread ? b : b % 4);
		p.addr.b[2] = (uint8_t)(spread ? c : c % 8);
		p.addr.b[3] = (uint8_t)(shape >> 5 ? c * 37u : 0);
	} else {
		bool spread = (shape & 0x18) == 0x18;
		uint8_t base[4] = { 0x20, 0x01, 0x0d, 0xb8 };
		for (int i = 0; i < 4; i++)
			p.addr.b[i] = spread ? (uint8_t)(a * (i + 1) + b) : base[i];
		p.addr.b[4] = (uint8_t)(a % 4);
		p.addr.b[5] = (uint8_t)b;
		p.addr.b[15] = (uint8_t)c;
	}
	prefix_mask(&p);
	return p;
}

struct tm_walk {
	struct tm *m;
	struct prefix *seen;
	size_t n, cap;
	bool have_last;
	struct prefix last;
};

static int tm_walk_visit(void *arg, const struct prefix *p, void *value)
{
	struct tm_walk *w = arg;
	/* Strictly increasing across slices, and present with its value. */
	TM_CHECK(!w->have_last || tm_cmp(&w->last, p) < 0);
	TM_CHECK(tm_get(w->m, p) == value && value != NULL);
	w->last = *p;
	w->have_last = true;
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 256;
		w->seen = realloc(w->seen, w->cap * sizeof(*w->seen));
		TM_CHECK(w->seen != NULL);
	}
	w->seen[w->n++] = *p;
	return 0;
}

/* The whole trie equals the model: counts, a full walk per family, and
 * every model prefix found by lookup. */
static void tm_compare(struct tm *m)
{
	TM_CHECK(trie_count(&m->t, AF_INET) == tm_count(m, AF_INET));
	TM_CHECK(trie_count(&m->t, AF_INET6) == tm_count(m, AF_INET6));
	struct tm_walk w = { .m = m };
	TM_CHECK(trie_walk(&m->t, AF_INET, NULL, 0, tm_walk_visit, &w, NULL) == 0);
	w.have_last = false;
	TM_CHECK(trie_walk(&m->t, AF_INET6, NULL, 0, tm_walk_visit, &w, NULL) == 0);
	TM_CHECK(w.n == m->n);
	for (size_t i = 0; i < m->n; i++) {
		TM_CHECK(prefix_eq(&w.seen[i], &m->e[i].p));
		TM_CHECK(trie_lookup(&m->t, &m->e[i].p) == m->e[i].v);
	}
	free(w.seen);
}

/* One random insert or delete between walk slices; remembers deletes. */
static void tm_mutate(struct tm *m, struct prefix **gone, size_t *n_gone, size_t *cap_gone)
{
	struct prefix p = tm_prefix(m);
	if (tm_byte(m) & 1) {
		void *v = TM_V(tm_byte(m));
		TM_CHECK(trie_insert(&m->t, &p, v) == tm_set(m, &p, v));
	} else {
		void *v = tm_del(m, &p);
		TM_CHECK(trie_delete(&m->t, &p) == v);
		if (v) {
			if (*n_gone == *cap_gone) {
				*cap_gone = *cap_gone ? 2 * *cap_gone : 64;
				*gone = realloc(*gone, *cap_gone * sizeof(**gone));
				TM_CHECK(*gone != NULL);
			}
			(*gone)[(*n_gone)++] = p;
		}
	}
}

/* A sliced walk of one family with the trie changing between slices:
 * everything present from start to end is visited exactly once, in
 * order, and nothing absent at the time is. */
static void tm_sliced_walk(struct tm *m, int af, size_t budget)
{
	struct tm before = { .n = 0 };
	for (size_t i = 0; i < m->n; i++)
		if (m->e[i].p.addr.af == af) {
			tm_grow(&before, before.n + 1);
			before.e[before.n++] = m->e[i];
		}
	struct prefix *gone = NULL;
	size_t n_gone = 0, cap_gone = 0;
	struct tm_walk w = { .m = m };
	struct prefix cur;
	int rc;
	bool first = true;
	do {
		rc = trie_walk(&m->t, af, first ? NULL : &cur, budget, tm_walk_visit, &w, &cur);
		TM_CHECK(rc == 0 || rc == 1);
		first = false;
		/* Sometimes the cursor itself goes before the next slice. */
		if (rc == 1 && tm_more(m) && (tm_byte(m) % 4) == 0 && tm_get(m, &cur)) {
			TM_CHECK(trie_delete(&m->t, &cur) == tm_del(m, &cur));
			if (n_gone == cap_gone) {
				cap_gone = cap_gone ? 2 * cap_gone : 64;
				gone = realloc(gone, cap_gone * sizeof(*gone));
				TM_CHECK(gone != NULL);
			}
			gone[n_gone++] = cur;
		}
		if (rc == 1 && tm_more(m))
			tm_mutate(m, &gone, &n_gone, &cap_gone);
	} while (rc == 1);
	/* Everything there before and never deleted was seen. */
	if (n_gone)
		qsort(gone, n_gone, sizeof(*gone), tm_pfx_cmp);
	for (size_t i = 0, j = 0; i < before.n; i++) {
		if (n_gone && bsearch(&before.e[i].p, gone, n_gone, sizeof(*gone), tm_pfx_cmp))
			continue;
		while (j < w.n && tm_cmp(&w.seen[j], &before.e[i].p) < 0)
			j++;
		TM_CHECK(j < w.n && prefix_eq(&w.seen[j], &before.e[i].p));
	}
	free(before.e);
	free(gone);
	free(w.seen);
}

/* n consecutive prefixes of length len from p's address on (host
 * routes fill a /16 this way), into both; or out of both. */
static void tm_bulk(struct tm *m, struct prefix p, unsigned len, size_t n, bool del)
{
	/* Big enough for the index and a converted slot; bounded so that
	 * one input stays well under the fuzzer's time limit. */
	if (p.addr.af != AF_INET || (!del && m->n > TM_BULK_LIMIT))
		return;
	uint32_t a = ((uint32_t)p.addr.b[0] << 24) | ((uint32_t)p.addr.b[1] << 16) |
		     ((uint32_t)p.addr.b[2] << 8) | p.addr.b[3];
	uint32_t step = len ? (uint32_t)1 << (32 - len) : 0;
	if (!step)
		n = 1;
	a &= len == 0 ? 0 : len == 32 ? UINT32_MAX : ~(UINT32_MAX >> len);
	if ((uint64_t)a + (uint64_t)n * step > ((uint64_t)1 << 32))
		n = (size_t)((((uint64_t)1 << 32) - a) / (step ? step : 1));
	size_t sorted = m->n;
	for (size_t i = 0; i < n; i++) {
		struct prefix q;
		memset(&q, 0, sizeof(q));
		addr_from_v4(&q.addr, a + (uint32_t)i * step);
		q.len = (uint8_t)len;
		bool f;
		size_t at = tm_find_in(m, sorted, &q, &f);
		if (del) {
			/* Marked now (value NULL), dropped in one pass below. */
			TM_CHECK(trie_delete(&m->t, &q) == (f ? m->e[at].v : NULL));
			if (f)
				m->e[at].v = NULL;
			continue;
		}
		void *v = TM_V(i);
		TM_CHECK(trie_insert(&m->t, &q, v) == (f ? 0 : 1));
		if (f) {
			m->e[at].v = v;
		} else {
			/* Appended now, sorted once at the end. */
			tm_grow(m, m->n + 1);
			m->e[m->n++] = (struct tm_ent){ q, v };
		}
	}
	if (del) {
		size_t k = 0;
		for (size_t i = 0; i < m->n; i++)
			if (m->e[i].v)
				m->e[k++] = m->e[i];
		m->n = k;
	} else if (m->n > sorted) {
		qsort(m->e, m->n, sizeof(*m->e), tm_ent_cmp);
	}
}

/* One operation from the input. */
static void tm_step(struct tm *m)
{
	unsigned op = tm_byte(m) % 12;
	struct prefix p = tm_prefix(m);
	void *v = TM_V(tm_byte(m));
	switch (op) {
	case 0:
	case 1:
		TM_CHECK(trie_insert(&m->t, &p, v) == tm_set(m, &p, v));
		break;
	case 2: {
		void **slot = NULL;
		void *old = tm_get(m, &p);
		int rc = trie_insert_or_get(&m->t, &p, v, &slot);
		TM_CHECK(rc == (old ? 0 : 1));
		TM_CHECK(*slot == (old ? old : v));
		if (!old)
			tm_set(m, &p, v);
		break;
	}
	case 3:
		TM_CHECK(trie_lookup(&m->t, &p) == tm_get(m, &p));
		break;
	case 4: {
		void **slot = trie_lookup_slot(&m->t, &p);
		TM_CHECK((slot != NULL) == (tm_get(m, &p) != NULL));
		if (slot) {
			TM_CHECK(*slot == tm_get(m, &p));
			*slot = v;
			tm_set(m, &p, v);
		}
		break;
	}
	case 5: {
		struct prefix got;
		const struct tm_ent *want = tm_match(m, &p);
		void *r = trie_match(&m->t, &p, &got);
		TM_CHECK((r != NULL) == (want != NULL));
		if (want)
			TM_CHECK(r == want->v && prefix_eq(&got, &want->p));
		break;
	}
	case 6:
	case 7:
		TM_CHECK(trie_delete(&m->t, &p) == tm_del(m, &p));
		break;
	case 8: {
		struct trie_pos pos;
		void **slot = trie_lookup_pos(&m->t, &p, &pos);
		void *want = tm_get(m, &p);
		TM_CHECK((slot != NULL) == (want != NULL));
		if (slot) {
			TM_CHECK(*slot == want);
			TM_CHECK(trie_delete_pos(&m->t, &pos) == want);
			tm_del(m, &p);
		}
		break;
	}
	case 9:
		tm_sliced_walk(m, p.addr.af, (1 + tm_byte(m) % 16) * (1 + m->n / 512));
		break;
	case 10: {
		/* Up to 8,192 prefixes: past TRIE_INDEX_MIN, and with host
		 * routes past TRIE_BUCKET_MAX in one slot. */
		unsigned len = tm_byte(m) % 2 ? 32 : 16 + tm_byte(m) % 17;
		size_t n = 1 + (tm_byte(m) << 5);
		tm_bulk(m, p, len, n, false);
		break;
	}
	case 11: {
		unsigned len = tm_byte(m) % 2 ? 32 : 16 + tm_byte(m) % 17;
		size_t n = 1 + (tm_byte(m) << 5);
		tm_bulk(m, p, len, n, true);
		break;
	}
	}
	m->steps++;
	/* The whole table after every step while it is small, then every
	 * 32 steps (a walk per step would make big inputs quadratic). */
	if (m->n < 1024 || m->steps % 32 == 0)
		tm_compare(m);
	else
		TM_CHECK(trie_count(&m->t, 0) == m->n);
}

/* Runs the operations of data; at the end everything is deleted again
 * and the trie must hold nothing (its arrays and nodes given back). */
static void tm_run(const uint8_t *data, size_t size)
{
	struct tm m = { .in = data, .len = size };
	trie_init(&m.t);
	while (tm_more(&m))
		tm_step(&m);
	tm_compare(&m);
	while (m.n) {
		struct prefix p = m.e[m.n - 1].p;
		void *v = m.e[m.n - 1].v;
		TM_CHECK(trie_delete(&m.t, &p) == v);
		m.n--;
	}
	struct rib_mem_stats s;
	trie_mem(&m.t, &s);
	TM_CHECK(s.items == 0 && trie_count(&m.t, 0) == 0);
	TM_CHECK(m.t.bucket_bytes == 0 && m.t.bucket_entries == 0);
	trie_destroy(&m.t);
	free(m.e);
}

#endif
