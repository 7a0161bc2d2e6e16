"""TCP MD5 signatures (RFC 2385).

Same key on both sides: the session comes up.  Different keys, or a key
on one side only: the kernel drops every segment silently, so the session
never leaves Connect/Active and egressd receives not a single BGP message
(it looks like a timeout, not an error)."""

import pytest

from conftest import PEER_PREFIX
from lib.peer import canon_prefix
from lib.topo import Pair
from lib.util import hold_for, wait_until

KEY = "eg-md5-s3cret"


@pytest.mark.parametrize("kind,afi", [
    ("bird", "ipv4"), ("frr", "ipv4"), ("gobgp", "ipv4"),
    ("openbgpd", "ipv4"), ("exabgp", "ipv4"), ("bird", "ipv6"),
    ("frr", "ipv6")])
def test_md5_match(lab, kind, afi):
    them = Pair.addr(afi, "b")
    peer = lab.peer(kind, afi, password=KEY)
    eg = lab.egress(afi, password=KEY)
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    wait_until(peer.established, 15, what=f"{kind} Established")
    wait_until(lambda: canon_prefix(PEER_PREFIX[afi]) in eg.routes(them), 15,
               what="route over the signed session")


@pytest.mark.parametrize("egress_key,peer_key", [
    (KEY, "another-key"),   # both sign, keys differ
    (KEY, None),            # only egressd signs
    (None, KEY),            # only the peer signs
])
def test_md5_mismatch(lab, egress_key, peer_key):
    afi = "ipv4"
    them = Pair.addr(afi, "b")
    peer = lab.peer("bird", afi, password=peer_key)
    kw = {"password": egress_key} if egress_key is not None else {}
    eg = lab.egress(afi, **kw)
    peer.start()
    eg.start()

    def down():
        n = eg.neighbor(them)
        assert eg.alive(), "egressd died"
        assert n["state"] in ("Idle", "Connect", "Active"), n["state"]
        assert not peer.established()
        # Nothing reached the BGP layer: no OPEN, no NOTIFICATION.
        msgs = (n.get("messages") or {}).get("in") or {}
        assert msgs.get("total", 0) == 0, msgs
        return True

    # Several connect retries' worth of time.
    hold_for(down, 10, what="session down with mismatched MD5 keys")
