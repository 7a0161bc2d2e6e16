"""Graceful restart, restarting side (RFC 4724 section 4.1), with BIRD as
the helper.

egressd (fib { graceful-restart on }) learns a prefix from BIRD and
installs it in its kernel table, and originates two prefixes to BIRD.  It
is stopped with SIGTERM and started again without one of them:

- during the restart BIRD keeps both of egressd's prefixes, marked stale
  (BIRD's own `show route`), and egressd's kernel keeps the learned route;
- after the restart the surviving prefix is fresh at BIRD, the dropped one
  is gone once egressd sent End-of-RIB;
- tshark shows the Restart State (R) and Forwarding State (F) bits in the
  OPEN after the restart and not in the first one."""

import json
import re
import signal
import time

import pytest

from conftest import EGRESS_PREFIX, peer_announce
from lib.topo import Pair
from lib.tshark import bgp_fields
from lib.util import hold_for, wait_until

AFI = "ipv4"
LEARNED = "203.0.113.0/24"      # BIRD -> egressd -> egressd's kernel
KEEP = EGRESS_PREFIX[AFI]       # egressd originates it in both runs
GONE = "192.0.2.0/24"           # only in the first run
TABLE = 100
PROTO = 57


# The same story over IPv6 (its own family's F bit, `ip -6 route`).
V6 = {"learned": "2001:db8:203::/48", "gone": "2001:db8:192::/48"}


def kroutes(eg, family="-4"):
    r = eg.ns.run(["ip", family, "-j", "route", "show", "table", str(TABLE),
                   "proto", str(PROTO)], check=False)
    if r.returncode != 0:
        return set()
    return {x["dst"] for x in json.loads(r.stdout.strip() or "[]")}


def bird_routes(peer):
    """The prefixes BIRD holds from egressd, and its text."""
    out = peer.birdc("show", "route", "all", "protocol", "eg")
    return set(peer.routes()), out


def bird_restarting(peer):
    return "Neighbor graceful restart active" in peer.birdc(
        "show", "protocols", "all", "eg")


@pytest.mark.parametrize("afi", ["ipv4", "ipv6"])
def test_gr_restart_bird_keeps_routes(lab, afi):
    them = Pair.addr(afi, "b")
    me = Pair.addr(afi, "a")
    if afi == "ipv6":
        LEARNED, KEEP, GONE = V6["learned"], EGRESS_PREFIX[afi], V6["gone"]
    else:
        LEARNED, KEEP, GONE = globals()["LEARNED"], globals()["KEEP"], globals()["GONE"]
    fam = "-6" if afi == "ipv6" else "-4"

    def kroutes_(eg):
        return kroutes(eg, fam)
    peer = lab.peer("bird", afi, announce=[peer_announce(afi, LEARNED)],
                    graceful_restart=60)
    eg = lab.egress(afi, options=["graceful-restart on", "restart-time 60"])
    eg.cfg.originate.append(GONE)
    eg.cfg.extra = f"fib {{ table {TABLE}; graceful-restart on }}"
    cap = lab.capture("gr")
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    wait_until(lambda: {KEEP, GONE} <= bird_routes(peer)[0], 20,
               what="both originated prefixes at BIRD")
    wait_until(lambda: LEARNED in kroutes_(eg), 15,
               what=f"{LEARNED} in egressd's kernel table")
    first_open = time.time()

    # Graceful stop: no NOTIFICATION, BIRD keeps our routes stale.
    eg.proc.popen.send_signal(signal.SIGTERM)
    eg.proc.popen.wait(timeout=10)
    wait_until(lambda: peer.state() != "Established", 15,
               what="BIRD to see the session go")
    routes, out = bird_routes(peer)
    assert {KEEP, GONE} <= set(routes), f"BIRD dropped our routes:\n{out}"
    # BIRD 2.0 does not flag a stale route in `show route`; its protocol
    # view says the neighbor is restarting and runs the restart timer
    # with our advertised restart-time.
    proto = peer.birdc("show", "protocols", "all", "eg")
    assert "Neighbor graceful restart active" in proto, proto
    m = re.search(r"Restart timer:\s+([0-9.]+)/", proto)
    assert m and 50 < float(m.group(1)) <= 60, proto
    hold_for(lambda: {KEEP, GONE} <= set(bird_routes(peer)[0])
             and LEARNED in kroutes_(eg), 2,
             what="routes kept at BIRD and in our kernel while we are down")

    # Restart without GONE.
    eg.cfg.originate.remove(GONE)
    eg.start()
    assert LEARNED in kroutes_(eg), "kernel route lost at the restart"
    eg.wait_established(them, timeout=30)
    wait_until(lambda: (lambda r: KEEP in r and GONE not in r)(bird_routes(peer)[0])
               and not bird_restarting(peer) and peer.state() == "Established", 20,
               what=f"{KEEP} fresh and {GONE} swept at BIRD after our End-of-RIB")
    assert LEARNED in kroutes_(eg), "kernel route lost after the restart"
    assert "graceful restart: End-of-RIB from every peer" in eg.log(), eg.log()

    cap.stop()
    rows = bgp_fields(cap.path, me, "bgp.type == 1",
                      ["frame.time_epoch", "bgp.cap.gr.timers.restart_flag",
                       "bgp.cap.gr.timers.restart_time", "bgp.cap.gr.flag.pfs"])
    assert len(rows) >= 2, f"expected two OPENs from egressd: {rows}"
    first, last = rows[0], rows[-1]
    assert float(first[0]) <= first_open
    flag_true = ("1", "True", "true")
    assert first[1] not in flag_true, f"R bit in the first OPEN: {first}"
    assert first[2] == "60", f"restart time: {first}"
    assert all(f not in flag_true for f in first[3].split(",")), \
        f"F bit in the first OPEN: {first}"
    assert last[1] in flag_true, f"no R bit after the restart: {last}"
    assert any(f in flag_true for f in last[3].split(",")), \
        f"no F bit after the restart: {last}"

    # RFC 4724 4.1: after the restart egressd sends no UPDATE (routes
    # nor End-of-RIB) before BIRD's End-of-RIB (an empty UPDATE, 23
    # bytes; IPv6: an empty MP_UNREACH_NLRI, 29).
    eor_len = "29" if afi == "ipv6" else "23"
    second_open = float(last[0])
    bird_eor = [float(r[0]) for r in bgp_fields(cap.path, them, "bgp.type == 2",
                                                ["frame.time_epoch", "bgp.length"])
                if float(r[0]) > second_open and eor_len in r[1].split(",")]
    ours = [float(r[0]) for r in bgp_fields(cap.path, me, "bgp.type == 2",
                                            ["frame.time_epoch"])
            if float(r[0]) > second_open]
    assert bird_eor and ours, f"no End-of-RIB from BIRD {bird_eor} or UPDATE from us {ours}"
    assert min(ours) >= bird_eor[0], \
        f"egressd sent an UPDATE at {min(ours)} before BIRD's End-of-RIB at {bird_eor[0]}"


def frr_paths(peer, prefix):
    """FRR's paths for prefix (its JSON), [] when it has none."""
    j = peer.vtysh_json(f"show bgp ipv4 unicast {prefix} json")
    return j.get("paths") or []


def test_gr_restart_frr_marks_stale(lab):
    """The same restart with FRR as the helper, whose JSON flags each
    path it keeps for us as stale."""
    them = Pair.addr(AFI, "b")
    peer = lab.peer("frr", AFI, announce=[peer_announce(AFI, LEARNED)],
                    graceful_restart=60)
    eg = lab.egress(AFI, options=["graceful-restart on", "restart-time 60"])
    eg.cfg.originate.append(GONE)
    eg.cfg.extra = f"fib {{ table {TABLE}; graceful-restart on }}"
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    wait_until(lambda: frr_paths(peer, KEEP) and frr_paths(peer, GONE), 20,
               what="both originated prefixes at FRR")
    wait_until(lambda: LEARNED in kroutes(eg), 15,
               what=f"{LEARNED} in egressd's kernel table")

    eg.proc.popen.send_signal(signal.SIGTERM)
    eg.proc.popen.wait(timeout=10)
    wait_until(lambda: peer.state() != "Established", 15,
               what="FRR to see the session go")
    for pfx in (KEEP, GONE):
        paths = frr_paths(peer, pfx)
        assert paths and all(p.get("stale") for p in paths), \
            f"{pfx} not kept stale at FRR: {paths}"
    assert LEARNED in kroutes(eg), "kernel route lost while egressd is down"

    eg.cfg.originate.remove(GONE)
    eg.start()
    eg.wait_established(them, timeout=30)
    wait_until(lambda: (lambda k, g: k and not any(p.get("stale") for p in k)
                        and not g)(frr_paths(peer, KEEP), frr_paths(peer, GONE)),
               20, what=f"{KEEP} fresh and {GONE} gone at FRR after our End-of-RIB")
    assert LEARNED in kroutes(eg), "kernel route lost after the restart"


def test_gr_crash_is_not_a_graceful_restart(lab):
    """A crash (SIGKILL) leaves no note: the next run claims no restart
    (R and F clear), since nobody knows whether the kernel table was left
    mid-update; BIRD, told the forwarding state is gone, does not keep
    the old routes past the new session's start (RFC 4724 4.2)."""
    them = Pair.addr(AFI, "b")
    me = Pair.addr(AFI, "a")
    peer = lab.peer("bird", AFI, announce=[peer_announce(AFI, LEARNED)],
                    graceful_restart=60)
    eg = lab.egress(AFI, options=["graceful-restart on", "restart-time 60"])
    eg.cfg.originate.append(GONE)
    eg.cfg.extra = f"fib {{ table {TABLE}; graceful-restart on }}"
    cap = lab.capture("crash")
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    wait_until(lambda: {KEEP, GONE} <= bird_routes(peer)[0], 20,
               what="both originated prefixes at BIRD")
    eg.proc.popen.send_signal(signal.SIGKILL)
    eg.proc.popen.wait(timeout=10)
    eg.cfg.originate.remove(GONE)
    eg.start()
    eg.wait_established(them, timeout=30)
    wait_until(lambda: (lambda r: KEEP in r and GONE not in r)(bird_routes(peer)[0]), 20,
               what=f"{GONE} gone at BIRD after the crashed run's session")
    assert "restarting" not in eg.log(), eg.log()
    cap.stop()
    rows = bgp_fields(cap.path, me, "bgp.type == 1",
                      ["bgp.cap.gr.timers.restart_flag", "bgp.cap.gr.flag.pfs"])
    assert len(rows) >= 2, f"expected two OPENs from egressd: {rows}"
    flag_true = ("1", "True", "true")
    for r in rows:
        assert r[0] not in flag_true, f"R bit after a crash: {rows}"
        assert all(f not in flag_true for f in r[1].split(",")), f"F bit: {rows}"
