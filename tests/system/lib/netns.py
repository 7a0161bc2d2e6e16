"""Network namespaces and the veth links between them.

Each test makes its own namespaces with unique names ("egs-<pid>-<n>-x")
and links them with veth pairs created inside those namespaces, so no
interface ever appears in the host's namespace.  Namespace.close() kills
every process started in it (by PID) and deletes it; fixtures call it in
teardown whether the test passed or not.
"""

import itertools
import os
import subprocess

from .util import kill_pid, pid_alive, run

_seq = itertools.count()
# "egs" (egress system tests) keeps our names apart from other tools'.
NS_PREFIX = "egs"


def unique_prefix():
    """A name prefix no other test (or concurrent run) uses."""
    return f"{NS_PREFIX}-{os.getpid()}-{next(_seq)}"


class Proc:
    """A process started inside a namespace, tracked by PID."""

    def __init__(self, popen, name, log_path):
        self.popen = popen
        self.pid = popen.pid
        self.name = name
        self.log_path = log_path

    def alive(self):
        return self.popen.poll() is None

    def log(self, tail=4000):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()[-tail:]
        except OSError:
            return ""

    def stop(self):
        kill_pid(self.pid)
        try:
            self.popen.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass


class Namespace:
    def __init__(self, name, workdir):
        self.name = name
        self.workdir = workdir
        self.procs = []
        os.makedirs(workdir, exist_ok=True)
        run(["ip", "netns", "add", name])
        try:
            self.ip("link", "set", "lo", "up")
        except Exception:
            run(["ip", "netns", "del", name], check=False)
            raise

    # -- commands -----------------------------------------------------
    def cmd(self, argv):
        return ["ip", "netns", "exec", self.name] + list(argv)

    def run(self, argv, timeout=15, check=True, **kw):
        return run(self.cmd(argv), timeout=timeout, check=check, **kw)

    def ip(self, *args):
        return self.run(["ip"] + list(args))

    def start(self, argv, name, env=None, cwd=None):
        """Start a long-running process in the namespace, output to a log
        file in the workdir.  `ip netns exec` execs the command, so the
        PID we get is the daemon's own."""
        log_path = os.path.join(self.workdir, f"{name}.log")
        logf = open(log_path, "ab")
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        popen = subprocess.Popen(self.cmd(argv), stdout=logf,
                                 stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, env=full_env,
                                 cwd=cwd or self.workdir,
                                 start_new_session=True)
        logf.close()
        p = Proc(popen, name, log_path)
        self.procs.append(p)
        return p

    def pids(self):
        """PIDs of every process living in this namespace (all of them
        descend from processes this rig started here)."""
        r = run(["ip", "netns", "pids", self.name], check=False)
        return [int(x) for x in r.stdout.split() if x.strip().isdigit()]

    # -- addresses ----------------------------------------------------
    def addr_add(self, ifname, cidr):
        args = ["addr", "add", cidr, "dev", ifname]
        if ":" in cidr:
            # No DAD: the address must be usable at once, not in ~1-2 s.
            args.append("nodad")
        self.ip(*args)

    # -- teardown -----------------------------------------------------
    def close(self):
        for p in reversed(self.procs):
            p.stop()
        # Children of our daemons (privsep helpers, exabgp's API
        # process) are in this namespace too.
        for pid in self.pids():
            kill_pid(pid, grace=1.0)
        for pid in self.pids():
            if pid_alive(pid):
                kill_pid(pid, grace=0.5)
        run(["ip", "netns", "del", self.name], check=False)


def sweep_stale():
    """Remove namespaces left by an earlier run of this rig that was
    killed before its teardown ran (names "egs-<pid>-<n>-<side>" whose
    pid is gone), with the processes still inside them."""
    import re
    r = run(["ip", "netns", "list"], check=False)
    for line in r.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(rf"^{NS_PREFIX}-(\d+)-\d+-[a-z0-9]+$", name)
        if not m or pid_alive(int(m.group(1))):
            continue
        pr = run(["ip", "netns", "pids", name], check=False)
        for pid in pr.stdout.split():
            if pid.isdigit():
                kill_pid(int(pid), grace=1.0)
        run(["ip", "netns", "del", name], check=False)


def veth(a, b, ifname="eg0"):
    """Link two namespaces with a veth pair named `ifname` on both sides.

    The pair is created inside namespace a with its peer end placed
    directly into b, so it never exists in the host namespace."""
    a.run(["ip", "link", "add", ifname, "type", "veth", "peer", "name",
           ifname, "netns", b.name])
    a.ip("link", "set", ifname, "up")
    b.ip("link", "set", ifname, "up")
