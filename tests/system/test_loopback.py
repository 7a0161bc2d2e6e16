"""egressd against egressd, and against a scripted raw BGP peer, on
loopback addresses and high ports: no root, no namespaces.

Linux routes all of 127.0.0.0/8 to lo, so each speaker gets its own
127.0.0.x address; `listen on` and the neighbor `port` keep us off 179.
The build directory comes from EGRESS_BUILD (default "build", relative
to the repository)."""

import json
import os
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("EGRESS_BUILD", "build"))
if not BUILD.is_absolute():
    BUILD = REPO / BUILD
EGRESSD = BUILD / "src" / "daemon" / "egressd"
EGRESSCTL = BUILD / "src" / "client" / "egressctl"

pytestmark = pytest.mark.skipif(
    not EGRESSD.exists() or not EGRESSCTL.exists(),
    reason="egressd/egressctl not built in %s" % BUILD)


@pytest.fixture(autouse=True)
def _need_root():
    """These tests need no root: override the directory-wide skip."""


def free_port(addr):
    with socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET) as s:
        s.bind((addr, 0))
        return s.getsockname()[1]


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))


class Egressd:
    def __init__(self, tmp, name, conf):
        self.dir = tmp / name
        self.dir.mkdir()
        self.conf = self.dir / "egressd.conf"
        self.conf.write_text(conf)
        self.sock = self.dir / "ctl.sock"
        self.logf = self.dir / "egressd.log"
        self.proc = None

    def start(self):
        with open(self.logf, "ab") as log:
            self.proc = subprocess.Popen(
                [str(EGRESSD), "-d", "-f", str(self.conf), "-s", str(self.sock)],
                stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: self.sock.exists() or self.proc.poll() is not None, 5,
                 "control socket")
        assert self.proc.poll() is None, self.log()

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                return self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        return self.proc.returncode if self.proc else None

    def log(self):
        return self.logf.read_text(errors="replace") if self.logf.exists() else ""

    def ctl(self, *args):
        out = subprocess.run([str(EGRESSCTL), "-s", str(self.sock), *args, "--json"],
                             capture_output=True, text=True, timeout=5)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    def neighbor(self, addr):
        return self.ctl("show", "neighbor", addr)

    def state(self, addr):
        return self.neighbor(addr)["state"]

    def rib_in(self):
        return self.ctl("show", "rib", "in")["routes"]


@pytest.fixture
def speakers(tmp_path):
    started = []

    def make(name, conf):
        e = Egressd(tmp_path, name, conf)
        started.append(e)
        return e
    yield make
    for e in started:
        try:
            e.stop(signal.SIGKILL)
        except Exception:
            pass


def pair_confs(pa, pb, aa="127.0.0.1", ab="127.0.0.2", pw_a=None, pw_b=None,
               gtsm_a=False, gtsm_b=False):
    def pw(p):
        return f'password "{p}"' if p else ""

    def gtsm(on):
        return "ttl-security" if on else ""
    a = f"""router-id 10.255.0.1
local-as 4200000001
listen on {aa} port {pa}
originate 198.51.100.0/24
originate 2001:db8:100::/48
neighbor {ab} {{
    remote-as 65001
    port {pb}
    local-address {aa}
    hold-time 9; keepalive 3
    import all; export all
    {pw(pw_a)}
    {gtsm(gtsm_a)}
}}
"""
    b = f"""router-id 10.255.0.2
local-as 65001
listen on {ab} port {pb}
originate 203.0.113.0/24
originate 2001:db8:200::/48
neighbor {aa} {{
    remote-as 4200000001
    port {pa}
    local-address {ab}
    hold-time 9
    import all; export all
    {pw(pw_b)}
    {gtsm(gtsm_b)}
}}
"""
    return a, b


def test_ipv6_transport(speakers):
    """Both on ::1 (the only IPv6 loopback address), told apart by port."""
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        pa, pb = free_port("::1"), free_port("::1")
    except OSError:
        pytest.skip("no ::1")
    ca, cb = pair_confs(pa, pb, aa="::1", ab="::1")
    a, b = speakers("a", ca), speakers("b", cb)
    a.start()
    b.start()
    wait_for(lambda: a.state("::1") == "Established", 15, "Established over IPv6")
    got = wait_for(lambda: b.rib_in(), 5, "routes at b")
    assert [(r["prefix"], r["next_hop"]) for r in got] == [("2001:db8:100::/48", "::1")]


def test_md5_match_and_mismatch(speakers):
    pa, pb = free_port("127.0.0.1"), free_port("127.0.0.2")
    ca, cb = pair_confs(pa, pb, pw_a="s3cret", pw_b="s3cret")
    a, b = speakers("a", ca), speakers("b", cb)
    a.start()
    b.start()
    wait_for(lambda: a.state("127.0.0.2") == "Established", 15, "Established with MD5")
    a.stop(signal.SIGKILL)
    b.stop(signal.SIGKILL)
    # Different keys: the kernel drops every segment; no session, ever.
    pa, pb = free_port("127.0.0.1"), free_port("127.0.0.2")
    ca, cb = pair_confs(pa, pb, pw_a="s3cret", pw_b="other")
    a, b = speakers("a2", ca), speakers("b2", cb)
    a.start()
    b.start()
    time.sleep(4)
    assert a.state("127.0.0.2") != "Established"
    assert b.state("127.0.0.1") != "Established"


def test_gtsm(speakers):
    """RFC 5082: with ttl-security a speaker sends TTL 255 and drops
    anything below 254; loopback keeps the TTL, so a peer without GTSM
    (TTL 64) cannot get in while one with it can."""
    pa, pb = free_port("127.0.0.1"), free_port("127.0.0.2")
    ca, cb = pair_confs(pa, pb, gtsm_a=True, gtsm_b=False)
    a, b = speakers("a", ca), speakers("b", cb)
    a.start()
    b.start()
    time.sleep(4)
    assert a.state("127.0.0.2") != "Established"
    a.stop(signal.SIGKILL)
    b.stop(signal.SIGKILL)
    pa, pb = free_port("127.0.0.1"), free_port("127.0.0.2")
    ca, cb = pair_confs(pa, pb, gtsm_a=True, gtsm_b=True)
    a, b = speakers("a2", ca), speakers("b2", cb)
    a.start()
    b.start()
    wait_for(lambda: a.state("127.0.0.2") == "Established", 15, "Established with GTSM")


def test_check_config_and_version(tmp_path):
    good = tmp_path / "good.conf"
    good.write_text(pair_confs(1790, 1791)[0])
    r = subprocess.run([str(EGRESSD), "-n", "-f", str(good)], capture_output=True, text=True)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    bad = tmp_path / "bad.conf"
    bad.write_text("router-id 10.0.0.1\nlocal-as 65001\nneighbor 10.0.0.2 { hold-time 2 }\n")
    r = subprocess.run([str(EGRESSD), "-n", "-f", str(bad)], capture_output=True, text=True)
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert lines and all(line.startswith(str(bad) + ":") for line in lines), lines
    r = subprocess.run([str(EGRESSD), "-V"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("egressd ")


def test_two_egressd_exchange_originated_prefixes(speakers):
    pa, pb = free_port("127.0.0.1"), free_port("127.0.0.2")
    ca, cb = pair_confs(pa, pb)
    a, b = speakers("a", ca), speakers("b", cb)
    a.start()
    b.start()
    wait_for(lambda: a.state("127.0.0.2") == "Established", 15, "a Established")
    wait_for(lambda: b.state("127.0.0.1") == "Established", 5, "b Established")

    ra = wait_for(a.rib_in, 5, "routes at a")
    rb = wait_for(b.rib_in, 5, "routes at b")
    # IPv6 originations need an IPv6 next hop: not on this IPv4 session.
    assert [r["prefix"] for r in ra] == ["203.0.113.0/24"]
    assert ra[0]["as_path"] == [65001]
    assert ra[0]["next_hop"] == "127.0.0.2"
    assert ra[0]["origin"] == "igp"
    assert ra[0]["local_pref"] is None  # eBGP: no LOCAL_PREF
    assert [r["prefix"] for r in rb] == ["198.51.100.0/24"]
    assert rb[0]["as_path"] == [4200000001]  # 4-octet AS end to end
    assert rb[0]["next_hop"] == "127.0.0.1"
    n = a.neighbor("127.0.0.2")
    assert n["prefixes_received"] == 1 and n["prefixes_sent"] == 1
    assert n["hold_time"] == 9 and n["keepalive"] == 3

    # Graceful stop: Cease/Administrative Shutdown with the RFC 9003 text,
    # and b drops a's routes.
    assert a.stop() == 0
    assert "egressd shutting down" in b.neighbor("127.0.0.1")["last_error"]
    wait_for(lambda: b.state("127.0.0.1") != "Established", 5, "b down")
    assert b.rib_in() == []
    # a comes back: b reconnects after its idle hold-down.
    a.start()
    wait_for(lambda: b.state("127.0.0.1") == "Established", 20, "re-established")
    wait_for(b.rib_in, 5, "routes again")


# ---- a scripted peer speaking raw BGP -------------------------------------

PEER_AS = 65010


def bgp_msg(mtype, body=b""):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body


def bgp_open(asn=PEER_AS, hold=90, rid="10.9.9.9", gr_time=None, gr_fbit=True,
             refresh=False, enhanced=False, v6=False):
    caps = bytes([1, 4, 0, 1, 0, 1])                       # MP IPv4 unicast
    if v6:
        caps += bytes([1, 4, 0, 2, 0, 1])                  # MP IPv6 unicast
    caps += bytes([65, 4]) + struct.pack("!I", asn)        # 4-octet AS
    if refresh:
        caps += bytes([2, 0])                              # RFC 2918
    if enhanced:
        caps += bytes([70, 0])                             # RFC 7313
    if gr_time is not None:                                # RFC 4724 3
        caps += bytes([64, 6]) + struct.pack("!HHBB", gr_time & 0xfff, 1, 1,
                                             0x80 if gr_fbit else 0)
    opt = bytes([2, len(caps)]) + caps
    body = struct.pack("!BHH4sB", 4, asn, hold, socket.inet_aton(rid), len(opt)) + opt
    return bgp_msg(1, body)


KEEPALIVE = bgp_msg(4)


def bgp_update(attrs, nlri):
    return bgp_msg(2, struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + nlri)


def read_msg(s, timeout=5):
    s.settimeout(timeout)
    hdr = b""
    while len(hdr) < 19:
        d = s.recv(19 - len(hdr))
        if not d:
            return None
        hdr += d
    ln, t = struct.unpack("!HB", hdr[16:19])
    body = b""
    while len(body) < ln - 19:
        d = s.recv(ln - 19 - len(body))
        if not d:
            return None
        body += d
    return t, body


def read_until(s, mtype, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        m = read_msg(s, max(0.1, end - time.monotonic()))
        if m is None:
            return None
        if m[0] == mtype:
            return m
    return None


def raw_conf(port, peer_addr, extra=""):
    return f"""router-id 10.255.0.1
local-as 65001
listen on 127.0.0.1 port {port}
neighbor {peer_addr} {{
    remote-as {PEER_AS}
    passive
    hold-time 90
    import all; export all
    {extra}
}}
"""


def raw_connect(port, src):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def raw_establish(port, src, hold=90, **kw):
    s = raw_connect(port, src)
    s.sendall(bgp_open(hold=hold, **kw))
    m = read_msg(s)
    assert m and m[0] == 1, m
    s.sendall(KEEPALIVE)
    assert read_until(s, 4), "no KEEPALIVE"
    return s


def test_unknown_address_refused(speakers):
    port = free_port("127.0.0.1")
    e = speakers("e", raw_conf(port, "127.0.0.4"))
    e.start()
    s = raw_connect(port, "127.0.0.3")
    s.settimeout(5)
    try:
        assert s.recv(100) == b""
    except ConnectionResetError:
        pass
    wait_for(lambda: "127.0.0.3" in e.log() and "not a configured neighbor" in e.log(),
             5, "refusal logged")


def test_unexpected_messages_get_rfc6608_subcodes(speakers):
    port = free_port("127.0.0.1")
    e = speakers("e", raw_conf(port, "127.0.0.4"))
    e.start()
    # KEEPALIVE before our OPEN: egressd is in OpenSent -> 5/1.
    s = raw_connect(port, "127.0.0.4")
    assert read_msg(s)[0] == 1
    s.sendall(KEEPALIVE)
    m = read_until(s, 3)
    assert m and m[1][:2] == bytes([5, 1]), m
    s.close()
    # OPEN again once Established -> 5/3.  (Idle hold-down first.)
    time.sleep(2.5)
    s = wait_for(lambda: _try_establish(port), 10, "re-establish")
    wait_for(lambda: e.state("127.0.0.4") == "Established", 5, "Established")
    s.sendall(bgp_open())
    m = read_until(s, 3)
    assert m and m[1][:2] == bytes([5, 3]), m
    wait_for(lambda: e.state("127.0.0.4") != "Established", 5, "down")
    assert "Finite State Machine" in e.neighbor("127.0.0.4")["last_error"] or \
        "FSM" in e.neighbor("127.0.0.4")["last_error"]


def _try_establish(port):
    try:
        return raw_establish(port, "127.0.0.4")
    except (AssertionError, OSError):
        return None


def test_hold_timer_expiry(speakers):
    port = free_port("127.0.0.1")
    e = speakers("e", raw_conf(port, "127.0.0.4"))
    e.start()
    # Our last message (the KEEPALIVE) is sent after t_first and before
    # t_last, and so restarts the hold timer between them (RFC 4271 8.2.2).
    # Bounding each side from its own end keeps the egressctl call below,
    # slow under load, out of the measured window.
    t_first = time.monotonic()
    s = raw_establish(port, "127.0.0.4", hold=3)
    t_last = time.monotonic()
    assert e.neighbor("127.0.0.4")["hold_time"] == 3
    # Silent peer: within the 3 s hold time plus slack, 4/0 arrives.
    m = read_until(s, 3, timeout=6)
    t_exp = time.monotonic()
    assert m and m[1][:2] == bytes([4, 0]), m
    assert t_exp - t_first > 2.5, "hold timer expired early: %.2f s" % (t_exp - t_first)
    assert t_exp - t_last < 5, "hold timer expired late: %.2f s" % (t_exp - t_last)
    assert "Hold Timer" in e.neighbor("127.0.0.4")["last_error"]


def test_malformed_update_treat_as_withdraw_keeps_session(speakers):
    port = free_port("127.0.0.1")
    e = speakers("e", raw_conf(port, "127.0.0.4"))
    e.start()
    s = raw_establish(port, "127.0.0.4")
    aspath = bytes([2, 1]) + struct.pack("!I", PEER_AS)
    good = (bytes([0x40, 1, 1, 0]) + bytes([0x40, 2, len(aspath)]) + aspath +
            bytes([0x40, 3, 4]) + socket.inet_aton("127.0.0.4"))
    s.sendall(bgp_update(good, bytes([24, 192, 0, 2])))
    wait_for(lambda: [r["prefix"] for r in e.rib_in()] == ["192.0.2.0/24"], 5, "route")
    # ORIGIN 7 is invalid: RFC 7606 7.1 treat-as-withdraw, session stays.
    bad = bytes([0x40, 1, 1, 7]) + good[4:]
    s.sendall(bgp_update(bad, bytes([24, 192, 0, 2])))
    wait_for(lambda: e.rib_in() == [], 5, "route withdrawn")
    s.sendall(KEEPALIVE)
    time.sleep(0.3)
    n = e.neighbor("127.0.0.4")
    assert n["state"] == "Established"
    assert n["updates_malformed"] == 1
    assert "malformed UPDATE" in e.log() and "treat" in e.log()
    # The whole UPDATE is in the log, in hex.
    assert bgp_update(bad, bytes([24, 192, 0, 2])).hex() in e.log()


def test_collision_keeps_connection_of_higher_id(speakers):
    """RFC 4271 6.8: egressd (10.255.0.1) connects to us while we connect
    to it; with our id higher, our connection must win and egressd's own
    one gets Cease 6/7; with our id lower, the reverse."""
    for rid, ours_wins in (("10.255.0.9", True), ("10.255.0.0", False)):
        eport, pport = free_port("127.0.0.1"), free_port("127.0.0.5")
        lsn = socket.socket()
        lsn.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsn.bind(("127.0.0.5", pport))
        lsn.listen(1)
        conf = raw_conf(eport, "127.0.0.5").replace("    passive\n", "") \
            .replace("hold-time 90", f"hold-time 90\n    port {pport}\n    local-address 127.0.0.1")
        e = speakers("c" + rid.replace(".", ""), conf)
        e.start()
        lsn.settimeout(5)
        c1, _ = lsn.accept()            # egressd's connection
        assert read_msg(c1)[0] == 1     # its OPEN; we stay silent on c1
        c2 = raw_connect(eport, "127.0.0.5")
        assert read_msg(c2)[0] == 1     # egressd answers c2 with an OPEN
        c2.sendall(bgp_open(rid=rid))
        c1.sendall(bgp_open(rid=rid))
        loser, winner = (c1, c2) if ours_wins else (c2, c1)
        m = read_until(loser, 3)
        assert m and m[1][:2] == bytes([6, 7]), (rid, m)
        assert read_until(winner, 4), "no KEEPALIVE on the surviving connection"
        winner.sendall(KEEPALIVE)
        wait_for(lambda: e.state("127.0.0.5") == "Established", 5, "Established")
        for x in (c1, c2, lsn):
            x.close()
        e.stop(signal.SIGKILL)


def _route_attrs(nh="127.0.0.4"):
    aspath = bytes([2, 1]) + struct.pack("!I", PEER_AS)
    return (bytes([0x40, 1, 1, 0]) + bytes([0x40, 2, len(aspath)]) + aspath +
            bytes([0x40, 3, 4]) + socket.inet_aton(nh))


EOR_IPV4 = bgp_msg(2, bytes(4))  # RFC 4724 2: empty UPDATE


def _prefixes(e):
    return sorted(r["prefix"] for r in e.rib_in())


def test_graceful_restart_helper_keeps_then_sweeps(speakers):
    port = free_port("127.0.0.1")
    e = speakers("e", raw_conf(port, "127.0.0.4"))
    e.start()
    s = raw_establish(port, "127.0.0.4", gr_time=30)
    s.sendall(bgp_update(_route_attrs(), bytes([24, 192, 0, 2, 24, 198, 18, 0])))
    s.sendall(EOR_IPV4)
    wait_for(lambda: _prefixes(e) == ["192.0.2.0/24", "198.18.0.0/24"], 5, "routes")
    s.close()  # the peer "restarts": TCP goes, no NOTIFICATION
    wait_for(lambda: e.state("127.0.0.4") != "Established", 5, "session down")
    assert _prefixes(e) == ["192.0.2.0/24", "198.18.0.0/24"], "stale routes kept"
    assert "keeping 2 routes as stale" in e.log()
    # Back after egressd's idle hold-down; only one route comes again.
    s = wait_for(lambda: _try_establish_gr(port), 10, "re-establish")
    s.sendall(bgp_update(_route_attrs(), bytes([24, 192, 0, 2])))
    assert _prefixes(e) in (["192.0.2.0/24", "198.18.0.0/24"], ["192.0.2.0/24"])
    s.sendall(EOR_IPV4)
    wait_for(lambda: _prefixes(e) == ["192.0.2.0/24"], 5, "stale route swept at End-of-RIB")
    s.close()


def _try_establish_gr(port):
    try:
        return raw_establish(port, "127.0.0.4", gr_time=30)
    except (AssertionError, OSError):
        return None


def test_graceful_restart_helper_time_runs_out(speakers):
    port = free_port("127.0.0.1")
    e = speakers("e", raw_conf(port, "127.0.0.4"))
    e.start()
    s = raw_establish(port, "127.0.0.4", gr_time=2)
    s.sendall(bgp_update(_route_attrs(), bytes([24, 192, 0, 2])))
    wait_for(lambda: _prefixes(e) == ["192.0.2.0/24"], 5, "route")
    s.close()
    wait_for(lambda: e.state("127.0.0.4") != "Established", 5, "session down")
    assert _prefixes(e) == ["192.0.2.0/24"]
    wait_for(lambda: _prefixes(e) == [], 5, "stale route dropped after the restart time")


def test_notification_ends_without_graceful_restart(speakers):
    port = free_port("127.0.0.1")
    e = speakers("e", raw_conf(port, "127.0.0.4"))
    e.start()
    s = raw_establish(port, "127.0.0.4", gr_time=30)
    s.sendall(bgp_update(_route_attrs(), bytes([24, 192, 0, 2])))
    wait_for(lambda: _prefixes(e) == ["192.0.2.0/24"], 5, "route")
    s.sendall(bgp_msg(3, bytes([6, 4])))  # Cease/Administrative Reset
    wait_for(lambda: e.state("127.0.0.4") != "Established", 5, "session down")
    assert _prefixes(e) == []


def test_flooding_peer_does_not_starve_keepalives(speakers):
    """One peer streams UPDATEs as fast as TCP takes them; another peer,
    with hold time 3 (keepalive 1), must see egressd's KEEPALIVEs on time
    and both sessions must stay up."""
    import threading
    port = free_port("127.0.0.1")
    conf = raw_conf(port, "127.0.0.4") + f"""neighbor 127.0.0.6 {{
    remote-as {PEER_AS}
    passive
    hold-time 3
    import all; export all
}}
"""
    e = speakers("e", conf)
    e.start()
    flood = raw_establish(port, "127.0.0.4")
    quiet = raw_establish(port, "127.0.0.6", hold=3)
    attrs = _route_attrs()
    msgs = []
    for k in range(64):  # 64 x 1000 distinct /24s, then round again
        nlri = b"".join(bytes([24, 10 + (k >> 2), ((k & 3) << 6) | (j >> 8), j & 255])
                        for j in range(1000))
        msgs.append(bgp_update(attrs, nlri))
    blob = b"".join(msgs)
    stop = threading.Event()
    sent = [0]

    def flooder():
        try:
            while not stop.is_set():
                flood.sendall(blob)
                sent[0] += len(blob)
        except OSError:
            pass

    t = threading.Thread(target=flooder, daemon=True)
    t.start()
    gaps, last = [], time.monotonic()
    end = last + 6
    quiet.settimeout(0.2)
    next_ka = time.monotonic()
    buf = b""
    while time.monotonic() < end:
        if time.monotonic() >= next_ka:
            quiet.sendall(KEEPALIVE)
            next_ka += 1
        try:
            d = quiet.recv(4096)
        except socket.timeout:
            continue
        assert d, "egressd closed the quiet session"
        buf += d
        while len(buf) >= 19:
            ln, typ = struct.unpack("!HB", buf[16:19])
            if len(buf) < ln:
                break
            assert typ != 3, "NOTIFICATION on the quiet session: %r" % buf[19:ln]
            if typ == 4:
                now = time.monotonic()
                gaps.append(now - last)
                last = now
            buf = buf[ln:]
    stop.set()
    assert sent[0] > 4 * len(blob), "the flood did not happen (%d bytes)" % sent[0]
    assert len(gaps) >= 4, gaps
    assert max(gaps) < 2.0, gaps
    assert e.state("127.0.0.6") == "Established"
    assert e.state("127.0.0.4") == "Established"
    # The loop watch saw the flood's work: its histogram accounts for
    # every iteration, and the longest one is at most the time the whole
    # flood ran (a clock mix-up would show as more).
    lw = e.ctl("show", "loop")
    assert lw["iterations"] > 10, lw
    assert sum(lw["histogram"].values()) == lw["iterations"], lw
    assert 0 < lw["longest_us"] <= lw["busy_us"] <= lw["seconds"] * 1e6 + 1e6, lw
    assert max(gaps) < 1.0 + lw["longest_us"] / 1e6 + 0.2, (gaps, lw)
    flood.close()
    t.join(5)


def _read_updates_until(s, pred, timeout=5):
    """Collects (type, body) messages until pred(msgs) is true."""
    msgs = []
    end = time.monotonic() + timeout
    while not pred(msgs):
        assert time.monotonic() < end, msgs
        m = read_msg(s, max(0.1, end - time.monotonic()))
        assert m is not None, "connection closed"
        if m[0] != 4:
            msgs.append(m)
    return msgs


def _is_eor_v4(m):
    return m[0] == 2 and m[1] == bytes(4)


def _nlri(m):
    wl = struct.unpack("!H", m[1][:2])[0]
    al = struct.unpack("!H", m[1][2 + wl:4 + wl])[0]
    return m[1][4 + wl + al:]


def test_initial_eor_and_route_refresh(speakers):
    for enhanced in (False, True):
        port = free_port("127.0.0.1")
        conf = raw_conf(port, "127.0.0.4").replace(
            "listen on", "originate 198.51.100.0/24\nlisten on")
        e = speakers("rr%d" % enhanced, conf)
        e.start()
        s = raw_connect(port, "127.0.0.4")
        s.sendall(bgp_open(refresh=True, enhanced=enhanced))
        assert read_msg(s)[0] == 1
        s.sendall(KEEPALIVE)
        # The initial table, then End-of-RIB (RFC 4724 2).
        msgs = _read_updates_until(s, lambda ms: any(_is_eor_v4(m) for m in ms))
        assert [m[0] for m in msgs] == [2, 2], msgs
        assert _nlri(msgs[0]) == bytes([24, 198, 51, 100])
        # ROUTE-REFRESH for IPv4 unicast: the Adj-RIB-Out again, with
        # BoRR/EoRR around it when enhanced route refresh was agreed.
        s.sendall(bgp_msg(5, struct.pack("!HBB", 1, 0, 1)))
        if enhanced:
            msgs = _read_updates_until(s, lambda ms: any(m[0] == 5 and m[1][2] == 2
                                                         for m in ms))
            assert [(m[0], m[1][2] if m[0] == 5 else None) for m in msgs] == \
                [(5, 1), (2, None), (5, 2)], msgs
            assert _nlri(msgs[1]) == bytes([24, 198, 51, 100])
        else:
            msgs = _read_updates_until(s, lambda ms: len(ms) >= 1)
            assert msgs[0][0] == 2 and _nlri(msgs[0]) == bytes([24, 198, 51, 100])
        # A refresh for a family that was not negotiated is ignored.
        s.sendall(bgp_msg(5, struct.pack("!HBB", 2, 0, 1)))
        s.sendall(KEEPALIVE)
        time.sleep(0.5)
        assert e.state("127.0.0.4") == "Established"
        s.close()
        e.stop(signal.SIGKILL)


def test_rfc8212_defaults_and_sighup(speakers):
    """eBGP without import/export statements: nothing accepted, nothing
    sent, each said once in the log (RFC 8212)."""
    pa, pb = free_port("127.0.0.1"), free_port("127.0.0.2")
    ca, cb = pair_confs(pa, pb)
    ca = ca.replace("import all; export all", "")
    a, b = speakers("a", ca), speakers("b", cb)
    a.start()
    b.start()
    wait_for(lambda: a.state("127.0.0.2") == "Established", 15, "Established")
    wait_for(lambda: "routes from 127.0.0.2 ignored (RFC 8212)" in a.log(), 5, "import log")
    assert "no export policy: nothing sent (RFC 8212)" in a.log()
    assert a.rib_in() == []
    time.sleep(0.5)
    assert b.rib_in() == []
    assert a.neighbor("127.0.0.2")["prefixes_sent"] == 0
    a.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "applied: 1 neighbors kept" in a.log(), 5, "SIGHUP reload applied")
    assert a.state("127.0.0.2") == "Established"


def _mp_reach_v6(nh, nlri):
    val = struct.pack("!HBB", 2, 1, len(nh)) + nh + b"\x00" + nlri
    return bytes([0x80, 14, len(val)]) + val


def test_afi_safi_disable_keeps_session_and_other_family(speakers):
    """RFC 7606 7.11 / RFC 4760 7: a broken MP_REACH_NLRI for IPv6 stops
    IPv6 on the session (its routes go); IPv4 and the session stay."""
    port = free_port("127.0.0.1")
    e = speakers("e", raw_conf(port, "127.0.0.4"))
    e.start()
    s = raw_establish(port, "127.0.0.4", v6=True)
    base = _route_attrs()[:4 + 3 + 6]  # ORIGIN and AS_PATH only
    v6nh = socket.inet_pton(socket.AF_INET6, "2001:db8::4")
    v6pfx = bytes([48, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01])
    s.sendall(bgp_update(base + _mp_reach_v6(v6nh, v6pfx), b""))
    s.sendall(bgp_update(_route_attrs(), bytes([24, 192, 0, 2])))
    wait_for(lambda: _prefixes(e) == ["192.0.2.0/24", "2001:db8:1::/48"], 5, "routes")
    bad = _route_attrs() + _mp_reach_v6(b"\x20\x01\x0d\xb8\x00", v6pfx)
    s.sendall(bgp_update(bad, bytes([24, 198, 51, 100])))
    wait_for(lambda: _prefixes(e) == ["192.0.2.0/24", "198.51.100.0/24"], 5,
             "IPv6 routes dropped, IPv4 kept and added")
    assert "ipv6-unicast disabled" in e.log()
    s.sendall(KEEPALIVE)
    time.sleep(0.3)
    assert e.state("127.0.0.4") == "Established"
    # Later IPv6 announcements are ignored for the rest of the session.
    s.sendall(bgp_update(base + _mp_reach_v6(v6nh, v6pfx), b""))
    s.sendall(KEEPALIVE)
    time.sleep(0.3)
    assert _prefixes(e) == ["192.0.2.0/24", "198.51.100.0/24"]
    assert e.state("127.0.0.4") == "Established"


def test_update_session_reset(speakers):
    """RFC 7606 4: lengths that do not add up cannot be parsed around:
    NOTIFICATION 3/1, session down, the peer's routes gone."""
    port = free_port("127.0.0.1")
    e = speakers("e", raw_conf(port, "127.0.0.4"))
    e.start()
    s = raw_establish(port, "127.0.0.4")
    s.sendall(bgp_update(_route_attrs(), bytes([24, 192, 0, 2])))
    wait_for(lambda: _prefixes(e) == ["192.0.2.0/24"], 5, "route")
    body = struct.pack("!HH", 0, 200) + _route_attrs()  # attribute length overruns
    s.sendall(bgp_msg(2, body))
    m = read_until(s, 3)
    assert m and m[1][:2] == bytes([3, 1]), m
    wait_for(lambda: e.state("127.0.0.4") != "Established", 5, "down")
    assert _prefixes(e) == []
    assert "UPDATE" in e.neighbor("127.0.0.4")["last_error"]
    assert bgp_msg(2, body).hex() in e.log()
