"""BIRD 2 driver: bird -f with a private control socket; state and routes
from `birdc show protocols all` / `show route all` (BIRD has no JSON
output, so the text is parsed here)."""

import re
import time

from .peer import Peer, Route, canon_addr, canon_prefix
from .util import run

BIRD = "/usr/sbin/bird"
BIRDC = "/usr/sbin/birdc"
PROTO = "eg"


def _community(c):
    a, b = c.split(":")
    return f"({int(a)},{int(b)})"


def _large(c):
    a, b, d = c.split(":")
    return f"({int(a)},{int(b)},{int(d)})"


class BirdPeer(Peer):
    NAME = "bird"

    def config(self):
        c = self.cfg
        afi = c.afi
        statics = "".join(f"    route {a.prefix} blackhole;\n"
                          for a in c.announce)
        # The export filter sets the attributes of our static routes.
        # bgp_path.prepend() runs before BIRD prepends its own AS on an
        # eBGP session, so prepending in reverse gives [own] + prepend.
        sets = []
        for a in c.announce:
            body = []
            if a.med is not None:
                body.append(f"bgp_med = {a.med};")
            for com in a.communities:
                body.append(f"bgp_community.add({_community(com)});")
            for com in a.large_communities:
                body.append(f"bgp_large_community.add({_large(com)});")
            for asn in reversed(a.prepend):
                body.append(f"bgp_path.prepend({asn});")
            sets.append(f"      if net = {a.prefix} then {{ {' '.join(body)} }}\n")
        password = f'  password "{c.password}";\n' if c.password else ""
        passive = "  passive on;\n" if c.passive else ""
        gr = (f"  graceful restart on;\n  graceful restart time "
              f"{c.graceful_restart};\n" if c.graceful_restart else "")
        return f"""\
log "{self.path('bird.log')}" all;
router id {c.router_id};
protocol device {{ scan time 1; }}
protocol static st {{
  {afi};
{statics}}}
protocol bgp {PROTO} {{
  local {c.local_addr} as {c.local_as};
  neighbor {c.remote_addr} as {c.remote_as};
  hold time {c.hold_time};
  keepalive time {max(1, c.hold_time // 3)};
  connect delay time 1;
  connect retry time {c.connect_retry};
  error wait time 1, 5;
{password}{passive}{gr}  {afi} {{
    import all;
    export filter {{
      if proto != "st" then reject;
{''.join(sets)}      accept;
    }};
  }};
}}
"""

    def start(self, recovery=False):
        """recovery: start as a router coming back from a graceful
        restart (bird -R), which sets the Forwarding State bit."""
        conf = self.write("bird.conf", self.config())
        self.sock = self.path("bird.ctl")
        argv = [BIRD, "-f", "-c", conf, "-s", self.sock,
                "-P", self.path("bird.pid")]
        if recovery:
            argv.append("-R")
        self.proc = self.ns.start(argv, "bird")
        self.wait_ready()

    def birdc(self, *args):
        r = run(self.ns.cmd([BIRDC, "-s", self.sock] + list(args)))
        return r.stdout

    def since(self, settle=0.3, timeout=5.0):
        """BIRD's time of the protocol's last state change, once two
        reads `settle` seconds apart agree.  Right after Established,
        BIRD may still move the protocol from start to up (its channels
        come up a moment after the session), which shifts the time by a
        millisecond; a test comparing "since" before and after must not
        take that for a session reset.  So the time counts only once the
        protocol reads "up" (on a loaded machine the channels took longer
        than one settle period)."""
        def read():
            out = self.birdc("show", "protocols", PROTO)
            m = re.search(r"^\S+\s+BGP\s+\S+\s+(\S+)\s+"
                          r"(\S+(?:\s+\d\d:\d\d:\d\d(?:\.\d+)?)?)", out, re.M)
            assert m, out
            return m.group(1), m.group(2)
        deadline = time.monotonic() + timeout
        last = read()
        while True:
            time.sleep(settle)
            now = read()
            if (now == last and now[0] == "up") or time.monotonic() > deadline:
                return now[1]
            last = now

    def state(self):
        out = self.birdc("show", "protocols", "all", PROTO)
        m = re.search(r"BGP state:\s+(\w+)", out)
        return m.group(1) if m else ""

    def request_refresh(self):
        """Ask the neighbor to re-send its routes (ROUTE-REFRESH,
        RFC 2918): BIRD does so on `reload in`."""
        self.birdc("reload", "in", PROTO)

    def routes(self):
        out = self.birdc("show", "route", "all", "protocol", PROTO)
        return parse_routes(out)


def parse_routes(text):
    """Parse `birdc show route all` into {prefix: Route}."""
    routes = {}
    cur = None
    for line in text.splitlines():
        m = re.match(r"^([0-9a-fA-F.:]+/\d+)\s+\w+\s+\[", line)
        if m:
            cur = Route(prefix=canon_prefix(m.group(1)))
            routes[cur.key()] = cur
            continue
        if cur is None:
            continue
        # A second path for the same prefix starts with whitespace and
        # "unicast [": the test topologies have one path per prefix.
        m = re.match(r"^\s+BGP\.(\w+):\s*(.*)$", line)
        if not m:
            continue
        key, val = m.group(1), m.group(2).strip()
        if key == "as_path":
            cur.as_path = [int(x) for x in re.findall(r"\d+", val)]
        elif key == "next_hop":
            cur.next_hop = canon_addr(val.split()[0])
        elif key == "med":
            cur.med = int(val)
        elif key == "origin":
            cur.origin = val.lower()
        elif key == "community":
            cur.communities = [f"{a}:{b}" for a, b in
                               re.findall(r"\((\d+),\s*(\d+)\)", val)]
        elif key == "large_community":
            cur.large_communities = [
                f"{a}:{b}:{c}" for a, b, c in
                re.findall(r"\((\d+),\s*(\d+),\s*(\d+)\)", val)]
    return routes
