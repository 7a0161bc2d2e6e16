"""OpenBGPD driver: bgpd -d with a private control socket (`socket`
statement) and fib-update off; state and routes from `bgpctl -j`.

Debian's bgpd drops privileges to _openbgpd and chroots into
/run/openbgpd, which systemd would create; we create it when missing.
It connects to a peer only after a 5 s idle hold and retries after 120 s,
so tests let the other side connect (egressd retries quickly)."""

import json
import os

from .peer import Peer, Route, canon_addr, canon_prefix
from .util import run

BGPD = "/usr/sbin/bgpd"
BGPCTL = "/usr/sbin/bgpctl"
CHROOT = "/run/openbgpd"

_STATES = {
    "idle": "Idle", "connect": "Connect", "active": "Active",
    "opensent": "OpenSent", "openconfirm": "OpenConfirm",
    "established": "Established",
}


class OpenbgpdPeer(Peer):
    NAME = "openbgpd"
    # `set prepend-self N` is the only way to lengthen the path of a
    # `network` announcement.
    ARBITRARY_PREPEND = False

    def config(self):
        c = self.cfg
        afi = "IPv6" if c.afi == "ipv6" else "IPv4"
        nets = []
        for a in c.announce:
            sets = []
            if a.med is not None:
                sets.append(f"med {a.med}")
            sets += [f"community {x}" for x in a.communities]
            sets += [f"large-community {x}" for x in a.large_communities]
            if a.prepend:
                sets.append(f"prepend-self {len(a.prepend)}")
            s = (" set { " + ", ".join(sets) + " }") if sets else ""
            nets.append(f"network {a.prefix}{s}")
        nbr = [
            f"neighbor {c.remote_addr} {{",
            f"  remote-as {c.remote_as}",
            f"  local-address {c.local_addr}",
            f"  holdtime {c.hold_time}",
            f"  announce {afi} unicast",
        ]
        if c.afi == "ipv6":
            nbr.append("  announce IPv4 none")
        if c.password:
            nbr.append(f"  tcp md5sig password {c.password}")
        if c.passive:
            nbr.append("  passive")
        nbr.append("}")
        return "\n".join([
            f"AS {c.local_as}",
            f"router-id {c.router_id}",
            f'socket "{self.path("bgpd.sock")}"',
            "fib-update no",
            f"listen on {c.local_addr}",
            *nets,
            *nbr,
            # RFC 8212 default-deny is OpenBGPD's too; the tests want
            # everything through.
            "allow from any",
            "allow to any",
            "",
        ])

    def start(self):
        os.makedirs(CHROOT, exist_ok=True)
        conf = self.write("bgpd.conf", self.config())
        os.chmod(conf, 0o600)  # bgpd refuses group/world-readable configs
        self.sock = self.path("bgpd.sock")
        run([BGPD, "-n", "-f", conf])
        self.proc = self.ns.start([BGPD, "-d", "-v", "-f", conf],
                                  "openbgpd")
        self.wait_ready()

    def bgpctl(self, *args):
        r = run(self.ns.cmd([BGPCTL, "-s", self.sock, "-j"] + list(args)))
        return json.loads(r.stdout)

    def state(self):
        j = self.bgpctl("show", "neighbor", self.cfg.remote_addr)
        for n in j.get("neighbors", []):
            st = str(n.get("state", "")).lower()
            return _STATES.get(st, n.get("state", ""))
        return ""

    def routes(self):
        j = self.bgpctl("show", "rib", "neighbor", self.cfg.remote_addr,
                        "detail")
        out = {}
        for r in j.get("rib", []):
            rt = Route(prefix=canon_prefix(r["prefix"]))
            rt.as_path = [int(x) for x in
                          str(r.get("aspath", "")).replace("{", " ")
                          .replace("}", " ").replace(",", " ").split()
                          if x.isdigit()]
            # exit_nexthop is the NEXT_HOP as received; true_nexthop is
            # how bgpd itself would reach it.
            nh = r.get("exit_nexthop")
            rt.next_hop = canon_addr(nh) if nh else None
            if "metric" in r:
                rt.med = int(r["metric"])
            rt.origin = str(r.get("origin", "igp")).lower()
            rt.communities = [str(x) for x in r.get("communities", [])]
            rt.large_communities = [str(x) for x in
                                    r.get("large_communities", [])]
            out[rt.key()] = rt
        return out
