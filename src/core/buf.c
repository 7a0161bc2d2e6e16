#include "core/buf.h"

#include <stdlib.h>

void wbuf_init(struct wbuf *w, size_t limit)
{
	*w = (struct wbuf){.limit = limit};
}

void wbuf_init_fixed(struct wbuf *w, void *mem, size_t cap)
{
	*w = (struct wbuf){.data = mem, .cap = cap, .limit = cap, .fixed = true};
}

void wbuf_free(struct wbuf *w)
{
	if (!w->fixed)
		free(w->data);
	w->data = NULL;
	w->len = w->cap = 0;
	w->err = 0;
}

void wbuf_reset(struct wbuf *w)
{
	w->len = 0;
	w->err = 0;
}

int wbuf_reserve(struct wbuf *w, size_t n)
{
	if (w->err)
		return w->err;
	if (n > w->limit - w->len) {
		w->err = -EMSGSIZE;
		return w->err;
	}
	if (w->len + n <= w->cap)
		return 0;
	if (w->fixed) {
		w->err = -EMSGSIZE;
		return w->err;
	}
	size_t ncap = w->cap ? w->cap : 256;
	while (ncap < w->len + n)
		ncap *= 2;
	if (ncap > w->limit)
		ncap = w->limit;
	uint8_t *nd = realloc(w->data, ncap);
	if (!nd) {
		w->err = -ENOMEM;
		return w->err;
	}
	w->data = nd;
	w->cap = ncap;
	return 0;
}

void wbuf_put_u8(struct wbuf *w, uint8_t v)
{
	if (wbuf_reserve(w, 1) == 0)
		w->data[w->len++] = v;
}

void wbuf_put_u16(struct wbuf *w, uint16_t v)
{
	if (wbuf_reserve(w, 2) == 0) {
		w->data[w->len++] = (uint8_t)(v >> 8);
		w->data[w->len++] = (uint8_t)v;
	}
}

void wbuf_put_u32(struct wbuf *w, uint32_t v)
{
	if (wbuf_reserve(w, 4) == 0) {
		w->data[w->len++] = (uint8_t)(v >> 24);
		w->data[w->len++] = (uint8_t)(v >> 16);
		w->data[w->len++] = (uint8_t)(v >> 8);
		w->data[w->len++] = (uint8_t)v;
	}
}

void wbuf_put_bytes(struct wbuf *w, const void *p, size_t n)
{
	if (n && wbuf_reserve(w, n) == 0) {
		memcpy(w->data + w->len, p, n);
		w->len += n;
	}
}

void wbuf_patch_u8(struct wbuf *w, size_t off, uint8_t v)
{
	if (!w->err && off < w->len)
		w->data[off] = v;
}

void wbuf_patch_u16(struct wbuf *w, size_t off, uint16_t v)
{
	if (!w->err && off + 2 <= w->len) {
		w->data[off] = (uint8_t)(v >> 8);
		w->data[off + 1] = (uint8_t)v;
	}
}

void wbuf_truncate(struct wbuf *w, size_t off)
{
	if (off <= w->len)
		w->len = off;
	w->err = 0;
}
