"""Checkpoints that keep exactly what they captured, never on the Jupyter server's disk.

Where the site keeps versions of a file (Nextcloud, ownCloud: file ids and a ``versions``
area), a checkpoint *is* one: the site already keeps the replaced content on every write,
named by its modification time, and a version with a name (``nc:version-label``) is kept
when old versions expire. So:

* *create* names the current content's version (one request; the id is its name, the file's
  modification time in Unix seconds); the content stays current until the next write
  turns it into a stored version, under that same name;
* *list* is the versions carrying our label (:attr:`CS3Checkpoints.label`): the ones created,
  not every version the site keeps; *delete* takes the label off (the version stays in the
  site's history like any other);
* *restore* asks the site to restore that version (the content it replaces becomes a
  version in turn, so nothing is lost).

Nextcloud keeps one version per second: a later content with the same modification time
would take the checkpoint's place. Our saves never give a file the time of one of its
checkpoints (:meth:`kept_times`, used by the manager's choice of ``X-OC-MTime``).

Whether a file has versions is decided per file: a site may keep versions of the user's own
files and none of others (a file in a federated share has its versions at its owner's site;
the user's site answers 404 for them). The first versions request that says so (404/405/501,
:class:`~..dav.errors.NotSupported`) files that one path under "no versions"; every other
file keeps using versions. A site whose files have no ids, or with no versions area at all,
has none for any file.

A file without versions gets its checkpoints as copies made on the site (one ``COPY``):

* the user's own file: into a hidden ``.ipynb_checkpoints`` folder beside it, as Jupyter's
  own file checkpoints are laid out (moved along when the file is renamed, deleted with it);
* a file shared with the user (``S`` in its permissions) that has a file id: into
  :attr:`CS3Checkpoints.shared_checkpoint_dir` in the user's own home, filed under the id.
  Beside it they would land in somebody else's folder, where the owner and everyone else it
  is shared with would see them; the id stays the same when the owner renames the file or
  the user moves the share's mount point.

A copy is restored by writing its bytes over the file (one ``GET``, one ``PUT`` with
``If-Match``), never by a ``COPY`` onto it: WebDAV servers delete the destination of a COPY
first, which would give the file a new id (losing its versions and shares), and on
Nextcloud unshare a file that is a share's mount point.

A checkpoint is a convenience: JupyterLab lists a file's checkpoints as it opens it and
creates one when there is none, and takes any failure there but a 403 for a failed open
("File Load Error", no kernel). So a listing that fails is logged and answered empty, and a
checkpoint that cannot be made is a 403 that says why; the file opens, edits and saves as
usual.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from jupyter_server.services.contents.checkpoints import AsyncCheckpoints
from tornado.web import HTTPError
from traitlets import Unicode

from ..dav import errors, paths
from ..dav.client import DavClient
from ..dav.props import Entry
from ..dav.versions import Version, label_version, list_versions, restore_version
from .errors import ShownHTTPError
from .guard import write_time

if TYPE_CHECKING:
    from .manager import CS3ContentsManager


def _checkpoint(id_: str, last_modified: datetime) -> dict[str, Any]:
    return {"id": id_, "last_modified": last_modified}


@dataclass(frozen=True)
class _Copies:
    """Where one file's checkpoint copies are kept and how they are named:
    ``<folder>/<prefix><ms>-<hex6><suffix>``, the checkpoint's id being ``<ms>-<hex6>``: when it
    was made by the site's clock, in milliseconds (so two made in one second keep their order),
    and a random part."""

    folder: str
    prefix: str
    suffix: str
    #: Filed under the file's id; the suffix (the file's name) only helps a human reader.
    private: bool = False

    def name(self, id_: str) -> str:
        return f"{self.prefix}{id_}{self.suffix}"

    def id_in(self, name: str) -> str | None:
        tail = "(?:-.*)?" if self.private else re.escape(self.suffix)
        found = re.fullmatch(re.escape(self.prefix) + r"(\d+-[0-9a-f]{6})" + tail, name)
        return found.group(1) if found else None


class CS3Checkpoints(AsyncCheckpoints):
    """Checkpoints as named file versions, or copies on the site; ``parent`` is the
    :class:`CS3ContentsManager`."""

    label = Unicode(
        "Jupyter checkpoint",
        help="The name given to the file versions that are Jupyter checkpoints (the site's "
        "web interface shows it in the file's version history).",
    ).tag(config=True)

    checkpoint_dir = Unicode(
        ".ipynb_checkpoints",
        help="For the user's own files the site keeps no versions of: the hidden folder "
        "beside a file that holds its checkpoints (copies made on the site).",
    ).tag(config=True)

    shared_checkpoint_dir = Unicode(
        ".ipynb_checkpoints/shared-with-me",
        help="For files shared with the user that the user's site keeps no versions of (such "
        "as files of federated shares): the hidden folder, relative to the user's home, that "
        "holds their checkpoints (copies filed under the file's id), so that they are not "
        "written into somebody else's folder.",
    ).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: Files the site said it keeps no versions of, by path: where their copies are.
        self._without_versions: dict[str, _Copies] = {}
        self._kept: dict[str, set[int]] = {}

    @property
    def manager(self) -> CS3ContentsManager:
        from .manager import CS3ContentsManager  # here: the manager module imports this one

        manager = self.parent
        assert isinstance(manager, CS3ContentsManager), "CS3Checkpoints serve CS3ContentsManager"
        return manager

    def kept_times(self, path: str) -> set[int]:
        """Modification times of the file's checkpoints we know of, which a later content of
        the file must not get (see the module docstring)."""
        return set(self._kept.get(path, ()))

    # -- which kind of checkpoints a file has ---------------------------------------------

    def _site_has_versions(self) -> bool:
        """Whether the site has a versions area at all (known from its URL layout)."""
        try:
            self.manager.client.dav_url("versions")
        except errors.NotSupported:
            return False
        return True

    def _has_versions(self, entry: Entry) -> bool:
        return (
            entry.fileid is not None
            and entry.path not in self._without_versions
            and self._site_has_versions()
        )

    def _no_versions(self, entry: Entry) -> None:
        """The site said it keeps no versions of this file (and only this one)."""
        self.log.info("%s keeps no versions of '%s'", self.manager.client.site_name, entry.path)
        self._without_versions[entry.path] = self._copies_for(entry)

    def _copies_for(self, entry: Entry) -> _Copies:
        if entry.fileid is not None and "S" in (entry.permissions or ""):
            key = re.sub(r"[^A-Za-z0-9._-]", "_", entry.fileid)
            return _Copies(self.shared_checkpoint_dir, f"{key}-", f"-{entry.name[:100]}", True)
        return self._beside(entry.path)

    def _beside(self, path: str) -> _Copies:
        folder, name = paths.split(path)
        stem, ext = _split_name(name)
        return _Copies(paths.join(folder, self.checkpoint_dir), f"{stem}-", ext)

    def _known_copies(self, path: str) -> _Copies | None:
        """Where ``path``'s copies are, if it may have any, without asking the site."""
        if path in self._without_versions:
            return self._without_versions[path]
        return None if self._site_has_versions() else self._beside(path)

    async def _file(self, path: str, *, fresh: bool = False) -> Entry:
        entry = await (self.manager.entry(path, fresh=True) if fresh else self.manager.known(path))
        if entry.is_dir:
            raise ShownHTTPError(400, f"'{path}' is a folder; only files have checkpoints.")
        return entry

    async def _versions_of(self, entry: Entry) -> list[Version] | None:
        """The file's versions, or None when the site turns out to keep none of it."""
        assert entry.fileid is not None
        try:
            return await self.manager.call(
                list_versions, self.manager.client, entry.fileid, entry.path
            )
        except HTTPError as err:
            if err.status_code != 501:
                raise
            self._no_versions(entry)
            return None

    # -- the contract -------------------------------------------------------------------

    async def create_checkpoint(self, contents_mgr: Any, path: str) -> dict[str, Any]:
        """The file as it is now. Right after a save or an open, what we know of it is
        current, so this costs the one request that names the version."""
        entry = await self._file(path)
        try:
            if self._has_versions(entry):
                made = await self._label_current(entry)
                if made is not None:
                    return made
            return await self._copy_checkpoint(entry)
        except HTTPError as err:
            message = err.log_message or "The site refused it."
            self.log.warning("No checkpoint of '%s' could be made: %s", entry.path, message)
            raise ShownHTTPError(
                403,
                f"No checkpoint of '{entry.path}' could be made: {message} "
                "The file can still be edited and saved.",
            ) from None

    async def _label_current(self, entry: Entry) -> dict[str, Any] | None:
        assert entry.fileid is not None
        when = int(entry.last_modified.timestamp())
        try:
            await self.manager.call(
                label_version, self.manager.client, entry.fileid, str(when), self.label, entry.path
            )
        except HTTPError as err:
            if err.status_code != 501:
                raise
            self._no_versions(entry)
            return None
        self._kept.setdefault(entry.path, set()).add(when)
        return _checkpoint(str(when), _at(when))

    async def list_checkpoints(self, path: str) -> list[dict[str, Any]]:
        """Oldest first, so the last one is the latest, as JupyterLab expects.

        JupyterLab lists them right after opening the file, so what the listing and the
        download just told us about the file is reused (its id).
        """
        entry = await self._file(path)
        try:
            if self._has_versions(entry):
                versions = await self._versions_of(entry)
                if versions is not None:
                    ours = [v for v in versions if v.label == self.label]
                    self._kept[entry.path] = {int(v.id) for v in ours if v.id.isdigit()}
                    ours.sort(key=lambda v: v.last_modified)
                    return [_checkpoint(v.id, v.last_modified) for v in ours]
            copies = await self._copies(self._place_of(entry))
        except HTTPError as err:
            self.log.warning("The checkpoints of '%s' could not be listed: %s", path, err)
            return []
        return [_checkpoint(id_, at) for id_, at, _ in copies]

    def _place_of(self, entry: Entry) -> _Copies:
        """Where the copies of a file without versions are (remembered for renames)."""
        copies = self._without_versions.get(entry.path) or self._copies_for(entry)
        if self._site_has_versions():
            self._without_versions[entry.path] = copies
        return copies

    async def restore_checkpoint(self, contents_mgr: Any, checkpoint_id: str, path: str) -> None:
        entry = await self._file(path, fresh=True)
        if self._has_versions(entry):
            versions = await self._versions_of(entry)
            if versions is not None:
                await self._restore_version(entry, versions, checkpoint_id)
                return
        copy = await self._copy_named(self._place_of(entry), checkpoint_id, path)
        mtime = write_time(self.manager.client.clock.now(), set())
        await self.manager.call(_write_back, self.manager.client, copy, entry, mtime)
        await self._after_restore(entry.path)

    async def _restore_version(self, entry: Entry, versions: list[Version], id_: str) -> None:
        found = next((v for v in versions if v.id == id_ and v.label == self.label), None)
        if found is None:
            raise ShownHTTPError(404, f"Checkpoint {id_} of '{entry.path}' does not exist.")
        if id_ == str(int(entry.last_modified.timestamp())):
            return  # the checkpoint is the current content: nothing was saved since
        assert entry.fileid is not None
        await self.manager.call(restore_version, self.manager.client, entry.fileid, id_, entry.path)
        await self._after_restore(entry.path)

    async def _after_restore(self, path: str) -> None:
        """The restored content is what the file's clients hold now (a restore is asked for
        by them, who then reload it), so a change made elsewhere afterwards is still caught."""
        self.manager.forget(path)
        self.manager.guard.forget(path)
        entry = await self.manager.entry(path, fresh=True)
        version = self.manager.guard_version(entry)
        self.manager.guard.load(path, version)

    async def delete_checkpoint(self, checkpoint_id: str, path: str) -> None:
        entry = await self._file(path, fresh=True)
        if self._has_versions(entry):
            versions = await self._versions_of(entry)
            if versions is not None:
                if not any(v.id == checkpoint_id and v.label == self.label for v in versions):
                    raise ShownHTTPError(
                        404, f"Checkpoint {checkpoint_id} of '{path}' does not exist."
                    )
                assert entry.fileid is not None
                await self.manager.call(
                    label_version, self.manager.client, entry.fileid, checkpoint_id, "", path
                )
                if checkpoint_id.isdigit():
                    self._kept.get(entry.path, set()).discard(int(checkpoint_id))
                return
        copy = await self._copy_named(self._place_of(entry), checkpoint_id, path)
        await self.manager.call(self.manager.client.delete, copy)

    async def rename_all_checkpoints(self, old_path: str, new_path: str) -> None:
        """Versions belong to the file id, which a rename keeps, and so do copies filed
        under it; copies beside the file are moved along. Costs nothing for files with
        versions."""
        if old_path in self._kept:
            self._kept[new_path] = self._kept.pop(old_path)
        copies = self._known_copies(old_path)
        self._follow(old_path, new_path)
        if copies is None or copies.private:
            return
        found = await self._copies(copies)
        if not found:
            return
        target = self._beside(new_path)
        for id_, _, copy in found:
            destination = paths.join(target.folder, target.name(id_))
            await self.manager.call(_move_into, self.manager.client, copy, destination)

    def _follow(self, old_path: str, new_path: str) -> None:
        """What we know of files without versions, at (and below) their new path."""
        for path in [p for p in self._without_versions if _within(p, old_path)]:
            moved = new_path + path[len(old_path) :]
            copies = self._without_versions.pop(path)
            self._without_versions[moved] = copies if copies.private else self._beside(moved)

    async def delete_all_checkpoints(self, path: str) -> None:
        """Versions go to the site's trash bin with the file; copies are deleted."""
        self._kept.pop(path, None)
        copies = self._known_copies(path)
        for known in [p for p in self._without_versions if _within(p, path)]:
            del self._without_versions[known]
        if copies is None:
            return
        for _, _, copy in await self._copies(copies):
            await self.manager.call(self.manager.client.delete, copy)

    # -- copies, for files without versions ---------------------------------------------

    async def _copy_checkpoint(self, entry: Entry) -> dict[str, Any]:
        when = int(self.manager.client.clock.now() * 1000)
        id_ = f"{when}-{secrets.token_hex(3)}"
        copies = self._place_of(entry)
        target = paths.join(copies.folder, copies.name(id_))
        await self.manager.call(_copy_into, self.manager.client, entry.path, target)
        return _checkpoint(id_, _at(when / 1000))

    async def _copies(self, copies: _Copies) -> list[tuple[str, datetime, str]]:
        """(id, time, path of the copy) of one file's checkpoint copies, oldest first."""
        try:
            _, children = await self.manager.call(self.manager.client.listdir, copies.folder)
        except HTTPError as err:
            if err.status_code == 404:
                return []
            raise
        found = []
        for child in children:
            id_ = None if child.is_dir else copies.id_in(child.name)
            if id_ is not None:
                at = _at(int(id_.split("-", 1)[0]) / 1000)
                found.append((id_, at, paths.join(copies.folder, child.name)))
        return sorted(found, key=lambda item: (item[1], item[0]))

    async def _copy_named(self, copies: _Copies, id_: str, path: str) -> str:
        for found, _, copy in await self._copies(copies):
            if found == id_:
                return copy
        raise ShownHTTPError(404, f"Checkpoint {id_} of '{path}' does not exist.")


# -- blocking steps, run in the manager's worker threads ---------------------------------


def _copy_into(client: DavClient, source: str, target: str) -> None:
    """COPY ``source`` to ``target``, making the target's folders when they are missing."""
    try:
        client.copy(source, target)
    except errors.Conflict:  # the folder is missing: make it, once
        _make_folders(client, paths.split(target)[0])
        client.copy(source, target)


def _move_into(client: DavClient, source: str, target: str) -> None:
    """MOVE ``source`` to ``target`` (replacing it), making the target's folders if needed."""
    try:
        client.move(source, target, overwrite=True)
    except errors.Conflict:
        _make_folders(client, paths.split(target)[0])
        client.move(source, target, overwrite=True)


def _make_folders(client: DavClient, folder: str) -> None:
    try:
        client.mkcol(folder)
    except errors.AlreadyExists:
        return
    except errors.Conflict:  # its own parent is missing too
        _make_folders(client, paths.split(folder)[0])
        client.mkcol(folder)


def _write_back(client: DavClient, copy: str, entry: Entry, mtime: int) -> None:
    """The copy's bytes over the file, if it is still the version ``entry`` describes."""
    body = client.download(copy).body
    sha1 = hashlib.sha1(body, usedforsecurity=False).hexdigest()
    client.put(entry.path, body, if_match=entry.etag, mtime=mtime, sha1=sha1)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def _split_name(name: str) -> tuple[str, str]:
    """(stem, extension with its dot), as Jupyter's file checkpoints name their copies."""
    stem, dot, ext = name.rpartition(".")
    return (stem, dot + ext) if dot and stem else (name, "")
