"""COPY and MOVE across a federated mount's boundary, done the way Nextcloud does them.

Nextcloud copies between two storages (the user's own files and a federated share, or two
federated shares) by reading the source and writing it anew at the destination, a folder
item by item; a MOVE then deletes the source (without putting it in the trash bin, as
Nextcloud skips the bin for the source of a move between storages). As in Sabre, an
existing destination is deleted first when ``Overwrite`` allows it, then written.

Everything on a federated share's side goes through its owner's WebDAV with the share's
secret (:class:`~.davremote.RemoteProxy`), so the owner's site enforces its permissions and
keeps its own rules, as for any other request into the share. Permissions are checked on
both sides before anything is written, so a refused MOVE or COPY leaves nothing behind.

Deliberately stricter than Nextcloud: a received share's mount point is never a
destination (403); Nextcloud would unshare it and put the copy in its place.
"""

from __future__ import annotations

import tempfile
import xml.etree.ElementTree as ET  # element type only; parsing goes through defusedxml
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from defusedxml import ElementTree as SafeET

from .daverrors import SabreError, from_tree_error
from .davtree import DAV, OC, Place, RemotePlace, View, write_headers
from .files import FileTreeError, parent_of

if TYPE_CHECKING:
    from .davremote import RemoteProxy
    from .site import Site

_BLOCK = 65536
_SPOOL_BYTES = 1 << 20
_STAT_BODY = (
    b'<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">'
    b"<d:prop><d:resourcetype/><oc:permissions/></d:prop></d:propfind>"
)


@dataclass(frozen=True)
class Item:
    """What a transfer needs to know of a file or folder on either side."""

    name: str
    is_dir: bool
    letters: str


class LocalSide:
    """An item in this site's storage, as the caller sees it through ``view``."""

    def __init__(self, provider, view: View, rel: str, environ: dict) -> None:
        self.provider, self.view, self.rel, self.environ = provider, view, rel, environ
        self.site: Site = provider.site

    def _place(self, sub: str) -> Place:
        place = self.view.locate(_join(self.rel, sub))
        assert isinstance(place, Place), "a local side stays in local storage"
        return place

    def stat(self, sub: str = "") -> Item | None:
        resource = self.provider.resource_at(self.view, _join(self.rel, sub), self.environ)
        if resource is None:
            return None
        return Item(_name(_join(self.rel, sub)), resource.is_collection, resource.letters)

    def parent(self) -> Item | None:
        parent = parent_of(self.rel)
        if parent is None:
            return None
        return LocalSide(self.provider, self.view, parent, self.environ).stat()

    def children(self, sub: str) -> list[Item]:
        place = self._place(sub)
        return [
            Item(child.name, child.is_dir, "")
            for child in self.site.files.children(place.owner, place.path)
        ]

    def read(self, sub: str) -> Iterator[bytes]:
        place = self._place(sub)
        entry = self.site.files.stat(place.owner, place.path)
        if entry is None:
            raise SabreError(404, "The source changed while it was being copied")
        with self.site.files.open(entry) as handle:
            while block := handle.read(_BLOCK):
                yield block

    def check_writable(self) -> None:
        place = self._place("")
        if self.site.faults.locked(place.owner, place.path):
            raise SabreError(423, f'"{_name(self.rel)}" is locked')

    def mkdir(self, sub: str) -> None:
        place = self._place(sub)
        try:
            self.site.files.mkdir(place.owner, place.path)
        except FileTreeError as exc:
            raise from_tree_error(exc) from None

    def write(self, sub: str, blocks: Iterator[bytes]) -> list[tuple[str, str]]:
        place = self._place(sub)
        upload = self.site.files.new_upload(self.site.quota_left(place.owner))
        try:
            for block in blocks:
                upload.write(block)
            entry, _ = self.site.files.commit(
                place.owner, place.path, upload, author=self.view.viewer or None
            )
        except FileTreeError as exc:
            upload.discard()
            raise from_tree_error(exc) from None
        except BaseException:
            upload.discard()
            raise
        return write_headers(self.site, entry)

    def delete(self) -> None:
        place = self._place("")
        try:
            self.site.files.delete(place.owner, place.path)
        except FileTreeError as exc:
            raise from_tree_error(exc) from None


class RemoteSide:
    """An item inside a federated share, reached at its owner's site."""

    def __init__(self, proxy: RemoteProxy, place: RemotePlace) -> None:
        self.proxy, self.mount, self.rest = proxy, place.mount, place.rest

    def _ask(self, method: str, sub: str, **kwargs):
        return self.proxy.call(self.mount, method, _join(self.rest, sub), **kwargs)

    def _listing(self, sub: str, depth: str) -> list[tuple[str, Item]] | None:
        """(path below the share, item) for ``sub`` (Depth 0) or its children too."""
        response = self._ask(
            "PROPFIND",
            sub,
            data=_STAT_BODY,
            headers={"Depth": depth, "Content-Type": "application/xml"},
        )
        if response.status_code == 404:
            return None
        _refuse_unless(response, 207)
        try:
            root = SafeET.fromstring(response.content)
        except ET.ParseError:
            raise SabreError(502, "The site holding this share answered unreadable XML") from None
        base = urlsplit(self.mount.url).path.rstrip("/")
        found = []
        for item in root.iter(f"{{{DAV}}}response"):
            path = unquote(item.findtext(f"{{{DAV}}}href") or "").rstrip("/")
            rest = path[len(base) :].lstrip("/") if path.startswith(base) else ""
            is_dir = item.find(f".//{{{DAV}}}resourcetype/{{{DAV}}}collection") is not None
            letters = item.findtext(f".//{{{OC}}}permissions") or ""
            found.append((rest, Item(_name(rest), is_dir, letters)))
        return found

    def stat(self, sub: str = "") -> Item | None:
        listing = self._listing(sub, "0")
        return listing[0][1] if listing else None

    def parent(self) -> Item | None:
        parent = parent_of(self.rest)
        if parent is None:
            return None
        return RemoteSide(self.proxy, RemotePlace(self.mount, parent)).stat()

    def children(self, sub: str) -> list[Item]:
        own = _join(self.rest, sub)
        return [item for rest, item in self._listing(sub, "1") or [] if rest != own]

    def read(self, sub: str) -> Iterator[bytes]:
        response = self._ask("GET", sub, stream=True)
        try:
            _refuse_unless(response, 200)
            yield from response.iter_content(_BLOCK)
        finally:
            response.close()

    def check_writable(self) -> None:
        """The owner's site checks locks and permissions on each write."""

    def mkdir(self, sub: str) -> None:
        _refuse_unless(self._ask("MKCOL", sub), 201)

    def write(self, sub: str, blocks: Iterator[bytes]) -> list[tuple[str, str]]:
        # Spooled so the owner's site is told the length, as with any upload we forward.
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
            for block in blocks:
                spool.write(block)
            spool.seek(0)
            response = self._ask("PUT", sub, data=spool)
        _refuse_unless(response, 201, 204)
        kept = ("ETag", "OC-ETag", "OC-FileId")
        found = [(k, response.headers[k]) for k in kept if k in response.headers]
        return self.proxy.local_headers(self.mount, found)

    def delete(self) -> None:
        _refuse_unless(self._ask("DELETE", ""), 204)


Side = LocalSide | RemoteSide


def transfer(source: Side, dest: Side, *, overwrite: bool, is_move: bool) -> tuple[int, list]:
    """Copy (or move) ``source`` to ``dest``; the status and headers of the answer."""
    parent = dest.parent()
    if parent is None or not parent.is_dir:
        raise SabreError(409, "The destination folder does not exist")
    item = source.stat()
    if item is None:
        raise SabreError(404, "The source does not exist")
    if not _has(parent, "K" if item.is_dir else "C"):
        raise SabreError(403, "You may not create items in the destination folder")
    existing = dest.stat()
    if existing is not None:
        if not overwrite:
            raise SabreError(412, "The destination exists and Overwrite is F")
        if not _has(existing, "D"):
            raise SabreError(403, "You may not replace the destination")
    if is_move and not _has(item, "D"):
        raise SabreError(403, "You may not move this item")
    dest.check_writable()
    if existing is not None:
        dest.delete()
    headers = _copy_tree(source, dest, "", item)
    if is_move:
        source.delete()
    return (204 if existing is not None else 201), headers


def _copy_tree(source: Side, dest: Side, sub: str, item: Item) -> list[tuple[str, str]]:
    if not item.is_dir:
        return dest.write(sub, source.read(sub))
    dest.mkdir(sub)
    for child in source.children(sub):
        _copy_tree(source, dest, _join(sub, child.name), child)
    return []


def _has(item: Item, letters: str) -> bool:
    """Whether ``item`` allows what ``letters`` stand for (no letters sent: it does)."""
    return not item.letters or all(letter in item.letters for letter in letters)


def _refuse_unless(response, *expected: int) -> None:
    if response.status_code in expected:
        return
    status = response.status_code
    response.close()
    if status in (401, 403):
        raise SabreError(403, "The site holding this federated share refused it")
    if status in (404, 409, 412, 423, 507):
        raise SabreError(status, f"The site holding this federated share answered {status}")
    raise SabreError(502, "The site holding this federated share failed")


def _join(base: str, name: str) -> str:
    return f"{base}/{name}".strip("/") if name else base


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]
