"""File access for kernels (``efss://``): the EFSS through this server, by kernel token only.

A kernel never holds the user's EFSS credential. It holds a token of its own (issued by
``cs3_jupyter.kernels`` at kernel start, revoked at shutdown) and sends it as
``Authorization: CS3-Kernel <token>``. These routes accept that token and nothing else
(a browser's login does not open them), and the token opens nothing else: Jupyter's own
authentication does not know the ``CS3-Kernel`` scheme. The token travels in a header that
browsers never add by themselves, so there is no cross-site request to guard against;
a request without it goes through Jupyter's usual checks (XSRF included) and is refused.

Bodies are streamed both ways through the contents manager's WebDAV client, a megabyte at
a time with backpressure, so a 200 MB file never sits in this server's memory.
"""

from __future__ import annotations

import asyncio
import json
import queue
from collections.abc import Callable
from typing import Any, TypeVar

from tornado import web

from ..dav import errors
from .base import CS3APIHandler

T = TypeVar("T")

SCHEME = "CS3-Kernel"
CHUNK = 1 << 20
#: Chunks of an upload waiting for the site: the most an upload holds in memory.
UPLOAD_QUEUE = 8


def entry_model(entry: Any) -> dict[str, Any]:
    """What efss:// needs to know of a file or folder (OpenAPI schema ``EfssEntry``)."""
    return {
        "path": entry.path,
        "type": "directory" if entry.is_dir else "file",
        "size": entry.size if entry.size is not None else 0,
        "etag": entry.etag,
        "last_modified": entry.last_modified.isoformat(),
    }


class KernelFilesHandler(CS3APIHandler):
    """Base of the efss routes: kernel-token authentication and the WebDAV client."""

    kernel_id: str | None = None

    def _token_kernel(self) -> str | None:
        tokens = self.settings.get("cs3_kernel_tokens")
        scheme, _, token = self.request.headers.get("Authorization", "").partition(" ")
        if tokens is None or scheme != SCHEME:
            return None
        kernel: str | None = tokens.kernel_for(token.strip())
        return kernel

    def check_xsrf_cookie(self) -> None:
        if self._token_kernel() is None:
            super().check_xsrf_cookie()

    async def prepare(self) -> None:  # type: ignore[override]
        self.kernel_id = self._token_kernel()
        await super().prepare()
        if self.kernel_id is None:
            raise web.HTTPError(
                403,
                "This route is for kernels: send the kernel's CS3_EFSS_TOKEN as "
                f"'Authorization: {SCHEME} <token>'. The token ends with its kernel.",
            )
        if getattr(self.contents, "client", None) is None:
            raise web.HTTPError(409, "No EFSS site is configured on this server.")

    @property
    def contents(self) -> Any:
        """The CS3 contents manager (its WebDAV client, threads and path rule)."""
        return self.contents_manager

    @property
    def client(self) -> Any:
        return self.contents.client

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A blocking WebDAV call in the contents manager's threads; its errors become HTTP ones
        (the two 409s efss:// acts on carry a ``reason``: ``parent_missing``, ``exists``)."""
        result: T = await self.contents.call(_telling_409s(fn), *args, **kwargs)
        return result

    def efss_path(self) -> str:
        path = self.get_query_argument("path", "")
        return str(self.contents.normalize(path))


class EfssStatHandler(KernelFilesHandler):
    async def get(self) -> None:
        entry = await self.call(self.client.stat, self.efss_path())
        self.write_json(entry_model(entry))


class EfssListHandler(KernelFilesHandler):
    async def get(self) -> None:
        folder, children = await self.call(self.client.listdir, self.efss_path())
        self.write_json(
            {"folder": entry_model(folder), "children": [entry_model(c) for c in children]}
        )


class EfssFolderHandler(KernelFilesHandler):
    async def post(self) -> None:
        """Create a folder and its missing parents; an existing folder is fine."""
        path, built = self.efss_path(), ""
        for part in path.split("/") if path else []:
            built = f"{built}/{part}" if built else part
            try:
                await self.call(self.client.mkcol, built)
            except web.HTTPError as err:
                if err.status_code != 409:
                    raise
        self.write_json(entry_model(await self.call(self.client.stat, path)), status=201)


class EfssTransferHandler(KernelFilesHandler):
    """``POST /efss/move`` and ``/efss/copy``: done by the site, nothing downloaded."""

    def initialize(self, name: str, *args: Any, method: str = "move", **kwargs: Any) -> None:
        super().initialize(name, *args, **kwargs)
        self.method = method

    async def post(self) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
            source = self.contents.normalize(str(body["source"]))
            target = self.contents.normalize(str(body["target"]))
        except (ValueError, KeyError, TypeError):
            raise web.HTTPError(400, "Send JSON with 'source' and 'target' paths.") from None
        fn = self.client.move if self.method == "move" else self.client.copy
        await self.call(fn, source, target, overwrite=bool(body.get("overwrite", False)))
        self.write_json(entry_model(await self.call(self.client.stat, target)))


@web.stream_request_body
class EfssFileHandler(KernelFilesHandler):
    """Read (streamed, ``Range: bytes=N-``), write (streamed) or delete one file or folder."""

    _upload: asyncio.Future[Any] | None = None
    _chunks: queue.Queue[bytes | None]

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if self.request.method == "PUT":
            length = self.request.headers.get("Content-Length")
            if length is None or not length.isdigit():
                raise web.HTTPError(411, "Send the file's Content-Length.")
            self._chunks = queue.Queue(UPLOAD_QUEUE)
            body: Any = _QueueBody(self._chunks, int(length)) if int(length) else b""
            # If-None-Match: * makes it a create-only write (fsspec's "xb" and mode="create").
            only_new = self.request.headers.get("If-None-Match", "").strip() == "*"
            self._upload = asyncio.ensure_future(
                self.call(self.client.put, self.efss_path(), body, if_none_match=only_new)
            )

    async def data_received(self, chunk: bytes) -> None:
        if self._upload is None:
            return
        # Waits (in a thread) while the site is slower than the kernel: backpressure.
        await asyncio.get_running_loop().run_in_executor(None, self._chunks.put, chunk)

    def on_finish(self) -> None:
        if self._upload is not None and not self._upload.done():
            self._abandon_upload()

    def on_connection_close(self) -> None:
        self._abandon_upload()

    def _abandon_upload(self) -> None:
        if self._upload is not None:
            try:
                self._chunks.put_nowait(None)
            except queue.Full:
                pass

    async def put(self) -> None:
        assert self._upload is not None
        await asyncio.get_running_loop().run_in_executor(None, self._chunks.put, None)
        await self._upload
        self.write_json(entry_model(await self.call(self.client.stat, self.efss_path())))

    async def get(self) -> None:
        path = self.efss_path()
        offset = 0
        wanted = self.request.headers.get("Range", "")
        if wanted.startswith("bytes=") and wanted.endswith("-") and wanted[6:-1].isdigit():
            offset = int(wanted[6:-1])
        stream = await self.call(self.client.open_download, path, offset=offset)
        try:
            skip = offset if offset and stream.status_code != 206 else 0
            self.set_header("Content-Type", "application/octet-stream")
            if stream.headers.get("ETag"):
                self.set_header("ETag", stream.headers["ETag"])
            length = stream.headers.get("Content-Length")
            if length and length.isdigit():
                self.set_header("Content-Length", str(int(length) - skip))
            if offset:
                self.set_status(206)
            chunks = stream.iter_content(CHUNK)
            while (chunk := await self.call(next, chunks, None)) is not None:
                if skip:
                    dropped = min(skip, len(chunk))
                    chunk, skip = chunk[dropped:], skip - dropped
                if chunk:
                    self.write(chunk)
                    await self.flush()  # waits for the kernel to take it: bounded memory
        finally:
            stream.close()
        self.finish()

    async def delete(self) -> None:
        path = self.efss_path()
        if not path:
            raise web.HTTPError(400, "The root folder cannot be deleted.")
        await self.call(self.client.delete, path)
        self.set_status(204)
        self.finish()


def _telling_409s(fn: Callable[..., T]) -> Callable[..., T]:
    def run(*args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except errors.Conflict as err:
            raise web.HTTPError(409, err.message, reason="parent_missing") from None
        except (errors.PreconditionFailed, errors.AlreadyExists) as err:
            raise web.HTTPError(409, err.message, reason="exists") from None

    return run


class _QueueBody:
    """A file-like body for ``requests`` fed from a queue: streamed with a Content-Length."""

    def __init__(self, chunks: queue.Queue[bytes | None], length: int) -> None:
        self._chunks = chunks
        self._length = length
        self._rest = b""
        self._done = False

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._rest) < size):
            chunk = self._chunks.get()
            if chunk is None:
                self._done = True
            else:
                self._rest += chunk
        if size < 0:
            out, self._rest = self._rest, b""
        else:
            out, self._rest = self._rest[:size], self._rest[size:]
        return out
