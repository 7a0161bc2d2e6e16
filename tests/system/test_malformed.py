"""RFC 7606 revised error handling, with exabgp as the sender of
malformed UPDATEs.

exabgp's generic `attribute [ code flags value ]` puts arbitrary bytes on
the wire in place of the attribute it would have built (verified with
tshark while writing these cases).  Each case starts a fresh session on
which the peer has already announced PFX with valid attributes, then
re-announces PFX with one broken attribute and checks the action:

  withdraw  treat-as-withdraw: PFX disappears, the session stays up
  discard   attribute discard: PFX stays, without the broken attribute
  keep      unknown optional transitive: PFX stays, attribute kept
  ignore    unknown optional non-transitive: PFX stays, attribute dropped
  reset     session reset: NOTIFICATION code 3 with the given subcode

"The session stays up" means: still Established, not re-established in
between, no NOTIFICATION seen by the peer, and a valid UPDATE sent after
the broken one is accepted."""


import pytest

from checks import assert_tshark_clean
from conftest import PEER_PREFIX
from lib.peer import canon_prefix
from lib.topo import Pair
from lib.util import wait_until

AFI = "ipv4"
PFX = canon_prefix(PEER_PREFIX[AFI])
SENTINEL = "192.0.2.0/24"
# MED of the broken re-announcement, so "PFX stays" can be told apart
# from "the broken UPDATE was not processed yet".
MARK_MED = 77

CASES = [
    # (id, attribute spec, action, RFC 7606 section / detail)
    ("origin-value-3", "[0x01 0x40 0x03]", "withdraw", "7.1"),
    ("origin-length-2", "[0x01 0x40 0x0000]", "withdraw", "7.1"),
    ("as-path-bad-segment-type", "[0x02 0x40 0x05010000fdea]", "withdraw",
     "7.2"),
    ("as-path-overrun", "[0x02 0x40 0x02030000fdea]", "withdraw", "7.2"),
    ("med-length-3", "[0x04 0x80 0x000032]", "withdraw", "7.4"),
    ("med-flags-well-known", "[0x04 0x40 0x00000032]", "withdraw", "3.c"),
    ("communities-length-3", "[0x08 0xc0 0x010203]", "withdraw", "7.8"),
    ("large-communities-length-8", "[0x20 0xc0 0x0000fdea00000001]",
     "withdraw", "RFC 8092 s5"),
    ("atomic-aggregate-length-1", "[0x06 0x40 0x01]", "discard", "7.6"),
    ("aggregator-length-5", "[0x07 0xc0 0x0000fdea01]", "discard", "7.7"),
    # 2023-06 incident: a corrupted attribute 28 (BGP Entropy Label,
    # which egressd does not implement) must pass as unknown transitive.
    ("attr-28-corrupted", "[0x1c 0xc0 0x00]", "keep", "RFC 4271 5"),
    ("unknown-optional-transitive", "[0x63 0xc0 0xdeadbeef]", "keep",
     "RFC 4271 5"),
    ("unknown-optional-non-transitive", "[0x64 0x80 0x01]", "ignore",
     "RFC 4271 5"),
    ("unknown-well-known", "[0x63 0x40 0x01]", "reset:2", "RFC 4271 6.3"),
    # Too short to hold AFI and SAFI: nothing to disable but the session.
    ("mp-reach-length-2", "[0x0e 0x80 0x0001]", "reset", "7.11"),
]


def _attr_code(spec):
    return int(spec.strip("[]").split()[0], 16)


@pytest.fixture
def session(lab):
    them = Pair.addr(AFI, "b")
    peer = lab.peer("exabgp", AFI)
    eg = lab.egress(AFI)
    lab.cap = lab.capture("malformed")
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    wait_until(peer.established, 15, what="exabgp Established")
    wait_until(lambda: PFX in eg.routes(them), 15, what=f"{PFX} in rib in")
    # exabgp connects as well as listens: attempts made before egressd
    # listened, or the losing side of a connection collision (RFC 4271
    # 6.8), log "down" and NOTIFICATION events during this setup.  The
    # checks below are about what the broken UPDATE did, so they read the
    # peer's events from here on.
    peer.since = peer.mark()
    return eg, peer, them


def _stays_up(eg, peer, them, before):
    # A valid UPDATE after the broken one is processed...
    peer.command(f"announce route {SENTINEL} next-hop {peer.cfg.local_addr}")
    wait_until(lambda: canon_prefix(SENTINEL) in eg.routes(them), 10,
               what="a valid UPDATE after the malformed one")
    # ...on the same session.
    n = eg.neighbor(them)
    assert n["state"] == "Established"
    for k in ("established_count", "flaps"):
        if k in before:
            assert n[k] == before[k], f"{k} {before[k]} -> {n[k]}"
    assert n["uptime_s"] >= before["uptime_s"]
    assert peer.notifications(peer.since) == [], \
        peer.notifications(peer.since)
    assert "down" not in peer.state_changes(peer.since)


@pytest.mark.parametrize("case,spec,action,ref", CASES,
                         ids=[c[0] for c in CASES])
def test_malformed_update(lab, session, case, spec, action, ref):
    eg, peer, them = session
    before = eg.neighbor(them)
    code = _attr_code(spec)
    peer.command(f"announce route {PFX} next-hop {peer.cfg.local_addr} "
                 f"med {MARK_MED} attribute {spec}" if code != 4 else
                 f"announce route {PFX} next-hop {peer.cfg.local_addr} "
                 f"attribute {spec}")

    if action == "withdraw":
        wait_until(lambda: PFX not in eg.routes(them), 10,
                   what=f"{PFX} treated as withdrawn ({case}, RFC 7606 {ref})")
        _stays_up(eg, peer, them, before)
        n = eg.neighbor(them)
        if "updates_malformed" in n:
            assert n["updates_malformed"] >= 1
    elif action in ("discard", "keep", "ignore"):
        rib = wait_until(
            lambda: (lambda r: r if PFX in r and r[PFX][1].get("med")
                     == MARK_MED else None)(eg.rib("in", them)),
            10, what=f"{PFX} re-announced with MED {MARK_MED} ({case})")
        raw = rib[PFX][1]
        unknown = {u["code"]: u for u in raw.get("unknown_attributes") or []}
        if action == "keep":
            assert code in unknown, f"attribute {code} not kept: {raw}"
        else:
            assert code not in unknown, f"attribute {code} kept: {raw}"
        if case.startswith("atomic-aggregate"):
            assert raw.get("atomic_aggregate") is False, raw
        if case.startswith("aggregator"):
            assert raw.get("aggregator") is None, raw
        _stays_up(eg, peer, them, before)
    elif action.startswith("reset"):
        sub = int(action.split(":")[1]) if ":" in action else None
        notes = wait_until(lambda: peer.notifications(peer.since), 10,
                           what=f"NOTIFICATION to the peer ({case})")
        note = notes[0]
        assert note.get("code") == 3, note
        if sub is not None:
            assert note.get("subcode") == sub, note
        n = eg.neighbor(them)
        sent = str(n.get("last_notification_sent") or "") + \
            str(n.get("last_error") or "")
        assert sent, f"egressd shows no error: {n}"
        assert eg.alive()
        # The NOTIFICATION egressd sent (with the offending attribute as
        # data, RFC 4271 6.3) decodes cleanly.
        lab.cap.stop()
        assert_tshark_clean(lab.cap.path, Pair.addr(AFI, "a"),
                            required=(1, 3))
    else:
        raise AssertionError(action)
