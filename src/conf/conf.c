/* Loading, freeing and comparing configurations. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/diag.h"
#include "conf/parse.h"

/* A config is a few KiB; anything this big is a mistake (a log file, a
 * binary) and not worth the memory. */
#define CONF_MAX_SIZE (4u << 20)

static void errs_init(struct conf_errors *errs)
{
	if (errs) {
		errs->n = 0;
		errs->msgs = NULL;
	}
}

int conf_load_string(const char *name, const char *text, size_t len,
		     struct conf **out, struct conf_errors *errs)
{
	*out = NULL;
	errs_init(errs);
	if (!text)
		text = len ? NULL : "";
	if (!text)
		return -EINVAL;
	if (len > CONF_MAX_SIZE) {
		conf_errors_add_plain(errs, name,
				      "file too large (the limit is %u MiB)",
				      CONF_MAX_SIZE >> 20);
		return -EFBIG;
	}
	/* A NUL means this is not a text file: say so once instead of
	 * reporting whatever the bytes around it happen to look like. */
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		unsigned line = 1, col = 1;
		for (const char *q = text; q < nul; q++) {
			if (*q == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		struct conf_diag d;
		diag_init(&d, name);
		diag_add(&d, (struct conf_pos){ line, col },
			 "NUL byte in input (not a text file?)");
		diag_finish(&d, errs);
		return -EINVAL;
	}
	struct conf_diag d;
	diag_init(&d, name);
	struct pconf pc;
	conf_parse(text, len, &pc, &d);
	struct conf *c = conf_validate(&pc, name, &d);
	pconf_free(&pc);
	bool oom = d.oom;
	bool bad = diag_any(&d) || d.full;
	diag_finish(&d, errs);
	if (bad || !c) {
		conf_free(c);
		return oom ? -ENOMEM : -EINVAL;
	}
	*out = c;
	return 0;
}

int conf_load_file(const char *path, struct conf **out, struct conf_errors *errs)
{
	*out = NULL;
	errs_init(errs);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		conf_errors_add_plain(errs, path, "%s", strerror(e));
		return -e;
	}
	/* Read to EOF rather than trusting st_size: pipes and /proc files
	 * report 0.  Stop one byte past the limit to detect oversize. */
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap);
	int r = 0;
	while (buf) {
		if (len == cap) {
			if (cap > CONF_MAX_SIZE)
				break;
			size_t ncap = cap * 2;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (!buf) {
		conf_errors_add_plain(errs, path, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	if (r < 0) {
		free(buf);
		conf_errors_add_plain(errs, path, "%s", strerror(-r));
		return r;
	}
	r = conf_load_string(path, buf, len, out, errs);
	free(buf);
	return r;
}

void conf_free(struct conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_neighbors; i++) {
		free(c->neighbors[i].description);
		free(c->neighbors[i].password);
		free(c->neighbors[i].group);
		free(c->neighbors[i].import_policy);
		free(c->neighbors[i].export_policy);
	}
	conf_prefix_sets_free(c->prefix_sets, c->n_prefix_sets);
	conf_policies_free(c->policies, c->n_policies);
	conf_cloud_free(&c->cloud);
	conf_probes_free(c->probes, c->n_probes);
	free(c->neighbors);
	free(c->listen);
	conf_originates_free(c->originate, c->n_originate);
	conf_conditions_free(c->conditions, c->n_conditions);
	free(c->path);
	free(c);
}

void conf_errors_free(struct conf_errors *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++)
		free(e->msgs[i]);
	free(e->msgs);
	e->msgs = NULL;
	e->n = 0;
}

uint16_t conf_neighbor_keepalive(const struct conf_neighbor *n)
{
	if (n->keepalive_set)
		return n->keepalive;
	return n->hold_time / 3;
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool conf_neighbor_equal(const struct conf_neighbor *a, const struct conf_neighbor *b)
{
	return addr_eq(&a->addr, &b->addr) && a->port == b->port &&
	       a->remote_as == b->remote_as &&
	       str_eq(a->description, b->description) &&
	       str_eq(a->password, b->password) && a->hold_time == b->hold_time &&
	       a->hold_time_set == b->hold_time_set && a->keepalive == b->keepalive &&
	       a->keepalive_set == b->keepalive_set &&
	       a->connect_retry == b->connect_retry &&
	       a->connect_retry_set == b->connect_retry_set &&
	       a->delay_open == b->delay_open &&
	       a->delay_open_set == b->delay_open_set && a->passive == b->passive &&
	       a->ttl_security == b->ttl_security &&
	       addr_eq(&a->local_addr, &b->local_addr) && a->import == b->import &&
	       a->export == b->export && str_eq(a->import_policy, b->import_policy) &&
	       str_eq(a->export_policy, b->export_policy) && str_eq(a->group, b->group) &&
	       a->max_prefix == b->max_prefix && a->max_prefix_set == b->max_prefix_set &&
	       a->attachment == b->attachment && a->soft_reconfig_in == b->soft_reconfig_in &&
	       a->gr_off == b->gr_off && a->gr_set == b->gr_set &&
	       a->restart_time == b->restart_time && a->restart_time_set == b->restart_time_set;
}

bool conf_equal(const struct conf *a, const struct conf *b)
{
	if (a->router_id != b->router_id || a->local_as != b->local_as ||
	    a->n_listen != b->n_listen || a->n_originate != b->n_originate ||
	    a->n_neighbors != b->n_neighbors)
		return false;
	for (size_t i = 0; i < a->n_listen; i++)
		if (!addr_eq(&a->listen[i].addr, &b->listen[i].addr) ||
		    a->listen[i].port != b->listen[i].port)
			return false;
	if (!conf_origination_equal(a, b))
		return false;
	for (size_t i = 0; i < a->n_neighbors; i++)
		if (!conf_neighbor_equal(&a->neighbors[i], &b->neighbors[i]))
			return false;
	return conf_fib_equal(&a->fib, &b->fib) &&
	       conf_decision_equal(&a->decision, &b->decision) &&
	       conf_cloud_equal(&a->cloud, &b->cloud) && conf_policies_equal(a, b) &&
	       conf_probes_equal(a, b);
}
