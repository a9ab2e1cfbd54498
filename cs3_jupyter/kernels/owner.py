"""Which server process owns a working copy, and whether that process still runs.

A pid alone is not enough: after a reboot, or on a busy machine, another process gets the
same pid, and a dead server's copies would then look alive forever (or, worse, a live
server's copies dead). So an owner is recorded as host, boot id, pid and the process's start
time (Linux's ``/proc``). Where those cannot be read (not Linux), only the pid is checked,
and a reused pid makes a copy look alive: it is left for a later start, never lost.
"""

from __future__ import annotations

import os
import socket
from typing import Any

_BOOT_ID = "/proc/sys/kernel/random/boot_id"


def _boot_id() -> str | None:
    try:
        with open(_BOOT_ID, encoding="ascii") as handle:
            return handle.read().strip() or None
    except OSError:
        return None


def _start_time(pid: int) -> int | None:
    """Clock ticks from boot to the process's start (field 22 of ``/proc/<pid>/stat``)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return None
    try:
        # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
        return int(stat.rpartition(")")[2].split()[19])
    except (IndexError, ValueError):
        return None


def this_process() -> dict[str, Any]:
    """The owner record of the current process."""
    pid = os.getpid()
    return {
        "host": socket.gethostname(),
        "boot_id": _boot_id(),
        "pid": pid,
        "start": _start_time(pid),
    }


def is_alive(owner: dict[str, Any]) -> bool:
    """Whether the process described by ``owner`` may still be running.

    When in doubt (another host, a record we cannot read) the answer is True: the caller
    then leaves the copy alone, which loses nothing.
    """
    pid = owner.get("pid")
    if not isinstance(pid, int) or pid <= 0 or os.name != "posix":
        return True  # (elsewhere, os.kill(pid, 0) would not be a harmless probe)
    if owner.get("host") != socket.gethostname():
        return True  # a working_copy_dir on a shared disk: not ours to judge
    boot = _boot_id()
    if boot is not None and owner.get("boot_id") not in (None, boot):
        return False  # the machine restarted since
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # the pid now belongs to another user: our server is gone
    recorded = owner.get("start")
    if recorded is not None:
        now = _start_time(pid)
        if now is not None and now != recorded:
            return False  # the pid was reused by a younger process
    return True
