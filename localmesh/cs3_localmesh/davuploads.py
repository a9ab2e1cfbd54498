"""Nextcloud chunked upload v2 at ``/remote.php/dav/uploads/<user>/<upload-id>/``.

MKCOL the upload folder (with ``Destination``), PUT numbered chunks, then MOVE the virtual
``.file`` to the destination: the assembled file appears there in one step, with the same
checks and headers as a plain PUT. DELETE of the folder aborts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wsgidav import util
from wsgidav.dav_provider import DAVCollection, DAVNonCollection, DAVProvider

from .daverrors import SabreError, from_tree_error
from .davprovider import TreeProvider
from .davtree import (
    Place,
    RemotePlace,
    etag_conditions,
    requested_mtime,
    supplied_checksum,
    write_headers,
)
from .files import FileTreeError, QuotaExceeded, Upload

if TYPE_CHECKING:
    from .site import Site

ASSEMBLED = ".file"


class _Base:
    site: Site
    user: str
    environ: dict


class UploadsHome(_Base, DAVCollection):
    """``/<user>/``: the user's pending uploads."""

    def __init__(self, path: str, environ: dict, site: Site, user: str) -> None:
        DAVCollection.__init__(self, path, environ)
        self.site, self.user = site, user

    def get_member_names(self) -> list[str]:
        return self.site.uploads.ids(self.user)

    def get_member(self, name: str):
        return self.provider.get_resource_inst(f"/{self.user}/{name}", self.environ)

    def create_collection(self, name: str) -> None:
        self.site.uploads.expire(self.site.upload_ttl)
        try:
            self.site.uploads.create(self.user, name, self.environ.get("HTTP_DESTINATION"))
        except ValueError as exc:
            raise SabreError(400, str(exc)) from None


class UploadFolder(_Base, DAVCollection):
    """``/<user>/<id>/``: the chunks received so far."""

    def __init__(self, path: str, environ: dict, site: Site, user: str, upload_id: str) -> None:
        DAVCollection.__init__(self, path, environ)
        self.site, self.user, self.upload_id = site, user, upload_id

    def get_member_names(self) -> list[str]:
        return self.site.uploads.chunk_names(self.user, self.upload_id)

    def get_member(self, name: str):
        return self.provider.get_resource_inst(
            f"/{self.user}/{self.upload_id}/{name}", self.environ
        )

    def create_empty_resource(self, name: str) -> Chunk:
        return Chunk(
            f"{self.path.rstrip('/')}/{name}",
            self.environ,
            self.site,
            self.user,
            self.upload_id,
            name,
        )

    def handle_delete(self) -> bool:
        self.site.uploads.delete(self.user, self.upload_id)
        return True


class Chunk(_Base, DAVNonCollection):
    def __init__(
        self, path: str, environ: dict, site: Site, user: str, upload_id: str, name: str
    ) -> None:
        DAVNonCollection.__init__(self, path, environ)
        self.site, self.user, self.upload_id, self.name = site, user, upload_id, name
        self._upload: Upload | None = None

    def _file(self):
        return self.site.uploads.chunk_path(self.user, self.upload_id, self.name)

    def get_content_length(self) -> int:
        return self._file().stat().st_size if self._file().exists() else 0

    def get_content_type(self) -> str:
        return "application/octet-stream"

    def get_etag(self) -> None:
        return None

    def support_etag(self) -> bool:
        return False

    def get_content(self):
        return open(self._file(), "rb")  # wsgidav closes it after sending

    def begin_write(self, *, content_type: str | None = None) -> Upload:
        self._upload = self.site.files.new_upload()
        return self._upload

    def end_write(self, *, with_errors: bool) -> None:
        upload, self._upload = self._upload, None
        if upload is None:
            return
        if with_errors:
            upload.discard()
            return
        try:
            self.site.uploads.store_chunk(self.user, self.upload_id, self.name, upload)
        except (FileTreeError, ValueError) as exc:
            upload.discard()
            raise from_tree_error(exc) from None

    def handle_delete(self) -> bool:
        self._file().unlink(missing_ok=True)
        return True


class UploadsProvider(DAVProvider):
    def __init__(self, site: Site, files: TreeProvider) -> None:
        super().__init__()
        self.site = site
        self.files = files

    def _parts(self, environ: dict, path: str) -> list[str]:
        parts = [p for p in path.split("/") if p]
        if not parts or parts[0] != environ.get("localmesh.user"):
            raise SabreError(404, "No such upload folder")
        return parts

    def get_resource_inst(self, path: str, environ: dict):
        parts = self._parts(environ, path)
        user = parts[0]
        if len(parts) == 1:
            return UploadsHome(f"/{user}", environ, self.site, user)
        upload_id = parts[1]
        if not self.site.uploads.exists(user, upload_id):
            return None
        if len(parts) == 2:
            return UploadFolder(f"/{user}/{upload_id}", environ, self.site, user, upload_id)
        if len(parts) == 3 and self.site.uploads.chunk_path(user, upload_id, parts[2]).is_file():
            return Chunk(path, environ, self.site, user, upload_id, parts[2])
        return None

    def custom_request_handler(self, environ: dict, start_response, default_handler):
        method = environ["REQUEST_METHOD"]
        parts = self._parts(environ, environ["PATH_INFO"])
        requested_mtime(environ)  # refuses a malformed one before any work
        if method == "MOVE":
            if len(parts) != 3 or parts[2] != ASSEMBLED:
                raise SabreError(403, f"Only {ASSEMBLED} can be moved out of an upload")
            return self._assemble(environ, start_response, parts[0], parts[1])
        if method == "COPY":
            raise SabreError(403, "Chunks cannot be copied")
        if method == "PUT":
            if len(parts) != 3:
                raise SabreError(405, "Chunks go inside an upload folder")
            self._check_total_length(environ, parts[0])
        return default_handler(environ, start_response)

    def _check_total_length(self, environ: dict, user: str) -> None:
        """Nextcloud refuses early (507) when OC-Total-Length cannot fit."""
        left = self.site.quota_left(user)
        total = environ.get("HTTP_OC_TOTAL_LENGTH", "")
        if left is not None and total.isdigit() and int(total) > left:
            raise SabreError(507, "Insufficient space")

    def _assemble(self, environ: dict, start_response, user: str, upload_id: str):
        uploads = self.site.uploads
        if not uploads.exists(user, upload_id):
            raise SabreError(404, "No such upload")
        destination = environ.get("HTTP_DESTINATION") or uploads.destination(user, upload_id)
        if not destination:
            raise SabreError(400, "The Destination header is missing")
        view, rel = self.files.view_of_url(environ, destination)
        self._check_total_length(environ, user)
        remote = view.locate(rel)
        if isinstance(remote, RemotePlace) and self.files.remote_proxy is not None:
            return self._assemble_to_remote(environ, start_response, user, upload_id, remote)
        target, _parent = self.files.check_put(environ, view, rel)
        if target is not None:
            util.evaluate_http_conditionals(
                target, int(target.get_last_modified() or 0), target.get_etag(), environ
            )
        place = view.locate(rel)
        if not isinstance(place, Place):  # check_put refused every other kind already
            raise SabreError(409, "The upload has no place to go")
        limit = self.site.quota_left(place.owner)
        if limit is not None and target is not None:
            limit += target.entry.size
        staged = self.site.files.new_upload(limit)
        try:
            uploads.assemble_into(user, upload_id, staged)
        except QuotaExceeded:
            staged.discard()
            raise SabreError(507, "Insufficient space") from None
        mtime = requested_mtime(environ)
        try:
            entry, created = self.site.files.commit(
                place.owner,
                place.path,
                staged,
                mtime=mtime,
                author=user,
                checksum=supplied_checksum(environ),
                **etag_conditions(environ),
            )
        except FileTreeError as exc:
            raise from_tree_error(exc) from None
        uploads.delete(user, upload_id)
        headers = write_headers(self.site, entry, mtime_accepted=mtime is not None)
        return util.send_status_response(
            environ, start_response, 201 if created else 204, add_headers=headers
        )

    def _assemble_to_remote(
        self, environ: dict, start_response, user: str, upload_id: str, place: RemotePlace
    ):
        """Into a federated share: assemble here, then one PUT to the owner's site, which
        checks permissions, If-Match and quota and answers with the new ETag."""
        staged = self.site.files.new_upload()
        try:
            self.site.uploads.assemble_into(user, upload_id, staged)
            staged.close()
            with open(staged.path, "rb") as body:
                status, headers = self.files.remote_proxy.put(environ, place, body)
        finally:
            staged.discard()
        if status < 300:
            self.site.uploads.delete(user, upload_id)
            return util.send_status_response(environ, start_response, status, add_headers=headers)
        raise SabreError(status, "The site holding this federated share refused the upload")
