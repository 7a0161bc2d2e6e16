#!/usr/bin/env python3
"""Cut UPDATE bodies out of MRT files (RFC 6396) for the fuzz_update corpus.

usage: make-seeds.py OUTDIR [--max N] [--crafted] MRT_FILE...

Reads BGP4MP (type 16) and BGP4MP_ET (type 17) records, keeps the
BGP messages of subtypes MESSAGE, MESSAGE_AS4 and their _LOCAL forms,
and writes the body (what follows the 19-byte header) of UPDATEs to
OUTDIR/<sha1>. To keep the corpus small but varied it keeps at most a
few bodies per "shape": the set of attribute type codes, whether there
are withdrawals/NLRI, and a size class. Files may be gzip, bzip2 or
plain. With --crafted it also writes a few hand-made bodies for what
the collector data lacks (2-octet sessions with AS4_PATH, End-of-RIB,
IPv6 withdrawals, link-local next hops, confederations, unknown
attributes). Only the Python standard library is used.
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


def attr(flags, code, value):
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def body(withdrawn=b"", attrs=b"", nlri=b""):
    return (struct.pack("!H", len(withdrawn)) + withdrawn +
            struct.pack("!H", len(attrs)) + attrs + nlri)


def crafted():
    origin = attr(0x40, 1, b"\x00")
    nh = attr(0x40, 3, bytes([192, 0, 2, 1]))
    path4 = attr(0x40, 2, b"\x02\x02" + struct.pack("!II", 65000, 4200000000))
    path2 = attr(0x40, 2, b"\x02\x03" + struct.pack("!HHH", 100, 23456, 200))
    as4path = attr(0xC0, 17, b"\x02\x02" + struct.pack("!II", 70000, 200))
    agg2 = attr(0xC0, 7, struct.pack("!HI", 23456, 0x0A000001))
    as4agg = attr(0xC0, 18, struct.pack("!II", 70001, 0x0A000001))
    v6nh = bytes.fromhex("20010db8000000000000000000000001")
    ll = bytes.fromhex("fe800000000000000000000000000001")
    v6nlri = b"\x20\x20\x01\x0d\xb8" + b"\x30\x20\x01\x0d\xb8\x00\x01"
    mp6 = attr(0x80, 14, struct.pack("!HBB", 2, 1, 32) + v6nh + ll + b"\x00" + v6nlri)
    mp4 = attr(0x80, 14, struct.pack("!HBB", 1, 1, 4) + bytes([192, 0, 2, 9]) + b"\x00" +
               b"\x18\x0a\x01\x02")
    comms = attr(0xC0, 8, struct.pack("!II", 0xFDE80001, 0xFFFFFF01))
    ext = attr(0xC0, 16, bytes.fromhex("0002fde800000001"))
    large = attr(0xC0, 32, struct.pack("!III", 4200000000, 1, 2))
    unknown = attr(0xC0, 40, bytes(8)) + attr(0xE0, 99, b"\xab")
    confed = attr(0x40, 2, b"\x03\x01" + struct.pack("!I", 64512) +
                  b"\x02\x01" + struct.pack("!I", 65000))
    nlri = b"\x18\x0a\x00\x00\x10\x0b\x01\x00"
    return [
        body(),                                                   # IPv4 End-of-RIB
        body(attrs=attr(0x80, 15, struct.pack("!HB", 2, 1))),     # IPv6 End-of-RIB
        body(attrs=attr(0x80, 15, struct.pack("!HB", 2, 1) + v6nlri)),
        body(withdrawn=nlri),
        body(attrs=origin + path2 + nh + agg2 + as4path + as4agg, nlri=nlri),
        body(attrs=origin + as4path + path2 + nh, nlri=nlri),
        body(attrs=mp6 + origin + path4 + attr(0x80, 4, b"\x00\x00\x00\x0a") + comms + ext +
             large + unknown),
        body(attrs=mp4 + origin + path4),
        body(attrs=origin + confed + nh + attr(0x40, 5, b"\x00\x00\x00\x64") +
             attr(0x80, 9, b"\x01\x02\x03\x04") + attr(0x80, 10, b"\x01\x02\x03\x04"),
             nlri=nlri),
        body(attrs=origin + path4 + nh + attr(0x40, 6, b"") +
             attr(0xC0, 7, struct.pack("!II", 4200000001, 1)), nlri=nlri),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("mrt", nargs="+")
    ap.add_argument("--max", type=int, default=300, help="bodies to write in all")
    ap.add_argument("--per-shape", type=int, default=3)
    ap.add_argument("--crafted", action="store_true", help="also write hand-made bodies")
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
                with open(out, "wb") as o:
                    o.write(body)
                kept += 1
                if kept >= per_file:
                    break
        print(f"{path}: {kept} bodies", file=sys.stderr)
        written += kept
    if args.crafted:
        for b in crafted():
            out = os.path.join(args.outdir, "crafted-" + hashlib.sha1(b).hexdigest()[:16])
            with open(out, "wb") as o:
                o.write(b)
            written += 1
    print(f"{written} seeds in {args.outdir}", file=sys.stderr)
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
