/* An in-memory kernel for the unit tests: it holds nexthop objects,
 * groups and routes with the rules the Linux kernel applies to them
 * (a group names existing single nexthops; a route names an existing
 * nexthop; deleting a nexthop takes its routes with it), queues a
 * batch's requests and applies them in order at commit, and can be made
 * to refuse a request or lose a whole batch (ENOBUFS). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fib/fib_priv.h"

struct mock_nh {
	uint32_t id;
	bool group;
	struct fib_nexthop nh;
	uint32_t mem[FIB_NH_MAX];
	uint8_t weight[FIB_NH_MAX];
	unsigned n;
};

struct mock_route {
	struct prefix pfx;
	uint32_t metric; /* priority: 0 primary, else a backup route */
	uint32_t nh_id;
	/* Inline next hops (nh_id 0) only: a set is ~450 bytes and a
	 * route over a nexthop object needs none, which keeps a full table
	 * under `fib { install off }` small. */
	struct fib_nhset *nhs;
};

struct mock_op {
	enum fib_op_kind kind;
	bool del;
	uint32_t id;
	struct fib_nexthop nh;
	uint32_t mem[FIB_NH_MAX];
	uint8_t weight[FIB_NH_MAX];
	unsigned n;
	struct prefix pfx;
	uint32_t metric;
	struct fib_nhset nhs;
};

struct fib_mock {
	bool nhobj;
	struct mock_nh *nhs;
	size_t nnh, capnh;
	struct mock_route *rts;
	size_t nrt, caprt;
	/* Index of rts by prefix (open addressing, linear probing, slot =
	 * position + 1, 0 empty), so `fib { install off }`, which runs the
	 * daemon on this mock, stays linear on a full table. */
	uint32_t *rtix;
	size_t rtix_cap; /* power of two, or 0 */
	struct mock_op *ops;
	size_t nops, capops;
	size_t requests;
	/* injected failures */
	bool fail_pfx_set;
	struct prefix fail_pfx;
	int fail_pfx_err;
	int fail_kind_err[3];
	int fail_commit_err;
	/* Priorities other than 0 routes were added with (a handful), so a
	 * delete without one can find the prefix's first route. */
	uint32_t metrics[8];
	unsigned nmetrics;
};

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 16;
	void *q = realloc(*p, c * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static struct mock_nh *nh_get(const struct fib_mock *m, uint32_t id)
{
	for (size_t i = 0; i < m->nnh; i++)
		if (m->nhs[i].id == id)
			return &m->nhs[i];
	return NULL;
}

static size_t rt_hash(const struct prefix *pfx, uint32_t metric)
{
	return prefix_hash(pfx) ^ (metric * 0x9e3779b1u);
}

/* Slot of (pfx, metric) in the index, or of the empty slot where it
 * would go. */
static size_t rtix_find(const struct fib_mock *m, const struct prefix *pfx, uint32_t metric)
{
	size_t mask = m->rtix_cap - 1, i = rt_hash(pfx, metric) & mask;
	while (m->rtix[i]) {
		const struct mock_route *r = &m->rts[m->rtix[i] - 1];
		if (r->metric == metric && prefix_eq(&r->pfx, pfx))
			break;
		i = (i + 1) & mask;
	}
	return i;
}

/* The kernel gives an IPv6 route added without priority 1024
 * (IP6_RT_PRIO_USER), and IPv4 0. */
static uint32_t eff_metric(const struct prefix *pfx, uint32_t metric)
{
	return !metric && pfx->addr.af == AF_INET6 ? 1024 : metric;
}

static struct mock_route *rt_get_metric(const struct fib_mock *m, const struct prefix *pfx,
					uint32_t metric)
{
	metric = eff_metric(pfx, metric);
	if (!m->rtix_cap)
		return NULL;
	uint32_t v = m->rtix[rtix_find(m, pfx, metric)];
	return v ? &m->rts[v - 1] : NULL;
}

/* As the kernel: metric 0 names the primary on add, and on delete the
 * prefix's route of lowest priority, whatever it is. */
static struct mock_route *rt_get_first(const struct fib_mock *m, const struct prefix *pfx)
{
	struct mock_route *best = rt_get_metric(m, pfx, 0);
	if (best)
		return best;
	for (unsigned i = 0; !best && i < m->nmetrics; i++) {
		struct mock_route *r = rt_get_metric(m, pfx, m->metrics[i]);
		if (r && (!best || r->metric < best->metric))
			best = r;
	}
	return best;
}

static struct mock_route *rt_get(const struct fib_mock *m, const struct prefix *pfx)
{
	return rt_get_metric(m, pfx, 0);
}

/* Keeps the load under 1/2; rebuilds from rts. */
static int rtix_reserve(struct fib_mock *m, size_t n)
{
	if (n * 2 <= m->rtix_cap)
		return 0;
	size_t cap = m->rtix_cap ? m->rtix_cap : 64;
	while (n * 2 > cap)
		cap *= 2;
	uint32_t *ix = calloc(cap, sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	free(m->rtix);
	m->rtix = ix;
	m->rtix_cap = cap;
	for (size_t i = 0; i < m->nrt; i++)
		m->rtix[rtix_find(m, &m->rts[i].pfx, m->rts[i].metric)] = (uint32_t)i + 1;
	return 0;
}

/* Backward-shift deletion of index slot i (no tombstones). */
static void rtix_delete(struct fib_mock *m, size_t i)
{
	size_t mask = m->rtix_cap - 1, hole = i, j = (i + 1) & mask;
	m->rtix[i] = 0;
	while (m->rtix[j]) {
		const struct mock_route *r = &m->rts[m->rtix[j] - 1];
		size_t home = rt_hash(&r->pfx, r->metric) & mask;
		bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
		if (!stays) {
			m->rtix[hole] = m->rtix[j];
			m->rtix[j] = 0;
			hole = j;
		}
		j = (j + 1) & mask;
	}
}

static void rt_remove_at(struct fib_mock *m, size_t i)
{
	free(m->rts[i].nhs);
	rtix_delete(m, rtix_find(m, &m->rts[i].pfx, m->rts[i].metric));
	size_t last = --m->nrt;
	if (i != last) {
		m->rtix[rtix_find(m, &m->rts[last].pfx, m->rts[last].metric)] = (uint32_t)i + 1;
		m->rts[i] = m->rts[last];
	}
}

static void routes_drop_via(struct fib_mock *m, uint32_t id)
{
	for (size_t i = 0; i < m->nrt;)
		if (m->rts[i].nh_id == id)
			rt_remove_at(m, i);
		else
			i++;
}

static int nh_remove(struct fib_mock *m, uint32_t id)
{
	struct mock_nh *o = nh_get(m, id);
	if (!o)
		return -ENOENT;
	bool group = o->group;
	*o = m->nhs[--m->nnh];
	routes_drop_via(m, id);
	if (group)
		return 0;
	/* A single nexthop leaves every group holding it; a group left
	 * empty goes too, with its routes (as the kernel does). */
	for (size_t i = 0; i < m->nnh;) {
		struct mock_nh *g = &m->nhs[i];
		if (g->group) {
			unsigned w = 0;
			for (unsigned j = 0; j < g->n; j++)
				if (g->mem[j] != id) {
					g->mem[w] = g->mem[j];
					g->weight[w++] = g->weight[j];
				}
			g->n = w;
			if (!w) {
				uint32_t gid = g->id;
				*g = m->nhs[--m->nnh];
				routes_drop_via(m, gid);
				continue;
			}
		}
		i++;
	}
	return 0;
}

static int apply(struct fib_mock *m, const struct mock_op *op)
{
	if (op->kind == FIB_OP_ROUTE && m->fail_pfx_set && prefix_eq(&op->pfx, &m->fail_pfx)) {
		m->fail_pfx_set = false;
		return m->fail_pfx_err;
	}
	if (m->fail_kind_err[op->kind]) {
		int e = m->fail_kind_err[op->kind];
		m->fail_kind_err[op->kind] = 0;
		return e;
	}
	switch (op->kind) {
	case FIB_OP_NH:
	case FIB_OP_GROUP: {
		if (!m->nhobj)
			return -EOPNOTSUPP;
		if (op->del)
			return nh_remove(m, op->id);
		if (!op->id)
			return -EINVAL;
		struct mock_nh *o = nh_get(m, op->id);
		bool group = op->kind == FIB_OP_GROUP;
		if (o && o->group != group)
			return -EINVAL; /* the kernel will not change a nexthop's kind */
		if (group) {
			if (!op->n)
				return -EINVAL;
			for (unsigned i = 0; i < op->n; i++) {
				struct mock_nh *mem = nh_get(m, op->mem[i]);
				if (!mem || mem->group)
					return -EINVAL;
			}
		}
		if (!o) {
			if (grow((void **)&m->nhs, &m->capnh, m->nnh, sizeof(*m->nhs)))
				return -ENOMEM;
			o = &m->nhs[m->nnh++];
		}
		memset(o, 0, sizeof(*o));
		o->id = op->id;
		o->group = group;
		o->nh = op->nh;
		o->n = op->n;
		memcpy(o->mem, op->mem, sizeof(o->mem));
		memcpy(o->weight, op->weight, sizeof(o->weight));
		return 0;
	}
	case FIB_OP_ROUTE: {
		struct mock_route *r = op->del && !op->metric ? rt_get_first(m, &op->pfx)
							      : rt_get_metric(m, &op->pfx, op->metric);
		if (op->del) {
			if (!r)
				return -ESRCH;
			rt_remove_at(m, (size_t)(r - m->rts));
			return 0;
		}
		if (op->id && !nh_get(m, op->id))
			return -EINVAL;
		if (!op->id && !op->nhs.n)
			return -EINVAL;
		if (!r) {
			if (grow((void **)&m->rts, &m->caprt, m->nrt, sizeof(*m->rts)) ||
			    rtix_reserve(m, m->nrt + 1))
				return -ENOMEM;
			r = &m->rts[m->nrt++];
			r->pfx = op->pfx;
			r->metric = eff_metric(&op->pfx, op->metric);
			r->nhs = NULL;
			m->rtix[rtix_find(m, &op->pfx, r->metric)] = (uint32_t)m->nrt;
			bool known = !r->metric;
			for (unsigned i = 0; i < m->nmetrics; i++)
				known |= m->metrics[i] == r->metric;
			if (!known && m->nmetrics < sizeof(m->metrics) / sizeof(m->metrics[0]))
				m->metrics[m->nmetrics++] = r->metric;
		}
		if (!op->id && !r->nhs && !(r->nhs = malloc(sizeof(*r->nhs))))
			return -ENOMEM;
		if (op->id) {
			free(r->nhs);
			r->nhs = NULL;
		} else {
			*r->nhs = op->nhs;
		}
		r->pfx = op->pfx;
		r->nh_id = op->id;
		return 0;
	}
	}
	return -EINVAL;
}

static int queue(struct fib_mock *m, const struct mock_op *op)
{
	if (grow((void **)&m->ops, &m->capops, m->nops, sizeof(*m->ops)))
		return -ENOMEM;
	m->ops[m->nops++] = *op;
	m->requests++;
	return 0;
}

/* ---- backend ops ---- */

static int mock_probe(void *be)
{
	struct fib_mock *m = be;
	return m->nhobj ? 0 : -EOPNOTSUPP;
}

static void mock_begin(void *be)
{
	struct fib_mock *m = be;
	m->nops = 0;
}

static int mock_nh_add(void *be, uint32_t id, const struct fib_nexthop *nh)
{
	struct mock_op op = {.kind = FIB_OP_NH, .id = id, .nh = *nh};
	return queue(be, &op);
}

static int mock_group_set(void *be, uint32_t id, const uint32_t *ids, const uint8_t *weights,
			  unsigned n, bool replace)
{
	(void)replace;
	if (n > FIB_NH_MAX)
		return -EINVAL;
	struct mock_op op = {.kind = FIB_OP_GROUP, .id = id, .n = n};
	memcpy(op.mem, ids, n * sizeof(*ids));
	memcpy(op.weight, weights, n);
	return queue(be, &op);
}

static int mock_nh_del(void *be, uint32_t id)
{
	struct fib_mock *m = be;
	struct mock_nh *o = nh_get(m, id);
	struct mock_op op = {.kind = o && o->group ? FIB_OP_GROUP : FIB_OP_NH,
			     .del = true, .id = id};
	return queue(be, &op);
}

static int mock_route_set(void *be, const struct prefix *pfx, uint32_t metric, uint32_t nh_id,
			  const struct fib_nhset *nhs)
{
	struct mock_op op = {.kind = FIB_OP_ROUTE, .pfx = *pfx, .id = nh_id, .metric = metric};
	if (!nh_id)
		op.nhs = *nhs;
	return queue(be, &op);
}

static int mock_route_del(void *be, const struct prefix *pfx, uint32_t metric)
{
	struct mock_op op = {.kind = FIB_OP_ROUTE, .del = true, .pfx = *pfx, .metric = metric};
	return queue(be, &op);
}

static int mock_commit(void *be, fib_result_cb cb, void *arg)
{
	struct fib_mock *m = be;
	if (m->fail_commit_err) {
		/* The whole batch is lost, as when the socket buffer overflows
		 * and neither the requests' effect nor their answers are
		 * known. */
		int e = m->fail_commit_err;
		m->fail_commit_err = 0;
		m->nops = 0;
		return e;
	}
	for (size_t i = 0; i < m->nops; i++) {
		const struct mock_op *op = &m->ops[i];
		int err = apply(m, op);
		if (err && cb) {
			struct fib_op_result res = {.kind = op->kind, .del = op->del,
						    .pfx = op->pfx, .id = op->id, .err = err,
						    .metric = op->metric};
			cb(arg, &res);
		}
	}
	m->nops = 0;
	return 0;
}

static int mock_dump(void *be, fib_dump_route_cb rcb, fib_dump_nh_cb ncb, void *arg)
{
	struct fib_mock *m = be;
	if (rcb)
		for (size_t i = 0; i < m->nrt; i++) {
			static const struct fib_nhset none;
			const struct mock_route *r = &m->rts[i];
			rcb(arg, &r->pfx, r->metric, r->nh_id, r->nhs ? r->nhs : &none);
		}
	if (ncb)
		for (size_t i = 0; i < m->nnh; i++)
			ncb(arg, m->nhs[i].id, m->nhs[i].mem, m->nhs[i].group ? m->nhs[i].n : 0);
	return 0;
}

static void mock_destroy(void *be)
{
	struct fib_mock *m = be;
	free(m->nhs);
	for (size_t i = 0; i < m->nrt; i++)
		free(m->rts[i].nhs);
	free(m->rts);
	free(m->rtix);
	free(m->ops);
	free(m);
}

static const struct fib_backend_ops mock_ops = {
	.name = "mock",
	.probe_nhobj = mock_probe,
	.batch_begin = mock_begin,
	.nh_add = mock_nh_add,
	.group_set = mock_group_set,
	.nh_del = mock_nh_del,
	.route_set = mock_route_set,
	.route_del = mock_route_del,
	.batch_commit = mock_commit,
	.dump = mock_dump,
	.destroy = mock_destroy,
};

int fib_mock_open(bool nhobj_supported, struct fib_backend *out)
{
	struct fib_mock *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->nhobj = nhobj_supported;
	out->ops = &mock_ops;
	out->be = m;
	return 0;
}

struct fib_mock *fib_mock_from(const struct fib_backend *b)
{
	return b->ops == &mock_ops ? b->be : NULL;
}

/* ---- test hooks ---- */

void fib_mock_fail_route(struct fib_mock *m, const struct prefix *pfx, int err)
{
	m->fail_pfx_set = true;
	m->fail_pfx = *pfx;
	m->fail_pfx_err = err;
}

void fib_mock_fail_next(struct fib_mock *m, enum fib_op_kind kind, int err)
{
	m->fail_kind_err[kind] = err;
}

void fib_mock_fail_commit(struct fib_mock *m, int err)
{
	m->fail_commit_err = err;
}

int fib_mock_route_forget(struct fib_mock *m, const struct prefix *pfx)
{
	struct mock_route *r = rt_get(m, pfx);
	if (!r)
		return -ENOENT;
	rt_remove_at(m, (size_t)(r - m->rts));
	return 0;
}

int fib_mock_nh_forget(struct fib_mock *m, uint32_t id)
{
	return nh_remove(m, id);
}

int fib_mock_route_plant(struct fib_mock *m, const struct prefix *pfx, uint32_t nh_id)
{
	return fib_mock_route_plant_metric(m, pfx, 0, nh_id);
}

int fib_mock_route_plant_metric(struct fib_mock *m, const struct prefix *pfx, uint32_t metric,
				uint32_t nh_id)
{
	struct mock_op op = {.kind = FIB_OP_ROUTE, .pfx = *pfx, .id = nh_id, .metric = metric};
	if (!nh_id) {
		op.nhs.n = 1;
		op.nhs.nh[0].ifindex = 1;
	}
	return apply(m, &op);
}

int fib_mock_nh_plant(struct fib_mock *m, uint32_t id, const struct fib_nexthop *nh)
{
	struct mock_op op = {.kind = FIB_OP_NH, .id = id, .nh = *nh};
	return apply(m, &op);
}

size_t fib_mock_route_count(const struct fib_mock *m) { return m->nrt; }

size_t fib_mock_nh_count(const struct fib_mock *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nnh; i++)
		n += !m->nhs[i].group;
	return n;
}

size_t fib_mock_group_count(const struct fib_mock *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nnh; i++)
		n += m->nhs[i].group;
	return n;
}

size_t fib_mock_request_count(const struct fib_mock *m) { return m->requests; }

int fib_mock_route_get(const struct fib_mock *m, const struct prefix *pfx, uint32_t *nh_id,
		       struct fib_nhset *resolved)
{
	return fib_mock_route_get_metric(m, pfx, 0, nh_id, resolved);
}

int fib_mock_route_get_metric(const struct fib_mock *m, const struct prefix *pfx,
			      uint32_t metric, uint32_t *nh_id, struct fib_nhset *resolved)
{
	const struct mock_route *r = rt_get_metric(m, pfx, metric);
	if (!r)
		return -ENOENT;
	if (nh_id)
		*nh_id = r->nh_id;
	if (!resolved)
		return 0;
	memset(resolved, 0, sizeof(*resolved));
	if (!r->nh_id) {
		if (r->nhs)
			*resolved = *r->nhs;
		return 0;
	}
	const struct mock_nh *o = nh_get(m, r->nh_id);
	if (!o)
		return -EIO; /* cannot happen: nh_remove drops its routes */
	if (!o->group) {
		resolved->n = 1;
		resolved->nh[0] = o->nh;
		resolved->nh[0].weight = 1;
		return 0;
	}
	for (unsigned i = 0; i < o->n; i++) {
		const struct mock_nh *mem = nh_get(m, o->mem[i]);
		if (!mem)
			return -EIO;
		resolved->nh[resolved->n] = mem->nh;
		resolved->nh[resolved->n++].weight = o->weight[i];
	}
	return fib_nhset_normalize(resolved);
}

int fib_mock_group_get(const struct fib_mock *m, uint32_t id, uint32_t *ids, unsigned *n)
{
	const struct mock_nh *o = nh_get(m, id);
	if (!o || !o->group)
		return -ENOENT;
	memcpy(ids, o->mem, o->n * sizeof(*ids));
	*n = o->n;
	return 0;
}
