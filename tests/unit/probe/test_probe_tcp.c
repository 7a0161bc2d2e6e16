/* The probe runtime on a real loop: TCP connect probes to a listener on
 * loopback go up after `rise` connects and down after `fall` refusals
 * once the listener is gone; the callback sees each transition once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/probe.h"

struct seen {
	int ups, downs;
	struct ev_loop *loop;
	int listener;
};

static void on_change(struct probe *pr, const struct probe_fsm *f, void *arg)
{
	struct seen *s = arg;
	if (f->state == PROBE_UP) {
		s->ups++;
		/* Take the service away: the next connects are refused. */
		close(s->listener);
		s->listener = -1;
	} else if (f->state == PROBE_DOWN) {
		s->downs++;
		ev_break(s->loop, EVBREAK_ALL);
	}
}

static void on_guard(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static void test_tcp_up_then_down(void **state)
{
	(void)state;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(l >= 0);
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(bind(l, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(l, 16), 0);
	socklen_t sl = sizeof(sin);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sin, &sl), 0);

	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct seen s = { .loop = loop, .listener = l };
	/* A loopback connect answers in microseconds; the timeout leaves
	 * room for a loaded machine (15 ms failed an ASan run under load,
	 * a timed-out probe counting as a failure). */
	struct probe_params pp = { .kind = PROBE_TCP, .port = ntohs(sin.sin_port),
				   .interval_ms = 200, .timeout_ms = 180, .rise = 3,
				   .fall = 2 };
	assert_int_equal(addr_parse("127.0.0.1", &pp.target), 0);
	struct probe *pr = probe_new(loop, "svc", &pp, on_change, &s);
	assert_non_null(pr);
	assert_int_equal(probe_start(pr), 0);
	ev_timer guard;
	ev_timer_init(&guard, on_guard, 5.0, 0);
	ev_timer_start(loop, &guard);
	ev_run(loop, 0);
	ev_timer_stop(loop, &guard);

	assert_int_equal(s.ups, 1);
	assert_int_equal(s.downs, 1);
	const struct probe_fsm *f = probe_fsm(pr);
	assert_int_equal(f->state, PROBE_DOWN);
	assert_int_equal(f->n_ok, 3);
	assert_int_equal(f->n_fail, 2);
	const struct probe_result *r = probe_fsm_result_at(f, 0);
	assert_false(r->ok);
	assert_int_equal(r->err, -ECONNREFUSED);
	assert_true(probe_fsm_result_at(f, 2)->ok);
	char buf[64];
	snprintf(buf, sizeof(buf), "tcp 127.0.0.1:%u", pp.port);
	char got[64];
	assert_string_equal(probe_target_fmt(&pp, got, sizeof(got)), buf);
	probe_free(pr);
	ev_loop_destroy(loop);
	if (s.listener >= 0)
		close(s.listener);
}

static void test_bad_params_refused(void **state)
{
	(void)state;
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct probe_params pp = { .kind = PROBE_ICMP, .interval_ms = 0, .timeout_ms = 1 };
	addr_parse("127.0.0.1", &pp.target);
	struct probe *pr = probe_new(loop, "x", &pp, NULL, NULL);
	assert_int_equal(probe_start(pr), -EINVAL);
	probe_free(pr);
	ev_loop_destroy(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_up_then_down),
		cmocka_unit_test(test_bad_params_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
