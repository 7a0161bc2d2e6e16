/* Oracle test: Wireshark's BGP dissector (tshark) must read every UPDATE
 * we encode without a malformed-packet or expert error mark.  The
 * messages go into a pcap file (raw IPv4 + TCP port 179, one message per
 * segment); tshark is run on it.  Skipped when tshark is not installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>
#include <arpa/inet.h>

#include "bgp/update.h"

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

struct pcap {
	FILE *f;
	uint32_t seq;
	unsigned count;
};

static void pcap_open(struct pcap *pc, const char *path)
{
	pc->f = fopen(path, "wb");
	assert_non_null(pc->f);
	/* Classic pcap header, host byte order; link type 101 = raw IP. */
	uint32_t gh[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101};
	fwrite(gh, sizeof(gh), 1, pc->f);
	pc->seq = 1;
	pc->count = 0;
}

/* Every BGP message in w (whole messages, back to back) as one segment. */
static void pcap_add(struct pcap *pc, const struct wbuf *w)
{
	size_t off = 0;
	while (off < w->len) {
		size_t len = (size_t)w->data[off + 16] << 8 | w->data[off + 17];
		uint8_t hdr[40] = {0};
		hdr[0] = 0x45;
		put16(hdr + 2, (uint16_t)(40 + len));
		hdr[8] = 64;
		hdr[9] = 6; /* TCP */
		put32(hdr + 12, 0xc0000201);
		put32(hdr + 16, 0xc0000202);
		put16(hdr + 20, 179);
		put16(hdr + 22, 179);
		put32(hdr + 24, pc->seq);
		hdr[32] = 0x50; /* data offset 5 words */
		hdr[33] = 0x18; /* PSH, ACK */
		put16(hdr + 34, 65535);
		uint32_t rec[4] = {pc->count, 0, (uint32_t)(40 + len), (uint32_t)(40 + len)};
		fwrite(rec, sizeof(rec), 1, pc->f);
		fwrite(hdr, sizeof(hdr), 1, pc->f);
		fwrite(w->data + off, len, 1, pc->f);
		pc->seq += (uint32_t)len;
		pc->count++;
		off += len;
	}
}

static struct bgp_attrs *attrs_full(void)
{
	struct bgp_attrs *a = bgp_attrs_new();
	struct bgp_attrs_mut *m = bgp_attrs_mut(a);
	uint8_t seg[] = {2, 3, 0, 0, 0xfd, 0xe8, 0xfa, 0x56, 0xea, 0x00, 0, 0, 0xfd, 0xe9,
			 1, 2, 0, 0, 0, 1, 0, 0, 0, 2};
	size_t plen;
	/* 300 prepends: more than one segment's worth (RFC 4271 4.3). */
	uint8_t *p = bgp_aspath_prepend(seg, sizeof(seg), 65000, 300, &plen);
	assert_non_null(p);
	assert_int_equal(bgp_attrs_set_aspath(a, p, plen), 0);
	free(p);
	a->present |= BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP) |
		      BGP_ATTR_BIT(BGP_ATTR_MED) | BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF) |
		      BGP_ATTR_BIT(BGP_ATTR_ATOMIC_AGGREGATE) | BGP_ATTR_BIT(BGP_ATTR_AGGREGATOR) |
		      BGP_ATTR_BIT(BGP_ATTR_EXT_COMMUNITIES);
	a->nexthop.s_addr = htonl(0xc0000201);
	a->med = 10;
	a->local_pref = 200;
	m->agg = (struct bgp_aggregator){ 4200000001u, 0x0a000001 };
	uint32_t c[80];
	for (unsigned i = 0; i < 80; i++) /* 320 bytes: extended length */
		c[i] = 0xfde80000u | i;
	assert_int_equal(bgp_attrs_set_communities(a, c, 80), 0);
	const struct bgp_large_community lc[] = {{4200000000u, 1, 2}};
	assert_int_equal(bgp_attrs_set_large_communities(a, lc, 1), 0);
	m->ext_communities = malloc(8);
	memcpy(m->ext_communities, "\x00\x02\xfd\xe8\x00\x00\x00\x01", 8);
	a->n_ext_communities = 1;
	struct addr nh, ll;
	addr_parse("2001:db8::1", &nh);
	addr_parse("fe80::1", &ll);
	if (bgp_attrs_set_mp_nexthop(a, &nh, &ll) < 0)
		abort();
	return a;
}

static void test_tshark_reads_our_updates(void **state)
{
	(void)state;
	if (system("command -v tshark >/dev/null 2>&1") != 0)
		skip();
	const char *tmp = getenv("TMPDIR");
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/egress-tshark.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	char pcap_path[300], out_path[300], cmd[700];
	snprintf(pcap_path, sizeof(pcap_path), "%s/u.pcap", dir);
	snprintf(out_path, sizeof(out_path), "%s/out.txt", dir);

	struct pcap pc;
	pcap_open(&pc, pcap_path);
	struct bgp_attrs *a = attrs_full();
	struct prefix p4[400], p6[400];
	memset(p4, 0, sizeof(p4));
	memset(p6, 0, sizeof(p6));
	for (int i = 0; i < 400; i++) {
		p4[i].addr.af = AF_INET;
		p4[i].addr.b[0] = 10;
		p4[i].addr.b[1] = (uint8_t)(i >> 8);
		p4[i].addr.b[2] = (uint8_t)i;
		p4[i].len = i % 2 ? 24 : 23 - (i % 8 == 0); /* mixed lengths */
		p4[i].addr.b[2] &= (uint8_t)(0xff << (24 - p4[i].len));
		p6[i].addr.af = AF_INET6;
		p6[i].addr.b[0] = 0x20;
		p6[i].addr.b[1] = 0x01;
		p6[i].addr.b[4] = (uint8_t)(i >> 8);
		p6[i].addr.b[5] = (uint8_t)i;
		p6[i].len = 48;
	}
	unsigned expected = 0;
	for (int as4 = 0; as4 < 2; as4++) {
		for (int ebgp = 0; ebgp < 2; ebgp++) {
			struct bgp_encode_ctx ec = {.as4 = as4, .ebgp = ebgp, .max_msg = 4096};
			struct wbuf w;
			wbuf_init(&w, 1 << 20);
			for (size_t d = 0; d < 400;)
				d += (size_t)bgp_update_encode_announce(&w, &ec, a, p4 + d, 400 - d);
			for (size_t d = 0; d < 400;)
				d += (size_t)bgp_update_encode_announce(&w, &ec, a, p6 + d, 400 - d);
			for (size_t d = 0; d < 400;)
				d += (size_t)bgp_update_encode_withdraw(&w, &ec, p4 + d, 400 - d);
			for (size_t d = 0; d < 400;)
				d += (size_t)bgp_update_encode_withdraw(&w, &ec, p6 + d, 400 - d);
			assert_int_equal(bgp_update_encode_eor(&w, BGP_FAM_IPV4_UNICAST), 0);
			assert_int_equal(bgp_update_encode_eor(&w, BGP_FAM_IPV6_UNICAST), 0);
			assert_int_equal(wbuf_status(&w), 0);
			unsigned before = pc.count;
			pcap_add(&pc, &w);
			expected += pc.count - before;
			wbuf_free(&w);
		}
	}
	fclose(pc.f);
	bgp_attrs_unref(a);

	snprintf(cmd, sizeof(cmd), "tshark -n -r %s -V > %s 2>&1", pcap_path, out_path);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(out_path, "r");
	assert_non_null(f);
	char line[1024];
	unsigned updates = 0, bad = 0;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "UPDATE Message (2)"))
			updates++;
		if (strstr(line, "Malformed") || strstr(line, "Expert Info (Error") ||
		    strstr(line, "Expert Info (Warning")) {
			if (bad++ < 5)
				fprintf(stderr, "tshark: %s", line);
		}
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(updates, expected);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tshark_reads_our_updates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
