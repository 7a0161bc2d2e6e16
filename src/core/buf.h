/* Bounds-checked byte reader and writer.
 *
 * Every byte that comes off the wire, out of a file or off the control
 * socket is read through struct rbuf: each getter checks what is left
 * before it reads and returns -EBADMSG on short input, so a parser can
 * never run past its buffer (the class of bug behind most BGP parser
 * CVEs, see shared reference "bgp-robustness").  Writers use struct wbuf,
 * which refuses to grow past its limit instead of truncating silently. */
#ifndef EGRESS_CORE_BUF_H
#define EGRESS_CORE_BUF_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rbuf {
	const uint8_t *p; /* next unread byte */
	size_t left;      /* bytes remaining */
};

static inline void rbuf_init(struct rbuf *r, const void *p, size_t n)
{
	r->p = p;
	r->left = n;
}

static inline size_t rbuf_left(const struct rbuf *r) { return r->left; }

static inline int rbuf_get_u8(struct rbuf *r, uint8_t *v)
{
	if (r->left < 1)
		return -EBADMSG;
	*v = r->p[0];
	r->p++;
	r->left--;
	return 0;
}

static inline int rbuf_get_u16(struct rbuf *r, uint16_t *v)
{
	if (r->left < 2)
		return -EBADMSG;
	*v = (uint16_t)((r->p[0] << 8) | r->p[1]);
	r->p += 2;
	r->left -= 2;
	return 0;
}

static inline int rbuf_get_u32(struct rbuf *r, uint32_t *v)
{
	if (r->left < 4)
		return -EBADMSG;
	*v = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) |
	     ((uint32_t)r->p[2] << 8) | r->p[3];
	r->p += 4;
	r->left -= 4;
	return 0;
}

static inline int rbuf_get_bytes(struct rbuf *r, void *dst, size_t n)
{
	if (r->left < n)
		return -EBADMSG;
	if (n)
		memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

/* Splits the next n bytes off into *sub (which then owns them). */
static inline int rbuf_get_sub(struct rbuf *r, size_t n, struct rbuf *sub)
{
	if (r->left < n)
		return -EBADMSG;
	sub->p = r->p;
	sub->left = n;
	r->p += n;
	r->left -= n;
	return 0;
}

static inline int rbuf_skip(struct rbuf *r, size_t n)
{
	if (r->left < n)
		return -EBADMSG;
	r->p += n;
	r->left -= n;
	return 0;
}

struct wbuf {
	uint8_t *data;
	size_t len;   /* bytes written */
	size_t cap;   /* bytes allocated */
	size_t limit; /* never grow past this */
	bool fixed;   /* data is caller's memory, never reallocated */
	int err;      /* first error (-EMSGSIZE, -ENOMEM), sticky */
};

/* Heap-backed writer that may grow up to limit bytes. */
void wbuf_init(struct wbuf *w, size_t limit);
/* Writer over caller memory; never allocates. */
void wbuf_init_fixed(struct wbuf *w, void *mem, size_t cap);
void wbuf_free(struct wbuf *w);
void wbuf_reset(struct wbuf *w);
/* Ensures n more bytes fit; on failure sets w->err and returns it. */
int wbuf_reserve(struct wbuf *w, size_t n);
void wbuf_put_u8(struct wbuf *w, uint8_t v);
void wbuf_put_u16(struct wbuf *w, uint16_t v);
void wbuf_put_u32(struct wbuf *w, uint32_t v);
void wbuf_put_bytes(struct wbuf *w, const void *p, size_t n);
/* Overwrites already written bytes (length fields filled in afterwards). */
void wbuf_patch_u8(struct wbuf *w, size_t off, uint8_t v);
void wbuf_patch_u16(struct wbuf *w, size_t off, uint16_t v);
/* Drops everything after off (undo a partly written element). */
void wbuf_truncate(struct wbuf *w, size_t off);
/* 0 if every write so far fitted, else the first error. */
static inline int wbuf_status(const struct wbuf *w) { return w->err; }
static inline size_t wbuf_room(const struct wbuf *w)
{
	return w->err ? 0 : w->limit - w->len;
}

#endif
