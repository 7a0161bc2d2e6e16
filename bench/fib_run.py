#!/usr/bin/python3
"""Kernel FIB benchmark, side by side (issue 4, "Performance").

Two parts, each run --runs times per daemon, interleaved, medians
reported (as bench/run.py does for the RIB part):

install   The feeder (bench/feeder, the synthetic table or an MRT file)
          sends the whole table to the daemon under test, which installs
          it into kernel table 100 of its namespace:

              feeder (AS 65001) --egf-- daemon (AS 65000, table 100)

          bench/fib_watch, in the daemon's namespace, counts the kernel's
          route notifications for table 100: the rate is routes in the
          table (counted by a dump afterwards) over the time from the
          first notification to the last.  Then the feeder withdraws
          everything and the delete rate is taken the same way.  Peak
          RSS and CPU are the daemon's processes' (not the watcher's).
          "fib_table" is src/fib alone (bench/fib_table_install writing
          the same table through the batched writer, no BGP in front):
          the gap to egressd's row is the daemon's own cost.  "fib_probe"
          is the same writer on tests/fib/fib_probe's dense made-up table.

failover  The router under test holds the table through the first path
          A, a second path B is available; bench/fib_failover sends a
          datagram every millisecond to each of --dsts addresses spread
          over the table from a sender namespace S, sees them arrive at
          A or B, kills the first path and times, per destination, the
          event to its first datagram through B.

              S --egs-- router --ega-- A      (primary: feeder A / gw A)
                               --egb-- B      (backup:  feeder B / gw B)

          Drivers: "probe-group": fib_probe, routes on one nexthop group
          {A}; the event is its group replace {A} -> {B} (one
          RTM_NEWNEXTHOP; its own duration is reported).  "probe-inline":
          the same with routes carrying their next hop inline, so the
          replace rewrites every route (the RTA_MULTIPATH fallback).
          "bird" and "egressd": both feeders send the table, B's routes
          get a lower LOCAL_PREF, and the event (--event) is "session"
          (feeder A ends its session: a BGP withdrawal of every primary
          path) or "link" (carrier of the router's link to A goes down).

net.ipv4.nexthop_compat_mode is per network namespace: it is set to 0
inside the router's namespace only (the host's value is not touched).

Needs root.  Python standard library only; namespaces, daemon drivers
and the RIB benchmark's helpers are imported, not copied.
"""

import argparse
import datetime
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, os.path.join(REPO, "tests", "system"))
sys.path.insert(0, BENCH)

import run as rib_bench  # noqa: E402  (bench/run.py)
from lib import egress as egress_lib  # noqa: E402
from lib import peer_bird  # noqa: E402
from lib.netns import Namespace, sweep_stale, unique_prefix, veth  # noqa: E402
from lib.peer import PeerConfig  # noqa: E402
from lib.util import run  # noqa: E402

Events, Failed, wait_event = rib_bench.Events, rib_bench.Failed, rib_bench.wait_event

TABLE = 100
FEED_AS, DUT_AS, FEED_B_AS = 65001, 65000, 65003
A_ADDR, RA_ADDR = "10.1.0.1", "10.1.0.2"     # path A (and the install feeder)
B_ADDR, RB_ADDR = "10.4.0.1", "10.4.0.2"     # path B
S_ADDR, RS_ADDR = "10.3.0.2", "10.3.0.1"     # sender
DUT_ID = "10.255.0.1"
HOLD = 240
WATCHER = "fib_watch"
LINK_NETS = ("10.1.0.", "10.3.0.", "10.4.0.")


# -- daemons under test -----------------------------------------------------

class FibBird(peer_bird.BirdPeer):
    """BIRD 2 with BGP sessions to the feeders and its kernel protocol
    exporting the best routes into table 100.  `scan time` is long so no
    periodic scan of a million routes falls into a measurement."""

    def __init__(self, ns, feeders):
        super().__init__(ns, PeerConfig(local_as=DUT_AS, router_id=DUT_ID,
                                        local_addr=feeders[0][2],
                                        remote_addr=feeders[0][0],
                                        remote_as=feeders[0][1],
                                        hold_time=HOLD, passive=True))
        self.feeders = feeders

    def config(self):
        out = [f'log "{self.path("bird.log")}" all;',
               f"router id {DUT_ID};",
               "protocol device { scan time 10; }",
               "protocol kernel {",
               "  ipv4 { import none; export all; };",
               f"  kernel table {TABLE};",
               # equal best routes as one multipath kernel route (--mode
               # ecmp); no effect while one route is better
               "  merge paths on;",
               "  learn off;",
               "  scan time 3600;",
               "}"]
        for i, (nbr, asn, local, pref) in enumerate(self.feeders):
            name = peer_bird.PROTO if i == 0 else f"feed{i}"
            out += [f"protocol bgp {name} {{",
                    f"  local {local} as {DUT_AS};",
                    f"  neighbor {nbr} as {asn};",
                    "  passive on;",
                    f"  hold time {HOLD};",
                    f"  default bgp_local_pref {pref};",
                    "  ipv4 { import all; export none; };",
                    "}"]
        return "\n".join(out) + "\n"


class FibEgressConfig(egress_lib.EgressConfig):
    """The test driver's config plus our policy and fib block."""
    fib_text = ""

    def text(self):
        return super().text() + self.fib_text


EGRESSD_FIB_EXTRA = ""   # --egressd-fib: more statements for its fib block


def make_egressd(ns, feeders):
    cfg = FibEgressConfig(router_id=DUT_ID, local_as=DUT_AS,
                          listen=[f[2] for f in feeders])
    cfg.fib_text = ("policy backup {\n    set local-pref 50\n    accept\n}\n"
                    # equal paths from the two feeders' different ASes
                    # form one group (--mode ecmp)
                    "multipath 2 relax\n"
                    f"fib {{\n    table {TABLE}\n    ecmp on\n"
                    f"{EGRESSD_FIB_EXTRA}}}\n")
    for nbr, asn, local, pref in feeders:
        cfg.neighbors.append(egress_lib.Neighbor(
            address=nbr, remote_as=asn, hold_time=HOLD, passive=True,
            local_address=local, import_="all" if pref >= 100 else "backup",
            export="none"))
    return egress_lib.Egress(ns, cfg)


DAEMONS = {
    "egressd": lambda ns, feeders: make_egressd(ns, feeders),
    "bird": lambda ns, feeders: FibBird(ns, feeders),
}


def missing(name, args):
    if name == "egressd":
        return egress_lib.binaries_missing()
    if name == "bird":
        return None if os.access(peer_bird.BIRD, os.X_OK) else \
            f"{peer_bird.BIRD} not installed"
    if name.startswith("probe") or name == "fib_probe":
        return None if os.access(args.probe, os.X_OK) else \
            f"{args.probe} not built"
    if name == "fib_table":
        return None if os.access(args.table_install, os.X_OK) else \
            f"{args.table_install} not built"
    return f"unknown {name}"


def version(name):
    return rib_bench.version(name) if name in ("egressd", "bird") else "src/fib"


def daemon_stats(ns):
    """Peak RSS and CPU of the daemon's processes: everything in its
    namespace except our watcher."""
    _, _, procs = rib_bench.proc_stats(ns)
    procs = [p for p in procs if p["comm"] != WATCHER]
    return (sum(p["hwm"] for p in procs), sum(p["cpu"] for p in procs),
            procs)


def table_counts(ns):
    """Prefixes in table 100 (IPv4) and backup routes (egressd's `fib {
    backup-routes on }`: a second route of a prefix at metric 32768), by
    a dump: the watcher's counts can be short if notifications were
    lost."""
    r = run(ns.cmd(["ip", "-4", "route", "show", "table", str(TABLE)]),
            check=False, timeout=120)
    pfx, backups = set(), 0
    for ln in r.stdout.splitlines():
        w = ln.split()
        if not w:
            continue
        pfx.add(w[0])
        if "metric" in w and w[w.index("metric") + 1:][:1] == ["32768"]:
            backups += 1
    return len(pfx), backups


def slab_objs(cache):
    """Active objects of a kernel slab cache (/proc/slabinfo, root only;
    None when unreadable or merged away): the kernel's per-route cost,
    shared by every namespace, so only a difference within one run
    means anything."""
    try:
        with open("/proc/slabinfo") as f:
            for ln in f:
                w = ln.split()
                if w and w[0] == cache:
                    return int(w[1])
    except OSError:
        pass
    return None


def table_count(ns):
    return table_counts(ns)[0]


def wait_burst(log, procs, want_new=None, want_del=None, stall=60,
               timeout=600):
    """Collect the watcher's bursts until want_new routes were added or
    want_del deleted (summing bursts: a daemon may pause longer than the
    watcher's quiet time), or nothing moved for `stall` seconds."""
    start = last_move = time.monotonic()
    tot = {"new": 0, "del": 0, "overruns": 0}
    first = None
    seen = 0
    mark = None
    while True:
        log.poll()
        bursts = [e for e in log.all if e.get("event") == "burst"]
        for b in bursts[seen:]:
            if first is None:
                first = dict(b)
            tot["new"] += b["new"]
            tot["del"] += b["del"]
            tot["overruns"] += b["overruns"]
            for k in ("last", "last_new", "last_del"):
                if b[k]:
                    first[k] = b[k]
            for k in ("first_new", "first_del"):
                if b[k] and not first.get(k):
                    first[k] = b[k]
        seen = len(bursts)
        if first is not None and (
                (want_new is not None and tot["new"] >= want_new) or
                (want_del is not None and tot["del"] >= want_del)):
            return dict(first, **tot)
        for label, p in procs:
            if not p.alive():
                raise Failed(f"{label} exited:\n" + p.log()[-1500:])
        prog = log.last("progress")
        m = (seen, prog and prog["t"])
        now = time.monotonic()
        if m != mark:
            mark, last_move = m, now
        if now - last_move > stall or now - start > timeout:
            if first is not None and tot["overruns"]:
                return dict(first, **tot)   # counts short; the dump tells
            raise Failed(f"no route notifications for {stall:.0f} s "
                         f"(seen {tot['new']} new, {tot['del']} deleted)")
        time.sleep(0.05)


# -- part 1: install rate -------------------------------------------------------

class Pair:
    """feeder -- daemon, each in its own namespace."""

    def __init__(self, workdir):
        p = unique_prefix()
        self.f = self.d = None
        try:
            self.f = Namespace(f"{p}-f", os.path.join(workdir, "feeder"))
            self.d = Namespace(f"{p}-d", os.path.join(workdir, "daemon"))
            veth(self.f, self.d, "egf")
            self.f.addr_add("egf", f"{A_ADDR}/24")
            self.d.addr_add("egf", f"{RA_ADDR}/24")
        except Exception:
            self.close()
            raise

    def close(self):
        for ns in (self.f, self.d):
            if ns is not None:
                ns.close()


def start_watcher(args, ns, procs):
    w = ns.start([args.watch, "--table", str(TABLE), "--quiet",
                  str(args.quiet)], WATCHER)
    log = Events(w)
    wait_event(log, "ready", "fib_watch ready", procs + [("watcher", w)], 10)
    return w, log


def start_perf(args, drv, name, idx, phase):
    """With --perf: a flat profile (user and kernel) of the daemon's
    main process over one phase, to see where the time goes."""
    if not args.perf:
        return None
    pdata = os.path.join(args.perf, f"perf-{name}-{phase}-{idx}.data")
    pid = drv.pid if name == "egressd" else drv.proc.pid
    return (subprocess.Popen(["perf", "record", "-q", "-F", "499", "-p",
                              str(pid), "-o", pdata],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL), pdata)


def stop_perf(perf, res, phase):
    if perf is None:
        return
    perf[0].send_signal(signal.SIGINT)
    perf[0].wait(timeout=60)
    res[f"perf_{phase}"] = perf[1]


def install_once(name, args, n, table_args, workroot, idx):
    res = {"part": "install", "daemon": name, "run": idx, "status": "ok"}
    pair = drv = None
    try:
        pair = Pair(tempfile.mkdtemp(dir=workroot,
                                     prefix=f"install-{name}-{idx}-"))
        watcher, wlog = start_watcher(args, pair.d, [])
        procs = [("watcher", watcher)]
        if name in ("fib_table", "fib_probe"):
            if name == "fib_table":
                argv = [args.table_install, "--table", str(TABLE),
                        "--gw", f"{A_ADDR}@egf"] + table_args
            else:
                argv = [args.probe, "--table", str(TABLE), "--count", str(n),
                        "--gw", f"{A_ADDR}@egf", "leave"]
            t0 = time.monotonic()
            r = pair.d.run(argv, timeout=600, check=False)
            line = next((json.loads(ln) for ln in r.stdout.splitlines()
                         if '"installed"' in ln), None)
            if r.returncode != 0 or not line:
                raise Failed(f"{name} failed: {r.stderr.strip()[-400:]}")
            res["probe_rate"] = line["rate"]
            res["probe_seconds"] = line["seconds"]
            if "cpu_install" in line:
                res["cpu_install_s"] = line["cpu_install"]
            b = wait_burst(wlog, procs, want_new=n, stall=args.stall)
            # (includes building the table, for fib_table)
            res["start_to_last_s"] = b["last_new"] - t0
            res["rss_bytes"] = None
        else:
            drv = DAEMONS[name](pair.d, [(A_ADDR, FEED_AS, RA_ADDR, 100)])
            drv.start()
            perf = start_perf(args, drv, name, idx, "install")
            _, cpu0, _ = daemon_stats(pair.d)
            feeder = pair.f.start(
                [args.feeder, "--local", A_ADDR, "--connect", RA_ADDR,
                 "--local-as", str(FEED_AS), "--peer-as", str(DUT_AS),
                 "--hold", str(HOLD)] + table_args, "feeder")
            flog = Events(feeder)
            procs += [("daemon", drv), ("feeder", feeder)]
            first = wait_event(flog, "first_update", "feeder's first UPDATE",
                               procs, 300)
            b = wait_burst(wlog, procs, want_new=n, stall=args.stall)
            stop_perf(perf, res, "install")
            res["update_to_last_s"] = b["last_new"] - first["t"]
            hwm, cpu1, plist = daemon_stats(pair.d)
            res["rss_bytes"] = hwm
            res["cpu_install_s"] = cpu1 - cpu0
            res["processes"] = plist
        res["notified_new"] = b["new"]
        res["overruns"] = b["overruns"]
        res["install_s"] = b["last_new"] - b["first_new"]
        res["routes"] = table_count(pair.d)
        res["rate"] = res["routes"] / res["install_s"] if res["install_s"] else None
        if res.get("cpu_install_s"):
            # Routes per CPU second of the writer (user + system): less
            # bent by other work on the machine than routes/s.
            res["rate_per_cpu_s"] = res["routes"] / res["cpu_install_s"]
        res["loadavg_1min"] = os.getloadavg()[0]
        if res["routes"] < n:
            res["status"] = f"only {res['routes']} of {n} routes in table {TABLE}"
            return res
        if name in DAEMONS and args.withdraw:
            _, cpu1, _ = daemon_stats(pair.d)
            perf = start_perf(args, drv, name, idx, "delete")
            os.kill(feeder.pid, signal.SIGUSR1)
            b = wait_burst(wlog, procs, want_del=res["routes"],
                           stall=args.stall)
            res["delete_s"] = b["last_del"] - b["first_del"]
            left = table_count(pair.d)
            res["delete_rate"] = ((res["routes"] - left) / res["delete_s"]
                                  if res["delete_s"] else None)
            res["left_after_withdraw"] = left
            hwm, cpu2, _ = daemon_stats(pair.d)
            res["rss_bytes"] = hwm
            res["cpu_delete_s"] = cpu2 - cpu1
            stop_perf(perf, res, "delete")
    except Failed as exc:
        res["status"] = str(exc).splitlines()[0]
        res["detail"] = str(exc)
    except Exception as exc:  # noqa: BLE001 - reported, the next one runs
        res["status"] = f"error: {exc!r}"
    finally:
        if drv is not None:
            if res["status"] != "ok":
                res["log_tail"] = drv.log()[-1500:]
            try:
                drv.stop()
            except Exception:  # noqa: BLE001 - teardown goes on
                pass
        if pair is not None:
            pair.close()
    return res


# -- part 2: failover -------------------------------------------------------

class Star:
    """S -- router -- {A, B}."""

    def __init__(self, workdir):
        p = unique_prefix()
        self.s = self.r = self.a = self.b = None
        try:
            self.s = Namespace(f"{p}-s", os.path.join(workdir, "sender"))
            self.r = Namespace(f"{p}-r", os.path.join(workdir, "router"))
            self.a = Namespace(f"{p}-a", os.path.join(workdir, "a"))
            self.b = Namespace(f"{p}-b", os.path.join(workdir, "b"))
            veth(self.s, self.r, "egs")
            veth(self.r, self.a, "ega")
            veth(self.r, self.b, "egb")
            self.s.addr_add("egs", f"{S_ADDR}/24")
            self.r.addr_add("egs", f"{RS_ADDR}/24")
            self.r.addr_add("ega", f"{RA_ADDR}/24")
            self.a.addr_add("ega", f"{A_ADDR}/24")
            self.r.addr_add("egb", f"{RB_ADDR}/24")
            self.b.addr_add("egb", f"{B_ADDR}/24")
            self.s.ip("route", "add", "default", "via", RS_ADDR)
            self.r.run(["sysctl", "-qw", "net.ipv4.ip_forward=1"])
            # Per namespace (checked on this kernel: the host keeps
            # its own value): routes through nexthop objects are then
            # not dumped or notified one by one after a group change.
            self.r.run(["sysctl", "-qw", "net.ipv4.nexthop_compat_mode=0"])
            # Only the sender's traffic is routed by table 100, so the
            # table's prefixes can never capture the BGP sessions.
            self.r.ip("rule", "add", "pref", "1000", "iif", "egs", "lookup",
                      str(TABLE))
            # Neighbour entries for both gateways exist before the
            # event: the failover should not wait for ARP.
            for addr in (A_ADDR, B_ADDR):
                self.r.run(["ping", "-c", "1", "-W", "1", addr], check=False)
        except Exception:
            self.close()
            raise

    def close(self):
        for ns in (self.s, self.a, self.b, self.r):
            if ns is not None:
                ns.close()


def pick_dsts(ns, count):
    """`count` host addresses spread evenly over table 100, none inside
    the benchmark's own link subnets."""
    r = run(ns.cmd(["ip", "-4", "route", "show", "table", str(TABLE)]),
            check=False, timeout=120)
    pfx = [ln.split()[0] for ln in r.stdout.splitlines() if ln.strip()]
    pfx = [p for p in pfx if p != "default"]
    if len(pfx) < count:
        raise Failed(f"table {TABLE} holds {len(pfx)} routes, "
                     f"fewer than {count} destinations")
    out = []
    step = len(pfx) / count
    i = 0.0
    while len(out) < count and int(i) < len(pfx):
        p = pfx[int(i)]
        i += step
        net, _, ln = p.partition("/")
        ln = int(ln or 32)
        o = [int(x) for x in net.split(".")]
        v = (o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3])
        if ln < 32:
            v += 1
        a = ".".join(str((v >> s) & 255) for s in (24, 16, 8, 0))
        if any(a.startswith(n) for n in LINK_NETS):
            continue
        out.append(a)
    if len(out) < count:
        raise Failed(f"only {len(out)} usable destinations")
    return out


def failover_once(name, args, n, table_args, workroot, idx):
    res = {"part": "failover", "daemon": name, "run": idx, "status": "ok",
           "event": args.event if name in DAEMONS else "group-replace",
           "mode": args.mode if name in DAEMONS else "backup"}
    star = drv = probe = None
    try:
        # A directory of its own: the process logs are appended to, and
        # an earlier scenario's events must not be read as this one's.
        star = Star(tempfile.mkdtemp(dir=workroot,
                                     prefix=f"failover-{name}-{idx}-"))
        watcher, wlog = start_watcher(args, star.r, [])
        procs = [("watcher", watcher)]
        event_fd = None
        if name.startswith("probe"):
            argv = [args.probe, "--table", str(TABLE), "--count", str(n),
                    "--gw", f"{A_ADDR}@ega", "--to", f"{B_ADDR}@egb"]
            if name == "probe-inline":
                argv.append("--inline")
            logp = os.path.join(star.r.workdir, "fib_probe.log")
            logf = open(logp, "wb")
            probe = subprocess.Popen(star.r.cmd(argv + ["steps"]),
                                     stdin=subprocess.PIPE, stdout=logf,
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)
            logf.close()
            star.r.procs.append(rib_bench_proc(probe, logp))
            plog = Events(star.r.procs[-1])
            inst = wait_probe(plog, "installed", probe, 600)
            res["install_s"] = inst["seconds"]
            wait_burst(wlog, procs, want_new=n, stall=args.stall)
            event_fd = probe.stdin.fileno()
            event = f"fd:{event_fd}"
        else:
            # backup: B's paths get a lower LOCAL_PREF, the table is on
            # A alone; ecmp: both equal, every route over {A, B}.
            feeders = [(A_ADDR, FEED_AS, RA_ADDR, 100),
                       (B_ADDR, FEED_B_AS, RB_ADDR,
                        50 if args.mode == "backup" else 100)]
            drv = DAEMONS[name](star.r, feeders)
            drv.start()
            fa = star.a.start(
                [args.feeder, "--local", A_ADDR, "--connect", RA_ADDR,
                 "--local-as", str(FEED_AS), "--peer-as", str(DUT_AS),
                 "--hold", str(HOLD)] + table_args, "feeder")
            fb = star.b.start(
                [args.feeder, "--local", B_ADDR, "--connect", RB_ADDR,
                 "--local-as", str(FEED_B_AS), "--peer-as", str(DUT_AS),
                 "--hold", str(HOLD)] + table_args, "feeder")
            procs += [("daemon", drv), ("feeder A", fa), ("feeder B", fb)]
            for f in (fa, fb):
                wait_event(Events(f), "announced", "feeder's table sent",
                           procs, 600)
            wait_burst(wlog, procs, want_new=n, stall=args.stall)
            # A route may be written more than once (first path, then
            # the ECMP set, then backup routes): wait until the kernel
            # table stands still.
            inst = wait_quiet(wlog, 0, args.quiet, args.stall * 5)
            if inst:
                # Everything written before the event: primaries, then
                # (egressd's backup-routes) the backup routes.
                res["install_notified"] = sum(e["new"] for e in inst)
                res["install_span_s"] = inst[-1]["last"] - inst[0]["first_new"] \
                    if inst[0].get("first_new") else None
            res["fib_alias_objs"] = slab_objs("ip_fib_alias")
            if args.event == "session":
                event = f"signal:{fa.pid}:{int(signal.SIGTERM)}"
            else:
                event = f"link-down:{star.a.name}:ega"
        res["routes"], res["backup_routes"] = table_counts(star.r)
        if res["routes"] < n:
            raise Failed(f"only {res['routes']} of {n} routes installed")
        dsts = pick_dsts(star.r, args.dsts)
        argv = [args.failover, "--send-ns", star.s.name,
                "--a", f"{star.a.name}:ega", "--b", f"{star.b.name}:egb",
                "--event", event, "--interval", str(args.interval_us),
                "--warmup", "1", "--timeout", str(args.fo_timeout)]
        if args.event_async:
            argv.append("--event-async")
        for d in dsts:
            argv += ["--dst", d]
        wlog.poll()
        nb = sum(1 for e in wlog.all if e.get("event") == "burst")
        r = subprocess.run(argv, capture_output=True, text=True,
                           pass_fds=(event_fd,) if event_fd else (),
                           timeout=args.fo_timeout + 60, check=False)
        out = next((json.loads(ln) for ln in r.stdout.splitlines()
                    if ln.startswith("{")), None)
        if not out:
            raise Failed(f"fib_failover: rc {r.returncode}: "
                         f"{r.stderr.strip()[-400:]}")
        res["failover"] = out
        res["failover_ms"] = out["max_ms"] if out["switched"] == out["dsts"] \
            else None
        res["event_call_ms"] = out["event_call_ms"]
        if r.returncode != 0:
            res["status"] = ("not every destination switched: "
                             + r.stderr.strip()[-300:])
        elif res["mode"] == "ecmp" and not (out["warm_via_b_only"]
                                            and out["warm_via_a"]):
            # Both paths equal must mean traffic on both before the
            # event, as the kernel spreads it; else this was no ECMP run.
            res["status"] = (f"no ECMP before the event: {out['warm_via_a']} "
                             f"destinations via A, {out['warm_via_b_only']} "
                             "via B only")
        elif res["mode"] == "backup" and out["warm_via_b_only"]:
            res["status"] = (f"{out['warm_via_b_only']} destinations used the "
                             "backup path before the event")
        if probe is not None:
            rep = wait_probe(plog, "replaced", probe, 120)
            res["netlink_call_ms"] = rep["seconds"] * 1e3
        # What the kernel announced after the event: one burst of
        # route notifications if every route was rewritten.
        after = wait_quiet(wlog, nb, args.quiet, args.stall * 5)
        if after:
            res["routes_notified_after"] = sum(e["new"] + e["del"]
                                               for e in after)
            res["notify_span_after_s"] = after[-1]["last"] - out["t0"]
        else:
            res["routes_notified_after"] = 0
        res["loadavg_1min"] = os.getloadavg()[0]
    except Failed as exc:
        res["status"] = str(exc).splitlines()[0]
        res["detail"] = str(exc)
    except Exception as exc:  # noqa: BLE001 - reported, the next one runs
        res["status"] = f"error: {exc!r}"
    finally:
        if probe is not None and probe.poll() is None:
            try:
                probe.stdin.close()
            except OSError:
                pass
        if drv is not None:
            if res["status"] != "ok":
                res["log_tail"] = drv.log()[-1500:]
            try:
                drv.stop()
            except Exception:  # noqa: BLE001 - teardown goes on
                pass
        if star is not None:
            star.close()
    return res


def wait_quiet(log, nb, quiet, timeout):
    """The watcher's bursts after the first nb, once route notifications
    have stopped (a daemon rewriting every route goes on long after the
    sampled destinations moved)."""
    deadline = time.monotonic() + timeout
    time.sleep(quiet + 0.3)
    while True:
        log.poll()
        bursts = [e for e in log.all if e.get("event") == "burst"]
        prog = log.last("progress")
        ongoing = prog is not None and (not bursts or
                                        prog["t"] > bursts[-1]["t"])
        if not ongoing or time.monotonic() > deadline:
            return bursts[nb:]
        time.sleep(0.2)


def rib_bench_proc(popen, log_path):
    from lib.netns import Proc
    return Proc(popen, "fib_probe", log_path)


def wait_probe(log, step, popen, timeout):
    deadline = time.monotonic() + timeout
    while True:
        log.poll()
        for e in log.all:
            if e.get("step") == step:
                return e
        if popen.poll() is not None:
            log.poll()
            for e in log.all:
                if e.get("step") == step:
                    return e
            raise Failed(f"fib_probe exited before '{step}':\n"
                         + log.proc.log()[-800:])
        if time.monotonic() > deadline:
            raise Failed(f"fib_probe: no '{step}' within {timeout} s")
        time.sleep(0.05)


# -- report -----------------------------------------------------------------

def med(runs, key):
    vals = [r[key] for r in runs if r["status"] == "ok"
            and r.get(key) is not None]
    return statistics.median(vals) if vals else None


def fmt(v, spec):
    if v is None:
        width = "".join(ch for ch in spec.split(".")[0] if ch.isdigit())
        return "-".rjust(int(width or 1))
    return f"{v:{spec}}"


def report(results, versions):
    summary = {"install": {}, "failover": {}}
    inst = results["install"]
    if inst:
        print(f"{'install':<12} {'routes/s':>10} {'install s':>9} "
              f"{'update->last s':>14} {'deletes/s':>10} {'peak RSS MiB':>12} "
              f"{'CPU s':>6} {'routes/CPU s':>12} {'load':>5} {'runs':>5}")
        for name, runs in inst.items():
            ok = [r for r in runs if r["status"] == "ok"]
            s = {"runs": len(runs), "ok": len(ok)}
            for k in ("rate", "install_s", "update_to_last_s", "delete_rate",
                      "rss_bytes", "cpu_install_s", "rate_per_cpu_s",
                      "loadavg_1min"):
                s[k] = med(runs, k)
            summary["install"][name] = s
            if not ok:
                print(f"{name:<12} {runs[0]['status'] if runs else 'not run'}")
                continue
            rss = s["rss_bytes"] / 2**20 if s["rss_bytes"] else None
            print(f"{name:<12} {fmt(s['rate'], '10.0f')} "
                  f"{fmt(s['install_s'], '9.2f')} "
                  f"{fmt(s['update_to_last_s'], '14.2f')} "
                  f"{fmt(s['delete_rate'], '10.0f')} {fmt(rss, '12.0f')} "
                  f"{fmt(s['cpu_install_s'], '6.2f')} "
                  f"{fmt(s['rate_per_cpu_s'], '12.0f')} "
                  f"{fmt(s['loadavg_1min'], '5.1f')} "
                  f"{len(ok)}/{len(runs):<3}")
        e, b = summary["install"].get("egressd"), summary["install"].get("bird")
        if e and b and e.get("rate") and b.get("rate"):
            summary["install_ratio_egressd_bird"] = e["rate"] / b["rate"]
            print(f"egressd/BIRD install rate: {e['rate'] / b['rate']:.2f}x "
                  "(target >= 2.5x and >= 250000 routes/s)")
        print()
    fo = results["failover"]
    if fo:
        print(f"{'failover':<26} {'all moved ms':>12} "
              f"{'median ms':>9} {'event call ms':>13} {'netlink ms':>10} "
              f"{'lost pkts':>9} {'routes notified':>15} {'load':>5} "
              f"{'runs':>5}")
        for name, runs in fo.items():
            ok = [r for r in runs if r["status"] == "ok"]
            s = {"runs": len(runs), "ok": len(ok)}
            for k in ("failover_ms", "event_call_ms", "netlink_call_ms",
                      "routes_notified_after", "loadavg_1min"):
                s[k] = med(runs, k)
            vals = [r["failover"]["median_ms"] for r in ok]
            s["median_dst_ms"] = statistics.median(vals) if vals else None
            vals = [r["failover"]["lost_after"] for r in ok]
            s["lost_after"] = statistics.median(vals) if vals else None
            summary["failover"][name] = s
            if not ok:
                print(f"{name:<26} {runs[0]['status'] if runs else 'not run'}")
                continue
            print(f"{name:<26} "
                  f"{fmt(s['failover_ms'], '12.1f')} "
                  f"{fmt(s['median_dst_ms'], '9.1f')} "
                  f"{fmt(s['event_call_ms'], '13.2f')} "
                  f"{fmt(s['netlink_call_ms'], '10.2f')} "
                  f"{fmt(s['lost_after'], '9.0f')} "
                  f"{fmt(s['routes_notified_after'], '15.0f')} "
                  f"{fmt(s['loadavg_1min'], '5.1f')} {len(ok)}/{len(runs):<3}")
        print()
    for name, v in versions.items():
        print(f"  {name}: {v}")
    return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build-bench"),
                    help="meson build dir configured with -Dbench=true")
    ap.add_argument("--prefixes", type=int, default=1000000)
    ap.add_argument("--mrt", default="", help="replay this MRT file instead")
    ap.add_argument("--order", default="table", choices=("table", "sets"),
                    help="order the feeder (and fib_table) sends the table "
                    "in: table, ascending by address; sets, the attribute "
                    "sets shuffled, as a speaker walking its sets by hash "
                    "sends them (the kernel's trie takes that one faster)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--parts", default="install,failover")
    ap.add_argument("--daemons", default="egressd,bird,fib_table",
                    help="install part: egressd, bird, fib_table (src/fib "
                    "alone, same table), fib_probe (src/fib alone, its own "
                    "dense table)")
    ap.add_argument("--failover-daemons",
                    default="probe-group,probe-inline,egressd,bird",
                    help="failover part: probe-group, probe-inline, "
                    "egressd, bird")
    ap.add_argument("--scenarios",
                    default="link/ecmp,session/ecmp,link/backup,session/backup",
                    help="failover, egressd and bird: EVENT/MODE list; EVENT "
                    "link (carrier of the router's link to A goes down) or "
                    "session (feeder A ends its BGP session), MODE ecmp (both "
                    "paths equal) or backup (B has a lower LOCAL_PREF)")
    ap.add_argument("--dsts", type=int, default=100)
    ap.add_argument("--event-async", action="store_true",
                    help="fire the failover event from a child process, so "
                    "the sender keeps sending during the event's call")
    ap.add_argument("--egressd-fib", default="",
                    help="more statements for egressd's fib block, e.g. "
                    "'backup-routes off'")
    ap.add_argument("--interval-us", type=int, default=1000)
    ap.add_argument("--fo-timeout", type=float, default=120.0)
    ap.add_argument("--no-withdraw", dest="withdraw", action="store_false")
    ap.add_argument("--quiet", type=float, default=1.5,
                    help="watcher: a burst ends after this many quiet s")
    ap.add_argument("--stall", type=float, default=60.0)
    ap.add_argument("--perf", default="",
                    help="install part: record a perf profile of each "
                    "daemon into this directory")
    ap.add_argument("--out", default=os.path.join(REPO, "bench", "out"))
    args = ap.parse_args()
    global EGRESSD_FIB_EXTRA
    if args.egressd_fib:
        EGRESSD_FIB_EXTRA = "".join(f"    {x.strip()}\n"
                                    for x in args.egressd_fib.split(";") if x.strip())

    if os.geteuid() != 0:
        sys.exit("bench/fib_run.py needs root (network namespaces)")
    build = os.path.abspath(args.build)
    os.environ["EGRESS_BUILD"] = build
    args.feeder = os.path.join(build, "bench", "feeder")
    args.watch = os.path.join(build, "bench", "fib_watch")
    args.failover = os.path.join(build, "bench", "fib_failover")
    args.probe = os.path.join(build, "bench", "fib_probe")
    args.table_install = os.path.join(build, "bench", "fib_table_install")
    for b in (args.feeder, args.watch, args.failover):
        if not os.access(b, os.X_OK):
            sys.exit(f"{b} not built (meson setup {args.build} -Dbench=true)")
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    # (row name, driver, scenario): the probe drivers' event is their
    # own group replace, the daemons run once per --scenarios entry.
    scen = [tuple(x.strip().split("/")) for x in args.scenarios.split(",")
            if x.strip()]
    for sc in scen:
        if len(sc) != 2 or sc[0] not in ("session", "link") \
                or sc[1] not in ("backup", "ecmp"):
            sys.exit(f"bad scenario {'/'.join(sc)!r}: EVENT/MODE with EVENT "
                     "session or link, MODE backup or ecmp")
    plan = {"install": [], "failover": []}
    if "install" in parts:
        plan["install"] = [(d.strip(), d.strip(), None)
                           for d in args.daemons.split(",") if d.strip()]
    if "failover" in parts:
        for d in (d.strip() for d in args.failover_daemons.split(",")):
            if d.startswith("probe"):
                plan["failover"].append((d, d, None))
            elif d:
                plan["failover"] += [(f"{d} {e}/{m}", d, (e, m))
                                     for e, m in scen]

    table_args = (["--mrt", os.path.abspath(args.mrt)] if args.mrt
                  else ["--prefixes", str(args.prefixes)])
    table_args += ["--order", args.order]
    dry = subprocess.run([args.feeder, "--dry-run"] + table_args,
                         capture_output=True, text=True, check=False)
    table = next((json.loads(ln) for ln in dry.stdout.splitlines()
                  if '"event":"table"' in ln), None)
    if dry.returncode != 0 or not table or not table["prefixes"]:
        sys.exit(f"feeder cannot build the table: {dry.stderr.strip()}")
    n = table["prefixes"]
    print(f"table: {n} prefixes ({'MRT ' + args.mrt if args.mrt else 'synthetic'}), "
          f"kernel table {TABLE}", flush=True)

    sweep_stale()
    names = sorted({d for part in plan.values() for _, d, _ in part})
    versions = {}
    for d in names:
        base = "egressd" if d == "egressd" else "bird" if d == "bird" else d
        versions[d] = version(base)
    results = {part: {row: [] for row, _, _ in plan[part]} for part in plan}
    workroot = tempfile.mkdtemp(prefix="egress-fibbench-")
    for part, fn in (("install", install_once), ("failover", failover_once)):
        for i in range(args.runs):
            for row, d, sc in plan[part]:
                why = missing(d, args)
                if why:
                    if i == 0:
                        results[part][row].append(
                            {"daemon": d, "run": i, "status": f"skipped: {why}"})
                    continue
                if sc:
                    args.event, args.mode = sc
                t0 = time.monotonic()
                r = fn(d, args, n, table_args, workroot, i)
                results[part][row].append(r)
                brief = {k: r.get(k) for k in (
                    "rate", "install_s", "delete_rate", "rss_bytes",
                    "failover_ms", "event_call_ms", "netlink_call_ms",
                    "routes_notified_after") if r.get(k) is not None}
                print(f"{part} run {i + 1}/{args.runs} {row}: {r['status']} "
                      f"{json.dumps(brief)} ({time.monotonic() - t0:.0f} s)",
                      flush=True)
    print()
    summary = report(results, versions)

    os.makedirs(args.out, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y%m%dT%H%M%SZ")
    path = os.path.join(args.out, f"fib-{stamp}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"command": sys.argv, "machine": rib_bench.machine(),
                   "versions": versions, "table": table,
                   "params": {k: v for k, v in vars(args).items()
                              if isinstance(v, (int, float, str, bool))},
                   "summary": summary, "results": results}, f, indent=1)
    print(f"\nJSON: {os.path.relpath(path, REPO)}")
    bad = [r for part in results.values() for runs in part.values()
           for r in runs if r["status"] != "ok"
           and not r["status"].startswith("skipped")]
    if bad:
        print(f"logs of the failed runs kept in {workroot}")
    else:
        import shutil
        shutil.rmtree(workroot, ignore_errors=True)


if __name__ == "__main__":
    main()
