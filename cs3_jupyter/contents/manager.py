"""``CS3ContentsManager``: the user's EFSS home as Jupyter's file system.

The manager decides *when* to talk to the site; :mod:`cs3_jupyter.dav` knows *how*, and
every call to it runs in a worker thread so the event loop never waits on the network.

Two memories keep it cheap and safe:

* a stat cache (:mod:`.cache`) of a few seconds, filled by listings and our own writes, so
  JupyterLab's polling and the handler's existence checks rarely reach the site;
* the ETag of the version of each file this server last *looked at* (read it, saved it, or
  returned its model from ``get``). A save sends it as ``If-Match``, so a change made
  meanwhile elsewhere makes the save fail with 409 instead of being overwritten. Listings
  and internal existence checks do not count as looking: a folder refresh must not make a
  stale editor buffer look current.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import itertools
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any, TypeVar

import nbformat
from jupyter_server.services.contents.manager import AsyncContentsManager, copy_pat
from tornado.web import HTTPError
from traitlets import Float, Int, default

from ..config import CS3Site
from ..dav import errors, paths
from ..dav.client import DavClient, WriteResult
from ..dav.props import Entry
from ..transport.auth import make_auth
from .cache import StatCache
from .checkpoints import CS3Checkpoints
from .errors import to_http_error
from .files import CS3FilesHandler
from .models import base_model, body_of, fill_file, kind_of, notebook_body, read_notebook
from .uploads import ChunkedSaves

T = TypeVar("T")


class CS3ContentsManager(AsyncContentsManager):
    """Files and notebooks on the EFSS site configured in ``CS3Site``, over WebDAV."""

    stat_cache_seconds = Float(
        5.0,
        help="How long what the site said about a file or folder is reused before asking "
        "again. Our own changes are seen at once; changes made elsewhere show up after at "
        "most this long. 0 turns the cache off.",
    ).tag(config=True)

    upload_idle_timeout = Float(
        600.0,
        help="Seconds after which a chunked upload that received no chunk is abandoned and "
        "its parts deleted on the site.",
    ).tag(config=True)

    max_workers = Int(
        8,
        help="Threads (and pooled connections) used to talk to the site concurrently.",
    ).tag(config=True)

    @default("checkpoints_class")
    def _default_checkpoints_class(self) -> type:
        return CS3Checkpoints

    @default("files_handler_class")
    def _default_files_handler_class(self) -> type:
        return CS3FilesHandler

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.site = CS3Site(parent=self)
        if not self.site.configured:
            raise ValueError(
                "CS3ContentsManager needs a site: set CS3Site.url and CS3Site.user "
                "(or CS3_SITE_URL and CS3_USER)."
            )
        self.client = DavClient(
            self.site.url,
            self.site.user,
            make_auth(
                self.site.user,
                password=self.site.password,
                token=self.site.token,
                token_file=self.site.token_file,
            ),
            files_root=self.site.webdav_root,
            verify=self.site.ca_bundle or self.site.verify_tls,
            limits=self.site.limits(),
        )
        self._executor = ThreadPoolExecutor(self.max_workers, thread_name_prefix="cs3-dav")
        # The notary keeps signatures in SQLite, whose connection must stay in one thread; its
        # hashing of every cell is too slow for the loop, so it gets a thread of its own.
        self._notary_thread = ThreadPoolExecutor(1, thread_name_prefix="cs3-notary")
        self._cache = StatCache(self.stat_cache_seconds)
        self._seen: dict[str, str] = {}
        self._uploads = ChunkedSaves(self.client, self.upload_idle_timeout)

    # -- plumbing -----------------------------------------------------------------------

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking dav call in a worker thread; its failure becomes an HTTPError."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._executor, functools.partial(fn, *args, **kwargs)
            )
        except errors.DavError as err:
            http_error = to_http_error(err)
            if http_error.status_code >= 502:
                self.log.warning("EFSS request failed: %s", err.message)
            raise http_error from None

    @staticmethod
    def normalize(path: str) -> str:
        """The canonical relative path, or a 400 for one that could leave the home."""
        try:
            return paths.normalize(path)
        except errors.BadPath as err:
            raise HTTPError(400, err.message) from None

    async def entry(self, path: str, *, fresh: bool = False) -> Entry:
        """What the site says about ``path`` (from the cache unless ``fresh``)."""
        path = self.normalize(path)
        cached = None if fresh else self._cache.entry(path)
        if cached is not None:
            return cached
        found = await self.call(self.client.stat, path)
        self._cache.remember(found)
        return found

    async def _children(self, path: str) -> tuple[Entry, list[Entry]]:
        cached = self._cache.children(path)
        known = self._cache.entry(path)
        if cached is not None and known is not None:
            return known, cached
        folder, children = await self.call(self.client.listdir, path)
        self._cache.remember_listing(folder, children)
        return folder, children

    async def _maybe_entry(self, path: str) -> Entry | None:
        """The entry, or None if there is none; a recent "no such file" is reused."""
        try:
            path = self.normalize(path)
            if self._cache.missing(path):
                return None
            return await self.entry(path)
        except HTTPError as err:
            if err.status_code == 404:
                self._cache.remember_missing(path)
            if err.status_code in (400, 404):
                return None
            raise

    def forget(self, path: str) -> None:
        """Drop cached answers about ``path``, below and its parent: they may be stale now."""
        self._cache.forget(path)

    def _unsee(self, path: str) -> None:
        """``path`` and below no longer exist as we saw them (we deleted or moved them)."""
        self.forget(path)
        prefix = path + "/"
        for seen in [p for p in self._seen if p == path or p.startswith(prefix)]:
            del self._seen[seen]

    def _listed(self, entry: Entry) -> bool:
        return self.should_list(entry.name) and (self.allow_hidden or not _hidden(entry.path))

    def _child_models(self, children: list[Entry]) -> list[dict[str, Any]]:
        return [
            base_model(child, kind_of(child, None)) for child in children if self._listed(child)
        ]

    def get_kernel_path(self, path: str, model: Any = None) -> str:
        """The notebook's folder: its kernel works in a synced copy of it (docs/kernels.md)."""
        return paths.split(self.normalize(path))[0]

    def info_string(self) -> str:
        return f"Serving files from {self.client.site_name} as user {self.site.user} (WebDAV)"

    # -- queries ------------------------------------------------------------------------

    async def dir_exists(self, path: str) -> bool:
        found = await self._maybe_entry(path)
        return found is not None and found.is_dir

    async def file_exists(self, path: str) -> bool:
        """Also answered by having looked at the file: the handler asks before every save.

        Asking the site there would cost every save a round trip. If the file went away
        elsewhere meanwhile, the save's ``If-Match`` fails and the user is told.
        """
        try:
            path = self.normalize(path)
        except HTTPError:
            return False
        if path in self._seen and self._cache.entry(path) is None:
            return True
        found = await self._maybe_entry(path)
        return found is not None and not found.is_dir

    async def exists(self, path: str) -> bool:
        return await self._maybe_entry(path) is not None

    async def is_hidden(self, path: str) -> bool:
        return _hidden(path)

    async def get(
        self,
        path: str,
        content: bool = True,
        type: str | None = None,
        format: str | None = None,
        require_hash: bool = False,
    ) -> dict[str, Any]:
        path = self.normalize(path)
        loop = asyncio.get_running_loop()
        children: list[Entry] | None = None
        download: tuple[bytes, str | None] | BaseException | None = None
        cached = self._cache.entry(path)
        cold = cached is None
        if content and cold and type in (None, "directory"):
            # A listing also describes the folder itself: one request instead of two.
            entry, children = await self._children(path)
        elif content and cold:
            # Opening a file (JupyterLab names the type): ask for its properties and its body
            # at the same time, so opening costs one round trip, not two.
            found, download = await asyncio.gather(
                self.entry(path), self.call(self.client.download, path), return_exceptions=True
            )
            if isinstance(found, BaseException):
                raise found
            entry = found
        else:
            # A file's model without content is what JupyterLab asks for right before a save,
            # to warn about changes made elsewhere ("File Changed"): it must come from the site.
            refresh = not content and cached is not None and not cached.is_dir
            entry = await self.entry(path, fresh=refresh)
        kind = kind_of(entry, type)
        if kind == "directory":
            model = base_model(entry, kind, with_hash=require_hash)
            if content:
                if children is None:
                    _, children = await self._children(path)
                # Thousands of entries take a noticeable time to turn into models: not on the loop.
                model["content"] = await loop.run_in_executor(
                    self._executor, self._child_models, children
                )
                model["format"] = "json"
            return model
        if not content:
            if entry.etag:
                self._seen[path] = entry.etag
            return base_model(entry, kind, with_hash=require_hash)
        if isinstance(download, BaseException):
            raise download
        if download is None:
            download = await self.call(self.client.download, path)
        body, etag = download
        if etag and etag != entry.etag:
            # Changed since we last asked: describe the version we actually read.
            entry = await self.entry(path, fresh=True)
        if etag:
            self._seen[path] = etag
        model = base_model(entry, kind, with_hash=require_hash)
        if kind == "notebook":
            validation: dict[str, Any] = {}
            notebook = await loop.run_in_executor(
                self._executor, read_notebook, body, path, validation
            )
            await loop.run_in_executor(self._notary_thread, self.mark_trusted_cells, notebook, path)
            model["content"] = notebook
            model["format"] = "json"
            self.validate_notebook_model(model, validation_error=validation)
        else:
            # Decoding or base64-encoding a large file is CPU work: keep it off the loop.
            await loop.run_in_executor(self._executor, fill_file, model, body, format)
        return model

    # -- writes -------------------------------------------------------------------------

    def _remember_write(
        self, path: str, result: WriteResult, size: int, sha1: str | None, previous: Entry | None
    ) -> Entry:
        """The new entry of a file we just wrote, from the write's response headers.

        It is cached only when it is as complete as a listing would be: we know the time,
        and either the site keeps no checksums or keeps exactly a SHA1, which we computed
        (``sha1``). Otherwise the next question goes to the site, so a ``hash`` never
        switches source between two requests.
        """
        checksums_known = previous is not None and (
            not previous.checksums or (set(previous.checksums) == {"SHA1"} and sha1 is not None)
        )
        entry = Entry(
            href_path="",
            is_dir=False,
            path=path,
            etag=result.etag,
            last_modified=result.last_modified or time_now(),
            created=previous.created if previous else None,
            size=size,
            fileid=previous.fileid if previous else None,
            permissions=previous.permissions if previous else None,
            checksums={"SHA1": sha1} if previous and previous.checksums and sha1 else {},
        )
        self.forget(path)
        if result.etag:
            self._seen[path] = result.etag
        if checksums_known and result.last_modified:
            self._cache.remember(entry)
        return entry

    def _put_guarded(self, path: str, body: bytes, if_match: str | None) -> tuple[WriteResult, str]:
        """One PUT and the body's SHA1; a failed ``If-Match`` gets the message the user needs.

        Runs in a worker thread: hashing a large body is no work for the event loop.
        """
        sha1 = hashlib.sha1(body, usedforsecurity=False).hexdigest()
        try:
            return self.client.put(
                path, body, if_match=if_match, mtime=int(time.time()), sha1=sha1
            ), sha1
        except errors.PreconditionFailed:
            raise errors.PreconditionFailed(
                f"'{path}' was changed on {self.client.site_name} since you opened it (by another "
                "program, a sync client or a colleague). Nothing was overwritten: reload the file "
                "to see the other version, or save yours under a new name."
            ) from None

    async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]:
        path = self.normalize(path)
        if not path:
            raise HTTPError(400, "The root folder cannot be saved as a file.")
        if not self.allow_hidden and _hidden(path):
            raise HTTPError(400, f"Cannot create the hidden file or folder '{path}'.")
        if "chunk" in model and model["chunk"] is not None:
            return await self._save_chunk(model, path)
        kind = model.get("type")
        if not kind:
            raise HTTPError(400, "No file type provided")
        if "content" not in model and kind != "directory":
            raise HTTPError(400, "No file content provided")
        self.run_pre_save_hooks(model=model, path=path)

        if kind == "directory":
            try:
                await self.call(self.client.mkcol, path)
            except HTTPError as err:
                if err.status_code != 409 or not await self.dir_exists(path):
                    raise
            self.forget(path)
            saved = base_model(await self.entry(path), "directory")
            self.emit(data={"action": "save", "path": path})
            return saved

        validation: dict[str, Any] = {}
        loop = asyncio.get_running_loop()
        if kind == "notebook":
            notebook = await loop.run_in_executor(
                self._notary_thread, self._signed_notebook, model["content"], path
            )
            body = await loop.run_in_executor(
                self._executor, notebook_body, notebook, path, validation
            )
        elif kind == "file":
            body = await loop.run_in_executor(self._executor, body_of, model, path)
        else:
            raise HTTPError(400, f"Unhandled contents type: {kind}")

        previous = self._cache.entry(path)
        result, sha1 = await self.call(self._put_guarded, path, body, self._seen.get(path))
        entry = self._remember_write(path, result, len(body), sha1, previous)
        if result.last_modified is None:
            entry = await self.entry(path, fresh=True)
        saved = base_model(entry, kind)
        if kind == "notebook":
            self.validate_notebook_model(saved, validation_error=validation)
        self.emit(data={"action": "save", "path": path})
        return saved

    def _signed_notebook(self, content: Any, path: str) -> nbformat.NotebookNode:
        """The notebook of a save model, signed as the stock manager does (in the notary's
        thread); a model too broken to sign is a 400, never a 500."""
        try:
            notebook = nbformat.from_dict(content)
            self.check_and_sign(notebook, path)
        except Exception as err:  # the notary raises many kinds on malformed cells
            raise HTTPError(400, f"'{path}' is not a notebook that can be saved: {err!r}") from None
        return notebook

    async def _save_chunk(self, model: dict[str, Any], path: str) -> dict[str, Any]:
        chunk = int(model["chunk"])
        if chunk < 1 and chunk != -1:
            raise HTTPError(
                400, f"Invalid chunk number {chunk}: use 1, 2, ... and -1 for the last."
            )
        loop = asyncio.get_running_loop()
        body = await loop.run_in_executor(self._executor, body_of, model, path)
        previous = self._cache.entry(path)
        size, result = await self.call(self._uploads.receive, path, chunk, body)
        if result is None:
            # If this was the last chunk we hear of (the tab was closed), drop the parts.
            loop.call_later(self.upload_idle_timeout, self._sweep_uploads)
            # In progress: nothing exists at the target yet; describe what has arrived.
            now = time_now()
            pending = Entry(href_path="", is_dir=False, path=path, last_modified=now, size=size)
            return base_model(pending, "file")
        entry = self._remember_write(path, result, size, None, previous)
        if result.last_modified is None:
            entry = await self.entry(path, fresh=True)
        self.emit(data={"action": "save", "path": path})
        return base_model(entry, kind_of(entry, model.get("type")))

    def _sweep_uploads(self) -> None:
        asyncio.get_running_loop().run_in_executor(self._executor, self._uploads.sweep)

    async def trust_notebook(self, path: str) -> None:
        """``POST /api/contents/<path>/trust``: as the stock manager, in the notary's thread."""
        notebook = (await self.get(path, type="notebook"))["content"]
        self.log.warning("Trusting notebook %s", path)
        await asyncio.get_running_loop().run_in_executor(
            self._notary_thread, self._trust, notebook, path
        )

    def _trust(self, notebook: nbformat.NotebookNode, path: str) -> None:
        self.notary.mark_cells(notebook, True)
        self.check_and_sign(notebook, path)

    async def delete_file(self, path: str) -> None:
        path = self.normalize(path)
        await self.call(self.client.delete, path)
        self._unsee(path)

    async def rename_file(self, old_path: str, new_path: str) -> None:
        await self._move(self.normalize(old_path), self.normalize(new_path))

    async def update(self, model: dict[str, Any], path: str) -> dict[str, Any]:
        """A rename (JupyterLab's PATCH) in one ``MOVE`` where we can.

        The stock ``update`` asks the site for the model again after moving. When we knew the
        file and the site says its ETag after the move, the new model is what we knew at the
        new name (a move keeps the content and modification time); otherwise the site is
        asked, so a server that changes more on a move is still described right.
        """
        old_path = self.normalize(path)
        new_path = self.normalize(model.get("path", path))
        if old_path == new_path:
            return await self.get(new_path, content=False)
        known = self._cache.entry(old_path)
        moved = await self._move(old_path, new_path)
        await self.checkpoints.rename_all_checkpoints(old_path, new_path)
        self.emit(data={"action": "rename", "path": new_path, "source_path": old_path})
        if known is not None and not known.is_dir and moved is not None and moved.etag:
            entry = dataclasses.replace(known, path=new_path, href_path="", etag=moved.etag)
            self._cache.remember(entry)
        else:
            entry = await self.entry(new_path, fresh=True)
        return base_model(entry, kind_of(entry, None))

    async def _move(self, old_path: str, new_path: str) -> WriteResult | None:
        if old_path == new_path:
            return None
        try:
            return await self.call(self.client.move, old_path, new_path)
        finally:
            self._unsee(old_path)
            self._unsee(new_path)

    async def copy(self, from_path: str, to_path: str | None = None) -> dict[str, Any]:
        """Copy a file on the site (``COPY``), naming it like jupyter_server does."""
        source = self.normalize(from_path)
        if (await self.entry(source)).is_dir:
            raise HTTPError(400, "Can't copy directories")
        from_dir, from_name = paths.split(source)
        destination = from_dir if to_path is None else self.normalize(to_path)
        if await self.dir_exists(destination):
            name = await self.increment_filename(
                copy_pat.sub(".", from_name), destination, insert="-Copy"
            )
            target = paths.join(destination, name)
        elif to_path is None:
            raise HTTPError(404, f"No such directory: {destination}")
        else:
            parent = paths.split(destination)[0]
            if not await self.dir_exists(parent):
                raise HTTPError(404, f"No such parent directory: {parent} to copy file in")
            target = destination
        await self.call(self.client.copy, source, target)
        self.forget(target)
        entry = await self.entry(target)
        self.emit(data={"action": "copy", "path": target, "source_path": source})
        return base_model(entry, kind_of(entry, None))

    async def increment_filename(self, filename: str, path: str = "", insert: str = "") -> str:
        """A name not yet used in folder ``path``, from one listing instead of one probe per try."""
        _, children = await self._children(self.normalize(path))
        taken = {child.name for child in children}
        basename, dot, ext = filename.rpartition(".")
        if ext != "ipynb":
            basename, dot, ext = filename.partition(".")
        candidates = (
            f"{basename}{insert}{i}{dot}{ext}" if i else filename for i in itertools.count()
        )
        return next(name for name in candidates if name not in taken)


def _hidden(path: str) -> bool:
    return any(part.startswith(".") for part in path.split("/") if part)


def time_now() -> datetime:
    """Now, in whole seconds as the site stores modification times."""
    return datetime.fromtimestamp(int(time.time()), tz=timezone.utc)
