"""Graceful restart, helper side (RFC 4724 section 4.2), with BIRD as the
restarting router.

BIRD is killed (SIGKILL: its TCP connection closes, no NOTIFICATION).
egressd must keep BIRD's routes, stale, while it restarts; when BIRD
comes back (bird -R, Forwarding State bit set) and sends End-of-RIB,
routes it did not announce again are swept and the new ones kept.  If it
does not come back within the restart time, its routes go."""

import time

import pytest

from conftest import peer_announce
from lib.peer import canon_prefix
from lib.topo import Pair
from lib.util import hold_for, wait_until

AFI = "ipv4"
OLD = "203.0.113.0/24"
NEW = "192.0.2.0/24"


def _up(lab, restart_time):
    them = Pair.addr(AFI, "b")
    peer = lab.peer("bird", AFI, announce=[peer_announce(AFI, OLD)],
                    graceful_restart=restart_time)
    eg = lab.egress(AFI)
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    wait_until(lambda: OLD in eg.routes(them), 15, what=f"{OLD} at egressd")
    n = eg.neighbor(them)
    caps = n.get("capabilities") or {}
    if "graceful_restart" in caps:
        assert caps["graceful_restart"], f"BIRD's GR not seen: {caps}"
    return eg, peer, them


def test_gr_routes_kept_across_restart(lab):
    eg, peer, them = _up(lab, restart_time=30)
    peer.crash()
    wait_until(lambda: not eg.established(them), 10,
               what="egressd to see the session go")
    # Helper: the routes stay while the peer restarts.
    hold_for(lambda: OLD in eg.routes(them), 3,
             what=f"{OLD} kept (stale) during the restart")
    # It comes back announcing something else: after its End-of-RIB the
    # stale OLD is swept and NEW stays.
    peer.cfg.announce = [peer_announce(AFI, NEW)]
    peer.start(recovery=True)
    eg.wait_established(them, timeout=30)
    wait_until(lambda: (lambda r: NEW in r and OLD not in r)(eg.routes(them)),
               20, what=f"{NEW} in and stale {OLD} swept after End-of-RIB")


def test_gr_routes_dropped_after_restart_time(lab):
    restart_time = 4
    eg, peer, them = _up(lab, restart_time=restart_time)
    peer.crash()
    t0 = time.monotonic()
    wait_until(lambda: not eg.established(them), 10,
               what="egressd to see the session go")
    assert OLD in eg.routes(them), "routes dropped at once, not kept"
    wait_until(lambda: OLD not in eg.routes(them), restart_time + 6,
               what=f"stale {OLD} dropped after the restart time")
    assert time.monotonic() - t0 >= restart_time - 1
