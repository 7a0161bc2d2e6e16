"""Registry of the peer drivers, by name."""

import os

from .peer_bird import BIRD, BirdPeer
from .peer_exabgp import EXABGP, ExabgpPeer
from .peer_frr import BGPD as FRR_BGPD, FrrPeer
from .peer_gobgp import GOBGPD, GobgpPeer
from .peer_openbgpd import BGPD as OPENBGPD, OpenbgpdPeer

DRIVERS = {
    "bird": (BirdPeer, BIRD),
    "frr": (FrrPeer, FRR_BGPD),
    "gobgp": (GobgpPeer, GOBGPD),
    "openbgpd": (OpenbgpdPeer, OPENBGPD),
    "exabgp": (ExabgpPeer, EXABGP),
}

NAMES = list(DRIVERS)


def missing(name):
    """Why peer `name` cannot run here, or None."""
    _, binary = DRIVERS[name]
    if not os.access(binary, os.X_OK):
        return f"{binary} not installed"
    return None


def make(name, ns, cfg):
    return DRIVERS[name][0](ns, cfg)
