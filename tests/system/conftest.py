"""Fixtures of the egress system tests.

Every test gets its own pair of network namespaces ("a" runs egressd,
"b" the peer) linked by one veth pair, and everything it started is
killed by PID and the namespaces deleted in teardown, pass or fail.
Tests skip when not root or when a binary is missing."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lib import peers  # noqa: E402
from lib.netns import sweep_stale  # noqa: E402
from lib.egress import Egress, EgressConfig, Neighbor, binaries_missing  # noqa: E402
from lib.peer import Announce, PeerConfig  # noqa: E402
from lib.topo import IFNAME, Pair  # noqa: E402
from lib.tshark import Capture  # noqa: E402

EGRESS_AS = 65001
PEER_AS = 65002
EGRESS_ID = "10.0.0.1"
PEER_ID = "10.0.0.2"
# What egressd originates, per address family (documentation prefixes).
EGRESS_PREFIX = {"ipv4": "198.51.100.0/24", "ipv6": "2001:db8:100::/48"}
# What the peer announces, with every attribute the tests check.
PEER_PREFIX = {"ipv4": "203.0.113.0/24", "ipv6": "2001:db8:200::/48"}


def peer_announce(afi, prefix=None):
    return Announce(prefix or PEER_PREFIX[afi], prepend=[64999], med=50,
                    communities=["65002:7", "65002:300"],
                    large_communities=["65002:1:2"])


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture(scope="session", autouse=True)
def _sweep():
    if os.geteuid() == 0:
        sweep_stale()


@pytest.fixture(autouse=True)
def _need_root():
    if os.geteuid() != 0:
        pytest.skip("system tests need root (network namespaces)")


@pytest.fixture
def egress_bins():
    why = binaries_missing()
    if why:
        pytest.skip(why)


class Lab:
    """One test's topology and the daemons in it."""

    def __init__(self, workdir):
        self.workdir = str(workdir)
        self.pair = Pair(self.workdir)
        self.daemons = []
        self.captures = []

    def peer(self, kind, afi, announce=None, **kw):
        why = peers.missing(kind)
        if why:
            pytest.skip(f"{kind}: {why}")
        cfg = PeerConfig(local_as=kw.pop("local_as", PEER_AS),
                         router_id=PEER_ID,
                         local_addr=Pair.addr(afi, "b"),
                         remote_addr=Pair.addr(afi, "a"),
                         remote_as=kw.pop("remote_as", EGRESS_AS),
                         announce=([peer_announce(afi)] if announce is None
                                   else announce),
                         **kw)
        p = peers.make(kind, self.pair.b, cfg)
        self.daemons.append(p)
        return p

    def egress(self, afi, local_as=EGRESS_AS, remote_as=PEER_AS, **nbr_kw):
        why = binaries_missing()
        if why:
            pytest.skip(why)
        cfg = EgressConfig(
            router_id=EGRESS_ID, local_as=local_as,
            listen=[Pair.addr(afi, "a")],
            originate=[EGRESS_PREFIX[afi]],
            neighbors=[Neighbor(address=Pair.addr(afi, "b"),
                                remote_as=remote_as, **nbr_kw)])
        e = Egress(self.pair.a, cfg)
        self.daemons.append(e)
        return e

    def capture(self, name="link"):
        c = Capture(self.pair.a, IFNAME,
                    os.path.join(self.workdir, f"{name}.pcapng"))
        c.start()
        self.captures.append(c)
        return c

    def logs(self):
        out = []
        for d in self.daemons:
            out.append(f"===== {type(d).__name__} log =====\n{d.log()}")
        return "\n".join(out)

    def close(self):
        for c in self.captures:
            c.stop()
        for d in reversed(self.daemons):
            try:
                d.stop()
            except Exception as exc:  # noqa: BLE001 - teardown goes on
                print(f"stopping {type(d).__name__}: {exc!r}")
        self.pair.close()


@pytest.fixture
def lab(request, tmp_path):
    lb = Lab(tmp_path)
    yield lb
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        # Shown in the failure report with the test's captured output.
        print(f"workdir: {lb.workdir}")
        print(lb.logs())
    lb.close()
