/* Logging: stderr in the foreground (-d), syslog otherwise.
 *
 * Errors caused by a remote peer are logged apart from our own bugs and
 * rate-limited (struct log_ratelimit) so a peer sending garbage cannot
 * flood the log or slow the daemon down. */
#ifndef EGRESS_CORE_LOG_H
#define EGRESS_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(const char *ident, bool to_stderr, enum log_level max_level);
void log_set_level(enum log_level max_level);
bool log_enabled(enum log_level lvl);
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)                                  \
	do {                                            \
		if (log_enabled(LOG_LVL_DEBUG))         \
			log_msg(LOG_LVL_DEBUG, __VA_ARGS__); \
	} while (0)

/* Writes n bytes as lowercase hex into out (2n+1 bytes). If the output
 * would exceed out_size, it is cut and ends in "..". Returns out. */
char *log_hex(const void *p, size_t n, char *out, size_t out_size);

/* Token bucket: at most `burst` events, refilled at one per `interval_s`. */
struct log_ratelimit {
	double interval_s;
	unsigned burst;
	double tokens;
	double last;
	unsigned suppressed; /* events dropped since the last allowed one */
};
#define LOG_RATELIMIT_INIT(interval, b) \
	{ .interval_s = (interval), .burst = (b), .tokens = (b), .last = -1 }
/* True if the event may be logged now. When it returns true after a
 * quiet period, *suppressed (if not NULL) gets how many were dropped. */
bool log_ratelimit_allow(struct log_ratelimit *rl, double now, unsigned *suppressed);

/* Monotonic seconds. */
double mono_now(void);
/* Wall-clock seconds since the epoch. */
double wall_now(void);

#endif
