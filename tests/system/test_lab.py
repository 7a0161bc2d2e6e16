"""The namespace lab (issue 6) as a test: lab/egress-lab builds the
whole design (VPC host, cloud gateway, customer gateways with probes and
NAT, ISPs, internet host), breaks router 1 in several ways and measures
with real packets.  The judges are not egressd's own words: which router
carried each datagram is the source address the kernel's NAT gave it, as
the internet host saw it; where traffic should go is the cloud's kernel
route table; whether a BGP session survived is the kernel's list of
established TCP connections (ss).

The bounds are generous on purpose (seconds, not milliseconds): this is
a test, not a benchmark; the figures themselves are in `make demo`'s
report."""

import json
import os
import shutil
import subprocess
import tempfile

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LAB = os.path.join(REPO, "lab", "egress-lab")
# Crash and link down are seen at once (TCP reset, carrier loss); allow
# plenty for a loaded CI machine.
OUTAGE_LIMIT_MS = 5000

_seq = [0]


def build_dir():
    return os.environ.get("EGRESS_BUILD") or os.path.join(REPO, "build")


@pytest.fixture
def lab(tmp_path):
    # Not being root is the one reason to skip (conftest); CI runs as
    # root, so anything else missing is a failure to fix, said once.
    for b in ("src/daemon/egressd", "src/client/egressctl", "lab/udpecho"):
        if not os.access(os.path.join(build_dir(), b), os.X_OK):
            pytest.fail(f"{b} is not built in {build_dir()} (run make, or set EGRESS_BUILD)",
                        pytrace=False)
    for t in ("ip", "ss", "nft", "sysctl", "dumpcap", "tshark"):
        if not shutil.which(t):
            pytest.fail(f"'{t}' is missing: run scripts/install-deps (iproute2, nftables, "
                        "procps, tshark)", pytrace=False)
    _seq[0] += 1
    env = dict(os.environ, EGRESS_BUILD=build_dir(), LAB_OUT=str(tmp_path / "out"),
               LAB_PREFIX=f"egt{os.getpid() % 100000}x{_seq[0]}")

    class Runner:
        def __init__(self):
            self.env = env
            self.prefix = env["LAB_PREFIX"]
            self.out = env["LAB_OUT"]

        def __call__(self, *args, check=True, timeout=600, **extra):
            e = dict(self.env, **extra)
            r = subprocess.run([LAB] + list(args), env=e, capture_output=True, text=True,
                               timeout=timeout)
            if check and r.returncode != 0:
                raise AssertionError(f"egress-lab {' '.join(args)} failed ({r.returncode}):\n"
                                     f"{r.stdout}\n{r.stderr}")
            return r

        def report(self):
            self("report")
            with open(os.path.join(self.out, "report.json")) as f:
                return {s["name"]: s for s in json.load(f)["scenarios"]}

        def snap(self, scenario, tag):
            with open(os.path.join(self.out, "scenarios", scenario,
                                   f"egressctl-{tag}.json")) as f:
                return json.load(f)

        def namespaces(self):
            r = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
            return [ln.split()[0] for ln in r.stdout.splitlines()
                    if ln.split() and ln.split()[0].startswith(self.prefix + "-")]

    run = Runner()
    yield run
    run("down", check=False)
    for ns in run.namespaces():  # should be none; never leave any behind
        subprocess.run(["ip", "netns", "del", ns], check=False)


def assert_moved_and_back(sc, during, after=(1,)):
    assert sc["ok"], sc.get("error")
    assert sc["failover"]["settled"] == list(during), sc["failover"]
    assert sc["return"]["settled"] == list(after), sc["return"]
    # Every echo came back through a router the route table pointed to.
    assert sc["path_violations"] == 0, sc["violations"]


def test_lab_primary_backup(lab):
    # A namespace left by an interrupted run is cleaned up by `up`.
    subprocess.run(["ip", "netns", "add", f"{lab.prefix}-stale"], check=True)
    lab("up")
    assert f"{lab.prefix}-stale" not in lab.namespaces()
    assert len(lab.namespaces()) == 7
    st = lab("status").stdout
    assert "VPC default route via router(s): 1" in st
    lab("scenario", "baseline", "crash", "linkdown", "isp")
    rep = lab.report()

    base = rep["baseline"]
    assert base["ok"] and base["before"]["paths"] == [1]
    assert base["packets_lost"] == 0
    assert base["path_violations"] == 0

    for name in ("crash", "linkdown"):
        sc = rep[name]
        assert_moved_and_back(sc, [2])
        assert sc["failover"]["outage_ms"] is not None
        assert sc["failover"]["outage_ms"] < OUTAGE_LIMIT_MS, sc["failover"]
        assert sc["return"]["outage_ms"] < OUTAGE_LIMIT_MS, sc["return"]
    # The crash reset router 1's BGP connections: the cloud's kernel
    # holds new ones afterwards.
    before = lab.snap("crash", "before")["cloud"]["tcp"]
    after = lab.snap("crash", "after")["cloud"]["tcp"]
    assert len(before) == len(after) == 4
    assert set(before) != set(after)

    # The ISP behind router 1 died: the probe withdrew the default and
    # traffic moved, while every BGP session stayed up on the same TCP
    # connection (the kernel's view, before the fault and after the move).
    sc = rep["isp"]
    assert_moved_and_back(sc, [2])
    assert sc["sessions_down_during_fault"] == 0
    assert sc["withdraw_ms"] is not None
    # tshark, on the capture of the cloud's tunnel links: router 1's
    # withdrawal reached the cloud on both tunnels, after router 1
    # decided (log times are cut to the millisecond).
    rx = sc["withdraw_rx_ms"]
    assert rx is not None and len(rx) == 2, sc["events"]
    assert min(rx) >= sc["withdraw_ms"] - 1.5, (rx, sc["withdraw_ms"])
    for node in ("cgw1", "cloud"):
        b = lab.snap("isp", "before")[node]["tcp"]
        f = lab.snap("isp", "fault")[node]["tcp"]
        assert b and b == f, (node, b, f)

    text = open(os.path.join(lab.out, "report.txt")).read()
    assert "crash" in text and "isp" in text
    assert open(os.path.join(lab.out, "timeline.svg")).read().startswith("<svg")
    lab("down")
    assert lab.namespaces() == []


def test_lab_three_routers(lab):
    """N+2: router 1 dies, router 2 (shorter prepend than router 3) takes
    over, and the traffic comes back to router 1."""
    lab("up", ROUTERS="3")
    lab("scenario", "crash", "isp")
    rep = lab.report()
    assert_moved_and_back(rep["crash"], [2])
    assert_moved_and_back(rep["isp"], [2])
    assert rep["isp"]["sessions_down_during_fault"] == 0


def test_lab_tgw_ecmp(lab):
    """aws-tgw with VPN ECMP: flows are spread over both routers, still
    flow (on router 2) while router 1 is dead, and spread again after."""
    lab("up", PERSONALITY="aws-tgw", MODE="ecmp")
    lab("scenario", "baseline", "crash")
    rep = lab.report()
    assert rep["baseline"]["before"]["paths"] == [1, 2]
    sc = rep["crash"]
    assert_moved_and_back(sc, [2], after=(1, 2))
    assert sc["failover"]["outage_ms"] < OUTAGE_LIMIT_MS


def test_lab_refuses_non_root_in_one_sentence():
    # The checkout may sit where nobody cannot read (a CI runner's home):
    # run a copy of the lab's scripts from a directory anyone can read.
    d = tempfile.mkdtemp(prefix="egress-lab-nonroot-")
    try:
        os.chmod(d, 0o755)
        shutil.copy2(LAB, os.path.join(d, "egress-lab"))
        shutil.copytree(os.path.join(REPO, "lab", "egresslab"), os.path.join(d, "egresslab"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        for root, dirs, files in os.walk(d):
            for x in dirs:
                os.chmod(os.path.join(root, x), 0o755)
            for x in files:
                os.chmod(os.path.join(root, x), 0o755)

        def drop():
            os.setgid(65534)
            os.setgroups([])
            os.setuid(65534)
        r = subprocess.run([os.path.join(d, "egress-lab"), "up"], capture_output=True,
                           text=True, timeout=30, preexec_fn=drop, cwd=d,
                           env=dict(os.environ, LAB_OUT=os.path.join(d, "out")))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert r.stderr.strip().count("\n") == 0, r.stderr
    assert "needs root" in r.stderr
