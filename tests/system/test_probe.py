"""Uplink probes drive origination: `probe uplink { icmp X }` with
`originate 0.0.0.0/0 when uplink`.  BIRD, a real peer, sees the default
appear once the probe target answers (rise), disappear when the target
stops answering (fall: the address is removed from the peer's side, so
the kernel's ARP fails and no echo comes back) and come back, while the
BGP session itself never moves (BIRD's own "since" time)."""


from conftest import EGRESS_PREFIX
from lib.peer import canon_prefix
from lib.topo import IFNAME, Pair
from lib.util import wait_until

DEFAULT = "0.0.0.0/0"
# A second address on the peer's side of the link: the probe's target,
# which the test takes away and gives back.
TARGET = "10.0.0.99"



def probes(eg):
    return {p["name"]: p for p in eg.ctl("show", "probes")["probes"]}


def test_probe_gates_default_route(lab):
    afi = "ipv4"
    them = Pair.addr(afi, "b")
    lab.pair.b.addr_add(IFNAME, f"{TARGET}/24")
    peer = lab.peer("bird", afi, announce=[])
    eg = lab.egress(afi)
    eg.cfg.extra = (f"probe uplink {{ icmp {TARGET} via {IFNAME} interval 100ms "
                    "timeout 80ms rise 3 fall 2 }\n")
    eg.cfg.originate.append(f"{DEFAULT} when uplink")
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    mine = canon_prefix(EGRESS_PREFIX[afi])
    wait_until(lambda: mine in peer.routes(), 20, what="bird sees our prefix")
    wait_until(lambda: DEFAULT in peer.routes(), 10,
               what="bird sees 0.0.0.0/0 once the probe is up")
    p = probes(eg)["uplink"]
    assert p["state"] == "up" and p["kind"] == "icmp" and p["target"] == TARGET, p
    assert p["via"] == IFNAME
    assert p["transitions"][0]["to"] == "up"
    assert all(r["ok"] for r in p["results"][:3]), p["results"]
    # A probe's condition is not the operator's to set.
    try:
        eg.ctl("condition", "uplink", "up")
        raise AssertionError("egressctl set a probe-driven condition")
    except RuntimeError as e:
        assert "probe" in str(e), e
    since = peer.since()

    lab.pair.b.ip("addr", "del", f"{TARGET}/24", "dev", IFNAME)
    wait_until(lambda: DEFAULT not in peer.routes(), 10,
               what="0.0.0.0/0 withdrawn at bird after the probe fell")
    assert mine in peer.routes()
    p = probes(eg)["uplink"]
    assert p["state"] == "down", p
    assert p["transitions"][0]["from"] == "up" and p["transitions"][0]["to"] == "down"
    assert "2 failures in a row" in p["transitions"][0]["reason"]
    assert not p["results"][0]["ok"] and p["results"][0]["error"]

    lab.pair.b.addr_add(IFNAME, f"{TARGET}/24")
    wait_until(lambda: DEFAULT in peer.routes(), 10, what="0.0.0.0/0 back at bird")
    assert probes(eg)["uplink"]["state"] == "up"
    assert peer.established()
    assert peer.since() == since
    assert eg.neighbor(them)["state"] == "Established"
