"""egressd driver: writes an egressd config, runs `egressd -d` inside a
namespace and asks it through `egressctl -s SOCK --json`.

EGRESS_BUILD (absolute path of the meson build dir, default <repo>/build)
locates src/daemon/egressd and src/client/egressctl."""

import json
import os
from dataclasses import dataclass, field
from typing import List, Optional

from .peer import ESTABLISHED, Route, canon_addr, canon_prefix
from .util import Fatal, run, wait_until

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..",
                                    ".."))


def build_dir():
    return os.environ.get("EGRESS_BUILD") or os.path.join(REPO, "build")


def egressd_bin():
    return os.path.join(build_dir(), "src", "daemon", "egressd")


def egressctl_bin():
    return os.path.join(build_dir(), "src", "client", "egressctl")


def binaries_missing():
    """A reason string when the binaries are not built, else None."""
    for b in (egressd_bin(), egressctl_bin()):
        if not os.access(b, os.X_OK):
            return f"{b} not built (set EGRESS_BUILD or run make)"
    return None


@dataclass
class Neighbor:
    address: str
    remote_as: int
    hold_time: int = 9
    password: Optional[str] = None
    passive: bool = False
    local_address: Optional[str] = None
    import_: str = "all"
    export: str = "all"
    # More statements for the neighbor block, written as they are
    # (e.g. "soft-reconfiguration inbound").
    options: List[str] = field(default_factory=list)


@dataclass
class EgressConfig:
    router_id: str
    local_as: int
    listen: List[str] = field(default_factory=list)
    originate: List[str] = field(default_factory=list)
    neighbors: List[Neighbor] = field(default_factory=list)
    # Top-level statements written as they are (conditions, policies,
    # decision knobs), before the originate lines.
    extra: str = ""

    def text(self):
        lines = [f"router-id {self.router_id}", f"local-as {self.local_as}"]
        if self.extra:
            lines.append(self.extra.rstrip("\n"))
        lines += [f"listen on {a}" for a in self.listen]
        lines += [f"originate {p}" for p in self.originate]
        for n in self.neighbors:
            lines.append(f"neighbor {n.address} {{")
            lines.append(f"    remote-as {n.remote_as}")
            lines.append(f"    hold-time {n.hold_time}")
            if n.password is not None:
                lines.append(f'    password "{n.password}"')
            if n.passive:
                lines.append("    passive")
            if n.local_address:
                lines.append(f"    local-address {n.local_address}")
            lines.append(f"    import {n.import_}")
            lines.append(f"    export {n.export}")
            lines += [f"    {o}" for o in n.options]
            lines.append("}")
        return "\n".join(lines) + "\n"


class Egress:
    def __init__(self, ns, cfg: EgressConfig):
        self.ns = ns
        self.cfg = cfg
        self.workdir = ns.workdir
        self.sock = os.path.join(self.workdir, "egressd.sock")
        self.conf = os.path.join(self.workdir, "egressd.conf")
        self.proc = None

    def write_config(self, text=None):
        """(Re)writes the config file: cfg's text, or the text given."""
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(self.cfg.text() if text is None else text)

    def start(self):
        self.write_config()
        self.proc = self.ns.start([egressd_bin(), "-d", "-f", self.conf,
                                   "-s", self.sock], "egressd")
        wait_until(self._ready, 10, what="egressd control socket")

    def _ready(self):
        if not self.proc.alive():
            raise Fatal("egressd exited:\n" + self.proc.log())
        return os.path.exists(self.sock) and self.neighbors() is not None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.alive()

    def stop(self):
        if self.proc:
            self.proc.stop()

    def log(self):
        return self.proc.log(tail=20000) if self.proc else ""

    # -- egressctl ---------------------------------------------------------
    def ctl(self, *args):
        r = run(self.ns.cmd([egressctl_bin(), "-s", self.sock, "--json"]
                            + list(args)), check=False)
        if r.returncode != 0:
            raise RuntimeError(f"egressctl {' '.join(args)}: rc {r.returncode}"
                               f": {r.stderr.strip()} {r.stdout.strip()}")
        return json.loads(r.stdout)

    def neighbors(self):
        return self.ctl("show", "neighbors")["neighbors"]

    def neighbor(self, addr):
        j = self.ctl("show", "neighbor", addr)
        if "neighbor" in j and isinstance(j["neighbor"], dict):
            j = j["neighbor"]
        return j

    def state(self, addr):
        return self.neighbor(addr).get("state", "")

    def established(self, addr):
        return self.state(addr) == ESTABLISHED

    def rib(self, direction="in", neighbor=None):
        """{prefix: (Route, raw json)} of `show rib in|out [neighbor X]`."""
        args = ["show", "rib", direction]
        if neighbor:
            args += ["neighbor", neighbor]
        out = {}
        for r in self.ctl(*args)["routes"]:
            rt = Route(prefix=canon_prefix(r["prefix"]),
                       next_hop=canon_addr(r.get("next_hop")),
                       as_path=[int(x) for x in r.get("as_path") or []],
                       med=r.get("med"),
                       communities=list(r.get("communities") or []),
                       large_communities=list(r.get("large_communities")
                                              or []),
                       origin=r.get("origin") or "")
            out[rt.key()] = (rt, r)
        return out

    def routes(self, neighbor=None):
        return {k: v[0] for k, v in self.rib("in", neighbor).items()}

    def wait_established(self, addr, timeout=30):
        def ok():
            if not self.alive():
                raise Fatal("egressd exited:\n" + self.log())
            return self.established(addr)
        wait_until(ok, timeout, what=f"egressd session with {addr} "
                   "Established")
