"""egressd as the cloud side (issue 5): the aws-vgw and aws-tgw
personalities judged by what the kernel and other implementations say.

Topology (lib/topo.Star): the hub namespace is the cloud gateway
(egressd with a personality and route-table vpc = kernel table 100);
spoke i is customer gateway i on link 10.0.<i>.0/24 (hub .1, spoke .2).
One customer gateway is egressd and the other BIRD, so our customer side
is not judged only by our own cloud side, and BIRD checks what the cloud
advertises (VPC CIDR with AS path 64512 and MED 100, CloudHub)."""

import json
import os
import signal

import pytest

from lib import peers
from lib.egress import Egress, EgressConfig, Neighbor, binaries_missing
from lib.peer import Announce, PeerConfig
from lib.topo import Star
from lib.tshark import Capture, bgp_fields
from lib.util import wait_until

CLOUD_AS = 64512
TABLE = 100
VPC = "10.180.0.0/20"
DEFAULT = "0.0.0.0/0"


def need(*kinds):
    why = binaries_missing()
    for k in kinds:
        why = why or peers.missing(k)
    if why:
        pytest.skip(why)


class CloudConfig:
    """The cloud gateway's config: nothing but the personality, the route
    table and the customer gateways (no local-as, timers or policies:
    the personality implies them)."""

    def __init__(self, personality, neighbors, extra="", table_extra=""):
        self.personality = personality
        self.neighbors = neighbors  # [(address, remote_as, description[, password])]
        self.extra = extra
        self.table_extra = table_extra

    def text(self):
        lines = ["router-id 10.255.0.100", f"personality {self.personality}",
                 self.extra,
                 f"route-table vpc {{ table {TABLE}; local {VPC}; {self.table_extra} }}"]
        for addr, asn, desc, *pw in self.neighbors:
            key = f'; password "{pw[0]}"' if pw else ""
            lines.append(f'neighbor {addr} {{ remote-as {asn}; description "{desc}"{key} }}')
        return "\n".join(lines) + "\n"


class CloudLab:
    def __init__(self, workdir, n=2):
        self.workdir = str(workdir)
        self.star = Star(self.workdir, n)
        self.daemons = []
        self.cloud = None

    @staticmethod
    def cgw(i):
        return Star.addr("ipv4", i, "spoke")

    @staticmethod
    def gw(i):
        return Star.addr("ipv4", i, "hub")

    def start_cloud(self, personality, neighbors, extra="", table_extra=""):
        self.cloud = Egress(self.star.hub, CloudConfig(personality, neighbors, extra,
                                                       table_extra))
        self.daemons.append(self.cloud)
        self.cloud.start()
        return self.cloud

    def egress_cgw(self, i, asn):
        """Customer gateway i as egressd: originates the default route."""
        cfg = EgressConfig(router_id=f"10.255.0.{i}", local_as=asn, originate=[DEFAULT],
                           neighbors=[Neighbor(address=self.gw(i), remote_as=CLOUD_AS,
                                               hold_time=30)])
        e = Egress(self.star.spokes[i - 1], cfg)
        self.daemons.append(e)
        e.start()
        return e

    def peer_cgw(self, kind, i, asn, announce, password=None):
        cfg = PeerConfig(local_as=asn, router_id=f"10.255.0.{i}", local_addr=self.cgw(i),
                         remote_addr=self.gw(i), remote_as=CLOUD_AS, announce=announce,
                         hold_time=30, password=password)
        p = peers.make(kind, self.star.spokes[i - 1], cfg)
        self.daemons.append(p)
        p.start()
        return p

    # -- what the kernel says about the VPC route table -----------------
    def vpc_routes(self):
        r = self.star.hub.run(["ip", "-j", "route", "show", "table", str(TABLE)],
                              check=False)
        return {x["dst"]: x for x in json.loads(r.stdout or "[]")}

    def gateways(self, dst):
        r = self.vpc_routes().get("default" if dst == DEFAULT else dst)
        if r is None:
            return []
        if "nhid" in r:
            nh = json.loads(self.star.hub.run(["ip", "-j", "nexthop", "show"]).stdout)
            byid = {x["id"]: x for x in nh}
            g = byid[r["nhid"]]
            if "group" in g:
                return sorted(byid[m["id"]]["gateway"] for m in g["group"])
            return [g["gateway"]]
        if "nexthops" in r:
            return sorted(x["gateway"] for x in r["nexthops"])
        return [r["gateway"]]

    def logs(self):
        return "\n".join(f"===== {type(d).__name__} =====\n{d.log()}"
                         for d in self.daemons if hasattr(d, "log"))

    def close(self):
        for d in reversed(self.daemons):
            try:
                d.stop()
            except Exception as exc:  # noqa: BLE001 - teardown goes on
                print(f"stopping {type(d).__name__}: {exc!r}")
        self.star.close()


@pytest.fixture
def lab(request, tmp_path):
    lab = CloudLab(tmp_path)
    yield lab
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        print(f"workdir: {lab.workdir}")
        print(lab.logs())
    lab.close()


def test_vgw_failover_between_customer_gateways(lab):
    """aws-vgw with two customer gateways (egressd AS 64521, BIRD AS
    64522 prepending twice): the shorter AS path's default route is in
    the VPC route table (kernel table 100, as `ip route` says); BIRD
    receives the VPC CIDR with AS path 64512 and MED 100, and the other
    gateway's default re-advertised (CloudHub); the preferred gateway is
    killed and the default moves to BIRD's tunnel."""
    need("bird")
    lab.start_cloud("aws-vgw", [(lab.cgw(1), 64521, "cgw1 tunnel 1"),
                                (lab.cgw(2), 64522, "cgw2 tunnel 1")])
    cgw1 = lab.egress_cgw(1, 64521)
    bird = lab.peer_cgw("bird", 2, 64522, [Announce(DEFAULT, prepend=[64522, 64522])])
    lab.cloud.wait_established(lab.cgw(1))
    lab.cloud.wait_established(lab.cgw(2))
    wait_until(lambda: lab.gateways(DEFAULT) == [lab.cgw(1)], 15,
               what="default via cgw1 in table 100")

    # BIRD judges what the cloud advertises.
    def bird_sees():
        r = bird.routes()
        vpc, d = r.get(VPC), r.get(DEFAULT)
        return (vpc is not None and vpc.as_path == [CLOUD_AS] and vpc.med == 100
                and d is not None and d.as_path == [CLOUD_AS, 64521])
    wait_until(bird_sees, 15, what="BIRD: VPC CIDR (64512, MED 100) and CloudHub default")

    # The operator's view agrees with the kernel.
    rt = lab.cloud.ctl("show", "route-table", "vpc")["route_tables"][0]
    rows = {(r["destination"], r["origin"]): r for r in rt["routes"]}
    assert rows[(DEFAULT, "propagated")]["state"] == "active"
    assert rows[(DEFAULT, "propagated")]["targets"][0]["session"] == lab.cgw(1)
    assert rows[(VPC, "local")]["state"] == "active"
    ex = lab.cloud.ctl("explain", DEFAULT)
    lost = [p for p in ex["paths"] if not p["best"]]
    assert ex["comparator"] == "aws-vgw" and ex["decided_by"] == "as-path-length"
    assert lost and lost[0]["neighbor"] == lab.cgw(2)

    os.kill(cgw1.pid, signal.SIGKILL)
    wait_until(lambda: lab.gateways(DEFAULT) == [lab.cgw(2)], 15,
               what="default moved to cgw2 (BIRD) in table 100")


def test_vgw_max_prefix_trips(lab):
    """101 prefixes from one customer gateway (exabgp): the cloud sends
    NOTIFICATION Cease / Maximum Number of Prefixes Reached with data
    AFI 1, SAFI 1, limit 100 (read back by tshark from the wire and by
    exabgp), and the session is held idle."""
    need("exabgp")
    lab.start_cloud("aws-vgw", [(lab.cgw(1), 64521, "cgw1 tunnel 1")])
    cap = Capture(lab.star.hub, "eg1", os.path.join(lab.workdir, "eg1.pcap"))
    cap.start()
    lab.daemons.append(cap)
    announce = [Announce(f"198.18.{i // 256}.{i % 256}/32") for i in range(101)]
    ex = lab.peer_cgw("exabgp", 1, 64521, announce)

    def notified():
        return [n for n in ex.notifications() if n.get("code") == 6 and n.get("subcode") == 1]
    wait_until(notified, 30, what="exabgp receives Cease/Maximum Number of Prefixes")
    cap.stop()
    rows = bgp_fields(cap.path, lab.gw(1), "bgp.type == 3",
                      ["bgp.notify.major_error", "bgp.notify.minor_error_cease",
                       "bgp.notify.minor_data"])
    assert rows, "no NOTIFICATION from the cloud on the wire"
    code, sub, data = rows[0]
    assert code == "6" and sub == "1"
    assert data.replace(":", "").lower() == "00010100000064"
    # Held idle: not Established again at once (idle hold-down).
    st = lab.cloud.neighbor(lab.cgw(1))
    assert st["state"] != "Established"
    assert "max-prefix" in st.get("last_error", "")


def test_vgw_max_prefix_boundary(lab):
    """Exactly 100 prefixes is within "100 dynamic routes per VPN
    connection": the session stays Established, no NOTIFICATION, and all
    100 are in table 100 (also exactly the route table's limit)."""
    need("exabgp")
    lab.start_cloud("aws-vgw", [(lab.cgw(1), 64521, "cgw1 tunnel 1")])
    announce = [Announce(f"198.18.{i // 256}.{i % 256}/32") for i in range(100)]
    ex = lab.peer_cgw("exabgp", 1, 64521, announce)
    lab.cloud.wait_established(lab.cgw(1))
    wait_until(lambda: len([k for k in lab.vpc_routes() if k.startswith("198.18.")]) == 100,
               20, what="100 routes in table 100")
    assert lab.cloud.neighbor(lab.cgw(1))["state"] == "Established"
    assert not [n for n in ex.notifications() if n.get("code") == 6]


def test_tgw_ecmp_two_equal_gateways(lab):
    """aws-tgw with vpn-ecmp on (its default): two tunnels advertising the
    default with the same AS path and ASN give one kernel route in table
    100 over both next hops."""
    need("bird")
    lab.start_cloud("aws-tgw", [(lab.cgw(1), 64521, "cgw1 tunnel 1"),
                                (lab.cgw(2), 64521, "cgw1 tunnel 2")])
    lab.peer_cgw("bird", 1, 64521, [Announce(DEFAULT)])
    lab.peer_cgw("bird", 2, 64521, [Announce(DEFAULT)])
    want = sorted([lab.cgw(1), lab.cgw(2)])
    wait_until(lambda: lab.gateways(DEFAULT) == want, 20,
               what="default over both tunnels in table 100")


def test_dx_local_preference_community_beats_as_path(lab):
    """aws-dx: two Direct Connect interfaces (BIRD, TCP MD5 as Direct
    Connect requires).  "Local preference communities ... evaluated
    before AS_PATH": the route tagged 7224:7300 wins in table 100 over a
    shorter untagged one, and explain says which step decided."""
    need("bird")
    pfx = "10.50.0.0/16"
    lab.start_cloud("aws-dx", [(lab.cgw(1), 65001, "dx vif 1", "dx-key-1"),
                               (lab.cgw(2), 65002, "dx vif 2", "dx-key-2")])
    lab.peer_cgw("bird", 1, 65001, [Announce(pfx, prepend=[65001, 65001],
                                             communities=["7224:7300"])], password="dx-key-1")
    lab.peer_cgw("bird", 2, 65002, [Announce(pfx)], password="dx-key-2")
    lab.cloud.wait_established(lab.cgw(1))
    lab.cloud.wait_established(lab.cgw(2))

    def both_offered():
        return len(lab.cloud.ctl("explain", pfx)["paths"]) == 2
    wait_until(both_offered, 15, what="both Direct Connect paths in the Loc-RIB")
    wait_until(lambda: lab.gateways(pfx) == [lab.cgw(1)], 15,
               what=f"{pfx} via the 7224:7300 interface in table 100")
    ex = lab.cloud.ctl("explain", pfx)
    assert ex["comparator"] == "aws-dx"
    assert ex["decided_by"] == "local-pref-community"
    lost = [p for p in ex["paths"] if not p["best"]][0]
    assert lost["neighbor"] == lab.cgw(2) and lost["dx_local_pref"] == 200


def test_route_table_static_and_limit(lab):
    """The VPC route table's own rules, read back with `ip route`: a
    static 0.0.0.0/0 (to a NAT gateway's address, say) beats the
    propagated default from the customer gateway (logged as the classic
    mistake), and with max-routes 3 only the first three propagated
    prefixes in prefix order are installed; the rest are over-limit."""
    need("exabgp")
    nat = "10.0.1.99"
    lab.start_cloud("aws-vgw", [(lab.cgw(1), 64521, "cgw1 tunnel 1")],
                    table_extra=f"max-routes 3; static 0.0.0.0/0 via {nat}")
    hosts = [f"198.18.0.{i}/32" for i in (5, 1, 4, 2, 3)]
    lab.peer_cgw("exabgp", 1, 64521, [Announce(DEFAULT)] + [Announce(h) for h in hosts])
    lab.cloud.wait_established(lab.cgw(1))

    def table_done():
        rt = lab.cloud.ctl("show", "route-table")["route_tables"][0]
        return rt["propagated"] == 6 and rt
    rt = wait_until(table_done, 15, what="six propagated routes in route-table vpc")
    assert lab.gateways(DEFAULT) == [nat]
    # The default counts as propagated (first in prefix order): two more fit.
    kernel = lab.vpc_routes()
    got = sorted(k for k in kernel if k.startswith("198.18."))
    assert got == ["198.18.0.1", "198.18.0.2"]
    states = {(r["destination"], r["origin"]): r["state"] for r in rt["routes"]}
    assert states[(DEFAULT, "propagated")] == "suppressed-by-static"
    assert states[(DEFAULT, "static")] == "active"
    assert states[("198.18.0.5/32", "propagated")] == "over-limit"
    assert rt["over_limit"] == 3
    log = lab.cloud.log()
    assert "hides the propagated 0.0.0.0/0" in log
    assert "more than max-routes 3" in log


def test_vgw_vpn_static_route_follows_its_tunnel(lab):
    """"VPN static routes" rank above "VPN BGP routes", and a tunnel counts
    only while its session is Established: a static route of cgw1's VPN
    connection beats cgw2's BGP route for the same prefix in table 100,
    and gives way to it when cgw1's session goes down."""
    need("bird")
    pfx = "192.0.2.0/24"
    lab.start_cloud("aws-vgw", [(lab.cgw(1), 64521, "cgw1 tunnel 1"),
                                (lab.cgw(2), 64522, "cgw2 tunnel 1")],
                    table_extra=f"static {pfx} via {lab.cgw(1)}")
    cgw1 = lab.peer_cgw("bird", 1, 64521, [])
    lab.peer_cgw("bird", 2, 64522, [Announce(pfx)])
    lab.cloud.wait_established(lab.cgw(1))
    lab.cloud.wait_established(lab.cgw(2))
    wait_until(lambda: len(lab.cloud.ctl("explain", pfx)["paths"]) == 2, 15,
               what="static and BGP paths for the prefix")
    assert lab.gateways(pfx) == [lab.cgw(1)]
    ex = lab.cloud.ctl("explain", pfx)
    assert ex["decided_by"] == "route-source"
    best = [p for p in ex["paths"] if p["best"]][0]
    assert best["source"] == "vpn-static"
    cgw1.stop()
    wait_until(lambda: lab.gateways(pfx) == [lab.cgw(2)], 20,
               what="the BGP route once cgw1's tunnel is down")


@pytest.mark.parametrize("deleted_links", [0, 80])
def test_route_table_static_back_after_link_flap(lab, deleted_links):
    """A VPC static route through a plain next hop (no session to
    re-decide it): the kernel drops it from table 100 when its link goes
    down, and egressd must write it again when the link comes back.
    With deleted_links, that many interfaces were created and deleted
    in the cloud's namespace first: a deleted interface never comes
    back, so egressd must not keep it as "down" (a full list of them
    hid the return of a real link)."""
    need()
    pfx = "192.0.2.0/24"
    lab.start_cloud("aws-vgw", [(lab.cgw(1), 64521, "cgw1 tunnel 1")],
                    table_extra=f"static {pfx} via {lab.cgw(2)}")
    wait_until(lambda: lab.gateways(pfx) == [lab.cgw(2)], 15,
               what="the static route in table 100")
    hub = lab.star.hub
    for i in range(deleted_links // 2):  # veth pairs: two links each
        hub.ip("link", "add", f"rva{i}", "type", "veth", "peer", "name", f"rvb{i}")
        hub.ip("link", "del", f"rva{i}")
    hub.ip("link", "set", "eg2", "down")
    wait_until(lambda: lab.gateways(pfx) == [], 10,
               what="the kernel drops the route with its link")
    hub.ip("link", "set", "eg2", "up")
    wait_until(lambda: lab.gateways(pfx) == [lab.cgw(2)], 15,
               what="the static route back in table 100 after the link")
    assert lab.cloud.alive()
