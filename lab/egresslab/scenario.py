"""Failure scenarios (issue 6), each measured with real packets.

Every scenario runs the same way: udpecho sends from the VPC host to the
internet host every 10 ms (ECMP: 16 flows in turn, every 5 ms); the lab records the VPC route table (kernel
table 100 in the cloud namespace) every 20 ms and the kernel's own route
events (`ip -ts monitor`); after a quiet start it breaks router 1, waits
until the cloud has moved the default away from it and traffic flows on
the new path, repairs router 1, waits until traffic is back on it, and
keeps everything (packets, route table samples, daemon logs, probe and
session state from egressctl --json) for the report.
"""

import json
import os
import shutil
import signal
import subprocess
import threading
import time

from . import topo
from .sh import LabError, nsip, nsrun, wait_until

QUIET = 2.0        # seconds of traffic before the fault and after each move
# Under ECMP each flow (source port) keeps one path, chosen by the cloud
# kernel's hash of its ports (seeded at random): with F flows over two
# equal routers, all of them land on one router with probability
# 2 * 2^-F, and then neither the spread nor the dead router's flows can be
# seen (8 flows: once in 128 scenarios; the ECMP lab test then waited in
# vain for traffic to return to router 1).  16 flows (2^-15) are sent
# every 5 ms in turn, so each flow still sends every 80 ms, which is
# the resolution of the worst flow's silence.
ECMP_FLOWS = 16
ECMP_INTERVAL_MS = 5
INTERVAL_MS = 10   # one flow, every 10 ms (DESIGN 7)
FAILOVER_WAIT = 45 # the silent case waits out the 30 s hold timer
RETURN_WAIT = 45


def now():
    return time.time()


class RoutePoller(threading.Thread):
    """Samples which routers the VPC route table's default points to."""

    def __init__(self, lab, period=0.02):
        super().__init__(daemon=True)
        self.lab = lab
        self.period = period
        # (time, sorted router list, time the previous list was last
        # seen), changes only: the change happened somewhere in between.
        self.samples = []
        self.stop_ev = threading.Event()

    def run(self):
        last = self.samples[-1][1] if self.samples else None
        seen = self.samples[-1][0] if self.samples else now()
        while not self.stop_ev.is_set():
            t0 = now()
            cur = sorted(self.lab.vpc_default())
            t1 = now()
            if cur != last:
                # The time of the ask is the best single figure; the
                # change may be as old as the previous answer, which on
                # a loaded machine (each ask starts a process) can be
                # hundreds of ms before, so that bound is kept too.
                self.samples.append(((t0 + t1) / 2, cur, seen))
                last = cur
            seen = t0
            self.stop_ev.wait(self.period)

    def stop(self):
        self.stop_ev.set()
        self.join(timeout=2)


class RouteTablePoller(RoutePoller):
    """What the cloud's egressd says its VPC route table holds for
    0.0.0.0/0 (`egressctl show route-table --json`), to set beside the
    kernel's table: the gap between the two is the FIB write."""

    def __init__(self, lab, period=0.05):
        super().__init__(lab, period)

    def current(self):
        try:
            ans = self.lab.ctl("cloud", "show", "route-table")
        except (LabError, ValueError):
            return None
        hops = []
        for rt in ans.get("route_tables", []):
            for r in rt.get("routes", []):
                if r.get("destination") == "0.0.0.0/0" and r.get("installed"):
                    hops += [t.get("next_hop") for t in r.get("targets", [])]
        return sorted(h for h in hops if h)

    def run(self):
        last = None
        while not self.stop_ev.is_set():
            cur = self.current()
            # Stamped when the answer came, not at the middle of the
            # ask: a daemon held up (in a netlink write waiting for the
            # kernel's RTNL lock, say) answers late, and the midpoint
            # then put its table before the kernel's change it waited on.
            t1 = now()
            if cur is not None and cur != last:
                self.samples.append((t1, cur))
                last = cur
            self.stop_ev.wait(self.period)


class Capture:
    """udpecho client in the VPC, route poller, kernel route monitor."""

    def __init__(self, lab, name, flows, interval_ms=INTERVAL_MS):
        self.lab = lab
        self.interval_ms = interval_ms
        self.dir = os.path.join(lab.out, "scenarios", name)
        os.makedirs(self.dir, exist_ok=True)
        self.pkt_path = os.path.join(self.dir, "packets.txt")
        self.mon_path = os.path.join(self.dir, "route-monitor.txt")
        self.bgp_path = os.path.join(self.dir, "bgp.pcapng")
        self.flows = flows

    def start(self):
        self.t_start = now()
        self.mon = subprocess.Popen(
            ["ip", "-ts", "-n", self.lab.ns("cloud"), "monitor", "route", "nexthop"],
            stdout=open(self.mon_path, "w"), stderr=subprocess.DEVNULL,
            start_new_session=True)
        # The BGP messages on the cloud's tunnel links, as the kernel saw
        # them: when a withdrawal reached the cloud splits the time from
        # a router's decision to the cloud's kernel change in two (on
        # the wire, and inside the cloud).  Optional: without dumpcap
        # the report only lacks those lines.
        self.pcap = None
        if shutil.which("dumpcap"):
            ifs = []
            for i in range(1, self.lab.n + 1):
                ifs += ["-i", f"t{i}a", "-i", f"t{i}b"]
            self.pcap = subprocess.Popen(
                ["ip", "netns", "exec", self.lab.ns("cloud"), "dumpcap", "-q"] + ifs +
                ["-f", "tcp port 179", "-w", self.bgp_path],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.poller = RoutePoller(self.lab)
        # The table as the first datagram finds it.
        self.poller.samples.append((now(), sorted(self.lab.vpc_default())))
        self.poller.start()
        self.ctl_poller = RouteTablePoller(self.lab)
        self.ctl_poller.start()
        self.client = subprocess.Popen(
            ["ip", "netns", "exec", self.lab.ns("vpc"), self.lab.udpecho, "client", "-t",
             f"{topo.INTERNET}:{topo.ECHO_PORT}", "-i", str(self.interval_ms), "-f", str(self.flows), "-o",
             self.pkt_path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)

    def replies_since(self, t, router=None):
        """Routers that carried echoes of packets sent after t."""
        seen = set()
        t_ns = int(t * 1e9)
        try:
            with open(self.pkt_path) as f:
                for ln in f:
                    p = ln.split()
                    if len(p) >= 6 and p[0] == "R" and int(p[2]) >= t_ns:
                        r = self.lab.router_of_nat(p[4])
                        if r:
                            seen.add(r)
        except OSError:
            pass
        return seen if router is None else router in seen

    def stop(self):
        if getattr(self, "t_end", None):
            return
        self.client.send_signal(signal.SIGINT)
        try:
            self.client.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.client.kill()
        self.poller.stop()
        self.ctl_poller.stop()
        for p in (self.mon, self.pcap):
            if p is None:
                continue
            p.terminate()
            try:
                p.wait(timeout=2)
            except subprocess.TimeoutExpired:
                p.kill()
        self.t_end = now()


# -- faults and repairs: (what it does, how to undo it) -------------------

def crash_break(lab):
    lab.kill_egressd("cgw1", signal.SIGKILL)
    return "kill -9 of router 1's egressd"


def crash_repair(lab):
    lab.start_egressd("cgw1")
    return "egressd restarted on router 1"


SILENT_TABLE = ("table inet egl_silent {\n"
                " chain pre { type filter hook prerouting priority -400; policy drop; }\n"
                " chain out { type filter hook output priority -400; policy drop; }\n"
                "}\n")


def silent_break(lab):
    nsrun(lab.ns("cgw1"), ["nft", "-f", "-"], input_=SILENT_TABLE)
    return "every packet of router 1 dropped (nftables), links up"


def silent_repair(lab):
    nsrun(lab.ns("cgw1"), ["nft", "delete", "table", "inet", "egl_silent"])
    return "router 1 forwards again"


def linkdown_break(lab):
    for t in topo.TUN:
        nsip(lab.ns("cgw1"), "link", "set", t, "down")
    return "both tunnel links of router 1 down"


def linkdown_repair(lab):
    for t in topo.TUN:
        nsip(lab.ns("cgw1"), "link", "set", t, "up")
    return "both tunnel links of router 1 up"


def isp_break(lab):
    nsip(lab.ns("isp1"), "link", "set", "inet0", "down")
    return "router 1's ISP lost its link to the internet"


def isp_repair(lab):
    nsip(lab.ns("isp1"), "link", "set", "inet0", "up")
    # The kernel flushed the route through the link when it went down.
    nsip(lab.ns("isp1"), "route", "replace", f"{topo.INTERNET}/32", "via", topo.inet_side_ip(1))
    return "router 1's ISP link back"


FAULTS = {
    "crash": (crash_break, crash_repair),
    "silent": (silent_break, silent_repair),
    "linkdown": (linkdown_break, linkdown_repair),
    "isp": (isp_break, isp_repair),
}

DETECTION = {
    "crash": "TCP connections reset by the kernel when the process died",
    "silent": "hold timer only (30 s; no BFD yet): nothing else sees a silent router",
    "linkdown": "link down seen by the cloud's egressd (its tunnel ends lost carrier)",
    "isp": "uplink probe on router 1 (ICMP to the internet host), default withdrawn",
    "baseline": "no fault",
}


def snapshot(lab, cap, tag):
    """egressctl --json of every daemon that answers, kept for the
    report's control-plane timeline."""
    snap = {}
    for role in ["cloud"] + [f"cgw{i}" for i in range(1, lab.n + 1)]:
        try:
            snap[role] = {"neighbors": lab.ctl(role, "show", "neighbors")["neighbors"]}
            if role != "cloud":
                snap[role]["probes"] = lab.ctl(role, "show", "probes")["probes"]
            # The kernel's own view of the BGP connections: a session
            # that was reset comes back on a new TCP connection.
            r = nsrun(lab.ns(role), ["ss", "-Htn", "state", "established",
                                     "( sport = :179 or dport = :179 )"], check=False)
            snap[role]["tcp"] = sorted(" ".join(ln.split()[-2:]) for ln in r.stdout.splitlines()
                                       if ln.strip())
        except (LabError, ValueError) as e:
            snap[role] = {"error": str(e)}
    with open(os.path.join(cap.dir, f"egressctl-{tag}.json"), "w") as f:
        json.dump(snap, f, indent=1)


def expected_after_fault(lab):
    rest = set(range(2, lab.n + 1))
    return rest if lab.mode == "ecmp" else {2}


def run_one(lab, name, log=print):
    ecmp = lab.mode == "ecmp"
    flows = ECMP_FLOWS if ecmp else 1
    interval_ms = ECMP_INTERVAL_MS if ecmp else INTERVAL_MS
    cap = Capture(lab, name, flows, interval_ms)
    marks = []
    log_offsets = {}
    for role in ["cloud"] + [f"cgw{i}" for i in range(1, lab.n + 1)]:
        try:
            log_offsets[role] = os.path.getsize(lab.log_path(role))
        except OSError:
            log_offsets[role] = 0
    cap.start()
    result = {"name": name, "routers": lab.n, "personality": lab.personality,
              "mode": lab.mode, "detection": DETECTION.get(name, ""), "ok": True,
              "flows": flows, "interval_ms": interval_ms}
    try:
        wait_until(lambda: cap.replies_since(cap.t_start), 10,
                   what="the first echo from the internet host")
        time.sleep(QUIET)
        snapshot(lab, cap, "before")
        if name in FAULTS:
            brk, rep = FAULTS[name]
            t = now()
            marks.append({"time": t, "event": "fault", "what": brk(lab)})
            want = expected_after_fault(lab)
            wait_until(lambda: set(lab.vpc_default()) == want and
                       cap.replies_since(t) & want, FAILOVER_WAIT,
                       what=f"traffic to move to router(s) {sorted(want)} after {name}")
            time.sleep(QUIET)
            snapshot(lab, cap, "fault")
            t = now()
            marks.append({"time": t, "event": "repair", "what": rep(lab)})
            want = lab.expected_default()
            wait_until(lambda: set(lab.vpc_default()) == want and cap.replies_since(t, 1),
                       RETURN_WAIT, what=f"traffic to return to router 1 after {name}")
            time.sleep(QUIET)
            snapshot(lab, cap, "after")
    except LabError as e:
        result["ok"] = False
        result["error"] = str(e)
        log(f"scenario {name}: {e}")
    except KeyboardInterrupt:
        # Undo the fault so the lab is usable (or at least clean to
        # take down) after Ctrl-C in the middle of a scenario.
        cap.stop()
        if name in FAULTS and marks and marks[-1]["event"] == "fault":
            try:
                FAULTS[name][1](lab)
            except LabError:
                pass
        raise
    finally:
        cap.stop()
    result.update({"start": cap.t_start, "end": cap.t_end, "marks": marks,
                   "route_samples": cap.poller.samples,
                   "route_table_samples": cap.ctl_poller.samples,
                   "dir": os.path.relpath(cap.dir, lab.out)})
    logs = {}
    for role, off in log_offsets.items():
        try:
            with open(lab.log_path(role), errors="replace") as f:
                f.seek(off)
                logs[role] = f.read()
        except OSError:
            logs[role] = ""
    with open(os.path.join(cap.dir, "logs.json"), "w") as f:
        json.dump(logs, f)
    with open(os.path.join(cap.dir, "scenario.json"), "w") as f:
        json.dump(result, f, indent=1)
    if not result["ok"]:
        # Leave the lab as the next scenario expects it.
        try:
            if name in FAULTS and marks and marks[-1]["event"] == "fault":
                try:
                    FAULTS[name][1](lab)
                except LabError:
                    pass
            if lab._dead("cgw1"):
                lab.start_egressd("cgw1")
            lab.wait_converged(timeout=60)
        except LabError as e:
            log(f"scenario {name}: the lab did not recover: {e}")
    return result


def run_scenarios(lab, names, log=print):
    unknown = [n for n in names if n != "baseline" and n not in FAULTS]
    if unknown:
        raise LabError(f"unknown scenario(s) {', '.join(unknown)} "
                       f"(baseline, {', '.join(FAULTS)})")
    lab.wait_converged()
    results = []
    for n in names:
        log(f"scenario {n}: running" + (" (waits out the 30 s hold timer)" if n == "silent" else ""))
        results.append(run_one(lab, n, log))
    return results
