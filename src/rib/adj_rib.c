/* Adj-RIB as two open-addressing hash tables keyed by prefix, one per
 * family.
 *
 * Linear probing with backward-shift deletion (no tombstones), so a
 * table that churns (a flapping peer) never degrades.  Each slot holds
 * one reference to the attributes (interned, rib/attr_intern.h).
 *
 * Memory (issue 3): a full IPv4 table is a million entries in every
 * peer's Adj-RIB-In and Adj-RIB-Out, so the slot is what counts.  An
 * IPv4 slot is 16 bytes (attrs pointer, address, length; a NULL attrs
 * marks it empty), an IPv6 slot 32; one slot of a generic struct prefix
 * plus a used flag was 40 bytes for both. */
#include "rib/adj_rib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct adj4_slot {
	struct bgp_attrs *attrs; /* NULL: empty */
	uint32_t addr;           /* network byte order, host bits zero */
	uint8_t len;
};

struct adj6_slot {
	struct bgp_attrs *attrs; /* NULL: empty */
	struct in6_addr addr;
	uint8_t len;
};

struct adj_tab {
	void *slots;  /* struct adj4_slot or adj6_slot */
	size_t cap;   /* power of two, 0 before the first insert */
	size_t count;
};

struct adj_rib {
	struct adj_tab t[2]; /* [0] IPv4, [1] IPv6 */
};

static inline int fam_of(const struct prefix *p) { return p->addr.af == AF_INET6; }

static inline size_t slot_size(int fam)
{
	return fam ? sizeof(struct adj6_slot) : sizeof(struct adj4_slot);
}

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

/* IPv4 keys are 40 bits; a multiplicative mix spreads them over the low
 * bits the mask keeps (the prefixes of one table are very alike). */
static inline size_t hash4(uint32_t addr, uint8_t len)
{
	return (size_t)mix64((uint64_t)addr << 8 | len);
}

static inline size_t hash6(const struct in6_addr *a, uint8_t len)
{
	uint64_t w[2];
	memcpy(w, a, 16);
	return (size_t)mix64(w[0] ^ mix64(w[1] ^ len));
}

static inline struct bgp_attrs *slot_attrs(const struct adj_tab *t, int fam, size_t i)
{
	return fam ? ((struct adj6_slot *)t->slots)[i].attrs
		   : ((struct adj4_slot *)t->slots)[i].attrs;
}

static inline size_t slot_hash(const struct adj_tab *t, int fam, size_t i)
{
	if (fam) {
		const struct adj6_slot *s = &((struct adj6_slot *)t->slots)[i];
		return hash6(&s->addr, s->len);
	}
	const struct adj4_slot *s = &((struct adj4_slot *)t->slots)[i];
	return hash4(s->addr, s->len);
}

static inline size_t key_hash(const struct prefix *p)
{
	return fam_of(p) ? hash6(&p->addr.v6, p->len) : hash4(p->addr.v4.s_addr, p->len);
}

static inline bool slot_eq(const struct adj_tab *t, int fam, size_t i, const struct prefix *p)
{
	if (fam) {
		const struct adj6_slot *s = &((struct adj6_slot *)t->slots)[i];
		return s->len == p->len && !memcmp(&s->addr, &p->addr.v6, 16);
	}
	const struct adj4_slot *s = &((struct adj4_slot *)t->slots)[i];
	return s->len == p->len && s->addr == p->addr.v4.s_addr;
}

static void slot_prefix(const struct adj_tab *t, int fam, size_t i, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (fam) {
		const struct adj6_slot *s = &((struct adj6_slot *)t->slots)[i];
		p->addr.af = AF_INET6;
		p->addr.v6 = s->addr;
		p->len = s->len;
	} else {
		const struct adj4_slot *s = &((struct adj4_slot *)t->slots)[i];
		p->addr.af = AF_INET;
		p->addr.v4.s_addr = s->addr;
		p->len = s->len;
	}
}

static void slot_set(struct adj_tab *t, int fam, size_t i, const struct prefix *p,
		     struct bgp_attrs *a)
{
	if (fam) {
		struct adj6_slot *s = &((struct adj6_slot *)t->slots)[i];
		s->attrs = a;
		s->addr = p->addr.v6;
		s->len = p->len;
	} else {
		struct adj4_slot *s = &((struct adj4_slot *)t->slots)[i];
		s->attrs = a;
		s->addr = p->addr.v4.s_addr;
		s->len = p->len;
	}
}

static inline void slot_move(struct adj_tab *t, int fam, size_t dst, size_t src)
{
	size_t sz = slot_size(fam);
	char *b = t->slots;
	memcpy(b + dst * sz, b + src * sz, sz);
	memset(b + src * sz, 0, sz);
}

struct adj_rib *adj_rib_new(void)
{
	return calloc(1, sizeof(struct adj_rib));
}

void adj_rib_free(struct adj_rib *r)
{
	if (!r)
		return;
	adj_rib_clear(r, 0);
	free(r->t[0].slots);
	free(r->t[1].slots);
	free(r);
}

/* Index of the slot holding p, or of the empty slot where it would go. */
static size_t adj_find(const struct adj_tab *t, int fam, const struct prefix *p)
{
	size_t mask = t->cap - 1, i = key_hash(p) & mask;
	while (slot_attrs(t, fam, i) && !slot_eq(t, fam, i, p))
		i = (i + 1) & mask;
	return i;
}

static int adj_grow(struct adj_tab *t, int fam)
{
	size_t ncap = t->cap ? t->cap * 2 : 16, sz = slot_size(fam);
	struct adj_tab old = *t;
	void *ns = calloc(ncap, sz);
	if (!ns)
		return -ENOMEM;
	t->slots = ns;
	t->cap = ncap;
	for (size_t i = 0; i < old.cap; i++) {
		if (!slot_attrs(&old, fam, i))
			continue;
		size_t j = slot_hash(&old, fam, i) & (ncap - 1);
		while (slot_attrs(t, fam, j))
			j = (j + 1) & (ncap - 1);
		memcpy((char *)t->slots + j * sz, (char *)old.slots + i * sz, sz);
	}
	free(old.slots);
	return 0;
}

int adj_rib_update(struct adj_rib *r, const struct prefix *p, struct bgp_attrs *attrs)
{
	if (!attrs || (p->addr.af != AF_INET && p->addr.af != AF_INET6))
		return -EINVAL;
	int fam = fam_of(p);
	struct adj_tab *t = &r->t[fam];
	/* Keep the load factor under 3/4 so probe runs stay short. */
	if ((t->count + 1) * 4 > t->cap * 3) {
		int rc = adj_grow(t, fam);
		if (rc < 0)
			return rc;
	}
	size_t i = adj_find(t, fam, p);
	struct bgp_attrs *old = slot_attrs(t, fam, i);
	slot_set(t, fam, i, p, bgp_attrs_ref(attrs));
	if (old) {
		bgp_attrs_unref(old);
		return 0;
	}
	t->count++;
	return 1;
}

/* Backward-shift deletion: pull later members of the probe run into the
 * hole so lookups never need tombstones. */
static void adj_remove_at(struct adj_tab *t, int fam, size_t i)
{
	bgp_attrs_unref(slot_attrs(t, fam, i));
	memset((char *)t->slots + i * slot_size(fam), 0, slot_size(fam));
	t->count--;
	size_t mask = t->cap - 1;
	size_t hole = i;
	size_t j = (i + 1) & mask;
	while (slot_attrs(t, fam, j)) {
		size_t home = slot_hash(t, fam, j) & mask;
		/* j may move into the hole if its home is not in (hole, j]. */
		bool stays = hole <= j ? (home > hole && home <= j)
				       : (home > hole || home <= j);
		if (!stays) {
			slot_move(t, fam, hole, j);
			hole = j;
		}
		j = (j + 1) & mask;
	}
}

bool adj_rib_withdraw(struct adj_rib *r, const struct prefix *p)
{
	if (p->addr.af != AF_INET && p->addr.af != AF_INET6)
		return false;
	int fam = fam_of(p);
	struct adj_tab *t = &r->t[fam];
	if (!t->cap)
		return false;
	size_t i = adj_find(t, fam, p);
	if (!slot_attrs(t, fam, i))
		return false;
	adj_remove_at(t, fam, i);
	return true;
}

struct bgp_attrs *adj_rib_lookup(const struct adj_rib *r, const struct prefix *p)
{
	if (p->addr.af != AF_INET && p->addr.af != AF_INET6)
		return NULL;
	int fam = fam_of(p);
	const struct adj_tab *t = &r->t[fam];
	if (!t->cap)
		return NULL;
	return slot_attrs(t, fam, adj_find(t, fam, p));
}

size_t adj_rib_count(const struct adj_rib *r)
{
	return r ? r->t[0].count + r->t[1].count : 0;
}

size_t adj_rib_count_af(const struct adj_rib *r, int af)
{
	if (!r)
		return 0;
	return af == AF_INET6 ? r->t[1].count : r->t[0].count;
}

size_t adj_rib_bytes(const struct adj_rib *r)
{
	if (!r)
		return 0;
	return sizeof(*r) + r->t[0].cap * slot_size(0) + r->t[1].cap * slot_size(1);
}

void adj_rib_clear(struct adj_rib *r, int af)
{
	for (int fam = 0; fam < 2; fam++) {
		struct adj_tab *t = &r->t[fam];
		if ((af == AF_INET && fam) || (af == AF_INET6 && !fam) || !t->cap)
			continue;
		for (size_t i = 0; i < t->cap; i++) {
			struct bgp_attrs *a = slot_attrs(t, fam, i);
			if (a)
				bgp_attrs_unref(a);
		}
		memset(t->slots, 0, t->cap * slot_size(fam));
		t->count = 0;
	}
}

static int adj_entry_cmp(const void *a, const void *b)
{
	const struct adj_rib_entry *x = a, *y = b;
	return prefix_cmp(&x->prefix, &y->prefix);
}

int adj_rib_entries(const struct adj_rib *r, struct adj_rib_entry **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t total = adj_rib_count(r);
	if (!total)
		return 0;
	struct adj_rib_entry *e = calloc(total, sizeof(*e));
	if (!e)
		return -ENOMEM;
	size_t k = 0;
	for (int fam = 0; fam < 2; fam++) {
		const struct adj_tab *t = &r->t[fam];
		for (size_t i = 0; i < t->cap; i++) {
			struct bgp_attrs *a = slot_attrs(t, fam, i);
			if (!a)
				continue;
			slot_prefix(t, fam, i, &e[k].prefix);
			e[k].attrs = bgp_attrs_ref(a);
			k++;
		}
	}
	qsort(e, k, sizeof(*e), adj_entry_cmp);
	*out = e;
	*n = k;
	return 0;
}

void adj_rib_entries_free(struct adj_rib_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bgp_attrs_unref(e[i].attrs);
	free(e);
}
