/* The configuration model: what the parser builds and the daemon reads.
 * Plain data; the parser runs nothing (DESIGN 4). */
#ifndef EGRESS_CONF_CONF_H
#define EGRESS_CONF_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

/* Where a statement came from, for messages about it. */
struct conf_pos {
	unsigned line;
	unsigned col;
};

/* import/export without a named policy yet (named policies come with the
 * routing core).  UNSET resolves per RFC 8212: NONE for eBGP, ALL for iBGP. */
enum conf_filter { CONF_FILTER_UNSET = 0, CONF_FILTER_ALL, CONF_FILTER_NONE };

/* ConnectRetryTime when a neighbor sets none: shorter than RFC 4271
 * section 10's suggested 120 s because failover labs restart peers
 * often and should not wait two minutes for the next attempt. */
#define CONF_CONNECT_RETRY_DEFAULT 30

struct conf_neighbor {
	struct conf_pos pos;
	struct addr addr;
	uint16_t port;            /* 0 = 179 */
	uint32_t remote_as;       /* 0 = not set (an error after inheritance) */
	char *description;        /* NULL if none */
	char *password;           /* TCP MD5 key, NULL if none */
	uint16_t hold_time;       /* seconds; 0 allowed (no keepalives) */
	bool hold_time_set;
	uint16_t keepalive;       /* seconds; default hold_time / 3 */
	bool keepalive_set;
	uint16_t connect_retry;   /* seconds, 1..65535; default
				   * CONF_CONNECT_RETRY_DEFAULT */
	bool connect_retry_set;
	uint16_t delay_open;      /* seconds; 0 = DelayOpen off (the default),
				   * RFC 4271 8.1.1 DelayOpenTime */
	bool delay_open_set;
	bool passive;             /* never connect, only accept */
	bool ttl_security;        /* GTSM, RFC 5082 */
	struct addr local_addr;   /* af 0 = kernel's choice */
	enum conf_filter import;
	enum conf_filter export;
	char *group;              /* name of the enclosing group, or NULL */
};

struct conf_listen {
	struct conf_pos pos;
	struct addr addr;
	uint16_t port;            /* 0 = 179 */
};

struct conf_originate {
	struct conf_pos pos;
	struct prefix prefix;
};

struct conf {
	char *path;               /* file the config was read from */
	uint32_t router_id;       /* host byte order; 0 = not set (error) */
	uint32_t local_as;        /* 0 = not set (error) */
	size_t n_listen;
	struct conf_listen *listen;   /* none given: 0.0.0.0 and :: port 179 */
	size_t n_originate;
	struct conf_originate *originate;
	size_t n_neighbors;
	struct conf_neighbor *neighbors; /* groups already flattened into these */
};

/* Every problem found, each "file:line:col: message", in file order. */
struct conf_errors {
	size_t n;
	char **msgs;
};

/* Parses a file. Returns 0 and a config, or -EINVAL with every error in
 * errs (the parser keeps going after an error so one run reports all),
 * or another negative errno if the file cannot be read (also in errs). */
int conf_load_file(const char *path, struct conf **out, struct conf_errors *errs);
/* Same, from memory; name is used in messages. */
int conf_load_string(const char *name, const char *text, size_t len,
		     struct conf **out, struct conf_errors *errs);
void conf_free(struct conf *c);
void conf_errors_free(struct conf_errors *e);
/* Effective keepalive: the configured one, else hold_time / 3. */
uint16_t conf_neighbor_keepalive(const struct conf_neighbor *n);
/* Writes the config back in its own syntax (round-trip tests, -nv). */
int conf_print(const struct conf *c, char **out);
/* Same settings, ignoring positions and path (round trips; a reload can
 * use conf_neighbor_equal to find the neighbors that changed). */
bool conf_neighbor_equal(const struct conf_neighbor *a, const struct conf_neighbor *b);
bool conf_equal(const struct conf *a, const struct conf *b);

#endif
