#!/usr/bin/python3
"""egressctl against a fake daemon: the requests it sends, what it prints,
and how it copes with a daemon that answers badly or not at all.

usage: test_egressctl.py PATH_TO_EGRESSCTL   (run by meson, suite 'unit')
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading

EGRESSCTL = sys.argv[1]
failures = []


class FakeDaemon:
    """Accepts one connection per expected exchange; records the request
    line and replies with canned bytes (or closes without a word)."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(4)
        self.sock.settimeout(10)
        self.request = None

    def serve_once(self, reply):
        def run():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                self.request = data
                if reply is not None:
                    conn.sendall(reply)
        t = threading.Thread(target=run)
        t.start()
        return t


def run(args, sock):
    return subprocess.run([EGRESSCTL, "-s", sock] + args, capture_output=True,
                          text=True, timeout=30)


def check(name, cond, detail=""):
    if not cond:
        failures.append(f"{name}: {detail}")


NEIGHBORS = {"neighbors": [{
    "address": "169.254.247.1", "port": 179, "remote_as": 64512, "local_as": 64521,
    "description": "tunnel 1\u001b[2J", "state": "Established", "uptime_s": 3725,
    "prefixes_received": 2, "prefixes_sent": 1, "last_error": ""}]}


def exchange(d, args, reply):
    t = d.serve_once(reply)
    r = run(args, d.path)
    t.join(10)
    req = json.loads(d.request) if d.request else None
    return r, req


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ctl.sock")
        d = FakeDaemon(path)

        r, req = exchange(d, ["show", "neighbors"], json.dumps(NEIGHBORS).encode() + b"\n")
        check("table rc", r.returncode == 0, r.stderr)
        check("table request", req == {"command": "show neighbors"}, req)
        lines = r.stdout.splitlines()
        check("table header", lines and lines[0].split() ==
              ["Neighbor", "AS", "State", "Up/Down", "Rcvd", "Sent", "Description"], r.stdout)
        check("table row", len(lines) == 2 and lines[1].split() ==
              ["169.254.247.1", "64512", "Established", "01:02:05", "2", "1", "tunnel",
               "1?[2J"], r.stdout)

        # --json after the command; neighbor address passed through.
        one = NEIGHBORS["neighbors"][0]
        r, req = exchange(d, ["show", "neighbor", "169.254.247.1", "--json"],
                          json.dumps(one).encode() + b"\n")
        check("json rc", r.returncode == 0, r.stderr)
        check("json request", req == {"command": "show neighbor",
                                      "neighbor": "169.254.247.1"}, req)
        check("json output", json.loads(r.stdout) == one, r.stdout)
        check("json pretty", "\n  \"address\"" in r.stdout, r.stdout)

        r, req = exchange(d, ["show", "rib", "out", "neighbor", "2001:db8::1"],
                          b'{"routes":[]}\n')
        check("rib request", req == {"command": "show rib out", "neighbor": "2001:db8::1"},
              req)
        check("rib rc", r.returncode == 0, r.stderr)

        # Daemon-added commands with arguments (issue 3).
        r, req = exchange(d, ["condition", "uplink", "down"],
                          b'{"condition":"uplink","state":"down","changed":true}\n')
        check("condition request", req == {"command": "condition", "name": "uplink",
                                           "state": "down"}, req)
        check("condition output", r.returncode == 0 and
              r.stdout == "condition uplink down\n", (r.stdout, r.stderr))
        r, req = exchange(d, ["show", "rib", "in", "neighbor", "192.0.2.1", "--pre-policy"],
                          b'{"routes":[]}\n')
        check("pre-policy request", req == {"command": "show rib in pre-policy",
                                            "neighbor": "192.0.2.1"}, req)
        check("pre-policy rc", r.returncode == 0, r.stderr)
        r, req = exchange(d, ["reload"], b'{"error":"x.conf:3:5: boom"}\n')
        check("reload request", req == {"command": "reload"}, req)
        check("reload error", r.returncode == 1 and
              r.stderr == "egressctl: x.conf:3:5: boom\n", r.stderr)

        r, _ = exchange(d, ["show", "neighbor", "192.0.2.9"],
                        b'{"error":"no neighbor 192.0.2.9"}\n')
        check("error rc", r.returncode == 1, r.returncode)
        check("error text", r.stderr == "egressctl: no neighbor 192.0.2.9\n", r.stderr)
        check("error stdout", r.stdout == "", r.stdout)

        r, _ = exchange(d, ["show", "neighbors"], b"garbage\n")
        check("garbage rc", r.returncode == 1, r.returncode)
        check("garbage text", r.stderr.startswith(
            "egressctl: malformed answer from egressd: "), r.stderr)

        r, _ = exchange(d, ["show", "neighbors"], b'{"neighbors":[{"address":1}]}\n')
        check("types rc", r.returncode == 1, r.returncode)
        check("types text", r.stderr == "egressctl: malformed answer from egressd: "
              "neighbor 0: \"address\" is missing or not a string\n", r.stderr)
        check("types stdout", r.stdout == "", r.stdout)

        r, _ = exchange(d, ["show", "neighbors"], None)
        check("silent rc", r.returncode == 1, r.returncode)
        check("silent text", "closed the connection without an answer" in r.stderr,
              r.stderr)
        d.sock.close()

        gone = os.path.join(tmp, "nobody.sock")
        r = run(["show", "neighbors"], gone)
        check("unreachable rc", r.returncode == 1, r.returncode)
        check("unreachable text", r.stderr ==
              f"egressctl: cannot reach egressd at {gone}: No such file or directory\n",
              r.stderr)

        for args, msg in [
            ([], "egressctl: no command given\n"),
            (["show", "neighbor", "foo"], "egressctl: 'foo' is not an IPv4 or IPv6 address\n"),
            (["show", "rib", "in", "192.0.2.1"],
             "egressctl: expected: show rib in|out [neighbor ADDR]\n"),
            (["--bogus", "show", "neighbors"], "egressctl: unknown option '--bogus'\n"),
            (["flush", "everything"], "egressctl: unknown command 'flush'\n"),
            (["condition", "uplink"], "egressctl: expected: condition NAME up|down\n"),
            (["condition", "uplink", "sideways"],
             "egressctl: expected: condition NAME up|down\n"),
            (["show", "rib", "in", "--pre-policy"],
             "egressctl: --pre-policy goes with: show rib in neighbor ADDR\n"),
        ]:
            r = run(args, gone)
            check(f"usage {args} rc", r.returncode == 1, r.returncode)
            check(f"usage {args} text", r.stderr.startswith(msg), r.stderr)

    r = subprocess.run([EGRESSCTL, "--help"], capture_output=True, text=True)
    check("help", r.returncode == 0 and r.stdout.startswith("usage: egressctl"), r.stdout)

    for f in failures:
        print("FAIL", f)
    print(f"{'FAILED' if failures else 'ok'}: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
