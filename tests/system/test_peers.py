"""egressd against each real BGP implementation, over IPv4 and IPv6
transport (issue 2, "Tests that prove it").

For every peer and address family: both sides reach Established; the
peer's route (AS path, MED, communities, large communities) shows in
`egressctl show rib in` with exactly those values; egressd's originated
prefix shows on the peer's own CLI with AS path [egress AS]; and tshark,
reading a capture of the link, finds every message egressd sent well
formed (and finds OPEN, UPDATE and KEEPALIVE among them)."""

import pytest

from checks import assert_tshark_clean, same_route, wait_route
from conftest import (EGRESS_AS, EGRESS_PREFIX, PEER_AS, PEER_PREFIX,
                      peer_announce)
from lib import peers
from lib.peer import canon_prefix
from lib.topo import Pair
from lib.util import wait_until


# What issue 2 promises in every JSON neighbor object.
NEIGHBOR_KEYS = {"address", "port", "remote_as", "state", "uptime_s",
                 "prefixes_received", "prefixes_sent", "last_error",
                 "hold_time", "keepalive"}
ROUTE_KEYS = {"prefix", "next_hop", "as_path", "origin", "med",
              "local_pref", "communities", "large_communities", "neighbor"}


@pytest.mark.parametrize("afi", ["ipv4", "ipv6"])
@pytest.mark.parametrize("kind", peers.NAMES)
def test_interop(lab, kind, afi):
    me, them = Pair.addr(afi, "a"), Pair.addr(afi, "b")
    peer = lab.peer(kind, afi)
    eg = lab.egress(afi)
    cap = lab.capture(f"{kind}-{afi}")
    peer.start()
    eg.start()

    eg.wait_established(them, timeout=30)
    wait_until(peer.established, 15, what=f"{kind} reports Established")

    n = eg.neighbor(them)
    missing = NEIGHBOR_KEYS - set(n)
    assert not missing, f"neighbor JSON lacks {sorted(missing)}"
    assert n["remote_as"] == PEER_AS
    assert n["address"] == them
    assert n["port"] == 179

    # Peer -> egressd, every attribute intact.
    ann = peer_announce(afi)
    pfx = canon_prefix(PEER_PREFIX[afi])
    got = wait_route(lambda: eg.routes(them), pfx, what="egressd rib in")
    assert same_route(got, pfx, them, peer.expected_path(ann), ann) == []
    raw = eg.rib("in", them)[pfx][1]
    missing = ROUTE_KEYS - set(raw)
    assert not missing, f"route JSON lacks {sorted(missing)}"
    assert raw["neighbor"] == them

    # egressd -> peer, read on the peer's own CLI.
    mine = canon_prefix(EGRESS_PREFIX[afi])
    got = wait_route(peer.routes, mine, what=f"{kind} sees")
    assert got.as_path == [EGRESS_AS]
    assert got.next_hop == me
    assert got.origin == "igp"
    out = eg.rib("out", them)
    assert mine in out, f"show rib out lacks {mine}: {sorted(out)}"

    n = wait_until(lambda: (lambda x: x if x["prefixes_received"] >= 1
                            and x["prefixes_sent"] >= 1 else None)(
                                eg.neighbor(them)),
                   10, what="prefix counters")
    assert n["state"] == "Established"

    # Let a keepalive or two cross, then judge the capture.
    hold = n.get("hold_time") or 9
    wait_until(lambda: eg.neighbor(them)["uptime_s"] >= min(hold // 3, 3) + 1,
               15, what="a keepalive interval")
    cap.stop()
    assert_tshark_clean(cap.path, me)
    assert eg.alive() and peer.alive()
