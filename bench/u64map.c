/* See u64map.h: linear probing, load kept at or below one half. */
#include <errno.h>
#include <stdlib.h>

#include "u64map.h"

static size_t slot_of(const struct u64map *m, uint64_t key)
{
	/* Fibonacci hashing: multiplicative mix, top bits select the slot,
	 * so sequential prefixes (the common case) spread evenly. */
	uint64_t h = key * 0x9e3779b97f4a7c15ull;
	h ^= h >> 29;
	return (size_t)h & (m->cap - 1);
}

static int alloc_slots(struct u64map *m, size_t cap)
{
	m->keys = calloc(cap, sizeof(*m->keys));
	m->vals = malloc(cap * sizeof(*m->vals));
	if (!m->keys || !m->vals) {
		free(m->keys);
		free(m->vals);
		m->keys = NULL;
		m->vals = NULL;
		return -ENOMEM;
	}
	m->cap = cap;
	m->n = 0;
	return 0;
}

int u64map_init(struct u64map *m, size_t expect)
{
	size_t cap = 64;
	while (cap < expect * 2)
		cap <<= 1;
	return alloc_slots(m, cap);
}

void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}

static size_t find(const struct u64map *m, uint64_t key)
{
	size_t i = slot_of(m, key);
	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

bool u64map_get(const struct u64map *m, uint64_t key, uint32_t *val)
{
	if (!key || !m->cap)
		return false;
	size_t i = find(m, key);
	if (!m->keys[i])
		return false;
	if (val)
		*val = m->vals[i];
	return true;
}

static int grow(struct u64map *m)
{
	struct u64map old = *m;
	if (alloc_slots(m, old.cap * 2)) {
		*m = old;
		return -ENOMEM;
	}
	for (size_t i = 0; i < old.cap; i++) {
		if (!old.keys[i])
			continue;
		size_t j = find(m, old.keys[i]);
		m->keys[j] = old.keys[i];
		m->vals[j] = old.vals[i];
		m->n++;
	}
	free(old.keys);
	free(old.vals);
	return 0;
}

int u64map_put(struct u64map *m, uint64_t key, uint32_t val)
{
	if (!key)
		return -EINVAL;
	if ((m->n + 1) * 2 > m->cap && grow(m))
		return -ENOMEM;
	size_t i = find(m, key);
	if (m->keys[i]) {
		m->vals[i] = val;
		return 0;
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 1;
}

bool u64map_del(struct u64map *m, uint64_t key)
{
	if (!key || !m->cap)
		return false;
	size_t i = find(m, key);
	if (!m->keys[i])
		return false;
	/* Backward shift: move later members of the probe run into the hole
	 * when their home slot does not lie cyclically in (hole, j]. */
	size_t mask = m->cap - 1, hole = i, j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (!m->keys[j])
			break;
		size_t home = slot_of(m, m->keys[j]);
		bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
		if (stays)
			continue;
		m->keys[hole] = m->keys[j];
		m->vals[hole] = m->vals[j];
		hole = j;
	}
	m->keys[hole] = 0;
	m->n--;
	return true;
}
