"""Running commands, in the host or in one of the lab's namespaces."""

import os
import signal
import subprocess
import time


class LabError(Exception):
    """A failure worth one clear sentence to the operator."""


def run(argv, check=True, timeout=20, input_=None):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                       input=input_)
    if check and r.returncode != 0:
        raise LabError(f"{' '.join(argv)} failed ({r.returncode}): "
                       f"{(r.stderr or r.stdout).strip()}")
    return r


def nsrun(ns, argv, **kw):
    return run(["ip", "netns", "exec", ns] + list(argv), **kw)


def nsip(ns, *args, **kw):
    return run(["ip", "-n", ns] + list(args), **kw)


def spawn(ns, argv, log_path):
    """A long-lived process in namespace ns, detached from us (it must
    outlive this command: `egress-lab up` returns while the lab runs).
    `ip netns exec` execs, so the PID is the program's own."""
    logf = open(log_path, "ab")
    p = subprocess.Popen(["ip", "netns", "exec", ns] + list(argv), stdout=logf,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    logf.close()
    return p.pid


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def kill_pid(pid, sig=signal.SIGTERM, grace=2.0):
    """Ends one process we started, by PID: sig, then SIGKILL after grace."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        if not pid_alive(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def wait_until(pred, timeout, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            v = pred()
            if v:
                return v
        except LabError as e:
            last = e
        if time.monotonic() >= deadline:
            raise LabError(f"timed out after {timeout:g} s waiting for {what}"
                           + (f" ({last})" if last else ""))
        time.sleep(interval)
