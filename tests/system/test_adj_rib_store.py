"""The Adj-RIBs kept in the Loc-RIB's prefix records (issue 3): what a
peer was sent is forgotten with its session, so a new session gets the
whole table again; a path that loops through our own AS is listed in the
Adj-RIB-In but never chosen nor passed on.  No root: the transit line of
test_transit.py on 127.0.0.x, with X a raw socket peer whose UPDATEs the
test decodes itself."""

import socket
import struct
import time

from test_loopback import KEEPALIVE, pytestmark, read_msg, speakers, wait_for  # noqa: F401
from test_transit import (AS_B, AS_X, P_A, P_C, P_X, A, C, X, _need_root, line,  # noqa: F401
                          route_at, routes, x_open, x_update)


def nlri_prefixes(data):
    """IPv4 prefixes in an NLRI or withdrawn-routes field (RFC 4271 4.3)."""
    out, i = [], 0
    while i < len(data):
        ln = data[i]
        n = (ln + 7) // 8
        addr = data[i + 1:i + 1 + n] + bytes(4 - n)
        out.append("%s/%d" % (socket.inet_ntoa(addr), ln))
        i += 1 + n
    return out


def table_from(s, timeout=15):
    """What the speaker at the other end of s announces up to its IPv4
    End-of-RIB (RFC 4724 2): prefix -> still announced (True) or withdrawn."""
    seen = {}
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        m = read_msg(s, max(0.1, end - time.monotonic()))
        assert m is not None, "session closed before End-of-RIB"
        mtype, body = m[0], m[1]
        if mtype == 4:
            continue
        assert mtype == 2, f"unexpected message type {mtype}"
        wl = struct.unpack("!H", body[:2])[0]
        al = struct.unpack("!H", body[2 + wl:4 + wl])[0]
        if wl == 0 and al == 0:
            return seen                       # End-of-RIB
        for p in nlri_prefixes(body[2:2 + wl]):
            seen[p] = False
        for p in nlri_prefixes(body[4 + wl + al:]):
            seen[p] = True
    raise AssertionError("no End-of-RIB within %ss" % timeout)


def test_new_session_gets_the_table_again(line):
    a, b, c, d, pb = line
    wait_for(lambda: route_at(b, P_A, "in", "neighbor", A), 10, "A's prefix at B")
    wait_for(lambda: route_at(b, P_C, "in", "neighbor", C), 10, "C's prefix at B")
    x = x_open(pb)
    try:
        wait_for(lambda: b.state(X) == "Established", 10, "B - X Established")
        x.sendall(KEEPALIVE)
        got = table_from(x)
        assert {p for p, up in got.items() if up} >= {P_A, P_C}, got
        wait_for(lambda: b.neighbor(X)["prefixes_sent"] >= 2, 5, "B counts what it sent X")
        assert {P_A, P_C} <= set(routes(b, "out", "neighbor", X))
    finally:
        x.close()
    # The session is gone, and with it what B sent: nothing counts as sent.
    wait_for(lambda: b.state(X) != "Established", 10, "B sees X go")
    wait_for(lambda: b.neighbor(X)["prefixes_sent"] == 0, 5, "B's Adj-RIB-Out for X empty")
    assert routes(b, "out", "neighbor", X) == {}
    # A new session must get the table again, not an empty dump that
    # takes every prefix for "already sent".  (B accepts again once its
    # idle hold-down is over.)
    wait_for(lambda: b.state(X) == "Active", 15, "B ready for X again")
    x = x_open(pb)
    try:
        wait_for(lambda: b.state(X) == "Established", 10, "B - X Established again")
        x.sendall(KEEPALIVE)
        got = table_from(x)
        assert {p for p, up in got.items() if up} >= {P_A, P_C}, got
        assert b.neighbor(X)["prefixes_sent"] >= 2
    finally:
        x.close()


def test_loop_path_listed_never_chosen(line):
    a, b, c, d, pb = line
    x = x_open(pb)
    try:
        wait_for(lambda: b.state(X) == "Established", 10, "B - X Established")
        # RFC 4271 9.1.2: B's own AS in the path is a loop.  Without
        # another path for it, P_X has no best at B and goes nowhere.
        x.sendall(x_update(P_X, [AS_X, AS_B, 64999]))
        r = wait_for(lambda: route_at(b, P_X, "in", "neighbor", X), 5,
                     "the looped path in B's Adj-RIB-In")
        assert r["as_path"] == [AS_X, AS_B, 64999], r
        assert b.neighbor(X)["prefixes_received"] == 1
        loc = [r for r in b.ctl("show", "rib")["routes"] if r["prefix"] == P_X]
        assert loc and not any(r["best"] for r in loc), loc
        ex = b.ctl("explain", P_X)
        assert [p["eligible"] for p in ex["paths"]] == [False], ex
        # C and D never hear of it (they would from B if it were chosen).
        time.sleep(1.5)
        assert route_at(c, P_X, "in") is None
        assert route_at(d, P_X, "in") is None
        # The same prefix without the loop: chosen and passed on.
        x.sendall(x_update(P_X, [AS_X]))
        r = wait_for(lambda: route_at(c, P_X, "in"), 10, "P_X at C once loop-free")
        assert r["as_path"] == [AS_B, AS_X], r
    finally:
        x.close()
