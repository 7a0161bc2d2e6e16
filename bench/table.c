/* Grouping rows into a bench_table, reordering its sets, releasing it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

static int row_cmp(const void *a, const void *b)
{
	const struct bench_row *x = a, *y = b;
	if (x->attr != y->attr)
		return x->attr < y->attr ? -1 : 1;
	return prefix_cmp(&x->pfx, &y->pfx);
}

int bench_table_group(struct bench_table *t, struct bench_row *rows, size_t n_rows,
		      struct bgp_attrs **attrs, size_t n_attrs)
{
	qsort(rows, n_rows, sizeof(*rows), row_cmp);
	t->pfx = malloc((n_rows ? n_rows : 1) * sizeof(*t->pfx));
	t->groups = malloc((n_attrs ? n_attrs : 1) * sizeof(*t->groups));
	if (!t->pfx || !t->groups) {
		for (size_t i = 0; i < n_attrs; i++)
			bgp_attrs_unref(attrs[i]);
		free(t->pfx);
		free(t->groups);
		t->pfx = NULL;
		t->groups = NULL;
		return -ENOMEM;
	}
	t->n_pfx = n_rows;
	t->n_groups = 0;
	size_t i = 0;
	for (uint32_t a = 0; a < n_attrs; a++) {
		size_t first = i;
		while (i < n_rows && rows[i].attr == a) {
			t->pfx[i] = rows[i].pfx;
			i++;
		}
		if (i == first) {
			/* Every prefix that used this set was withdrawn later. */
			bgp_attrs_unref(attrs[a]);
			continue;
		}
		t->groups[t->n_groups++] = (struct bench_group){
			.attrs = attrs[a], .first = first, .n = i - first};
	}
	return 0;
}

static uint64_t shuffle_rng(uint64_t *s)
{
	/* splitmix64, as the synthetic table uses. */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

int bench_table_shuffle_sets(struct bench_table *t, uint64_t seed)
{
	struct prefix *pfx = malloc((t->n_pfx ? t->n_pfx : 1) * sizeof(*pfx));
	if (!pfx)
		return -ENOMEM;
	uint64_t s = seed;
	for (size_t i = t->n_groups; i > 1; i--) {
		size_t j = (size_t)(shuffle_rng(&s) % i);
		struct bench_group g = t->groups[i - 1];
		t->groups[i - 1] = t->groups[j];
		t->groups[j] = g;
	}
	/* The prefixes follow their sets, so a walk of pfx (the withdrawal,
	 * bench/fib_table_install) sees the same order as one of groups. */
	size_t at = 0;
	for (size_t g = 0; g < t->n_groups; g++) {
		memcpy(pfx + at, t->pfx + t->groups[g].first, t->groups[g].n * sizeof(*pfx));
		t->groups[g].first = at;
		at += t->groups[g].n;
	}
	free(t->pfx);
	t->pfx = pfx;
	return 0;
}

void bench_table_free(struct bench_table *t)
{
	for (size_t i = 0; i < t->n_groups; i++)
		bgp_attrs_unref(t->groups[i].attrs);
	free(t->groups);
	free(t->pfx);
	t->groups = NULL;
	t->pfx = NULL;
	t->n_groups = t->n_pfx = 0;
}
