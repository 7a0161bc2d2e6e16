"""Primary/backup routers as the receiving peer sees them (issue 3; the
reference design's MED/prepend policy).  Two egressd routers each
originate 0.0.0.0/0 to one BIRD receiver (the cloud gateway's stand-in)
through their export policy; BIRD's own best path must be the primary:

- same AS, MED 20 vs 10: the lower MED wins (RFC 4271 9.1.2.2 c); a
  reload giving the primary MED 30 moves BIRD to the other router with
  no session reset;
- different ASes: MED is not compared across neighbouring ASes, so the
  backup prepends (AS path 3 long) and loses even with the lower MED;
- different ASes, no prepend: the lower MED does not help (BIRD falls
  back to the lower router id).

test_policy.py checks the export policy's attributes on an egressd
receiver; this checks the choice a different implementation makes."""

import re

import pytest

from lib.egress import Egress, EgressConfig, Neighbor
from lib.peers import missing
from lib.topo import Star
from lib.util import wait_until

CLOUD_AS = 64512
DEFAULT = "0.0.0.0/0"

# Without any policy BIRD would pick router 1 (lower router id, its last
# tie-break), so the primary is router 2 wherever the policy decides.
CASES = {
    # name: ((AS, export policy body) of router 1, of router 2, BIRD's pick)
    "med": ((64521, "set med 20"), (64521, "set med 10"), "r2"),
    "prepend": ((64521, "prepend 2; set med 5"), (64522, "set med 50"), "r2"),
    "med-across-ases": ((64521, "set med 50"), (64522, "set med 5"), "r1"),
}


def bird_conf(workdir, routers):
    protos = "".join(f"""
protocol bgp r{i} {{
  local {Star.addr('ipv4', i, 'hub')} as {CLOUD_AS};
  neighbor {Star.addr('ipv4', i, 'spoke')} as {asn};
  hold time 9; keepalive time 3;
  connect delay time 1; connect retry time 1; error wait time 1, 5;
  ipv4 {{ import all; export none; }};
}}
""" for i, (asn, _) in enumerate(routers, 1))
    return f"""log "{workdir}/bird.log" all;
router id 10.0.0.1;
protocol device {{ scan time 1; }}
{protos}"""


def bird_paths(ns, sock):
    """[(protocol, is_best, [AS path])] for 0.0.0.0/0, from BIRD's own
    `show route ... all` (the best path is marked '*')."""
    r = ns.run(["/usr/sbin/birdc", "-s", sock, "show", "route", "for", DEFAULT, "all"],
               check=False)
    out = []
    for block in re.split(r"(?=unicast \[)", r.stdout)[1:]:
        m = re.match(r"unicast \[(r\d) [^\]]*\] (\*)?", block)
        path = re.search(r"BGP\.as_path:([^\n]*)", block)
        if m:
            out.append((m.group(1), bool(m.group(2)),
                        [int(x) for x in re.findall(r"\d+", path.group(1))] if path else None))
    return out


def bird_best(ns, sock):
    best = [p for p, star, _ in bird_paths(ns, sock) if star]
    return best[0] if len(best) == 1 else None


def bird_since(ns, sock, proto):
    r = ns.run(["/usr/sbin/birdc", "-s", sock, "show", "protocols", proto], check=False)
    m = re.search(rf"^{proto}\s+BGP\s+\S+\s+up\s+(\S+)\s+Established", r.stdout, re.M)
    return m.group(1) if m else None


def router(star, i, asn, body):
    cfg = EgressConfig(
        router_id=f"10.0.{i}.2", local_as=asn,
        listen=[Star.addr("ipv4", i, "spoke")], originate=[DEFAULT],
        extra=f"policy to-cloud {{ {body}; accept }}\n",
        neighbors=[Neighbor(address=Star.addr("ipv4", i, "hub"), remote_as=CLOUD_AS,
                            import_="none", export="to-cloud")])
    return Egress(star.spokes[i - 1], cfg)


@pytest.fixture
def star(tmp_path):
    if missing("bird"):
        pytest.skip(missing("bird"))
    s = Star(str(tmp_path), 2)
    procs = []
    yield s, procs
    for p in reversed(procs):
        try:
            p.stop()
        except Exception as exc:  # noqa: BLE001 - teardown goes on
            print(f"stopping: {exc!r}")
    s.close()


def start(star, case):
    s, procs = star
    routers = CASES[case][:2]
    hub = s.hub
    conf = hub.workdir + "/bird.conf"
    sock = hub.workdir + "/bird.ctl"
    with open(conf, "w", encoding="utf-8") as f:
        f.write(bird_conf(hub.workdir, routers))
    procs.append(hub.start(["/usr/sbin/bird", "-f", "-c", conf, "-s", sock,
                            "-P", hub.workdir + "/bird.pid"], "bird"))
    egs = [router(s, i, asn, body) for i, (asn, body) in enumerate(routers, 1)]
    for e in egs:
        procs.append(e)
        e.start()
    for i, e in enumerate(egs, 1):
        e.wait_established(Star.addr("ipv4", i, "hub"), timeout=30)
    wait_until(lambda: len(bird_paths(hub, sock)) == 2, 20,
               what="BIRD has 0.0.0.0/0 from both routers")
    return hub, sock, egs


@pytest.mark.parametrize("case", list(CASES))
def test_receiver_picks_primary(star, case):
    hub, sock, egs = start(star, case)
    want = CASES[case][2]
    assert bird_best(hub, sock) == want, bird_paths(hub, sock)
    paths = {p: path for p, _, path in bird_paths(hub, sock)}
    r1_as, r2_as = CASES[case][0][0], CASES[case][1][0]
    assert paths["r1"] == [r1_as] * (3 if case == "prepend" else 1), paths
    assert paths["r2"] == [r2_as], paths


def test_reload_swaps_primary(star):
    """The primary's (router 2's) MED goes from 10 to 30 by reload: BIRD
    moves to router 1; neither BIRD session restarts."""
    hub, sock, egs = start(star, "med")
    assert bird_best(hub, sock) == "r2"
    since = {p: bird_since(hub, sock, p) for p in ("r1", "r2")}
    assert all(since.values()), since
    r2 = egs[1]
    r2.cfg.extra = "policy to-cloud { set med 30; accept }\n"
    r2.write_config()
    r2.ctl("reload")
    wait_until(lambda: bird_best(hub, sock) == "r1", 15, what="BIRD prefers r1 after reload")
    assert {p: bird_since(hub, sock, p) for p in ("r1", "r2")} == since
