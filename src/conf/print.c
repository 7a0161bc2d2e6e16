/* conf_print: the model back in its own syntax.
 *
 * Output parses to an equal model (the round trip the fuzz target and
 * the unit tests check).  Groups are flattened: each neighbor carries
 * every setting it has, and neighbors of one group are written inside a
 * "group NAME { }" block so the membership survives. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/parse.h"

static void print_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static const char *filter_word(enum conf_filter x, const char *name)
{
	if (x == CONF_FILTER_POLICY && name)
		return name;
	return x == CONF_FILTER_ALL ? "all" : "none";
}

static void print_neighbor(FILE *f, const struct conf_neighbor *n, const char *ind)
{
	char a[ADDR_STRLEN];
	fprintf(f, "%sneighbor %s {\n", ind, addr_fmt(&n->addr, a));
	if (n->remote_as)
		fprintf(f, "%s\tremote-as %u\n", ind, n->remote_as);
	if (n->description) {
		fprintf(f, "%s\tdescription ", ind);
		print_string(f, n->description);
		fputc('\n', f);
	}
	if (n->password) {
		fprintf(f, "%s\tpassword ", ind);
		print_string(f, n->password);
		fputc('\n', f);
	}
	if (n->hold_time_set)
		fprintf(f, "%s\thold-time %u\n", ind, n->hold_time);
	if (n->keepalive_set)
		fprintf(f, "%s\tkeepalive %u\n", ind, n->keepalive);
	if (n->connect_retry_set)
		fprintf(f, "%s\tconnect-retry %u\n", ind, n->connect_retry);
	if (n->delay_open_set)
		fprintf(f, "%s\tdelay-open %u\n", ind, n->delay_open);
	if (n->passive)
		fprintf(f, "%s\tpassive\n", ind);
	if (n->ttl_security)
		fprintf(f, "%s\tttl-security\n", ind);
	if (n->local_addr.af)
		fprintf(f, "%s\tlocal-address %s\n", ind, addr_fmt(&n->local_addr, a));
	if (n->port)
		fprintf(f, "%s\tport %u\n", ind, n->port);
	if (n->import != CONF_FILTER_UNSET)
		fprintf(f, "%s\timport %s\n", ind, filter_word(n->import, n->import_policy));
	if (n->export != CONF_FILTER_UNSET)
		fprintf(f, "%s\texport %s\n", ind, filter_word(n->export, n->export_policy));
	if (n->max_prefix_set)
		fprintf(f, "%s\tmax-prefix %u\n", ind, n->max_prefix);
	if (n->soft_reconfig_in)
		fprintf(f, "%s\tsoft-reconfiguration inbound\n", ind);
	if (n->gr_set)
		fprintf(f, "%s\tgraceful-restart %s\n", ind, n->gr_off ? "off" : "on");
	if (n->restart_time_set)
		fprintf(f, "%s\trestart-time %u\n", ind, n->restart_time);
	if (n->attachment != CONF_ATTACH_UNSET)
		fprintf(f, "%s\tattachment %s\n", ind,
			n->attachment == CONF_ATTACH_DX ? "direct-connect" : "vpn");
	fprintf(f, "%s}\n", ind);
}

int conf_print(const struct conf *c, char **out)
{
	char *buf = NULL;
	size_t size = 0;
	*out = NULL;
	/* printed[i]: neighbor i already written with its group. */
	bool *printed = calloc(c->n_neighbors ? c->n_neighbors : 1, sizeof(*printed));
	if (!printed)
		return -ENOMEM;
	FILE *f = open_memstream(&buf, &size);
	if (!f) {
		free(printed);
		return -ENOMEM;
	}
	fprintf(f, "router-id %u.%u.%u.%u\n", c->router_id >> 24,
		(c->router_id >> 16) & 0xff, (c->router_id >> 8) & 0xff,
		c->router_id & 0xff);
	fprintf(f, "local-as %u\n", c->local_as);
	for (size_t i = 0; i < c->n_listen; i++) {
		char a[ADDR_STRLEN];
		fprintf(f, "listen on %s", addr_fmt(&c->listen[i].addr, a));
		if (c->listen[i].port)
			fprintf(f, " port %u", c->listen[i].port);
		fputc('\n', f);
	}
	conf_origination_print(c, f);
	conf_fib_print(c, f);
	conf_decision_print(&c->decision, f);
	conf_cloud_print(c, f);
	conf_probes_print(c, f);
	conf_policies_print(c, f);
	for (size_t i = 0; i < c->n_neighbors; i++) {
		const struct conf_neighbor *n = &c->neighbors[i];
		if (printed[i])
			continue;
		fputc('\n', f);
		if (!n->group) {
			print_neighbor(f, n, "");
			continue;
		}
		/* A group is one block, so gather all its neighbors here (a
		 * parsed config has them next to each other anyway). */
		fprintf(f, "group %s {\n", n->group);
		for (size_t j = i; j < c->n_neighbors; j++) {
			if (printed[j] || !c->neighbors[j].group ||
			    strcmp(c->neighbors[j].group, n->group) != 0)
				continue;
			print_neighbor(f, &c->neighbors[j], "\t");
			printed[j] = true;
		}
		fprintf(f, "}\n");
	}
	free(printed);
	bool err = ferror(f);
	if (fclose(f) != 0 || err) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}
