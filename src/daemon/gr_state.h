/* The note egressd leaves for its next run when it stops for a graceful
 * restart (gr_restart.c).  It lives next to the control socket, in the
 * runtime directory: a tmpfs that a reboot empties exactly as it empties
 * the kernel's routes, so "the note is there" means "the forwarding
 * state we left is still there".  A crash leaves no note: the next run
 * then claims no restart (R and F clear), the safe answer when nobody
 * knows whether the kernel table was mid-update. */
#ifndef EGRESS_DAEMON_GR_STATE_H
#define EGRESS_DAEMON_GR_STATE_H

#include <stddef.h>
#include <stdint.h>

#define GR_STATE_LEN 20

struct gr_state {
	uint32_t forwarding; /* BGP_FAM_BIT mask whose kernel routes were kept */
	uint64_t stopped;    /* wall clock (s since the epoch) of the stop */
};

/* Exactly GR_STATE_LEN bytes into out. */
void gr_state_encode(const struct gr_state *s, uint8_t out[GR_STATE_LEN]);
/* 0, or -EBADMSG when buf is not a note of this version. */
int gr_state_decode(const uint8_t *buf, size_t len, struct gr_state *s);

/* File helpers: write (atomically, by rename) / read and remove.  0 or
 * negative errno; -ENOENT when there is no note. */
int gr_state_save(const char *path, const struct gr_state *s);
int gr_state_take(const char *path, struct gr_state *s);

#endif
