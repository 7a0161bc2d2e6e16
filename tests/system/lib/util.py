"""Small helpers shared by the drivers: polling and process control."""

import os
import signal
import subprocess
import time


class Timeout(AssertionError):
    """A polled condition did not become true in time."""


class Fatal(Exception):
    """Raised by a polled predicate to stop waiting at once (e.g. the
    daemon being waited for has exited)."""


def wait_until(pred, timeout, interval=0.2, what="condition"):
    """Poll pred() until it returns a truthy value; return that value.

    Tests poll instead of sleeping a fixed time, so a fast peer makes a
    fast test and a slow one still passes within the bound.  Exceptions
    from pred() count as "not yet" (a daemon's CLI may not answer while it
    starts), the last one is reported on timeout; Fatal ends the wait.
    """
    deadline = time.monotonic() + timeout
    last_exc = None
    last_val = None
    while True:
        try:
            last_val = pred()
            if last_val:
                return last_val
        except Fatal as exc:
            raise AssertionError(f"while waiting for {what}: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - reported below
            last_exc = exc
        if time.monotonic() >= deadline:
            msg = f"timed out after {timeout}s waiting for {what}"
            if last_exc is not None:
                msg += f" (last error: {last_exc!r})"
            elif last_val is not None:
                msg += f" (last value: {last_val!r})"
            raise Timeout(msg)
        time.sleep(interval)


def hold_for(pred, duration, interval=0.3, what="condition"):
    """Assert pred() stays truthy for the whole duration (negative tests:
    "never Established" can only be checked over a window)."""
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        if not pred():
            raise AssertionError(f"{what} stopped holding")
        time.sleep(interval)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); look at its state.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def kill_pid(pid, grace=3.0):
    """SIGTERM one process by PID, SIGKILL it if it lingers.

    Only ever called with PIDs this rig started (or found inside a
    namespace this rig created)."""
    if pid is None or pid <= 1 or not pid_alive(pid):
        return
    try:
        # A stopped process (hold-timer tests use SIGSTOP) ignores SIGTERM
        # until continued.
        os.kill(pid, signal.SIGCONT)
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run(cmd, timeout=15, check=True, **kw):
    """subprocess.run with text output and a timeout on every call."""
    return subprocess.run(cmd, capture_output=True, text=True,
                          timeout=timeout, check=check, **kw)
