#!/usr/bin/env python3
"""Seeds for fuzz_netlink: real kernel dump replies.

usage (as root): make-netlink-seeds.py OUTDIR

Makes a throwaway network namespace, puts routes and nexthop objects of
egressd's protocol (57) into table 100 there with iproute2 (nexthop
objects, a group, inline multipath, IPv6, a gateway-less route), then
dumps routes, nexthops, links and addresses (what fib_monitor
parses) over a raw NETLINK_ROUTE socket inside the
namespace and writes each reply datagram to OUTDIR/<sha1>.  The
namespace is deleted afterwards, also on failure.  Standard library
only."""
import hashlib
import os
import socket
import struct
import subprocess
import sys

RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEXTHOP = 18, 22, 26, 106
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300

SETUP = [
    "link add d0 type veth peer name d0p",
    "link add d1 type veth peer name d1p",
    "addr add 192.0.2.254/24 dev d0",
    "addr add 198.51.100.254/24 dev d1",
    "addr add 2001:db8:1::fe/64 dev d0 nodad",
    "link set d0 up", "link set d0p up", "link set d1 up", "link set d1p up",
    "nexthop add id 1000 via 192.0.2.1 dev d0 proto 57",
    "nexthop add id 1001 via 198.51.100.1 dev d1 proto 57",
    "nexthop add id 1002 group 1000/1001,3 proto 57",
    "nexthop add id 1003 via 2001:db8:1::1 dev d0 proto 57",
    "route add 10.0.0.0/24 nhid 1002 table 100 proto 57",
    "route add 10.0.1.0/24 nhid 1000 table 100 proto 57",
    "route add 10.1.0.0/16 table 100 proto 57 nexthop via 192.0.2.1 dev d0"
    " weight 2 nexthop via 198.51.100.1 dev d1",
    "route add 10.2.0.0/16 dev d1 table 100 proto 57",
    "route add 0.0.0.0/0 via 192.0.2.1 table 100 proto 57",
    "route add 2001:db8:9::/48 nhid 1003 table 100 proto 57",
    "route add 2001:db8:8::/48 via 2001:db8:1::2 dev d0 table 100 proto 57",
    "route add 203.0.113.0/24 via 192.0.2.1 table 100 proto static",
]


def dump(out):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    s.bind((0, 0))
    n = 0
    for typ, fam, hdr in ((RTM_GETROUTE, socket.AF_INET, 12),
                          (RTM_GETROUTE, socket.AF_INET6, 12),
                          (RTM_GETNEXTHOP, 0, 8),
                          (RTM_GETLINK, 0, 16),
                          (RTM_GETADDR, 0, 8)):
        body = struct.pack("B", fam) + bytes(hdr - 1)
        msg = struct.pack("=IHHII", 16 + len(body), typ,
                          NLM_F_REQUEST | NLM_F_DUMP, n + 1, 0) + body
        s.send(msg)
        while True:
            data = s.recv(65536)
            name = hashlib.sha1(data).hexdigest()
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)
            n += 1
            # NLMSG_DONE (3) or NLMSG_ERROR (2) in the last message ends it
            off, last = 0, None
            while off + 16 <= len(data):
                ln, t = struct.unpack_from("=IH", data, off)
                last = t
                off += (ln + 3) & ~3 if ln else len(data)
            if last in (2, 3):
                break
    print(f"{n} seeds written to {out}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--dump":
        dump(sys.argv[2])
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = os.path.abspath(sys.argv[1])
    os.makedirs(out, exist_ok=True)
    ns = f"egs-seed-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        for line in SETUP:
            subprocess.run(["ip", "-n", ns] + line.split(), check=True)
        subprocess.run(["ip", "netns", "exec", ns, sys.executable,
                        os.path.abspath(__file__), "--dump", out], check=True)
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)


if __name__ == "__main__":
    main()
