"""One kernel's working copy of an EFSS folder, kept in step like a desktop sync client does.

:meth:`WorkingCopy.sync` compares the last agreed state with both sides, decides with
:func:`.plan.plan` and carries the plan out: downloads land in a staging folder and are
renamed into place, uploads are conditional (``If-Match`` the ETag we last saw, or
``If-None-Match: *`` for a new file), deletions on the EFSS are conditional too. A file
changed on both sides keeps both versions. Everything the user should know (conflicts,
files over a cap, writes the site refused) comes back as notes in the :class:`SyncReport`.

Blocking code: the Jupyter side runs :meth:`sync` in a worker thread; one sync runs at a time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from ...dav import errors, paths
from ...dav.client import DavClient
from ...dav.props import Entry, quote_etag
from . import local as disk
from .journal import Journal, Record
from .local import LocalFile
from .plan import Caps, Plan, Synced, plan, uploads_only
from .remote import RemoteTree

log = logging.getLogger(__name__)

__all__ = ["Caps", "SyncReport", "WorkingCopy"]

PREFIX = "[EFSS sync] "


@dataclass
class SyncReport:
    """What one sync did, and what the user must be told."""

    notes: list[str] = field(default_factory=list)
    downloaded: list[str] = field(default_factory=list)
    uploaded: list[str] = field(default_factory=list)
    deleted_local: list[str] = field(default_factory=list)
    deleted_remote: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    #: Files whose kernel version could not be saved (the site was unreachable or refused
    #: the write): they are only in the working copy.
    failed: list[str] = field(default_factory=list)
    #: False when the EFSS was not asked at all (nothing changed locally after an execution).
    listed: bool = False


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size:,} bytes"


class WorkingCopy:
    """The local copy of ``folder`` (an EFSS path) at ``local_root``."""

    def __init__(
        self,
        client: DavClient,
        folder: str,
        local_root: str,
        *,
        caps: Caps | None = None,
        ignore: Iterable[str] = (),
        trust_folder_etags: bool = True,
        workers: int = 4,
        clock: Callable[[], datetime] = datetime.now,
        journal: Journal | None = None,
        agreed: Record | None = None,
    ) -> None:
        self.client = client
        self.folder = paths.normalize(folder)
        self.local_root = local_root
        #: Downloads are written here, then renamed into place: the kernel never sees half a file.
        self.staging = os.path.join(os.path.dirname(local_root), ".staging")
        os.makedirs(self.local_root, mode=0o700, exist_ok=True)
        os.makedirs(self.staging, mode=0o700, exist_ok=True)
        self.caps = caps or Caps()
        self.ignore = tuple(ignore)
        self.tree = RemoteTree(
            client, self.folder, self.ignore, trust_folder_etags=trust_folder_etags
        )
        #: What both sides held at the end of the last sync (from a record when recovering).
        self.state: dict[str, Synced] = dict(agreed.state) if agreed else {}
        self.synced_folders: dict[str, str | None] = dict(agreed.synced_folders) if agreed else {}
        #: Where the state is written after each sync, for a recovery if the server dies.
        self.journal = journal
        self._clock = clock
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="cs3-sync")
        #: Notes already given, so a file over a cap or a refused write is reported once.
        self._told: set[tuple[str, ...]] = set()

    # -- public ---------------------------------------------------------------------------

    def sync(self, *, ask_site: bool = True) -> SyncReport:
        """Bring both sides in step. With ``ask_site=False`` the EFSS is only asked (and
        written) when something changed locally: after an execution that wrote nothing,
        this costs no request at all."""
        return self._sync(ask_site=ask_site, recovering=False)

    def recover(self) -> SyncReport:
        """Upload what the kernel wrote after the last sync of a copy whose server died, and
        nothing else (see :func:`.plan.uploads_only`). Raises ``DavError`` if the folder
        cannot even be listed."""
        return self._sync(ask_site=True, recovering=True)

    def _sync(self, *, ask_site: bool, recovering: bool) -> SyncReport:
        with self._lock:
            report = SyncReport()
            local, local_folders = disk.scan(self.local_root, self.ignore)
            changed = self._local_changes(local)
            if not ask_site and not self._changed_here(local, local_folders, changed):
                return report
            files, folders, _ = self.tree.refresh()
            report.listed = True
            todo = plan(
                state=self.state,
                synced_folders=self.synced_folders,
                local=local,
                local_folders=local_folders,
                local_changed=changed,
                remote=files,
                remote_folders=folders,
                caps=self.caps,
            )
            if recovering:
                todo = uploads_only(todo)
            self._carry_out(todo, local, changed, files, folders, report, fetch=not recovering)
            if self.journal is not None:
                self.journal.save(self.state, self.synced_folders)
            return report

    def close(self, *, delete: bool = True) -> None:
        """Stop the worker threads and (unless told not to) delete the local copy and its
        record (call after a last sync)."""
        self._pool.shutdown(wait=True)
        if delete:
            shutil.rmtree(os.path.dirname(self.local_root), ignore_errors=True)

    def remote_path(self, rel: str) -> str:
        return self.tree.remote_path(rel)

    def local_path(self, rel: str) -> str:
        return os.path.join(self.local_root, *rel.split("/"))

    # -- what changed here ------------------------------------------------------------------

    def _local_changes(self, local: dict[str, LocalFile]) -> dict[str, str]:
        """Files whose bytes differ from the synced state (or are new) -> their SHA-1.

        Size and mtime decide cheaply; a file whose mtime moved but whose bytes did not
        (``touch``, a rewrite of the same content) is not a change.
        """
        changed = {}
        for rel, seen in local.items():
            synced = self.state.get(rel)
            if synced is not None and synced.local == seen:
                continue
            try:
                digest = disk.sha1_of(self.local_path(rel))
            except FileNotFoundError:
                continue
            if synced is not None and synced.sha1 == digest:
                synced.local = seen
                continue
            changed[rel] = digest
        return changed

    def _changed_here(
        self, local: dict[str, LocalFile], local_folders: set[str], changed: dict[str, str]
    ) -> bool:
        pending = [rel for rel in changed if self._refusal_key(rel) not in self._told]
        return bool(
            pending
            or set(self.state) - set(local)
            or local_folders.symmetric_difference(self.synced_folders)
        )

    # -- carrying out a plan ----------------------------------------------------------------

    def _carry_out(
        self,
        todo: Plan,
        local: dict[str, LocalFile],
        changed: dict[str, str],
        files: dict[str, Entry],
        folders: dict[str, Entry],
        report: SyncReport,
        *,
        fetch: bool = True,
    ) -> None:
        for rel in todo.make_local_folders:
            os.makedirs(self.local_path(rel), mode=0o700, exist_ok=True)
        extra_uploads: list[tuple[str, str | None]] = []
        for rel, entry, fetch in todo.conflicts:
            copy = self._keep_kernel_version(rel, files, report)
            extra_uploads.append((copy, None))
            if fetch:
                todo.downloads.append((rel, entry))
            else:
                self.state.pop(rel, None)
        self._downloads(todo.downloads, local, files, report)
        for rel in todo.delete_local:
            if disk.stat_file(self.local_path(rel)) == local.get(rel):
                os.remove(self.local_path(rel))
                report.deleted_local.append(rel)
            self.state.pop(rel, None)
        for rel in todo.remove_local_folders:
            self.synced_folders.pop(rel, None)
            try:
                os.rmdir(self.local_path(rel))
            except OSError:  # the kernel keeps files there: they go up as new files
                todo.make_remote_folders.append(rel)
        for rel in sorted(set(todo.make_remote_folders), key=lambda p: p.count("/")):
            self._mkcol(rel, report)
        self._uploads(todo.uploads + extra_uploads, changed, files, report, fetch=fetch)
        for rel, etag in todo.delete_remote:
            self._delete_remote(rel, etag, report)
            self.state.pop(rel, None)
        for rel, etag in todo.remove_remote_folders:
            self._delete_remote(rel, etag, report)
            for gone in [p for p in self.state if p.startswith(rel + "/")]:
                del self.state[gone]
            for gone in [p for p in self.synced_folders if p == rel or p.startswith(rel + "/")]:
                del self.synced_folders[gone]
        for rel, entry in todo.adopt:
            seen = local[rel]
            self.state[rel] = Synced(entry.etag, entry.size, seen, changed[rel])
        for rel in todo.forget:
            self.state.pop(rel, None)
        for rel, entry, cap in todo.skipped:
            self._tell_skipped(rel, entry, cap, report)
        removed = {p for p, _ in todo.remove_remote_folders}
        for rel, entry in folders.items():
            if not any(rel == r or rel.startswith(r + "/") for r in removed):
                self.synced_folders[rel] = entry.etag
        for rel in todo.make_remote_folders:
            self.synced_folders.setdefault(rel, None)

    def _keep_kernel_version(self, rel: str, files: dict[str, Entry], report: SyncReport) -> str:
        """Rename the kernel's version of ``rel`` to a conflict copy; returns the copy's path."""
        parent, name = paths.split(rel)
        taken = {p.rpartition("/")[2] for p in files if paths.split(p)[0] == parent}
        try:
            taken.update(os.listdir(self.local_path(parent) if parent else self.local_root))
        except FileNotFoundError:
            pass
        copy = paths.join(parent, disk.conflict_name(name, self._clock(), taken))
        os.replace(self.local_path(rel), self.local_path(copy))
        report.conflicts.append(rel)
        report.notes.append(
            f"{PREFIX}'{rel}' was changed both by this kernel and on the EFSS since the last "
            f"sync. The EFSS version keeps the name; the kernel's version was saved beside it "
            f"as '{copy}'. Nothing was lost: compare the two and keep what you need."
        )
        return copy

    # -- downloads --------------------------------------------------------------------------

    def _downloads(
        self,
        items: list[tuple[str, Entry]],
        local: dict[str, LocalFile],
        files: dict[str, Entry],
        report: SyncReport,
    ) -> None:
        results = self._pool.map(lambda item: self._fetch(*item), items)
        for (rel, entry), result in zip(items, results, strict=True):
            if isinstance(result, errors.DavError):
                self._tell(("download", rel, entry.etag or ""), report, _failed(rel, result))
                continue
            staged, etag, size, digest = result
            target = self.local_path(rel)
            if disk.stat_file(target) != local.get(rel) and os.path.exists(target):
                # The kernel wrote the file while we downloaded: keep its version too.
                self._keep_kernel_version(rel, files, report)
            os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
            os.replace(staged, target)
            seen = disk.stat_file(target)
            assert seen is not None
            self.state[rel] = Synced(etag or entry.etag, size, seen, digest)
            report.downloaded.append(rel)

    def _fetch(self, rel: str, entry: Entry) -> tuple[str, str | None, int, str] | errors.DavError:
        """Download one file into the staging folder: (staged path, ETag, size, SHA-1)."""
        digest = hashlib.sha1(usedforsecurity=False)
        size = 0
        fd, staged = _staging_file(self.staging)
        try:
            response = self.client.open_download(self.remote_path(rel))
        except errors.DavError as err:
            os.close(fd)
            os.remove(staged)
            return err
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in response.iter_content(disk.CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
        finally:
            response.close()
        etag = response.headers.get("ETag")
        return staged, quote_etag(etag) if etag else None, size, digest.hexdigest()

    # -- uploads and remote changes ---------------------------------------------------------

    def _mkcol(self, rel: str, report: SyncReport) -> None:
        try:
            self.client.mkcol(self.remote_path(rel))
        except errors.AlreadyExists:
            pass
        except errors.DavError as err:
            self._fail(("mkcol", rel), rel, err, report)

    def _uploads(
        self,
        items: list[tuple[str, str | None]],
        changed: dict[str, str],
        files: dict[str, Entry],
        report: SyncReport,
        *,
        fetch: bool = True,
    ) -> None:
        # A version of a file the site already refused (a read-only share) is not sent again.
        items = [item for item in items if self._refusal_key(item[0]) not in self._told]
        results = self._pool.map(
            lambda item: self._send(item[0], item[1], changed.get(item[0])), items
        )
        for (rel, _), result in zip(items, results, strict=True):
            if isinstance(result, errors.PreconditionFailed):
                # The EFSS side changed (or appeared) after we listed it: keep both.
                self._late_conflict(rel, files, report, fetch=fetch)
            elif isinstance(result, errors.PermissionDenied):
                self._fail(self._refusal_key(rel), rel, result, report)
            elif isinstance(result, errors.DavError):
                self._fail(("upload", rel), rel, result, report)
            elif result is not None:
                self.state[rel] = result
                report.uploaded.append(rel)

    def _send(
        self, rel: str, etag: str | None, digest: str | None
    ) -> Synced | errors.DavError | None:
        """One conditional PUT; the new synced state, an error, or None if the file moved on."""
        path = self.local_path(rel)
        before = disk.stat_file(path)
        if before is None:
            return None  # deleted meanwhile: the next sync sees that
        try:
            digest = digest or disk.sha1_of(path)
        except FileNotFoundError:
            return None
        try:
            with open(path, "rb") as body:
                result = self.client.put(
                    self.remote_path(rel),
                    body,
                    if_match=etag,
                    if_none_match=etag is None,
                    mtime=before.mtime_ns // 1_000_000_000,
                )
            new_etag = result.etag or self.client.stat(self.remote_path(rel)).etag
        except errors.Conflict:
            # The folder went away on the EFSS meanwhile: recreate it and try once more.
            try:
                self._make_parents(rel)
                with open(path, "rb") as body:
                    result = self.client.put(self.remote_path(rel), body, if_none_match=True)
                new_etag = result.etag
            except errors.DavError as err:
                return err
        except errors.DavError as err:
            return err
        except FileNotFoundError:
            return None
        return Synced(new_etag, before.size, before, digest)

    def _make_parents(self, rel: str) -> None:
        parent = paths.split(rel)[0]
        built = ""
        for part in parent.split("/") if parent else []:
            built = paths.join(built, part)
            try:
                self.client.mkcol(self.remote_path(built))
            except errors.AlreadyExists:
                pass

    def _late_conflict(
        self, rel: str, files: dict[str, Entry], report: SyncReport, *, fetch: bool = True
    ) -> None:
        """An upload found the EFSS file changed after our listing: keep both versions (and
        fetch the EFSS one into the copy, unless the copy is about to go)."""
        try:
            entry = self.client.stat(self.remote_path(rel))
        except errors.NotFound:
            self.state.pop(rel, None)  # it went away: upload as new next time
            return
        except errors.DavError as err:
            self._fail(("upload", rel), rel, err, report)
            return
        copy = self._keep_kernel_version(rel, files, report)
        if fetch:
            self._downloads([(rel, entry)], {}, files, report)
        result = self._send(copy, None, None)
        if isinstance(result, Synced):
            self.state[copy] = result
            report.uploaded.append(copy)
        elif isinstance(result, errors.DavError):
            self._fail(("upload", copy), copy, result, report)

    def _delete_remote(self, rel: str, etag: str | None, report: SyncReport) -> None:
        try:
            self.client.delete(self.remote_path(rel), if_match=etag)
            report.deleted_remote.append(rel)
        except (errors.NotFound, errors.PreconditionFailed):
            pass  # gone already, or changed there since: the next sync brings it back
        except errors.DavError as err:
            self._tell(("delete", rel), report, _failed(rel, err))

    def _refusal_key(self, rel: str) -> tuple[str, ...]:
        return ("refused", rel, str(disk.stat_file(self.local_path(rel))))

    # -- telling the user -------------------------------------------------------------------

    def _tell(self, key: tuple[str, ...], report: SyncReport, note: str) -> None:
        if key not in self._told:
            self._told.add(key)
            report.notes.append(note)

    def _fail(
        self, key: tuple[str, ...], rel: str, err: errors.DavError, report: SyncReport
    ) -> None:
        """The kernel's version of ``rel`` could not be saved: counted, and told once."""
        report.failed.append(rel)
        self._tell(key, report, _failed(rel, err))

    def _tell_skipped(self, rel: str, entry: Entry, cap: str, report: SyncReport) -> None:
        size = entry.size or 0
        limit = {
            "file": f"larger than the per-file limit of {_size(self.caps.max_file_bytes)}",
            "total": f"over the working folder's limit of {_size(self.caps.max_total_bytes)}",
            "count": f"over the working folder's limit of {self.caps.max_files:,} files",
        }[cap]
        self._tell(
            ("skip", rel, entry.etag or ""),
            report,
            f"{PREFIX}'{rel}' ({_size(size)}) was not copied into the kernel's working folder: "
            f"it is {limit}. Read it directly from the EFSS instead, e.g. "
            f"fsspec.open('efss://{self.remote_path(rel)}') or "
            f"pandas.read_csv('efss://{self.remote_path(rel)}').",
        )


def _failed(rel: str, err: errors.DavError) -> str:
    # A refusal (a read-only share) would be refused again: that version is not resent.
    when = (
        "is sent again only once the kernel changes it"
        if isinstance(err, errors.PermissionDenied)
        else "is tried again after each execution (this note is not repeated)"
    )
    return (
        f"{PREFIX}'{rel}' could not be synced with the EFSS: {err.message} The kernel's "
        f"copy stays in its working folder and {when}."
    )


def _staging_file(folder: str) -> tuple[int, str]:
    return tempfile.mkstemp(dir=folder, prefix="download-")
