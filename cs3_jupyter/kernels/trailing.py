"""Upload what a kernel writes outside counted executions: widget callbacks, silent executions.

An ipywidgets button or slider runs its callback in the kernel on a ``comm_msg``, not on an
``execute_request``, so the syncs around executions never see what it writes: an exported CSV
would reach the EFSS only with the next cell or at shutdown. The connection reports each time
the kernel goes idle after such a request; :class:`TrailingSyncs` runs one upload-only sync
``delay`` seconds after the last report of a burst (a dragged slider sends dozens of messages a
second, and each would otherwise cost a sync). The sync runs beside the message flow: nothing
is held back, so widgets stay responsive. It is skipped while a counted execution is running or
waiting to run: its files may be half-written, and its own sync afterwards uploads them whole.
Notes (conflicts, refused writes) go to the server log and to the next execution's ``stderr``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from .workspace import KernelWorkspace

log = logging.getLogger(__name__)


class TrailingSyncs:
    """One debounced upload-only sync per kernel, after requests that are not executions."""

    def __init__(self, find: Callable[[str], KernelWorkspace | None], delay: float) -> None:
        #: The kernel's workspace as the manager has it now (None once the kernel is gone).
        self._find = find
        self.delay = delay
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def request_ended(self, kernel_id: str) -> None:
        """The kernel went idle after a callback: (re)start the wait before its upload."""
        if self.delay <= 0:
            return
        self.forget(kernel_id)
        loop = asyncio.get_running_loop()
        self._timers[kernel_id] = loop.call_later(self.delay, self._start, kernel_id)

    def forget(self, kernel_id: str) -> None:
        """Drop a pending upload (the kernel is gone; its last sync at shutdown covers it)."""
        timer = self._timers.pop(kernel_id, None)
        if timer is not None:
            timer.cancel()

    def _start(self, kernel_id: str) -> None:
        self._timers.pop(kernel_id, None)
        task = asyncio.ensure_future(self._sync(kernel_id))
        self._tasks.add(task)  # referenced until it ends
        task.add_done_callback(self._tasks.discard)

    async def _sync(self, kernel_id: str) -> None:
        # The lookup and the sync's turn at the workspace lock happen in one step of the event
        # loop, so a shutdown cannot slip in between: its last sync (and the deletion of the
        # copy) waits behind this one, or the kernel is already gone and nothing runs.
        workspace = self._find(kernel_id)
        if workspace is None:
            return
        notes = await workspace.sync(ask_site=False, tell_later=True, between_executions=True)
        for note in notes:
            log.warning("%s", note)
