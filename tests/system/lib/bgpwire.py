"""Just enough BGP wire decoding for tests to look at raw UPDATEs a peer
received (e.g. the 2-octet AS_PATH an old speaker really got), and to
build raw messages.  Test-side code: it trusts its input less than it
should only in that a short buffer raises ValueError."""

ATTR_ORIGIN = 1
ATTR_AS_PATH = 2
ATTR_NEXT_HOP = 3
ATTR_AS4_PATH = 17

FLAG_OPTIONAL = 0x80
FLAG_TRANSITIVE = 0x40
FLAG_PARTIAL = 0x20
FLAG_EXTENDED = 0x10


def _take(buf, off, n):
    if off + n > len(buf):
        raise ValueError(f"short buffer: need {n} at {off}, have {len(buf)}")
    return buf[off:off + n], off + n


def parse_prefixes(buf):
    """IPv4 NLRI field -> ["a.b.c.d/len", ...]."""
    out, off = [], 0
    while off < len(buf):
        plen = buf[off]
        off += 1
        if plen > 32:
            raise ValueError(f"prefix length {plen}")
        raw, off = _take(buf, off, (plen + 7) // 8)
        raw = raw + bytes(4 - len(raw))
        out.append(".".join(str(b) for b in raw) + f"/{plen}")
    return out


def parse_update(body):
    """UPDATE body (after the 19-byte header) -> dict with withdrawn,
    attrs (list of (flags, code, value)) and nlri."""
    wlen_b, off = _take(body, 0, 2)
    wlen = int.from_bytes(wlen_b, "big")
    withdrawn, off = _take(body, off, wlen)
    alen_b, off = _take(body, off, 2)
    alen = int.from_bytes(alen_b, "big")
    attrs_raw, off = _take(body, off, alen)
    nlri = body[off:]
    attrs, a = [], 0
    while a < len(attrs_raw):
        hdr, a = _take(attrs_raw, a, 2)
        flags, code = hdr[0], hdr[1]
        if flags & FLAG_EXTENDED:
            lb, a = _take(attrs_raw, a, 2)
            ln = int.from_bytes(lb, "big")
        else:
            lb, a = _take(attrs_raw, a, 1)
            ln = lb[0]
        val, a = _take(attrs_raw, a, ln)
        attrs.append((flags, code, val))
    return {"withdrawn": parse_prefixes(withdrawn), "attrs": attrs,
            "nlri": parse_prefixes(nlri)}


def as_path(value, as_size):
    """AS_PATH / AS4_PATH value -> flat list of ASNs (as_size 2 or 4)."""
    out, off = [], 0
    while off < len(value):
        hdr, off = _take(value, off, 2)
        for _ in range(hdr[1]):
            raw, off = _take(value, off, as_size)
            out.append(int.from_bytes(raw, "big"))
    return out


def attr(update, code):
    for flags, c, val in update["attrs"]:
        if c == code:
            return flags, val
    return None
