/* libFuzzer target for the ICMP echo reply parser (src/probe).
 *
 * Raw-socket bytes are untrusted: any input, as IPv4 with its header, as
 * a bare ICMPv4 or ICMPv6 message, must parse or be refused without a
 * read past the end (ASan) and with one of the documented results. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe_icmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy of exactly size bytes, so ASan sees any overread. */
	uint8_t *p = malloc(size ? size : 1);
	if (!p)
		return 0;
	memcpy(p, data, size);
	static const bool modes[3][2] = { { false, true }, { false, false }, { true, false } };
	for (int m = 0; m < 3; m++) {
		struct probe_icmp_reply r;
		int e = probe_icmp_parse(p, size, modes[m][0], modes[m][1], &r);
		if (e != 0 && e != -ENOMSG && e != -EBADMSG)
			abort();
		/* A reply's fields were read from the input, so the input
		 * holds at least the header and the cookie. */
		if (e == 0 && size < PROBE_ICMP_LEN)
			abort();
	}
	free(p);
	return 0;
}
