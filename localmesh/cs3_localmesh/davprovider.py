"""The wsgidav provider: maps URLs to views and adds Nextcloud's rules around wsgidav's methods.

wsgidav does the WebDAV protocol work (PROPFIND bodies, GET ranges, conditional headers).
This layer adds what Nextcloud does differently or on top: Depth 1 by default, 404 for a PUT
into a missing folder, permission letters that are enforced, faults (lock, quota, read-only),
``X-OC-MTime``, and the ``OC-ETag``/``OC-FileId`` headers. MOVE and COPY are done here because
wsgidav 4.4 decodes the Destination URL before splitting it, which cuts names holding ``?``
or ``;``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from wsgidav import util
from wsgidav.dav_provider import DAVProvider

from . import davcross
from .daverrors import SabreError, from_tree_error
from .davtree import (
    EXTRA_HEADERS,
    FileResource,
    FolderResource,
    Place,
    RemotePlace,
    View,
    requested_mtime,
    write_headers,
)
from .files import Entry, FileTreeError, is_within, normpath, parent_of

if TYPE_CHECKING:
    from .site import Site

#: Turns (environ, path below the provider's URL) into (view, path inside the view).
Splitter = Callable[[dict, str], tuple[View, str]]

_WRITE_METHODS = {"PUT", "MKCOL", "DELETE", "MOVE", "COPY", "PROPPATCH"}


class TreeProvider(DAVProvider):
    """One URL family (e.g. /remote.php/dav/files) served from the site's FileTree."""

    def __init__(self, site: Site, split: Splitter, *, remote_proxy=None) -> None:
        super().__init__()
        self.site = site
        self._split = split
        self.remote_proxy = remote_proxy

    # --- resource lookup -----------------------------------------------------------------

    def view_of(self, environ: dict, path: str) -> tuple[View, str]:
        view, rel = self._split(environ, path)
        try:
            return view, normpath(rel)
        except ValueError as exc:
            raise SabreError(400, f"Invalid path: {exc}") from None

    def get_resource_inst(self, path: str, environ: dict):
        view, rel = self.view_of(environ, path)
        return self.resource_at(view, rel, environ)

    def resource_at(self, view: View, rel: str, environ: dict):
        place = view.locate(rel)
        if isinstance(place, RemotePlace):
            return (
                self.remote_proxy.mount_root(view, rel, place, environ)
                if (self.remote_proxy and place.rest == "")
                else None
            )
        if place is None:
            return None
        entry = self.site.files.stat(place.owner, place.path)
        if entry is None:
            return None
        return self.make_resource(view, rel, place, entry, environ)

    def make_resource(self, view: View, rel: str, place: Place, entry: Entry | None, environ: dict):
        url_path = view.prefix + "/" + rel if rel else view.prefix + "/"
        if entry is not None and entry.is_dir:
            return FolderResource(url_path, environ, self.site, view, rel, place, entry)
        return FileResource(url_path, environ, self.site, view, rel, place, entry)

    # --- request handling ----------------------------------------------------------------

    def custom_request_handler(self, environ: dict, start_response, default_handler):
        method = environ["REQUEST_METHOD"]
        view, rel = self.view_of(environ, environ["PATH_INFO"])
        place = view.locate(rel)
        if method in ("DELETE", "MOVE") and _mount_of(place) is not None:
            return self._mount_root_change(environ, start_response, view, _mount_of(place))
        if isinstance(place, RemotePlace):
            if self.remote_proxy is None:
                raise SabreError(502, "Federated shares are not available here")
            dest_rel = self._destination(environ, view) if method in ("MOVE", "COPY") else None
            if dest_rel is not None and not _inside(view.locate(dest_rel), place.mount):
                return self._across_mounts(environ, start_response, view, rel, dest_rel)
            return self.remote_proxy.forward(environ, start_response, view, place, dest_rel)
        if method == "PROPFIND":
            environ.setdefault("HTTP_DEPTH", "1")  # Sabre's default, not RFC's infinity
            infinity = environ["HTTP_DEPTH"].lower() == "infinity"
            if infinity and self.site.faults.variant("depth-infinity-412"):
                raise SabreError(412, "Depth infinity not supported")
        if method in _WRITE_METHODS:
            requested_mtime(environ)  # refuses a malformed one before any work
        if method == "PUT":
            target, parent = self.check_put(environ, view, rel)
            if parent is None:
                return self._put_shared_file(environ, start_response, target)
        elif method == "MKCOL":
            self._before_mkcol(environ, view, rel)
        elif method == "DELETE":
            self._before_delete(environ, view, rel)
        elif method in ("MOVE", "COPY"):
            return self._copy_or_move(environ, start_response, view, rel, method == "MOVE")
        return default_handler(environ, _adding_extra_headers(environ, start_response))

    def check_put(self, environ: dict, view: View, rel: str):
        """Every check Nextcloud makes before storing a file at ``rel``; returns the target
        resource (None when new) and the parent folder's resource."""
        if isinstance(view.locate(rel), RemotePlace):
            raise SabreError(502, "Uploading into a federated share this way is not supported")
        target = self.resource_at(view, rel, environ)
        if (target is None and rel == "") or (target is not None and target.is_collection):
            raise SabreError(405, "A folder exists at this path")
        parent = None  # stays None for a shared file, which is the root of its view
        if rel:
            parent = self.resource_at(view, parent_of(rel) or "", environ)
            if parent is None:
                # Nextcloud 32 answers 404 here (RFC 4918 says 409); clients must accept both.
                status = 409 if self.site.faults.variant("put-parent-409") else 404
                raise SabreError(status, "The parent folder does not exist")
            if not parent.is_collection:
                raise SabreError(409, "The parent is not a folder")
        if target is None and "HTTP_IF_MATCH" in environ:
            raise SabreError(412, "An If-Match header was given but the file does not exist")
        if target is not None:
            self._require(target, "W", "You may not change this file")
        else:
            self._require(parent, "C", "You may not create files in this folder")
        node = target or parent
        if node is None:  # a new file at the root of a view has no folder to go in
            raise SabreError(409, "There is no folder to create this file in")
        self._require_unlocked(node.place.owner, _child(node, target, rel))
        self._check_declared_size(environ, node.place.owner, target)
        return target, parent

    def _put_shared_file(self, environ: dict, start_response, target):
        """PUT on a shared file at the root of its view, which wsgidav cannot do (no parent)."""
        util.evaluate_http_conditionals(
            target, int(target.get_last_modified() or 0), target.get_etag(), environ
        )
        stream = target.begin_write()
        try:
            while data := environ["wsgi.input"].read(65536):
                stream.write(data)
        except BaseException:
            target.end_write(with_errors=True)
            raise
        environ["wsgidav.all_input_read"] = 1
        target.end_write(with_errors=False)
        headers = [("ETag", f'"{target.get_etag()}"'), *environ.get(EXTRA_HEADERS, [])]
        return util.send_status_response(environ, start_response, 204, add_headers=headers)

    def _mount_root_change(self, environ: dict, start_response, view: View, mount):
        """DELETE on a received share's mount point unshares it (as on Nextcloud)."""
        if environ["REQUEST_METHOD"] == "MOVE":
            raise SabreError(403, "A received share cannot be renamed here")
        if not self.site.mounts.can_unmount:
            raise SabreError(403, "Unshare a received share through the share API")
        self.site.mounts.unmount(view.viewer, mount)
        return util.send_status_response(environ, start_response, 204)

    def _before_mkcol(self, environ: dict, view: View, rel: str) -> None:
        parent = self.resource_at(view, parent_of(rel) or "", environ) if rel else None
        if parent is not None and parent.is_collection:
            self._require(parent, "K", "You may not create folders in this folder")
            self._require_unlocked(parent.place.owner, parent.place.path)

    def _before_delete(self, environ: dict, view: View, rel: str) -> None:
        target = self.resource_at(view, rel, environ)
        if target is None:
            raise SabreError(404, "File not found")
        if rel == "":
            raise SabreError(403, "This folder cannot be deleted")
        self._require(target, "D", "You may not delete this item")
        self._require_unlocked(target.place.owner, target.place.path)

    def _copy_or_move(self, environ: dict, start_response, view: View, rel: str, is_move: bool):
        source = self.resource_at(view, rel, environ)
        if source is None:
            raise SabreError(404, "The source does not exist")
        overwrite = environ.get("HTTP_OVERWRITE", "T").upper()
        if overwrite not in ("T", "F"):
            raise SabreError(400, "The Overwrite header must be T or F")
        dest_rel = self._destination(environ, view)
        if rel == "" or dest_rel == "":
            raise SabreError(403, "The home folder cannot be moved or replaced")
        if dest_rel == rel:
            raise SabreError(403, "Source and destination uri are identical")
        dest_place = view.locate(dest_rel)
        if isinstance(dest_place, RemotePlace):
            return self._across_mounts(environ, start_response, view, rel, dest_rel)
        dest_parent = self.resource_at(view, parent_of(dest_rel) or "", environ)
        if dest_parent is None or not dest_parent.is_collection:
            raise SabreError(409, "The destination folder does not exist")
        util.evaluate_http_conditionals(
            source, int(source.get_last_modified() or 0), source.get_etag(), environ
        )
        dest = self.resource_at(view, dest_rel, environ)
        if dest is not None and overwrite == "F":
            raise SabreError(412, "The destination exists and Overwrite is F")
        # As Sabre and Nextcloud: an existing destination is reported first (above).
        if source.is_collection and is_within(dest_rel, rel):
            raise SabreError(403, "Cannot move or copy a folder into itself")
        if is_move:
            same_folder = parent_of(dest_rel) == parent_of(rel)
            self._require(source, "NV" if same_folder else "D", "You may not move this item")
            self._require_unlocked(source.place.owner, source.place.path)
        self._require(
            dest_parent,
            "K" if source.is_collection else "C",
            "You may not create items in the destination folder",
        )
        if dest is not None:
            self._require(dest, "D", "You may not replace the destination")
        assert isinstance(dest_place, Place)
        self._require_unlocked(dest_place.owner, dest_place.path)
        if not is_move:
            left = self.site.quota_left(dest_place.owner)
            if left is not None and source.entry.size > left:
                raise SabreError(507, "Insufficient space")
        transfer = self.site.files.move if is_move else self.site.files.copy
        try:
            entry = transfer(
                source.place.owner,
                source.place.path,
                dest_place.owner,
                dest_place.path,
                overwrite=overwrite == "T",
            )
        except FileTreeError as exc:
            raise from_tree_error(exc) from None
        status = 204 if dest is not None else 201
        return util.send_status_response(
            environ, start_response, status, add_headers=write_headers(self.site, entry)
        )

    def _across_mounts(self, environ: dict, start_response, view: View, rel: str, dest_rel: str):
        """MOVE/COPY between a federated share and anything outside it (davcross.py)."""
        overwrite = environ.get("HTTP_OVERWRITE", "T").upper()
        if overwrite not in ("T", "F"):
            raise SabreError(400, "The Overwrite header must be T or F")
        if rel == "" or dest_rel == "":
            raise SabreError(403, "The home folder cannot be moved or replaced")
        if _mount_of(view.locate(dest_rel)) is not None:
            raise SabreError(403, "A received share cannot be replaced")
        if is_within(dest_rel, rel):
            raise SabreError(403, "Cannot move or copy a folder into itself")
        status, headers = davcross.transfer(
            self._side(view, rel, environ),
            self._side(view, dest_rel, environ),
            overwrite=overwrite == "T",
            is_move=environ["REQUEST_METHOD"] == "MOVE",
        )
        return util.send_status_response(environ, start_response, status, add_headers=headers)

    def _side(self, view: View, rel: str, environ: dict) -> davcross.Side:
        place = view.locate(rel)
        if isinstance(place, RemotePlace):
            assert self.remote_proxy is not None
            return davcross.RemoteSide(self.remote_proxy, place)
        return davcross.LocalSide(self, view, rel, environ)

    def _destination(self, environ: dict, view: View) -> str:
        """The Destination header as a path inside the same view, or an error."""
        raw = environ.get("HTTP_DESTINATION")
        if not raw:
            raise SabreError(400, "The Destination header is missing")
        dest_view, rel = self.view_of_url(environ, raw)
        if dest_view.prefix != view.prefix:
            raise SabreError(502, "The destination is outside this WebDAV tree")
        return rel

    def view_of_url(self, environ: dict, url: str) -> tuple[View, str]:
        """The view and path a full URL (e.g. a Destination header) names in this tree.

        The URL is split before it is decoded, so names holding ``?``, ``#`` or ``;`` survive.
        """
        parts = urlsplit(url)
        if parts.netloc and parts.netloc.lower() != environ.get("HTTP_HOST", "").lower():
            raise SabreError(502, "The destination is on another server")
        root = self.mount_path + self.share_path
        path = unquote(parts.path)
        if not path.startswith(root + "/"):
            raise SabreError(502, "The destination is outside the files tree")
        return self.view_of(environ, path[len(root) :])

    # --- checks ----------------------------------------------------------------------------

    @staticmethod
    def _require(node, letters: str, message: str) -> None:
        if not all(letter in node.letters for letter in letters):
            raise SabreError(403, message)

    def _require_unlocked(self, owner: str, path: str) -> None:
        if self.site.faults.locked(owner, path):
            raise SabreError(423, f'"{path.rsplit("/", 1)[-1] or "/"}" is locked')

    def _check_declared_size(self, environ: dict, owner: str, target) -> None:
        """Refuse early when the client says how big the upload will be (as Nextcloud does)."""
        left = self.site.quota_left(owner)
        if left is None:
            return
        if target is not None and target.entry is not None:
            left += target.entry.size
        for header in ("HTTP_OC_TOTAL_LENGTH", "CONTENT_LENGTH"):
            value = environ.get(header, "")
            if value.isdigit() and int(value) > left:
                raise SabreError(507, "Insufficient space")


def _child(node, target, rel: str) -> str:
    """Storage path of the PUT target (it may not exist yet)."""
    if target is not None:
        return target.place.path
    name = rel.rsplit("/", 1)[-1]
    return f"{node.place.path}/{name}".strip("/")


def _adding_extra_headers(environ: dict, start_response):
    def wrapped(status: str, headers: list, exc_info=None):
        if status.startswith("2"):
            headers = headers + environ.get(EXTRA_HEADERS, [])
        return start_response(status, headers, exc_info)

    return wrapped


def _inside(place, mount) -> bool:
    """Whether ``place`` is below (not at) the mount point of federated share ``mount``."""
    return isinstance(place, RemotePlace) and place.mount == mount and place.rest != ""


def _mount_of(place):
    """The received share whose mount point ``place`` is, if it is one."""
    if isinstance(place, RemotePlace):
        return place.mount if place.rest == "" else None
    return place.mount if place is not None and not place.public else None
