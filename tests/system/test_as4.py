"""4-octet AS numbers (RFC 6793) with an old 2-octet speaker.

egressd runs with local AS 4200000001; exabgp with the 4-octet AS
capability disabled knows it only as AS_TRANS 23456.  The old speaker
must receive AS_PATH [23456] plus AS4_PATH [4200000001] (checked on the
raw UPDATE exabgp received, since exabgp's parsed view merges the two),
and egressd must rebuild the 4-octet path the old speaker sent as
AS_PATH with AS_TRANS plus AS4_PATH (RFC 6793 section 4.2.3)."""

import pytest

from checks import same_route, wait_route
from conftest import EGRESS_PREFIX, PEER_AS, PEER_PREFIX, peer_announce
from lib import bgpwire
from lib.peer import Announce, canon_prefix
from lib.topo import Pair
from lib.util import wait_until

LOCAL_AS4 = 4200000001
AS_TRANS = 23456


def test_two_octet_peer_with_four_octet_local_as(lab):
    afi = "ipv4"
    them = Pair.addr(afi, "b")
    # A path with a 4-octet AS in the middle: exabgp must encode it as
    # AS_TRANS in AS_PATH and the real value in AS4_PATH.
    ann = Announce(PEER_PREFIX[afi], prepend=[4200000099, 64999], med=50,
                   communities=["65002:7"], large_communities=["65002:1:2"])
    peer = lab.peer("exabgp", afi, announce=[ann], asn4=False,
                    remote_as=AS_TRANS)
    eg = lab.egress(afi, local_as=LOCAL_AS4, remote_as=PEER_AS)
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    wait_until(peer.established, 15, what="exabgp Established")

    n = eg.neighbor(them)
    assert n["remote_as"] == PEER_AS
    caps = n.get("capabilities") or {}
    if "as4" in caps:
        assert caps["as4"] is False, "peer did not offer 4-octet AS"

    # egressd's own view: the full 4-octet path, AS_TRANS gone.
    pfx = canon_prefix(PEER_PREFIX[afi])
    got = wait_route(lambda: eg.routes(them), pfx, what="egressd rib in")
    assert same_route(got, pfx, them, [PEER_AS, 4200000099, 64999],
                      ann) == []

    # The old speaker's view, from the bytes it received.
    mine = canon_prefix(EGRESS_PREFIX[afi])

    def egress_update():
        for body in peer.raw_updates():
            u = bgpwire.parse_update(body)
            if mine in u["nlri"]:
                return u
        return None

    u = wait_until(egress_update, 15, what=f"UPDATE for {mine} at exabgp")
    ap = bgpwire.attr(u, bgpwire.ATTR_AS_PATH)
    assert ap is not None, "no AS_PATH"
    assert bgpwire.as_path(ap[1], 2) == [AS_TRANS]
    a4 = bgpwire.attr(u, bgpwire.ATTR_AS4_PATH)
    assert a4 is not None, "no AS4_PATH towards a 2-octet peer"
    flags, value = a4
    assert flags & bgpwire.FLAG_OPTIONAL and flags & bgpwire.FLAG_TRANSITIVE
    assert bgpwire.as_path(value, 4) == [LOCAL_AS4]
    # And exabgp's merged view agrees.
    assert peer.routes()[mine].as_path == [LOCAL_AS4]


@pytest.mark.parametrize("kind", ["bird", "gobgp"])
def test_four_octet_local_as_with_new_speaker(lab, kind):
    """The same 4-octet local AS towards 4-octet-capable peers: they see
    the real AS in AS_PATH, no AS_TRANS."""
    afi = "ipv4"
    them = Pair.addr(afi, "b")
    peer = lab.peer(kind, afi, remote_as=LOCAL_AS4)
    eg = lab.egress(afi, local_as=LOCAL_AS4, remote_as=PEER_AS)
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    wait_until(peer.established, 15, what=f"{kind} Established")
    mine = canon_prefix(EGRESS_PREFIX[afi])
    got = wait_route(peer.routes, mine, what=f"{kind} sees")
    assert got.as_path == [LOCAL_AS4]
    pfx = canon_prefix(PEER_PREFIX[afi])
    got = wait_route(lambda: eg.routes(them), pfx, what="egressd rib in")
    assert got.as_path == peer.expected_path(peer_announce(afi))
