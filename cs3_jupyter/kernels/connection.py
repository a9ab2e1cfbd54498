"""The kernel websocket, with a sync of the working copy around each execution.

This is the language-neutral hook: it sits in the server between the browser and any
kernel, and only reads message headers (``execute_request``, ``execute_reply`` and the
``status`` of the IOPub channel), so it works the same for IPython, R, Julia or a kernel
written in shell. Before an ``execute_request`` reaches a kernel that is not running
anything, the working copy is synced (the cell sees what is on the EFSS now); when the last
queued execution ends, its ``execute_reply`` and its ``idle`` status are held back until
what the cell wrote is on the EFSS, so "the cell finished" means "its files are saved".
Conflicts and skipped files are told to the user as ``stderr`` output of that cell.

Requests that run code without being a counted execution (a widget's callback on a
``comm_msg``, a ``silent`` execution) are never held: when the kernel goes idle after one, the
kernel manager's ``TrailingSyncs`` (``trailing.py``) uploads what it wrote a moment later.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado.websocket import WebSocketClosedError

from .trailing import TrailingSyncs
from .workspace import KernelWorkspace

V1 = "v1.kernel.websocket.jupyter.org"
#: Shell requests that run kernel code besides executions: widget callbacks and comm targets.
COMM_REQUESTS = frozenset({"comm_open", "comm_msg", "comm_close"})
#: Callbacks remembered until their idle status; a kernel that never sends one cannot grow this.
MAX_CALLBACKS = 1000


class _Execution:
    """An execute request this connection forwarded, until both its ends were seen."""

    def __init__(self, header: dict[str, Any]) -> None:
        self.header = header
        self.ends_seen = 0
        #: Messages held back while the sync after it runs, in arrival order.
        self.held: list[tuple[Any, list[Any]]] | None = None


class SyncingKernelConnection(ZMQChannelsWebsocketConnection):
    """``ZMQChannelsWebsocketConnection`` plus working-copy syncs around executions."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._executions: dict[str, _Execution] = {}
        self._tail: asyncio.Future[None] | None = None
        self._syncing: asyncio.Future[None] | None = None
        #: msg_ids of forwarded callbacks (comm messages, silent executions), in arrival order.
        self._callbacks: dict[str, None] = {}

    @property
    def workspace(self) -> KernelWorkspace | None:
        find = getattr(self.multi_kernel_manager, "workspace", None)
        return find(self.kernel_id) if find is not None else None

    # -- browser -> kernel -------------------------------------------------------------------

    def handle_incoming_message(self, incoming_msg: Any) -> None:
        if self.workspace is None or not self.channels:
            super().handle_incoming_message(incoming_msg)
            return
        channel, header, content = self._read_incoming(incoming_msg)
        if channel != "shell":  # interrupts, input replies: never wait behind a sync
            super().handle_incoming_message(incoming_msg)
            return
        kind = header.get("msg_type")
        is_execution = kind == "execute_request" and not content.get("silent")
        if not is_execution and (kind in COMM_REQUESTS or kind == "execute_request"):
            self._remember_callback(header.get("msg_id"))
        if not is_execution and (self._tail is None or self._tail.done()):
            super().handle_incoming_message(incoming_msg)
            return
        # Shell messages keep their order: one waiting for a sync holds back the ones after it.
        self._tail = asyncio.ensure_future(
            self._forward_after(self._tail, incoming_msg, header, is_execution)
        )

    async def _forward_after(
        self,
        previous: asyncio.Future[None] | None,
        incoming_msg: Any,
        header: dict[str, Any],
        is_execution: bool,
    ) -> None:
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)
        workspace = self.workspace
        if is_execution and workspace is not None:
            if workspace.needs_sync_before():
                self._tell(await workspace.sync(), header)
            workspace.started(header["msg_id"])
            self._executions[header["msg_id"]] = _Execution(header)
        if self.channels:
            super().handle_incoming_message(incoming_msg)

    def _remember_callback(self, msg_id: str | None) -> None:
        """Watch for the idle status that ends this callback (see ``_callback_ended``)."""
        if not msg_id:
            return
        self._callbacks[msg_id] = None
        if len(self._callbacks) > MAX_CALLBACKS:
            del self._callbacks[next(iter(self._callbacks))]

    def _read_incoming(self, incoming_msg: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """(channel, header, content) of a message from the browser, in either protocol."""
        if self.subprotocol == V1:
            channel, parts = deserialize_msg_from_ws_v1(incoming_msg)
            header = self.session.unpack(parts[0])
            content = self.session.unpack(parts[3]) if channel == "shell" else {}
            return channel or "shell", header, content
        msg = json.loads(incoming_msg) if isinstance(incoming_msg, str) else {}
        return msg.get("channel") or "shell", msg.get("header") or {}, msg.get("content") or {}

    # -- kernel -> browser -------------------------------------------------------------------

    def handle_outgoing_message(self, stream: Any, outgoing_msg: list[Any]) -> None:
        if not self._executions and not self._callbacks:
            super().handle_outgoing_message(stream, outgoing_msg)
            return
        channel = stream if isinstance(stream, str) else getattr(stream, "channel", None)
        execution = None
        if channel in ("shell", "iopub"):
            _, parts = self.session.feed_identities(outgoing_msg)
            parent = self.session.unpack(parts[2]).get("msg_id")
            execution = self._executions.get(parent)
            if parent in self._callbacks and channel == "iopub" and self._is_idle(parts):
                self._callback_ended(parent)
        if execution is None:
            super().handle_outgoing_message(stream, outgoing_msg)
            return
        if execution.held is not None:
            execution.held.append((stream, outgoing_msg))
            self._count_end(execution, channel, parts)
            return
        if self._count_end(execution, channel, parts) and execution.ends_seen == 1:
            workspace = self.workspace
            if workspace is not None and workspace.finished(execution.header["msg_id"]):
                execution.held = [(stream, outgoing_msg)]
                self._syncing = asyncio.ensure_future(self._sync_then_release(workspace, execution))
                return
        super().handle_outgoing_message(stream, outgoing_msg)

    def _is_idle(self, parts: list[Any]) -> bool:
        """Whether an IOPub message is the kernel's ``idle`` status."""
        return (
            self.session.unpack(parts[1]).get("msg_type") == "status"
            and self.session.unpack(parts[4]).get("execution_state") == "idle"
        )

    def _callback_ended(self, msg_id: str) -> None:
        """The kernel went idle after a callback: its upload follows, beside the flow."""
        del self._callbacks[msg_id]
        trailing: TrailingSyncs | None = getattr(self.multi_kernel_manager, "trailing_syncs", None)
        if trailing is not None:
            trailing.request_ended(self.kernel_id)

    def _count_end(self, execution: _Execution, channel: str | None, parts: list[Any]) -> bool:
        """Whether this message is one of an execution's two ends (reply, then idle)."""
        end = (
            channel == "shell" and self.session.unpack(parts[1]).get("msg_type") == "execute_reply"
        ) or (channel == "iopub" and self._is_idle(parts))
        if end:
            execution.ends_seen += 1
            if execution.ends_seen >= 2 and execution.held is None:
                self._executions.pop(execution.header["msg_id"], None)
        return end

    async def _sync_then_release(self, workspace: KernelWorkspace, execution: _Execution) -> None:
        try:
            self._tell(await workspace.sync(ask_site=False), execution.header)
        finally:
            self._release(execution)

    def _release(self, execution: _Execution) -> None:
        held, execution.held = execution.held or [], None
        if execution.ends_seen >= 2:
            self._executions.pop(execution.header["msg_id"], None)
        for stream, msg in held:
            try:
                super().handle_outgoing_message(stream, msg)
            except (WebSocketClosedError, KeyError):
                break  # the browser went away; the kernel's messages are buffered elsewhere

    # -- telling the user --------------------------------------------------------------------

    def _tell(self, notes: list[str], parent_header: dict[str, Any]) -> None:
        """Each note as ``stderr`` output of the cell it concerns (and in the server log)."""
        for note in notes:
            try:
                self.write_stderr(note, parent_header)
            except WebSocketClosedError:
                self.log.warning("%s", note)

    # -- restarts and goodbyes ---------------------------------------------------------------

    def _drop_executions(self) -> None:
        workspace = self.workspace
        if workspace is not None:
            workspace.forget_running(set(self._executions))
        pending = list(self._executions.values())
        self._executions.clear()
        self._callbacks.clear()  # they will not end either
        for execution in pending:
            if execution.held is not None and self.channels:
                self._release(execution)

    def on_kernel_restarted(self) -> None:
        self._drop_executions()
        super().on_kernel_restarted()

    def disconnect(self) -> None:  # type: ignore[override]  # synchronous, as in the parent
        self._drop_executions()
        super().disconnect()
