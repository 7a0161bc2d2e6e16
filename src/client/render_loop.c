/* egressctl show loop: the daemon's event-loop watch (daemon/loop_watch.h)
 * as text.  Every field is type-checked before anything is printed. */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "client/render.h"

/* The histogram's buckets in the order the daemon defines them; an
 * answer missing one is malformed. */
static const char *const buckets[] = { "<1ms",	    "1-10ms",	"10-50ms", "50-100ms",
				       "100-250ms", "250ms-1s", ">=1s" };

int render_loop(FILE *out, json_t *ans, char *err, size_t err_size)
{
	long long secs, iters, busy, longest, at;
	if (!render_field_int(ans, "seconds", &secs, err, err_size, "answer") ||
	    !render_field_int(ans, "iterations", &iters, err, err_size, "answer") ||
	    !render_field_int(ans, "busy_us", &busy, err, err_size, "answer") ||
	    !render_field_int(ans, "longest_us", &longest, err, err_size, "answer") ||
	    !render_field_int(ans, "longest_at", &at, err, err_size, "answer"))
		return -EBADMSG;
	json_t *hist = json_object_get(ans, "histogram");
	long long n[sizeof(buckets) / sizeof(buckets[0])];
	for (size_t i = 0; i < sizeof(buckets) / sizeof(buckets[0]); i++)
		if (!render_field_int(hist, buckets[i], &n[i], err, err_size, "histogram"))
			return -EBADMSG;
	char up[32];
	render_duration(secs, up, sizeof(up));
	fprintf(out, "event loop: %lld iterations in %s, working %.3f s (%.1f%%)\n", iters, up,
		(double)busy / 1e6, secs > 0 ? (double)busy / 1e4 / (double)secs : 0.0);
	if (iters && at > 0) {
		time_t t = (time_t)at;
		struct tm tm;
		char when[32] = "?";
		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		fprintf(out, "longest iteration: %.1f ms at %s\n", (double)longest / 1e3, when);
	}
	fputs("iterations by work time:\n", out);
	for (size_t i = 0; i < sizeof(buckets) / sizeof(buckets[0]); i++)
		fprintf(out, "  %-10s %lld\n", buckets[i], n[i]);
	return 0;
}
