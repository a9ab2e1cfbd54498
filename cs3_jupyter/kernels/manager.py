"""``CS3KernelManager``: kernels that see their notebook's EFSS folder and never the credential.

For a kernel started for a notebook on the EFSS, the working directory is a local working
copy of the notebook's folder in a private per-user folder (mode 0700, outside any EFSS
tree), synced around each execution (see ``connection.py`` and ``workspace.py``) and
deleted when the kernel shuts down. Every kernel, EFSS notebook or not, starts without the
``CS3_*`` secrets of the server's environment; it gets the server's URL and a token of its
own that opens only the kernel file endpoint (``efss://``, ``handlers/efss.py``).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Bool, Float, Integer, List, Unicode, default

from ..dav.client import DavClient
from .recovery import Outcome, record_header, recover_left_copies
from .sync import Caps, WorkingCopy
from .sync.journal import RECORD, Journal
from .tokens import KernelTokens
from .trailing import TrailingSyncs
from .workspace import KernelWorkspace

#: Environment variables a kernel never inherits: the EFSS credential in all its forms.
SECRET_VARIABLES = frozenset({"CS3_PASSWORD", "CS3_TOKEN", "CS3_TOKEN_FILE"})
#: What a kernel gets instead: where the server's kernel file endpoint is, and its own token.
URL_VARIABLE = "CS3_EFSS_URL"
TOKEN_VARIABLE = "CS3_EFSS_TOKEN"  # noqa: S105 - a variable name

MB = 1_000_000
#: Names in a kernel's folder beside the copy: a notebook folder of that name is renamed.
RESERVED_NAMES = frozenset({RECORD, ".staging"})


def kernel_environment(base: dict[str, str]) -> dict[str, str]:
    """``base`` without any EFSS secret (named ones, and any ``CS3_*`` password/token/secret)."""
    return {
        key: value
        for key, value in base.items()
        if key not in SECRET_VARIABLES
        and not (
            key.startswith("CS3_")
            and key not in (URL_VARIABLE, TOKEN_VARIABLE)
            and any(word in key for word in ("PASSWORD", "TOKEN", "SECRET"))
        )
    }


class CS3KernelManager(AsyncMappingKernelManager):
    """Kernels for notebooks on the EFSS: a synced working copy as cwd, no credential."""

    sync_working_copy = Bool(
        True,
        help="Give a kernel started for a notebook on the EFSS a local working copy of the "
        "notebook's folder as its working directory, synced before and after each execution. "
        "Off: kernels start in the server's root_dir and reach the EFSS only through efss://.",
    ).tag(config=True)

    working_copy_dir = Unicode(
        help="Folder holding the kernels' working copies (one private subfolder per kernel, "
        "deleted at kernel shutdown). Created with mode 0700. Default: cs3-kernels-<uid> in "
        "the system's temporary folder. Put it on a local disk with room for sync_max_total_bytes "
        "per kernel; never inside a folder that a sync client uploads. Copies left there by a "
        "server that died are uploaded and deleted when a server of the same user starts.",
    ).tag(config=True)

    @default("working_copy_dir")
    def _default_working_copy_dir(self) -> str:
        return os.path.join(tempfile.gettempdir(), f"cs3-kernels-{os.getuid()}")

    sync_max_file_bytes = Integer(
        50 * MB,
        help="Files larger than this are not downloaded into a working copy; the user is told "
        "to read them with efss:// instead. 0: no limit.",
    ).tag(config=True)

    sync_max_total_bytes = Integer(
        500 * MB,
        help="At most this many bytes are downloaded into one working copy; files beyond are "
        "skipped (and the user told). 0: no limit.",
    ).tag(config=True)

    sync_max_files = Integer(
        2000,
        help="At most this many files are downloaded into one working copy. 0: no limit.",
    ).tag(config=True)

    sync_ignore = List(
        Unicode(),
        [
            ".ipynb_checkpoints",
            "__pycache__",
            "*.pyc",
            ".~lock.*#",
            "*.swp",
            ".DS_Store",
            "Thumbs.db",
        ],
        help="File and folder names (fnmatch patterns) never synced in either direction.",
    ).tag(config=True)

    sync_trust_folder_etags = Bool(
        True,
        help="The site changes a folder's ETag whenever anything below it changes (Nextcloud, "
        "ownCloud, oCIS do), so unchanged subfolders need not be listed again. Turn off for a "
        "site that does not: every subfolder is then listed before each execution.",
    ).tag(config=True)

    sync_callback_delay = Float(
        1.0,
        help="Seconds after a widget callback (a comm message) or a silent execution left the "
        "kernel idle before what the kernel wrote is uploaded to the EFSS, beside the message "
        "flow (nothing waits for it). Each such request within the wait starts it again, so a "
        "dragged slider gives one upload when it stops. Never while a cell runs: the sync after "
        "the cell covers it. 0: no such uploads (files then reach the EFSS with the next cell).",
    ).tag(config=True)

    sync_workers = Integer(
        4, help="Parallel downloads/uploads per sync (and threads for syncing)."
    ).tag(config=True)

    kernel_file_access = Bool(
        True,
        help="Give each kernel a token for the server's kernel file endpoint (efss:// in "
        "fsspec), valid until the kernel shuts down. The EFSS credential itself never reaches "
        "a kernel either way.",
    ).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.file_tokens = KernelTokens()
        self._workspaces: dict[str, KernelWorkspace] = {}
        self._first_sync: dict[str, asyncio.Task[None]] = {}
        self._retiring: dict[str, asyncio.Task[None]] = {}
        self._sync_executor = ThreadPoolExecutor(self.sync_workers, thread_name_prefix="cs3-wc")
        #: Uploads after widget callbacks; the connection reports when the kernel went idle.
        self.trailing_syncs = TrailingSyncs(self.workspace, self.sync_callback_delay)

    # -- what the connection and the handlers ask ---------------------------------------------

    def workspace(self, kernel_id: str) -> KernelWorkspace | None:
        """The working copy of a kernel, or None if it has none (not an EFSS notebook)."""
        return self._workspaces.get(kernel_id)

    def _dav_client(self) -> DavClient | None:
        """The contents manager's WebDAV client, when the server's files are the EFSS."""
        contents = getattr(self.parent, "contents_manager", None)
        client = getattr(contents, "client", None)
        return client if isinstance(client, DavClient) else None

    def _server_url(self) -> str:
        """How a kernel on this machine reaches this server (loopback for a wildcard ip)."""
        app: Any = self.parent
        ip = getattr(app, "ip", "") or "127.0.0.1"
        if ip in ("0.0.0.0", "*"):  # noqa: S104 - describing the server's own setting
            ip = "127.0.0.1"
        elif ip == "::":
            ip = "::1"
        if ":" in ip:
            ip = f"[{ip}]"
        scheme = "https" if getattr(app, "certfile", "") else "http"
        return f"{scheme}://{ip}:{app.port}{app.base_url}"

    # -- lifecycle ------------------------------------------------------------------------

    async def _async_start_kernel(
        self, *, kernel_id: str | None = None, path: Any = None, **kwargs: Any
    ) -> str:
        if kernel_id is not None and kernel_id in self:
            return await super()._async_start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        kernel_id = kernel_id or str(uuid.uuid4())
        env = kernel_environment(dict(kwargs.get("env") or os.environ))
        workspace = self._new_workspace(kernel_id, path) if path is not None else None
        if workspace is not None:
            kwargs["cwd"] = workspace.cwd
            session_name = env.get("JPY_SESSION_NAME")
            if session_name:  # the notebook's path as the kernel sees it (``__session__``)
                env["JPY_SESSION_NAME"] = os.path.join(
                    workspace.cwd, os.path.basename(session_name)
                )
            path = None  # the cwd is set: the server's root_dir has nothing to do with it
        if self.kernel_file_access and self.parent is not None:
            env[URL_VARIABLE] = self._server_url()
            env[TOKEN_VARIABLE] = self.file_tokens.issue(kernel_id)
        kwargs["env"] = env
        try:
            started = await super()._async_start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        except BaseException:
            self.file_tokens.revoke(kernel_id)
            if workspace is not None:
                await workspace.close()
            raise
        if workspace is not None:
            self._workspaces[started] = workspace
            # The first download starts now, so the first cell usually finds it done.
            self._first_sync[started] = _spawn(workspace.sync(tell_later=True))
        return started

    start_kernel = _async_start_kernel  # type: ignore[assignment]

    def _new_workspace(self, kernel_id: str, path: str) -> KernelWorkspace | None:
        client = self._dav_client()
        if client is None or not self.sync_working_copy:
            return None
        root = self.working_copy_dir
        os.makedirs(root, mode=0o700, exist_ok=True)
        info = os.stat(root)
        if info.st_uid != os.getuid() or info.st_mode & 0o077:
            os.chmod(root, 0o700)  # never share working copies with other users
        kernel_dir = tempfile.mkdtemp(prefix=f"{kernel_id[:8]}-", dir=root)
        folder_name = path.rstrip("/").rpartition("/")[2]
        if not folder_name or folder_name in RESERVED_NAMES:
            folder_name = "EFSS"
        # The record is written before the kernel can write anything, so a server that dies
        # from now on leaves a copy the next server can recover.
        journal = Journal(
            os.path.join(kernel_dir, RECORD), record_header(client, path, folder_name)
        )
        journal.save({}, {}, durable=False)
        copy = WorkingCopy(
            client,
            path,
            os.path.join(kernel_dir, folder_name),
            caps=Caps(self.sync_max_file_bytes, self.sync_max_total_bytes, self.sync_max_files),
            ignore=self.sync_ignore,
            trust_folder_etags=self.sync_trust_folder_etags,
            workers=self.sync_workers,
            journal=journal,
        )
        return KernelWorkspace(copy, self._sync_executor)

    def recover_left_copies(self) -> Future[Counter[Outcome]] | None:
        """Start recovering the working copies that servers which died left in
        ``working_copy_dir`` (``recovery.py``); runs in a worker thread, never on the event
        loop. None when there is nothing to recover with (no EFSS, no folder)."""
        client = self._dav_client()
        if client is None or not os.path.isdir(self.working_copy_dir):
            return None
        return self._sync_executor.submit(
            recover_left_copies,
            self.working_copy_dir,
            client,
            ignore=tuple(self.sync_ignore),
            workers=self.sync_workers,
            log=self.log,
        )

    async def _async_shutdown_kernel(  # type: ignore[override]
        self, kernel_id: str, now: bool = False, restart: bool = False
    ) -> None:
        await super()._async_shutdown_kernel(kernel_id, now=now, restart=restart)
        retiring = self._retiring.pop(kernel_id, None)
        if retiring is not None:
            await retiring  # the last upload is done when the shutdown request returns

    shutdown_kernel = _async_shutdown_kernel  # type: ignore[assignment]

    def remove_kernel(self, kernel_id: str) -> Any:
        """Called at shutdown and when a kernel dies: its token stops working at once, and its
        working copy gets a last sync and is deleted."""
        removed = super().remove_kernel(kernel_id)
        self.file_tokens.revoke(kernel_id)
        self.trailing_syncs.forget(kernel_id)
        workspace = self._workspaces.pop(kernel_id, None)
        if workspace is not None:
            self._retiring[kernel_id] = _spawn(self._retire(kernel_id, workspace))
        return removed

    async def _retire(self, kernel_id: str, workspace: KernelWorkspace) -> None:
        first = self._first_sync.pop(kernel_id, None)
        if first is not None:
            await first
        await workspace.close()


_background: set[Any] = set()


def _spawn(coroutine: Any) -> asyncio.Task[Any]:
    """Run a coroutine as a task that is kept referenced until it ends."""
    task = asyncio.ensure_future(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)
    return task
