"""Reload without session reset (issue 3): change egressd's import and
export policies, run `egressctl reload` (or send SIGHUP), and BIRD, a
real peer, sees the new export while egressd's Adj-RIB-In follows the
new import; neither side's session moves (BIRD's own "since" time of
the protocol and egressd's establishment count stay).  A config with a
syntax error is refused with file:line:col and the old policy stays.

Import re-evaluation: by ROUTE-REFRESH (BIRD supports it) unless the
neighbor has `soft-reconfiguration inbound`, in which case the stored
pre-policy routes are judged again and no ROUTE-REFRESH is sent."""

import os
import re
import signal
import subprocess
import time

import pytest

from conftest import EGRESS_AS, EGRESS_PREFIX, PEER_AS
from lib.egress import egressctl_bin
from lib.peer import Announce, canon_prefix
from lib.topo import Pair
from lib.util import wait_until

P1 = "203.0.113.0/24"
P2 = "192.0.2.0/24"
MINE = canon_prefix(EGRESS_PREFIX["ipv4"])

V1 = """prefix-set p2 { 192.0.2.0/24 }
policy in-pol { accept }
policy out-pol { accept }
"""
# Import: drop P2, local-pref 200 on the rest; export: prepend 2, MED 33.
V2 = """prefix-set p2 { 192.0.2.0/24 }
policy in-pol {
    term drop { match prefix-set p2; reject }
    term rest { set local-pref 200; accept }
}
policy out-pol { prepend 2; set med 33; accept }
"""


def rib_in(eg, them):
    return {canon_prefix(r["prefix"]): r
            for r in eg.ctl("show", "rib", "in", "neighbor", them)["routes"]}


def ctl_text(eg, *args):
    return subprocess.run(eg.ns.cmd([egressctl_bin(), "-s", eg.sock, *args]),
                          capture_output=True, text=True, timeout=10)


def start_pair(lab, options=()):
    afi = "ipv4"
    them = Pair.addr(afi, "b")
    peer = lab.peer("bird", afi, announce=[Announce(P1), Announce(P2)])
    eg = lab.egress(afi, import_="in-pol", export="out-pol", options=list(options))
    eg.cfg.extra = V1
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    wait_until(lambda: {P1, P2} <= set(rib_in(eg, them)), 20, what="bird's routes in")
    wait_until(lambda: MINE in peer.routes(), 20, what="bird sees our prefix")
    return eg, peer, them


def counters(eg, them):
    n = eg.neighbor(them)
    return n, n["messages"]["out"].get("route_refresh", 0)


def assert_same_session(eg, peer, them, before, since):
    assert peer.established()
    assert peer.since() == since, "BIRD's session restarted"
    after = eg.neighbor(them)
    assert after["state"] == "Established"
    for k in ("established_count", "flaps"):
        if k in before:
            assert after[k] == before[k], (k, before[k], after[k])
    # egressctl's uptime kept counting (time in state Established).
    assert after["uptime_s"] >= before["uptime_s"], (before["uptime_s"], after["uptime_s"])


def test_reload_policies_without_reset(lab):
    eg, peer, them = start_pair(lab)
    r = peer.routes()[MINE]
    assert r.as_path == [EGRESS_AS] and r.med is None, r
    since = peer.since()
    before, rr_before = counters(eg, them)

    eg.cfg.extra = V2
    eg.write_config()
    out = ctl_text(eg, "reload")
    assert out.returncode == 0, out.stderr
    assert "configuration reloaded" in out.stdout

    # Export: BIRD's own view of our prefix changes.
    def exported():
        r = peer.routes().get(MINE)
        return r if r and r.med == 33 else None
    r = wait_until(exported, 15, what="BIRD sees MED 33 after reload")
    assert r.as_path == [EGRESS_AS] * 3, r
    # Import: the peer was asked again and the new policy judged it.
    def new_import():
        rin = rib_in(eg, them)
        return P2 not in rin and P1 in rin and rin[P1]["local_pref"] == 200
    wait_until(new_import, 15, what="P2 dropped and P1 at local-pref 200 by new import")
    best = {canon_prefix(x["prefix"]): x for x in eg.ctl("show", "rib")["routes"]
            if x["best"]}
    assert P2 not in best and best[P1]["local_pref"] == 200, best
    _, rr_after = counters(eg, them)
    assert rr_after > rr_before, "no ROUTE-REFRESH sent for the import change"
    assert_same_session(eg, peer, them, before, since)

    # A syntax error: refused with file:line:col, the old policy stays.
    eg.write_config(eg.cfg.text() + "policy broken { set med ; accept }\n")
    bad_line = eg.cfg.text().count("\n") + 1
    out = ctl_text(eg, "reload")
    assert out.returncode == 1
    assert re.search(re.escape(eg.conf) + rf":{bad_line}:\d+: ", out.stderr), out.stderr
    assert eg.alive()
    assert "has errors, running configuration kept" in eg.log()
    r = peer.routes()[MINE]
    assert r.med == 33 and r.as_path == [EGRESS_AS] * 3, r
    assert P2 not in rib_in(eg, them)

    # SIGHUP back to the first policies: MED gone, P2 back.
    eg.cfg.extra = V1
    eg.write_config()
    os.kill(eg.pid, signal.SIGHUP)
    wait_until(lambda: peer.routes().get(MINE) and peer.routes()[MINE].med is None,
               15, what="BIRD sees the first export again after SIGHUP")
    assert peer.routes()[MINE].as_path == [EGRESS_AS]
    wait_until(lambda: P2 in rib_in(eg, them) and rib_in(eg, them)[P1]["local_pref"] is None,
               15, what="P2 accepted again, P1 without local-pref")
    assert_same_session(eg, peer, them, before, since)


def test_reload_soft_reconfiguration_inbound(lab):
    """With soft-reconfiguration inbound the import is re-run over the
    stored routes: the change shows, and no ROUTE-REFRESH goes out."""
    eg, peer, them = start_pair(lab, options=["soft-reconfiguration inbound"])
    since = peer.since()
    before, rr_before = counters(eg, them)
    eg.cfg.extra = V2
    eg.write_config()
    eg.ctl("reload")
    def new_import():
        rin = rib_in(eg, them)
        return P2 not in rin and P1 in rin and rin[P1]["local_pref"] == 200
    wait_until(new_import, 15, what="P2 dropped and P1 at local-pref 200 by new import")
    # The stored copy still has both, as BIRD sent them.
    pre = {canon_prefix(r["prefix"]): r for r in
           eg.ctl("show", "rib", "in", "neighbor", them, "--pre-policy")["routes"]}
    assert set(pre) == {P1, P2}, pre
    assert pre[P1]["local_pref"] is None and pre[P1]["as_path"] == [PEER_AS], pre
    out = ctl_text(eg, "show", "rib", "in", "neighbor", them, "--pre-policy")
    assert out.returncode == 0 and P2 in out.stdout, out
    pre_mem = eg.ctl("show", "memory")["adj_rib_in_pre_policy"]
    assert pre_mem["routes"] == 2 and pre_mem["bytes"] > 0, pre_mem
    # And back: P2 returns from the stored copy, not from the peer.
    eg.cfg.extra = V1
    eg.write_config()
    eg.ctl("reload")
    def old_import():
        rin = rib_in(eg, them)
        return P2 in rin and P1 in rin and rin[P1]["local_pref"] is None
    wait_until(old_import, 15, what="P2 back and P1 without local-pref, from the stored copy")
    _, rr_after = counters(eg, them)
    assert rr_after == rr_before, "ROUTE-REFRESH sent despite soft-reconfiguration"
    assert "stored routes" in eg.log()
    assert_same_session(eg, peer, them, before, since)


@pytest.mark.parametrize("change", ["remote-as", "removed"])
def test_reload_session_changes(lab, change):
    """Changes that need a reset: a changed remote-as ends the session
    with Cease/Other Configuration Change, a removed neighbor with
    Cease/Peer De-configured (RFC 4486), as BIRD reports them."""
    eg, peer, them = start_pair(lab)
    if change == "remote-as":
        eg.cfg.neighbors[0].remote_as = PEER_AS + 1
    else:
        eg.cfg.neighbors = []
    eg.write_config()
    eg.ctl("reload")
    want = ("Other configuration change" if change == "remote-as"
            else "Peer de-configured")

    def bird_saw():
        # BIRD's own log of the NOTIFICATION it received ("show
        # protocols" keeps only the last error, which later OPEN
        # rejections of the new remote-as replace).
        with open(peer.path("bird.log"), encoding="utf-8", errors="replace") as f:
            return any("Received" in ln and want.lower() in ln.lower() for ln in f)
    wait_until(bird_saw, 10, what=f"BIRD logs '{want}' received")
    if change == "removed":
        assert eg.neighbors() == []
    else:
        n = eg.neighbors()
        assert len(n) == 1 and n[0]["remote_as"] == PEER_AS + 1, n


def test_reload_adds_neighbor(lab):
    """A neighbor written into the file and reloaded gets its session:
    BIRD reaches Established and receives our prefix."""
    afi = "ipv4"
    them = Pair.addr(afi, "b")
    peer = lab.peer("bird", afi, announce=[Announce(P1)])
    eg = lab.egress(afi, import_="in-pol", export="out-pol")
    eg.cfg.extra = V1
    nbr = eg.cfg.neighbors
    eg.cfg.neighbors = []
    peer.start()
    eg.start()
    assert eg.neighbors() == []
    eg.cfg.neighbors = nbr
    eg.write_config()
    eg.ctl("reload")
    eg.wait_established(them, timeout=30)
    wait_until(lambda: MINE in peer.routes(), 20, what="bird sees our prefix")
    wait_until(lambda: P1 in rib_in(eg, them), 20, what="bird's route in")
    assert "neighbor 10.0.0.2 added" in eg.log()


def test_reload_unrelated_change_asks_nothing(lab):
    """A reload that adds a policy no neighbor uses (and a condition)
    re-evaluates nothing: no ROUTE-REFRESH, no UPDATE to BIRD."""
    eg, peer, them = start_pair(lab)
    # Our initial UPDATEs (routes, End-of-RIB) must be out before the
    # count is taken: wait for it to stand still for a second.
    seen = {"n": None, "t": 0.0}

    def settled():
        c = eg.neighbor(them)["messages"]["out"]["update"]
        now = time.monotonic()
        if c != seen["n"]:
            seen.update(n=c, t=now)
            return False
        return now - seen["t"] >= 1.0
    wait_until(settled, 10, what="our initial UPDATEs all sent")
    n = eg.neighbor(them)
    updates, rr = n["messages"]["out"]["update"], n["messages"]["out"]["route_refresh"]
    eg.cfg.extra = V1 + "policy spare { set med 1; accept }\ncondition spare\n"
    eg.write_config()
    eg.ctl("reload")
    wait_until(lambda: "applied: 1 neighbors kept" in eg.log(), 5, what="reload applied")
    n = eg.neighbor(them)
    assert n["messages"]["out"]["route_refresh"] == rr
    assert n["messages"]["out"]["update"] == updates
    assert "import is now" not in eg.log() and "export is now" not in eg.log()
    assert [c["name"] for c in eg.ctl("originate")["conditions"]] == ["spare"]
