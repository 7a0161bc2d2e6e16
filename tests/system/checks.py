"""Assertions shared by the system tests."""

from lib import tshark
from lib.util import wait_until


def same_route(got, want_prefix, want_next_hop, want_path, ann):
    """Compare a received Route with what was announced; return a list
    of differences (empty when equal)."""
    diffs = []
    if got.prefix != want_prefix:
        diffs.append(f"prefix {got.prefix} != {want_prefix}")
    if want_next_hop is not None and got.next_hop != want_next_hop:
        diffs.append(f"next_hop {got.next_hop} != {want_next_hop}")
    if got.as_path != want_path:
        diffs.append(f"as_path {got.as_path} != {want_path}")
    if ann is not None:
        if got.med != ann.med:
            diffs.append(f"med {got.med} != {ann.med}")
        if sorted(got.communities) != sorted(ann.communities):
            diffs.append(f"communities {got.communities} != "
                         f"{ann.communities}")
        if sorted(got.large_communities) != sorted(ann.large_communities):
            diffs.append(f"large_communities {got.large_communities} != "
                         f"{ann.large_communities}")
    if got.origin != "igp":
        diffs.append(f"origin {got.origin} != igp")
    return diffs


def wait_route(get_routes, prefix, timeout=20, what="route"):
    return wait_until(lambda: get_routes().get(prefix), timeout,
                      what=f"{what} {prefix}")


def assert_tshark_clean(pcap, src, required=(1, 2, 4)):
    """Every BGP message src sent decodes without a malformed mark or an
    expert warning/error, and the required message types (default OPEN,
    UPDATE, KEEPALIVE) were among them, so the check cannot pass on an
    empty capture."""
    types = tshark.message_types(pcap, src)
    assert set(required) <= types, (
        f"tshark saw BGP message types {sorted(types)} from {src} in "
        f"{pcap}; expected at least {sorted(required)} "
        "(1 OPEN, 2 UPDATE, 3 NOTIFICATION, 4 KEEPALIVE)")
    bad = tshark.problems(pcap, src)
    if bad:
        detail = tshark.verbose(pcap, bad[0][0])
        raise AssertionError(f"tshark flags {len(bad)} frame(s) from {src}: "
                             f"{bad[:5]}\n{detail}")
