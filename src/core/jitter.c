/* RFC 4271 section 10 timer jitter; see jitter.h. */
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/jitter.h"

static uint64_t state;

void jitter_seed(uint64_t seed)
{
	/* xorshift64* must not start at 0. */
	state = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

static uint64_t next(void)
{
	if (!state) {
		uint64_t s = 0;
		if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s)) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)getpid();
		}
		jitter_seed(s);
	}
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1dULL;
}

double jitter_timer(double base)
{
	if (base <= 0)
		return base;
	/* 53 random bits -> [0, 1], then [0.75, 1.0]. */
	double u = (double)(next() >> 11) / (double)((1ULL << 53) - 1);
	return base * (0.75 + 0.25 * u);
}

double jitter_timer_early(double base, double margin)
{
	if (base <= 0)
		return base;
	double top = base - margin;
	if (top < 0.75 * base)
		top = 0.75 * base;
	double u = (double)(next() >> 11) / (double)((1ULL << 53) - 1);
	return 0.75 * base + (top - 0.75 * base) * u;
}
