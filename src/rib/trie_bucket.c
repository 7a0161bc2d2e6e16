/* Sorted-array buckets of the prefix trie's index slots: see
 * rib/trie_bucket.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rib/trie_bucket.h"

static size_t tb_size(size_t cap)
{
	return sizeof(struct trie_bucket) + cap * (sizeof(void *) + sizeof(uint32_t));
}

/* What glibc's malloc really holds for a request of n bytes on 64-bit
 * (an 8-byte header, chunks in steps of 16, 32 at least; as in
 * rib/attr_intern.c), so `show memory` counts what the process pays.
 * With 8 header bytes and 12 per entry, a capacity that is a multiple
 * of 4 fills its chunk exactly. */
static size_t tb_chunk(size_t n)
{
	size_t c = (n + 8 + 15) & ~(size_t)15;
	return c < 32 ? 32 : c;
}

/* Room for n entries and a quarter more, in steps of 4: a slot filled
 * one prefix at a time is copied O(log n) times, and the slack stays
 * around an eighth on average. */
static size_t tb_cap_for(size_t n)
{
	size_t c = (n + n / 4 + 3) & ~(size_t)3;
	if (c < 4)
		c = 4;
	if (c > TRIE_BUCKET_MAX)
		c = TRIE_BUCKET_MAX;
	return c < n ? n : c;
}

static struct trie_bucket *tb_alloc(size_t cap, size_t *bytes)
{
	struct trie_bucket *b = malloc(tb_size(cap));
	if (!b)
		return NULL;
	b->n = 0;
	b->cap = (uint16_t)cap;
	b->lens = 0;
	*bytes += tb_chunk(tb_size(cap));
	return b;
}

void tb_free(struct trie_bucket *b, size_t *bytes)
{
	if (!b)
		return;
	*bytes -= tb_chunk(tb_size(b->cap));
	free(b);
}

/* Copies b's entries [from, to) to nb's end. */
static void tb_append(struct trie_bucket *nb, const struct trie_bucket *b, size_t from, size_t to)
{
	const uint32_t *keys = tb_ckeys(b);
	uint32_t *nkeys = tb_keys(nb);
	for (size_t j = from; j < to; j++) {
		nb->val[nb->n] = b->val[j];
		nkeys[nb->n++] = keys[j];
		nb->lens |= tb_len_bit(tb_key_len(keys[j]));
	}
}

int tb_insert_at(struct trie_bucket **bp, size_t i, uint32_t k, void *v, size_t *bytes)
{
	struct trie_bucket *b = *bp;
	size_t n = b ? b->n : 0;
	if (b && n < b->cap) {
		uint32_t *keys = tb_keys(b);
		memmove(&b->val[i + 1], &b->val[i], (n - i) * sizeof(b->val[0]));
		memmove(&keys[i + 1], &keys[i], (n - i) * sizeof(keys[0]));
		b->val[i] = v;
		keys[i] = k;
		b->n++;
		b->lens |= tb_len_bit(tb_key_len(k));
		return 0;
	}
	struct trie_bucket *nb = tb_alloc(tb_cap_for(n + 1), bytes);
	if (!nb)
		return -ENOMEM;
	if (b)
		tb_append(nb, b, 0, i);
	nb->val[nb->n] = v;
	tb_keys(nb)[nb->n++] = k;
	nb->lens |= tb_len_bit(tb_key_len(k));
	if (b) {
		tb_append(nb, b, i, n);
		tb_free(b, bytes);
	}
	*bp = nb;
	return 0;
}

void tb_remove_at(struct trie_bucket **bp, size_t i, size_t *bytes)
{
	struct trie_bucket *b = *bp;
	size_t n = b->n;
	if (n == 1) {
		tb_free(b, bytes);
		*bp = NULL;
		return;
	}
	/* Half empty: copy to a fitting array (withdrawals must give the
	 * memory back, not only the prefixes).  If that allocation fails,
	 * the entry is removed in place all the same. */
	if (b->cap > 4 && n - 1 <= b->cap / 2) {
		struct trie_bucket *nb = tb_alloc(tb_cap_for(n - 1), bytes);
		if (nb) {
			tb_append(nb, b, 0, i);
			tb_append(nb, b, i + 1, n);
			tb_free(b, bytes);
			*bp = nb;
			return;
		}
	}
	uint32_t *keys = tb_keys(b);
	memmove(&b->val[i], &b->val[i + 1], (n - i - 1) * sizeof(b->val[0]));
	memmove(&keys[i], &keys[i + 1], (n - i - 1) * sizeof(keys[0]));
	b->n--;
}
