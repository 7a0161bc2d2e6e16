/* Intrusive chained hash table for the FIB's routes, groups and next
 * hops.  Chains stay short by doubling at a load factor of one. */
#include <errno.h>
#include <stdlib.h>

#include "fib/fib_priv.h"

int fib_htab_init(struct fib_htab *t, size_t buckets)
{
	size_t n = 16;
	while (n < buckets)
		n <<= 1;
	t->b = calloc(n, sizeof(*t->b));
	if (!t->b)
		return -ENOMEM;
	t->mask = n - 1;
	t->count = 0;
	return 0;
}

void fib_htab_fini(struct fib_htab *t)
{
	free(t->b);
	t->b = NULL;
	t->mask = 0;
	t->count = 0;
}

static void htab_grow(struct fib_htab *t)
{
	size_t n = (t->mask + 1) * 2;
	struct fib_hnode **nb = calloc(n, sizeof(*nb));
	if (!nb)
		return;
	for (size_t i = 0; i <= t->mask; i++) {
		struct fib_hnode *e = t->b[i];
		while (e) {
			struct fib_hnode *next = e->next;
			size_t j = e->hash & (n - 1);
			e->next = nb[j];
			nb[j] = e;
			e = next;
		}
	}
	free(t->b);
	t->b = nb;
	t->mask = n - 1;
}

void fib_htab_insert(struct fib_htab *t, struct fib_hnode *n, uint32_t hash)
{
	if (t->count >= t->mask + 1)
		htab_grow(t);
	n->hash = hash;
	struct fib_hnode **head = &t->b[hash & t->mask];
	n->next = *head;
	*head = n;
	t->count++;
}

void fib_htab_remove(struct fib_htab *t, struct fib_hnode *n)
{
	struct fib_hnode **pp = &t->b[n->hash & t->mask];
	while (*pp) {
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			t->count--;
			return;
		}
		pp = &(*pp)->next;
	}
}

void fib_htab_foreach(const struct fib_htab *t, void (*fn)(struct fib_hnode *, void *),
		      void *arg)
{
	for (size_t i = 0; i <= t->mask; i++) {
		struct fib_hnode *e = t->b[i];
		while (e) {
			struct fib_hnode *next = e->next;
			fn(e, arg);
			e = next;
		}
	}
}
