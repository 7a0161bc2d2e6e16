#!/usr/bin/env python3
"""Cut UPDATE bodies out of MRT files (RFC 6396) for the fuzz_update corpus.

usage: make-seeds.py OUTDIR [--max N] MRT_FILE...

Reads BGP4MP (type 16) and BGP4MP_ET (type 17) records, keeps the
BGP messages of subtypes MESSAGE, MESSAGE_AS4 and their _LOCAL forms,
and writes the body (what follows the 19-byte header) of UPDATEs to
OUTDIR/<sha1>. To keep the corpus small but varied it keeps at most a
few bodies per "shape": the set of attribute type codes, whether there
are withdrawals/NLRI, and a size class. Files may be gzip, bzip2 or
plain. Only the Python standard library is used.
"""
import argparse
import bz2
import gzip
import hashlib
import os
import struct
import sys

BGP4MP, BGP4MP_ET = 16, 17
# RFC 6396 4.4: MESSAGE, MESSAGE_AS4, MESSAGE_LOCAL, MESSAGE_AS4_LOCAL
SUBTYPES = {1: 2, 4: 4, 6: 2, 7: 4}  # subtype -> AS number size


def open_any(path):
    with open(path, "rb") as f:
        magic = f.read(3)
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(path, "rb")
    if magic == b"BZh":
        return bz2.open(path, "rb")
    return open(path, "rb")


def records(f):
    """Yields (type, subtype, body); stops cleanly at a truncated end."""
    while True:
        hdr = f.read(12)
        if len(hdr) < 12:
            return
        _, mtype, sub, length = struct.unpack("!IHHI", hdr)
        body = f.read(length)
        if len(body) < length:
            return
        yield mtype, sub, body


def update_body(mtype, sub, rec):
    """The UPDATE body inside one BGP4MP record, or None."""
    if mtype not in (BGP4MP, BGP4MP_ET) or sub not in SUBTYPES:
        return None
    off = 4 if mtype == BGP4MP_ET else 0  # microseconds (RFC 6396 3)
    asn = SUBTYPES[sub]
    off += 2 * asn + 2  # peer AS, local AS, interface index
    if len(rec) < off + 2:
        return None
    afi = struct.unpack("!H", rec[off:off + 2])[0]
    off += 2 + (8 if afi == 1 else 32 if afi == 2 else 0)
    msg = rec[off:]
    if len(msg) < 19 or msg[:16] != b"\xff" * 16:
        return None
    length, mtype_bgp = struct.unpack("!HB", msg[16:19])
    if mtype_bgp != 2 or length != len(msg):
        return None
    return msg[19:]


def shape(body):
    """A coarse description used to keep the corpus varied."""
    try:
        wlen = struct.unpack("!H", body[0:2])[0]
        alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
    except struct.error:
        return ("bad",)
    attrs = body[4 + wlen:4 + wlen + alen]
    nlri = len(body) - 4 - wlen - alen
    codes, pos = [], 0
    while pos + 3 <= len(attrs):
        flags, code = attrs[pos], attrs[pos + 1]
        if flags & 0x10:
            if pos + 4 > len(attrs):
                break
            alen1 = struct.unpack("!H", attrs[pos + 2:pos + 4])[0]
            pos += 4 + alen1
        else:
            alen1 = attrs[pos + 2]
            pos += 3 + alen1
        codes.append(code)
    size_class = min(len(body).bit_length(), 12)
    return (tuple(sorted(set(codes))), wlen > 0, nlri > 0, size_class)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("mrt", nargs="+")
    ap.add_argument("--max", type=int, default=300, help="bodies to write in all")
    ap.add_argument("--per-shape", type=int, default=3)
    args = ap.parse_args()

    os.makedirs(args.outdir, exist_ok=True)
    per_file = max(1, args.max // len(args.mrt))
    written = 0
    for path in args.mrt:
        seen, kept = {}, 0
        with open_any(path) as f:
            for mtype, sub, rec in records(f):
                body = update_body(mtype, sub, rec)
                if body is None:
                    continue
                key = shape(body)
                if seen.get(key, 0) >= args.per_shape:
                    continue
                seen[key] = seen.get(key, 0) + 1
                name = hashlib.sha1(body).hexdigest()
                out = os.path.join(args.outdir, name)
                if not os.path.exists(out):
                    with open(out, "wb") as o:
                        o.write(body)
                    kept += 1
                if kept >= per_file:
                    break
        print(f"{path}: {kept} bodies", file=sys.stderr)
        written += kept
    print(f"{written} seeds in {args.outdir}", file=sys.stderr)
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
