"""ExaBGP driver: exabgp with a config written here and an API process
(exabgp_api.py) that logs everything exabgp reports as JSON lines and
forwards commands written to a FIFO.  State and received routes come from
that log; `command()` injects announcements, including raw attributes
(`attribute [ code flags value ]`) that other daemons refuse to send.

exabgp can disable the 4-octet AS capability, so it is the 2-octet-AS
peer of the tests."""

import json
import os

from .peer import Peer, Route, canon_addr, canon_prefix

EXABGP = "/usr/sbin/exabgp"
API = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "exabgp_api.py")

_STATES = {"up": "Established", "connected": "Connect", "down": "Idle"}


def route_command(a, next_hop, path, extra=""):
    """The exabgp text for announcement a with the given full path."""
    parts = [f"route {a.prefix} next-hop {next_hop}"]
    if path:
        parts.append("as-path [ " + " ".join(str(x) for x in path) + " ]")
    if a.med is not None:
        parts.append(f"med {a.med}")
    if a.communities:
        parts.append("community [ " + " ".join(a.communities) + " ]")
    if a.large_communities:
        parts.append("large-community [ " + " ".join(a.large_communities)
                     + " ]")
    if extra:
        parts.append(extra)
    return " ".join(parts)


class ExabgpPeer(Peer):
    NAME = "exabgp"

    def config(self):
        c = self.cfg
        fam = "ipv6 unicast" if c.afi == "ipv6" else "ipv4 unicast"
        # exabgp sends the AS path exactly as written, on eBGP too.
        statics = "".join(
            f"        {route_command(a, c.local_addr, self.expected_path(a))};\n"
            for a in c.announce)
        md5 = f'    md5-password "{c.password}";\n' if c.password else ""
        return f"""\
process api {{
    run /usr/bin/python3 {API} {self.events} {self.fifo};
    encoder json;
}}
neighbor {c.remote_addr} {{
    router-id {c.router_id};
    local-address {c.local_addr};
    local-as {c.local_as};
    peer-as {c.remote_as};
    hold-time {c.hold_time};
    passive {"true" if c.passive else "false"};
{md5}    capability {{
        asn4 {"enable" if c.asn4 else "disable"};
        route-refresh;
    }}
    family {{
        {fam};
    }}
    api {{
        processes [ api ];
        neighbor-changes;
        receive {{ parsed; packets; update; notification; open; }}
    }}
    static {{
{statics}    }}
}}
"""

    def start(self):
        self.events = self.path("exabgp-events.jsonl")
        self.fifo = self.path("exabgp-cmd.fifo")
        open(self.events, "w").close()
        if not os.path.exists(self.fifo):
            os.mkfifo(self.fifo)
        conf = self.write("exabgp.conf", self.config())
        env = {
            "exabgp.daemon.user": "root",
            "exabgp.daemon.drop": "false",
            "exabgp.daemon.daemonize": "false",
            "exabgp.api.cli": "false",
            "exabgp.api.ack": "false",
            "exabgp.log.destination": "stdout",
            "exabgp.log.packets": "true",
            # Listen as well as connect, so start order does not matter.
            "exabgp.tcp.bind": self.cfg.local_addr,
        }
        self.proc = self.ns.start([EXABGP, conf], "exabgp", env=env)
        self.wait_ready()

    # -- API ---------------------------------------------------------------
    def command(self, line):
        """Send one API command, e.g. 'announce route 192.0.2.0/24 ...'."""
        fd = os.open(self.fifo, os.O_WRONLY)
        try:
            os.write(fd, (line.rstrip("\n") + "\n").encode())
        finally:
            os.close(fd)

    def announce(self, a, extra=""):
        self.command("announce " + route_command(
            a, self.cfg.local_addr, self.expected_path(a), extra))

    def mark(self):
        """A position in the event log (bytes up to the last complete
        line); pass it as `since` to look only at what was logged after.
        Tests take it once the session is up: exabgp's connection attempts
        before egressd listens, or a connection collision, log "down" and
        NOTIFICATION events that belong to the setup, not to the test."""
        with open(self.events, "rb") as f:
            data = f.read()
        return data.rfind(b"\n") + 1

    def messages(self, since=0):
        out = []
        with open(self.events, "rb") as f:
            f.seek(since)
            data = f.read()
        # A line still being written has no newline yet: leave it for later.
        for line in data[:data.rfind(b"\n") + 1].decode(
                "utf-8", errors="replace").splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out

    def notifications(self, since=0):
        """NOTIFICATIONs received: [{"code": c, "subcode": s, "data": hex}]."""
        return [m["neighbor"]["notification"] for m in self.messages(since)
                if m.get("type") == "notification"
                and "notification" in m.get("neighbor", {})]

    def state_changes(self, since=0):
        return [m["neighbor"]["state"] for m in self.messages(since)
                if m.get("type") == "state"]

    def state(self):
        ch = self.state_changes()
        return _STATES.get(ch[-1], ch[-1]) if ch else ""

    def routes(self):
        """Replays every UPDATE logged since start: {prefix: Route}."""
        rib = {}
        for m in self.messages():
            if m.get("type") != "update":
                continue
            if m.get("neighbor", {}).get("state") == "down":
                rib.clear()
            upd = m["neighbor"]["message"].get("update", {})
            for fam, nlris in (upd.get("withdraw") or {}).items():
                for n in nlris:
                    rib.pop(canon_prefix(_nlri(n)), None)
            attrs = upd.get("attribute", {})
            for fam, by_nh in (upd.get("announce") or {}).items():
                for nh, nlris in by_nh.items():
                    for n in nlris:
                        r = _route(_nlri(n), nh, attrs)
                        rib[r.key()] = r
        return rib

    def raw_updates(self):
        """Bodies (bytes, after the 19-byte header) of every UPDATE
        received, in order, as they were on the wire."""
        out = []
        for m in self.messages():
            if m.get("type") != "update":
                continue
            msg = m["neighbor"].get("message", {})
            if m["neighbor"].get("direction", "receive") != "receive":
                continue
            body = msg.get("body")
            if body is not None:
                out.append(bytes.fromhex(body[2:] if body.startswith("0x")
                                         else body))
        return out

    def raw_attributes(self, prefix):
        """The attribute dict exabgp decoded for the last announcement of
        prefix (keys as exabgp names them, e.g. "as-path", "as4-path")."""
        found = None
        for m in self.messages():
            if m.get("type") != "update":
                continue
            upd = m["neighbor"]["message"].get("update", {})
            for fam, by_nh in (upd.get("announce") or {}).items():
                for nh, nlris in by_nh.items():
                    if any(canon_prefix(_nlri(n)) == canon_prefix(prefix)
                           for n in nlris):
                        found = upd.get("attribute", {})
        return found


def _nlri(n):
    return n["nlri"] if isinstance(n, dict) else n


def _route(prefix, nh, attrs):
    r = Route(prefix=canon_prefix(prefix), next_hop=canon_addr(nh))
    path = attrs.get("as-path", [])
    if isinstance(path, dict):  # newer exabgp: {"0": {"element": ..}}
        flat = []
        for seg in path.values():
            flat += seg.get("value", [])
        path = flat
    r.as_path = [int(x) for x in path if str(x).isdigit()]
    if "med" in attrs:
        r.med = int(attrs["med"])
    r.origin = str(attrs.get("origin", "igp")).lower()
    r.communities = [f"{a}:{b}" for a, b in attrs.get("community", [])]
    r.large_communities = [f"{a}:{b}:{c}" for a, b, c in
                           attrs.get("large-community", [])]
    return r
