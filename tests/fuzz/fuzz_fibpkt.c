/* libFuzzer target: the failover benchmark's packet reader
 * (bench/fib_pkt.c), which reads whatever a packet capture hands it. */
#include <stddef.h>
#include <stdint.h>

#include "fib_pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t idx, seq;
	(void)fib_pkt_parse(data, size, &idx, &seq);
	return 0;
}
