"""wsgidav resources over the FileTree: what one caller sees, with Nextcloud's properties.

A *view* maps the paths a caller uses (their home with shares mounted in it, or the inside of
a public share) to *places* in storage (an owner and a path), so one pair of resource classes
serves homes, user shares and public links alike.
"""

from __future__ import annotations

import hashlib
import mimetypes
import xml.etree.ElementTree as ET  # builds response XML only; wsgidav parses with defusedxml
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import unquote, urlsplit

from wsgidav import util
from wsgidav.dav_provider import DAVCollection, DAVNonCollection

from . import permissions
from .daverrors import SabreError, from_tree_error
from .files import Entry, FileTreeError, QuotaExceeded, Upload, is_within, parent_of
from .mounts import Mount, RemoteMount, TokenShare

if TYPE_CHECKING:
    from .site import Site

DAV, OC, NC, OCS = (
    "DAV:",
    "http://owncloud.org/ns",
    "http://nextcloud.org/ns",
    "http://open-collaboration-services.org/ns",
)
# Serialise with the prefixes clients and humans expect (d:, oc:, nc:) instead of ns0:.
for _prefix, _uri in (("d", DAV), ("oc", OC), ("nc", NC), ("ocs", OCS)):
    ET.register_namespace(_prefix, _uri)

#: Response headers a write wants added to its 2xx answer (set on the request's environ).
EXTRA_HEADERS = "localmesh.extra_headers"

_OWN_PROPS = [
    f"{{{OC}}}fileid",
    f"{{{OC}}}id",
    f"{{{OC}}}permissions",
    f"{{{OC}}}size",
    f"{{{NC}}}mount-type",
    f"{{{OC}}}owner-id",
    f"{{{OC}}}owner-display-name",
    f"{{{OCS}}}share-permissions",
]
mimetypes.add_type("application/x-ipynb+json", ".ipynb")


@dataclass(frozen=True)
class Place:
    """Where an item a caller sees is stored, and on what terms."""

    owner: str
    path: str
    share: int | None = None  # OCS bits when it reaches the caller through a share
    mount_root: bool = False
    public: bool = False
    mount: Mount | None = None  # the received share, at its mount root


@dataclass(frozen=True)
class RemotePlace:
    """A path inside an accepted federated share: served by the remote site."""

    mount: RemoteMount
    rest: str


class View:
    """The tree one caller sees. ``prefix`` is the URL segment(s) before the tree (e.g. /alice)."""

    prefix: str
    viewer: str  # who acts (a user id, or "" for a public link)

    def locate(self, rel: str) -> Place | RemotePlace | None:
        raise NotImplementedError

    def mounts_in(self, rel: str) -> list[Mount]:
        return []


class HomeView(View):
    """A user's own files with the shares they received mounted in."""

    def __init__(self, site: Site, user: str, prefix: str) -> None:
        self.prefix = prefix
        self.viewer = user
        self._mounts = site.mounts.for_user(user)

    def locate(self, rel: str) -> Place | RemotePlace | None:
        for mount in self._mounts:
            if is_within(rel, mount.mount_path):
                rest = rel[len(mount.mount_path) :].lstrip("/")
                if isinstance(mount, RemoteMount):
                    return RemotePlace(mount, rest)
                path = f"{mount.owner_path}/{rest}".strip("/") if rest else mount.owner_path
                return Place(
                    mount.owner,
                    path,
                    mount.permissions,
                    mount_root=not rest,
                    mount=None if rest else mount,
                )
        return Place(self.viewer, rel)

    def mounts_in(self, rel: str) -> list[Mount]:
        return [m for m in self._mounts if parent_of(m.mount_path) == rel]


class ShareView(View):
    """The inside of a public link (or an outgoing OCM share's data)."""

    def __init__(self, share: TokenShare, prefix: str) -> None:
        self.prefix = prefix
        self.viewer = ""
        self._share = share

    def locate(self, rel: str) -> Place | RemotePlace | None:
        path = f"{self._share.path}/{rel}".strip("/") if rel else self._share.path
        return Place(
            self._share.owner, path, self._share.permissions, mount_root=not rel, public=True
        )


class _Node:
    """Properties and identity shared by files and folders."""

    provider: Any
    path: str
    environ: dict
    is_collection: bool

    def _setup(self, site: Site, view: View, rel: str, place: Place, entry: Entry | None) -> None:
        self.site, self.view, self.rel, self.place, self.entry = site, view, rel, place, entry

    # --- permissions ---------------------------------------------------------------------

    @property
    def readonly(self) -> bool:
        return self.site.faults.readonly(self.place.owner, self.place.path)

    @property
    def letters(self) -> str:
        parent = parent_of(self.place.path)
        return permissions.letters(
            is_dir=self.is_collection,
            share=self.place.share,
            mount_root=self.place.mount_root,
            unmountable=self.site.mounts.can_unmount,
            public=self.place.public,
            readonly=self.readonly,
            readonly_below=parent is not None
            and self.site.faults.readonly(self.place.owner, parent),
            is_home=self.rel == "" and not self.place.public,
        )

    # --- wsgidav getters -----------------------------------------------------------------

    def get_etag(self) -> str | None:
        return self.entry.etag if self.entry else None

    def get_last_modified(self) -> float | None:
        return self.entry.mtime if self.entry else None

    def get_creation_date(self) -> float | None:
        return self.entry.ctime if self.entry else None

    def get_used_bytes(self) -> None:
        return None  # quota props only when asked for by name, like Nextcloud

    def get_available_bytes(self) -> None:
        return None

    def get_property_names(self, *, is_allprop: bool) -> list[str]:
        names = super().get_property_names(is_allprop=is_allprop)  # type: ignore[misc]
        names += _OWN_PROPS
        if not self.is_collection:
            names.append(f"{{{OC}}}checksums")
        return names

    def get_property_value(self, name: str) -> Any:
        value = self._own_property(name)
        if value is not None:
            return value
        return super().get_property_value(name)  # type: ignore[misc]

    def _own_property(self, name: str) -> Any:
        entry = self.entry
        if entry is None:
            return None
        tree = self.site.files
        if name == f"{{{DAV}}}getetag":
            return f'"{entry.etag}"'  # quoted in XML too, as Nextcloud does
        if name == f"{{{OC}}}fileid":
            return str(entry.fileid)
        if name == f"{{{OC}}}id":
            return tree.oc_id(entry.fileid)
        if name == f"{{{OC}}}permissions":
            if self.site.faults.variant("no-g-letter"):
                return self.letters.replace("G", "")
            return self.letters
        if name == f"{{{OC}}}size":
            return str(entry.size)
        if name == f"{{{NC}}}mount-type":
            return "shared" if self.place.share is not None and not self.place.public else ""
        if name == f"{{{OC}}}owner-id":
            return self.place.owner
        if name == f"{{{OC}}}owner-display-name":
            return self.site.users.display_name(self.place.owner) or self.place.owner
        if name == f"{{{OCS}}}share-permissions":
            return str(
                permissions.ocs_bits(
                    is_dir=self.is_collection, share=self.place.share, readonly=self.readonly
                )
            )
        if name == f"{{{OC}}}checksums" and isinstance(self, FileResource):
            return self._checksums_element(name)
        if name == f"{{{DAV}}}quota-used-bytes":
            return str(entry.size)
        if name == f"{{{DAV}}}quota-available-bytes":
            left = self.site.quota_left(self.place.owner)
            return str(-3 if left is None else left)  # -3: unlimited, as Nextcloud says
        return None


class FileResource(_Node, DAVNonCollection):
    """A file; ``entry`` is None while a new file is being uploaded."""

    def __init__(
        self,
        path: str,
        environ: dict,
        site: Site,
        view: View,
        rel: str,
        place: Place,
        entry: Entry | None,
    ) -> None:
        DAVNonCollection.__init__(self, path, environ)
        self._setup(site, view, rel, place, entry)
        self._upload: Upload | None = None
        #: For a GET: the bytes ``entry`` describes, opened together with it.
        self._handle: BinaryIO | None = None

    def get_content_length(self) -> int | None:
        if self.environ.get("REQUEST_METHOD") == "GET" and self.entry and self._handle is None:
            # wsgidav asks for the length first, then the dates, the ETag and the body: take
            # the entry again together with an open handle, so all of them describe the same
            # bytes even while the file is being overwritten.
            current = self.site.files.open_current(self.place.owner, self.place.path)
            if current is None:
                raise SabreError(404, "File not found")
            self.entry, self._handle = current
        return self.entry.size if self.entry else 0

    def _md5(self) -> str:
        """Only for the ownCloud-shaped checksum variant (this site stores SHA1 alone)."""
        assert self.entry is not None
        digest = hashlib.md5(usedforsecurity=False)
        with self.site.files.open(self.entry) as content:
            while chunk := content.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()

    def checksum_pairs(self) -> list[str]:
        """``ALGO:hex`` pairs of this file, as the site family reports them.

        Nextcloud reports the checksum a client sent with the upload, if any (none for
        uploads without one); ownCloud 10 and Reva compute SHA1, MD5 and ADLER32 themselves
        (here SHA1 and MD5).
        """
        entry = self.entry
        if entry is None:
            return []
        if self.site.faults.variant("checksums-one-element"):
            return [f"SHA1:{entry.sha1}", f"MD5:{self._md5()}"] if entry.sha1 else []
        return entry.checksum.split() if entry.checksum else []

    def _checksums_element(self, name: str) -> ET.Element | None:
        pairs = self.checksum_pairs()
        if not pairs:
            return None
        element = ET.Element(name)
        if self.site.faults.variant("checksums-one-element"):
            ET.SubElement(element, f"{{{OC}}}checksum").text = " ".join(pairs)
        else:
            for pair in pairs:
                ET.SubElement(element, f"{{{OC}}}checksum").text = pair
        return element

    def get_content_type(self) -> str:
        guessed, _ = mimetypes.guess_type(self.rel or self.place.path)
        return guessed or "application/octet-stream"

    def support_etag(self) -> bool:
        return True

    def support_ranges(self) -> bool:
        return True

    def get_content(self):
        if self.entry is None:
            raise SabreError(404, "File not found")
        handle, self._handle = self._handle, None
        return handle or self.site.files.open(self.entry)

    def finalize_headers(self, environ: dict, response_headers: list) -> None:
        pairs = self.checksum_pairs()
        if pairs:
            response_headers.append(("OC-Checksum", pairs[0]))

    def begin_write(self, *, content_type: str | None = None) -> _QuotaAwareUpload:
        limit = self.site.quota_left(self.place.owner)
        if limit is not None and self.entry:
            limit += self.entry.size
        self._upload = self.site.files.new_upload(limit)
        return _QuotaAwareUpload(self._upload)

    def end_write(self, *, with_errors: bool) -> None:
        upload, self._upload = self._upload, None
        if upload is None:
            return
        if with_errors:
            upload.discard()
            return
        mtime = requested_mtime(self.environ)
        try:
            self.entry, _ = self.site.files.commit(
                self.place.owner,
                self.place.path,
                upload,
                mtime=mtime,
                author=self.view.viewer or None,
                checksum=supplied_checksum(self.environ),
                **etag_conditions(self.environ),
            )
        except FileTreeError as exc:
            raise from_tree_error(exc) from None
        self.environ[EXTRA_HEADERS] = write_headers(
            self.site, self.entry, with_etag=False, mtime_accepted=mtime is not None
        )

    def handle_delete(self) -> bool:
        _delete(self)
        return True


class FolderResource(_Node, DAVCollection):
    def __init__(
        self, path: str, environ: dict, site: Site, view: View, rel: str, place: Place, entry: Entry
    ) -> None:
        DAVCollection.__init__(self, path, environ)
        self._setup(site, view, rel, place, entry)

    def get_content_type(self) -> str:
        return "httpd/unix-directory"  # what Nextcloud reports for folders

    def get_member_names(self) -> list[str]:
        return [member.name for member in self.get_member_list()]

    def get_member(self, name: str):
        return self.provider.resource_at(self.view, _join(self.rel, name), self.environ)

    def get_member_list(self) -> list:
        """Children from one query (no per-child lookups), plus shares mounted here."""
        assert self.entry is not None
        mounts = self.view.mounts_in(self.rel) if not self.place.share else []
        hidden = {m.mount_path.rsplit("/", 1)[-1] for m in mounts}
        members = []
        for child in self.site.files.children(self.place.owner, self.place.path):
            if child.name in hidden:
                continue
            rel = _join(self.rel, child.name)
            place = Place(self.place.owner, child.path, self.place.share, public=self.place.public)
            members.append(self.provider.make_resource(self.view, rel, place, child, self.environ))
        for mount in mounts:
            member = self.provider.resource_at(self.view, mount.mount_path, self.environ)
            if member is not None:
                members.append(member)
        return members

    def create_empty_resource(self, name: str) -> FileResource:
        rel = _join(self.rel, name)
        place = Place(
            self.place.owner,
            _join(self.place.path, name),
            self.place.share,
            public=self.place.public,
        )
        return self.provider.make_resource(self.view, rel, place, None, self.environ)

    def create_collection(self, name: str) -> None:
        try:
            self.site.files.mkdir(
                self.place.owner, _join(self.place.path, name), mtime=requested_mtime(self.environ)
            )
        except FileTreeError as exc:
            raise from_tree_error(exc) from None

    def handle_delete(self) -> bool:
        _delete(self)
        return True


class NamedFolder(DAVCollection):
    """A fixed folder of a URL family's layout (e.g. ``versions/``, ``restore/``)."""

    def __init__(self, path: str, environ: dict, names: list[str]) -> None:
        super().__init__(path, environ)
        self._names = names

    def get_member_names(self) -> list[str]:
        return self._names

    def get_member(self, name: str):
        return self.provider.get_resource_inst(f"{self.path.rstrip('/')}/{name}", self.environ)


class _QuotaAwareUpload:
    """Turns running out of quota mid-body into a 507 that wsgidav passes on unchanged."""

    def __init__(self, upload: Upload) -> None:
        self._upload = upload

    def write(self, data: bytes) -> None:
        try:
            self._upload.write(data)
        except QuotaExceeded:
            raise SabreError(507, "Insufficient space") from None

    def close(self) -> None:
        self._upload.close()


def etag_conditions(environ: dict) -> dict[str, list[str] | None]:
    """If-Match / If-None-Match of the request, for FileTree.commit to re-check atomically."""
    return {
        key: util.parse_if_match_header(environ[header]) if header in environ else None
        for key, header in (("if_match", "HTTP_IF_MATCH"), ("if_none_match", "HTTP_IF_NONE_MATCH"))
    }


def restore_requested(environ: dict, family: str, user: str) -> bool:
    """Whether the Destination is ``.../<family>/<user>/restore/<anything>`` (versions, trash)."""
    path = unquote(urlsplit(environ.get("HTTP_DESTINATION", "")).path)
    return f"/{family}/{user}/restore/" in path


def write_headers(
    site: Site, entry: Entry, *, with_etag: bool = True, mtime_accepted: bool = False
) -> list[tuple[str, str]]:
    """The headers Nextcloud puts on a successful write (PUT, MOVE, COPY, chunk assembly)."""
    headers = [("OC-ETag", f'"{entry.etag}"'), ("OC-FileId", site.files.oc_id(entry.fileid))]
    if with_etag:
        headers.insert(0, ("ETag", f'"{entry.etag}"'))
    if mtime_accepted:
        headers.append(("X-OC-MTime", "accepted"))
    return headers


def supplied_checksum(environ: dict) -> str | None:
    """``OC-Checksum`` as the client sent it (``SHA1:<hex>``...), kept without checking it
    against the bytes, as Nextcloud does."""
    value = environ.get("HTTP_OC_CHECKSUM", "").strip()
    if len(value) > 1000:
        raise SabreError(400, "The OC-Checksum header is too long")
    return value or None


def requested_mtime(environ: dict) -> float | None:
    """``X-OC-MTime`` as a timestamp; anything but whole unix seconds is refused (400)."""
    value = environ.get("HTTP_X_OC_MTIME")
    if value is None:
        return None
    if not value.strip().lstrip("-").isdigit():
        raise SabreError(400, "X-OC-MTime must be a unix timestamp in seconds")
    return float(value)


def _delete(node: _Node) -> None:
    """Into the owner's trash bin, as Nextcloud does (also when a recipient deletes)."""
    try:
        node.site.trash.trash(node.place.owner, node.place.path)
    except FileTreeError as exc:
        raise from_tree_error(exc) from None


def _join(base: str, name: str) -> str:
    return f"{base}/{name}" if base else name
