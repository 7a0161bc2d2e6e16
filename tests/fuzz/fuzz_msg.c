/* libFuzzer target for the non-UPDATE message codec: header, OPEN (with
 * capabilities and RFC 9072 parameters), NOTIFICATION, ROUTE-REFRESH and
 * KEEPALIVE.
 *
 * Input: one flag byte (bit 0: extended messages negotiated, so the
 * header accepts up to 65535 bytes), then a BGP message.  Whatever
 * decodes is encoded again and must decode to the same thing; every
 * error NOTIFICATION we would send must itself encode and decode
 * unchanged.  Any mismatch calls abort() so the fuzzer reports it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                  \
	do {                      \
		if (!(c))         \
			abort();  \
	} while (0)

static struct bgp_notify err, n1, n2;

/* A NOTIFICATION we would send must survive the wire unchanged. */
static void notify_round_trip(const struct bgp_notify *n)
{
	struct wbuf w;
	struct bgp_hdr h;
	char text[1024];
	wbuf_init(&w, BGP_MAX_MSG);
	CHECK(bgp_notify_encode(&w, n) == 0);
	CHECK(bgp_hdr_decode(w.data, BGP_MAX_MSG, &h, &err) == 0);
	CHECK(h.type == BGP_MSG_NOTIFICATION && h.len == w.len);
	CHECK(bgp_notify_decode(w.data + BGP_HEADER_LEN, w.len - BGP_HEADER_LEN, &n2) == 0);
	CHECK(n2.code == n->code && n2.subcode == n->subcode && n2.data_len == n->data_len);
	CHECK(memcmp(n2.data, n->data, n->data_len) == 0);
	wbuf_free(&w);
	bgp_notify_format(n, text, sizeof(text));
	CHECK(strlen(text) < sizeof(text));
}

static void open_encode_ok(const struct bgp_open *o, struct wbuf *w)
{
	wbuf_init(w, BGP_MAX_MSG);
	CHECK(bgp_open_encode(w, o) == 0);
}

static void fuzz_open(const uint8_t *body, size_t len)
{
	struct bgp_open o1, o2, o3;
	struct wbuf w1, w2;
	struct bgp_hdr h;
	if (bgp_open_decode(body, len, &o1, &err)) {
		notify_round_trip(&err);
		return;
	}
	if (bgp_open_validate(&o1, 0, 0x01020304, true, &err))
		notify_round_trip(&err);
	/* Our encoding keeps what we model (unknown capabilities and
	 * foreign families are dropped, AS4 is always sent), so compare
	 * the fields that must survive, then demand a fixed point. */
	open_encode_ok(&o1, &w1);
	CHECK(bgp_hdr_decode(w1.data, BGP_MAX_MSG, &h, &err) == 0);
	CHECK(h.type == BGP_MSG_OPEN && h.len == w1.len);
	CHECK(bgp_open_decode(w1.data + BGP_HEADER_LEN, w1.len - BGP_HEADER_LEN, &o2, &err) == 0);
	CHECK(o2.version == o1.version && o2.hold_time == o1.hold_time &&
	      o2.bgp_id == o1.bgp_id);
	CHECK(o2.caps.route_refresh == o1.caps.route_refresh &&
	      o2.caps.enhanced_route_refresh == o1.caps.enhanced_route_refresh &&
	      o2.caps.extended_message == o1.caps.extended_message &&
	      o2.caps.graceful_restart == o1.caps.graceful_restart &&
	      o2.caps.gr_restarted == o1.caps.gr_restarted &&
	      o2.caps.gr_time == o1.caps.gr_time);
	CHECK(memcmp(o2.caps.gr, o1.caps.gr, sizeof(o1.caps.gr)) == 0);
	if (o1.caps.mp_present && o1.caps.families)
		CHECK(o2.caps.families == o1.caps.families);
	if (!o1.caps.mp_present)
		CHECK(o2.caps.families == BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST));
	if (o1.caps.as4 && o1.caps.as4_asn)
		CHECK(bgp_open_peer_as(&o2) == bgp_open_peer_as(&o1));
	CHECK(o2.caps.n_unknown == 0);
	open_encode_ok(&o2, &w2);
	CHECK(bgp_open_decode(w2.data + BGP_HEADER_LEN, w2.len - BGP_HEADER_LEN, &o3, &err) == 0);
	CHECK(w2.len == w1.len && memcmp(w2.data, w1.data, w1.len) == 0);
	wbuf_free(&w1);
	wbuf_free(&w2);

	struct bgp_negotiated neg;
	bgp_caps_negotiate(&o1.caps, &o2.caps, &neg);
	CHECK((neg.families & ~o2.caps.families) == 0);
}

static void fuzz_notification(const uint8_t *body, size_t len)
{
	if (bgp_notify_decode(body, len, &n1)) {
		CHECK(len < 2);
		return;
	}
	CHECK(n1.data_len == (len - 2 > BGP_NOTIFY_DATA_MAX ? BGP_NOTIFY_DATA_MAX : len - 2));
	CHECK(memcmp(n1.data, body + 2, n1.data_len) == 0);
	notify_round_trip(&n1);
	(void)bgp_notify_code_name(n1.code);
	(void)bgp_notify_subcode_name(n1.code, n1.subcode);
}

static void fuzz_refresh(const uint8_t *body, size_t len)
{
	struct bgp_route_refresh rr, rr2;
	struct wbuf w;
	if (bgp_refresh_decode(body, len, &rr, &err)) {
		CHECK(err.code == BGP_ERR_ROUTE_REFRESH);
		notify_round_trip(&err);
		return;
	}
	wbuf_init(&w, BGP_MAX_MSG);
	CHECK(bgp_refresh_encode(&w, &rr) == 0);
	CHECK(w.len == BGP_HEADER_LEN + len && memcmp(w.data + BGP_HEADER_LEN, body, len) == 0);
	CHECK(bgp_refresh_decode(w.data + BGP_HEADER_LEN, 4, &rr2, &err) == 0);
	CHECK(rr2.afi == rr.afi && rr2.safi == rr.safi && rr2.subtype == rr.subtype);
	wbuf_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgp_hdr h;
	if (size < 1 + BGP_HEADER_LEN)
		return 0;
	size_t max_len = (data[0] & 1) ? BGP_MAX_MSG_EXT : BGP_MAX_MSG;
	const uint8_t *msg = data + 1;
	size_t avail = size - 1;

	if (bgp_hdr_decode(msg, max_len, &h, &err)) {
		CHECK(err.code == BGP_ERR_HEADER);
		notify_round_trip(&err);
		return 0;
	}
	CHECK(h.len >= BGP_HEADER_LEN && h.len <= max_len);
	/* A framer waits for the whole message; so do we. */
	if (avail < h.len)
		return 0;
	const uint8_t *body = msg + BGP_HEADER_LEN;
	size_t len = h.len - BGP_HEADER_LEN;
	/* Exact-size copy so ASan sees any read past the message. */
	uint8_t *copy = malloc(len ? len : 1);
	CHECK(copy);
	memcpy(copy, body, len);

	switch (h.type) {
	case BGP_MSG_OPEN:
		fuzz_open(copy, len);
		break;
	case BGP_MSG_NOTIFICATION:
		fuzz_notification(copy, len);
		break;
	case BGP_MSG_KEEPALIVE:
		CHECK(bgp_keepalive_decode(len, &err) == 0);
		break;
	case BGP_MSG_ROUTE_REFRESH:
		fuzz_refresh(copy, len);
		break;
	default:
		break; /* UPDATE has its own target */
	}
	free(copy);
	return 0;
}
