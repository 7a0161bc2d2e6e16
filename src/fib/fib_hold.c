/* The initial download (fib.h, fib_hold): routes recorded while the
 * FIB was held are written in the order of the route index's slots.
 *
 * Why that order: the kernel's fib_table_insert dominates a full
 * table's install, and its LC-trie keeps resizing its right edge when
 * prefixes come in ascending order (as BGP feeds usually send them);
 * the same table shuffled costs it about half the CPU
 * (docs/benchmarks.md).  The slots are in hash order, i.e. shuffled,
 * and walking them costs nothing extra.
 *
 * Inserts and removals meanwhile may move routes between slots (growth
 * rehashes, removal shifts entries back), so the walk does not trust
 * its cursor: nheld counts what is still to write, and the walk goes
 * round again until it is zero. */
#include "fib/fib_priv.h"

void fib_hold(struct fib *f)
{
	f->holding = true;
}

bool fib_holding(const struct fib *f)
{
	return f->holding || f->nheld;
}

size_t fib_hold_release(struct fib *f, size_t budget)
{
	f->holding = false;
	if (!f->nheld) {
		f->hold_next = 0;
		return 0;
	}
	bool opened = !f->in_batch;
	fib_batch_begin(f);
	const struct fib_rtab *t = &f->routes;
	/* Every slot is looked at at most twice per call: a full round
	 * finds every held route wherever the changes moved it. */
	size_t looked = 0, slots = t->mask + 1;
	while (f->nheld && budget && looked < 2 * slots) {
		if (f->hold_next >= slots)
			f->hold_next = 0;
		struct fib_rt *rt = t->s[f->hold_next++].rt;
		looked++;
		if (!rt || !rt->held)
			continue;
		rt->held = false;
		f->nheld--;
		f->requests++;
		(void)f->be.ops->route_set(f->be.be, &rt->pfx, 0, f->nhg.nhobj ? rt->g->id : 0,
					   &rt->g->set);
		budget--;
	}
	if (opened)
		(void)fib_batch_commit(f);
	return f->nheld;
}
