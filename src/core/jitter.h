/* Timer jitter (RFC 4271 section 10): "jitter SHOULD be applied to the
 * timers associated with MinASOriginationIntervalTimer, KeepaliveTimer,
 * MinRouteAdvertisementIntervalTimer, and ConnectRetryTimer", the base
 * value multiplied by a random factor uniformly distributed in
 * [0.75, 1.0].  Keepalives then always leave a little early, never
 * late, and speakers restarted together do not reconnect in lockstep.
 * Not for security: a fast generator seeded once from the kernel. */
#ifndef EGRESS_CORE_JITTER_H
#define EGRESS_CORE_JITTER_H

#include <stdint.h>

/* base * a factor in [0.75, 1.0]; 0 stays 0. */
double jitter_timer(double base);

/* As jitter_timer, with the top of the range pulled down to base -
 * margin (never below 0.75 * base): the value is still "between 75 and
 * 100 percent" of base, and a timer that fires up to margin seconds
 * late (a loop iteration in progress when it came due) still fires
 * within base.  For the KeepaliveTimer, whose lateness a peer can see. */
double jitter_timer_early(double base, double margin);

/* For tests: restart the generator from a known seed. */
void jitter_seed(uint64_t seed);

#endif
