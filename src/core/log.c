#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static bool log_to_stderr = true;
static enum log_level log_max = LOG_LVL_INFO;

void log_init(const char *ident, bool to_stderr, enum log_level max_level)
{
	log_to_stderr = to_stderr;
	log_max = max_level;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(enum log_level max_level) { log_max = max_level; }

bool log_enabled(enum log_level lvl) { return lvl <= log_max; }

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	if (!log_enabled(lvl))
		return;
	va_list ap;
	va_start(ap, fmt);
	if (log_to_stderr) {
		char ts[32];
		struct timespec now;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ %s: ", ts, now.tv_nsec / 1000000, names[lvl]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		fflush(stderr);
	} else {
		vsyslog(prio[lvl], fmt, ap);
	}
	va_end(ap);
}

char *log_hex(const void *p, size_t n, char *out, size_t out_size)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = p;
	size_t o = 0;
	if (out_size == 0)
		return out;
	for (size_t i = 0; i < n; i++) {
		if (o + 3 > out_size) {
			/* Cut: mark it so a reader never mistakes it for all. */
			if (out_size >= 3)
				o = out_size - 3, out[o++] = '.', out[o++] = '.';
			break;
		}
		out[o++] = digits[b[i] >> 4];
		out[o++] = digits[b[i] & 15];
	}
	out[o] = '\0';
	return out;
}

bool log_ratelimit_allow(struct log_ratelimit *rl, double now, unsigned *suppressed)
{
	if (rl->last < 0)
		rl->last = now;
	rl->tokens += (now - rl->last) / rl->interval_s;
	if (rl->tokens > rl->burst)
		rl->tokens = rl->burst;
	rl->last = now;
	if (rl->tokens < 1.0) {
		rl->suppressed++;
		return false;
	}
	rl->tokens -= 1.0;
	if (suppressed)
		*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}

double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
