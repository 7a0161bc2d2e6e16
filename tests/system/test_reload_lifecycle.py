"""Reload at awkward moments (issue 3 hardening): a neighbor removed
while it is in graceful restart (its routes stale, no session), a
neighbor removed while its session is held down after max-prefix, and
reloads fired back to back while the sliced walks of the previous ones
(soft-reconfiguration re-run, re-export, best-path recomputation, the
removed peer's flush) are still running.

The kernel is the judge of what egressd ends up forwarding by (`ip -j
route` in egressd's namespace, routes of egressd's protocol 57), and
BIRD of the sessions; egressd must still answer afterwards.  Run under
the ASan build (EGRESS_BUILD=build-asan) these also catch use-after-free
and leaks of the removed peer's state."""

import ipaddress
import json

from conftest import peer_announce
from lib.peer import Announce, canon_prefix
from lib.topo import Pair
from lib.util import hold_for, run, wait_until

AFI = "ipv4"
OLD = "203.0.113.0/24"
PROTO = "57"


def kernel_routes(eg):
    """Prefixes of egressd's protocol in its namespace's main table."""
    r = run(eg.ns.cmd(["ip", "-4", "-j", "route", "show", "proto", PROTO]), check=False)
    out = set()
    for rt in json.loads(r.stdout or "[]"):
        dst = rt.get("dst", "")
        out.add(canon_prefix(dst if "/" in dst else dst + "/32"))
    return out


def loc_rib(eg):
    return {canon_prefix(r["prefix"]): r for r in eg.ctl("show", "rib")["routes"]}


def reload_ok(eg):
    eg.write_config()
    eg.ctl("reload")


def test_reload_removes_neighbor_in_graceful_restart(lab):
    """BIRD (graceful restart, 60 s) crashes: egressd keeps its route,
    stale, in the kernel.  A reload that removes the neighbor must drop
    it at once (no session is left to refresh it), and adding the
    neighbor back brings a fresh session and the route again."""
    them = Pair.addr(AFI, "b")
    peer = lab.peer("bird", AFI, announce=[peer_announce(AFI, OLD)], graceful_restart=60)
    eg = lab.egress(AFI)
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    wait_until(lambda: OLD in kernel_routes(eg), 15, what=f"{OLD} in the kernel")
    peer.crash()
    wait_until(lambda: not eg.established(them), 10, what="egressd sees the session go")
    hold_for(lambda: OLD in kernel_routes(eg), 2, what=f"stale {OLD} kept in the kernel")

    nbrs = eg.cfg.neighbors
    eg.cfg.neighbors = []
    reload_ok(eg)
    wait_until(lambda: OLD not in kernel_routes(eg), 10,
               what=f"{OLD} gone from the kernel with its neighbor")
    assert OLD not in loc_rib(eg)
    assert eg.neighbors() == []

    eg.cfg.neighbors = nbrs
    reload_ok(eg)
    peer.start()
    eg.wait_established(them, timeout=30)
    wait_until(lambda: OLD in kernel_routes(eg), 15, what=f"{OLD} back in the kernel")
    assert eg.alive()


def test_reload_removes_neighbor_held_down_by_max_prefix(lab):
    """Two routes against max-prefix 1: egressd ends the session (Cease,
    RFC 4486) and holds it down.  Removing the neighbor then, and adding
    it back without the limit, gives BIRD a session again and both
    routes reach the kernel."""
    them = Pair.addr(AFI, "b")
    pfx = ["203.0.113.0/24", "192.0.2.0/24"]  # not our own 198.51.100.0/24
    peer = lab.peer("bird", AFI, announce=[Announce(p) for p in pfx])
    eg = lab.egress(AFI, options=["max-prefix 1"])
    peer.start()
    eg.start()
    wait_until(lambda: "maximum" in eg.log().lower(), 30,
               what="egressd ends the session at max-prefix")
    assert not eg.established(them)
    assert not (set(pfx) & kernel_routes(eg))

    nbrs = eg.cfg.neighbors
    eg.cfg.neighbors = []
    reload_ok(eg)
    assert eg.neighbors() == []
    nbrs[0].options = []
    eg.cfg.neighbors = nbrs
    reload_ok(eg)
    eg.wait_established(them, timeout=30)
    wait_until(lambda: peer.established(), 15, what="BIRD's session up")
    wait_until(lambda: set(pfx) <= kernel_routes(eg), 15, what="both routes in the kernel")


def test_reload_storm_during_sliced_walks(lab):
    """3,000 routes with soft-reconfiguration inbound; five reloads back
    to back, each changing the import policy and a decision knob (so a
    re-run over the stored routes, a re-export and a recomputation of
    every best path each start before the previous finished), the fourth
    removing the neighbor (its paths leave in slices) and the fifth adding
    it back.  At the end the kernel holds exactly the routes the last
    policy accepts, through BIRD."""
    them = Pair.addr(AFI, "b")
    net = ipaddress.ip_network("10.64.0.0/12")
    pfx = [str(s) for s, _ in zip(net.subnets(new_prefix=24), range(3000))]
    peer = lab.peer("bird", AFI, announce=[Announce(p) for p in pfx])
    eg = lab.egress(AFI, import_="in-pol", options=["soft-reconfiguration inbound"])
    pol = {
        "all": "policy in-pol { accept }\n",
        "half": "prefix-set lo { 10.64.0.0/13 le 24 }\n"
                "policy in-pol { term t { match prefix-set lo; accept } }\n",
    }
    eg.cfg.extra = pol["all"]
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    wait_until(lambda: set(pfx) <= kernel_routes(eg), 60, what="3,000 routes in the kernel")

    nbrs = list(eg.cfg.neighbors)
    steps = [("half", True, nbrs), ("all", False, nbrs), ("half", True, nbrs),
             ("half", False, []), ("half", True, nbrs)]
    for which, knob, neighbors in steps:
        eg.cfg.extra = pol[which] + ("always-compare-med\n" if knob else "")
        eg.cfg.neighbors = neighbors
        reload_ok(eg)
    eg.wait_established(them, timeout=30)
    lo = ipaddress.ip_network("10.64.0.0/13")
    want = {p for p in pfx if ipaddress.ip_network(p).subnet_of(lo)}
    assert want and want != set(pfx)

    def settled():
        got = kernel_routes(eg) & set(pfx)
        return got == want
    wait_until(settled, 60, what="the kernel holds exactly the accepted half")
    assert peer.established()
    assert len(loc_rib(eg)) == len(want) + 1  # and our own prefix
