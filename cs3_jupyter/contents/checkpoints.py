"""Checkpoints that keep exactly what they captured, never on the Jupyter server's disk.

Where the site keeps file versions (Nextcloud, ownCloud, oCIS), a checkpoint *is* one: the
site already keeps the replaced content on every write, named by its modification time, and
a version with a name (``nc:version-label``) is kept when old versions expire. So:

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

Where the site keeps no versions (plain WebDAV, no file ids), a checkpoint is a copy made on
the site (one ``COPY``) into a hidden ``.ipynb_checkpoints`` folder beside the file, as
Jupyter's own file checkpoints are laid out; those follow the file when it is renamed and
go when it is deleted.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from jupyter_server.services.contents.checkpoints import AsyncCheckpoints
from tornado.web import HTTPError
from traitlets import Unicode

from ..dav import errors, paths
from ..dav.props import Entry
from ..dav.versions import Version, label_version, list_versions, restore_version

if TYPE_CHECKING:
    from .manager import CS3ContentsManager


def _checkpoint(id_: str, last_modified: datetime) -> dict[str, Any]:
    return {"id": id_, "last_modified": last_modified}


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
        help="On sites without file versions: the hidden folder beside a file that holds its "
        "checkpoints (copies made on the site).",
    ).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: Whether the site keeps versions: unknown until a request says it does not.
        self._versions: bool | None = None
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

    def _has_versions(self, entry: Entry) -> bool:
        if self._versions is False or entry.fileid is None:
            return False
        try:
            self.manager.client.dav_url("versions")
        except errors.NotSupported:
            self._versions = False
        return self._versions is not False

    async def _file(self, path: str, *, fresh: bool = False) -> Entry:
        entry = await self.manager.entry(path, fresh=fresh)
        if entry.is_dir:
            raise HTTPError(400, f"'{path}' is a folder; only files have checkpoints.")
        return entry

    async def _versions_of(self, entry: Entry) -> list[Version] | None:
        """The file's versions, or None when the site turns out to keep none."""
        try:
            return await self.manager.call(
                list_versions, self.manager.client, entry.fileid, entry.path
            )
        except HTTPError as err:
            if err.status_code != 501:
                raise
            self._versions = False
            return None

    # -- the contract -------------------------------------------------------------------

    async def create_checkpoint(self, contents_mgr: Any, path: str) -> dict[str, Any]:
        """The file as it is now. Right after a save or an open, what we know of it is
        current, so this costs the one request that names the version."""
        entry = await self._file(path)
        if self._has_versions(entry):
            assert entry.fileid is not None
            when = int(entry.last_modified.timestamp())
            try:
                await self.manager.call(
                    label_version,
                    self.manager.client,
                    entry.fileid,
                    str(when),
                    self.label,
                    entry.path,
                )
            except HTTPError as err:
                if err.status_code != 501:
                    raise
                self._versions = False
            else:
                self._kept.setdefault(entry.path, set()).add(when)
                return _checkpoint(str(when), _at(when))
        return await self._copy_checkpoint(entry)

    async def list_checkpoints(self, path: str) -> list[dict[str, Any]]:
        """Oldest first, so the last one is the latest, as JupyterLab expects.

        JupyterLab lists them right after opening the file, so what the listing and the
        download just told us about the file is reused (its id).
        """
        entry = await self._file(path)
        if self._has_versions(entry):
            versions = await self._versions_of(entry)
            if versions is not None:
                ours = [v for v in versions if v.label == self.label]
                self._kept[entry.path] = {int(v.id) for v in ours if v.id.isdigit()}
                ours.sort(key=lambda v: v.last_modified)
                return [_checkpoint(v.id, v.last_modified) for v in ours]
        return [_checkpoint(id_, at) for id_, at, _ in await self._copies(entry.path)]

    async def restore_checkpoint(self, contents_mgr: Any, checkpoint_id: str, path: str) -> None:
        entry = await self._file(path, fresh=True)
        if self._has_versions(entry):
            versions = await self._versions_of(entry)
            if versions is not None:
                await self._restore_version(entry, versions, checkpoint_id)
                return
        copies = {id_: copy for id_, _, copy in await self._copies(entry.path)}
        if checkpoint_id not in copies:
            raise HTTPError(404, f"Checkpoint {checkpoint_id} of '{path}' does not exist.")
        await self.manager.call(
            self.manager.client.copy, copies[checkpoint_id], entry.path, overwrite=True
        )
        await self._after_restore(entry.path)

    async def _restore_version(self, entry: Entry, versions: list[Version], id_: str) -> None:
        found = next((v for v in versions if v.id == id_ and v.label == self.label), None)
        if found is None:
            raise HTTPError(404, f"Checkpoint {id_} of '{entry.path}' does not exist.")
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
                    raise HTTPError(404, f"Checkpoint {checkpoint_id} of '{path}' does not exist.")
                assert entry.fileid is not None
                await self.manager.call(
                    label_version, self.manager.client, entry.fileid, checkpoint_id, "", path
                )
                if checkpoint_id.isdigit():
                    self._kept.get(entry.path, set()).discard(int(checkpoint_id))
                return
        copies = {id_: copy for id_, _, copy in await self._copies(entry.path)}
        if checkpoint_id not in copies:
            raise HTTPError(404, f"Checkpoint {checkpoint_id} of '{path}' does not exist.")
        await self.manager.call(self.manager.client.delete, copies[checkpoint_id])

    async def rename_all_checkpoints(self, old_path: str, new_path: str) -> None:
        """Versions belong to the file id, which a rename keeps; copies are moved along."""
        if old_path in self._kept:
            self._kept[new_path] = self._kept.pop(old_path)
        if self._versions is not False:
            return
        copies = await self._copies(old_path)
        if not copies:
            return
        folder = await self._area(new_path)
        stem, ext = _split_name(paths.split(new_path)[1])
        for id_, _, copy in copies:
            target = paths.join(folder, f"{stem}-{id_}{ext}")
            await self.manager.call(self.manager.client.move, copy, target, overwrite=True)

    async def delete_all_checkpoints(self, path: str) -> None:
        """Versions go to the site's trash bin with the file; copies are deleted."""
        self._kept.pop(path, None)
        if self._versions is not False:
            return
        for _, _, copy in await self._copies(path):
            await self.manager.call(self.manager.client.delete, copy)

    # -- copies, for sites without versions ---------------------------------------------

    async def _area(self, path: str) -> str:
        """The hidden folder for ``path``'s copies (made when missing)."""
        folder = paths.join(paths.split(path)[0], self.checkpoint_dir)
        try:
            await self.manager.call(self.manager.client.mkcol, folder)
        except HTTPError as err:
            if err.status_code != 409:  # 409: it exists already
                raise
        return folder

    async def _copy_checkpoint(self, entry: Entry) -> dict[str, Any]:
        when = int(entry.last_modified.timestamp())
        id_ = f"{when}-{secrets.token_hex(3)}"
        stem, ext = _split_name(entry.name)
        folder = paths.join(paths.split(entry.path)[0], self.checkpoint_dir)
        target = paths.join(folder, f"{stem}-{id_}{ext}")
        try:
            await self.manager.call(self.manager.client.copy, entry.path, target)
        except HTTPError as err:
            if err.status_code != 409:  # the folder is missing: make it, once
                raise
            await self._area(entry.path)
            await self.manager.call(self.manager.client.copy, entry.path, target)
        return _checkpoint(id_, _at(when))

    async def _copies(self, path: str) -> list[tuple[str, datetime, str]]:
        """(id, time, path of the copy) of ``path``'s checkpoint copies, oldest first."""
        folder = paths.join(paths.split(path)[0], self.checkpoint_dir)
        try:
            _, children = await self.manager.call(self.manager.client.listdir, folder)
        except HTTPError as err:
            if err.status_code == 404:
                return []
            raise
        stem, ext = _split_name(paths.split(path)[1])
        pattern = re.compile(re.escape(stem) + r"-(\d+)-([0-9a-f]{6})" + re.escape(ext) + "$")
        found = []
        for child in children:
            match = pattern.match(child.name)
            if match and not child.is_dir:
                id_ = f"{match.group(1)}-{match.group(2)}"
                found.append((id_, _at(int(match.group(1))), paths.join(folder, child.name)))
        return sorted(found, key=lambda item: item[0])


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def _split_name(name: str) -> tuple[str, str]:
    """(stem, extension with its dot), as Jupyter's file checkpoints name their copies."""
    stem, dot, ext = name.rpartition(".")
    return (stem, dot + ext) if dot and stem else (name, "")
