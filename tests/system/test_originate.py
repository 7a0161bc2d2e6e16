"""Conditional origination: `originate 0.0.0.0/0 when uplink` with a
hand-driven `condition uplink`.  BIRD, a real peer, sees the default
route appear when `egressctl condition uplink up` runs and disappear on
`down`, while the session stays up: BIRD's own "since" time of the
session does not move and egressd counts no new establishment."""


from conftest import EGRESS_AS, EGRESS_PREFIX
from lib.peer import canon_prefix
from lib.topo import Pair
from lib.util import wait_until

DEFAULT = "0.0.0.0/0"



def test_condition_switches_default_route(lab):
    afi = "ipv4"
    them = Pair.addr(afi, "b")
    peer = lab.peer("bird", afi, announce=[])
    eg = lab.egress(afi)
    eg.cfg.extra = "condition uplink\n"
    eg.cfg.originate.append(f"{DEFAULT} when uplink")
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    mine = canon_prefix(EGRESS_PREFIX[afi])
    wait_until(lambda: mine in peer.routes(), 20, what="bird sees our prefix")
    # Initially down: the default is not announced, and egressctl says why.
    orig = {o["prefix"]: o for o in eg.ctl("originate")["originate"]}
    assert orig[DEFAULT]["state"] == "down", orig
    assert orig[DEFAULT]["condition"] == "uplink", orig
    assert "initial state" in orig[DEFAULT]["reason"], orig
    assert orig[mine]["state"] == "up" and orig[mine]["condition"] is None, orig
    assert DEFAULT not in peer.routes()
    since = peer.since()
    before = eg.neighbor(them)

    ans = eg.ctl("condition", "uplink", "up")
    assert ans == {"condition": "uplink", "state": "up", "changed": True}, ans
    wait_until(lambda: DEFAULT in peer.routes(), 10, what="bird sees 0.0.0.0/0")
    r = peer.routes()[DEFAULT]
    assert r.as_path == [EGRESS_AS], r
    assert r.next_hop == Pair.addr(afi, "a"), r
    orig = {o["prefix"]: o for o in eg.ctl("originate")["originate"]}
    assert orig[DEFAULT]["state"] == "up", orig
    assert "set up by egressctl" in orig[DEFAULT]["reason"], orig

    eg.ctl("condition", "uplink", "down")
    wait_until(lambda: DEFAULT not in peer.routes(), 10,
               what="0.0.0.0/0 withdrawn at bird")
    assert mine in peer.routes()
    eg.ctl("condition", "uplink", "up")
    wait_until(lambda: DEFAULT in peer.routes(), 10, what="0.0.0.0/0 back at bird")

    # The session never moved, by BIRD's clock and by ours.
    assert peer.established()
    assert peer.since() == since
    after = eg.neighbor(them)
    assert after["state"] == "Established"
    for k in ("established_count", "flaps"):
        if k in before:
            assert after[k] == before[k], (k, before, after)
    cond = {c["name"]: c for c in eg.ctl("originate")["conditions"]}
    assert cond["uplink"]["changes"] == 3 and cond["uplink"]["driven_by"] == "manual"


def test_condition_errors(lab):
    """Unknown conditions are refused with a message, nothing changes."""
    afi = "ipv4"
    eg = lab.egress(afi)
    eg.cfg.extra = "condition uplink\n"
    eg.cfg.originate.append(f"{DEFAULT} when uplink")
    eg.start()
    try:
        eg.ctl("condition", "nosuch", "up")
        raise AssertionError("egressctl accepted an unknown condition")
    except RuntimeError as e:
        assert "no condition 'nosuch'" in str(e), e
    orig = {o["prefix"]: o for o in eg.ctl("originate")["originate"]}
    assert orig[DEFAULT]["state"] == "down"


def raw_request(sock_path, line):
    """One request line straight on the control socket, the answer parsed."""
    import json
    import socket
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(sock_path)
        s.sendall(line + b"\n")
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
    return json.loads(buf)


def test_condition_errors_quote_client_text(lab):
    """Keys and names the client sent come back in errors as printable
    ASCII, cut at 40 bytes (docs/control-protocol.md): an escape sequence
    in a request must not reach the operator's terminal through egressctl."""
    eg = lab.egress("ipv4")
    eg.cfg.extra = "condition uplink\n"
    eg.start()
    for line in (b'{"command":"originate","\\u001b[31mX":1}',
                 b'{"command":"condition","name":"\\u001b[2J' + b"n" * 60 + b'","state":"up"}',
                 b'{"command":"show rib in pre-policy","neighbor":"\\u001b"}'):
        ans = raw_request(eg.sock, line)
        err = ans.get("error", "")
        assert err, ans
        assert all(0x20 <= ord(ch) < 0x7f for ch in err), ans
        assert len(err) < 160, ans
    cond = {c["name"]: c for c in eg.ctl("originate")["conditions"]}
    assert cond["uplink"]["state"] == "down" and cond["uplink"]["changes"] == 0, cond


def test_condition_flapping(lab):
    """A condition flipped 200 times as fast as the control socket takes
    it: egressd keeps up (one answer per request, the change count
    exact), the session survives, and BIRD ends with the default route
    exactly when the last state is up."""
    afi = "ipv4"
    them = Pair.addr(afi, "b")
    peer = lab.peer("bird", afi, announce=[])
    eg = lab.egress(afi)
    eg.cfg.extra = "condition uplink\n"
    eg.cfg.originate.append(f"{DEFAULT} when uplink")
    peer.start()
    eg.start()
    eg.wait_established(them, timeout=30)
    mine = canon_prefix(EGRESS_PREFIX[afi])
    wait_until(lambda: mine in peer.routes(), 20, what="bird sees our prefix")
    for i in range(200):
        line = ('{"command":"condition","name":"uplink","state":"%s"}'
                % ("up" if i % 2 == 0 else "down")).encode()
        ans = raw_request(eg.sock, line)
        assert ans.get("changed") is True, (i, ans)
    cond = {c["name"]: c for c in eg.ctl("originate")["conditions"]}
    assert cond["uplink"]["changes"] == 200 and cond["uplink"]["state"] == "down", cond
    hold_ok = eg.neighbor(them)
    assert hold_ok["state"] == "Established", hold_ok
    wait_until(lambda: DEFAULT not in peer.routes(), 10, what="no default at BIRD (last: down)")
    eg.ctl("condition", "uplink", "up")
    wait_until(lambda: DEFAULT in peer.routes(), 10, what="default at BIRD (last: up)")
    assert peer.established() and eg.neighbor(them)["established_count"] == 1
