"""Named import/export policies in the running daemon (issue 2).  No
root: 127.0.0.x addresses and high ports, as in test_transit.py.

    A (65201) --- B (65202) --- C (65203)
                  |
                  D (65202, iBGP)

A originates five prefixes.  B imports from A through a policy that
accepts a prefix-set (ge/le) with local-pref 250 and a community, tags
one more prefix with another community, and rejects the rest.  B
exports to C through a policy that rejects the tagged prefix and
prepends 2 and sets MED 77 on the others (its own originated prefix
too), and to D through one that sets the next hop to itself."""

import pytest

from test_loopback import free_port, pytestmark, speakers, wait_for  # noqa: F401
from test_transit import conf, route_at, routes

A, B, C, D = "127.0.0.31", "127.0.0.32", "127.0.0.33", "127.0.0.34"
AS_A, AS_B, AS_C = 65201, 65202, 65203

P_IN = "10.1.1.0/24"        # in the prefix-set: accepted, lp 250, 65202:100
P_SHORT = "10.1.0.0/16"     # covering prefix, shorter than ge 17: rejected
P_LONG = "10.1.2.0/25"      # longer than le 24: rejected
P_OUT = "10.2.0.0/24"       # outside the set: rejected by default
P_TAG = "10.3.0.0/24"       # accepted with 65202:666, which B's export to C drops
P_B = "10.9.0.0/24"         # originated by B

B_POLICIES = """
prefix-set from-a-ok {
    10.1.0.0/16 ge 17 le 24
}
policy from-a {
    term ok {
        match prefix-set from-a-ok
        set local-pref 250
        add community 65202:100
        accept
    }
    term tag {
        match prefix 10.3.0.0/24
        add community 65202:666
        accept
    }
}
policy to-c {
    term drop { match community 65202:666; reject }
    term rest { prepend 2; set med 77; accept }
}
policy to-d { set next-hop self; accept }
"""


@pytest.fixture(autouse=True)
def _need_root():
    """No root needed: override the directory-wide skip."""


def nbr(addr, asn, port, local, filters):
    return f"""neighbor {addr} {{
    remote-as {asn}
    port {port}
    local-address {local}
    hold-time 9; keepalive 3
    {filters}
}}
"""


@pytest.fixture
def net(speakers):
    pa, pb, pc, pd = free_port(A), free_port(B), free_port(C), free_port(D)
    a = speakers("a", conf("10.255.1.31", AS_A, A, pa, [P_IN, P_SHORT, P_LONG, P_OUT, P_TAG],
                           nbr(B, AS_B, pb, A, "import all; export all")))
    b = speakers("b", conf("10.255.1.32", AS_B, B, pb, [P_B],
                           B_POLICIES +
                           nbr(A, AS_A, pa, B, "import from-a; export none") +
                           nbr(C, AS_C, pc, B, "import none; export to-c") +
                           nbr(D, AS_B, pd, B, "import none; export to-d")))
    c = speakers("c", conf("10.255.1.33", AS_C, C, pc, [],
                           nbr(B, AS_B, pb, C, "import all; export none")))
    d = speakers("d", conf("10.255.1.34", AS_B, D, pd, [],
                           nbr(B, AS_B, pb, D, "import all; export none")))
    for e in (a, b, c, d):
        e.start()
    for peer in (A, C, D):
        wait_for(lambda: b.state(peer) == "Established", 15, "B - %s Established" % peer)
    return a, b, c, d


def test_import_policy(net):
    a, b, c, d = net
    wait_for(lambda: route_at(b, P_TAG, "in", "neighbor", A), 10, "A's routes at B")
    # Post-policy Adj-RIB-In: only what the policy accepted, as changed.
    rin = routes(b, "in", "neighbor", A)
    assert set(rin) == {P_IN, P_TAG}, rin
    r = rin[P_IN]
    assert r["as_path"] == [AS_A] and r["local_pref"] == 250, r
    assert r["communities"] == ["65202:100"] and r["med"] is None, r
    r = rin[P_TAG]
    assert r["communities"] == ["65202:666"] and r["local_pref"] is None, r
    # The Loc-RIB has the same values, the policy's local-pref counting.
    loc = {r["prefix"]: r for r in b.ctl("show", "rib")["routes"] if r["best"]}
    assert set(loc) == {P_IN, P_TAG, P_B}, loc
    assert loc[P_IN]["local_pref"] == 250 and loc[P_IN]["neighbor"] == A, loc
    assert loc[P_IN]["communities"] == ["65202:100"], loc
    # A's own view is untouched: nothing was changed in place.
    assert route_at(a, P_IN, "out", "neighbor", B)["communities"] == []


def test_export_policy(net):
    a, b, c, d = net
    wait_for(lambda: route_at(c, P_IN, "in") and route_at(c, P_B, "in"), 10,
             "B's exports at C")
    rin = routes(c, "in")
    # The tagged prefix is rejected by to-c; nothing rejected on import
    # reaches C either.
    assert set(rin) == {P_IN, P_B}, rin
    r = rin[P_IN]
    # eBGP prepend (RFC 4271 5.1.2) plus the policy's prepend 2.
    assert r["as_path"] == [AS_B, AS_B, AS_B, AS_A], r
    assert r["med"] == 77 and r["local_pref"] is None, r
    assert r["communities"] == ["65202:100"] and r["next_hop"] == B, r
    # Our own prefix goes through the export policy too.
    r = rin[P_B]
    assert r["as_path"] == [AS_B, AS_B, AS_B] and r["med"] == 77, r
    # B's Adj-RIB-Out records the attributes as sent.
    out = routes(b, "out", "neighbor", C)
    assert set(out) == {P_IN, P_B}, out
    assert out[P_IN]["as_path"] == [AS_B, AS_B, AS_B, AS_A] and out[P_IN]["med"] == 77, out
    # iBGP to D: next hop self by policy (export rules alone keep A's),
    # LOCAL_PREF from the import policy, the tagged prefix not dropped.
    wait_for(lambda: route_at(d, P_TAG, "in"), 10, "B's exports at D")
    rd = routes(d, "in")
    assert set(rd) == {P_IN, P_TAG, P_B}, rd
    assert rd[P_IN]["next_hop"] == B and rd[P_IN]["local_pref"] == 250, rd
    assert rd[P_IN]["as_path"] == [AS_A], rd
    assert rd[P_TAG]["communities"] == ["65202:666"], rd
