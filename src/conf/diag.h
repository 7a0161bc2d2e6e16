/* Collects configuration errors with their positions.
 *
 * The parser and the validator report in whatever order they discover
 * problems; diag_finish() sorts them by position so the user reads them in
 * file order, and formats each as "FILE:LINE:COL: message". */
#ifndef EGRESS_CONF_DIAG_H
#define EGRESS_CONF_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"

/* A file this broken is not worth reading further; stop reporting. */
#define DIAG_MAX_ERRORS 100

struct diag_item {
	struct conf_pos pos;
	size_t seq;   /* discovery order, keeps the sort stable */
	char *msg;    /* message without the "FILE:LINE:COL: " prefix */
};

struct conf_diag {
	const char *name;
	size_t n, cap;
	struct diag_item *items;
	bool full;    /* DIAG_MAX_ERRORS reached; later errors dropped */
	bool oom;     /* an allocation failed somewhere */
};

void diag_init(struct conf_diag *d, const char *name);
void diag_add(struct conf_diag *d, struct conf_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline bool diag_any(const struct conf_diag *d) { return d->n > 0 || d->oom; }
/* Sorts, formats and moves everything into errs (which may be NULL);
 * frees the diag's own memory. */
void diag_finish(struct conf_diag *d, struct conf_errors *errs);
/* Adds one message without position ("FILE: message"). */
void conf_errors_add_plain(struct conf_errors *errs, const char *name,
			   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
