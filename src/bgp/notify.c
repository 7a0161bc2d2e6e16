/* NOTIFICATION message (RFC 4271 4.5, 6): encode, decode, names and a
 * human rendering.  Names cover RFC 4271, 4486, 5492, 6608, 7313, 8203 /
 * 9003, 8538, 9234, 9384 and 9687.
 *
 * The received data is untrusted: it is kept exactly as it arrived,
 * bounded by BGP_NOTIFY_DATA_MAX, and a shutdown communication is only
 * shown as text when its length byte and its UTF-8 are both valid
 * (RFC 9003 2: otherwise log it, MAY be as a hex dump). */
#include "bgp/msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

void bgp_notify_set(struct bgp_notify *n, uint8_t code, uint8_t subcode,
		    const void *data, size_t data_len)
{
	n->code = code;
	n->subcode = subcode;
	if (!data)
		data_len = 0;
	if (data_len > BGP_NOTIFY_DATA_MAX)
		data_len = BGP_NOTIFY_DATA_MAX;
	/* memmove: callers may pass a slice of n->data itself (e.g. to keep
	 * part of what a peer sent). */
	if (data_len)
		memmove(n->data, data, data_len);
	n->data_len = (uint16_t)data_len;
}

/* Longest prefix of s, at most max bytes, that does not cut a UTF-8
 * sequence in two (RFC 9003 2 asks for UTF-8 and at most 255 octets). */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	size_t cut = max;
	/* s[cut] is the first byte dropped; while it continues a sequence,
	 * that sequence started before the cut and must go too. */
	while (cut > 0 && ((uint8_t)s[cut] & 0xc0) == 0x80)
		cut--;
	return cut;
}

void bgp_notify_set_shutdown(struct bgp_notify *n, uint8_t subcode, const char *msg)
{
	uint8_t data[1 + BGP_SHUTDOWN_MSG_MAX];
	if (!msg) {
		/* No communication at all: what pre-RFC 8203 speakers send. */
		bgp_notify_set(n, BGP_ERR_CEASE, subcode, NULL, 0);
		return;
	}
	size_t len = utf8_cut(msg, strlen(msg), BGP_SHUTDOWN_MSG_MAX);
	data[0] = (uint8_t)len;
	memcpy(data + 1, msg, len);
	bgp_notify_set(n, BGP_ERR_CEASE, subcode, data, 1 + len);
}

void bgp_notify_set_max_prefix(struct bgp_notify *n, uint16_t afi, uint8_t safi,
			       uint32_t limit)
{
	/* RFC 4486 4: AFI (2), SAFI (1), upper bound (4). */
	uint8_t d[7] = {
		(uint8_t)(afi >> 8), (uint8_t)afi, safi,
		(uint8_t)(limit >> 24), (uint8_t)(limit >> 16), (uint8_t)(limit >> 8),
		(uint8_t)limit,
	};
	bgp_notify_set(n, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX, d, sizeof(d));
}

int bgp_notify_encode(struct wbuf *w, const struct bgp_notify *n)
{
	size_t data_len = n->data_len;
	if (data_len > BGP_NOTIFY_DATA_MAX)
		return -EINVAL;
	size_t start = bgp_msg_begin(w, BGP_MSG_NOTIFICATION);
	wbuf_put_u8(w, n->code);
	wbuf_put_u8(w, n->subcode);
	wbuf_put_bytes(w, n->data, data_len);
	/* RFC 8654 4: a NOTIFICATION may be longer than 4096 only with
	 * extended messages; our data bound keeps it within 4096 always. */
	return bgp_msg_finish(w, start, BGP_MAX_MSG);
}

int bgp_notify_decode(const uint8_t *body, size_t len, struct bgp_notify *n)
{
	struct rbuf r;
	uint8_t code, subcode;
	rbuf_init(&r, body, len);
	if (rbuf_get_u8(&r, &code) || rbuf_get_u8(&r, &subcode))
		return -EBADMSG;
	/* Data is "whatever arrived" (RFC 4271 4.5: its length is implied by
	 * the message length); keep what fits, never more than we have. */
	size_t dl = rbuf_left(&r);
	if (dl > BGP_NOTIFY_DATA_MAX)
		dl = BGP_NOTIFY_DATA_MAX;
	n->code = code;
	n->subcode = subcode;
	n->data_len = (uint16_t)dl;
	return rbuf_get_bytes(&r, n->data, dl);
}

const char *bgp_notify_code_name(uint8_t code)
{
	switch (code) {
	case BGP_ERR_HEADER: return "Message Header Error";
	case BGP_ERR_OPEN: return "OPEN Message Error";
	case BGP_ERR_UPDATE: return "UPDATE Message Error";
	case BGP_ERR_HOLD_TIMER: return "Hold Timer Expired";
	case BGP_ERR_FSM: return "Finite State Machine Error";
	case BGP_ERR_CEASE: return "Cease";
	case BGP_ERR_ROUTE_REFRESH: return "ROUTE-REFRESH Message Error";
	case BGP_ERR_SEND_HOLD_TIMER: return "Send Hold Timer Expired";
	}
	return "Unknown error code";
}

/* Subcode names, one table per code, indexed by subcode.  Deprecated
 * subcodes keep their historic name so old peers' errors still read. */
static const char *const hdr_sub[] = {
	[0] = "Unspecific", /* RFC 4271 4.5: zero when no subcode fits */
	[BGP_ERR_HDR_NOT_SYNC] = "Connection Not Synchronized",
	[BGP_ERR_HDR_BAD_LEN] = "Bad Message Length",
	[BGP_ERR_HDR_BAD_TYPE] = "Bad Message Type",
};
static const char *const open_sub[] = {
	[0] = "Unspecific",
	[BGP_ERR_OPEN_VERSION] = "Unsupported Version Number",
	[BGP_ERR_OPEN_BAD_AS] = "Bad Peer AS",
	[BGP_ERR_OPEN_BAD_ID] = "Bad BGP Identifier",
	[BGP_ERR_OPEN_OPT_PARAM] = "Unsupported Optional Parameter",
	[5] = "Authentication Failure (deprecated)",      /* RFC 4271 */
	[BGP_ERR_OPEN_HOLD_TIME] = "Unacceptable Hold Time",
	[BGP_ERR_OPEN_CAPABILITY] = "Unsupported Capability", /* RFC 5492 */
	[8] = "Unassigned (deprecated)",                  /* IANA: draft use */
	[9] = "Unassigned (deprecated)",
	[10] = "Unassigned (deprecated)",
	[BGP_ERR_OPEN_ROLE] = "Role Mismatch",           /* RFC 9234 */
};
static const char *const update_sub[] = {
	[0] = "Unspecific",
	[BGP_ERR_UPD_ATTR_LIST] = "Malformed Attribute List",
	[BGP_ERR_UPD_UNKNOWN_WELLKNOWN] = "Unrecognized Well-known Attribute",
	[BGP_ERR_UPD_MISSING_WELLKNOWN] = "Missing Well-known Attribute",
	[BGP_ERR_UPD_ATTR_FLAGS] = "Attribute Flags Error",
	[BGP_ERR_UPD_ATTR_LEN] = "Attribute Length Error",
	[BGP_ERR_UPD_ORIGIN] = "Invalid ORIGIN Attribute",
	[7] = "AS Routing Loop (deprecated)",
	[BGP_ERR_UPD_NEXT_HOP] = "Invalid NEXT_HOP Attribute",
	[BGP_ERR_UPD_OPTIONAL_ATTR] = "Optional Attribute Error",
	[BGP_ERR_UPD_NETWORK] = "Invalid Network Field",
	[BGP_ERR_UPD_AS_PATH] = "Malformed AS_PATH",
};
static const char *const fsm_sub[] = { /* RFC 6608 3 */
	[BGP_ERR_FSM_UNSPECIFIED] = "Unspecified Error",
	[BGP_ERR_FSM_OPENSENT] = "Receive Unexpected Message in OpenSent State",
	[BGP_ERR_FSM_OPENCONFIRM] = "Receive Unexpected Message in OpenConfirm State",
	[BGP_ERR_FSM_ESTABLISHED] = "Receive Unexpected Message in Established State",
};
static const char *const cease_sub[] = {
	[0] = "Unspecific",
	[BGP_CEASE_MAX_PREFIX] = "Maximum Number of Prefixes Reached", /* RFC 4486 */
	[BGP_CEASE_ADMIN_SHUTDOWN] = "Administrative Shutdown",
	[BGP_CEASE_PEER_DECONFIGURED] = "Peer De-configured",
	[BGP_CEASE_ADMIN_RESET] = "Administrative Reset",
	[BGP_CEASE_CONN_REJECTED] = "Connection Rejected",
	[BGP_CEASE_CONFIG_CHANGE] = "Other Configuration Change",
	[BGP_CEASE_COLLISION] = "Connection Collision Resolution",
	[BGP_CEASE_OUT_OF_RESOURCES] = "Out of Resources",
	[BGP_CEASE_HARD_RESET] = "Hard Reset",       /* RFC 8538 */
	[BGP_CEASE_BFD_DOWN] = "BFD Down",           /* RFC 9384 */
};
static const char *const rr_sub[] = { /* RFC 7313 5 */
	[0] = "Reserved",
	[BGP_ERR_RR_BAD_LEN] = "Invalid Message Length",
};

#define SUB(tab, s) ((s) < sizeof(tab) / sizeof(tab[0]) && tab[s] ? tab[s] : NULL)

const char *bgp_notify_subcode_name(uint8_t code, uint8_t subcode)
{
	const char *name = NULL;
	switch (code) {
	case BGP_ERR_HEADER: name = SUB(hdr_sub, subcode); break;
	case BGP_ERR_OPEN: name = SUB(open_sub, subcode); break;
	case BGP_ERR_UPDATE: name = SUB(update_sub, subcode); break;
	case BGP_ERR_FSM: name = SUB(fsm_sub, subcode); break;
	case BGP_ERR_CEASE: name = SUB(cease_sub, subcode); break;
	case BGP_ERR_ROUTE_REFRESH: name = SUB(rr_sub, subcode); break;
	case BGP_ERR_HOLD_TIMER:
	case BGP_ERR_SEND_HOLD_TIMER:
		/* These codes define no subcodes; 0 is the only proper value. */
		name = subcode == 0 ? "" : NULL;
		break;
	}
	return name ? name : "Unknown subcode";
}

/* Bounded appender for bgp_notify_format: never overruns, always
 * terminated, silently stops when full. */
struct out {
	char *buf;
	size_t size, len;
};

__attribute__((format(printf, 2, 3)))
static void out_printf(struct out *o, const char *fmt, ...)
{
	if (o->len + 1 >= o->size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	o->len += (size_t)n;
	if (o->len >= o->size)
		o->len = o->size - 1;
}

static void out_hex(struct out *o, const uint8_t *p, size_t n)
{
	if (o->len + 1 >= o->size)
		return;
	log_hex(p, n, o->buf + o->len, o->size - o->len);
	o->len += strlen(o->buf + o->len);
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid
 * (overlong forms, surrogates and values past U+10FFFF are refused, as
 * RFC 3629 4 requires). */
static size_t utf8_seq_len(const uint8_t *p, size_t left)
{
	uint8_t c = p[0];
	size_t n;
	uint32_t min, cp;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		n = 2, min = 0x80, cp = c & 0x1f;
	else if ((c & 0xf0) == 0xe0)
		n = 3, min = 0x800, cp = c & 0x0f;
	else if ((c & 0xf8) == 0xf0)
		n = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static bool utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t l = utf8_seq_len(p + i, n - i);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

/* Shutdown text with control characters, quote and backslash escaped so
 * a peer cannot forge log lines or terminal escapes (RFC 9003 5). */
static void out_text(struct out *o, const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = p[i];
		if (c < 0x20 || c == 0x7f)
			out_printf(o, "\\x%02x", c);
		else if (c == '"' || c == '\\')
			out_printf(o, "\\%c", c);
		else if (c < 0x80)
			out_printf(o, "%c", c);
		else {
			size_t l = utf8_seq_len(p + i, n - i);
			/* Caller checked validity; l is >= 2 here. */
			out_printf(o, "%.*s", (int)l, (const char *)p + i);
			i += l;
			continue;
		}
		i++;
	}
}

void bgp_notify_format(const struct bgp_notify *n, char *buf, size_t size)
{
	struct out o = {.buf = buf, .size = size};
	if (!size)
		return;
	buf[0] = '\0';
	size_t dl = n->data_len > BGP_NOTIFY_DATA_MAX ? BGP_NOTIFY_DATA_MAX : n->data_len;
	const char *sub = bgp_notify_subcode_name(n->code, n->subcode);
	out_printf(&o, "%s", bgp_notify_code_name(n->code));
	if (*sub)
		out_printf(&o, "/%s", sub);
	if (!dl)
		return;

	if (n->code == BGP_ERR_CEASE &&
	    (n->subcode == BGP_CEASE_ADMIN_SHUTDOWN || n->subcode == BGP_CEASE_ADMIN_RESET)) {
		/* RFC 9003 2: length byte, then that many octets of UTF-8.  A
		 * length past the data or bad UTF-8 is shown as hex instead. */
		size_t ml = n->data[0];
		if (1 + ml <= dl && utf8_valid(n->data + 1, ml)) {
			if (ml) {
				out_printf(&o, ": \"");
				out_text(&o, n->data + 1, ml);
				out_printf(&o, "\"");
			}
			if (1 + ml < dl) {
				out_printf(&o, " (trailing data ");
				out_hex(&o, n->data + 1 + ml, dl - 1 - ml);
				out_printf(&o, ")");
			}
			return;
		}
		out_printf(&o, " (invalid shutdown communication, data ");
		out_hex(&o, n->data, dl);
		out_printf(&o, ")");
		return;
	}
	if (n->code == BGP_ERR_CEASE && n->subcode == BGP_CEASE_MAX_PREFIX && dl == 7) {
		/* RFC 4486 4 */
		unsigned afi = (unsigned)(n->data[0] << 8 | n->data[1]);
		uint32_t limit = (uint32_t)n->data[3] << 24 | (uint32_t)n->data[4] << 16 |
				 (uint32_t)n->data[5] << 8 | n->data[6];
		out_printf(&o, ": AFI %u SAFI %u limit %u", afi, n->data[2], (unsigned)limit);
		return;
	}
	out_printf(&o, " (data ");
	out_hex(&o, n->data, dl);
	out_printf(&o, ")");
}
