"""The FIB's netlink backend against the real kernel (issue 4).

Each test makes its own network namespace with two veth links, runs
tests/fib/fib_probe inside it (`ip netns exec`) and compares what the
kernel then holds (`ip -j route show table N proto P`, `ip -j nexthop`)
with what the probe installed.  The namespace is deleted in teardown,
pass or fail.  Skips when not root, when the probe is not built, and
(for the nexthop-object test) when the kernel has no nexthop objects."""

import ipaddress
import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lib.egress import build_dir  # noqa: E402
from lib.netns import Namespace, unique_prefix  # noqa: E402

TABLE = 100
PROTO = 57
COUNT = 1000
# Two links, each with a /24 of documentation space; the far ends of
# the veth pairs stay in the namespace too.
GW_A = "192.0.2.1@d0"
GW_A2 = "192.0.2.2@d0"
GW_B = "198.51.100.1@d1"
BAD_PREFIX = "172.31.255.0/24"


def probe_bin():
    return os.path.join(build_dir(), "tests", "fib", "fib_probe")


def expected_prefixes(count, v6=False):
    """The probe's synthetic table: /24s from 10.0.0.0 (then /32s), or
    with --v6 2001:db8:X:Y::/64 (X:Y the route's number)."""
    if v6:
        base = int(ipaddress.IPv6Address("2001:db8::"))
        return {str(ipaddress.IPv6Network((base + (i << 64), 64)))
                for i in range(count)}
    out = set()
    for i in range(count):
        if i < 65536:
            out.add(f"10.{i >> 8}.{i & 255}.0/24")
        else:
            n = 0x14000000 + i - 65536
            out.add(f"{n >> 24}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}")
    return out


@pytest.fixture
def ns(tmp_path):
    if not os.access(probe_bin(), os.X_OK):
        pytest.skip(f"{probe_bin()} not built (set EGRESS_BUILD or run make)")
    n = Namespace(unique_prefix() + "-fib", str(tmp_path))
    try:
        for i, cidr in ((0, "192.0.2.254/24"), (1, "198.51.100.254/24")):
            n.ip("link", "add", f"d{i}", "type", "veth", "peer", "name", f"d{i}p")
            n.ip("addr", "add", cidr, "dev", f"d{i}")
            n.addr_add(f"d{i}", f"2001:db8:ff{i}::fe/64")
            n.ip("link", "set", f"d{i}", "up")
            n.ip("link", "set", f"d{i}p", "up")
        yield n
    finally:
        n.close()


def kernel_routes(ns, family="-4"):
    r = ns.run(["ip", family, "-j", "route", "show", "table", str(TABLE),
                "proto", str(PROTO)], check=False)
    if r.returncode != 0:
        # An empty table does not exist until something is put in it.
        return {}
    return {x["dst"]: x for x in json.loads(r.stdout or "[]")}


def kernel_nexthops(ns):
    r = ns.run(["ip", "-j", "nexthop"], check=False)
    if r.returncode != 0:
        return {}
    return {x["id"]: x for x in json.loads(r.stdout or "[]")
            if str(x.get("protocol")) == str(PROTO)}


def has_nexthop_objects(ns):
    return ns.run(["ip", "nexthop", "show"], check=False).returncode == 0


class Probe:
    """fib_probe in `steps` (or `check`) mode: one JSON line per step,
    then waits for a line on stdin before the next."""

    def __init__(self, ns, args, mode="steps"):
        self.p = subprocess.Popen(
            ns.cmd([probe_bin(), "--table", str(TABLE), "--proto", str(PROTO)]
                   + args + [mode]),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)

    def step(self):
        line = self.p.stdout.readline()
        if not line:
            self.p.wait(timeout=10)
            raise AssertionError(f"fib_probe ended: rc={self.p.returncode} "
                                 f"{self.p.stderr.read()}")
        return json.loads(line)

    def next(self):
        self.p.stdin.write("\n")
        self.p.stdin.flush()

    def finish(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)
        return self.p.returncode

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(timeout=5)


def forwarding_gateways(ns):
    """Gateways `ip route get` picks for destinations spread over the
    table (multipath hashes each destination onto one member)."""
    if ns.run(["ip", "rule", "show", "pref", "100"]).stdout.strip() == "":
        ns.ip("rule", "add", "pref", "100", "lookup", str(TABLE))
    seen = set()
    for i in range(64):
        r = ns.run(["ip", "-j", "route", "get", f"10.0.{i}.{i + 1}"])
        seen.add(json.loads(r.stdout)[0]["gateway"])
    return seen


def gw_of(nh):
    return f"{nh['gateway']}@{nh['dev']}"


def test_nexthop_group_batch_replace_delete(ns):
    if not has_nexthop_objects(ns):
        pytest.skip("kernel has no nexthop objects (ip nexthop fails)")
    # --batch 8192: the thousand requests span many sends, so the
    # answer for the bad one must be matched across them.
    probe = Probe(ns, ["--count", str(COUNT), "--batch", "8192",
                       "--gw", GW_A, "--gw", GW_B,
                       "--to", GW_A2, "--to", GW_B,
                       # a device that does not exist, mid-batch
                       "--bad", "192.0.2.9@#9999"])
    try:
        st = probe.step()
        assert st["step"] == "installed" and st["nhobj"] is True
        # The one refused route is reported, and only that one.
        assert len(st["errors"]) == 1 and st["errors"][0].startswith(BAD_PREFIX + " -")
        assert st["failed"] == 1

        routes = kernel_routes(ns)
        assert set(routes) == expected_prefixes(COUNT)
        nhs = kernel_nexthops(ns)
        groups = [x for x in nhs.values() if "group" in x]
        singles = {x["id"]: x for x in nhs.values() if "group" not in x}
        assert len(groups) == 1, nhs
        gid = groups[0]["id"]
        assert {gw_of(x) for x in singles.values()} == {GW_A, GW_B}
        assert {m["id"] for m in groups[0]["group"]} == set(singles)
        assert {r.get("nhid") for r in routes.values()} == {gid}
        assert forwarding_gateways(ns) == {"192.0.2.1", "198.51.100.1"}

        probe.next()
        st = probe.step()
        assert st["step"] == "replaced" and st["errors"][1:] == []
        # Same group, new members: every route follows without a write.
        nhs = kernel_nexthops(ns)
        groups = [x for x in nhs.values() if "group" in x]
        singles = {x["id"]: x for x in nhs.values() if "group" not in x}
        assert [g["id"] for g in groups] == [gid]
        assert {gw_of(x) for x in singles.values()} == {GW_A2, GW_B}
        assert {m["id"] for m in groups[0]["group"]} == set(singles)
        routes = kernel_routes(ns)
        assert len(routes) == COUNT
        assert {r.get("nhid") for r in routes.values()} == {gid}
        # The kernel's own choice now spreads over the new members only.
        assert forwarding_gateways(ns) == {"192.0.2.2", "198.51.100.1"}

        probe.next()
        st = probe.step()
        assert st["step"] == "deleted" and st["routes"] == 0
        assert probe.finish() == 0
        assert kernel_routes(ns) == {}
        assert kernel_nexthops(ns) == {}
    finally:
        probe.kill()


def test_inline_multipath_fallback(ns):
    probe = Probe(ns, ["--inline", "--count", str(COUNT), "--gw", GW_A,
                       "--gw", GW_B])
    try:
        st = probe.step()
        assert st["nhobj"] is False and st["errors"] == []
        routes = kernel_routes(ns)
        assert set(routes) == expected_prefixes(COUNT)
        for r in routes.values():
            assert "nhid" not in r
            assert {gw_of(x) for x in r["nexthops"]} == {GW_A, GW_B}
        assert kernel_nexthops(ns) == {}
        probe.next()
        st = probe.step()
        assert st["step"] == "deleted"
        assert probe.finish() == 0
        assert kernel_routes(ns) == {}
    finally:
        probe.kill()


def test_restart_sweeps_only_ours(ns):
    base = [probe_bin(), "--table", str(TABLE), "--proto", str(PROTO)]
    # Someone else's route in the same table, and one of ours in main.
    ns.ip("route", "add", "203.0.113.0/24", "via", "192.0.2.1", "table",
          str(TABLE), "proto", "static")
    r = ns.run(base + ["--count", "100", "--gw", GW_A, "--gw", GW_B, "leave"])
    assert json.loads(r.stdout)["routes"] == 100
    assert len(kernel_routes(ns)) == 100
    # A new egressd (empty FIB) sweeps what the old one left.
    r = ns.run(base + ["--gw", GW_A, "sweep"])
    assert json.loads(r.stdout)["step"] == "swept"
    assert kernel_routes(ns) == {}
    assert kernel_nexthops(ns) == {}
    other = ns.run(["ip", "-j", "route", "show", "table", str(TABLE)])
    assert [x["dst"] for x in json.loads(other.stdout)] == ["203.0.113.0/24"]


def run_monitor(ns, args, action):
    """Runs `fib_probe monitor`, does `action` once it is subscribed,
    and returns its events."""
    p = subprocess.Popen(ns.cmd([probe_bin()] + args + ["monitor"]),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        first = json.loads(p.stdout.readline())
        assert first["event"] == "ready"
        action()
        out, _ = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=5)
    return [json.loads(x) for x in out.splitlines() if x.strip()]


def test_monitor_sees_link_and_address_loss(ns):
    def act():
        ns.ip("link", "set", "d0p", "down")  # d0 loses its carrier
        ns.ip("addr", "del", "198.51.100.254/24", "dev", "d1")
    ev = run_monitor(ns, ["--for", "1.5"], act)
    d0 = [e for e in ev if e["event"] == "link" and e["name"] == "d0"]
    assert d0 and d0[-1]["up"] is False
    gone = [e for e in ev if e["event"] == "addr" and e["deleted"]]
    assert "198.51.100.254/24" in [e["addr"] for e in gone]
    assert ev[-1]["event"] == "end"
    assert not [e for e in ev if e["event"] == "resync"]


def test_monitor_overrun_asks_for_resync(ns, tmp_path):
    # A burst of route changes while the monitor does not read, with a
    # tiny receive buffer: the kernel drops notifications and says so
    # (ENOBUFS); the monitor turns that into one resync request.
    batch = tmp_path / "burst"
    batch.write_text("".join(f"route add 10.{i >> 8}.{i & 255}.0/24 dev d0 "
                             f"table {TABLE}\n" for i in range(3000)))
    ev = run_monitor(ns, ["--rcvbuf", "4096", "--sleep", "1", "--for", "2"],
                     lambda: ns.run(["ip", "-batch", str(batch)]))
    assert [e["event"] for e in ev].count("resync") == 1
    assert ev[-1]["event"] == "end"


def test_monitor_filters_our_own_routes(ns):
    # Our own writes are not echoed to the monitor (a socket filter
    # drops them in the kernel); everyone else's routes still are.
    def act():
        r = ns.run([probe_bin(), "--table", str(TABLE), "--proto", str(PROTO),
                    "--count", "1000", "--gw", GW_A, "leave"])
        assert json.loads(r.stdout)["routes"] == 1000
        ns.ip("route", "add", "203.0.113.0/24", "via", "192.0.2.1", "table",
              str(TABLE), "proto", "static")
    ev = run_monitor(ns, ["--proto", str(PROTO), "--ignore-ours", "--for", "1.5"], act)
    # (routes_seen also counts the kernel's own, e.g. IPv6 link-local)
    assert ev[-1]["event"] == "end" and ev[-1]["table_routes_seen"] == 1


def test_graceful_restart_replaces_then_sweeps(ns):
    base = [probe_bin(), "--table", str(TABLE), "--proto", str(PROTO)]
    ns.run(base + ["--count", "100", "--gw", GW_A, "--gw", GW_B, "leave"])
    old_ids = set(kernel_nexthops(ns))
    assert len(old_ids) == 3
    # The new egressd installs half the table on another path over the
    # old routes (each replaced in place, never absent), then resyncs.
    r = ns.run(base + ["--count", "50", "--gw", GW_A2, "restart"])
    steps = [json.loads(x) for x in r.stdout.splitlines()]
    assert [s["step"] for s in steps] == ["installed", "resynced"]
    routes = kernel_routes(ns)
    assert set(routes) == expected_prefixes(50)
    nhs = kernel_nexthops(ns)
    assert not (set(nhs) & old_ids)  # the old objects are gone
    group = [x for x in nhs.values() if "group" in x]
    assert len(group) == 1 and len(nhs) == 2
    assert {r["nhid"] for r in routes.values()} == {group[0]["id"]}
    assert {gw_of(x) for x in nhs.values() if "group" not in x} == {GW_A2}


def test_ipv6_routes_on_a_nexthop_group(ns):
    if not has_nexthop_objects(ns):
        pytest.skip("kernel has no nexthop objects (ip nexthop fails)")
    gw6 = ["2001:db8:ff0::1@d0", "2001:db8:ff1::1@d1"]
    probe = Probe(ns, ["--v6", "--count", str(COUNT), "--gw", gw6[0],
                       "--gw", gw6[1], "--to", gw6[1]])
    try:
        st = probe.step()
        assert st["errors"] == [] and st["nhobj"] is True
        routes = kernel_routes(ns, "-6")
        assert set(routes) == expected_prefixes(COUNT, v6=True)
        assert kernel_routes(ns, "-4") == {}
        nhs = kernel_nexthops(ns)
        assert {gw_of(x) for x in nhs.values() if "group" not in x} == set(gw6)
        probe.next()
        st = probe.step()
        assert st["step"] == "replaced" and st["errors"] == []
        nhs = kernel_nexthops(ns)
        assert {gw_of(x) for x in nhs.values() if "group" not in x} == {gw6[1]}
        probe.next()
        assert probe.step()["step"] == "deleted"
        assert probe.finish() == 0
        assert kernel_routes(ns, "-6") == {}
        assert kernel_nexthops(ns) == {}
    finally:
        probe.kill()


def test_check_reports_hand_made_differences(ns):
    probe = Probe(ns, ["--count", "100", "--gw", GW_A, "--gw", GW_B], mode="check")
    try:
        assert probe.step()["step"] == "installed"
        assert len(kernel_routes(ns)) == 100
        # What an operator might do behind egressd's back.
        ns.ip("route", "del", "10.0.5.0/24", "table", str(TABLE))
        ns.ip("route", "add", "10.200.0.0/16", "via", "192.0.2.1", "table",
              str(TABLE), "proto", str(PROTO))
        ns.ip("route", "replace", "10.0.9.0/24", "via", "198.51.100.1", "table",
              str(TABLE), "proto", str(PROTO))
        probe.next()
        st = probe.step()
        assert st["rc"] == 3
        assert sorted(st["diffs"]) == [["10.0.5.0/24", "missing"],
                                       ["10.0.9.0/24", "nexthop"],
                                       ["10.200.0.0/16", "extra"]]
        probe.next()
        st = probe.step()
        assert st == {"step": "checked", "diffs": [], "rc": 0}
        assert probe.finish() == 0
        assert set(kernel_routes(ns)) == expected_prefixes(100)
    finally:
        probe.kill()
