"""The trash bin at ``/remote.php/dav/trashbin/<user>/trash/`` (Nextcloud layout).

PROPFIND lists deleted items with ``nc:trashbin-filename``, ``nc:trashbin-original-location``
and ``nc:trashbin-deletion-time``; DELETE of an item purges it, DELETE of ``trash`` empties
the bin; MOVE of an item to ``/remote.php/dav/trashbin/<user>/restore/<anything>`` puts it
back where it was (into the home if that folder is gone, renamed if the name is taken).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wsgidav import util

from .daverrors import SabreError, from_tree_error
from .davprovider import TreeProvider
from .davtree import NC, FileResource, FolderResource, NamedFolder, Place, View, restore_requested
from .files import FileTreeError
from .trash import namespace

if TYPE_CHECKING:
    from .site import Site

_TRASH_PROPS = [
    f"{{{NC}}}trashbin-filename",
    f"{{{NC}}}trashbin-original-location",
    f"{{{NC}}}trashbin-deletion-time",
]


class TrashView(View):
    def __init__(self, user: str) -> None:
        self.prefix = f"/{user}/trash"
        self.viewer = user
        self.owner = namespace(user)

    def locate(self, rel: str) -> Place:
        return Place(self.owner, rel)


class _TrashProps:
    """Adds Nextcloud's trash properties to the top-level items of the bin."""

    site: Site
    view: View
    rel: str

    def get_property_names(self, *, is_allprop: bool) -> list[str]:
        names = super().get_property_names(is_allprop=is_allprop)  # type: ignore[misc]
        return names + _TRASH_PROPS if self.rel and "/" not in self.rel else names

    def _own_property(self, name: str) -> Any:
        if name in _TRASH_PROPS and self.rel and "/" not in self.rel:
            item = self.site.trash.item(self.view.viewer, self.rel)
            if item is not None:
                if name.endswith("trashbin-filename"):
                    return item.original_path.rsplit("/", 1)[-1]
                if name.endswith("trashbin-original-location"):
                    return item.original_path
                return str(int(item.deleted_at))
        return super()._own_property(name)  # type: ignore[misc]


class TrashFile(_TrashProps, FileResource):
    pass


class TrashFolder(_TrashProps, FolderResource):
    pass


def _trash_split(environ: dict, path: str) -> tuple[View, str]:
    parts = path.strip("/").split("/", 2)
    if parts[0] != environ.get("localmesh.user") or len(parts) < 2 or parts[1] != "trash":
        raise SabreError(404, "No such trash bin")
    return TrashView(parts[0]), parts[2] if len(parts) == 3 else ""


class TrashProvider(TreeProvider):
    def __init__(self, site: Site) -> None:
        super().__init__(site, _trash_split)

    def make_resource(self, view: View, rel: str, place: Place, entry, environ: dict):
        url_path = view.prefix + "/" + rel if rel else view.prefix + "/"
        cls = TrashFolder if entry is not None and entry.is_dir else TrashFile
        return cls(url_path, environ, self.site, view, rel, place, entry)

    def get_resource_inst(self, path: str, environ: dict):
        parts = path.strip("/").split("/")
        if parts[0] != environ.get("localmesh.user"):
            raise SabreError(404, "No such trash bin")
        if len(parts) == 1:
            return NamedFolder(f"/{parts[0]}", environ, ["trash", "restore"])
        if parts[1] == "restore" and len(parts) == 2:
            return NamedFolder(f"/{parts[0]}/restore", environ, [])
        if parts[1] != "trash":
            return None
        self.site.files.ensure_home(namespace(parts[0]))
        return super().get_resource_inst(path, environ)

    def custom_request_handler(self, environ: dict, start_response, default_handler):
        method = environ["REQUEST_METHOD"]
        parts = environ["PATH_INFO"].strip("/").split("/", 2)
        if method in ("PROPFIND", "GET", "HEAD", "OPTIONS"):
            if method == "PROPFIND":
                environ.setdefault("HTTP_DEPTH", "1")
            return default_handler(environ, start_response)
        user = environ["localmesh.user"]
        if len(parts) < 2 or parts[0] != user or parts[1] != "trash":
            raise SabreError(403, "Only items in the trash bin can be restored or deleted")
        item = parts[2] if len(parts) == 3 else ""
        trash = self.site.trash
        try:
            if method == "DELETE" and not item:
                trash.empty(user)
                return util.send_status_response(environ, start_response, 204)
            if method == "DELETE" and "/" not in item:
                trash.purge(user, item)
                return util.send_status_response(environ, start_response, 204)
            if method == "MOVE" and "/" not in item:
                if not restore_requested(environ, "trashbin", user):
                    raise SabreError(403, "Items can only be moved to the restore folder")
                trash.restore(user, item)
                return util.send_status_response(environ, start_response, 201)
        except FileTreeError as exc:
            raise from_tree_error(exc) from None
        raise SabreError(403, "The trash bin only supports listing, restoring and deleting")
