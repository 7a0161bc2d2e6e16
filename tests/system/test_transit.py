"""egressd as a transit speaker: routes learned from one peer go through
the Loc-RIB to the others (issue 3).  No root: every speaker has its own
127.0.0.x address and a high port, as in test_loopback.py.

    A (65101) --- B (65102) --- C (65103)
                  |    \\
          X (raw, 65010)  D (65102, iBGP)

B imports and exports everything on every session."""

import signal
import socket
import struct
import subprocess

import pytest

from test_loopback import (EGRESSCTL, KEEPALIVE, bgp_msg, free_port, pytestmark,  # noqa: F401
                           read_msg, read_until, speakers, wait_for)

A, B, C, X, D = "127.0.0.21", "127.0.0.1", "127.0.0.23", "127.0.0.24", "127.0.0.25"
AS_A, AS_B, AS_C, AS_X = 65101, 65102, 65103, 65010
P_A = "198.51.100.0/24"     # originated by A (and offered by X, longer path)
P_C = "203.0.113.0/24"      # originated by C
P_X = "192.0.2.0/24"        # only from X, with a MED


@pytest.fixture(autouse=True)
def _need_root():
    """No root needed: override the directory-wide skip."""


def nbr(addr, asn, port, local, extra="", hold="hold-time 9; keepalive 3"):
    return f"""neighbor {addr} {{
    remote-as {asn}
    port {port}
    local-address {local}
    {hold}
    import all; export all
    {extra}
}}
"""


def conf(rid, asn, addr, port, originate, neighbors):
    orig = "".join(f"originate {p}\n" for p in originate)
    return f"""router-id {rid}
local-as {asn}
listen on {addr} port {port}
{orig}{neighbors}"""


def routes(e, *args):
    return {r["prefix"]: r for r in e.ctl("show", "rib", *args)["routes"]}


def text(e, *args):
    out = subprocess.run([str(EGRESSCTL), "-s", str(e.sock), *args],
                         capture_output=True, text=True, timeout=5)
    assert out.returncode == 0, out.stderr
    return out.stdout


def route_at(e, prefix, *args):
    return routes(e, *args).get(prefix)


def x_update(prefix, path, med=None, nexthop=X, local_pref=None):
    """UPDATE from the raw peer X (4-octet AS agreed)."""
    attrs = bytes([0x40, 1, 1, 0])                                     # ORIGIN IGP
    seg = bytes([2, len(path)]) + b"".join(struct.pack("!I", a) for a in path)
    attrs += bytes([0x40, 2, len(seg)]) + seg                          # AS_PATH
    attrs += bytes([0x40, 3, 4]) + socket.inet_aton(nexthop)           # NEXT_HOP
    if med is not None:
        attrs += bytes([0x80, 4, 4]) + struct.pack("!I", med)          # MED
    if local_pref is not None:
        attrs += bytes([0x40, 5, 4]) + struct.pack("!I", local_pref)   # LOCAL_PREF
    net, ln = prefix.split("/")
    nlri = bytes([int(ln)]) + socket.inet_aton(net)[:(int(ln) + 7) // 8]
    return bgp_msg(2, struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + nlri)


def x_withdraw(prefix):
    net, ln = prefix.split("/")
    w = bytes([int(ln)]) + socket.inet_aton(net)[:(int(ln) + 7) // 8]
    return bgp_msg(2, struct.pack("!H", len(w)) + w + struct.pack("!H", 0))


def x_open(port):
    caps = bytes([1, 4, 0, 1, 0, 1]) + bytes([65, 4]) + struct.pack("!I", AS_X)
    opt = bytes([2, len(caps)]) + caps
    body = struct.pack("!BHH4sB", 4, AS_X, 90, socket.inet_aton("10.9.9.24"), len(opt)) + opt
    s = socket.socket()
    s.bind((X, 0))
    s.connect((B, port))
    s.sendall(bgp_msg(1, body))
    m = read_msg(s)
    assert m and m[0] == 1, m
    s.sendall(KEEPALIVE)
    assert read_until(s, 4), "no KEEPALIVE from B"
    return s


@pytest.fixture
def line(speakers):
    pa, pb, pc, pd = free_port(A), free_port(B), free_port(C), free_port(D)
    a = speakers("a", conf("10.255.0.21", AS_A, A, pa, [P_A], nbr(B, AS_B, pb, A)))
    b = speakers("b", conf("10.255.0.1", AS_B, B, pb, [],
                           nbr(A, AS_A, pa, B) + nbr(C, AS_C, pc, B) +
                           nbr(X, AS_X, 179, B, "passive", "hold-time 90") + nbr(D, AS_B, pd, B)))
    c = speakers("c", conf("10.255.0.23", AS_C, C, pc, [P_C], nbr(B, AS_B, pb, C)))
    d = speakers("d", conf("10.255.0.25", AS_B, D, pd, [], nbr(B, AS_B, pb, D)))
    for e in (a, b, c, d):
        e.start()
    for peer in (A, C, D):
        wait_for(lambda: b.state(peer) == "Established", 15, "B - %s Established" % peer)
    return a, b, c, d, pb


def test_transit_line(line):
    a, b, c, d, pb = line
    # A's prefix crosses B: AS path [B, A], next hop B (RFC 4271 5.1.2, 5.1.3).
    r = wait_for(lambda: route_at(c, P_A, "in"), 10, "A's prefix at C")
    assert r["as_path"] == [AS_B, AS_A], r
    assert r["next_hop"] == B, r
    assert r["local_pref"] is None, r        # never on eBGP (5.1.5)
    # ...and C's the other way.
    r = wait_for(lambda: route_at(a, P_C, "in"), 10, "C's prefix at A")
    assert r["as_path"] == [AS_B, AS_C], r
    # Nothing goes back where it came from: B does not offer A's prefix
    # to A nor C's to C, and C does not offer A's prefix back to B
    # (B's AS is in its path).
    assert route_at(b, P_A, "out", "neighbor", A) is None
    assert route_at(b, P_C, "out", "neighbor", C) is None
    assert route_at(c, P_A, "out", "neighbor", B) is None
    assert route_at(a, P_C, "out", "neighbor", B) is None
    assert set(routes(b, "in", "neighbor", C)) == {P_C}
    assert set(routes(b, "in", "neighbor", A)) == {P_A}
    # iBGP: D gets both with LOCAL_PREF and the AS path as B has it,
    # next hop unchanged (5.1.3), and sends nothing back (9.2).
    r = wait_for(lambda: route_at(d, P_A, "in"), 10, "A's prefix at D")
    assert r["as_path"] == [AS_A] and r["local_pref"] == 100, r
    assert r["next_hop"] == A, r
    assert route_at(b, P_A, "in", "neighbor", D) is None
    assert routes(d, "out", "neighbor", B) == {}
    # B's Loc-RIB shows the best with where it came from.
    loc = {r["prefix"]: r for r in b.ctl("show", "rib")["routes"] if r["best"]}
    assert loc[P_A]["neighbor"] == A and loc[P_A]["best"] is True, loc
    # A goes away: its prefix is withdrawn at C and D.
    a.stop(signal.SIGKILL)
    wait_for(lambda: route_at(c, P_A, "in") is None, 15, "A's prefix withdrawn at C")
    wait_for(lambda: route_at(d, P_A, "in") is None, 5, "A's prefix withdrawn at D")
    assert route_at(c, P_C, "in") is None


def test_shorter_path_and_med(line):
    a, b, c, d, pb = line
    x = x_open(pb)
    try:
        wait_for(lambda: b.state(X) == "Established", 10, "B - X Established")
        # X offers A's prefix with a longer path: B keeps A's (9.1.2.2 a).
        # X's LOCAL_PREF would win if it counted; from an external peer
        # it is ignored (RFC 4271 5.1.5).
        x.sendall(x_update(P_A, [AS_X, 64999], local_pref=500))
        x.sendall(x_update(P_X, [AS_X], med=50))
        wait_for(lambda: route_at(b, P_A, "in", "neighbor", X), 5, "X's path at B")
        r = wait_for(lambda: route_at(c, P_X, "in"), 10, "X's prefix at C")
        # RFC 4271 5.1.4: X's MED stays in AS 65102 (iBGP keeps it)...
        assert r["med"] is None and r["local_pref"] is None, r
        assert r["as_path"] == [AS_B, AS_X], r
        rd = wait_for(lambda: route_at(d, P_X, "in"), 10, "X's prefix at D")
        assert rd["med"] == 50 and rd["local_pref"] == 100, rd
        assert route_at(c, P_A, "in")["as_path"] == [AS_B, AS_A]
        # A gone: X's longer path is the best now and replaces it at C.
        a.stop(signal.SIGKILL)
        wait_for(lambda: (route_at(c, P_A, "in") or {}).get("as_path") ==
                 [AS_B, AS_X, 64999], 15, "fallback to X's path at C")
        # X withdraws too: nothing is left at C.
        x.sendall(x_withdraw(P_A))
        wait_for(lambda: route_at(c, P_A, "in") is None, 10, "withdrawn at C")
        # X's own AS in a path it is offered: B does not send it to X.
        assert route_at(b, P_X, "out", "neighbor", X) is None
        mem = b.ctl("show", "memory")
        assert mem["loc_rib"]["prefixes"] >= 2, mem
        assert mem["loc_rib"]["paths"] >= mem["loc_rib"]["prefixes"], mem
        assert mem["attributes"]["sets"] >= 1, mem
        assert mem["adj_rib_in"]["routes"] >= 2, mem
        assert mem["total_bytes"] > 0, mem
        # The same as text tables.
        txt = text(b, "show", "rib")
        assert any(ln.startswith("* " + X) and P_X in ln for ln in txt.splitlines()), txt
        assert "loc_rib" in text(b, "show", "memory")
    finally:
        x.close()
