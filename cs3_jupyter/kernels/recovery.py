"""Working copies left behind by a server that died: what their kernels wrote goes to the EFSS.

A server killed by SIGKILL, the OOM killer or a power loss never runs its kernels' last
sync, and the files a kernel wrote after its last sync would sit on a local disk that the
user never looks at. When a server starts, each kernel folder in ``working_copy_dir`` whose
record names a dead owner, and this server's site and user, gets a recovery sync (uploads
only, same conditional rules as a normal sync, see :func:`.sync.plan.uploads_only`) and is
deleted once everything in it is on the EFSS. If the site cannot be reached or refuses, the
folder is kept and tried again at the next start.

Folders are never deleted on a guess: one without a readable record (an older layout, a
damaged record), one whose owner may still run (another server of the same user sharing
the folder), one of another account: all are left as they are.

Blocking code (disk and WebDAV): the manager runs it in a worker thread.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections import Counter
from typing import Any, Literal, TypeGuard

from ..dav import errors
from ..dav.client import DavClient
from . import owner
from .sync import WorkingCopy
from .sync.journal import RECORD, Journal, RecordError, read_record
from .sync.workingcopy import PREFIX

#: What became of one kernel folder.
Outcome = Literal["recovered", "kept", "running", "left alone"]


def record_header(client: DavClient, folder: str, copy_name: str) -> dict[str, Any]:
    """What a new kernel folder's record says besides the sync state (never a credential)."""
    return {
        "owner": owner.this_process(),
        "site": client.site_url,
        "user": client.user,
        "folder": folder,
        "copy": copy_name,
    }


def recover_left_copies(
    root: str, client: DavClient, *, ignore: tuple[str, ...], workers: int, log: logging.Logger
) -> Counter[Outcome]:
    """Recover every kernel folder in ``root`` left by a dead server; what became of each
    (by outcome, a count), also said in one log line."""
    outcomes: Counter[Outcome] = Counter()
    began = time.monotonic()
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except FileNotFoundError:
        return outcomes
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False):
            continue
        try:
            outcomes[_recover_one(entry.path, client, ignore, workers, log)] += 1
        except Exception:
            log.exception("Could not recover the working copy in %s; it is left alone", entry.path)
            outcomes["left alone"] += 1
    if outcomes:
        log.info(
            "Working copies in %s checked in %.2f s: %d recovered, %d kept for the next start, "
            "%d left alone, %d of running servers.",
            root,
            time.monotonic() - began,
            outcomes["recovered"],
            outcomes["kept"],
            outcomes["left alone"],
            outcomes["running"],
        )
    return outcomes


def _recover_one(
    kernel_dir: str, client: DavClient, ignore: tuple[str, ...], workers: int, log: logging.Logger
) -> Outcome:
    record_path = os.path.join(kernel_dir, RECORD)
    try:
        record = read_record(record_path)
    except RecordError as err:
        log.warning(
            "Left alone: %s has no working copy record this version can read (%s): an older "
            "version's copy, or a damaged one. It may hold a kernel's unsynced files: look "
            "inside, then delete it.",
            kernel_dir,
            err,
        )
        return "left alone"
    header = record.header
    who = header.get("owner")
    if not isinstance(who, dict) or owner.is_alive(who):
        return "running"  # a running server's kernel (perhaps another server of this user)
    if (header.get("site"), header.get("user")) != (client.site_url, client.user):
        log.info(
            "Left alone: the working copy in %s belongs to user %s at %s, not to this server's "
            "account; a server for that account recovers it.",
            kernel_dir,
            header.get("user"),
            header.get("site"),
        )
        return "left alone"
    folder, copy_name = header.get("folder"), header.get("copy")
    if not isinstance(folder, str) or not _plain_name(copy_name):
        log.warning("Left alone: the working copy record in %s is damaged.", kernel_dir)
        return "left alone"
    lock = _claim(kernel_dir)
    if lock is None:
        return "running"  # another server is recovering it right now
    try:
        return _sync_and_delete(
            kernel_dir, record_path, header, folder, copy_name, client, ignore, workers, log
        )
    finally:
        os.close(lock)


def _sync_and_delete(
    kernel_dir: str,
    record_path: str,
    header: dict[str, Any],
    folder: str,
    copy_name: str,
    client: DavClient,
    ignore: tuple[str, ...],
    workers: int,
    log: logging.Logger,
) -> Outcome:
    try:
        record = read_record(record_path)  # again: it may have moved on while we waited
    except RecordError:
        return "recovered"  # recovered and deleted by another server meanwhile
    copy = WorkingCopy(
        client,
        folder,
        os.path.join(kernel_dir, copy_name),
        ignore=ignore,
        workers=workers,
        journal=Journal(record_path, header),
        agreed=record,
    )
    try:
        report = copy.recover()
    except errors.DavError as err:
        copy.close(delete=False)
        log.warning(
            "The working copy of EFSS folder '%s' left by a stopped server could not be "
            "synced: %s It stays in %s and is tried again at the next start.",
            folder,
            err.message,
            kernel_dir,
        )
        return "kept"
    for note in report.notes:
        log.warning("%s", note.removeprefix(PREFIX))
    if report.failed:
        copy.close(delete=False)
        log.warning(
            "%d file(s) of the working copy of EFSS folder '%s' left by a stopped server could "
            "not be uploaded (%s). They stay in %s and are tried again at the next start.",
            len(report.failed),
            folder,
            ", ".join(sorted(report.failed)[:5]),
            kernel_dir,
        )
        return "kept"
    copy.close()
    log.info(
        "Recovered the working copy of EFSS folder '%s' left by a stopped server: %d file(s) "
        "uploaded, %d kept both versions; its local folder is deleted.",
        folder,
        len(report.uploaded),
        len(report.conflicts),
    )
    return "recovered"


def _plain_name(name: object) -> TypeGuard[str]:
    """A single folder name (a damaged record must not point outside the kernel's folder)."""
    return isinstance(name, str) and name not in ("", ".", "..") and "/" not in name


def _claim(kernel_dir: str) -> int | None:
    """An exclusive lock on the kernel folder while it is recovered, so that two servers
    starting together do not upload the same files twice; None if another holds it. The
    lock goes with the process, so a server that dies while recovering blocks nobody."""
    try:
        fd = os.open(kernel_dir, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except OSError:
        pass  # a file system without locks: recover anyway (at worst, a duplicate upload)
    return fd
