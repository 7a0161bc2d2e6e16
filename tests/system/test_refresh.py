"""ROUTE-REFRESH (RFC 2918, enhanced RFC 7313): when a peer asks,
egressd sends its routes again, the session stays up, and tshark finds
the messages it sends (UPDATEs, and BoRR/EoRR markers where enhanced
route refresh was negotiated) well formed."""

import time

import pytest

from checks import assert_tshark_clean
from conftest import EGRESS_PREFIX
from lib.peer import canon_prefix
from lib.topo import Pair
from lib.util import wait_until


# GoBGP keeps an Adj-RIB-In and answers `softresetin` from it without
# sending ROUTE-REFRESH, so it cannot ask.
@pytest.mark.parametrize("kind", ["bird", "frr"])
def test_route_refresh(lab, kind):
    afi = "ipv4"
    me, them = Pair.addr(afi, "a"), Pair.addr(afi, "b")
    peer = lab.peer(kind, afi)
    eg = lab.egress(afi)
    cap = lab.capture(f"refresh-{kind}")
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    mine = canon_prefix(EGRESS_PREFIX[afi])
    wait_until(lambda: mine in peer.routes(), 20, what=f"{kind} sees {mine}")
    # Our initial UPDATEs (route + End-of-RIB) may still be going out when
    # the peer has the route; wait until the counter has stood still for a
    # second before asking, so the refresh's UPDATEs are told apart.
    # (Comparing with one early snapshot would time out whenever the
    # End-of-RIB left just after it.)
    seen = {"n": None, "t": 0.0}

    def settled():
        n = eg.neighbor(them)["messages"]["out"]["update"]
        now = time.monotonic()
        if n != seen["n"]:
            seen.update(n=n, t=now)
            return False
        return now - seen["t"] >= 1.0
    wait_until(settled, 10, what="our initial UPDATEs all sent")
    before = eg.neighbor(them)

    peer.request_refresh()

    n = wait_until(
        lambda: (lambda x: x if x["messages"]["in"]["route_refresh"]
                 > before["messages"]["in"]["route_refresh"]
                 and x["messages"]["out"]["update"]
                 > before["messages"]["out"]["update"] else None)(
                     eg.neighbor(them)),
        10, what="a ROUTE-REFRESH received and our routes sent again")
    assert n["state"] == "Established"
    for k in ("established_count", "flaps"):
        if k in before:
            assert n[k] == before[k]
    assert mine in peer.routes()
    cap.stop()
    assert_tshark_clean(cap.path, me)
