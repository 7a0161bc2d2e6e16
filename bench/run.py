#!/usr/bin/python3
"""Side-by-side benchmark: the same table through egressd, BIRD, FRR,
OpenBGPD and GoBGP (issue 3, "Performance, measured side by side").

For every daemon and run, three fresh network namespaces form a line

    feeder (AS 65001) --egf-- daemon (AS 65000) --egc-- collector (AS 65002)

The daemon accepts everything from the feeder and exports everything to
the collector.  The collector connects and reaches Established first;
then the feeder connects and sends the whole table.  Measured:

  propagate  feeder's first UPDATE -> collector holds every prefix
  withdraw   feeder's first withdrawal -> collector holds none
  peak RSS   sum of VmHWM over the daemon's processes (its namespace)
  CPU        utime+stime of those processes over the measured window

and, next to them, the feeder's own send time and the collector's own
CPU time, to show neither tool was the bottleneck.  A daemon that never
delivers the table (no progress for --stall seconds) gets a status
instead of a number: never a made-up figure.

Namespaces, drivers and process handling come from tests/system/lib
(imported, not copied).  Needs root.  Python standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "system"))

from lib import egress as egress_lib  # noqa: E402
from lib import peer_bird, peer_frr, peer_gobgp, peer_openbgpd  # noqa: E402
from lib.netns import Namespace, sweep_stale, unique_prefix, veth  # noqa: E402
from lib.peer import PeerConfig  # noqa: E402
from lib.util import run  # noqa: E402

FEED_AS, DUT_AS, COLL_AS = 65001, 65000, 65002
F_ADDR, DF_ADDR = "10.1.0.1", "10.1.0.2"   # feeder link
DC_ADDR, C_ADDR = "10.2.0.1", "10.2.0.2"   # collector link
DUT_ID = "10.255.0.1"
HOLD = 240
# --feeders N: feeder i (0-based) speaks from F_ADDRS[i] as FEED_ASES[i];
# the same table from each, so every prefix has N distinct paths (own AS
# first, own next hop).
F_ADDRS = ["10.1.0.1", "10.1.0.3", "10.1.0.4", "10.1.0.5"]
FEED_ASES = [65001, 65011, 65021, 65031]
# The idle peer (egressd and BIRD): a session the daemon sends nothing
# but KEEPALIVEs (export none) with a short hold time, so a run of
# seconds holds several keepalive intervals (hold 9 s: 3 s).
I_ADDR, IDLE_AS, IDLE_HOLD = "10.2.0.3", 65003, 9
# Set by main(): how many feeders, whether there is an idle peer.
SETUP = {"feeders": 1, "idle": False}
CLK_TCK = os.sysconf("SC_CLK_TCK")


# -- daemon configurations ------------------------------------------------
# Each driver from tests/system/lib knows how to start its daemon in a
# namespace; only the configuration differs here: two passive eBGP
# neighbors, everything accepted from one and exported to the other.

def _dut_cfg(local_addr=DF_ADDR):
    return PeerConfig(local_as=DUT_AS, router_id=DUT_ID, local_addr=local_addr,
                      remote_addr=F_ADDR, remote_as=FEED_AS, hold_time=HOLD,
                      passive=True)


class BenchBird(peer_bird.BirdPeer):
    def config(self):
        def proto(name, local, nbr, asn):
            return f"""\
protocol bgp {name} {{
  local {local} as {DUT_AS};
  neighbor {nbr} as {asn};
  passive on;
  hold time {HOLD};
  ipv4 {{ import all; export all; }};
}}
"""
        feeders = "".join(
            proto(peer_bird.PROTO if i == 0 else f"feed{i}", DF_ADDR,
                  F_ADDRS[i], FEED_ASES[i])
            for i in range(SETUP["feeders"]))
        idle = "" if not SETUP["idle"] else f"""\
protocol bgp idlepeer {{
  local {DC_ADDR} as {DUT_AS};
  neighbor {I_ADDR} as {IDLE_AS};
  passive on;
  hold time {IDLE_HOLD};
  ipv4 {{ import all; export none; }};
}}
"""
        return (f'log "{self.path("bird.log")}" all;\n'
                f"router id {DUT_ID};\n"
                "protocol device { scan time 10; }\n"
                + feeders + proto("col", DC_ADDR, C_ADDR, COLL_AS) + idle)


class BenchFrr(peer_frr.FrrPeer):
    # The driver passes cfg.local_addr to bgpd -l; the daemon under test
    # must listen on both links, so it gets the wildcard address.
    def config(self):
        lines = [
            "frr defaults traditional",
            "hostname bench",
            f"log file {self.path('frr.log')} informational",
            "!",
            f"router bgp {DUT_AS}",
            f" bgp router-id {DUT_ID}",
            # RFC 8212 filtering is FRR's default for eBGP; the bench
            # wants everything through.
            " no bgp ebgp-requires-policy",
            " no bgp default ipv4-unicast",
        ]
        for nbr, asn in ((F_ADDR, FEED_AS), (C_ADDR, COLL_AS)):
            lines += [f" neighbor {nbr} remote-as {asn}",
                      f" neighbor {nbr} passive",
                      f" neighbor {nbr} timers 80 {HOLD}"]
        lines.append(" address-family ipv4 unicast")
        lines += [f"  neighbor {n} activate" for n in (F_ADDR, C_ADDR)]
        lines += [" exit-address-family", "!"]
        return "\n".join(lines) + "\n"


class BenchOpenbgpd(peer_openbgpd.OpenbgpdPeer):
    def config(self):
        nbrs = []
        for nbr, asn, local in ((F_ADDR, FEED_AS, DF_ADDR),
                                (C_ADDR, COLL_AS, DC_ADDR)):
            nbrs += [f"neighbor {nbr} {{", f"  remote-as {asn}",
                     f"  local-address {local}", f"  holdtime {HOLD}",
                     "  announce IPv4 unicast", "  passive", "}"]
        return "\n".join([
            f"AS {DUT_AS}", f"router-id {DUT_ID}",
            f'socket "{self.path("bgpd.sock")}"', "fib-update no",
            f"listen on {DF_ADDR}", f"listen on {DC_ADDR}", *nbrs,
            "allow from any", "allow to any", ""])


class BenchGobgp(peer_gobgp.GobgpPeer):
    def config(self):
        out = [f"""\
[global.config]
  as = {DUT_AS}
  router-id = "{DUT_ID}"
  local-address-list = ["{DF_ADDR}", "{DC_ADDR}"]
"""]
        # No policy definitions: GoBGP's defaults accept on import and
        # export.
        for nbr, asn, local in ((F_ADDR, FEED_AS, DF_ADDR),
                                (C_ADDR, COLL_AS, DC_ADDR)):
            out.append(f"""
[[neighbors]]
  [neighbors.config]
    neighbor-address = "{nbr}"
    peer-as = {asn}
  [neighbors.timers.config]
    hold-time = {HOLD}
    keepalive-interval = {HOLD // 3}
  [neighbors.transport.config]
    local-address = "{local}"
    passive-mode = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
""")
        return "".join(out)


def make_egressd(ns):
    # No kernel routes, as for the other daemons here (BIRD has no kernel
    # protocol, FRR runs with -n, OpenBGPD with fib-update no): the FIB
    # has its own benchmark (fib_run.py).
    cfg = egress_lib.EgressConfig(router_id=DUT_ID, local_as=DUT_AS,
                                  listen=[DF_ADDR, DC_ADDR],
                                  extra="fib { install off }")
    nbrs = [(F_ADDRS[i], FEED_ASES[i], DF_ADDR)
            for i in range(SETUP["feeders"])] + [(C_ADDR, COLL_AS, DC_ADDR)]
    for nbr, asn, local in nbrs:
        cfg.neighbors.append(egress_lib.Neighbor(
            address=nbr, remote_as=asn, hold_time=HOLD, passive=True,
            local_address=local, import_="all", export="all"))
    if SETUP["idle"]:
        cfg.neighbors.append(egress_lib.Neighbor(
            address=I_ADDR, remote_as=IDLE_AS, hold_time=IDLE_HOLD,
            passive=True, local_address=DC_ADDR, import_="all",
            export="none"))
    return egress_lib.Egress(ns, cfg)


DAEMONS = {
    "egressd": (make_egressd, None),
    "bird": (lambda ns: BenchBird(ns, _dut_cfg()), peer_bird.BIRD),
    "frr": (lambda ns: BenchFrr(ns, _dut_cfg("0.0.0.0")), peer_frr.BGPD),
    "openbgpd": (lambda ns: BenchOpenbgpd(ns, _dut_cfg()), peer_openbgpd.BGPD),
    "gobgp": (lambda ns: BenchGobgp(ns, _dut_cfg()), peer_gobgp.GOBGPD),
}


def missing(name):
    if name == "egressd":
        return egress_lib.binaries_missing()
    binary = DAEMONS[name][1]
    return None if os.access(binary, os.X_OK) else f"{binary} not installed"


def version(name):
    cmd = {
        "egressd": [egress_lib.egressd_bin(), "-V"],
        "bird": [peer_bird.BIRD, "--version"],
        "frr": [peer_frr.BGPD, "--version"],
        "openbgpd": [peer_openbgpd.BGPD, "-V"],
        "gobgp": [peer_gobgp.GOBGPD, "--version"],
    }[name]
    try:
        r = run(cmd, check=False)
    except Exception:  # noqa: BLE001 - a version string is optional
        return "?"
    text = (r.stdout + r.stderr).strip().splitlines()
    return text[0].strip() if text else "?"


# -- topology ---------------------------------------------------------------

class Line:
    """feeder -- daemon -- collector, each in its own namespace."""

    def __init__(self, workdir):
        p = unique_prefix()
        self.f = self.d = self.c = None
        try:
            self.f = Namespace(f"{p}-f", os.path.join(workdir, "feeder"))
            self.d = Namespace(f"{p}-d", os.path.join(workdir, "daemon"))
            self.c = Namespace(f"{p}-c", os.path.join(workdir, "collector"))
            veth(self.f, self.d, "egf")
            veth(self.d, self.c, "egc")
            for a in F_ADDRS[:SETUP["feeders"]]:
                self.f.addr_add("egf", f"{a}/24")
            self.d.addr_add("egf", f"{DF_ADDR}/24")
            self.d.addr_add("egc", f"{DC_ADDR}/24")
            self.c.addr_add("egc", f"{C_ADDR}/24")
            if SETUP["idle"]:
                self.c.addr_add("egc", f"{I_ADDR}/24")
        except Exception:
            self.close()
            raise

    def close(self):
        for ns in (self.f, self.c, self.d):
            if ns is not None:
                ns.close()


# -- the tools' event streams -----------------------------------------------

class Events:
    """JSON lines a bench tool writes to its log, read incrementally."""

    def __init__(self, proc):
        self.proc = proc
        self.pos = 0
        self.partial = ""
        self.all = []

    def poll(self):
        try:
            with open(self.proc.log_path, encoding="utf-8",
                      errors="replace") as f:
                f.seek(self.pos)
                data = f.read()
                self.pos = f.tell()
        except OSError:
            return
        lines = (self.partial + data).split("\n")
        self.partial = lines.pop()
        for line in lines:
            if line.startswith("{"):
                try:
                    self.all.append(json.loads(line))
                except ValueError:
                    pass

    def get(self, name):
        for e in self.all:
            if e.get("event") == name:
                return e
        return None

    def last(self, name):
        for e in reversed(self.all):
            if e.get("event") == name:
                return e
        return None


def proc_stats(ns):
    """Peak RSS (sum of VmHWM, bytes) and CPU seconds of every process in
    the daemon's namespace, with a per-process breakdown."""
    total_hwm, total_cpu, procs = 0, 0.0, []
    for pid in ns.pids():
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as f:
                status = f.read()
            with open(f"/proc/{pid}/stat", encoding="ascii") as f:
                stat = f.read()
        except OSError:
            continue
        hwm = 0
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) * 1024
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        # fields[0] is field 3 (state); utime, stime are fields 14, 15.
        cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
        total_hwm += hwm
        total_cpu += cpu
        procs.append({"pid": pid, "comm": comm, "hwm": hwm, "cpu": cpu})
    return total_hwm, total_cpu, procs


def egressd_memory(drv, ns):
    out = {}
    try:
        out["show_memory"] = drv.ctl("show", "memory")
    except Exception as exc:  # noqa: BLE001 - a report, not a result
        out["show_memory_error"] = str(exc)
    for pid in ns.pids():
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as f:
                for ln in f:
                    if ln.startswith(("VmRSS:", "VmHWM:", "RssAnon:")):
                        k, v = ln.split(":", 1)
                        out[f"{pid}.{k}"] = int(v.split()[0]) * 1024
        except OSError:
            continue
    return out


class Sampler:
    """--sample S: egressd's show memory and RSS every S seconds from a
    thread, for what the withdrawal holds on its way (queued routes, the
    allocator's heap) that the figures at full and after it miss."""

    def __init__(self, drv, ns, every):
        self.drv, self.ns, self.every = drv, ns, every
        self.samples = []
        self.stop_ev = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop_ev.wait(self.every):
            t = time.monotonic()
            m = egressd_memory(self.drv, self.ns).get("show_memory") or {}
            sess = m.get("sessions") or {}
            alloc = m.get("allocator") or {}
            rss = 0
            for pid in self.ns.pids():
                try:
                    with open(f"/proc/{pid}/status", encoding="ascii") as f:
                        for ln in f:
                            if ln.startswith("VmRSS:"):
                                rss += int(ln.split()[1]) * 1024
                except OSError:
                    continue
            self.samples.append({
                "t": t, "rss": rss, "total_bytes": m.get("total_bytes"),
                "queued_routes": sess.get("queued_routes"),
                "queue_bytes": sess.get("queue_bytes"),
                "heap_bytes": alloc.get("heap_bytes"),
                "in_use_bytes": alloc.get("in_use_bytes"),
                "free_bytes": alloc.get("free_bytes")})

    def stop(self):
        self.stop_ev.set()
        self.thread.join()
        return self.samples


def settle(ns, procs, quiet=0.05, window=1.0, timeout=600):
    """Monotonic time at which the daemon's CPU (all its processes) grew
    by less than `quiet` seconds over `window`: every path processed."""
    deadline = time.monotonic() + timeout
    _, last, _ = proc_stats(ns)
    t_last = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(window / 4)
        for label, p in procs:
            if not p.alive():
                raise Failed(f"{label} exited while settling")
        _, cpu, _ = proc_stats(ns)
        now = time.monotonic()
        if cpu - last > quiet:
            last, t_last = cpu, now
        elif now - t_last >= window:
            return t_last
    raise Failed(f"daemon still busy after {timeout} s")


IDLE_DAEMONS = ("egressd", "bird")


class Failed(Exception):
    pass


def wait_event(log, name, what, procs, timeout):
    deadline = time.monotonic() + timeout
    while True:
        log.poll()
        e = log.get(name)
        if e:
            return e
        for label, p in procs:
            if not p.alive():
                raise Failed(f"{label} exited while waiting for {what}:\n"
                             + p.log()[-1500:])
        if time.monotonic() > deadline:
            raise Failed(f"no {what} within {timeout:.0f} s")
        time.sleep(0.05)


def wait_phase(clog, flog, target, procs, stall, timeout):
    """Wait for the collector's `target` event while anything moves;
    give up after `stall` seconds without progress on either side."""
    start = last_move = time.monotonic()
    seen = None
    while True:
        clog.poll()
        flog.poll()
        e = clog.get(target)
        if e:
            return e
        for label, p in procs:
            if not p.alive():
                raise Failed(f"{label} exited:\n" + p.log()[-1500:])
        cp = clog.last("progress") or {}
        fp = flog.last("progress") or {}
        mark = (cp.get("count"), cp.get("updates"), fp.get("sent_bytes"),
                len(flog.all))
        now = time.monotonic()
        if mark != seen:
            seen, last_move = mark, now
        count = cp.get("count", 0)
        if now - last_move > stall:
            raise Failed(f"stalled: collector held {count} prefixes, no "
                         f"progress for {stall:.0f} s")
        if now - start > timeout:
            raise Failed(f"timed out after {timeout:.0f} s: collector held "
                         f"{count} prefixes")
        time.sleep(0.05)


def run_once(name, args, n, table_args, workroot, idx):
    res = {"daemon": name, "run": idx, "status": "ok"}
    line = drv = None
    workdir = os.path.join(workroot, f"{name}-{idx}")
    try:
        line = Line(workdir)
        drv = DAEMONS[name][0](line.d)
        drv.start()
        coll = line.c.start(
            [args.collector, "--local", C_ADDR, "--connect", DC_ADDR,
             "--local-as", str(COLL_AS), "--peer-as", str(DUT_AS),
             "--hold", str(HOLD), "--expect", str(n)], "collector")
        clog = Events(coll)
        base = [("daemon", drv), ("collector", coll)]
        cest = wait_event(clog, "established", "collector session", base,
                          60)
        idle = ilog = None
        if SETUP["idle"] and name in IDLE_DAEMONS:
            idle = line.c.start(
                [args.collector, "--local", I_ADDR, "--connect", DC_ADDR,
                 "--local-as", str(IDLE_AS), "--peer-as", str(DUT_AS),
                 "--hold", str(IDLE_HOLD), "--expect", "0"], "idle")
            ilog = Events(idle)
            base.append(("idle peer", idle))
            wait_event(ilog, "established", "idle peer session", base, 60)
        feeders = []
        for i in range(SETUP["feeders"]):
            f = line.f.start(
                [args.feeder, "--local", F_ADDRS[i], "--connect", DF_ADDR,
                 "--local-as", str(FEED_ASES[i]), "--peer-as", str(DUT_AS),
                 "--collector-as", str(COLL_AS), "--hold", str(HOLD)]
                + table_args, "feeder" if i == 0 else f"feeder{i}")
            feeders.append((f"feeder{i}" if i else "feeder", f, Events(f)))
        _, feeder, flog = feeders[0]
        procs = base + [(lbl, f) for lbl, f, _ in feeders]
        first = min((wait_event(fl, "first_update", f"{lbl}'s first UPDATE",
                                procs, 300) for lbl, _, fl in feeders),
                    key=lambda e: e["t"])
        _, cpu0, _ = proc_stats(line.d)
        timeout = args.timeout or (120 + 600 * n / 1e6)
        try:
            full = wait_phase(clog, flog, "full", procs, args.stall, timeout)
        except Failed as exc:
            cp = clog.last("progress") or {}
            if name == "egressd" and not cp.get("count"):
                # Expected until the Loc-RIB lands: sessions come up, the
                # routes go in, nothing comes out.
                res["detail"] = f"collector received nothing: {exc}"
                raise Failed("not forwarding yet") from exc
            raise
        res["propagate_s"] = full["t"] - first["t"]
        res["t_first"], res["t_full"] = first["t"], full["t"]
        anns = [wait_event(fl, "announced", f"{lbl}'s end of table", procs,
                           timeout) for lbl, _, fl in feeders]
        if len(feeders) > 1:
            # Every path in: the collector was full with the first table;
            # the daemon is done when its CPU stands still.
            res["settle_s"] = settle(line.d, procs) - first["t"]
        if name == "egressd":
            # The table at its fullest: egressd's own per-module count
            # and the kernel's view of the process, for the per-prefix
            # byte budget in docs/benchmarks.md.
            res["memory_at_full"] = egressd_memory(drv, line.d)
        # Kept even if the withdrawal then fails: the peak of the table
        # and the idle peer's gaps so far.
        rss_full, cpu_full, _ = proc_stats(line.d)
        res["rss_full_bytes"] = rss_full
        # CPU per phase: the table in (with the show memory request just
        # made), then its withdrawal (cpu_withdraw_s, below, with the
        # trim and show memory after it).
        res["cpu_propagate_s"] = cpu_full - cpu0
        if ilog is not None:
            ilog.poll()
            ip = ilog.last("progress") or {}
            res["idle_at_full"] = {k: ip.get(k) for k in
                                   ("keepalives", "ka_max_gap", "hold")}
        res["feeder_send_s"] = max(a["send_s"] for a in anns)
        res["feeder_send_cpu_s"] = sum(a["cpu"] for a in anns) - sum(
            fl.get("first_update")["cpu"] for _, _, fl in feeders)
        res["collector_cpu_full_s"] = full["cpu"]
        sampler = (Sampler(drv, line.d, args.sample)
                   if args.sample and name == "egressd" else None)
        for _, f, _ in feeders:
            os.kill(f.pid, signal.SIGUSR1)
        wd = min((wait_event(fl, "withdraw_start", f"{lbl}'s withdrawal",
                             procs, 30) for lbl, _, fl in feeders),
                 key=lambda e: e["t"])
        empty = wait_phase(clog, flog, "empty", procs, args.stall, timeout)
        res["withdraw_s"] = empty["t"] - wd["t"]
        res["t_wd"], res["t_empty"] = wd["t"], empty["t"]
        if sampler is not None:
            res["withdraw_samples"] = sampler.stop()
        wdones = [wait_event(fl, "withdrawn", f"{lbl}'s end of withdrawal",
                             procs, 60) for lbl, _, fl in feeders]
        res["feeder_withdraw_send_s"] = max(w["send_s"] for w in wdones)
        res["feeder_send_cpu_s"] += sum(
            w["cpu"] - fl.get("withdraw_start")["cpu"]
            for w, (_, _, fl) in zip(wdones, feeders))
        if name == "egressd":
            # How long the loop's iterations ran (daemon/loop_watch.h):
            # the bound on how late any timer, keepalives included, fired.
            try:
                res["loop"] = drv.ctl("show", "loop")
            except Exception as exc:  # noqa: BLE001 - a report, not a result
                res["loop_error"] = str(exc)
            # The table gone again: what the process gives back.  After
            # two seconds, so egressd's once-a-second check of its
            # attribute sets (daemon/mem_trim.c) has seen the drop.
            time.sleep(2)
            res["memory_after_withdraw"] = egressd_memory(drv, line.d)
            # Each trim and how long it held the loop (daemon/mem_trim.c).
            res["trims"] = [ln for ln in drv.log().splitlines()
                            if "free memory given back" in ln]
        if idle is not None:
            os.kill(idle.pid, signal.SIGTERM)
            ie = wait_event(ilog, "exit", "idle peer's exit", procs[:1], 10)
            res["idle"] = {k: ie.get(k) for k in
                           ("keepalives", "ka_max_gap", "msg_max_gap", "hold",
                            "updates")}
        # The collector's CPU over the measured window only (its set
        # was sized before the session came up).
        res["collector_cpu_s"] = empty["cpu"] - cest["cpu"]
        res["feeder_cpu_s"] = sum(w["cpu"] for w in wdones)
        hwm, cpu1, plist = proc_stats(line.d)
        res["rss_bytes"] = hwm
        res["cpu_s"] = cpu1 - cpu0
        res["cpu_withdraw_s"] = cpu1 - cpu_full
        res["cpu_total_s"] = cpu1
        res["processes"] = plist
        res["updates_to_collector"] = empty.get("updates")
        # Other work on the machine shows here; figures taken under a
        # high load are worth less.
        res["loadavg_1min"] = os.getloadavg()[0]
    except Failed as exc:
        res["status"] = str(exc).splitlines()[0]
        res.setdefault("detail", str(exc))
    except Exception as exc:  # noqa: BLE001 - reported, next daemon runs
        res["status"] = f"error: {exc!r}"
    finally:
        if drv is not None:
            try:
                if line is not None:
                    res.setdefault("log_tail", drv.log()[-800:]
                                   if res["status"] != "ok" else "")
                drv.stop()
            except Exception:  # noqa: BLE001 - teardown goes on
                pass
        if line is not None:
            line.close()
    return res


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for ln in f:
                if ln.startswith("model name"):
                    cpu = ln.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="ascii") as f:
            mem_kb = int(f.readline().split()[1])
    except OSError:
        mem_kb = 0
    return {"nproc": os.cpu_count(), "cpu": cpu,
            "mem_gib": round(mem_kb / 2**20, 1),
            "kernel": platform.release()}


METRICS = ("propagate_s", "withdraw_s", "rss_bytes", "cpu_s",
           "feeder_send_s", "feeder_send_cpu_s", "collector_cpu_s",
           "settle_s")


def summarise(results):
    out = {}
    for name, runs in results.items():
        ok = [r for r in runs if r["status"] == "ok"]
        s = {"runs": len(runs), "ok": len(ok)}
        if ok:
            for m in METRICS:
                vals = [r[m] for r in ok if r.get(m) is not None]
                if vals:
                    s[m] = statistics.median(vals)
            gaps = [r["idle"]["ka_max_gap"] for r in ok if r.get("idle")]
            if gaps:
                # The worst run, not the median: "never late".
                s["idle_ka_max_gap_s"] = max(gaps)
                s["idle_keepalive_s"] = ok[0]["idle"]["hold"] / 3
        else:
            s["status"] = runs[0]["status"] if runs else "not run"
        out[name] = s
    return out


def print_table(summary, versions):
    hdr = (f"{'daemon':<10} {'propagate s':>11} {'withdraw s':>10} "
           f"{'peak RSS MiB':>12} {'CPU s':>7} {'feeder send s':>13} "
           f"{'feeder CPU s':>12} {'collector CPU s':>15} {'runs':>5}")
    print(hdr)
    print("-" * len(hdr))
    for name, s in summary.items():
        if not s.get("ok"):
            print(f"{name:<10} {s.get('status', '')}")
            continue
        print(f"{name:<10} {s['propagate_s']:>11.2f} {s['withdraw_s']:>10.2f} "
              f"{s['rss_bytes'] / 2**20:>12.0f} {s['cpu_s']:>7.2f} "
              f"{s['feeder_send_s']:>13.2f} {s['feeder_send_cpu_s']:>12.2f} "
              f"{s['collector_cpu_s']:>15.2f} "
              f"{str(s['ok']) + '/' + str(s['runs']):>5}")
    for name, s in summary.items():
        if s.get("settle_s") is not None:
            print(f"{name}: every feeder's paths processed "
                  f"{s['settle_s']:.2f} s after the first UPDATE (median)")
        if s.get("idle_ka_max_gap_s") is not None:
            print(f"{name}: idle peer's longest keepalive gap "
                  f"{s['idle_ka_max_gap_s']:.2f} s over all runs, keepalive "
                  f"interval {s['idle_keepalive_s']:.0f} s")
    ratios = {}
    e, b = summary.get("egressd", {}), summary.get("bird", {})
    if e.get("ok") and b.get("ok"):
        for m in ("propagate_s", "withdraw_s", "rss_bytes", "cpu_s"):
            ratios[m] = e[m] / b[m] if b.get(m) else None
        print("egressd/BIRD: " + ", ".join(
            f"{m.replace('_s', '').replace('_bytes', '')} {v:.2f}x"
            for m, v in ratios.items() if v is not None))
    elif "egressd" in summary and not e.get("ok"):
        print(f"egressd/BIRD: no ratio (egressd: {e.get('status')})")
    print()
    for name, v in versions.items():
        print(f"  {name}: {v}")
    return ratios


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build-bench"),
                    help="meson build dir configured with -Dbench=true")
    ap.add_argument("--prefixes", type=int, default=1000000)
    ap.add_argument("--mrt", default="", help="replay this MRT file instead")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--daemons", default="egressd,bird,frr,openbgpd,gobgp")
    ap.add_argument("--stall", type=float, default=60.0,
                    help="give up after this many seconds without progress")
    ap.add_argument("--timeout", type=float, default=0.0,
                    help="per phase; default scales with the table size")
    ap.add_argument("--out", default=os.path.join(REPO, "bench", "out"))
    ap.add_argument("--sample", type=float, default=0.0,
                    help="egressd: sample show memory and RSS every this "
                    "many seconds during the withdrawal")
    ap.add_argument("--feeders", type=int, default=1,
                    help=f"peers feeding the same table (1-{len(F_ADDRS)}),"
                    " each its own distinct paths")
    ap.add_argument("--idle", choices=("on", "off"), default="on",
                    help="an idle peer (egressd, bird) that records the "
                    "daemon's keepalive gaps")
    args = ap.parse_args()
    if not 1 <= args.feeders <= len(F_ADDRS):
        sys.exit(f"--feeders must be 1..{len(F_ADDRS)}")
    SETUP["feeders"] = args.feeders
    SETUP["idle"] = args.idle == "on"

    if os.geteuid() != 0:
        sys.exit("bench/run.py needs root (network namespaces)")
    build = os.path.abspath(args.build)
    os.environ["EGRESS_BUILD"] = build
    args.feeder = os.path.join(build, "bench", "feeder")
    args.collector = os.path.join(build, "bench", "collector")
    for b in (args.feeder, args.collector):
        if not os.access(b, os.X_OK):
            sys.exit(f"{b} not built (meson setup {args.build} -Dbench=true)")
    names = [d.strip() for d in args.daemons.split(",") if d.strip()]
    for d in names:
        if d not in DAEMONS:
            sys.exit(f"unknown daemon {d!r}; known: {', '.join(DAEMONS)}")

    if args.mrt:
        table_args = ["--mrt", os.path.abspath(args.mrt)]
    else:
        table_args = ["--prefixes", str(args.prefixes)]
    dry = subprocess.run([args.feeder, "--dry-run"] + table_args,
                         capture_output=True, text=True, check=False)
    table = next((json.loads(ln) for ln in dry.stdout.splitlines()
                  if '"event":"table"' in ln), None)
    if dry.returncode != 0 or not table or not table["prefixes"]:
        sys.exit(f"feeder cannot build the table: {dry.stderr.strip()}")
    encoded = next((json.loads(ln) for ln in dry.stdout.splitlines()
                    if '"event":"encoded"' in ln), {})
    n = table["prefixes"]
    print(f"table: {n} prefixes, {table['attr_sets']} attribute sets, "
          f"{encoded.get('announce_msgs')} UPDATEs "
          f"({'MRT ' + args.mrt if args.mrt else 'synthetic'})", flush=True)

    sweep_stale()
    versions = {d: version(d) for d in names}
    results = {d: [] for d in names}
    workroot = tempfile.mkdtemp(prefix="egress-bench-")
    # Runs are interleaved (every daemon once, then again) so a drift in
    # the machine's load spreads over all daemons alike.
    for i in range(args.runs):
        for d in names:
            why = missing(d)
            if why:
                if i == 0:
                    results[d].append({"daemon": d, "run": i,
                                       "status": f"skipped: {why}"})
                continue
            t0 = time.monotonic()
            r = run_once(d, args, n, table_args, workroot, i)
            results[d].append(r)
            if r["status"] == "ok":
                extra = ""
                if "settle_s" in r:
                    extra += f", all paths in {r['settle_s']:.2f} s"
                if "loop" in r:
                    extra += (f", longest loop iteration "
                              f"{r['loop']['longest_us'] / 1000:.0f} ms")
                if "idle" in r:
                    extra += (f", idle peer: keepalive max gap "
                              f"{r['idle']['ka_max_gap']:.2f} s (hold "
                              f"{r['idle']['hold']} s, keepalive "
                              f"{r['idle']['hold'] / 3:.0f} s)")
                print(f"run {i + 1}/{args.runs} {d}: propagate "
                      f"{r['propagate_s']:.2f} s, withdraw "
                      f"{r['withdraw_s']:.2f} s, peak RSS "
                      f"{r['rss_bytes'] / 2**20:.0f} MiB, CPU "
                      f"{r['cpu_s']:.2f} s{extra}", flush=True)
            else:
                print(f"run {i + 1}/{args.runs} {d}: {r['status']} "
                      f"({time.monotonic() - t0:.0f} s)", flush=True)
                if "rss_full_bytes" in r:
                    print(f"  before that: peak RSS "
                          f"{r['rss_full_bytes'] / 2**20:.0f} MiB with the "
                          f"whole table, all paths in "
                          f"{r.get('settle_s', r['propagate_s']):.2f} s, "
                          f"idle peer {r.get('idle_at_full')}", flush=True)
    summary = summarise(results)
    if "egressd" in summary and not summary["egressd"].get("ok"):
        print(f"egressd: {summary['egressd'].get('status')}")
    print()
    ratios = print_table(summary, versions)

    os.makedirs(args.out, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y%m%dT%H%M%SZ")
    path = os.path.join(args.out, f"bench-{stamp}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"command": sys.argv, "machine": machine(),
                   "versions": versions, "table": table, "encoded": encoded,
                   "params": {"prefixes": n, "mrt": args.mrt,
                              "runs": args.runs, "stall": args.stall,
                              "feeders": args.feeders, "idle": args.idle},
                   "summary": summary, "ratios_egressd_bird": ratios,
                   "results": results}, f, indent=1)
    print(f"\nJSON: {os.path.relpath(path, REPO)}")
    if all(r["status"] == "ok" or r["status"].startswith("skipped")
           for runs in results.values() for r in runs):
        shutil.rmtree(workroot, ignore_errors=True)
    else:
        print(f"logs of the failed runs kept in {workroot}")


if __name__ == "__main__":
    main()
