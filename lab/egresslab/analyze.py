"""Turns one scenario's raw records into figures: the outage (time from
the last echo before a path change to the first on the new path, or the
longest silence where several paths share the traffic), the packets lost,
the paths before, during and after, the control-plane timeline, and every
packet that took a path the VPC route table did not point to."""

import bisect
import json
import os
import re

from . import topo

LOG_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z (\w+): (.*)$")
# Log lines carry milliseconds, cut down: an event logged in the same
# millisecond as the fault may read up to 1 ms before it.
LOG_RES = 0.0015
# A packet may follow the previous route for this long after the table
# changed (queued in the kernel or on a veth), or the sampler may have
# seen the change this late.
SLACK = 0.1


def parse_time(s):
    import calendar
    import time as _t
    base, ms = s.split(".")
    return calendar.timegm(_t.strptime(base, "%Y-%m-%dT%H:%M:%S")) + int(ms) / 1000.0


def load_packets(path, n_routers):
    sent, reply = {}, {}
    with open(path) as f:
        for ln in f:
            p = ln.split()
            if len(p) == 4 and p[0] == "S":
                sent[int(p[1])] = (int(p[2]) / 1e9, int(p[3]))
            elif len(p) == 6 and p[0] == "R":
                r = None
                for i in range(1, n_routers + 1):
                    if p[4] == topo.nat_ip(i):
                        r = i
                reply.setdefault(int(p[1]), (int(p[3]) / 1e9, r))
    return sent, reply


def control_events(logs, n):
    """(time, node, what) from the daemons' logs: session changes, hold
    timer, probe transitions, origination changes."""
    ev = []
    names = {}
    for i in range(1, n + 1):
        for t in (0, 1):
            names[topo.tunnel_cgw_ip(i, t)] = f"router {i} tunnel {t + 1}"
            names[topo.tunnel_cloud_ip(i, t)] = f"cloud tunnel {t + 1}"
    for role, text in logs.items():
        for ln in text.splitlines():
            m = LOG_RE.match(ln)
            if not m:
                continue
            t, msg = parse_time(m.group(1)), m.group(3)
            what = None
            mm = re.match(r"peer (\S+): (\w+) -> (\w+)", msg)
            if mm and ("Established" in (mm.group(2), mm.group(3))):
                down = mm.group(2) == "Established"
                who = names.get(mm.group(1), mm.group(1))
                what = ("session down: " if down else "session up: ") + who
                kind = "session-down" if down else "session-up"
            elif "hold timer expired" in msg:
                what, kind = "hold timer expired", "hold-timer"
            elif re.match(r"probe \S+: \w+ -> (up|down)", msg):
                what, kind = msg, ("probe-down" if msg.split("-> ")[1].startswith("down")
                                   else "probe-up")
            elif msg.startswith("originate ") and ("withdrawn" in msg or "announced" in msg):
                what, kind = msg, ("withdraw" if "withdrawn" in msg else "announce")
            elif "connection lost" in msg:
                what, kind = msg, "connection-lost"
            if what:
                ev.append({"time": t, "node": role, "kind": kind, "what": what})
    ev.sort(key=lambda e: e["time"])
    return ev


def kernel_events(path, table):
    """(time, text) of the VPC route table's changes as the kernel
    announced them (`ip -ts monitor`: local time, microseconds).  A
    multipath route's next hops follow on lines of their own, indented
    and without a time stamp: they belong to the event above them."""
    from datetime import datetime
    recs = []
    try:
        with open(path) as f:
            for ln in f:
                m = re.match(r"^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)\] (.*)$", ln.strip())
                if m:
                    t = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").timestamp()
                    recs.append([t, m.group(2).strip()])
                elif ln[:1].isspace() and ln.strip() and recs:
                    recs[-1][1] += " " + ln.strip()
    except OSError:
        pass
    return [(t, text) for t, text in recs if f"table {table}" in text]


def bgp_events(path, n):
    """UPDATEs the cloud received from the routers, from the capture on
    its tunnel links (tshark decodes it; kernel receive times):
    {"time", "node": "cloud", "kind": "update-rx", "what", "router",
    "withdrawn", "announced"}.  No capture or no tshark: none."""
    import shutil
    import subprocess
    if not os.path.exists(path) or not shutil.which("tshark"):
        return []
    names = {topo.tunnel_cgw_ip(i, t): (i, f"router {i} tunnel {t + 1}")
             for i in range(1, n + 1) for t in (0, 1)}
    try:
        r = subprocess.run(["tshark", "-r", path, "-Y", "bgp.type == 2", "-T", "fields",
                            "-E", "separator=|", "-e", "frame.time_epoch", "-e", "ip.src",
                            "-e", "bgp.withdrawn_prefix", "-e", "bgp.nlri_prefix"],
                           capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return []
    ev = []
    for ln in r.stdout.splitlines():
        p = ln.split("|")
        if len(p) != 4 or p[1] not in names:
            continue
        try:
            t = float(p[0])
        except ValueError:
            continue
        wd = [x for x in p[2].split(",") if x]
        an = [x for x in p[3].split(",") if x]
        i, who = names[p[1]]
        parts = ([f"withdraws {', '.join(wd)}"] if wd else []) + \
                ([f"announces {', '.join(an)}"] if an else [])
        ev.append({"time": t, "node": "cloud", "kind": "update-rx", "router": i,
                   "withdrawn": wd, "announced": an,
                   "what": f"UPDATE received from {who}: " + ("; ".join(parts) or "empty")})
    ev.sort(key=lambda e: e["time"])
    return ev


def allowed_paths(samples):
    times = [s[0] for s in samples]

    def allowed(t):
        out = set()
        i = bisect.bisect_right(times, t) - 1
        if i >= 0:
            out |= set(samples[i][1])
        # Within SLACK of a change either side of it counts.
        j = bisect.bisect_left(times, t - SLACK)
        k = bisect.bisect_right(times, t + SLACK)
        for x in range(max(j - 1, 0), min(k, len(samples))):
            out |= set(samples[x][1])
        # A sample that says when the previous table was last seen: the
        # new one may hold from then on (the poller did not look in
        # between), so a packet sent in that gap may take either.
        for x in range(i + 1, len(samples)):
            if len(samples[x]) > 2 and samples[x][2] - SLACK <= t:
                out |= set(samples[x][1])
        return out
    return allowed


def settle_time(samples, t0, t1):
    """From when a window's packets show where traffic settled: SLACK
    after the VPC route table's last change in [t0, t1) (what was sent
    before it may rightly have taken the old path, and its echo may come
    back much later: a datagram held in a neighbour queue while a tunnel
    link is down returns when the link does), else the window's last
    second."""
    chg = [s[0] for s in samples if t0 <= s[0] < t1]
    return chg[-1] + SLACK if chg else t1 - 1.0


def window_stats(sent, reply, t0, t1, new_paths, shared, samples=()):
    """Outage and losses for packets sent in [t0, t1)."""
    seqs = sorted(s for s, (ts, _f) in sent.items() if t0 <= ts < t1)
    lost = [s for s in seqs if s not in reply]
    got = sorted((reply[s][0], reply[s][1], s) for s in seqs if s in reply)
    outage = None
    first_new = None
    if shared:
        # Several paths share the traffic, each flow (source port) on
        # one of them: the longest silence of the worst flow counts.
        # Each flow's last echo before the window starts its first gap.
        before = sorted((reply[s][0], s) for s, (ts, _f) in sent.items()
                        if t0 - 0.5 <= ts < t0 and s in reply)
        by_flow = {}
        for rt, s in before + [(rt, s) for rt, _r, s in got]:
            by_flow.setdefault(sent[s][1], []).append(rt)
        gaps = [b - a for ts in by_flow.values() for a, b in zip(ts, ts[1:])]
        outage = max(gaps) if gaps else None
    else:
        prev = None
        for rt, r, _s in got:
            if r in new_paths:
                first_new = rt
                break
            prev = rt
        if first_new is not None:
            # Before any echo in the window: count from the window start.
            outage = max(0.0, first_new - (prev if prev is not None else t0))
    paths = sorted({r for _t, r, _s in got if r})
    # Where traffic settled: the routers that carried the packets sent
    # after the route table settled, judged by when a packet was sent
    # (which table it met), not by when its echo came back.  No echo at
    # all from then on settles nowhere.
    t_s = settle_time(samples, t0, t1)
    settled = sorted({r for _rt, r, s in got if r and sent[s][0] >= t_s})
    return {"sent": len(seqs), "lost": len(lost),
            "outage_ms": None if outage is None else round(outage * 1000, 1),
            "paths": paths, "settled": settled, "first_new": first_new}


def analyze(out, sc):
    d = os.path.join(out, sc["dir"])
    n = sc["routers"]
    sent, reply = load_packets(os.path.join(d, "packets.txt"), n)
    with open(os.path.join(d, "logs.json")) as f:
        logs = json.load(f)
    events = [e for e in control_events(logs, n)
              if sc["start"] - LOG_RES <= e["time"] <= sc["end"]]
    events += [e for e in bgp_events(os.path.join(d, "bgp.pcapng"), n)
               if sc["start"] <= e["time"] <= sc["end"]]
    # egressd's own route table (egressctl show route-table), first
    # sample left out: it is the state before anything happened.
    names = {}
    for i in range(1, n + 1):
        for t in (0, 1):
            names[topo.tunnel_cgw_ip(i, t)] = f"router {i} tunnel {t + 1}"
    for t, hops in sc.get("route_table_samples", [])[1:]:
        what = ", ".join(names.get(h, h) for h in hops) or "nothing"
        events.append({"time": t, "node": "cloud", "kind": "route-table",
                       "what": f"egressctl show route-table: 0.0.0.0/0 via {what}"})
    events.sort(key=lambda e: e["time"])
    samples = sc["route_samples"]
    allowed = allowed_paths(samples)
    viol = []
    for s, (rt, r) in reply.items():
        ts = sent.get(s, (rt, 0))[0]
        if r is None or r not in allowed(ts):
            viol.append({"seq": s, "sent": ts, "router": r,
                         "allowed": sorted(allowed(ts))})
    marks = {m["event"]: m["time"] for m in sc["marks"]}
    shared = sc["mode"] == "ecmp"
    all_r = set(range(1, n + 1))
    res = {"name": sc["name"], "ok": sc["ok"], "error": sc.get("error"),
           "detection": sc["detection"], "packets_sent": len(sent),
           "packets_lost": len([s for s in sent if s not in reply]),
           "path_violations": len(viol), "violations": viol[:20], "events": events,
           "marks": sc["marks"], "route_samples": samples,
           "kernel_events": kernel_events(os.path.join(d, "route-monitor.txt"),
                                          topo.ROUTE_TABLE)}
    t_f = marks.get("fault")
    t_r = marks.get("repair")
    res["before"] = window_stats(sent, reply, sc["start"], t_f or sc["end"], set(), shared,
                                 samples[1:])
    if t_f:
        fo = window_stats(sent, reply, t_f, t_r or sc["end"],
                          (all_r - {1}) if shared else {2}, shared, samples)
        rt = window_stats(sent, reply, t_r, sc["end"], {1}, shared, samples) if t_r else None
        res["failover"] = fo
        res["return"] = rt
        after_f = [e for e in events
                   if e["time"] >= t_f - LOG_RES and (not t_r or e["time"] < t_r - LOG_RES)]
        first = {}
        for e in after_f:
            key = e["kind"] + ("@cloud" if e["node"] == "cloud" else "")
            first.setdefault(key, e["time"])
            first.setdefault(e["kind"], e["time"])
        # What moved the route: the cloud losing the sessions (crash,
        # link down, hold timer), else the router's own withdrawal after
        # its probe failed (ISP).  A probe that went down behind a router
        # that could no longer tell anyone (silent) detected nothing.
        det = [first[k] for k in ("session-down@cloud",) if k in first] or \
              [first[k] for k in ("withdraw", "probe-down") if k in first]
        res["detect_ms"] = round(max(0.0, min(det) - t_f) * 1000, 1) if det else None
        chg = [s[0] for s in samples if s[0] >= t_f and (not t_r or s[0] < t_r)]
        res["route_sampled_ms"] = round((chg[0] - t_f) * 1000, 1) if chg else None
        # The kernel's own announcement of the change is exact; the
        # sample is the fallback.
        def to_new_router(text):
            if text.startswith("Deleted"):
                return False
            hops = set(re.findall(r"via (\S+)", text))
            rs = {i for i in range(1, n + 1) for h in hops
                  if h in (topo.tunnel_cgw_ip(i, 0), topo.tunnel_cgw_ip(i, 1))}
            return bool(rs) and 1 not in rs
        # The move away from router 1 (a switch between router 1's two
        # tunnels on the way does not count; under ECMP, the first table
        # without router 1 among its next hops).
        kev = [k for k in res["kernel_events"] if k[0] >= t_f and (not t_r or k[0] < t_r)
               and to_new_router(k[1])]
        res["route_change_ms"] = (round((kev[0][0] - t_f) * 1000, 1) if kev
                                  else res["route_sampled_ms"])
        res["sessions_down_during_fault"] = sum(1 for e in after_f if e["kind"] == "session-down"
                                                and e["node"] == "cloud")
        res["withdraw_ms"] = (round((first["withdraw"] - t_f) * 1000, 1)
                              if "withdraw" in first else None)
        # The router's withdrawal as the cloud's kernel received it
        # (every tunnel's: the route moves off router 1 with the last).
        rx = [e["time"] for e in after_f if e["kind"] == "update-rx" and e["router"] == 1
              and e["withdrawn"]]
        res["withdraw_rx_ms"] = [round((t - t_f) * 1000, 1) for t in rx] or None
    return res
