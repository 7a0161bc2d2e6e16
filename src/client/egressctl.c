/* egressctl: the operator's command line for egressd.
 *
 *   egressctl [-s SOCKET] [--json] COMMAND...
 *
 * Sends one request line to the control socket, reads the one JSON
 * answer and prints it, pretty JSON with --json, a table otherwise.
 * The daemon's answer is not trusted: it is size-capped, parsed with
 * jansson and every field is type-checked before it is printed. */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "client/render.h"
#include "client/render_cloud.h"
#include "client/render_originate.h"
#include "ctl/ctl.h"
#include "ctl/ctl_proto.h"

/* A full table of routes as JSON is large but bounded; refuse more than
 * this rather than eat the machine's memory. */
#define ANSWER_MAX ((size_t)1 << 30)
#define IO_TIMEOUT_S 30

static const char usage_text[] =
	"usage: egressctl [-s SOCKET] [--json] COMMAND\n"
	"commands:\n"
	"  show neighbors\n"
	"  show neighbor ADDR\n"
	"  show rib          the Loc-RIB: every path, best marked *\n"
	"  show rib in [neighbor ADDR]\n"
	"  show rib out [neighbor ADDR]\n"
	"  show memory       memory of the routing core by module\n"
	"  show loop         event-loop iteration times (how late timers can fire)\n"
	"  show probes       uplink probes: state, last results, transitions\n"
	"  show fib [--check]  kernel routes egressd installed; --check compares\n"
	"                    them with the kernel table and lists differences\n"
	"  originate         originated prefixes, their conditions, up/down and why\n"
	"  condition NAME up|down   set a condition defined in the configuration\n"
	"  show rib in neighbor ADDR --pre-policy   as received (soft-reconfiguration inbound)\n"
	"  show route-table [NAME]  cloud personality: the VPC route table(s)\n"
	"  explain PREFIX    the decision process for PREFIX, step by step\n"
	"  reload\n"
	"options:\n"
	"  -s, --socket PATH  control socket (default " CTL_DEFAULT_SOCKET ")\n"
	"  -j, --json         print the daemon's JSON answer\n"
	"  -h, --help         this text\n"
	"  -V, --version      print the version\n";

static int usage_error(const char *fmt, const char *arg)
{
	fputs("egressctl: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n", stderr);
	fputs(usage_text, stderr);
	return 1;
}

static bool word_is(const char *a, const char *b) { return a && strcmp(a, b) == 0; }

/* Parses the command words into a request; 0 or prints why and returns 1. */
/* Arguments of a daemon-added command that takes some ("condition"):
 * the whole request object, sent as it is. */
static json_t *ext_request;

static int command_parse(char **w, int n, struct ctl_request *req, const char **ext)
{
	memset(req, 0, sizeof(*req));
	*ext = NULL;
	if (n == 1 && word_is(w[0], "originate")) {
		*ext = "originate";
		return 0;
	}
	if (n >= 1 && word_is(w[0], "condition")) {
		if (n != 3 || !(word_is(w[2], "up") || word_is(w[2], "down")))
			return usage_error("%s", "expected: condition NAME up|down");
		*ext = "condition";
		ext_request = json_pack("{s:s, s:s, s:s}", "command", "condition", "name", w[1],
					"state", w[2]);
		if (!ext_request)
			return usage_error("%s", "out of memory");
		return 0;
	}
	if (n >= 2 && word_is(w[0], "show") && word_is(w[1], "route-table")) {
		if (n > 3)
			return usage_error("%s", "expected: show route-table [NAME]");
		*ext = "show route-table";
		ext_request = n == 3 ? json_pack("{s:s, s:s}", "command", "show route-table", "name",
						 w[2])
				     : json_pack("{s:s}", "command", "show route-table");
		return ext_request ? 0 : usage_error("%s", "out of memory");
	}
	if (n >= 1 && word_is(w[0], "explain")) {
		struct prefix p;
		if (n != 2 || prefix_parse(w[1], &p) != 0)
			return usage_error("%s", "expected: explain PREFIX (e.g. 0.0.0.0/0)");
		*ext = "explain";
		ext_request = json_pack("{s:s, s:s}", "command", "explain", "prefix", w[1]);
		return ext_request ? 0 : usage_error("%s", "out of memory");
	}
	/* Commands the daemon adds to the control socket itself. */
	if (n == 2 && word_is(w[0], "show") && (word_is(w[1], "rib") || word_is(w[1], "memory"))) {
		*ext = word_is(w[1], "rib") ? "show rib" : "show memory";
		return 0;
	}
	if (n >= 2 && word_is(w[0], "show") && word_is(w[1], "fib")) {
		bool check = n == 3 && word_is(w[2], "--check");
		if (n > 3 || (n == 3 && !check))
			return usage_error("%s", "expected: show fib [--check]");
		*ext = "show fib";
		ext_request = json_pack("{s:s, s:b}", "command", "show fib", "check", check);
		if (!ext_request)
			return usage_error("%s", "out of memory");
		return 0;
	}
	if (n == 2 && word_is(w[0], "show") && word_is(w[1], "probes")) {
		*ext = "show probes";
		return 0;
	}
	if (n == 2 && word_is(w[0], "show") && word_is(w[1], "loop")) {
		*ext = "show loop";
		return 0;
	}
	if (n == 0)
		return usage_error("%s", "no command given");
	if (n == 1 && word_is(w[0], "reload")) {
		req->cmd = CTL_CMD_RELOAD;
		return 0;
	}
	if (!word_is(w[0], "show"))
		return usage_error("unknown command '%s'", w[0]);
	if (n == 2 && word_is(w[1], "neighbors")) {
		req->cmd = CTL_CMD_SHOW_NEIGHBORS;
		return 0;
	}
	const char *addr = NULL;
	if (n == 3 && word_is(w[1], "neighbor")) {
		req->cmd = CTL_CMD_SHOW_NEIGHBOR;
		addr = w[2];
	} else if (n >= 3 && word_is(w[1], "rib") && (word_is(w[2], "in") || word_is(w[2], "out"))) {
		req->cmd = word_is(w[2], "in") ? CTL_CMD_SHOW_RIB_IN : CTL_CMD_SHOW_RIB_OUT;
		if (n == 5 && word_is(w[3], "neighbor"))
			addr = w[4];
		else if (n != 3)
			return usage_error("%s", "expected: show rib in|out [neighbor ADDR]");
	} else {
		return usage_error("%s", "expected: show neighbors | show neighbor ADDR | "
				   "show rib [in|out [neighbor ADDR]] | show memory");
	}
	if (addr) {
		if (addr_parse(addr, &req->neighbor) != 0)
			return usage_error("'%s' is not an IPv4 or IPv6 address", addr);
		addr_unmap_v4(&req->neighbor);
		req->has_neighbor = true;
	}
	return 0;
}

static int connect_socket(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	size_t plen = strlen(path);

	if (plen == 0 || plen >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, plen + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A daemon that stops answering must not hang a script forever. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Reads until EOF into a malloc'd buffer. */
static int recv_all(int fd, char **out, size_t *out_len)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap >= ANSWER_MAX) {
				free(buf);
				return -EFBIG;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t k = recv(fd, buf + len, cap - len, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
			free(buf);
			return e;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

static int exchange(const char *path, const struct ctl_request *req, const char *ext,
		    json_t **ans)
{
	char *line = NULL;
	if (ext_request) {
		/* One line, as ctl_proto frames its own requests. */
		char *body = json_dumps(ext_request, JSON_COMPACT);
		if (body && asprintf(&line, "%s\n", body) < 0)
			line = NULL;
		free(body);
	} else {
		line = ext ? ctl_request_encode_name(ext) : ctl_request_encode(req);
	}
	char *buf = NULL;
	size_t len = 0;
	json_error_t jerr;

	if (!line) {
		fprintf(stderr, "egressctl: out of memory\n");
		return 1;
	}
	int fd = connect_socket(path);
	if (fd < 0) {
		fprintf(stderr, "egressctl: cannot reach egressd at %s: %s\n", path,
			strerror(-fd));
		free(line);
		return 1;
	}
	int rc = send_all(fd, line, strlen(line));
	free(line);
	if (rc == 0)
		rc = recv_all(fd, &buf, &len);
	close(fd);
	if (rc) {
		if (rc == -ETIMEDOUT)
			fprintf(stderr, "egressctl: egressd at %s did not answer within %d s\n",
				path, IO_TIMEOUT_S);
		else
			fprintf(stderr, "egressctl: talking to egressd at %s: %s\n", path,
				strerror(-rc));
		return 1;
	}
	if (len == 0) {
		fprintf(stderr, "egressctl: egressd at %s closed the connection without an "
			"answer\n", path);
		free(buf);
		return 1;
	}
	*ans = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	if (!*ans || !json_is_object(*ans)) {
		char clean[JSON_ERROR_TEXT_LENGTH];
		render_sanitize(*ans ? "not a JSON object" : jerr.text, clean, sizeof(clean));
		fprintf(stderr, "egressctl: malformed answer from egressd: %s\n", clean);
		json_decref(*ans);
		*ans = NULL;
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *sock = CTL_DEFAULT_SOCKET;
	bool json = false, pre_policy = false;
	char **words = calloc((size_t)argc + 1, sizeof(*words));
	int nwords = 0;

	if (!words)
		return 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (word_is(a, "-s") || word_is(a, "--socket")) {
			if (i + 1 >= argc) {
				free(words);
				return usage_error("%s needs a path", a);
			}
			sock = argv[++i];
		} else if (strncmp(a, "--socket=", 9) == 0) {
			sock = a + 9;
		} else if (word_is(a, "--json") || word_is(a, "-j")) {
			json = true;
		} else if (word_is(a, "--pre-policy")) {
			pre_policy = true;
		} else if (word_is(a, "-h") || word_is(a, "--help")) {
			fputs(usage_text, stdout);
			free(words);
			return 0;
		} else if (word_is(a, "-V") || word_is(a, "--version")) {
			printf("egressctl %s\n", EGRESS_VERSION);
			free(words);
			return 0;
		} else if (word_is(a, "--check")) {
			words[nwords++] = argv[i]; /* show fib --check */
		} else if (a[0] == '-' && a[1] != '\0') {
			free(words);
			return usage_error("unknown option '%s'", a);
		} else {
			words[nwords++] = argv[i];
		}
	}

	struct ctl_request req;
	const char *ext = NULL;
	int rc;
	if (pre_policy) {
		/* Only for one neighbor's Adj-RIB-In: the stored copy is per
		 * neighbor. */
		if (nwords != 5 || !word_is(words[0], "show") || !word_is(words[1], "rib") ||
		    !word_is(words[2], "in") || !word_is(words[3], "neighbor")) {
			free(words);
			return usage_error("%s", "--pre-policy goes with: show rib in neighbor ADDR");
		}
		memset(&req, 0, sizeof(req));
		ext = "show rib in pre-policy";
		ext_request = json_pack("{s:s, s:s}", "command", ext, "neighbor", words[4]);
		rc = ext_request ? 0 : usage_error("%s", "out of memory");
	} else {
		rc = command_parse(words, nwords, &req, &ext);
	}
	free(words);
	if (rc)
		return rc;

	json_t *ans = NULL;
	if (exchange(sock, &req, ext, &ans))
		return 1;

	json_t *e = json_object_get(ans, "error");
	if (e) {
		char clean[1024];
		render_sanitize(json_is_string(e) ? json_string_value(e) : "(error of wrong type)",
				clean, sizeof(clean));
		fprintf(stderr, "egressctl: %s\n", clean);
		json_decref(ans);
		return 1;
	}

	char err[256] = "";
	const char *prefix = "";
	rc = 0;
	if (json) {
		/* jansson escapes control characters in strings, so the
		 * JSON text is safe on a terminal as it is. */
		rc = json_dumpf(ans, stdout, JSON_INDENT(2)) == 0 ? 0 : -EIO;
		if (rc == 0)
			fputc('\n', stdout);
		else
			snprintf(err, sizeof(err), "cannot write the answer");
	} else if (ext && strcmp(ext, "originate") == 0) {
		rc = render_originate(stdout, ans, time(NULL), err, sizeof(err));
		if (rc && rc != -EIO)
			prefix = "malformed answer from egressd: ";
	} else if (ext && (strcmp(ext, "show route-table") == 0 || strcmp(ext, "explain") == 0)) {
		rc = ext[0] == 'e' ? render_explain(stdout, ans, err, sizeof(err))
				   : render_route_tables(stdout, ans, err, sizeof(err));
		if (rc && rc != -EIO)
			prefix = "malformed answer from egressd: ";
	} else if (ext && strcmp(ext, "show rib in pre-policy") == 0) {
		rc = render_routes(stdout, ans, err, sizeof(err));
		if (rc && rc != -EIO)
			prefix = "malformed answer from egressd: ";
	} else if (ext && strcmp(ext, "condition") == 0) {
		rc = render_condition(stdout, ans, err, sizeof(err));
		if (rc && rc != -EIO)
			prefix = "malformed answer from egressd: ";
	} else if (ext && strcmp(ext, "show fib") == 0) {
		rc = json_object_get(ans, "differences")
			     ? render_fib_check(stdout, ans, err, sizeof(err))
			     : render_fib(stdout, ans, err, sizeof(err));
		if (rc && rc != -EIO)
			prefix = "malformed answer from egressd: ";
	} else if (ext) {
		rc = strcmp(ext, "show probes") == 0 ? render_probes(stdout, ans, err, sizeof(err))
		   : strcmp(ext, "show loop") == 0  ? render_loop(stdout, ans, err, sizeof(err))
		   : strcmp(ext, "show rib") == 0 ? render_loc_rib(stdout, ans, err, sizeof(err))
						  : render_memory(stdout, ans, err, sizeof(err));
		if (rc && rc != -EIO)
			prefix = "malformed answer from egressd: ";
	} else {
		switch (req.cmd) {
		case CTL_CMD_SHOW_NEIGHBORS:
			rc = render_neighbors(stdout, ans, err, sizeof(err));
			break;
		case CTL_CMD_SHOW_NEIGHBOR:
			rc = render_neighbor(stdout, ans, err, sizeof(err));
			break;
		case CTL_CMD_SHOW_RIB_IN:
		case CTL_CMD_SHOW_RIB_OUT:
			rc = render_routes(stdout, ans, err, sizeof(err));
			break;
		default:
			if (!json_is_true(json_object_get(ans, "reloaded"))) {
				rc = -EBADMSG;
				snprintf(err, sizeof(err), "no \"reloaded\": true in the answer");
			} else {
				puts("configuration reloaded");
			}
			break;
		}
		if (rc && rc != -EIO)
			prefix = "malformed answer from egressd: ";
	}
	json_decref(ans);
	json_decref(ext_request);
	if (fflush(stdout) != 0 && rc == 0) {
		rc = -EIO;
		snprintf(err, sizeof(err), "cannot write the answer: %s", strerror(errno));
	}
	if (rc) {
		fprintf(stderr, "egressctl: %s%s\n", prefix, err);
		return 1;
	}
	return 0;
}
