"""One kernel's side of the sync: its working copy, when to sync it, and what to tell the user.

The connection (``connection.py``) reports the executions it forwards and sees finish; this
object decides when a sync runs. A sync runs before an execution only when the kernel has
nothing else queued, and after one only when it was the last queued: a "Run All" is synced
before its first cell and after its last, never while a cell runs (files must not change
under running code, nor be read half-written).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from concurrent.futures import Executor

from ..dav import errors
from .sync import WorkingCopy
from .sync.workingcopy import PREFIX

log = logging.getLogger(__name__)


class KernelWorkspace:
    """The working copy of one kernel and the executions in flight on it."""

    def __init__(self, copy: WorkingCopy, executor: Executor) -> None:
        self.copy = copy
        self._executor = executor
        self._lock = asyncio.Lock()
        #: msg_ids of execute requests forwarded to the kernel and not finished yet.
        self.running: set[str] = set()
        #: Notes from syncs that ran outside an execution (start, shutdown), told next time.
        self._later: list[str] = []
        #: The last sync left files that are only here (the site was unreachable or refused).
        self._unsaved = False

    @property
    def cwd(self) -> str:
        return self.copy.local_root

    async def sync(
        self, *, ask_site: bool = True, tell_later: bool = False, between_executions: bool = False
    ) -> list[str]:
        """Run one sync in a worker thread; returns the notes for the user (all notes not
        told yet), or, with ``tell_later``, keeps this sync's notes for the next execution
        (and returns them for the log). With ``between_executions`` nothing runs if an
        execution started meanwhile: its files may be half-written, and its own sync after
        it covers them (checked under the lock, after any sync before that execution)."""
        async with self._lock:
            if between_executions and self.running:
                return []
            loop = asyncio.get_running_loop()
            try:
                report = await loop.run_in_executor(
                    self._executor, functools.partial(self.copy.sync, ask_site=ask_site)
                )
                notes = report.notes
                self._unsaved = bool(report.failed)
            except errors.DavError as err:
                self._unsaved = True
                log.warning("Working copy sync of '%s' failed: %s", self.copy.folder, err.message)
                notes = [
                    f"{PREFIX}The kernel's working folder could not be synced with the EFSS: "
                    f"{err.message} It is tried again with the next execution."
                ]
            except Exception:
                self._unsaved = True
                log.exception("Working copy sync of '%s' failed", self.copy.folder)
                notes = [
                    f"{PREFIX}The kernel's working folder could not be synced with the EFSS "
                    "(an unexpected error; the server log has the details). It is tried again "
                    "with the next execution."
                ]
            if tell_later:
                self._later.extend(notes)
                return notes
            earlier, self._later = self._later, []
            return earlier + notes

    # -- executions -------------------------------------------------------------------------

    def needs_sync_before(self) -> bool:
        """Sync before forwarding an execution only if the kernel is not running any."""
        return not self.running

    def started(self, msg_id: str) -> None:
        self.running.add(msg_id)

    def finished(self, msg_id: str) -> bool:
        """Record the end of an execution; True if a sync should follow it now."""
        if msg_id not in self.running:
            return False
        self.running.discard(msg_id)
        return not self.running

    def forget_running(self, msg_ids: set[str] | None = None) -> None:
        """The kernel restarted or a connection closed: those executions will not finish."""
        if msg_ids is None:
            self.running.clear()
        else:
            self.running -= msg_ids

    async def close(self) -> None:
        """A last sync of what the kernel wrote, then the local copy is deleted, unless that
        sync could not save everything: then the copy stays, with its record, and the next
        start of a server recovers it (``recovery.py``) once this one has stopped."""
        notes = await self.sync(ask_site=False)
        for note in notes:
            log.warning("%s", note)
        keep = self._unsaved
        if keep:
            log.warning(
                "The working copy of '%s' holds files not saved to the EFSS; it stays in %s "
                "and is uploaded when the server next starts.",
                self.copy.folder,
                os.path.dirname(self.cwd),
            )
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(
            self._executor, functools.partial(self.copy.close, delete=not keep)
        )
