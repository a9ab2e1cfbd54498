"""Checkpoints backed by the site's file versions, never by the Jupyter server's disk.

EFSS sites keep a version of a file every time it is overwritten, so Jupyter does not need
to copy anything to make a checkpoint. The checkpoints of a file are:

* every version the site lists for it (its id is the site's, a timestamp on Nextcloud), and
* the file as it is now, with the id the site will give it once it becomes a version (its
  modification time in Unix seconds, as Nextcloud and the local mesh name versions).

So *create* returns the current state, *restore* of the current state does nothing (the
file already is that), and *restore* of an older one asks the site to restore that version
(the replaced content becomes a version in turn, so nothing is lost). On a site that keeps
no versions only the current state is listed: "revert to checkpoint" then returns to the
last saved content, as with stock Jupyter right after a save. Versions follow the file when
it is renamed and go to the trash bin with it, so rename and delete leave them alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jupyter_server.services.contents.checkpoints import AsyncCheckpoints
from tornado.web import HTTPError

from ..dav.props import Entry
from ..dav.versions import Version, delete_version, list_versions, restore_version

if TYPE_CHECKING:
    from .manager import CS3ContentsManager


def _current(entry: Entry) -> dict[str, Any]:
    return {"id": str(int(entry.last_modified.timestamp())), "last_modified": entry.last_modified}


class CS3Checkpoints(AsyncCheckpoints):
    """File versions as checkpoints; ``parent`` is the :class:`CS3ContentsManager`."""

    @property
    def manager(self) -> CS3ContentsManager:
        from .manager import CS3ContentsManager  # here: the manager module imports this one

        manager = self.parent
        assert isinstance(manager, CS3ContentsManager), "CS3Checkpoints serve CS3ContentsManager"
        return manager

    async def _state(self, path: str, *, fresh: bool = True) -> tuple[Entry, list[Version]]:
        entry = await self.manager.entry(path, fresh=fresh)
        if entry.is_dir:
            raise HTTPError(400, f"'{path}' is a folder; only files have checkpoints.")
        if entry.fileid is None:
            return entry, []
        try:
            versions = await self.manager.call(
                list_versions, self.manager.client, entry.fileid, entry.path
            )
        except HTTPError as err:
            if err.status_code != 501:  # 501: the site keeps no versions
                raise
            versions = []
        return entry, versions

    async def list_checkpoints(self, path: str) -> list[dict[str, Any]]:
        """Oldest first, so the last one is the latest, as JupyterLab expects.

        JupyterLab lists them right after opening the file, so what the listing and the
        download just told us is reused (a few seconds old at most, like any listing):
        opening a notebook then costs one request fewer. Restore and delete ask afresh.
        """
        entry, versions = await self._state(path, fresh=False)
        found = {v.id: {"id": v.id, "last_modified": v.last_modified} for v in versions}
        current = _current(entry)
        found[current["id"]] = current
        return sorted(found.values(), key=lambda c: c["last_modified"])

    async def create_checkpoint(self, contents_mgr: Any, path: str) -> dict[str, Any]:
        """The current state. JupyterLab asks right after each save, whose answer we keep,
        so this usually costs no request at all."""
        entry = await self.manager.entry(path)
        if entry.is_dir:
            raise HTTPError(400, f"'{path}' is a folder; only files have checkpoints.")
        return _current(entry)

    async def restore_checkpoint(self, contents_mgr: Any, checkpoint_id: str, path: str) -> None:
        entry, versions = await self._state(path)
        if checkpoint_id == _current(entry)["id"]:
            return
        if checkpoint_id not in {v.id for v in versions}:
            raise HTTPError(
                404, f"Checkpoint {checkpoint_id} of '{path}' does not exist (any more)."
            )
        await self.manager.call(
            restore_version, self.manager.client, entry.fileid, checkpoint_id, entry.path
        )
        self.manager.forget(entry.path)

    async def delete_checkpoint(self, checkpoint_id: str, path: str) -> None:
        entry, versions = await self._state(path)
        if checkpoint_id == _current(entry)["id"]:
            raise HTTPError(
                400, "This checkpoint is the file as it is now; delete the file instead."
            )
        if checkpoint_id not in {v.id for v in versions}:
            raise HTTPError(404, f"Checkpoint {checkpoint_id} of '{path}' does not exist.")
        await self.manager.call(
            delete_version, self.manager.client, entry.fileid, checkpoint_id, entry.path
        )

    async def rename_all_checkpoints(self, old_path: str, new_path: str) -> None:
        """Versions belong to the file id, which a rename keeps."""

    async def delete_all_checkpoints(self, path: str) -> None:
        """Versions go to the site's trash bin with the file, so a restore brings them back."""
