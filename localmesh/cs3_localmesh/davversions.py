"""File versions at ``/remote.php/dav/versions/<user>/versions/<fileid>/`` (Nextcloud layout).

A version's name is its timestamp (one version per second, as on Nextcloud 32; unique per
file with the ``etag-every-write`` variant). As on Nextcloud, the listing also shows the
current content, which cannot be fetched there (404), and version ETags are not quoted.
Restore: MOVE a version to ``/remote.php/dav/versions/<user>/restore/<anything>``. Name one
(the current content too): PROPPATCH ``nc:version-label``; named versions are kept when old
ones expire, and an empty label removes the name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wsgidav import util
from wsgidav.dav_provider import DAVNonCollection, DAVProvider

from .daverrors import SabreError, from_tree_error
from .davtree import NC, NamedFolder, restore_requested
from .files import Entry, FileTreeError, Version, is_within
from .mounts import ALL, UPDATE, LocalMount

if TYPE_CHECKING:
    from .site import Site


class VersionFile(DAVNonCollection):
    """One version (or, with ``version=None``, the current content as listed)."""

    def __init__(
        self, path: str, environ: dict, site: Site, entry: Entry, version: Version | None
    ) -> None:
        super().__init__(path, environ)
        self.site, self.entry, self.version = site, entry, version

    def get_content_length(self) -> int:
        return self.version.size if self.version else self.entry.size

    def get_content_type(self) -> str:
        return "application/octet-stream"

    def get_etag(self) -> str:
        return self.version.etag if self.version else self.entry.etag

    def get_last_modified(self) -> float:
        return self.version.mtime if self.version else self.entry.mtime

    def support_etag(self) -> bool:
        return True

    def support_ranges(self) -> bool:
        return True

    def get_content(self):
        if self.version is None:
            raise SabreError(404, "The current version is served by the files tree")
        return open(self.site.files.version_path(self.entry.fileid, self.version.vid), "rb")

    @property
    def vid(self) -> int:
        return self.version.vid if self.version else self.site.files.current_vid(self.entry)

    def get_property_value(self, name: str):
        if name == f"{{{NC}}}version-author":
            return self.version.author if self.version else self.entry.user
        if name == f"{{{NC}}}version-label":
            return self.site.files.version_labels(self.entry.fileid).get(self.vid, "")
        return super().get_property_value(name)

    def set_property_value(self, name: str, value, *, dry_run: bool = False) -> None:
        if name != f"{{{NC}}}version-label":
            raise SabreError(403, "Only nc:version-label can be changed on a version")
        label = "" if value is None else (value.text or "").strip()
        if len(label) > 250:
            raise SabreError(400, "A version label is limited to 250 characters")
        if not dry_run:
            self.site.files.set_version_label(self.entry.fileid, self.vid, label)

    def get_property_names(self, *, is_allprop: bool) -> list[str]:
        names = super().get_property_names(is_allprop=is_allprop)
        return [*names, f"{{{NC}}}version-author", f"{{{NC}}}version-label"]


class VersionsProvider(DAVProvider):
    """Versions of the caller's own files and of files shared with them on this site (restore
    needs the update permission). Federated shares have none here, as on Nextcloud."""

    def __init__(self, site: Site) -> None:
        super().__init__()
        self.site = site

    def _parts(self, environ: dict, path: str) -> list[str]:
        parts = [p for p in path.split("/") if p]
        if not parts or parts[0] != environ.get("localmesh.user"):
            raise SabreError(404, "No such versions folder")
        return parts

    def _entry(self, user: str, fileid: str) -> Entry | None:
        entry = self.site.files.by_id(int(fileid)) if fileid.isdigit() else None
        if entry is None or entry.is_dir or self.access(user, entry) is None:
            return None
        return entry

    def access(self, user: str, entry: Entry) -> int | None:
        """OCS bits ``user`` has on ``entry``: their own file, or one shared with them here."""
        if entry.user == user:
            return ALL
        bits = [
            mount.permissions
            for mount in self.site.mounts.for_user(user)
            if isinstance(mount, LocalMount)
            and mount.owner == entry.user
            and is_within(entry.path, mount.owner_path)
        ]
        return max(bits) if bits else None

    def get_resource_inst(self, path: str, environ: dict):
        parts = self._parts(environ, path)
        user = parts[0]
        if len(parts) == 1:
            return NamedFolder(f"/{user}", environ, ["versions", "restore"])
        if parts[1] == "restore" and len(parts) == 2:
            return NamedFolder(f"/{user}/restore", environ, [])
        if parts[1] != "versions" or len(parts) > 4:
            return None
        if len(parts) == 2:
            return NamedFolder(f"/{user}/versions", environ, [])
        entry = self._entry(user, parts[2])
        if entry is None:
            return None
        current = str(self.site.files.current_vid(entry))
        stored = {str(v.vid): v for v in self.site.files.versions(entry.fileid)}
        stored.pop(current, None)  # the current content's name wins, as on Nextcloud
        if len(parts) == 3:
            return NamedFolder(f"/{user}/versions/{parts[2]}", environ, [current, *stored])
        if parts[3] != current and parts[3] not in stored:
            return None
        return VersionFile(path, environ, self.site, entry, stored.get(parts[3]))

    def custom_request_handler(self, environ: dict, start_response, default_handler):
        method = environ["REQUEST_METHOD"]
        if method in ("PROPFIND", "GET", "HEAD", "OPTIONS"):
            if method == "PROPFIND":
                environ.setdefault("HTTP_DEPTH", "1")
            return default_handler(environ, start_response)
        if method == "PROPPATCH":
            self._require_update(environ)
            return default_handler(environ, start_response)
        if method != "MOVE":
            raise SabreError(403, "Versions are read-only; MOVE one to restore/ to restore it")
        return self._restore(environ, start_response)

    def _require_update(self, environ: dict) -> VersionFile:
        """The version named by the URL, if the caller may change its file; else 403/404."""
        source = self.get_resource_inst(environ["PATH_INFO"], environ)
        if not isinstance(source, VersionFile):
            raise SabreError(404, "No such version")
        user = environ["localmesh.user"]
        entry = source.entry
        if not (self.access(user, entry) or 0) & UPDATE or self.site.faults.readonly(
            entry.user, entry.path
        ):
            raise SabreError(403, "You may not change this file")
        return source

    def _restore(self, environ: dict, start_response):
        source = self._require_update(environ)
        if source.version is None:
            raise SabreError(404, "No such version")
        user = environ["localmesh.user"]
        if not restore_requested(environ, "versions", user):
            raise SabreError(403, "Versions can only be moved to the restore folder")
        entry = source.entry
        if self.site.faults.locked(entry.user, entry.path):
            raise SabreError(423, f'"{entry.name}" is locked')
        try:
            self.site.files.restore_version(entry.fileid, source.version.vid, author=user)
        except FileTreeError as exc:
            raise from_tree_error(exc) from None
        return util.send_status_response(environ, start_response, 201)
