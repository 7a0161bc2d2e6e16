/* The condition registry: see daemon/condition.h.  Conditions are few
 * (one per uplink or switch), so a plain array searched by name serves. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "daemon/condition.h"
#include "daemon/daemon.h"
#include "daemon/originate.h"

static void reason_set(struct daemon_condition *c, const char *reason)
{
	snprintf(c->reason, sizeof(c->reason), "%s", reason ? reason : "");
}

struct daemon_condition *daemon_condition_find(struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->n_conds; i++)
		if (strcmp(d->conds[i].name, name) == 0)
			return &d->conds[i];
	return NULL;
}

int daemon_condition_add(struct daemon *d, const char *name, bool up, bool manual,
			 const char *reason)
{
	if (daemon_condition_find(d, name))
		return -EEXIST;
	struct daemon_condition *arr = realloc(d->conds, (d->n_conds + 1) * sizeof(*arr));
	if (!arr)
		return -ENOMEM;
	d->conds = arr;
	struct daemon_condition *c = &d->conds[d->n_conds];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	if (!c->name)
		return -ENOMEM;
	c->up = up;
	c->manual = manual;
	c->since = time(NULL);
	reason_set(c, reason);
	d->n_conds++;
	return 0;
}

int daemon_conditions_init(struct daemon *d)
{
	for (size_t i = 0; i < d->conf->n_conditions; i++) {
		const struct conf_condition *cc = &d->conf->conditions[i];
		int rc = daemon_condition_add(d, cc->name, cc->up, true,
					      "initial state from the configuration");
		if (rc < 0 && rc != -EEXIST)
			return rc;
	}
	return 0;
}

void daemon_conditions_free(struct daemon *d)
{
	for (size_t i = 0; i < d->n_conds; i++)
		free(d->conds[i].name);
	free(d->conds);
	d->conds = NULL;
	d->n_conds = 0;
}

int daemon_condition_set(struct daemon *d, const char *name, bool up, const char *reason)
{
	struct daemon_condition *c = daemon_condition_find(d, name);
	if (!c) {
		int rc = daemon_condition_add(d, name, !up, false, NULL);
		if (rc < 0)
			return rc;
		c = daemon_condition_find(d, name);
	}
	reason_set(c, reason);
	if (c->up == up)
		return 0;
	c->up = up;
	c->since = time(NULL);
	c->changes++;
	log_info("condition %s %s: %s", name, up ? "up" : "down", c->reason);
	/* c may move if an origination's work adds a condition; it does not,
	 * but nothing below reads c again. */
	daemon_originate_eval(d, name);
	return 1;
}

int daemon_conditions_reload(struct daemon *d)
{
	/* Drop manual conditions the new config no longer defines (probe
	 * ones are their owner's business). */
	size_t k = 0;
	for (size_t i = 0; i < d->n_conds; i++) {
		struct daemon_condition *c = &d->conds[i];
		if (c->manual && !conf_condition_find(d->conf, c->name)) {
			log_info("condition %s: no longer in the configuration, removed", c->name);
			free(c->name);
			continue;
		}
		d->conds[k++] = *c;
	}
	d->n_conds = k;
	return daemon_conditions_init(d);
}
