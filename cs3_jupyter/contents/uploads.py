"""JupyterLab's chunked saves (``chunk`` 1, 2, ..., then -1) as uploads to the site.

JupyterLab sends files over 1 MiB as a series of saves of the same path, each carrying one
base64 chunk. Each chunk goes straight on to the site's chunked-upload area, so memory stays
bounded by one chunk and the target only changes when the last chunk arrives. Sites without
chunked uploads get the parts spooled to a temporary file and sent in one streamed PUT.

The rules are jupyter_server's own large-file manager's, whatever the order: chunk 1 starts
the file afresh; any other chunk is appended to what arrived so far, and -1 appends and
completes the file. A chunk other than 1 with no upload in progress appends to the file as
it is on the site (its current bytes become the upload's first part). The SHA1 of the whole
is sent with the final request, as with a save. An upload left idle for the timeout (the
browser tab was closed) is aborted by :meth:`ChunkedSaves.sweep`, which the manager
schedules after every chunk, and every one still open when the server stops is aborted by
:meth:`ChunkedSaves.close`: its parts never wait for the site's own clean-up.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..dav import errors
from ..dav.client import DavClient, WriteResult
from ..dav.upload import ChunkedUpload

_SPOOL_BLOCK = 1 << 20


class _Parts(Protocol):
    def put_part(self, number: int, data: bytes | Iterable[bytes]) -> None: ...
    def finish(self, mtime: int | None = None, sha1: str | None = None) -> WriteResult: ...
    def abort(self) -> None: ...


class SpooledUpload:
    """For sites without chunked uploads: parts go to a temporary file, then one PUT."""

    def __init__(self, client: DavClient, target: str) -> None:
        self._client = client
        self._target = target
        self._file = tempfile.TemporaryFile(prefix="cs3-upload-")

    def put_part(self, number: int, data: bytes | Iterable[bytes]) -> None:
        for block in [data] if isinstance(data, bytes) else data:
            self._file.write(block)

    def _blocks(self) -> Iterator[bytes]:
        self._file.seek(0)
        while block := self._file.read(_SPOOL_BLOCK):
            yield block

    def finish(self, mtime: int | None = None, sha1: str | None = None) -> WriteResult:
        try:
            return self._client.put(self._target, self._blocks(), mtime=mtime, sha1=sha1)
        finally:
            self._file.close()

    def abort(self) -> None:
        self._file.close()


@dataclass
class _Active:
    parts: _Parts
    next_part: int = 1
    size: int = 0
    sha1: Any = field(default_factory=lambda: hashlib.sha1(usedforsecurity=False))
    touched: float = field(default_factory=time.monotonic)

    def add(self, data: bytes | Iterable[bytes]) -> None:
        """Send one part, counting and hashing what goes out."""

        def counted(blocks: Iterable[bytes]) -> Iterator[bytes]:
            for block in blocks:
                self.size += len(block)
                self.sha1.update(block)
                yield block

        if isinstance(data, bytes):
            self.parts.put_part(self.next_part, data)  # with its length: the site may check it
            self.size += len(data)
            self.sha1.update(data)
        else:
            self.parts.put_part(self.next_part, counted(data))
        self.next_part += 1


@dataclass(frozen=True)
class Received:
    """What the site holds for a chunked save so far, and the write once it is complete."""

    size: int
    result: WriteResult | None = None
    sha1: str | None = None


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
        try:
            upload = ChunkedUpload(self._client, path)
            upload.start()
        except errors.NotSupported:
            return SpooledUpload(self._client, path)
        return upload

    def in_progress(self, path: str) -> bool:
        """Whether an upload to ``path`` is waiting for its next chunk."""
        with self._lock:
            return path in self._active

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

    def close(self) -> None:
        """Abort every upload in progress (the server is stopping; blocking)."""
        with self._lock:
            dropped = list(self._active.values())
            self._active.clear()
        for active in dropped:
            active.parts.abort()

    def receive(self, path: str, chunk: int, data: bytes, mtime: int) -> Received:
        """Take one chunk; the result carries the write once the last one (-1) is in."""
        with self._lock:
            active = self._active.pop(path, None)
        if chunk == 1 and active is not None:
            active.parts.abort()
            active = None
        try:
            if active is None:
                active = _Active(self._start(path))
                if chunk != 1:
                    self._seed(active, path)
            active.add(data)
            if chunk == -1:
                sha1 = active.sha1.hexdigest()
                result = active.parts.finish(mtime=mtime, sha1=sha1)
                return Received(active.size, result, sha1)
        except BaseException:
            if active is not None:
                active.parts.abort()
            raise
        active.touched = time.monotonic()
        with self._lock:
            self._active[path] = active
        return Received(active.size)

    def _seed(self, active: _Active, path: str) -> None:
        """A chunk appends to the file as it is: its current bytes go first."""
        try:
            current = self._client.open_download(path)
        except errors.NotFound:
            return
        with current:
            active.add(current.iter_content())
