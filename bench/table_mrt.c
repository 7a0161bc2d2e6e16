/* The table an MRT file (RFC 6396) leaves behind, ready to replay.
 *
 * BGP4MP/BGP4MP_ET UPDATEs are applied in order (announce replaces,
 * withdraw removes), so an updates file that holds a session coming up
 * yields the table that peer sent; TABLE_DUMP_V2 RIB records give the
 * first path of every prefix.  Only IPv4 unicast is kept: the bench
 * sessions carry that family alone.  Every record and message is read
 * through struct rbuf with its length checked, and UPDATEs go through
 * egress's own decoder (RFC 7606 rules included).  Compressed files are
 * piped through gzip -dc / bzip2 -dc. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bgp/update.h"
#include "core/buf.h"
#include "table.h"
#include "u64map.h"

/* RFC 6396 4 and 5: types and subtypes we read. */
#define MRT_TABLE_DUMP_V2 13
#define MRT_BGP4MP 16
#define MRT_BGP4MP_ET 17
#define TD2_RIB_IPV4_UNICAST 2
#define TD2_RIB_IPV4_MULTICAST 3
#define TD2_RIB_IPV6_UNICAST 4
#define TD2_RIB_IPV6_MULTICAST 5
#define BGP4MP_MESSAGE 1
#define BGP4MP_MESSAGE_AS4 4
#define BGP4MP_MESSAGE_LOCAL 6
#define BGP4MP_MESSAGE_AS4_LOCAL 7
/* A record larger than this is not a BGP message or RIB entry we could
 * use; the file is taken as corrupt rather than allocating blindly. */
#define MRT_MAX_RECORD (16u << 20)

struct intern {
	struct bgp_attrs **attrs; /* index = attribute set id */
	size_t n, cap;
	uint32_t *slots;          /* id + 1, 0 = empty */
	size_t n_slots;           /* power of two */
};

static int intern_grow(struct intern *in)
{
	size_t ns = in->n_slots ? in->n_slots * 2 : 1024;
	uint32_t *s = calloc(ns, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < in->n; i++) {
		size_t j = bgp_attrs_hash(in->attrs[i]) & (ns - 1);
		while (s[j])
			j = (j + 1) & (ns - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(in->slots);
	in->slots = s;
	in->n_slots = ns;
	return 0;
}

/* Takes a's reference; returns the id of the equal set. */
static long intern_add(struct intern *in, struct bgp_attrs *a)
{
	if ((in->n + 1) * 2 > in->n_slots && intern_grow(in))
		goto nomem;
	size_t j = bgp_attrs_hash(a) & (in->n_slots - 1);
	for (; in->slots[j]; j = (j + 1) & (in->n_slots - 1)) {
		uint32_t id = in->slots[j] - 1;
		if (bgp_attrs_equal(in->attrs[id], a)) {
			bgp_attrs_unref(a);
			return id;
		}
	}
	if (in->n == in->cap) {
		size_t nc = in->cap ? in->cap * 2 : 1024;
		struct bgp_attrs **na = realloc(in->attrs, nc * sizeof(*na));
		if (!na)
			goto nomem;
		in->attrs = na;
		in->cap = nc;
	}
	in->attrs[in->n] = a;
	in->slots[j] = (uint32_t)in->n + 1;
	return (long)in->n++;
nomem:
	bgp_attrs_unref(a);
	return -ENOMEM;
}

struct loader {
	struct bench_table *t;
	const struct bench_rewrite *rw;
	struct intern in;
	struct u64map rib; /* prefix key -> attribute set id */
};

/* The attributes as the feeder sends them, or NULL (skip) when the path
 * holds an AS of the bench (the daemon or collector would drop it). */
static int rewrite(const struct bgp_attrs *src, const struct bench_rewrite *rw,
		   struct bgp_attrs **out)
{
	*out = NULL;
	for (size_t i = 0; i < 2; i++)
		if (rw->avoid_as[i] && bgp_aspath_contains(bgp_attrs_aspath(src), src->aspath_len,
							   rw->avoid_as[i]))
			return 0;
	struct bgp_attrs *a = bgp_attrs_dup(src);
	if (!a)
		return -ENOMEM;
	size_t nl;
	uint8_t *path = bgp_aspath_prepend(bgp_attrs_aspath(src), src->aspath_len, rw->feeder_as, 1,
					   &nl);
	int rc = path ? bgp_attrs_set_aspath(a, path, nl) : -ENOMEM;
	free(path);
	if (rc) {
		bgp_attrs_unref(a);
		return rc;
	}
	a->nexthop = rw->nexthop;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP) | BGP_ATTR_BIT(BGP_ATTR_ORIGIN);
	/* LOCAL_PREF is iBGP-only (RFC 4271 5.1.5); MP next hops belong to
	 * families this feed does not carry. */
	a->present &= ~(BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF) | BGP_ATTR_BIT(BGP_ATTR_MP_REACH_NLRI) |
			BGP_ATTR_BIT(BGP_ATTR_MP_UNREACH_NLRI));
	(void)bgp_attrs_set_mp_nexthop(a, NULL, NULL); /* clearing cannot fail */
	*out = a;
	return 0;
}

static uint64_t pfx_key(const struct prefix *p)
{
	return u64map_v4_key(addr_v4_host(&p->addr), p->len);
}

/* Applies one decoded UPDATE body to the table. */
static int apply_update(struct loader *l, const uint8_t *body, size_t len, bool as4)
{
	struct bgp_decode_ctx ctx = {.as4 = as4, .ebgp = true,
				     .families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) |
						 BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST),
				     .max_msg = BGP_MAX_MSG_EXT};
	struct bgp_update u;
	int rc = bgp_update_decode(body, len, &ctx, &u);
	if (rc)
		return rc;
	if (u.action >= BGP_UPD_AFISAFI_DISABLE) {
		l->t->skipped_msgs++;
		bgp_update_free(&u);
		return 0;
	}
	for (uint32_t i = 0; i < u.n_withdrawn; i++)
		if (u.withdrawn[i].addr.af == AF_INET)
			u64map_del(&l->rib, pfx_key(&u.withdrawn[i]));
	long id = -1;
	if (u.n_announced && u.attrs) {
		struct bgp_attrs *a;
		rc = rewrite(u.attrs, l->rw, &a);
		if (!rc && a)
			id = intern_add(&l->in, a);
		if (id < 0 && !rc && a)
			rc = (int)id;
	}
	for (uint32_t i = 0; !rc && i < u.n_announced; i++) {
		const struct prefix *p = &u.announced[i];
		if (p->addr.af != AF_INET) {
			l->t->skipped_v6++;
			continue;
		}
		if (id < 0) {
			l->t->skipped_loop++;
			u64map_del(&l->rib, pfx_key(p)); /* implicit withdraw */
			continue;
		}
		if (u64map_put(&l->rib, pfx_key(p), (uint32_t)id) < 0)
			rc = -ENOMEM;
	}
	bgp_update_free(&u);
	return rc;
}

/* RFC 6396 4.4: BGP4MP_MESSAGE(_AS4)(_LOCAL) carrying a BGP message. */
static int read_bgp4mp(struct loader *l, struct rbuf *r, uint16_t subtype)
{
	bool as4 = subtype == BGP4MP_MESSAGE_AS4 || subtype == BGP4MP_MESSAGE_AS4_LOCAL;
	if (subtype != BGP4MP_MESSAGE && subtype != BGP4MP_MESSAGE_LOCAL && !as4) {
		l->t->skipped_records++; /* state changes, ADD-PATH variants */
		return 0;
	}
	uint16_t afi, blen;
	uint8_t type;
	if (rbuf_skip(r, as4 ? 8 : 4) || rbuf_skip(r, 2) || rbuf_get_u16(r, &afi))
		return -EBADMSG;
	if (afi != BGP_AFI_IPV4 && afi != BGP_AFI_IPV6)
		return -EBADMSG;
	if (rbuf_skip(r, afi == BGP_AFI_IPV4 ? 8 : 32) || rbuf_skip(r, 16) ||
	    rbuf_get_u16(r, &blen) || rbuf_get_u8(r, &type))
		return -EBADMSG;
	if (blen < BGP_HEADER_LEN || rbuf_left(r) < (size_t)blen - BGP_HEADER_LEN)
		return -EBADMSG;
	if (type != BGP_MSG_UPDATE)
		return 0;
	return apply_update(l, r->p, (size_t)blen - BGP_HEADER_LEN, as4);
}

/* RFC 6396 4.3.2: one prefix and its RIB entries; the first entry's
 * attributes (always 4-octet AS, 4.3.4) are wrapped into an UPDATE body
 * so the one decoder handles both formats. */
static int read_rib_v4(struct loader *l, struct rbuf *r)
{
	uint8_t plen;
	uint16_t count, attr_len;
	uint8_t pbytes[4];
	if (rbuf_skip(r, 4) || rbuf_get_u8(r, &plen) || plen > 32 ||
	    rbuf_get_bytes(r, pbytes, (plen + 7u) / 8) || rbuf_get_u16(r, &count))
		return -EBADMSG;
	if (count == 0)
		return 0;
	if (rbuf_skip(r, 6) || rbuf_get_u16(r, &attr_len) || rbuf_left(r) < attr_len)
		return -EBADMSG;
	size_t nb = (plen + 7u) / 8, len = 4 + (size_t)attr_len + 1 + nb;
	uint8_t *body = malloc(len);
	if (!body)
		return -ENOMEM;
	body[0] = body[1] = 0; /* no withdrawn routes */
	body[2] = (uint8_t)(attr_len >> 8);
	body[3] = (uint8_t)attr_len;
	memcpy(body + 4, r->p, attr_len);
	body[4 + attr_len] = plen;
	memcpy(body + 5 + attr_len, pbytes, nb);
	int rc = apply_update(l, body, len, true);
	free(body);
	return rc;
}

static int read_record(struct loader *l, uint16_t type, uint16_t subtype, struct rbuf *r)
{
	switch (type) {
	case MRT_BGP4MP_ET:
		/* RFC 6396 3: the microsecond field is part of the length. */
		if (rbuf_skip(r, 4))
			return -EBADMSG;
		/* fall through */
	case MRT_BGP4MP:
		return read_bgp4mp(l, r, subtype);
	case MRT_TABLE_DUMP_V2:
		if (subtype == TD2_RIB_IPV4_UNICAST)
			return read_rib_v4(l, r);
		if (subtype == TD2_RIB_IPV6_UNICAST || subtype == TD2_RIB_IPV6_MULTICAST)
			l->t->skipped_v6++;
		else
			l->t->skipped_records++;
		return 0;
	default:
		l->t->skipped_records++;
		return 0;
	}
}

/* Opens path for reading, through a decompressor when its magic says so. */
static FILE *open_input(const char *path, pid_t *child, const char **why)
{
	*child = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*why = "cannot open the file";
		return NULL;
	}
	uint8_t magic[3] = {0};
	ssize_t got = read(fd, magic, sizeof(magic));
	if (got < 0 || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		*why = "cannot read the file";
		return NULL;
	}
	const char *tool = NULL;
	if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
		tool = "gzip";
	else if (got == 3 && !memcmp(magic, "BZh", 3))
		tool = "bzip2";
	if (!tool)
		return fdopen(fd, "rb");
	int p[2];
	if (pipe(p)) {
		close(fd);
		*why = "pipe failed";
		return NULL;
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd, 0);
		dup2(p[1], 1);
		execlp(tool, tool, "-dc", (char *)NULL);
		_exit(127);
	}
	close(fd);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		*why = "fork failed";
		return NULL;
	}
	*child = pid;
	return fdopen(p[0], "rb");
}

int bench_table_mrt(struct bench_table *t, const char *path, const struct bench_rewrite *rw,
		    const char **why)
{
	memset(t, 0, sizeof(*t));
	*why = "";
	struct loader l = {.t = t, .rw = rw};
	if (u64map_init(&l.rib, 1u << 20))
		return -ENOMEM;
	pid_t child;
	FILE *f = open_input(path, &child, why);
	if (!f) {
		u64map_free(&l.rib);
		return -EIO;
	}
	size_t cap = 1u << 16;
	uint8_t *buf = malloc(cap);
	int rc = buf ? 0 : -ENOMEM;
	while (!rc) {
		uint8_t hdr[12];
		size_t got = fread(hdr, 1, sizeof(hdr), f);
		if (got == 0)
			break;
		if (got < sizeof(hdr)) {
			t->truncated = 1;
			break;
		}
		/* RFC 6396 2: timestamp 4, type 2, subtype 2, length 4. */
		struct rbuf h;
		uint16_t type, subtype;
		uint32_t len;
		rbuf_init(&h, hdr, sizeof(hdr));
		if (rbuf_skip(&h, 4) || rbuf_get_u16(&h, &type) || rbuf_get_u16(&h, &subtype) ||
		    rbuf_get_u32(&h, &len))
			break;
		if (len > MRT_MAX_RECORD) {
			*why = "record length beyond any BGP message: not an MRT file?";
			rc = -EBADMSG;
			break;
		}
		if (len > cap) {
			uint8_t *nb = realloc(buf, len);
			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
			cap = len;
		}
		if (fread(buf, 1, len, f) < len) {
			t->truncated = 1; /* a cut file ends inside its last record */
			break;
		}
		t->records++;
		struct rbuf r;
		rbuf_init(&r, buf, len);
		rc = read_record(&l, type, subtype, &r);
		if (rc == -EBADMSG) {
			t->skipped_records++; /* one malformed record, keep going */
			rc = 0;
		}
	}
	free(buf);
	fclose(f);
	if (child > 0) {
		int st;
		waitpid(child, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			t->truncated = 1; /* the decompressor saw a cut stream */
	}
	if (!rc && t->records == 0) {
		*why = "no MRT records in the file";
		rc = -EBADMSG;
	}
	struct bench_row *rows = NULL;
	size_t n_rows = 0;
	if (!rc) {
		rows = malloc((l.rib.n ? l.rib.n : 1) * sizeof(*rows));
		if (!rows)
			rc = -ENOMEM;
	}
	for (size_t i = 0; !rc && i < l.rib.cap; i++) {
		uint64_t k = l.rib.keys[i];
		if (!k)
			continue;
		struct bench_row *row = &rows[n_rows++];
		memset(row, 0, sizeof(*row));
		addr_from_v4(&row->pfx.addr, (uint32_t)(k >> 8));
		row->pfx.len = (uint8_t)k;
		row->attr = l.rib.vals[i];
	}
	u64map_free(&l.rib);
	if (!rc)
		rc = bench_table_group(t, rows, n_rows, l.in.attrs, l.in.n);
	else
		for (size_t i = 0; i < l.in.n; i++)
			bgp_attrs_unref(l.in.attrs[i]);
	free(rows);
	free(l.in.attrs);
	free(l.in.slots);
	return rc;
}
