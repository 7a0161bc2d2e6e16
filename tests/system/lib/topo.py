"""Two-namespace topology: "a" (the speaker under test) and "b" (the
peer), one veth link, dual-stack addresses on both ends."""

import os

from .netns import Namespace, unique_prefix, veth

ADDR = {
    "ipv4": ("10.0.0.1", "10.0.0.2", 24),
    "ipv6": ("fd00::1", "fd00::2", 64),
}
IFNAME = "eg0"


class Pair:
    def __init__(self, workdir):
        prefix = unique_prefix()
        self.a = self.b = None
        try:
            self.a = Namespace(f"{prefix}-a", os.path.join(workdir, "a"))
            self.b = Namespace(f"{prefix}-b", os.path.join(workdir, "b"))
            veth(self.a, self.b, IFNAME)
            for afi, (x, y, plen) in ADDR.items():
                self.a.addr_add(IFNAME, f"{x}/{plen}")
                self.b.addr_add(IFNAME, f"{y}/{plen}")
        except Exception:
            self.close()
            raise

    @staticmethod
    def addr(afi, side):
        x, y, _ = ADDR[afi]
        return x if side == "a" else y

    def close(self):
        for ns in (self.b, self.a):
            if ns is not None:
                ns.close()


class Star:
    """A hub namespace linked to n spoke namespaces, one veth pair each.

    Link i (1-based) is "eg<i>" on the hub and "eg0" on spoke i, with
    10.0.<i>.1/24 and fd00:<i>::1/64 on the hub side, .2 / ::2 on the
    spoke.  Used where one speaker talks to several peers at once."""

    def __init__(self, workdir, n):
        prefix = unique_prefix()
        self.hub = None
        self.spokes = []
        try:
            self.hub = Namespace(f"{prefix}-h", os.path.join(workdir, "hub"))
            for i in range(1, n + 1):
                sp = Namespace(f"{prefix}-s{i}",
                               os.path.join(workdir, f"spoke{i}"))
                self.spokes.append(sp)
                hub_if = f"eg{i}"
                self.hub.run(["ip", "link", "add", hub_if, "type", "veth",
                              "peer", "name", IFNAME, "netns", sp.name])
                self.hub.ip("link", "set", hub_if, "up")
                sp.ip("link", "set", IFNAME, "up")
                for afi in ADDR:
                    self.hub.addr_add(hub_if, self.addr(afi, i, "hub", True))
                    sp.addr_add(IFNAME, self.addr(afi, i, "spoke", True))
        except Exception:
            self.close()
            raise

    @staticmethod
    def addr(afi, i, side, with_len=False):
        host = 1 if side == "hub" else 2
        if afi == "ipv4":
            a, plen = f"10.0.{i}.{host}", 24
        else:
            a, plen = f"fd00:{i}::{host}", 64
        return f"{a}/{plen}" if with_len else a

    def close(self):
        for ns in self.spokes + ([self.hub] if self.hub else []):
            ns.close()
