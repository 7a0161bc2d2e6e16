"""GoBGP driver: gobgpd with a TOML config and its gRPC API on a unix
socket in the workdir; routes are added and read with `gobgp ... -j`."""

import json

from .peer import Peer, Route, canon_addr, canon_prefix
from .util import run, wait_until

GOBGPD = "/usr/bin/gobgpd"
GOBGP = "/usr/bin/gobgp"

# gobgp prints session_state either as the API enum name or its number.
_STATES = {
    1: "Idle", 2: "Connect", 3: "Active", 4: "OpenSent",
    5: "OpenConfirm", 6: "Established",
    "idle": "Idle", "connect": "Connect", "active": "Active",
    "opensent": "OpenSent", "openconfirm": "OpenConfirm",
    "established": "Established",
}


class GobgpPeer(Peer):
    NAME = "gobgp"

    def config(self):
        c = self.cfg
        afs = "ipv6-unicast" if c.afi == "ipv6" else "ipv4-unicast"
        pw = f'    auth-password = "{c.password}"\n' if c.password else ""
        return f"""\
[global.config]
  as = {c.local_as}
  router-id = "{c.router_id}"
  local-address-list = ["{c.local_addr}"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "{c.remote_addr}"
    peer-as = {c.remote_as}
{pw}  [neighbors.timers.config]
    hold-time = {c.hold_time}
    keepalive-interval = {max(1, c.hold_time // 3)}
    connect-retry = {c.connect_retry}
  [neighbors.transport.config]
    local-address = "{c.local_addr}"
    passive-mode = {"true" if c.passive else "false"}
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "{afs}"
"""

    def start(self):
        conf = self.write("gobgpd.toml", self.config())
        self.target = "unix://" + self.path("gobgp.sock")
        self.proc = self.ns.start(
            [GOBGPD, "-f", conf, "-p", "--pprof-disable",
             "--api-hosts", self.target, "-l", "info"], "gobgpd")
        # Routes are injected through the API once it answers.
        wait_until(lambda: self.gobgp("global").returncode == 0, 15,
                   what="gobgpd API")
        for a in self.cfg.announce:
            self.announce(a)

    def gobgp(self, *args, check=False):
        return run(self.ns.cmd([GOBGP, "--target", self.target] + list(args)),
                   check=check)

    def announce(self, a):
        args = ["global", "rib", "add", "-a", self.cfg.afi, a.prefix,
                "origin", "igp", "nexthop", self.cfg.local_addr]
        if a.prepend:
            args += ["aspath", ",".join(str(x) for x in a.prepend)]
        if a.med is not None:
            args += ["med", str(a.med)]
        if a.communities:
            args += ["community", ",".join(a.communities)]
        if a.large_communities:
            args += ["large-community", ",".join(a.large_communities)]
        self.gobgp(*args, check=True)

    def state(self):
        r = self.gobgp("neighbor", self.cfg.remote_addr, "-j", check=True)
        j = json.loads(r.stdout)
        st = (j.get("state") or {}).get("session_state", "")
        if isinstance(st, str):
            st = st.lower().replace("session_state_", "")
        return _STATES.get(st, str(st))

    def routes(self):
        r = self.gobgp("neighbor", self.cfg.remote_addr, "adj-in", "-a",
                       self.cfg.afi, "-j", check=True)
        j = json.loads(r.stdout or "{}")
        out = {}
        for pfx, paths in (j or {}).items():
            for p in paths:
                rt = _route_from_gobgp(pfx, p)
                out[rt.key()] = rt
        return out


def _route_from_gobgp(pfx, p):
    rt = Route(prefix=canon_prefix(pfx))
    for a in p.get("attrs", []):
        t = a.get("type")
        if t == 1:
            rt.origin = {0: "igp", 1: "egp", 2: "incomplete"}.get(
                a.get("value"), str(a.get("value")))
        elif t == 2:
            for seg in a.get("as_paths", []):
                rt.as_path += [int(x) for x in seg.get("asns", [])]
        elif t == 3:
            rt.next_hop = canon_addr(a.get("nexthop"))
        elif t == 4:
            rt.med = int(a.get("metric"))
        elif t == 8:
            rt.communities = [f"{v >> 16}:{v & 0xffff}"
                              for v in a.get("communities", [])]
        elif t == 14:
            nh = a.get("nexthop")
            if nh and rt.next_hop is None:
                rt.next_hop = canon_addr(nh)
        elif t == 32:
            rt.large_communities = [
                f"{v['ASN']}:{v['LocalData1']}:{v['LocalData2']}"
                for v in a.get("value", [])]
    return rt
