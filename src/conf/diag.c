#include "conf/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diag_init(struct conf_diag *d, const char *name)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
}

void diag_add(struct conf_diag *d, struct conf_pos pos, const char *fmt, ...)
{
	if (d->full)
		return;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct diag_item *it = realloc(d->items, cap * sizeof(*it));
		if (!it) {
			d->oom = true;
			return;
		}
		d->items = it;
		d->cap = cap;
	}
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	int r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0) {
		d->oom = true;
		return;
	}
	d->items[d->n] = (struct diag_item){ .pos = pos, .seq = d->n, .msg = msg };
	d->n++;
	if (d->n >= DIAG_MAX_ERRORS)
		d->full = true;
}

static int diag_item_cmp(const void *a, const void *b)
{
	const struct diag_item *x = a, *y = b;
	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	if (x->pos.col != y->pos.col)
		return x->pos.col < y->pos.col ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void errs_push(struct conf_errors *errs, char *msg)
{
	if (!msg)
		return;
	char **m = realloc(errs->msgs, (errs->n + 1) * sizeof(*m));
	if (!m) {
		free(msg);
		return;
	}
	errs->msgs = m;
	errs->msgs[errs->n++] = msg;
}

void conf_errors_add_plain(struct conf_errors *errs, const char *name,
			   const char *fmt, ...)
{
	if (!errs)
		return;
	char *body = NULL, *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&body, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	if (asprintf(&msg, "%s: %s", name, body) < 0)
		msg = NULL;
	free(body);
	errs_push(errs, msg);
}

void diag_finish(struct conf_diag *d, struct conf_errors *errs)
{
	if (d->n)
		qsort(d->items, d->n, sizeof(*d->items), diag_item_cmp);
	for (size_t i = 0; i < d->n; i++) {
		struct diag_item *it = &d->items[i];
		if (errs) {
			char *msg = NULL;
			if (asprintf(&msg, "%s:%u:%u: %s", d->name, it->pos.line,
				     it->pos.col, it->msg) < 0)
				msg = NULL;
			errs_push(errs, msg);
		}
		free(it->msg);
	}
	if (d->full)
		conf_errors_add_plain(errs, d->name,
				      "too many errors, stopped after %d",
				      DIAG_MAX_ERRORS);
	if (d->oom)
		conf_errors_add_plain(errs, d->name, "out of memory");
	free(d->items);
	d->items = NULL;
	d->n = d->cap = 0;
}
