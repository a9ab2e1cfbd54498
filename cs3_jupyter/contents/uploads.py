"""JupyterLab's chunked saves (``chunk`` 1, 2, ..., then -1) as uploads to the site.

JupyterLab sends files over 1 MiB as a series of saves of the same path, each carrying one
base64 chunk. Each chunk goes straight on to the site's chunked-upload area, so memory stays
bounded by one chunk and the target only changes when the last chunk arrives. Sites without
chunked uploads get the parts spooled to a temporary file and sent in one streamed PUT.

Rules: chunk 1 (re)starts an upload of that path; any other chunk must be the next one, or
it is refused with a 400 and the upload is dropped; an upload left idle for the timeout
(the browser tab was closed) is aborted by :meth:`ChunkedSaves.sweep`, which the manager
schedules after every chunk.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from tornado.web import HTTPError

from ..dav import errors
from ..dav.client import DavClient, WriteResult
from ..dav.upload import ChunkedUpload

_SPOOL_BLOCK = 1 << 20


class _Parts(Protocol):
    def put_part(self, number: int, data: bytes) -> None: ...
    def finish(self, mtime: int | None = None) -> WriteResult: ...
    def abort(self) -> None: ...


class SpooledUpload:
    """For sites without chunked uploads: parts go to a temporary file, then one PUT."""

    def __init__(self, client: DavClient, target: str) -> None:
        self._client = client
        self._target = target
        self._file = tempfile.TemporaryFile(prefix="cs3-upload-")

    def put_part(self, number: int, data: bytes) -> None:
        self._file.write(data)

    def _blocks(self) -> Iterator[bytes]:
        self._file.seek(0)
        while block := self._file.read(_SPOOL_BLOCK):
            yield block

    def finish(self, mtime: int | None = None) -> WriteResult:
        try:
            return self._client.put(self._target, self._blocks(), mtime=mtime)
        finally:
            self._file.close()

    def abort(self) -> None:
        self._file.close()


@dataclass
class _Active:
    parts: _Parts
    next_chunk: int = 1
    size: int = 0
    touched: float = field(default_factory=time.monotonic)


class ChunkedSaves:
    """The uploads in progress for one contents manager, by target path.

    Methods block (they talk to the site) and are called from worker threads.
    """

    def __init__(self, client: DavClient, idle_timeout: float) -> None:
        self._client = client
        self._idle_timeout = idle_timeout
        self._active: dict[str, _Active] = {}
        self._lock = threading.Lock()

    def _start(self, path: str) -> _Parts:
        upload = ChunkedUpload(self._client, path)
        try:
            upload.start()
        except errors.NotSupported:
            return SpooledUpload(self._client, path)
        return upload

    def sweep(self) -> None:
        """Abort every upload that received nothing for the idle timeout (blocking)."""
        now = time.monotonic()
        with self._lock:
            stale = [
                path
                for path, active in self._active.items()
                if now - active.touched >= self._idle_timeout
            ]
            dropped = [self._active.pop(path) for path in stale]
        for active in dropped:
            active.parts.abort()

    def receive(self, path: str, chunk: int, data: bytes) -> tuple[int, WriteResult | None]:
        """Take one chunk; returns (bytes so far, the write result once the last one is in)."""
        with self._lock:
            active = self._active.pop(path, None)
        if chunk == 1:
            if active:
                active.parts.abort()
            active = _Active(self._start(path))
        elif active is None or chunk not in (active.next_chunk, -1):
            if active:
                active.parts.abort()
            expected = active.next_chunk if active else 1
            raise HTTPError(
                400,
                f"Chunk {chunk} of '{path}' arrived out of order (expected chunk {expected}). "
                "Nothing was saved; upload the file again.",
            )
        try:
            active.parts.put_part(active.next_chunk, data)
            active.size += len(data)
            if chunk == -1:
                return active.size, active.parts.finish(mtime=int(time.time()))
        except BaseException:
            active.parts.abort()
            raise
        active.next_chunk += 1
        active.touched = time.monotonic()
        with self._lock:
            self._active[path] = active
        return active.size, None
