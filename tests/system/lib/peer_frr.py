"""FRR driver: zebra and bgpd with their zserv and vty sockets in the
test's private run directory, state and routes from vtysh JSON.

bgpd can run without zebra (-Z), but then it knows no interfaces: it
withdraws IPv6 routes whose next hop includes a link-local address
("no peer interface information"), which BIRD and others send on a
shared link.  So zebra runs too, inside the test namespace only, and
bgpd is started with -n so it installs nothing in the kernel."""

import json
import os
import pwd
import shutil
import tempfile

from .peer import Peer, Route, canon_addr, canon_prefix
from .util import run, wait_until

BGPD = "/usr/lib/frr/bgpd"
ZEBRA = "/usr/lib/frr/zebra"
VTYSH = "/usr/bin/vtysh"

# FRR state names are the RFC 4271 ones already.


class FrrPeer(Peer):
    NAME = "frr"

    def config(self):
        c = self.cfg
        n = c.remote_addr
        afi = c.afi
        ka = max(1, c.hold_time // 3)
        lines = [
            "frr defaults traditional",
            "hostname peer",
            f"log file {self.path('frr-debug.log')} debugging",
            "!",
            f"router bgp {c.local_as}",
            f" bgp router-id {c.router_id}",
            # The announced prefixes exist in no RIB, and RFC 8212
            # filtering would hide the very routes under test.
            " no bgp ebgp-requires-policy",
            " no bgp network import-check",
            " no bgp default ipv4-unicast",
            f" timers bgp {ka} {c.hold_time}",
            f" neighbor {n} remote-as {c.remote_as}",
            f" neighbor {n} timers {ka} {c.hold_time}",
            f" neighbor {n} timers connect {c.connect_retry}",
            f" neighbor {n} update-source {c.local_addr}",
        ]
        if c.graceful_restart:
            # RFC 4724: FRR as a GR speaker (it is a helper then).
            lines += [" bgp graceful-restart",
                      f" bgp graceful-restart restart-time {c.graceful_restart}"]
        if c.password:
            lines.append(f" neighbor {n} password {c.password}")
        if c.passive:
            lines.append(f" neighbor {n} passive")
        lines.append(f" address-family {afi} unicast")
        for i, a in enumerate(c.announce):
            lines.append(f"  network {a.prefix} route-map ANN{i}")
        lines += [f"  neighbor {n} activate", " exit-address-family", "!"]
        for i, a in enumerate(c.announce):
            lines.append(f"route-map ANN{i} permit 10")
            if a.med is not None:
                lines.append(f" set metric {a.med}")
            if a.communities:
                lines.append(f" set community {' '.join(a.communities)}")
            if a.large_communities:
                lines.append(" set large-community "
                             + " ".join(a.large_communities))
            if a.prepend:
                lines.append(" set as-path prepend "
                             + " ".join(str(x) for x in a.prepend))
            lines.append("!")
        return "\n".join(lines) + "\n"

    def start(self):
        conf = self.write("bgpd.conf", self.config())
        # zebra will not run as root unless root is in the frrvty group,
        # so it runs as frr, with its sockets in a directory frr can
        # reach (the test's workdir is root-only).  bgpd stays root (-S).
        self.rundir = tempfile.mkdtemp(prefix="eg-frr-")
        os.chmod(self.rundir, 0o755)
        pw = pwd.getpwnam("frr")
        os.chown(self.rundir, pw.pw_uid, pw.pw_gid)
        zconf = os.path.join(self.rundir, "zebra.conf")
        with open(zconf, "w", encoding="utf-8") as f:
            f.write("hostname peer\n")
        os.chown(zconf, pw.pw_uid, pw.pw_gid)
        self.vtydir = self.rundir
        zsock = os.path.join(self.rundir, "zserv.api")
        self.zebra = self.ns.start(
            [ZEBRA, "-f", zconf, "-i", os.path.join(self.rundir, "zebra.pid"),
             "-z", zsock, "--vty_socket", self.rundir, "-P", "0",
             "--log", "stdout"], "frr-zebra")
        wait_until(lambda: os.path.exists(zsock), 10, what="zebra socket")
        self.proc = self.ns.start(
            [BGPD, "-S", "-f", conf, "-i", self.path("bgpd.pid"), "-z", zsock,
             "--vty_socket", self.rundir, "-P", "0", "--log", "stdout",
             "-n", "-l", self.cfg.local_addr], "frr-bgpd")
        self.wait_ready()

    def stop(self):
        super().stop()
        if getattr(self, "zebra", None):
            self.zebra.stop()
        if getattr(self, "rundir", None):
            shutil.rmtree(self.rundir, ignore_errors=True)

    def vtysh(self, command):
        r = run(self.ns.cmd([VTYSH, "--vty_socket", self.vtydir, "-d",
                             "bgpd", "-c", command]))
        return r.stdout

    def vtysh_json(self, command):
        return json.loads(self.vtysh(command))

    def state(self):
        j = self.vtysh_json(f"show bgp neighbors {self.cfg.remote_addr} json")
        return j.get(self.cfg.remote_addr, {}).get("bgpState", "")

    def request_refresh(self):
        """ROUTE-REFRESH to the neighbor: `clear ... soft in` without
        soft-reconfiguration inbound makes FRR send one."""
        self.vtysh(f"clear bgp {self.cfg.afi} unicast {self.cfg.remote_addr}"
                   " soft in")

    def routes(self):
        afi = self.cfg.afi
        j = self.vtysh_json(f"show bgp {afi} unicast json detail")
        out = {}
        for pfx, paths in (j.get("routes") or {}).items():
            for p in paths if isinstance(paths, list) else [paths]:
                r = _route_from_frr(pfx, p)
                if r is not None:
                    out[r.key()] = r
        return out


def _route_from_frr(pfx, p):
    peer = p.get("peer", {})
    if p.get("nexthops") is None and not peer:
        return None
    if "sourced" in p or p.get("peerId") in ("(unspec)", "0.0.0.0", "::"):
        return None  # our own network statement
    r = Route(prefix=canon_prefix(pfx))
    path = p.get("aspath", {})
    if isinstance(path, dict):
        r.as_path = [int(x) for x in str(path.get("string", "")).replace(
            "{", " ").replace("}", " ").replace(",", " ").split()
            if x.isdigit()]
    else:
        r.as_path = [int(x) for x in str(path).split() if x.isdigit()]
    nhs = p.get("nexthops") or []
    if nhs:
        r.next_hop = canon_addr(nhs[0].get("ip"))
    if "metric" in p:
        r.med = int(p["metric"])
    r.origin = str(p.get("origin", "igp")).lower()
    if "community" in p:
        r.communities = p["community"].get("string", "").split()
    if "largeCommunity" in p:
        r.large_communities = p["largeCommunity"].get("string", "").split()
    return r
