"""Self-test of the rig: each peer driver against BIRD, no egressd.

If an egressd interop test fails, this tells whether the driver (config,
start, CLI parsing) works on its own.  Routes must cross in both
directions with every attribute, read back on each daemon's own CLI,
and tshark must judge BIRD's side of the captured link clean."""

import pytest

from checks import assert_tshark_clean, same_route, wait_route
from conftest import PEER_PREFIX, peer_announce
from lib import peers
from lib.peer import Announce, PeerConfig, canon_prefix
from lib.topo import Pair
from lib.util import wait_until

OTHER = [n for n in peers.NAMES if n != "bird"]


@pytest.mark.parametrize("afi", ["ipv4", "ipv6"])
@pytest.mark.parametrize("kind", OTHER)
def test_peer_against_bird(lab, kind, afi):
    for name in ("bird", kind):
        why = peers.missing(name)
        if why:
            pytest.skip(f"{name}: {why}")
    a_prefix = "198.51.100.0/24" if afi == "ipv4" else "2001:db8:100::/48"
    a_ann = Announce(a_prefix, prepend=[64998], med=10,
                     communities=["65001:1"], large_communities=["65001:3:4"])
    bird = peers.make("bird", lab.pair.a, PeerConfig(
        local_as=65001, router_id="10.0.0.1",
        local_addr=Pair.addr(afi, "a"), remote_addr=Pair.addr(afi, "b"),
        remote_as=65002, announce=[a_ann]))
    lab.daemons.append(bird)
    other = lab.peer(kind, afi)
    cap = lab.capture(f"bird-{kind}-{afi}")
    other.start()
    bird.start()
    wait_until(lambda: bird.established() and other.established(), 30,
               what="both sides Established")
    b_ann = peer_announce(afi)
    got = wait_route(bird.routes, canon_prefix(PEER_PREFIX[afi]),
                     what="bird sees")
    assert same_route(got, canon_prefix(PEER_PREFIX[afi]),
                      Pair.addr(afi, "b"), other.expected_path(b_ann),
                      b_ann) == []
    got = wait_route(other.routes, canon_prefix(a_prefix),
                     what=f"{kind} sees")
    assert same_route(got, canon_prefix(a_prefix), Pair.addr(afi, "a"),
                      [65001, 64998], a_ann) == []
    # The capture and the oracle work on a real session (BIRD's side).
    cap.stop()
    assert_tshark_clean(cap.path, Pair.addr(afi, "a"))
