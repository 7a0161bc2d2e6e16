/* Internals shared by the FIB's own files; not for other modules. */
#ifndef EGRESS_FIB_FIB_PRIV_H
#define EGRESS_FIB_FIB_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/rtnetlink.h>

#include "core/buf.h"
#include "core/pool.h"
#include "fib/fib.h"

struct nlmsghdr;
/* Splits the next netlink message off r (fib_netlink_parse.c): 1 and
 * *out when a whole message is there, 0 at the end of the buffer,
 * -EBADMSG when a header is cut or claims a length it does not have. */
int fib_nl_msg_next(struct rbuf *r, const struct nlmsghdr **out);
/* The attributes of an RTM_NEWROUTE message (after its struct rtmsg),
 * indexed by type; the fixed-size ones (table, oif, nexthop id,
 * priority) are validated, unknown types skipped.  0 or -EBADMSG. */
struct fib_nl_route_attrs {
	const struct nlattr *tb[RTA_MAX + 1];
};
int fib_nl_route_attrs_parse(const struct nlmsghdr *nlh, struct fib_nl_route_attrs *ra);
/* RTA_MULTIPATH: every struct rtnexthop with its RTA_GATEWAY (of family
 * af) into s, at most FIB_NH_MAX.  0 or -EBADMSG. */
int fib_nl_multipath_parse(const struct nlattr *mp, uint8_t af, struct fib_nhset *s);

/* ---- intrusive chained hash (fib_hash.c): groups and nexthops ----
 * Objects embed a struct fib_hnode; lookups walk one chain and let the
 * caller compare keys.  Grows by doubling, so a million routes cost one
 * pointer each plus the buckets. */
struct fib_hnode {
	struct fib_hnode *next;
	uint32_t hash;
};

struct fib_htab {
	struct fib_hnode **b;
	size_t mask; /* buckets - 1 */
	size_t count;
};

int fib_htab_init(struct fib_htab *t, size_t buckets);
void fib_htab_fini(struct fib_htab *t);
/* Never fails: a grow that finds no memory keeps the old (slower,
 * longer-chained) table. */
void fib_htab_insert(struct fib_htab *t, struct fib_hnode *n, uint32_t hash);
void fib_htab_remove(struct fib_htab *t, struct fib_hnode *n);
/* First node of the chain `hash` falls in; follow ->next and check
 * ->hash and the key. */
static inline struct fib_hnode *fib_htab_chain(const struct fib_htab *t, uint32_t hash)
{
	return t->b[hash & t->mask];
}
/* Calls fn on every node; fn may not change the table. */
void fib_htab_foreach(const struct fib_htab *t, void (*fn)(struct fib_hnode *, void *),
		      void *arg);

#define fib_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* ---- next-hop objects and groups (fib_nhgroup.c) ---- */

/* One next hop (kernel nexthop object), shared by every group that
 * holds it.  The key ignores the weight, which belongs to the group. */
struct fib_nhobj {
	struct fib_hnode h;
	struct fib_nexthop nh;
	uint32_t id;
	uint32_t refs; /* groups holding it */
	bool installed;
};

struct fib_rt;

/* One distinct next-hop set: a kernel nexthop group that every route
 * with this set points at.  Every set gets a group, even of one member,
 * so that a repair is always one group replace. */
struct fib_group {
	struct fib_hnode h;
	struct fib_nhset set;
	/* Where the group's routes go when every member is dead (part of
	 * the key, never sent to the kernel): routes with the same members
	 * but different backups need different groups, so that one group
	 * replace repairs them all (prefix-independent convergence for a
	 * primary/backup pair, not only for ECMP). */
	struct fib_nhset backup;
	struct fib_nhobj *mem[FIB_NH_MAX];
	uint32_t id;
	uint32_t refs; /* routes using it */
	bool installed;
	/* Members or backup changed: its routes' backup routes are to be
	 * looked at again (fib_backup.c, later, not in the repair's way). */
	bool bdirty;
	struct fib_rt *routes; /* list through fib_rt.gnext */
};

struct fib_nhg_table {
	struct fib_backend *be;
	bool nhobj; /* kernel has nexthop objects: push them */
	uint32_t next_id;
	uint64_t requests; /* nexthop and group requests sent */
	struct fib_htab nhs;    /* struct fib_nhobj by next hop */
	struct fib_htab groups; /* struct fib_group by member set */
};

int fib_nhg_init(struct fib_nhg_table *t, struct fib_backend *be, bool nhobj,
		 uint32_t id_base);
void fib_nhg_fini(struct fib_nhg_table *t);
/* The group of members s and backup bk (NULL: none). */
struct fib_group *fib_nhg_find(const struct fib_nhg_table *t, const struct fib_nhset *s,
			       const struct fib_nhset *bk);
/* The group for set s and backup bk (normalized; NULL: none), made and
 * sent to the kernel if new, with one more reference.  NULL and *err on
 * failure. */
struct fib_group *fib_nhg_acquire(struct fib_nhg_table *t, const struct fib_nhset *s,
				  const struct fib_nhset *bk, int *err);
/* Drops a reference; the last one deletes the group and any member no
 * other group holds.  Queue route changes away from g first: the kernel
 * takes requests in order. */
void fib_nhg_release(struct fib_nhg_table *t, struct fib_group *g);
/* Gives g the members `to` in place (one kernel request), and the
 * backup bk (NULL: keeps its own). */
int fib_nhg_replace(struct fib_nhg_table *t, struct fib_group *g, const struct fib_nhset *to,
		    const struct fib_nhset *bk);
/* Re-sends g and its members if an earlier request for them failed. */
int fib_nhg_ensure(struct fib_nhg_table *t, struct fib_group *g);
/* A kernel request for object id failed: it must be sent again. */
void fib_nhg_mark_failed(struct fib_nhg_table *t, uint32_t id);
/* Re-sends every object (resync). */
void fib_nhg_push_all(struct fib_nhg_table *t);
bool fib_nhg_owns_id(const struct fib_nhg_table *t, uint32_t id);
/* Collects up to max groups that hold nh (for fib_nexthop_down). */
size_t fib_nhg_groups_with(const struct fib_nhg_table *t, const struct fib_nexthop *nh,
			   struct fib_group **out, size_t max);

/* A route as the FIB holds it (fib.c), indexed by fib_rtab. */
struct fib_rt {
	struct prefix pfx;
	struct fib_group *g;
	struct fib_rt *gprev, *gnext; /* routes of the same group */
	int err;                      /* last kernel answer, 0 = installed */
	uint32_t check_gen;           /* fib_check pass that saw it */
	/* Backup route (fib_backup.c): the group the kernel's backup route
	 * was last sent to (NULL: none), its answer, the fib_check pass
	 * that saw it, and its place in the queue of backups to write
	 * (index + 1, 0: not queued). */
	struct fib_group *bk;
	uint32_t bq;
	uint32_t bcheck_gen;
	int berr;
	/* The kernel flushed the primary with its link and the backup
	 * route, through what is now the best path, became the route:
	 * there is no route at the primary priority (fib.c promote). */
	bool on_bk;
	/* Recorded while the FIB was held (fib_hold) and not yet sent. */
	bool held;
};

/* ---- routes by prefix (fib_rtab.c): open addressing ---- */
struct fib_rslot {
	uint32_t hash; /* prefix_hash of rt->pfx */
	struct fib_rt *rt; /* NULL: empty */
};

struct fib_rtab {
	struct fib_rslot *s;
	size_t mask;    /* slots - 1 */
	unsigned shift; /* 64 - log2(slots) */
	size_t count;
};

int fib_rtab_init(struct fib_rtab *t, size_t cap);
void fib_rtab_fini(struct fib_rtab *t);
struct fib_rt *fib_rtab_find(const struct fib_rtab *t, const struct prefix *pfx, uint32_t hash);
/* 0, or -ENOMEM when the table is full and cannot grow. */
int fib_rtab_insert(struct fib_rtab *t, struct fib_rt *rt, uint32_t hash);
void fib_rtab_remove(struct fib_rtab *t, const struct fib_rt *rt, uint32_t hash);
/* fn may not insert or remove. */
void fib_rtab_foreach(const struct fib_rtab *t, void (*fn)(struct fib_rt *, void *), void *arg);

struct fib {
	struct fib_config cfg;
	struct fib_backend be;
	struct fib_nhg_table nhg;
	struct fib_rtab routes; /* struct fib_rt by prefix */
	struct pool rt_pool;
	fib_error_cb ecb;
	void *earg;
	bool in_batch;
	size_t failed;
	uint64_t requests, errors;
	uint32_t check_gen;
	/* backup routes still to write: queue of routes, NULL where a
	 * queued route was deleted; [bq_head, nbq) is live */
	struct fib_rt **bq;
	size_t nbq, capbq, bq_head, bq_live;
	size_t nbackups; /* routes with rt->bk */
	bool bdirty;     /* some group has bdirty set */
	/* fib_hold: route writes are recorded, not sent; nheld routes wait
	 * for fib_hold_release, which walks the slots from hold_next. */
	bool holding;
	size_t nheld, hold_next;
};

static inline uint32_t fib_primary_metric(const struct fib *f, int af)
{
	(void)f;
	/* What the kernel reports for a route added without RTA_PRIORITY. */
	return af == AF_INET6 ? 1024u : 0u;
}

static inline uint32_t fib_backup_metric(const struct fib *f)
{
	return f->cfg.backup_metric ? f->cfg.backup_metric : FIB_BACKUP_METRIC_DEFAULT;
}

struct fib_rt *fib_rt_find(const struct fib *f, const struct prefix *pfx);

/* fib_backup.c: called by fib.c */
/* Queues rt if the backup route it should have differs from the one
 * the kernel was sent. */
void fib_backup_sync(struct fib *f, struct fib_rt *rt);
/* Every route of g (its members or backup changed), when the backups
 * are next written: a repair's request must not wait for a walk over
 * its routes. */
void fib_backup_sync_group(struct fib *f, struct fib_group *g);
/* rt is being deleted: its backup route goes first (the primary's
 * delete names no priority and would take the backup if the primary
 * were already gone), and it leaves the queue. */
void fib_backup_forget(struct fib *f, struct fib_rt *rt);
/* A kernel answer for a backup route (res->metric is the backup's). */
void fib_backup_result(struct fib *f, const struct fib_op_result *res);
/* The kernel flushed these groups with a dead link: backup routes
 * through them are gone (marked failed and queued). */
void fib_backup_groups_lost(struct fib *f);
/* Re-sends every backup route (fib_resync). */
void fib_backup_push_all(struct fib *f);
/* fib_check: a dumped route of backup priority; and the missing ones. */
void fib_backup_check_seen(struct fib *f, const struct prefix *pfx, uint32_t nh_id,
			   void (*diff)(void *, const struct prefix *, enum fib_diff), void *arg);
void fib_backup_check_missing(struct fib *f, struct fib_rt *rt,
			      void (*diff)(void *, const struct prefix *, enum fib_diff),
			      void *arg);
void fib_backup_fini(struct fib *f);

#endif
