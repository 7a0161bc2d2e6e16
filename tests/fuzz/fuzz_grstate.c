/* libFuzzer target for the graceful restart note (src/daemon/gr_state.c).
 *
 * The note is read back from the runtime directory at start; any content
 * must decode or be refused with -EBADMSG, never read past its end, and
 * what decodes must encode to the same bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/gr_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	if (!p)
		return 0;
	memcpy(p, data, size);
	struct gr_state s;
	int e = gr_state_decode(p, size, &s);
	if (e != 0 && e != -EBADMSG)
		abort();
	if (e == 0) {
		uint8_t b[GR_STATE_LEN];
		gr_state_encode(&s, b);
		if (size != GR_STATE_LEN || memcmp(b, p, size) != 0)
			abort();
	}
	free(p);
	return 0;
}
