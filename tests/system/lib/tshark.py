"""tshark as the wire-format oracle: capture on a test link, then ask
Wireshark's BGP dissector whether anything a given source sent is
malformed or carries an expert warning/error."""

import os
import subprocess
import time

from .util import run, wait_until

TSHARK = "/usr/bin/tshark"
DUMPCAP = "/usr/bin/dumpcap"


class Capture:
    def __init__(self, ns, ifname, path):
        self.ns = ns
        self.ifname = ifname
        self.path = path
        self.proc = None

    def start(self):
        # dumpcap is what tshark itself runs to capture; it writes the
        # file directly and stops cleanly on SIGTERM.
        self.proc = self.ns.start([DUMPCAP, "-q", "-i", self.ifname,
                                   "-f", "tcp port 179", "-w", self.path],
                                  "dumpcap-" + self.ifname)
        wait_until(lambda: os.path.exists(self.path)
                   and os.path.getsize(self.path) > 0, 10,
                   what="dumpcap to start")
        # The file header is written just before capturing starts.
        time.sleep(0.3)

    def stop(self):
        if self.proc:
            time.sleep(0.3)  # let the last packets reach the file
            self.proc.stop()
            self.proc = None


def bgp_fields(pcap, src, display_filter, fields):
    """Rows (lists of field values) of BGP packets from src matching the
    filter.  Full TCP reassembly so messages spanning segments decode."""
    addr_field = "ipv6.src" if ":" in src else "ip.src"
    flt = f"{addr_field} == {src} && bgp"
    if display_filter:
        flt += f" && ({display_filter})"
    cmd = [TSHARK, "-n", "-r", pcap, "-o", "tcp.desegment_tcp_streams:TRUE",
           "-d", "tcp.port==179,bgp", "-Y", flt, "-T", "fields",
           "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in fields:
        cmd += ["-e", f]
    r = run(cmd, timeout=60)
    return [line.split("|") for line in r.stdout.splitlines() if line]


def message_types(pcap, src):
    """Set of BGP message type numbers src sent (1 OPEN, 2 UPDATE,
    3 NOTIFICATION, 4 KEEPALIVE, 5 ROUTE-REFRESH)."""
    types = set()
    for row in bgp_fields(pcap, src, None, ["bgp.type"]):
        for t in row[0].split(","):
            if t.strip().isdigit():
                types.add(int(t))
    return types


def problems(pcap, src):
    """Frames from src that tshark marks malformed or with an expert
    message of severity warning or error: list of (frame, info)."""
    rows = bgp_fields(pcap, src,
                      "_ws.malformed || _ws.expert.severity >= warning",
                      ["frame.number", "_ws.expert.message", "_ws.col.Info"])
    return rows


def verbose(pcap, frame):
    """Full dissection of one frame, for failure messages."""
    r = subprocess.run([TSHARK, "-n", "-r", pcap, "-d", "tcp.port==179,bgp",
                        "-V", "-Y", f"frame.number == {frame}"],
                       capture_output=True, text=True, timeout=60)
    return r.stdout[-6000:]
