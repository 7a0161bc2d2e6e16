"""Hold timer expiry (RFC 4271 section 6.5, 10): when the peer goes
silent, egressd leaves Established once the hold time passes without a
message, and says so in last_error.

Silence two ways: the peer process frozen with SIGSTOP (its TCP stack
still ACKs), and every BGP packet dropped by nftables in the peer's
namespace (nothing arrives at all)."""

import os
import signal
import time

import pytest

from checks import assert_tshark_clean
from lib.topo import Pair
from lib.util import wait_until

HOLD = 9
SLACK = 4
NFT_DROP = """
table inet egtest {
  chain in { type filter hook input priority 0; tcp sport 179 drop; tcp dport 179 drop; }
  chain out { type filter hook output priority 0; tcp sport 179 drop; tcp dport 179 drop; }
}
"""


@pytest.mark.parametrize("how", ["sigstop", "nft-drop"])
def test_hold_timer_expiry(lab, how):
    afi = "ipv4"
    them = Pair.addr(afi, "b")
    peer = lab.peer("frr", afi, hold_time=HOLD)
    eg = lab.egress(afi, hold_time=HOLD)
    cap = lab.capture(f"hold-{how}")
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    n = eg.neighbor(them)
    assert n["hold_time"] == HOLD
    keepalive = n.get("keepalive") or HOLD // 3
    # Let a keepalive exchange happen so the hold timer was restarted by
    # a real message, then silence the peer.
    wait_until(lambda: eg.neighbor(them)["uptime_s"] >= 1, 10,
               what="uptime")
    # Taken before silencing: the peer's last message cannot be earlier
    # than one keepalive interval before this, however long `nft` takes
    # to load its rules under load.
    t0 = time.monotonic()
    if how == "sigstop":
        os.kill(peer.pid, signal.SIGSTOP)
    else:
        lab.pair.b.run(["nft", "-f", "-"], input=NFT_DROP)

    wait_until(lambda: not eg.established(them), HOLD + SLACK,
               what="egressd to leave Established")
    elapsed = time.monotonic() - t0
    # The last message may have arrived up to one keepalive interval
    # before the peer went silent; anything earlier than that is not
    # the hold timer.
    assert elapsed >= HOLD - keepalive - 1, (
        f"session dropped after {elapsed:.1f}s, before the hold time")
    n = eg.neighbor(them)
    err = (n.get("last_error") or "").lower()
    assert "hold" in err, f"last_error {n.get('last_error')!r}"
    assert eg.alive()
    # egressd's NOTIFICATION (4, Hold Timer Expired) decodes cleanly.  With
    # every packet dropped, our earlier KEEPALIVEs stay unacknowledged and
    # TCP may hold the NOTIFICATION back (Nagle, retransmission backoff),
    # so it is required on the wire only when the peer's kernel still ACKs.
    cap.stop()
    required = (1, 3, 4) if how == "sigstop" else (1, 4)
    assert_tshark_clean(cap.path, Pair.addr(afi, "a"), required=required)
