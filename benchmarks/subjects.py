"""What is measured: contents managers, and the raw-WebDAV floor, behind one interface.

A contents manager is driven the way Jupyter's contents REST handlers drive it (the same
calls in the same order, e.g. ``file_exists`` before every save), so request counts are
those a JupyterLab click costs. Synchronous managers (jupyter-fs) are called on the event
loop exactly as ``jupyter_server`` calls them (``ensure_async``), so their blocking shows.

The raw floor is what any WebDAV client must at least do for the operation: the minimal
requests on one pooled ``requests.Session`` in worker threads, parsing only what a model
needs (with ``defusedxml``).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, unquote, urlsplit

import requests
from defusedxml import ElementTree
from jupyter_core.utils import ensure_async
from requests.adapters import HTTPAdapter
from traitlets.config import Config

T = TypeVar("T")

#: Subject kinds, in table order.
OURS, RAW, JUPYTER_FS, LOCAL = "ours", "raw", "jupyter-fs", "local"
KINDS = (OURS, RAW, JUPYTER_FS, LOCAL)


@dataclass(frozen=True)
class Spec:
    """How to build a subject; plain data so the upload child process can rebuild it."""

    kind: str
    url: str = ""  # the site (or the delaying proxy in front of it)
    user: str = ""
    password: str = ""
    local_root: str = ""  # for LOCAL

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str) -> Spec:
        return cls(**json.loads(text))


class Subject(ABC):
    """One way of serving Jupyter's file operations; paths are relative, ``/``-separated."""

    speaks_http = True

    @abstractmethod
    async def cold(self) -> None:
        """Forget anything cached, so the next operation is a first visit."""

    @abstractmethod
    async def list(self, path: str) -> int:
        """List a folder (JupyterLab's file browser); returns the number of entries."""

    @abstractmethod
    async def open(self, path: str) -> dict[str, Any]:
        """Open a notebook; returns its content (a notebook dict)."""

    @abstractmethod
    async def stat(self, path: str) -> None:
        """Get a model without content (JupyterLab's check before a save)."""

    @abstractmethod
    async def save(self, path: str, notebook: dict[str, Any]) -> None:
        """Save a notebook that was opened before."""

    @abstractmethod
    async def rename(self, old: str, new: str) -> None: ...

    @abstractmethod
    async def delete(self, path: str) -> None: ...

    @abstractmethod
    async def checkpoints(self, path: str) -> int:
        """List a file's checkpoints (JupyterLab does when it opens a document)."""

    @abstractmethod
    async def upload_chunk(self, path: str, number: int, b64: str, last: bool) -> None:
        """One chunk of a JupyterLab upload: base64 content, numbered 1.., the last is -1."""

    @abstractmethod
    def close(self) -> None:
        """Release threads and connections."""


class ManagerSubject(Subject):
    """A Jupyter contents manager, called as the contents REST handlers call it."""

    def __init__(
        self,
        manager: Any,
        *,
        forget: Callable[[], None] | None = None,
        close: Callable[[], None] | None = None,
        speaks_http: bool = True,
    ) -> None:
        self.cm = manager
        self._forget = forget
        self._close = close
        self.speaks_http = speaks_http

    async def cold(self) -> None:
        if self._forget:
            self._forget()

    async def _get(self, path: str, **kwargs: Any) -> dict[str, Any]:
        await ensure_async(self.cm.is_hidden(path))
        return await ensure_async(self.cm.get(path, **kwargs))

    async def list(self, path: str) -> int:
        model = await self._get(path, content=True)
        return len(model["content"])

    async def open(self, path: str) -> dict[str, Any]:
        model = await self._get(path, type="notebook", content=True)
        return model["content"]

    async def stat(self, path: str) -> None:
        await self._get(path, content=False)

    async def _put(self, path: str, model: dict[str, Any]) -> None:
        await ensure_async(self.cm.is_hidden(path))
        if await ensure_async(self.cm.file_exists(path)):
            await ensure_async(self.cm.save(model, path))
        else:
            await ensure_async(self.cm.new(model, path))

    async def save(self, path: str, notebook: dict[str, Any]) -> None:
        await self._put(path, {"type": "notebook", "format": "json", "content": notebook})

    async def rename(self, old: str, new: str) -> None:
        await ensure_async(self.cm.is_hidden(old))
        await ensure_async(self.cm.update({"path": new}, old))

    async def delete(self, path: str) -> None:
        await ensure_async(self.cm.is_hidden(path))
        await ensure_async(self.cm.delete(path))

    async def checkpoints(self, path: str) -> int:
        return len(await ensure_async(self.cm.list_checkpoints(path)))

    def close(self) -> None:
        if self._close:
            self._close()

    async def upload_chunk(self, path: str, number: int, b64: str, last: bool) -> None:
        name = path.rsplit("/", 1)[-1]
        model = {
            "type": "file",
            "format": "base64",
            "name": name,
            "path": path,
            "chunk": -1 if last else number,
            "content": b64,
        }
        await self._put(path, model)


# -- the raw floor ------------------------------------------------------------------------

_DAV, _OC = "DAV:", "http://owncloud.org/ns"
_PROPS = (
    b'<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">'
    b"<d:prop><d:resourcetype/><d:getlastmodified/><d:getcontentlength/><d:getetag/>"
    b"<oc:fileid/><oc:permissions/></d:prop></d:propfind>"
)


class RawDav(Subject):
    """The fewest WebDAV requests each operation needs, and nothing else."""

    def __init__(self, url: str, user: str, password: str, workers: int = 8) -> None:
        self.url = url.rstrip("/")
        self.user = user
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(pool_maxsize=workers))
        self.session.auth = (user, password)
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="bench-raw")
        self._files = f"/remote.php/dav/files/{quote(user)}/"
        self._fileids: dict[str, str] = {}
        self._etags: dict[str, str] = {}
        self._upload = ""

    def _url(self, path: str) -> str:
        return self.url + self._files + quote(path)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        response = self.session.request(method, url, timeout=120, **kwargs)
        response.raise_for_status()
        return response

    def _propfind(self, path: str, depth: str, url: str | None = None) -> int:
        response = self._send(
            "PROPFIND", url or self._url(path), headers={"Depth": depth}, data=_PROPS
        )
        count = 0
        prefix = urlsplit(self._url("")).path
        for item in ElementTree.fromstring(response.content).iter(f"{{{_DAV}}}response"):
            count += 1
            fileid = item.findtext(f".//{{{_OC}}}fileid")
            href = unquote(item.findtext(f"{{{_DAV}}}href") or "")
            if fileid and href.startswith(prefix):
                self._fileids[href[len(prefix) :].strip("/")] = fileid
        return count

    async def cold(self) -> None:
        self._fileids.clear()

    async def list(self, path: str) -> int:
        return await self._run(self._propfind, path, "1") - 1

    def _open(self, path: str) -> dict[str, Any]:
        response = self._send("GET", self._url(path))
        self._etags[path] = response.headers.get("ETag", "")
        return json.loads(response.content)

    async def open(self, path: str) -> dict[str, Any]:
        return await self._run(self._open, path)

    async def stat(self, path: str) -> None:
        await self._run(self._propfind, path, "0")

    def _save(self, path: str, notebook: dict[str, Any]) -> None:
        body = json.dumps(notebook, indent=1).encode()
        headers = {"If-Match": self._etags[path]} if self._etags.get(path) else {}
        self._etags[path] = self._send("PUT", self._url(path), data=body, headers=headers).headers[
            "ETag"
        ]

    async def save(self, path: str, notebook: dict[str, Any]) -> None:
        await self._run(self._save, path, notebook)

    async def rename(self, old: str, new: str) -> None:
        headers = {"Destination": self._url(new), "Overwrite": "F"}
        await self._run(functools.partial(self._send, "MOVE", self._url(old), headers=headers))

    async def delete(self, path: str) -> None:
        await self._run(self._send, "DELETE", self._url(path))

    def _checkpoints(self, path: str) -> int:
        if path not in self._fileids:
            self._propfind(path, "0")
        versions = f"{self.url}/remote.php/dav/versions/{quote(self.user)}/versions/"
        return self._propfind("", "1", url=versions + self._fileids[path] + "/") - 1

    async def checkpoints(self, path: str) -> int:
        return await self._run(self._checkpoints, path)

    def _upload_chunk(self, path: str, number: int, b64: str, last: bool) -> None:
        headers = {"Destination": self._url(path)}
        if number == 1:
            self._upload = f"{self.url}/remote.php/dav/uploads/{quote(self.user)}/{uuid.uuid4()}"
            self._send("MKCOL", self._upload, headers=headers)
        part = base64.b64decode(b64)
        self._send("PUT", f"{self._upload}/{number}", data=part, headers=headers)
        if last:
            self._send("MOVE", f"{self._upload}/.file", headers={**headers, "Overwrite": "T"})

    async def upload_chunk(self, path: str, number: int, b64: str, last: bool) -> None:
        await self._run(self._upload_chunk, path, number, b64, last)

    def close(self) -> None:
        self._executor.shutdown()
        self.session.close()


# -- building them ------------------------------------------------------------------------


def _ours(spec: Spec) -> Subject:
    from cs3_jupyter.contents.manager import CS3ContentsManager

    config = Config()
    config.CS3Site.url = spec.url
    config.CS3Site.user = spec.user
    config.CS3Site.password = spec.password
    manager = CS3ContentsManager(config=config)
    return ManagerSubject(
        manager, forget=lambda: manager.forget(""), close=manager.client.session.close
    )


def _jupyter_fs(spec: Spec) -> Subject:
    from . import jupyterfs_webdav

    manager = jupyterfs_webdav.manager(spec.url, spec.user, spec.password)
    return ManagerSubject(
        manager, forget=manager._fs.invalidate_cache, close=manager._fs.client.http.close
    )


def _local(spec: Spec) -> Subject:
    # The server's default manager (the large-file one handles chunked uploads).
    from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

    return ManagerSubject(AsyncLargeFileManager(root_dir=spec.local_root), speaks_http=False)


def build(spec: Spec) -> Subject:
    """The subject a spec describes."""
    if spec.kind == RAW:
        return RawDav(spec.url, spec.user, spec.password)
    return {OURS: _ours, JUPYTER_FS: _jupyter_fs, LOCAL: _local}[spec.kind](spec)
