/* The loop watch: see daemon/loop_watch.h.
 *
 * libev runs check watchers right after the poll returns and prepare
 * watchers right before the next poll.  The watch's check runs at the
 * highest priority (first thing after the poll) and its prepare at the
 * lowest (after every other prepare, such as the FIB batch commit,
 * which is work of the same iteration), so the time between the two is
 * the iteration's own work, whatever the watchers were. */
#include "daemon/loop_watch.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "ctl/ctl.h"
#include "ctl/ctl_args.h"

/* Upper bounds in microseconds of the histogram's buckets; the last
 * bucket takes everything longer. */
static const uint64_t bucket_us[] = { 1000, 10000, 50000, 100000, 250000, 1000000 };
static const char *const bucket_name[] = { "<1ms",	 "1-10ms",   "10-50ms", "50-100ms",
					   "100-250ms", "250ms-1s", ">=1s" };
#define N_BUCKETS (sizeof(bucket_name) / sizeof(bucket_name[0]))

/* Iterations at least this long are logged (rate-limited): a timer due
 * meanwhile fired a second late. */
#define LOOP_WATCH_WARN_US 1000000
#define LOOP_WATCH_WARN_EVERY_S 60

struct daemon_loop_watch {
	struct ev_loop *loop;
	ev_check check;
	ev_prepare prepare;
	uint64_t started_us;  /* monotonic; 0 while no iteration is open */
	uint64_t since_us;    /* monotonic start of the watch */
	uint64_t iterations;
	uint64_t busy_us;
	uint64_t buckets[N_BUCKETS];
	uint64_t longest_us;
	time_t longest_at;    /* wall clock, for the operator */
	time_t last_warn;
	uint64_t unwarned;    /* long iterations not yet logged */
};

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void on_check(struct ev_loop *loop, ev_check *c, int revents)
{
	struct daemon_loop_watch *w = c->data;
	(void)loop;
	(void)revents;
	w->started_us = mono_us();
}

static void warn_long(struct daemon_loop_watch *w, uint64_t us)
{
	time_t now = time(NULL);
	w->unwarned++;
	if (w->last_warn && now - w->last_warn < LOOP_WATCH_WARN_EVERY_S)
		return;
	log_warn("event loop: an iteration worked %.3f s (%llu such since the last warning): "
		 "timers due meanwhile, keepalives included, fired that late",
		 (double)us / 1e6, (unsigned long long)w->unwarned);
	w->unwarned = 0;
	w->last_warn = now;
}

static void on_prepare(struct ev_loop *loop, ev_prepare *p, int revents)
{
	struct daemon_loop_watch *w = p->data;
	(void)loop;
	(void)revents;
	if (!w->started_us)
		return; /* the first prepare, before any poll */
	uint64_t us = mono_us() - w->started_us;
	w->started_us = 0;
	w->iterations++;
	w->busy_us += us;
	size_t b = 0;
	while (b < N_BUCKETS - 1 && us >= bucket_us[b])
		b++;
	w->buckets[b]++;
	if (us > w->longest_us) {
		w->longest_us = us;
		w->longest_at = time(NULL);
	}
	if (us >= LOOP_WATCH_WARN_US)
		warn_long(w, us);
}

static json_t *cmd_show_loop(void *ctx, json_t *req, char *err, size_t err_size)
{
	struct daemon_loop_watch *w = ctx;
	struct ctl_arg_value arg[CTL_ARGS_MAX];
	if (ctl_args_parse(req, "show loop", arg, err, err_size) != 0)
		return NULL;
	json_t *hist = json_object();
	if (!hist)
		goto nomem;
	for (size_t i = 0; i < N_BUCKETS; i++)
		if (json_object_set_new(hist, bucket_name[i],
					json_integer((json_int_t)w->buckets[i])) < 0) {
			json_decref(hist);
			goto nomem;
		}
	json_t *ans = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "seconds",
				(json_int_t)((mono_us() - w->since_us) / 1000000u), "iterations",
				(json_int_t)w->iterations, "busy_us", (json_int_t)w->busy_us,
				"longest_us", (json_int_t)w->longest_us, "longest_at",
				(json_int_t)w->longest_at, "histogram", hist);
	if (ans)
		return ans;
nomem:
	snprintf(err, err_size, "out of memory");
	return NULL;
}

struct daemon_loop_watch *daemon_loop_watch_start(struct ev_loop *loop, struct ctl_server *ctl)
{
	struct daemon_loop_watch *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->loop = loop;
	w->since_us = mono_us();
	ev_check_init(&w->check, on_check);
	ev_prepare_init(&w->prepare, on_prepare);
	w->check.data = w->prepare.data = w;
	ev_set_priority(&w->check, EV_MAXPRI);
	ev_set_priority(&w->prepare, EV_MINPRI);
	ev_check_start(loop, &w->check);
	ev_prepare_start(loop, &w->prepare);
	/* Neither watcher should keep the loop alive on its own. */
	ev_unref(loop);
	ev_unref(loop);
	if (ctl && ctl_server_add_command(ctl, "show loop", cmd_show_loop, w) < 0)
		log_warn("control socket: cannot add \"show loop\"");
	return w;
}

void daemon_loop_watch_stop(struct daemon_loop_watch *w)
{
	if (!w)
		return;
	ev_ref(w->loop);
	ev_ref(w->loop);
	ev_check_stop(w->loop, &w->check);
	ev_prepare_stop(w->loop, &w->prepare);
	free(w);
}
