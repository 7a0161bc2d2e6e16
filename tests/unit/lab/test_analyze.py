#!/usr/bin/python3
"""The lab's figures on made-up records, where the right answer is known:
outage from the last echo before a move to the first on the new path,
losses, where traffic settled, the worst flow's silence under ECMP,
packets on a path the route table did not allow, and the control-plane
events read from daemon log lines.

usage: test_analyze.py LAB_DIR"""

import json
import os
import shutil
import struct
import sys
import tempfile
import time
import unittest

sys.path.insert(0, sys.argv.pop(1) if len(sys.argv) > 1 else
                os.path.join(os.path.dirname(__file__), "..", "..", "..", "lab"))

from egresslab import analyze, topo  # noqa: E402

T0 = 1_800_000_000.0


def write_packets(path, pkts):
    """pkts: (seq, send, flow, reply_or_None, router_or_None), times in
    seconds from T0."""
    with open(path, "w") as f:
        for s, ts, fl, rt, r in pkts:
            ts += T0
            rt = None if rt is None else rt + T0
            f.write(f"S {s} {int(ts * 1e9)} {fl}\n")
            if rt is not None:
                f.write(f"R {s} {int(ts * 1e9)} {int(rt * 1e9)} {topo.nat_ip(r)} {fl}\n")
        f.write(f"E {len(pkts)}\n")


def scenario(d, name, pkts, marks, samples, mode="primary-backup", logs=None):
    sd = os.path.join(d, "scenarios", name)
    os.makedirs(sd)
    write_packets(os.path.join(sd, "packets.txt"), pkts)
    with open(os.path.join(sd, "logs.json"), "w") as f:
        json.dump(logs or {}, f)
    return {"name": name, "routers": 2, "personality": "aws-vgw", "mode": mode,
            "detection": "", "ok": True, "start": T0, "end": T0 + 10,
            "marks": [{"time": T0 + t, "event": e, "what": e} for t, e in marks],
            "route_samples": [[T0 + x[0], x[1]] + [T0 + y for y in x[2:]] for x in samples],
            "dir": os.path.relpath(sd, d)}


class Analyze(unittest.TestCase):
    def setUp(self):
        # `ip -ts monitor` stamps local time; T0 is 08:00:00 UTC.
        os.environ["TZ"] = "UTC"
        time.tzset()
        self.tmp = tempfile.TemporaryDirectory()
        self.d = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_failover_and_return(self):
        # Every 10 ms; r1 until 3.00 s, nothing 3.00-3.50, r2 until 6 s, r1 after.
        pkts = []
        for k in range(900):
            ts = k * 0.01
            if ts < 3.0:
                pkts.append((k, ts, 0, ts + 0.001, 1))
            elif ts < 3.5:
                pkts.append((k, ts, 0, None, None))
            elif ts < 6.0:
                pkts.append((k, ts, 0, ts + 0.001, 2))
            else:
                pkts.append((k, ts, 0, ts + 0.001, 1))
        logs = {"cloud": "2027-01-15T08:00:02.999Z warning: peer 169.254.247.2: hold timer "
                         "expired in Established\n"
                         "2027-01-15T08:00:03.002Z info: peer 169.254.247.2: Established -> Idle\n"}
        sc = scenario(self.d, "crash", pkts, [(2.95, "fault"), (5.9, "repair")],
                      [(0, [1]), (3.45, [2]), (5.995, [1])], logs=logs)
        r = analyze.analyze(self.d, sc)
        fo, back = r["failover"], r["return"]
        self.assertEqual(fo["lost"], 50)
        # Last r1 echo at 2.991, first r2 echo at 3.501.
        self.assertAlmostEqual(fo["outage_ms"], 510.0, delta=0.2)
        self.assertEqual(fo["settled"], [2])
        self.assertEqual(back["settled"], [1])
        self.assertEqual(back["lost"], 0)
        self.assertAlmostEqual(back["outage_ms"], 10.0, delta=0.2)
        self.assertEqual(r["path_violations"], 0)
        self.assertEqual(r["before"]["paths"], [1])
        self.assertAlmostEqual(r["route_change_ms"], 500.0, delta=0.2)
        # Log times are UTC wall clock (T0 is 2027-01-15T08:00:00Z): the
        # session went down 52 ms after the fault.
        self.assertEqual(r["sessions_down_during_fault"], 1)
        self.assertAlmostEqual(r["detect_ms"], 52.0, delta=0.5)

    def test_path_violation_counted(self):
        # r2 echoes while the table still pointed at r1 only.
        pkts = [(k, k * 0.01, 0, k * 0.01 + 0.001, 2 if 100 <= k < 103 else 1)
                for k in range(300)]
        sc = scenario(self.d, "baseline", pkts, [], [(0, [1])])
        r = analyze.analyze(self.d, sc)
        self.assertEqual(r["path_violations"], 3)
        self.assertEqual([v["seq"] for v in r["violations"]], [100, 101, 102])

    def test_change_seen_late_is_no_violation(self):
        # The poller's asks at 1.0 s and 1.5 s (a loaded machine: each
        # starts a process): the table moved to r2 somewhere in between
        # and packets went via r2 from 1.2 s.  Only what was sent before
        # the previous answer (1.0 s, less the slack) must use r1.
        pkts = [(k, k * 0.01, 0, k * 0.01 + 0.001, 2 if k >= 120 or k in (50, 51) else 1)
                for k in range(300)]
        sc = scenario(self.d, "baseline", pkts, [], [(0, [1]), (1.5, [2], 1.0)])
        r = analyze.analyze(self.d, sc)
        self.assertEqual([v["seq"] for v in r["violations"]], [50, 51])

    def test_ecmp_worst_flow(self):
        # Two flows alternating, flow 0 on r2 throughout; flow 1 on r1,
        # silent 2.0-2.7 s, then on r2.
        pkts = []
        for k in range(500):
            ts, fl = k * 0.01, k % 2
            if fl == 1 and 2.0 <= ts < 2.7:
                pkts.append((k, ts, fl, None, None))
            else:
                pkts.append((k, ts, fl, ts + 0.001, 1 if (fl == 1 and ts < 2.0) else 2))
        sc = scenario(self.d, "isp", pkts, [(1.95, "fault"), (4.0, "repair")],
                      [(0, [1, 2]), (2.69, [2])], mode="ecmp")
        r = analyze.analyze(self.d, sc)
        fo = r["failover"]
        self.assertEqual(r["before"]["paths"], [1, 2])
        self.assertEqual(fo["lost"], 35)
        # Flow 1: last echo of a packet sent at 1.99, next at 2.71.
        self.assertAlmostEqual(fo["outage_ms"], 720.0, delta=0.2)
        self.assertEqual(fo["settled"], [2])

    def test_settled_by_send_time_not_echo_time(self):
        # Link down: the packet sent at 3.00 s met the table still on r1
        # and was held (a neighbour queue on the dead link); its echo
        # came back through r1 at 7.0 s, after the repair.  The route
        # moved at 3.01 s and everything sent from then on went via r2:
        # traffic settled on r2 alone.
        pkts = []
        for k in range(900):
            ts = k * 0.01
            if ts < 3.0 or ts >= 6.0:
                pkts.append((k, ts, 0, ts + 0.001, 1))
            elif k == 300:
                pkts.append((k, ts, 0, 7.0, 1))
            else:
                pkts.append((k, ts, 0, ts + 0.001, 2))
        samples = [(0, [1]), (3.012, [2]), (6.03, [1])]
        sc = scenario(self.d, "linkdown", pkts, [(2.995, "fault"), (5.99, "repair")], samples)
        r = analyze.analyze(self.d, sc)
        fo = r["failover"]
        self.assertEqual(fo["settled"], [2])
        self.assertEqual(fo["paths"], [1, 2])
        self.assertEqual(r["return"]["settled"], [1])
        self.assertEqual(r["path_violations"], 0)

        # The same records with one packet sent well after the move
        # (4.0 s) echoed through r1: it did not settle on r2.
        pkts[400] = (400, 4.0, 0, 4.001, 1)
        sc = scenario(self.d, "linkdown2", pkts, [(2.995, "fault"), (5.99, "repair")],
                      samples)
        r = analyze.analyze(self.d, sc)
        self.assertEqual(r["failover"]["settled"], [1, 2])
        self.assertEqual(r["path_violations"], 1)

    def test_settled_nowhere_when_nothing_comes_back(self):
        # The table moved to r2 at 3.0 s but r2 echoes nothing.
        pkts = [(k, k * 0.01, 0, (k * 0.01 + 0.001) if k < 300 else None,
                 1 if k < 300 else None) for k in range(600)]
        sc = scenario(self.d, "crash", pkts, [(2.99, "fault"), (5.9, "repair")],
                      [(0, [1]), (3.0, [2])])
        r = analyze.analyze(self.d, sc)
        self.assertEqual(r["failover"]["settled"], [])

    def test_kernel_events_multipath(self):
        # `ip -ts monitor` prints a multipath route's next hops on
        # indented lines after the stamped one; a main-table route (no
        # "table") and a deletion are not the VPC table's move.
        path = os.path.join(self.d, "mon.txt")
        with open(path, "w") as f:
            f.write("[2027-01-15T08:00:01.000100] default nhid 7 proto 57 \n"
                    "\tnexthop via 169.254.247.26 dev t2a weight 1 \n"
                    "[2027-01-15T08:00:01.000200] Deleted default table 100 proto 57 \n"
                    "\tnexthop via 169.254.247.26 dev t2a weight 1 \n"
                    "[2027-01-15T08:00:01.000300] default table 100 proto 57 \n"
                    "\tnexthop via 169.254.247.2 dev t1a weight 1 \n"
                    "\tnexthop via 169.254.247.26 dev t2a weight 1 \n"
                    "[2027-01-15T08:00:01.000400] default table 100 proto 57 \n"
                    "\tnexthop via 169.254.247.26 dev t2a weight 1 \n"
                    "\tnexthop via 169.254.247.30 dev t2b weight 1 \n")
        ev = analyze.kernel_events(path, 100)
        self.assertEqual(len(ev), 3)
        self.assertTrue(ev[1][1].endswith("via 169.254.247.26 dev t2a weight 1"), ev[1])
        self.assertIn("169.254.247.2 ", ev[1][1])

        # In an ECMP scenario the route's move is the first table
        # without router 1 (the event at 1.0004 s), not the sample.
        sd = os.path.join(self.d, "scenarios", "crash")
        pkts = [(k, k * 0.01, k % 2, k * 0.01 + 0.001, 2 if k >= 100 else 1 + k % 2)
                for k in range(400)]
        sc = scenario(self.d, "crash", pkts, [(0.9, "fault"), (3.0, "repair")],
                      [(0, [1, 2]), (1.1, [2])], mode="ecmp")
        os.rename(path, os.path.join(sd, "route-monitor.txt"))
        r = analyze.analyze(self.d, sc)
        self.assertAlmostEqual(r["route_change_ms"], 100.4, delta=0.05)

    @unittest.skipUnless(shutil.which("tshark"), "tshark is not installed")
    def test_bgp_events_from_capture(self):
        # One BGP UPDATE withdrawing 0.0.0.0/0 from router 1's tunnel 2
        # end to the cloud, in a classic pcap; tshark decodes it.
        bgp = b"\xff" * 16 + struct.pack("!HB", 24, 2) + struct.pack("!H", 1) + b"\x00" + \
            struct.pack("!H", 0)
        tcp = struct.pack("!HHIIBBHHH", 40000, 179, 1, 1, 5 << 4, 0x18, 65535, 0, 0)
        src = bytes(int(x) for x in topo.tunnel_cgw_ip(1, 1).split("."))
        dst = bytes(int(x) for x in topo.tunnel_cloud_ip(1, 1).split("."))
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(bgp), 1, 0, 64, 6, 0,
                         src, dst)
        frame = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp + bgp
        path = os.path.join(self.d, "bgp.pcap")
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
            f.write(struct.pack("<IIII", int(T0) + 3, 250000, len(frame), len(frame)) + frame)
        ev = analyze.bgp_events(path, 2)
        self.assertEqual(len(ev), 1, ev)
        self.assertEqual(ev[0]["router"], 1)
        self.assertEqual(ev[0]["withdrawn"], ["0.0.0.0"])
        self.assertAlmostEqual(ev[0]["time"], T0 + 3.25, delta=1e-6)
        self.assertIn("router 1 tunnel 2", ev[0]["what"])

    def test_control_events(self):
        logs = {"cloud": "2027-01-15T08:00:00.100Z info: peer 169.254.247.2: Established -> Idle\n"
                         "garbage line\n",
                "cgw1": "2027-01-15T08:00:00.050Z warning: probe uplink: up -> down "
                        "(3 failures in a row)\n"
                        "2027-01-15T08:00:00.051Z info: originate 0.0.0.0/0: withdrawn (x)\n"}
        ev = analyze.control_events(logs, 2)
        self.assertEqual([e["kind"] for e in ev], ["probe-down", "withdraw", "session-down"])
        self.assertEqual(ev[2]["what"], "session down: router 1 tunnel 1")
        self.assertAlmostEqual(ev[2]["time"] - ev[0]["time"], 0.05, delta=1e-6)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
