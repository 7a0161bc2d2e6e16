"""DelayOpen (RFC 4271 8.1.1, 8.2.2) from the config to the wire, on
loopback addresses and high ports: no root, no namespaces.

A passive egressd with `delay-open 3` and a scripted raw BGP peer that
connects to it.  If the peer stays silent, egressd's OPEN may only come
when DelayOpenTimer expires (about 3 s after the connection is up); if
the peer sends its OPEN at once, egressd answers at once with OPEN and
KEEPALIVE.  A neighbor without delay-open sends its OPEN right away,
which shows the wait comes from the setting.  Also: `connect-retry`
sets the interval between connection attempts, and `egressd -nv` prints
what it understood.

The egressd runner and the raw-BGP helpers are those of test_loopback.py
(same directory, also on sys.path through conftest.py)."""

import socket
import subprocess
import time

import pytest

from test_loopback import (EGRESSD, KEEPALIVE, PEER_AS, bgp_open, free_port,  # noqa: F401
                           pytestmark, raw_connect, read_msg, speakers, wait_for)

PEER = "127.0.0.4"
DELAY = 3


@pytest.fixture(autouse=True)
def _need_root():
    """These tests need no root: override the directory-wide skip."""


def conf(port, neighbor_extra="", group_extra=None):
    """egressd on 127.0.0.1:port, passive towards PEER; with group_extra
    the neighbor sits in a group holding those settings."""
    nbr = f"""neighbor {PEER} {{
    passive
    hold-time 90
    import all; export all
    {neighbor_extra}
}}
"""
    head = f"""router-id 10.255.0.1
local-as 65001
listen on 127.0.0.1 port {port}
"""
    if group_extra is None:
        return head + nbr.replace("passive", f"remote-as {PEER_AS}\n    passive", 1)
    return head + f"""group g {{
    remote-as {PEER_AS}
    {group_extra}
{nbr}}}
"""


def connect(port):
    """Connects as PEER; returns the socket and when it was connected."""
    s = raw_connect(port, PEER)
    return s, time.monotonic()


def finish_session(e, s):
    """Completes the handshake from the peer's side and checks that the
    session comes up, so the delayed OPEN was a usable one."""
    s.sendall(KEEPALIVE)
    wait_for(lambda: e.state(PEER) == "Established", 5, "Established")


def test_silent_peer_gets_open_after_delay(speakers):
    port = free_port("127.0.0.1")
    e = speakers("e", conf(port, f"delay-open {DELAY}"))
    e.start()
    s, t0 = connect(port)
    try:
        # While DelayOpen runs the FSM stays in Active (RFC 4271 8.2.2:
        # OpenSent only after the OPEN went out).
        time.sleep(1)
        assert e.state(PEER) == "Active"
        m = read_msg(s, timeout=10)
        waited = time.monotonic() - t0
        assert m is not None, "connection closed instead of an OPEN:\n" + e.log()
        assert m[0] == 1, m
        assert 2.5 <= waited < 6, "OPEN after %.2f s, want about %d s" % (waited, DELAY)
        assert e.state(PEER) == "OpenSent"
        s.sendall(bgp_open())
        m = read_msg(s)
        assert m and m[0] == 4, m
        finish_session(e, s)
    finally:
        s.close()


def test_peer_open_first_is_answered_at_once(speakers):
    """delay-open set on the group: inheritance reaches the session."""
    port = free_port("127.0.0.1")
    e = speakers("e", conf(port, group_extra=f"delay-open {DELAY}"))
    e.start()
    s, t0 = connect(port)
    try:
        s.sendall(bgp_open())
        m = read_msg(s, timeout=10)
        waited = time.monotonic() - t0
        assert m and m[0] == 1, m
        assert waited < 1, "OPEN after %.2f s despite the peer's OPEN" % waited
        # RFC 4271 8.2.2: OPEN received while DelayOpenTimer runs ->
        # send OPEN and KEEPALIVE, go to OpenConfirm.
        m = read_msg(s, timeout=1)
        assert m and m[0] == 4, m
        assert e.state(PEER) == "OpenConfirm"
        finish_session(e, s)
    finally:
        s.close()


def test_without_delay_open_open_is_immediate(speakers):
    port = free_port("127.0.0.1")
    e = speakers("e", conf(port))
    e.start()
    s, t0 = connect(port)
    try:
        m = read_msg(s, timeout=10)
        waited = time.monotonic() - t0
        assert m and m[0] == 1, m
        assert waited < 1, "OPEN after %.2f s with DelayOpen off" % waited
    finally:
        s.close()


def test_check_verbose_prints_what_was_understood(tmp_path):
    """-nv prints the flattened config: the group's delay-open reaches
    the neighbor, connect-retry is kept, and the output checks again."""
    f = tmp_path / "in.conf"
    f.write_text(conf(1790, "connect-retry 7", group_extra=f"delay-open {DELAY}"))
    r = subprocess.run([str(EGRESSD), "-nv", "-f", str(f)], capture_output=True,
                       text=True, timeout=10)
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    lines = [line.strip() for line in r.stdout.splitlines()]
    assert "group g {" in lines
    assert f"neighbor {PEER} {{" in lines
    assert f"delay-open {DELAY}" in lines and "connect-retry 7" in lines
    again = tmp_path / "again.conf"
    again.write_text(r.stdout)
    r2 = subprocess.run([str(EGRESSD), "-n", "-v", "-f", str(again)],
                        capture_output=True, text=True, timeout=10)
    assert (r2.returncode, r2.stdout) == (0, r.stdout)
    # -n alone stays quiet; -v without -n is a usage error.
    r3 = subprocess.run([str(EGRESSD), "-n", "-f", str(f)], capture_output=True,
                        text=True, timeout=10)
    assert (r3.returncode, r3.stdout) == (0, "")
    r4 = subprocess.run([str(EGRESSD), "-v", "-f", str(f)], capture_output=True,
                        text=True, timeout=10)
    assert r4.returncode == 2 and "usage" in r4.stderr


def test_connect_retry_sets_the_retry_interval(speakers):
    """connect-retry reaches the FSM: a peer that accepts and at once
    closes sees egressd come back after ConnectRetryTime (RFC 4271 8.2.2,
    OpenSent/Connect on a TCP failure: restart ConnectRetryTimer), not
    after the default 30 s.  Jittered to 0.75-1.0 of its value (RFC 4271
    10): 4 s gives 3-4 s, which cannot be mistaken for the 2 s idle
    hold-down."""
    lst = socket.socket()
    lst.bind((PEER, 0))
    lst.listen(4)
    port = lst.getsockname()[1]
    e = speakers("e", f"""router-id 10.255.0.1
local-as 65001
neighbor {PEER} {{
    remote-as {PEER_AS}
    port {port}
    local-address 127.0.0.1
    connect-retry 4
}}
""")
    try:
        e.start()
        lst.settimeout(10)
        times = []
        for _ in range(3):
            c, _ = lst.accept()
            times.append(time.monotonic())
            c.close()
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert all(2.9 <= g < 6 for g in gaps), gaps
    finally:
        lst.close()
