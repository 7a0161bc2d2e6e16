/* libFuzzer target for the prefix trie (src/rib/trie.c): the input is a
 * sequence of operations, each checked against a sorted-array model
 * (tests/fuzz/trie_model.h); any disagreement aborts. */
#include <stddef.h>
#include <stdint.h>

/* Enough for the first-level index (4,096) and a slot past its array
 * bound; more only slows every input down. */
#define TM_BULK_LIMIT 6000
#include "trie_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Bulk operations make long inputs slow under the sanitizers; the
	 * interesting shapes need a few hundred operations at most. */
	if (size > 2048)
		return 0;
	tm_run(data, size);
	return 0;
}
