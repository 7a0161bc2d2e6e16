"""The lab's report: a text table per scenario, lab/out/report.json and
an SVG timeline (hand-written; no plotting package needed)."""

import glob
import json
import os
from datetime import datetime, timezone

from .analyze import analyze

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
          "#bcbd22"]


def fmt_ms(v):
    return "-" if v is None else (f"{v / 1000:.1f} s" if v >= 10000 else f"{v:.0f} ms")


def paths(p):
    return "+".join(f"r{x}" for x in p) if p else "none"


def load(out):
    res = []
    for path in sorted(glob.glob(os.path.join(out, "scenarios", "*", "scenario.json")),
                       key=os.path.getmtime):
        with open(path) as f:
            sc = json.load(f)
        res.append(analyze(out, sc))
    return res


def text_table(results, meta):
    lines = [f"egress lab: {meta['routers']} routers, {meta['personality']}, {meta['mode']}"
             f"  ({meta['when']})", ""]
    hdr = (f"{'scenario':9} {'detected':>9} {'route':>9} {'outage':>9} {'lost':>5} "
           f"{'back':>9} {'lost':>5} {'paths before > during > after':31} {'bgp down':>8} "
           f"{'bad path':>8}")
    lines += [hdr, "-" * len(hdr)]
    for r in results:
        fo, rt = r.get("failover") or {}, r.get("return") or {}
        p = paths(r["before"]["paths"])
        if fo:
            p += " > " + paths(fo.get("settled")) + " > " + paths(rt.get("settled"))
        lines.append(
            f"{r['name']:9} {fmt_ms(r.get('detect_ms')):>9} {fmt_ms(r.get('route_change_ms')):>9} "
            f"{fmt_ms(fo.get('outage_ms')):>9} {fo.get('lost', r['packets_lost']):>5} "
            f"{fmt_ms(rt.get('outage_ms')):>9} {rt.get('lost', '-'):>5} {p:31} "
            f"{r.get('sessions_down_during_fault', 0):>8} {r['path_violations']:>8}"
            + ("" if r["ok"] else "  FAILED: " + (r.get("error") or "")))
    lines += ["",
              "detected: fault to the cloud's first session down, else to the router's",
              "withdrawal of its default after its probe failed;",
              "route: fault to the VPC route table's change (kernel table 100, as `ip -ts",
              "monitor` announced it); outage: last echo before the move to the first on the new path",
              (f"(ECMP: the longest silence of any of the {meta['flows']} flows, each sending "
               f"every {meta['flows'] * meta['interval_ms']} ms);" if meta["mode"] == "ecmp"
               else "(one flow);"),
              "back: the same for the return to router 1 after",
              f"the repair; lost: datagrams (one every {meta['interval_ms']} ms) never echoed; "
              "bgp down: cloud",
              "sessions that went down during the fault; bad path: echoes that came back",
              "through a router the route table did not point to.", ""]
    for r in results:
        lines.append(f"{r['name']}: {r['detection']}")
        t0 = r["marks"][0]["time"] if r["marks"] else None
        if not t0:
            continue
        tl = [(m["time"], f"{m['event']}: {m['what']}") for m in r["marks"]]
        tl += [(e["time"], f"{e['node']}: {e['what']}") for e in r["events"]
               if e["time"] >= t0 - 0.0015]
        if r["kernel_events"]:
            tl += [(k[0], f"cloud kernel: {k[1]}") for k in r["kernel_events"] if k[0] >= t0]
        else:
            tl += [(s[0], f"cloud kernel table 100: default via {paths(s[1])}")
                   for s in r["route_samples"] if s[0] >= t0]
        for t, what in sorted(tl, key=lambda x: x[0]):
            lines.append(f"  {max(0.0, 1000 * (t - t0)):8.0f} ms  {what}")
    return "\n".join(lines) + "\n"


# Legend geometry at font-size 11: a swatch of 10 px, 4 px to its label,
# and the label's width estimated generously (sans-serif digits and
# lower-case letters stay under 0.62 em), then 12 px to the next swatch.
LEGEND_FONT = 11
LEGEND_SWATCH = 14


def legend_text_width(label):
    return len(label) * LEGEND_FONT * 0.62


def legend_layout(routers, width):
    """[(x of the swatch, label)] for "router 1".."router N", right-aligned
    to width - 20: each entry as wide as its own label, so a label never
    runs into the next swatch (a fixed 55 px step did with "router 1")."""
    labels = [f"router {i + 1}" for i in range(routers)]
    steps = [LEGEND_SWATCH + round(legend_text_width(lb)) + 12 for lb in labels]
    x = width - 20 - sum(steps)
    out = []
    for lb, st in zip(labels, steps):
        out.append((x, lb))
        x += st
    return out


def svg_timeline(out, results, meta):
    """One band per scenario: every datagram as a tick at its send time,
    coloured by the router that echoed it, red below the band if lost;
    fault and repair as vertical lines, control-plane events as marks."""
    W, left, band, gap = 1000, 90, 46, 26
    H = 40 + len(results) * (band + gap) + 40
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'font-family="sans-serif" font-size="11">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="10" y="18" font-size="13">egress lab: {meta["routers"]} routers, '
         f'{meta["personality"]}, {meta["mode"]}; UDP echo every {meta["interval_ms"]} ms, '
         f'bar colour = router that carried it, red = lost</text>']
    for i, (x, label) in enumerate(legend_layout(meta["routers"], W)):
        o.append(f'<rect x="{x}" y="26" width="10" height="10" '
                 f'fill="{COLORS[i % len(COLORS)]}"/><text x="{x + 14}" y="35">'
                 f'{label}</text>')
    y = 50
    for r in results:
        sc_dir = os.path.join(out, "scenarios", r["name"])
        from .analyze import load_packets
        sent, reply = load_packets(os.path.join(sc_dir, "packets.txt"), meta["routers"])
        if not sent:
            continue
        t0 = min(t for t, _f in sent.values())
        t1 = max(t for t, _f in sent.values())
        span = max(t1 - t0, 1.0)
        sx = lambda t: left + (W - left - 20) * (t - t0) / span  # noqa: E731
        o.append(f'<text x="8" y="{y + band / 2 + 4}" font-weight="bold">{r["name"]}</text>')
        o.append(f'<rect x="{left}" y="{y}" width="{W - left - 20}" height="{band}" '
                 f'fill="#f4f4f4"/>')
        # Runs of datagrams with the same fate (echoed by the same router,
        # or lost) become one bar, so the file stays small.
        runs = []
        for s, (ts, _f) in sorted(sent.items()):
            fate = reply[s][1] if s in reply and reply[s][1] else 0
            if runs and runs[-1][0] == fate and ts - runs[-1][2] < 0.05:
                runs[-1][2] = ts
            else:
                runs.append([fate, ts, ts])
        for fate, a, b in runs:
            x0 = sx(a)
            x1 = min(max(sx(b + 0.01), x0 + 0.8), W - 20)
            if fate:
                c = COLORS[(fate - 1) % len(COLORS)]
                o.append(f'<rect x="{x0:.1f}" y="{y + 4}" width="{x1 - x0:.1f}" '
                         f'height="{band * 0.5:.0f}" fill="{c}"/>')
            else:
                o.append(f'<rect x="{x0:.1f}" y="{y + band * 0.6:.0f}" width="{x1 - x0:.1f}" '
                         f'height="{band * 0.38:.0f}" fill="red"/>')
        for m in r["marks"]:
            x = sx(m["time"])
            o.append(f'<line x1="{x:.1f}" y1="{y - 4}" x2="{x:.1f}" y2="{y + band + 4}" '
                     f'stroke="black" stroke-dasharray="3,2"/>')
            o.append(f'<text x="{x + 2:.1f}" y="{y + band + 14}">{m["event"]}</text>')
        for e in r["events"]:
            if e["kind"] in ("session-down", "probe-down", "withdraw", "hold-timer") and \
                    t0 <= e["time"] <= t1:
                x = sx(e["time"])
                o.append(f'<circle cx="{x:.1f}" cy="{y + band * 0.58:.0f}" r="2.5" fill="black">'
                         f'<title>{e["node"]}: {e["what"]}</title></circle>')
        o.append(f'<text x="{W - 20}" y="{y + band + 14}" text-anchor="end">{span:.1f} s</text>')
        y += band + gap
    o.append("</svg>")
    with open(os.path.join(out, "timeline.svg"), "w") as f:
        f.write("\n".join(o) + "\n")


def write_report(out):
    results = load(out)
    if not results:
        return "no scenario has run yet (lab/egress-lab scenario NAME)"
    state = {}
    for path in (os.path.join(out, "state.json"), os.path.join(out, "meta.json")):
        if os.path.exists(path):
            with open(path) as f:
                state = json.load(f)
            break
    first = json.load(open(os.path.join(out, "scenarios", results[0]["name"],
                                        "scenario.json")))
    meta = {"routers": first["routers"], "personality": first["personality"],
            "mode": first["mode"],
            # Records from before the ECMP flow count was recorded.
            "flows": first.get("flows", 8 if first["mode"] == "ecmp" else 1),
            "interval_ms": first.get("interval_ms", 10),
            "when": datetime.fromtimestamp(first["start"], timezone.utc).strftime(
                "%Y-%m-%d %H:%M UTC")}
    meta.update({k: state[k] for k in ("routers", "personality", "mode") if k in state})
    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump({"lab": meta, "scenarios": results}, f, indent=1)
    text = text_table(results, meta)
    with open(os.path.join(out, "report.txt"), "w") as f:
        f.write(text)
    svg_timeline(out, results, meta)
    return text + f"\n(report.json, report.txt and timeline.svg in {out})"
