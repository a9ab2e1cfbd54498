"""``CS3ContentsManager``: the user's EFSS home as Jupyter's file system.

The manager decides *when* to talk to the site; :mod:`cs3_jupyter.dav` knows *how*, and
every call to it runs in a worker thread so the event loop never waits on the network.

Listings and models always come from the site at the moment they are asked for. Three
memories keep the rest cheap and safe:

* what the site said a moment ago (:mod:`.cache`): hints the site then verifies (the ETag
  of a download or a move, a save's ``If-Match``) and the answers to the follow-up questions
  of one REST request (``file_exists`` before a save);
* the conflict guard (:mod:`.guard`): the version of each file its clients hold, so a save
  replaces only that version, never a change made meanwhile elsewhere (409 instead);
* the fingerprints (:mod:`.fingerprints`) behind every model's ``hash``.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import fnmatch
import functools
import hashlib
import itertools
import os
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any, TypeVar

import nbformat
from jupyter_server.services.contents.manager import AsyncContentsManager, copy_pat
from tornado.web import HTTPError
from traitlets import Bool, Float, Int, default

from ..config import CS3Site
from ..dav import errors, paths
from ..dav.client import DavClient, Download, WriteResult
from ..dav.props import Entry
from ..transport.auth import make_auth
from .cache import Listing, StatCache
from .checkpoints import CS3Checkpoints
from .errors import ShownHTTPError, to_http_error
from .files import CS3FilesHandler
from .fingerprints import HASH_ALGORITHM, Fingerprints, of_checksums, stamp_of
from .guard import Guard, Version, version_of, write_time
from .models import base_model, file_content, kind_of, notebook_body, read_notebook
from .notary import NotaryThread, ThreadBoundNotary
from .uploads import ChunkedSaves
from .validation import SaveModel, file_bytes, save_model
from .writes import Landed, conflict, put_guarded

T = TypeVar("T")


class CS3ContentsManager(AsyncContentsManager):
    """Files and notebooks on the EFSS site configured in ``CS3Site``, over WebDAV."""

    stat_cache_seconds = Float(
        5.0,
        help="How long what the site said about a file is kept as a hint that the site then "
        "verifies: opening a file just listed checks the ETag of the download instead of "
        "asking for its properties first; a rename or a save names the ETag it expects. "
        "Listings and models always come from the site. Within one request (a save asks "
        "whether the file exists first), answers are reused for at most 2 seconds of this. "
        "0 turns both off.",
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

    max_copy_folder_size_mb = Int(
        500,
        help="The largest folder (MB, as the site counts it) that may be copied; the copy "
        "happens on the site, but a huge one keeps it busy and fills the quota.",
    ).tag(config=True)

    delete_to_trash = Bool(
        True,
        help="As in Jupyter's file manager. The site decides where deleted items go (EFSS "
        "sites keep a trash bin); with this off, a folder that is not empty is only deleted "
        "when always_delete_dir is on.",
    ).tag(config=True)

    always_delete_dir = Bool(
        False,
        help="As in Jupyter's file manager: with delete_to_trash off, delete folders that are "
        "not empty too.",
    ).tag(config=True)

    #: Every model's ``hash_algorithm`` when it has a ``hash`` (see fingerprints.py).
    hash_algorithm = HASH_ALGORITHM

    @default("checkpoints_class")
    def _default_checkpoints_class(self) -> type:
        return CS3Checkpoints

    @default("files_handler_class")
    def _default_files_handler_class(self) -> type:
        return CS3FilesHandler

    @default("notary")
    def _default_notary(self) -> ThreadBoundNotary:
        return ThreadBoundNotary.create(self._notary, parent=self)

    def __init__(self, **kwargs: Any) -> None:
        # Before the traits: the notary (made on first use) opens its store in this thread.
        self._notary = NotaryThread()
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
        #: What the site said in the last seconds, for uses the site verifies (cache.py).
        self.hints = StatCache(self.stat_cache_seconds)
        #: This request's memo (:meth:`request_memo`): (task, writes seen, memo).
        self._request: contextvars.ContextVar[tuple[asyncio.Task[Any], int, StatCache]] = (
            contextvars.ContextVar(f"cs3-request-{id(self)}")
        )
        #: Bumped by every change we make or are told of: request memos older than it are void.
        self._changes = 0
        self._hide_pattern: tuple[tuple[str, ...], re.Pattern[str]] | None = None
        self.guard = Guard()
        self.fingerprints = Fingerprints()
        self._uploads = ChunkedSaves(self.client, self.upload_idle_timeout)

    @property
    def cs3_checkpoints(self) -> CS3Checkpoints:
        checkpoints = self.checkpoints
        assert isinstance(checkpoints, CS3Checkpoints), "the manager's checkpoints are ours"
        return checkpoints

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

    async def close(self) -> None:
        """Abort chunked uploads still open (the server is stopping)."""
        await asyncio.get_running_loop().run_in_executor(self._executor, self._uploads.close)

    def shutdown(self) -> None:
        """Let the worker threads go (for code that builds managers and drops them)."""
        self._executor.shutdown(wait=False)
        self._notary.shutdown()

    @staticmethod
    def normalize(path: str) -> str:
        """The canonical relative path; 404 for one leading out of the home (as Jupyter's
        file manager answers), 400 with the reason for a name no site stores."""
        try:
            return paths.normalize(path)
        except errors.OutsideRoot as err:
            raise ShownHTTPError(404, err.message) from None
        except errors.BadPath as err:
            raise ShownHTTPError(400, err.message) from None

    def request_memo(self) -> StatCache:
        """What the site said during this REST request (this asyncio task), for its
        follow-up questions.

        jupyter_server runs each request in its own task, and asks ``file_exists`` before a
        save, ``dir_exists`` before ``new_untitled`` lists the folder: the answer a moment
        earlier in the same request is the site's current one. Another request (a later
        poll, the next click) never sees it, and any change we make voids every memo.
        """
        task = asyncio.current_task()
        assert task is not None, "the manager is called from a coroutine"
        current = self._request.get(None)
        if current is not None and current[0] is task and current[1] == self._changes:
            return current[2]
        memo = StatCache(min(self.stat_cache_seconds, _REQUEST_MEMO_SECONDS))
        self._request.set((task, self._changes, memo))
        return memo

    def _remember(self, entry: Entry) -> None:
        self.request_memo().remember(entry)
        self.hints.remember(entry)

    def _remember_listing(self, listing: Listing) -> None:
        self.request_memo().remember_listing(listing)
        self.hints.remember_listing(listing)

    async def entry(self, path: str, *, fresh: bool = False) -> Entry:
        """What the site says about ``path``: asked now, or a moment ago in this request
        (unless ``fresh``)."""
        path = self.normalize(path)
        described = None if fresh else self.request_memo().entry(path)
        if described is not None:
            return described
        found = await self.call(self.client.stat, path)
        self._remember(found)
        return found

    async def known(self, path: str) -> Entry:
        """``path``'s entry where what we use of it is checked by the site or cannot change
        while the path holds the same file (its id for the versions area): from the last
        seconds' hints, else from the site."""
        path = self.normalize(path)
        hinted = self.request_memo().entry(path) or self.hints.entry(path)
        return hinted if hinted is not None else await self.entry(path)

    def _list(self, path: str) -> tuple[Listing, list[dict[str, Any]]]:
        """One light ``PROPFIND Depth: 1``, parsed and turned into models in this worker
        thread."""
        folder, children = self.client.listdir(path, light=True)
        return Listing.of(folder, children), self._child_models(children) if folder.is_dir else []

    async def _children(self, path: str) -> tuple[Entry, list[Entry]]:
        """A folder's children: listed now, or a moment ago in this request."""
        listing = self.request_memo().listing(path)
        if listing is None:
            folder, children = await self.call(self.client.listdir, path, light=True)
            listing = Listing.of(folder, children)
            self._remember_listing(listing)
        return listing.folder, list(listing.children.values())

    async def _maybe_entry(self, path: str) -> Entry | None:
        """The entry, or None if there is none; "no such file" earlier in this request is
        reused."""
        try:
            path = self.normalize(path)
            if self.request_memo().missing(path):
                return None
            return await self.entry(path)
        except HTTPError as err:
            if err.status_code == 404:
                self.request_memo().remember_missing(path)
            if err.status_code in (400, 404):
                return None
            raise

    def forget(self, path: str) -> None:
        """Drop what we remember about ``path``, below and its parent: it changed."""
        self.hints.forget(path)
        self._changes += 1

    def _gone(self, path: str) -> None:
        """``path`` and below no longer exist as we knew them (we deleted or replaced them)."""
        self.forget(path)
        self.guard.forget(path)
        self.fingerprints.forget(path)

    def guard_version(self, entry: Entry) -> Version:
        """``entry``'s version, as the guard keeps it."""
        return version_of(entry, self.fingerprints.of(entry))

    def should_list(self, name: str) -> bool:
        """As jupyter_server decides (no match in ``hide_globs``), with the globs compiled
        into one pattern once: a 10,000-entry listing asks 10,000 times."""
        globs = tuple(self.hide_globs)
        if self._hide_pattern is None or self._hide_pattern[0] != globs:
            joined = "|".join(fnmatch.translate(os.path.normcase(glob)) for glob in globs)
            self._hide_pattern = (globs, re.compile(joined or "(?!)"))
        return self._hide_pattern[1].match(os.path.normcase(name)) is None

    def _listed(self, entry: Entry) -> bool:
        return self.should_list(entry.name) and (self.allow_hidden or not _hidden(entry.path))

    def _child_models(self, children: list[Entry]) -> list[dict[str, Any]]:
        return [
            base_model(child, kind_of(child, None)) for child in children if self._listed(child)
        ]

    def _refuse_hidden(self, *candidates: str) -> None:
        if not self.allow_hidden and any(_hidden(path) for path in candidates):
            raise ShownHTTPError(400, f"Cannot use the hidden file or folder '{candidates[0]}'.")

    def get_kernel_path(self, path: str, model: Any = None) -> str:
        """The notebook's folder: its kernel works in a synced copy of it (docs/kernels.md)."""
        return paths.split(self.normalize(path))[0]

    def info_string(self) -> str:
        return f"Serving files from {self.client.site_name} as user {self.site.user} (WebDAV)"

    # -- notebook trust, in the notary's thread (notary.py) -------------------------------

    def mark_trusted_cells(self, nb: Any, path: str = "") -> None:
        self._notary.run(super().mark_trusted_cells, nb, path)

    def check_and_sign(self, nb: Any, path: str = "", **kwargs: Any) -> None:
        self._notary.run(super().check_and_sign, nb, path, **kwargs)

    def _signed_notebook(self, content: Any, path: str) -> nbformat.NotebookNode:
        """The notebook of a save model (checked by validation.py), signed as the stock
        manager does; a signature store that cannot be repaired is a 500, as there."""
        notebook = nbformat.from_dict(content)
        try:
            self.check_and_sign(notebook, path)
        except Exception as err:  # the store raises whatever its backend does
            self.log.error("Signing %s failed", path, exc_info=True)
            raise ShownHTTPError(500, f"Unexpected error while signing '{path}': {err}") from None
        return notebook

    async def trust_notebook(self, path: str) -> None:
        """``POST /api/contents/<path>/trust``: as the stock manager, in the notary's thread."""
        notebook = (await self.get(path, type="notebook"))["content"]
        self.log.warning("Trusting notebook %s", path)
        await asyncio.get_running_loop().run_in_executor(
            self._notary.executor, self._trust, notebook, path
        )

    def _trust(self, notebook: nbformat.NotebookNode, path: str) -> None:
        self.notary.mark_cells(notebook, True)
        self.check_and_sign(notebook, path)

    # -- queries ------------------------------------------------------------------------

    async def dir_exists(self, path: str) -> bool:
        found = await self._maybe_entry(path)
        return found is not None and found.is_dir

    async def file_exists(self, path: str) -> bool:
        """Also answered by a client holding the file: the handler asks before every save.

        Asking the site there would cost every save a round trip. If the file went away
        elsewhere meanwhile, the guarded save finds out and the user is told. So is the
        target of a chunked upload in progress (each chunk is a save), as the stock
        manager's partly written file on disk would answer.
        """
        try:
            path = self.normalize(path)
        except HTTPError:
            return False
        described = self.request_memo().entry(path)
        if described is None and (
            self.guard.loaded(path) is not None or self._uploads.in_progress(path)
        ):
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
        if not content:
            # Also what JupyterLab asks right before a save, to warn about changes made
            # elsewhere ("File Changed"): always the site's answer of now.
            entry = await self.entry(path, fresh=True)
            kind = kind_of(entry, type)
            if kind != "directory":
                # A look without content never moves the guard; it may find the site moved on.
                self.guard.observe(path, entry)
            return base_model(
                entry, kind, hash_=self.fingerprints.of(entry) if require_hash else None
            )
        hint = self.hints.entry(path)
        download: Download | None = None
        if type == "directory" or (type is None and (hint is None or hint.is_dir)):
            # A listing also describes the folder itself: one request. A file answers with
            # itself, and is then downloaded.
            listing, models = await self.call(self._list, path)
            self._remember_listing(listing)
            entry = listing.folder
            if entry.is_dir:
                fingerprint = self.fingerprints.of(entry) if require_hash else None
                model = base_model(entry, "directory", hash_=fingerprint)
                model["content"] = models
                model["format"] = "json"
                return model
        elif hint is not None and not hint.is_dir and _settled(hint):
            # Opened from the listing that just described it: the download's ETag and size
            # say whether that is still the version, so the properties need no request.
            download = await self.call(self.client.download, path)
            entry = hint
            if download.etag != hint.etag or len(download.body) != hint.size:
                entry = await self.entry(path, fresh=True)
                if entry.is_dir:
                    return await self.get(path, content, type, format, require_hash)
        else:
            entry, download = await self._stat_and_download(path, type)
        kind = kind_of(entry, type)
        if download is None:
            download = await self.call(self.client.download, path)
        if download.etag and download.etag != entry.etag:
            # Changed since we last asked: describe the version we actually read.
            entry = await self.entry(path, fresh=True)
        # The body is hashed (hashlib lets go of the GIL) while it is parsed or decoded.
        hashing = loop.run_in_executor(self._executor, _sha1, download.body)
        validation: dict[str, Any] = {}
        try:
            if kind == "notebook":
                read: Any = await loop.run_in_executor(
                    self._executor, read_notebook, download.body, path, validation
                )
                await loop.run_in_executor(
                    self._notary.executor, self.mark_trusted_cells, read, path
                )
            else:
                read = await loop.run_in_executor(
                    self._executor, file_content, download.body, format, path
                )
        except BaseException:
            hashing.add_done_callback(_ignore_outcome)
            raise
        version = self._served(path, entry, download, await hashing)
        self.guard.load(path, version)
        model = base_model(entry, kind, hash_=version.hash if require_hash else None)
        if kind == "notebook":
            model["content"], model["format"] = read, "json"
            self.validate_notebook_model(model, validation_error=validation)
        else:
            model["content"], model["format"] = read
            if model["mimetype"] is None:
                model["mimetype"] = (
                    "text/plain" if model["format"] == "text" else "application/octet-stream"
                )
        return model

    async def _stat_and_download(self, path: str, type: str | None) -> tuple[Entry, Download]:
        """Opening a file (JupyterLab names the type): its properties and its body are asked
        for at the same time, so opening costs one round trip, not two. If the properties
        say there is nothing to open (no such file, a folder), the download is abandoned at
        its next block instead of being waited for."""
        cancel = threading.Event()
        fetching = asyncio.ensure_future(self.call(self.client.download, path, cancel=cancel))
        try:
            entry = await self.entry(path)
            kind_of(entry, type)  # a folder opened as a file: 400
        except BaseException:
            cancel.set()
            fetching.add_done_callback(_ignore_outcome)
            raise
        return entry, await fetching

    def _served(self, path: str, entry: Entry, download: Download, sha1: str) -> Version:
        """The version a client now holds: the bytes downloaded, described by the site.

        Its checksums are the site's description's, or where that was a light listing's
        (which has none), those the download's answer named for the same version.
        """
        same = entry.etag == download.etag and entry.size == len(download.body)
        checksums = None
        if same:
            checksums = entry.checksums if entry.checksums is not None else download.checksums
        fingerprint = (checksums and of_checksums(checksums)) or self.fingerprints.remember(
            path, stamp_of(entry) if same else (download.etag, len(download.body), -1), sha1
        )
        mtime = entry.last_modified if same else (download.last_modified or entry.last_modified)
        return Version(
            etag=download.etag or entry.etag,
            size=len(download.body),
            mtime=int(mtime.timestamp()),
            hash=fingerprint,
            seen_at=download.seen_at,
            checksums=dict(checksums) if checksums is not None else None,
        )

    # -- writes -------------------------------------------------------------------------

    async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]:
        path = self.normalize(path)
        if not path:
            raise ShownHTTPError(400, "The root folder cannot be saved as a file.")
        self._refuse_hidden(path)
        checked = save_model(model, path)
        if checked.chunk is not None:
            return await self._save_chunk(checked, path)
        self.run_pre_save_hooks(model=model, path=path)

        if checked.kind == "directory":
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
        if checked.kind == "notebook":
            notebook = await loop.run_in_executor(
                self._notary.executor, self._signed_notebook, checked.content, path
            )
            body = await loop.run_in_executor(
                self._executor, notebook_body, notebook, path, validation
            )
        else:
            body = await loop.run_in_executor(
                self._executor, file_bytes, checked.content, checked.format, path
            )
        sha1 = await loop.run_in_executor(self._executor, _sha1, body)
        expected = await self._expected(path, checked)
        create = False
        if expected is None:
            # No version held: replace what this request saw there a moment ago (the
            # handler's existence check), or create only if it saw nothing.
            memo = self.request_memo()
            described = memo.entry(path)
            if described is not None and not described.is_dir:
                expected = self.guard_version(described)
            create = memo.missing(path)
        mtime = write_time(self.client.clock.now(), self.cs3_checkpoints.kept_times(path))
        landed = await self.call(
            put_guarded, self.client, self.guard, path, body, sha1, expected, mtime, create
        )
        entry = await self._remember_write(path, landed, len(body), sha1, mtime)
        saved = base_model(entry, checked.kind, hash_=self.fingerprints.of(entry))
        if checked.kind == "notebook":
            self.validate_notebook_model(saved, validation_error=validation)
        self.emit(data={"action": "save", "path": path})
        return saved

    async def _expected(self, path: str, model: SaveModel) -> Version | None:
        """The version this save may replace (None: whatever is there), or a 409.

        The client's ``hash`` names it when given; else the version this server's clients
        hold. A version that is not settled is checked against the site first, unless the
        site described it earlier in this request (the handler's existence check).
        """
        loaded = self.guard.loaded(path)
        if model.hash is None:
            if self.guard.stale(path):
                raise to_http_error(conflict(path, self.client.site_name))
            if loaded is None or loaded.settled:
                return loaded
            return await self._verified(path, loaded)
        candidates = [loaded] if loaded is not None and not self.guard.stale(path) else []
        for known in (self.request_memo().entry(path), self.hints.entry(path)):
            if known is not None and not known.is_dir and known.checksums is not None:
                candidates.append(self.guard_version(known))
        for candidate in candidates:
            if candidate.hash == model.hash:
                return candidate if candidate.settled else await self._verified(path, candidate)
        try:
            current = await self.entry(path, fresh=True)
        except HTTPError as err:
            if err.status_code == 404:
                raise to_http_error(conflict(path, self.client.site_name)) from None
            raise
        if self.fingerprints.of(current) != model.hash:
            self.guard.observe(path, current)
            raise to_http_error(conflict(path, self.client.site_name))
        return version_of(current, model.hash)

    async def _verified(self, path: str, version: Version) -> Version:
        """``version`` if the site still describes exactly it (asked now, or a moment ago in
        this request, with its checksums), else a 409."""
        described = self.request_memo().entry(path)
        try:
            if described is not None and described.checksums is not None:
                current = described
            else:
                current = await self.entry(path, fresh=True)
        except HTTPError as err:
            if err.status_code == 404:
                raise to_http_error(conflict(path, self.client.site_name)) from None
            raise
        self.guard.observe(path, current)
        if not version.describes(current):
            raise to_http_error(conflict(path, self.client.site_name))
        return version.seen(current)

    async def _remember_write(
        self, path: str, landed: Landed, size: int, sha1: str, mtime: int
    ) -> Entry:
        """The entry of a file we just wrote, and the version its client now holds.

        From the write's answer where it says enough (ETag and time), else from the site.
        Cached when we know as much as a listing says (its id and permissions from before);
        its ``hash`` is the SHA1 we computed, the one the site keeps from our checksum.
        """
        previous = self.request_memo().entry(path) or self.hints.entry(path)
        self.forget(path)
        result: WriteResult = landed.result
        entry = landed.entry
        if entry is None and (result.etag is None or result.last_modified is None):
            entry = await self.entry(path, fresh=True)
        if entry is None:
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
                seen_at=result.seen_at,
            )
        if landed.entry is not None or previous is not None:
            self._remember(entry)
        stamp = (entry.etag, size, int(entry.last_modified.timestamp()))
        fingerprint = self.fingerprints.remember(path, stamp, sha1)
        self.guard.load(
            path,
            Version(
                etag=entry.etag,
                size=size,
                mtime=stamp[2],
                hash=fingerprint,
                seen_at=entry.seen_at,
                checksums=(
                    dict(entry.checksums)
                    if landed.entry is not None and entry.checksums is not None
                    else None
                ),
            ),
        )
        return entry

    async def _save_chunk(self, model: SaveModel, path: str) -> dict[str, Any]:
        assert model.chunk is not None
        loop = asyncio.get_running_loop()
        body = await loop.run_in_executor(
            self._executor, file_bytes, model.content, model.format, path
        )
        mtime = write_time(self.client.clock.now(), self.cs3_checkpoints.kept_times(path))
        received = await self.call(self._uploads.receive, path, model.chunk, body, mtime)
        if received.result is None or received.sha1 is None:
            # If this was the last chunk we hear of (the tab was closed), drop the parts.
            loop.call_later(self.upload_idle_timeout, self._sweep_uploads)
            # In progress: nothing exists at the target yet; describe what has arrived.
            now = time_now()
            pending = Entry(
                href_path="", is_dir=False, path=path, last_modified=now, size=received.size
            )
            return base_model(pending, "file")
        entry = await self._remember_write(
            path, Landed(received.result), received.size, received.sha1, mtime
        )
        self.emit(data={"action": "save", "path": path})
        return base_model(entry, kind_of(entry, model.kind), hash_=self.fingerprints.of(entry))

    def _sweep_uploads(self) -> None:
        asyncio.get_running_loop().run_in_executor(self._executor, self._uploads.sweep)

    async def delete_file(self, path: str) -> None:
        path = self.normalize(path)
        self._refuse_hidden(path)
        if not self.delete_to_trash and not self.always_delete_dir:
            found = await self.entry(path)
            if found.is_dir and (await self._children(path))[1]:
                raise ShownHTTPError(400, f"Directory {path} not empty")
        await self.call(self.client.delete, path)
        self._gone(path)

    async def rename_file(self, old_path: str, new_path: str) -> None:
        await self._move(self.normalize(old_path), self.normalize(new_path))

    async def update(self, model: dict[str, Any], path: str) -> dict[str, Any]:
        """A rename (JupyterLab's PATCH) in one ``MOVE`` where we can.

        The stock ``update`` asks the site for the model again after moving. When the file
        was described a moment ago (the listing it was renamed from) and the site's answer to
        the move names that same ETag, that description is the moved file's at the new name
        (a move keeps the content and modification time); otherwise the site is asked, so a
        file changed meanwhile, or a server that changes more on a move, is described right.
        """
        old_path = self.normalize(path)
        new_path = self.normalize(model.get("path", path))
        if old_path == new_path:
            return await self.get(new_path, content=False)
        known = self.request_memo().entry(old_path) or self.hints.entry(old_path)
        moved = await self._move(old_path, new_path)
        await self.checkpoints.rename_all_checkpoints(old_path, new_path)
        self.emit(data={"action": "rename", "path": new_path, "source_path": old_path})
        if (
            known is not None
            and not known.is_dir
            and moved is not None
            and moved.etag is not None
            and moved.etag == known.etag
        ):
            entry = dataclasses.replace(known, path=new_path, href_path="")
            self._remember(entry)
        else:
            entry = await self.entry(new_path, fresh=True)
        return base_model(entry, kind_of(entry, None))

    async def _move(self, old_path: str, new_path: str) -> WriteResult | None:
        if old_path == new_path:
            return None
        self._refuse_hidden(old_path, new_path)
        if new_path.startswith(old_path + "/"):
            raise ShownHTTPError(409, f"'{old_path}' cannot be moved into itself ('{new_path}').")
        try:
            moved = await self.call(self.client.move, old_path, new_path)
        except BaseException:
            self.forget(old_path)
            self.forget(new_path)
            raise
        # The file's clients keep what they hold, under its new name.
        self.forget(old_path)
        self._gone(new_path)
        self.guard.rename(old_path, new_path, moved.etag)
        self.fingerprints.rename(old_path, new_path)
        return moved

    async def copy(self, from_path: str, to_path: str | None = None) -> dict[str, Any]:
        """Copy a file or folder on the site (one ``COPY``), naming it like jupyter_server."""
        source = self.normalize(from_path)
        found = await self.known(source)  # the COPY itself finds out if it is gone
        if found.is_dir and found.size is None:  # a light listing's: ask for its size
            found = await self.entry(source, fresh=True)
        from_dir, from_name = paths.split(source)
        destination = from_dir if to_path is None else self.normalize(to_path)
        if found.is_dir:
            target = await self._folder_copy_target(found, from_name, destination)
        elif await self.dir_exists(destination):
            name = await self.increment_filename(
                copy_pat.sub(".", from_name), destination, insert="-Copy"
            )
            target = paths.join(destination, name)
        elif to_path is None:
            raise ShownHTTPError(404, f"No such directory: {destination}")
        else:
            parent = paths.split(destination)[0]
            if not await self.dir_exists(parent):
                raise ShownHTTPError(404, f"No such parent directory: {parent} to copy file in")
            target = destination
        await self.call(self.client.copy, source, target)
        self._gone(target)
        entry = await self.entry(target)
        self.emit(data={"action": "copy", "path": target, "source_path": source})
        return base_model(entry, kind_of(entry, None))

    async def _folder_copy_target(self, folder: Entry, name: str, destination: str) -> str:
        """Where a folder copy goes, as jupyter_server decides: into ``destination`` (made if
        missing), under a ``-Copy<n>`` name if its own is taken there."""
        limit = self.max_copy_folder_size_mb * 1024 * 1024
        size = folder.size
        if size is None:  # a site without oc:size
            size = await self.call(self.client.tree_size, folder.path)
        if size is not None and size > limit:
            # Tornado's own class: jupyter_server's contents tests pin this error's exact type.
            raise HTTPError(
                400,
                f"Can't copy folders larger than {self.max_copy_folder_size_mb}MB, "
                f'"{folder.path}" is {size / (1024 * 1024):.1f} MB',
            )
        if not await self.dir_exists(destination):
            await self.call(self.client.mkcol, destination)
            self.forget(destination)
            return paths.join(destination, name)
        fresh = await self.increment_filename(copy_pat.sub(".", name), destination, insert="-Copy")
        return paths.join(destination, fresh)

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


#: At most this long (seconds) a request's follow-up questions reuse its earlier answers.
_REQUEST_MEMO_SECONDS = 2.0


def _settled(entry: Entry) -> bool:
    """Whether the site described ``entry`` after the second of its modification time, so
    its ETag changes with any later write (guard.py)."""
    return entry.seen_at is not None and entry.seen_at > int(entry.last_modified.timestamp())


def _hidden(path: str) -> bool:
    return any(part.startswith(".") for part in path.split("/") if part)


def _sha1(body: bytes) -> str:
    return hashlib.sha1(body, usedforsecurity=False).hexdigest()


def _ignore_outcome(future: asyncio.Future[Any]) -> None:
    """Collect an abandoned download's result or error, so nothing is reported unhandled."""
    if not future.cancelled():
        future.exception()


def time_now() -> datetime:
    """Now, in whole seconds as the site stores modification times."""
    return datetime.fromtimestamp(int(time.time()), tz=timezone.utc)
