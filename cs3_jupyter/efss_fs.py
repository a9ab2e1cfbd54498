"""``efss://``: the user's EFSS as an fsspec file system, for code running in a kernel.

``pd.read_csv("efss://Project Mesh/data/big.csv")``, ``xarray.open_dataset``, ``dask`` or
``fsspec.open`` reach any path of the user's EFSS home, received shares included. The
kernel never holds the EFSS credential: it talks to the Jupyter server that started it
(``CS3_EFSS_URL``), with a token the server issued to this kernel alone (``CS3_EFSS_TOKEN``),
and the server does the WebDAV. Reads are streamed with bounded memory (one request for a
sequential read, a new ranged one after a seek); writes are spooled to a temporary file
(memory stays small) and sent in one request when the file is closed.

Registered with fsspec through the ``fsspec.specs`` entry point, so nothing has to be
imported first. Kept free of Jupyter imports: it runs inside kernels.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from typing import Any

import requests
from fsspec.spec import AbstractBufferedFile, AbstractFileSystem

URL_VARIABLE = "CS3_EFSS_URL"
TOKEN_VARIABLE = "CS3_EFSS_TOKEN"  # noqa: S105 - a variable name
SCHEME = "CS3-Kernel"
MiB = 1 << 20


class EFSSFileSystem(AbstractFileSystem):
    """The user's EFSS through the Jupyter server that runs this kernel."""

    protocol = ("efss",)
    root_marker = ""

    def __init__(
        self, server_url: str | None = None, token: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        server_url = server_url or os.environ.get(URL_VARIABLE, "")
        token = token or os.environ.get(TOKEN_VARIABLE, "")
        if not server_url or not token:
            raise ValueError(
                "efss:// works in a kernel started by a Jupyter server with jupyter-sciencemesh "
                f"({URL_VARIABLE} and {TOKEN_VARIABLE} are not set in this process)."
            )
        self.api = server_url.rstrip("/") + "/cs3/api/efss/"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"{SCHEME} {token}"

    # -- paths ----------------------------------------------------------------------------

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]
        path = str(path)
        for prefix in ("efss://", "efss:"):
            if path.startswith(prefix):
                path = path[len(prefix) :]
                break
        return path.strip("/")

    def unstrip_protocol(self, name: str) -> str:
        return f"efss://{name}"

    # -- requests ---------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        route: str,
        path: str,
        *,
        exclusive: bool = False,
        **kwargs: Any,
    ) -> requests.Response:
        response = self.http.request(
            method, self.api + route, params={"path": path}, timeout=(30, 300), **kwargs
        )
        if response.status_code < 400:
            return response
        try:
            answer = response.json()
            message, reason = answer.get("message") or response.reason, answer.get("reason")
        except ValueError:
            message, reason = response.reason, None
        response.close()
        shown = f"efss://{path}"
        if response.status_code == 404:
            raise FileNotFoundError(2, message, shown)
        if response.status_code in (401, 403):
            raise PermissionError(13, message, shown)
        if response.status_code == 409 and reason == "parent_missing":
            raise _ParentMissing(message)
        if response.status_code == 409 and (exclusive or reason == "exists"):
            raise FileExistsError(17, message, shown)
        raise OSError(f"{shown}: {message}")

    @staticmethod
    def _info(entry: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": entry["path"],
            "size": entry["size"] if entry["type"] == "file" else 0,
            "type": entry["type"],
            "etag": entry.get("etag"),
            "mtime": datetime.fromisoformat(entry["last_modified"]),
        }

    # -- reading the tree -----------------------------------------------------------------

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        path = self._strip_protocol(path)
        return self._info(self._call("GET", "stat", path).json())

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        path = self._strip_protocol(path)
        listing = self._call("GET", "list", path).json()
        if listing["folder"]["type"] == "file":
            entries = [self._info(listing["folder"])]
        else:
            entries = [self._info(child) for child in listing["children"]]
        return entries if detail else [entry["name"] for entry in entries]

    def ukey(self, path: str) -> str:
        return str(self.info(path)["etag"])

    def modified(self, path: str) -> datetime:
        mtime: datetime = self.info(path)["mtime"]
        return mtime

    def cat_file(
        self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any
    ) -> bytes:
        with self.open(path, "rb") as handle:
            if start:
                handle.seek(start if start >= 0 else max(0, handle.size + start))
            if end is None:
                data: bytes = handle.read()
                return data
            end = end if end >= 0 else handle.size + end
            part: bytes = handle.read(max(0, end - handle.tell()))
            return part

    # -- changing the tree ----------------------------------------------------------------

    def mkdir(self, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        path = self._strip_protocol(path)
        if not create_parents and not self.exists(self._parent(path)):
            raise FileNotFoundError(2, "the parent folder does not exist", f"efss://{path}")
        self._call("POST", "folder", path)

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        if self.exists(path):
            if exist_ok:
                return
            raise FileExistsError(17, "already exists", f"efss://{self._strip_protocol(path)}")
        self.mkdir(path)

    def rm_file(self, path: str) -> None:
        self._call("DELETE", "file", self._strip_protocol(path))

    def _rm(self, path: str) -> None:
        self.rm_file(path)

    def rmdir(self, path: str) -> None:
        path = self._strip_protocol(path)
        if self.ls(path, detail=False):
            raise OSError(39, "Directory not empty", f"efss://{path}")
        self._call("DELETE", "file", path)

    def rm(self, path: Any, recursive: bool = False, maxdepth: int | None = None) -> None:
        """A folder goes in one request (the site deletes what is below it)."""
        paths = self.expand_path(path, recursive=recursive, maxdepth=maxdepth)
        gone: list[str] = []
        for item in sorted(paths, key=len):
            if any(item.startswith(folder + "/") for folder in gone):
                continue
            self._call("DELETE", "file", self._strip_protocol(item))
            gone.append(self._strip_protocol(item))

    def cp_file(self, path1: str, path2: str, **kwargs: Any) -> None:
        self._transfer("copy", path1, path2)

    def mv(self, path1: Any, path2: Any, recursive: bool = False, **kwargs: Any) -> None:
        """One server-side MOVE for a single path; fsspec's copy-and-delete otherwise."""
        if isinstance(path1, str) and isinstance(path2, str) and not kwargs.get("maxdepth"):
            self._transfer("move", path1, path2)
            self.invalidate_cache()
            return
        super().mv(path1, path2, recursive=recursive, **kwargs)

    def _transfer(self, kind: str, path1: str, path2: str) -> None:
        source, target = self._strip_protocol(path1), self._strip_protocol(path2)
        body = {"source": source, "target": target, "overwrite": True}
        try:
            self._call("POST", kind, source, json=body)
        except _ParentMissing:  # like a local file system with auto_mkdir
            self.mkdir(self._parent(target))
            self._call("POST", kind, source, json=body)

    def pipe_file(self, path: str, value: bytes, mode: str = "overwrite", **kwargs: Any) -> None:
        path = self._strip_protocol(path)
        self._put(path, value, exclusive=mode == "create")

    def _put(self, path: str, body: Any, *, exclusive: bool) -> None:
        """One PUT; a missing parent folder is created and the PUT sent again."""
        headers = {"If-None-Match": "*"} if exclusive else {}
        try:
            self._call("PUT", "file", path, data=body, headers=headers, exclusive=exclusive)
        except _ParentMissing:
            self.mkdir(self._parent(path))
            if hasattr(body, "seek"):
                body.seek(0)
            self._call("PUT", "file", path, data=body, headers=headers, exclusive=exclusive)

    # -- files ----------------------------------------------------------------------------

    def _open(
        self,
        path: str,
        mode: str = "rb",
        block_size: int | None = None,
        autocommit: bool = True,
        cache_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> AbstractBufferedFile:
        path = self._strip_protocol(path)
        if mode == "rb":
            info = self.info(path)
            if info["type"] != "file":
                raise IsADirectoryError(21, "Is a directory", f"efss://{path}")
            return EFSSReadFile(
                self, path, block_size=block_size, cache_options=cache_options, size=info["size"]
            )
        if mode in ("wb", "xb"):
            if mode == "xb" and self.exists(path):
                raise FileExistsError(17, "already exists", f"efss://{path}")
            return EFSSWriteFile(self, path, mode=mode, block_size=block_size)
        raise ValueError(f"efss:// opens files for 'rb', 'wb' or 'xb', not {mode!r}")


class _ParentMissing(OSError):
    """The target's folder does not exist (the server says ``parent_missing``)."""


class EFSSReadFile(AbstractBufferedFile):
    """A streamed read: sequential reads share one request; a seek elsewhere opens another."""

    def __init__(
        self,
        fs: EFSSFileSystem,
        path: str,
        *,
        block_size: int | None,
        cache_options: dict[str, Any] | None,
        size: int,
    ) -> None:
        super().__init__(
            fs,
            path,
            mode="rb",
            block_size=block_size or 4 * MiB,
            cache_type="readahead",
            cache_options=cache_options,
            size=size,
        )
        self._stream: requests.Response | None = None
        self._at = -1

    def _fetch_range(self, start: int, end: int) -> bytes:
        if start >= end:
            return b""
        if self._stream is None or self._at != start:
            self._close_stream()
            headers = {"Range": f"bytes={start}-"} if start else {}
            fs: EFSSFileSystem = self.fs
            self._stream = fs._call("GET", "file", self.path, headers=headers, stream=True)
            self._at = start
        data: bytes = self._stream.raw.read(end - start)
        self._at += len(data)
        return data

    def _close_stream(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def close(self) -> None:
        self._close_stream()
        super().close()


class EFSSWriteFile(AbstractBufferedFile):
    """Written to a temporary file, sent in one streamed request on close."""

    def __init__(self, fs: EFSSFileSystem, path: str, *, mode: str, block_size: int | None):
        super().__init__(fs, path, mode=mode, block_size=block_size or 4 * MiB)
        self._exclusive = mode == "xb"
        self._spool: Any = None

    def _initiate_upload(self) -> None:
        self._spool = tempfile.TemporaryFile(prefix="efss-upload-")

    def _upload_chunk(self, final: bool = False) -> bool:
        if self._spool is None:
            self._initiate_upload()
        self._spool.write(self.buffer.getvalue())
        if final:
            size = self._spool.tell()
            self._spool.seek(0)
            try:
                fs: EFSSFileSystem = self.fs
                # requests sends an empty file object as "chunked": send empty bytes instead.
                fs._put(self.path, self._spool if size else b"", exclusive=self._exclusive)
            finally:
                self._spool.close()
                self._spool = None
        return True
