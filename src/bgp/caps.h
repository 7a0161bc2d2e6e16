/* Capability TLVs (RFC 5492 4), shared by the OPEN codec and its tests.
 * Internal to src/bgp: the rest of the daemon sees struct bgp_caps. */
#ifndef EGRESS_BGP_CAPS_H
#define EGRESS_BGP_CAPS_H

#include <stddef.h>
#include <stdint.h>

#include "bgp/msg.h"
#include "core/buf.h"

/* Decodes the value of one Capabilities optional parameter (a sequence
 * of code/length/value) and adds what it finds to *c, so several
 * parameters accumulate (RFC 5492 4).  On a malformed capability fills
 * *err and returns -EBADMSG. */
int bgp_caps_decode(const uint8_t *p, size_t len, struct bgp_caps *c,
		    struct bgp_notify *err);
/* After the last parameter: RFC 4760 8, no MP capability means IPv4
 * unicast only. */
void bgp_caps_decode_finish(struct bgp_caps *c);
/* Appends the capability TLVs for *c (no parameter header).  local_as is
 * what the 4-octet AS capability carries. */
int bgp_caps_encode(struct wbuf *w, const struct bgp_caps *c, uint32_t local_as);

/* bgp_open_encode() with extra, already encoded capability TLVs appended
 * after ours; lets tests and interop probes send capabilities we do not
 * model (and push the parameters past 255 bytes, RFC 9072). */
int bgp_open_encode_extra(struct wbuf *w, const struct bgp_open *o,
			  const uint8_t *extra_caps, size_t extra_len);

#endif
