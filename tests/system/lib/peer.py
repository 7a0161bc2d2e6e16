"""What every peer driver shares: the session/route model and the driver
interface.

A driver writes its daemon's config from a PeerConfig, starts the daemon
inside a Namespace (by PID), and answers questions through the daemon's
own CLI: is the session Established, which routes did it receive (with
their attributes, normalised to Route).  The lab and the benchmarks reuse
the drivers, so they know nothing about egressd.
"""

import ipaddress
from dataclasses import dataclass, field
from typing import List, Optional

ESTABLISHED = "Established"


@dataclass
class Route:
    """A route as announced or as seen.  as_path is the full path as a
    list of ASNs (AS_SET members flattened in order)."""
    prefix: str
    next_hop: Optional[str] = None
    as_path: List[int] = field(default_factory=list)
    med: Optional[int] = None
    communities: List[str] = field(default_factory=list)
    large_communities: List[str] = field(default_factory=list)
    origin: str = "igp"

    def key(self):
        return canon_prefix(self.prefix)


@dataclass
class Announce:
    """A route a peer should originate.  `prepend` are extra ASNs placed
    after the peer's own AS (so the receiver sees [peer_as] + prepend)."""
    prefix: str
    prepend: List[int] = field(default_factory=list)
    med: Optional[int] = None
    communities: List[str] = field(default_factory=list)
    large_communities: List[str] = field(default_factory=list)


@dataclass
class PeerConfig:
    local_as: int
    router_id: str
    local_addr: str
    remote_addr: str
    remote_as: int
    hold_time: int = 9
    password: Optional[str] = None
    announce: List[Announce] = field(default_factory=list)
    passive: bool = False
    # Advertise the 4-octet AS capability (RFC 6793).  Only exabgp can
    # turn it off.
    asn4: bool = True
    connect_retry: int = 1
    # Graceful restart (RFC 4724) restart time to advertise; None leaves
    # the daemon's default.  Drivers that do not support it ignore it.
    graceful_restart: Optional[int] = None

    @property
    def afi(self):
        return "ipv6" if ":" in self.remote_addr else "ipv4"


def canon_prefix(p):
    return str(ipaddress.ip_network(p, strict=False))


def canon_addr(a):
    return str(ipaddress.ip_address(a)) if a else a


class Peer:
    """Base class of the drivers."""

    NAME = "peer"
    # True when the daemon can originate a route with arbitrary ASNs after
    # its own; otherwise prepend is done with its own AS (OpenBGPD).
    ARBITRARY_PREPEND = True

    def __init__(self, ns, cfg: PeerConfig):
        self.ns = ns
        self.cfg = cfg
        self.workdir = ns.workdir
        self.proc = None

    # -- to implement --------------------------------------------------
    def start(self):
        raise NotImplementedError

    def state(self):
        """RFC 4271 state name of the session with cfg.remote_addr
        ("Idle", "Connect", "Active", "OpenSent", "OpenConfirm",
        "Established"), or "" when the daemon does not know yet."""
        raise NotImplementedError

    def routes(self):
        """Routes received from cfg.remote_addr, as {prefix: Route}."""
        raise NotImplementedError

    # -- common ----------------------------------------------------------
    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.alive()

    def wait_ready(self, timeout=15):
        """Wait until the daemon's CLI answers (state() stops raising);
        drivers call this at the end of start()."""
        from .util import Fatal, wait_until

        def ok():
            if not self.alive():
                raise Fatal(f"{self.NAME} exited:\n{self.log()}")
            self.state()
            return True
        wait_until(ok, timeout, what=f"{self.NAME} CLI")

    def established(self):
        return self.state() == ESTABLISHED

    def stop(self):
        if self.proc:
            self.proc.stop()

    def log(self):
        return self.proc.log() if self.proc else ""

    def crash(self):
        """SIGKILL the daemon: its sockets close without a NOTIFICATION,
        as when a router dies (graceful restart tests)."""
        import os
        import signal
        if self.proc and self.proc.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.popen.wait(timeout=5)

    def expected_path(self, a: Announce):
        """The AS path a receiver should see for announcement a."""
        if self.ARBITRARY_PREPEND:
            return [self.cfg.local_as] + list(a.prepend)
        return [self.cfg.local_as] * (1 + len(a.prepend))

    def path(self, name):
        import os
        return os.path.join(self.workdir, name)

    def write(self, name, text):
        p = self.path(name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p
