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
