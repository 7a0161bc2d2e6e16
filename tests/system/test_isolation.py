"""Bad input from one peer leaves every other session untouched (issue
2): egressd talks to exabgp and to BIRD at once; exabgp sends an UPDATE
that forces a session reset (unknown well-known attribute, RFC 4271 6.3)
and, before that, one that is treated as withdraw (RFC 7606).  The BIRD
session must stay Established throughout, never re-established, with its
routes in place both ways."""

import pytest

from conftest import EGRESS_AS, EGRESS_PREFIX, PEER_PREFIX, peer_announce
from lib import peers
from lib.egress import Egress, EgressConfig, Neighbor, binaries_missing
from lib.peer import PeerConfig, canon_prefix
from lib.topo import Star
from lib.util import hold_for, wait_until

AFI = "ipv4"
EXA_AS, BIRD_AS = 65002, 65003


@pytest.fixture
def star(tmp_path):
    why = binaries_missing()
    if why:
        pytest.skip(why)
    for name in ("exabgp", "bird"):
        why = peers.missing(name)
        if why:
            pytest.skip(f"{name}: {why}")
    st = Star(str(tmp_path), 2)
    daemons = []
    yield st, daemons
    for d in reversed(daemons):
        try:
            d.stop()
        except Exception as exc:  # noqa: BLE001 - teardown goes on
            print(f"stopping: {exc!r}")
    st.close()


def test_bad_peer_does_not_disturb_others(star):
    st, daemons = star
    exa_addr = Star.addr(AFI, 1, "spoke")
    bird_addr = Star.addr(AFI, 2, "spoke")
    eg = Egress(st.hub, EgressConfig(
        router_id="10.0.0.1", local_as=EGRESS_AS,
        listen=[Star.addr(AFI, 1, "hub"), Star.addr(AFI, 2, "hub")],
        originate=[EGRESS_PREFIX[AFI]],
        neighbors=[Neighbor(exa_addr, EXA_AS), Neighbor(bird_addr, BIRD_AS)]))
    exa = peers.make("exabgp", st.spokes[0], PeerConfig(
        local_as=EXA_AS, router_id="10.0.1.2", local_addr=exa_addr,
        remote_addr=Star.addr(AFI, 1, "hub"), remote_as=EGRESS_AS,
        announce=[peer_announce(AFI, "192.0.2.0/24")]))
    bird_pfx = canon_prefix(PEER_PREFIX[AFI])
    bird = peers.make("bird", st.spokes[1], PeerConfig(
        local_as=BIRD_AS, router_id="10.0.2.2", local_addr=bird_addr,
        remote_addr=Star.addr(AFI, 2, "hub"), remote_as=EGRESS_AS,
        announce=[peer_announce(AFI)]))
    daemons += [eg, exa, bird]
    exa.start()
    bird.start()
    eg.start()
    eg.wait_established(exa_addr)
    eg.wait_established(bird_addr)
    wait_until(lambda: bird_pfx in eg.routes(bird_addr), 15,
               what="BIRD's route at egressd")
    mine = canon_prefix(EGRESS_PREFIX[AFI])
    wait_until(lambda: mine in bird.routes(), 15, what="our route at BIRD")
    # Without exabgp's route in place the treat-as-withdraw check below
    # would hold trivially.
    wait_until(lambda: "192.0.2.0/24" in eg.routes(exa_addr), 15,
               what="exabgp's route at egressd")
    before = eg.neighbor(bird_addr)
    # exabgp's connection attempts before egressd listened (or a lost
    # connection collision) log NOTIFICATIONs of their own; the one
    # awaited below must come after the bad UPDATE.
    since = exa.mark()

    nh = exa_addr
    # Treat-as-withdraw first (bad ORIGIN), then a session reset.
    exa.command(f"announce route 192.0.2.0/24 next-hop {nh} "
                "attribute [0x01 0x40 0x07]")
    wait_until(lambda: "192.0.2.0/24" not in eg.routes(exa_addr), 10,
               what="bad-ORIGIN route treated as withdrawn")
    exa.command(f"announce route 198.18.0.0/24 next-hop {nh} "
                "attribute [0x63 0x40 0x01]")
    wait_until(lambda: exa.notifications(since), 10,
               what="NOTIFICATION to exabgp")

    def bird_undisturbed():
        n = eg.neighbor(bird_addr)
        assert n["state"] == "Established", n["state"]
        for k in ("established_count", "flaps"):
            if k in before:
                assert n[k] == before[k], f"{k} {before[k]} -> {n[k]}"
        assert n["uptime_s"] >= before["uptime_s"]
        assert bird_pfx in eg.routes(bird_addr)
        assert bird.established()
        return True

    hold_for(bird_undisturbed, 4, what="the BIRD session undisturbed")
    assert mine in bird.routes()
    assert eg.alive()
