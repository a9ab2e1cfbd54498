"""Accepted federated shares in the recipient's tree, served by proxying to the owner's site.

Like Nextcloud, the recipient's own site holds the OCM shared secret and forwards requests
under the mount point over real HTTP (Basic ``<secret>:``), so the browser-side client never
sees it. The owner's site enforces permissions (read-only -> 403, stale If-Match -> 412);
ETags pass through unchanged, so owner and recipient see the same ETag. Hrefs in PROPFIND
answers are rewritten to the mount point and the items are marked as shared
(``nc:mount-type`` = ``shared``, an ``S`` in ``oc:permissions``).

Items inside a federated mount get file ids of the recipient's site, as Nextcloud gives them
(``oc:fileid``, ``oc:id``, ``OC-FileId``): one per (share, owner's id), kept in the
``remote_ids`` table and counted from :data:`FIRST_REMOTE_ID`, a number the site's own files
never reach here, so an id never names two items (the versions area, asked about one of them,
finds no file of the recipient's and answers 404). MOVE/COPY across the mount boundary is
done as Nextcloud does it, by reading and writing anew (davcross.py).
"""

from __future__ import annotations

import logging
import tempfile
import threading
import xml.etree.ElementTree as ET  # serialising only; parsing goes through defusedxml
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

import requests
from defusedxml import ElementTree as SafeET
from wsgidav.dav_provider import DAVCollection, DAVNonCollection

from .daverrors import SabreError
from .davtree import DAV, NC, OC, RemotePlace, View
from .files import is_within
from .statuses import status_line

if TYPE_CHECKING:
    from .mounts import RemoteMount
    from .site import Site

log = logging.getLogger("cs3_localmesh")

#: Request headers that mean the same thing at the owner's site.
_FORWARD = (
    "Depth",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "If-Modified-Since",
    "If-Unmodified-Since",
    "Overwrite",
    "X-OC-MTime",
    "OC-Checksum",
    "OC-Total-Length",
    "Range",
    "If-Range",
    "Accept",
)
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-authenticate",
    "proxy-authorization",
    "content-length",
    "server",
    "date",
    "www-authenticate",
    "content-encoding",
}
_ROOT_PROPS = [
    f"{{{DAV}}}resourcetype",
    f"{{{DAV}}}getetag",
    f"{{{DAV}}}getlastmodified",
    f"{{{DAV}}}getcontentlength",
    f"{{{DAV}}}getcontenttype",
    f"{{{OC}}}size",
    f"{{{OC}}}fileid",
    f"{{{OC}}}id",
    f"{{{OC}}}permissions",
    f"{{{OC}}}checksums",
]
_SPOOL_BYTES = 1 << 20
_TIMEOUT = 60

#: The first file id given to an item inside a federated mount (see the module docstring).
FIRST_REMOTE_ID = 1_000_000_000
_IDS_SCHEMA = """
CREATE TABLE IF NOT EXISTS remote_ids(
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    share TEXT NOT NULL, remote TEXT NOT NULL, UNIQUE(share, remote));
"""


def _shared_letters(letters: str, *, deletable_root: bool = False) -> str:
    """The owner's public view never says S; the recipient's does, and the recipient may
    delete (unshare) the mount root when the site can unmount."""
    out = "S" + letters.replace("S", "").replace("M", "")
    if deletable_root and "D" not in out:
        out = out.replace("G", "GD", 1) if "G" in out else out + "D"
    return out


class RemoteProxy:
    """Forwards requests under federated mounts; one HTTP session per thread."""

    def __init__(self, site: Site) -> None:
        self._site = site
        self._local = threading.local()
        site.db.add_schema(_IDS_SCHEMA)

    def local_ids(self, mount: RemoteMount, remote_ids: Iterable[str]) -> dict[str, int]:
        """This site's file ids for the owner's ids (``oc:fileid`` or ``oc:id`` values)."""
        wanted = {value: _number(value) for value in remote_ids}
        found: dict[str, int] = {}
        if not wanted:
            return found
        with self._site.db.transaction() as db:
            for value, number in wanted.items():
                if number is None:
                    continue
                key = (mount.share_id or mount.url, number)
                db.execute("INSERT OR IGNORE INTO remote_ids(share, remote) VALUES(?,?)", key)
                row = db.query_one("SELECT n FROM remote_ids WHERE share=? AND remote=?", key)
                assert row is not None
                found[value] = FIRST_REMOTE_ID + row["n"]
        return found

    def local_headers(self, mount: RemoteMount, headers: list[tuple[str, str]]) -> list:
        """A write's answer headers with the owner's ``OC-FileId`` made this site's."""
        ids = self.local_ids(mount, [v for k, v in headers if k.lower() == "oc-fileid"])
        return [
            (k, self._site.files.oc_id(ids[v]) if k.lower() == "oc-fileid" and v in ids else v)
            for k, v in headers
        ]

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _call(self, mount: RemoteMount, method: str, url: str, **kwargs) -> requests.Response:
        try:
            response = self._session().request(
                method,
                url,
                auth=(mount.secret, ""),
                timeout=_TIMEOUT,
                allow_redirects=False,
                **kwargs,
            )
        except requests.Timeout:
            raise SabreError(504, "The site holding this federated share did not answer") from None
        except requests.RequestException:
            raise SabreError(502, "The site holding this federated share is unreachable") from None
        if response.status_code == 401:
            response.close()
            raise SabreError(404, "This federated share is no longer available")
        return response

    def call(self, mount: RemoteMount, method: str, rest: str, **kwargs) -> requests.Response:
        """One request about ``rest`` (a path inside the share) to the owner's site."""
        return self._call(mount, method, _remote_url(mount, rest), **kwargs)

    # --- the mount point in its parent's listing ---------------------------------------

    def mount_root(self, view: View, rel: str, place: RemotePlace, environ: dict):
        """A resource standing for the mount root, built from one PROPFIND at the owner."""
        mount = place.mount
        body = _propfind_body(_ROOT_PROPS)
        try:
            response = self._call(
                mount, "PROPFIND", _remote_url(mount, ""), data=body, headers={"Depth": "0"}
            )
        except SabreError:
            log.warning("federated share %s is unreachable", mount.mount_path)
            return None
        if response.status_code != 207:
            return None
        try:
            root = SafeET.fromstring(response.content)
        except ET.ParseError:
            log.warning("federated share %s answered unreadable XML", mount.mount_path)
            return None
        props: dict[str, ET.Element] = {}
        for propstat in root.iter(f"{{{DAV}}}propstat"):
            if " 200 " in (propstat.findtext(f"{{{DAV}}}status") or ""):
                for prop in propstat.iterfind(f"{{{DAV}}}prop/*"):
                    props[prop.tag] = prop
        is_dir = props.get(f"{{{DAV}}}resourcetype") is not None and (
            props[f"{{{DAV}}}resourcetype"].find(f"{{{DAV}}}collection") is not None
        )
        self._localise_ids(mount, props.values())
        url_path = view.prefix + "/" + rel
        cls = RemoteRootFolder if is_dir else RemoteRootFile
        return cls(url_path, environ, mount, props, self._site.mounts.can_unmount)

    def _localise_ids(self, mount: RemoteMount, elements: Iterable[ET.Element]) -> None:
        """Turn the owner's ``oc:fileid``/``oc:id`` values among ``elements`` into ours."""
        found = [e for e in elements if e.tag in _ID_TAGS and e.text]
        ids = self.local_ids(mount, [e.text for e in found if e.text])
        for element in found:
            local = ids.get(element.text or "")
            if local is not None:
                fileid = element.tag == f"{{{OC}}}fileid"
                element.text = str(local) if fileid else self._site.files.oc_id(local)

    # --- everything below the mount point ----------------------------------------------

    def forward(
        self,
        environ: dict,
        start_response,
        view: View,
        place: RemotePlace,
        dest_rel: str | None = None,
    ) -> Iterable[bytes]:
        """Send the request on to the owner's site; ``dest_rel`` is a MOVE/COPY target."""
        mount = place.mount
        method = environ["REQUEST_METHOD"]
        headers = {}
        for name in _FORWARD:
            value = environ.get("HTTP_" + name.upper().replace("-", "_"))
            if name == "Content-Type":
                value = environ.get("CONTENT_TYPE")
            if value:
                headers[name] = value
        if method in ("MOVE", "COPY"):
            headers["Destination"] = _remote_destination(mount, dest_rel or "")
        if method == "PROPFIND":
            headers.setdefault("Depth", "1")
        trailing = environ["PATH_INFO"].endswith("/")
        url = _remote_url(mount, place.rest) + ("/" if trailing and place.rest else "")
        with _spooled_body(environ) as body:
            response = self._call(mount, method, url, data=body, headers=headers, stream=True)
        local_base = environ["SCRIPT_NAME"] + view.prefix + "/" + mount.mount_path
        out_headers = self.local_headers(
            mount, [(k, v) for k, v in response.headers.items() if k.lower() not in _HOP_BY_HOP]
        )
        if response.status_code == 207:
            try:
                content = _rewrite_multistatus(
                    response.content,
                    mount,
                    local_base,
                    self._site.mounts.can_unmount,
                    lambda elements: self._localise_ids(mount, elements),
                )
            except ET.ParseError:
                raise SabreError(
                    502, "The site holding this share answered unreadable XML"
                ) from None
            return _respond(start_response, response.status_code, out_headers, [content])
        if method == "HEAD":
            length = response.headers.get("Content-Length")
            extra = [("Content-Length", length)] if length else []
            response.close()
            return _respond(start_response, response.status_code, out_headers + extra, [])
        length = response.headers.get("Content-Length")
        if length is None:  # keep the connection honest: buffer unknown-length answers
            data = response.content
            return _respond(start_response, response.status_code, out_headers, [data])
        start_response(
            status_line(response.status_code), [*out_headers, ("Content-Length", length)]
        )
        return _stream(response)

    def put(self, environ: dict, place: RemotePlace, body) -> tuple[int, list[tuple[str, str]]]:
        """Store ``body`` at ``place`` on the owner's site (used by chunked-upload assembly)."""
        headers = {
            name: environ[key]
            for name, key in (
                ("If-Match", "HTTP_IF_MATCH"),
                ("If-None-Match", "HTTP_IF_NONE_MATCH"),
                ("X-OC-MTime", "HTTP_X_OC_MTIME"),
            )
            if environ.get(key)
        }
        response = self._call(
            place.mount, "PUT", _remote_url(place.mount, place.rest), data=body, headers=headers
        )
        kept = ("ETag", "OC-ETag", "OC-FileId", "X-OC-MTime")
        return response.status_code, self.local_headers(
            place.mount, [(k, response.headers[k]) for k in kept if k in response.headers]
        )


class _RemoteRoot:
    """Properties of a federated mount root as the owner's site reported them."""

    def _init(self, mount: RemoteMount, props: dict, unmountable: bool) -> None:
        self.mount, self.props, self.unmountable = mount, props, unmountable

    def _text(self, name: str) -> str | None:
        element = self.props.get(name)
        return element.text if element is not None else None

    def get_etag(self) -> str | None:
        value = self._text(f"{{{DAV}}}getetag")
        return value.strip('"') if value else None

    def get_last_modified(self):
        return None  # served from the owner's props below

    def get_property_names(self, *, is_allprop: bool) -> list[str]:
        return [*self.props.keys(), f"{{{NC}}}mount-type", f"{{{OC}}}owner-id"]

    def get_property_value(self, name: str):
        if name == f"{{{NC}}}mount-type":
            return "shared"
        if name == f"{{{OC}}}owner-id":
            return self.mount.owner
        if name == f"{{{OC}}}permissions" and name in self.props:
            return _shared_letters(self._text(name) or "", deletable_root=self.unmountable)
        if name in self.props:
            return self.props[name]
        raise SabreError(404, "no such property")


class RemoteRootFolder(_RemoteRoot, DAVCollection):
    def __init__(
        self, path: str, environ: dict, mount: RemoteMount, props: dict, unmountable: bool
    ) -> None:
        DAVCollection.__init__(self, path, environ)
        self._init(mount, props, unmountable)

    def get_member_names(self) -> list[str]:
        return []  # members come from the owner's site when the mount itself is listed


class RemoteRootFile(_RemoteRoot, DAVNonCollection):
    def __init__(
        self, path: str, environ: dict, mount: RemoteMount, props: dict, unmountable: bool
    ) -> None:
        DAVNonCollection.__init__(self, path, environ)
        self._init(mount, props, unmountable)

    def get_content_length(self):
        value = self._text(f"{{{DAV}}}getcontentlength")
        return int(value) if value and value.isdigit() else None

    def get_content_type(self):
        return self._text(f"{{{DAV}}}getcontenttype")

    def support_etag(self) -> bool:
        return True

    def get_content(self):
        # Only the mount point's properties are served from here (in its parent's listing);
        # a GET on it is forwarded to the owner's site like everything inside a share.
        raise SabreError(500, "The content of a federated share is read at its owner's site")


def _remote_destination(mount: RemoteMount, dest_rel: str) -> str:
    """The owner-side URL of a MOVE/COPY target inside the same mount (the provider sends
    every other one to davcross.py)."""
    if not is_within(dest_rel, mount.mount_path) or dest_rel == mount.mount_path:
        raise SabreError(500, "Not a destination inside this federated share")
    return _remote_url(mount, dest_rel[len(mount.mount_path) :].lstrip("/"))


def _remote_url(mount: RemoteMount, rest: str) -> str:
    return mount.url.rstrip("/") + ("/" + quote(rest) if rest else "/")


def _propfind_body(props: list[str]) -> bytes:
    root = ET.Element(f"{{{DAV}}}propfind")
    prop = ET.SubElement(root, f"{{{DAV}}}prop")
    for name in props:
        ET.SubElement(prop, name)
    return ET.tostring(root)


@contextmanager
def _spooled_body(environ: dict) -> Iterator[IO[bytes] | None]:
    """The request body in a spool file (memory up to 1 MiB), so its length is known."""
    length = environ.get("CONTENT_LENGTH", "")
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    if not (length.isdigit() and int(length) > 0) and not chunked:
        yield None
        return
    stream = environ["wsgi.input"]
    remaining = int(length) if length.isdigit() else None
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
        while remaining is None or remaining > 0:
            data = stream.read(65536 if remaining is None else min(65536, remaining))
            if not data:
                break
            spool.write(data)
            if remaining is not None:
                remaining -= len(data)
        environ["wsgidav.all_input_read"] = 1
        spool.seek(0)
        yield spool


def _rewrite_multistatus(
    content: bytes,
    mount: RemoteMount,
    local_base: str,
    unmountable: bool,
    localise_ids: Callable[[Iterable[ET.Element]], None],
) -> bytes:
    """Hrefs to the mount point; items marked as shared with the recipient's letters and
    given the recipient site's file ids."""
    remote_base = urlsplit(mount.url).path.rstrip("/")
    root = SafeET.fromstring(content)
    localise_ids(e for tag in _ID_TAGS for e in root.iter(tag))
    for response in root.findall(f"{{{DAV}}}response"):
        href = response.find(f"{{{DAV}}}href")
        if href is None:
            raise ET.ParseError("a response without an href")
        path = unquote(href.text or "")
        rest = path[len(remote_base) :].lstrip("/") if path.startswith(remote_base) else ""
        is_dir = any(
            rt.find(f"{{{DAV}}}collection") is not None
            for rt in response.iter(f"{{{DAV}}}resourcetype")
        )
        local = local_base + ("/" + rest if rest else "")
        href.text = quote(local.rstrip("/") + ("/" if is_dir else ""), safe="/!*'(),$-_|.")
        for perms in response.iter(f"{{{OC}}}permissions"):
            if perms.text is not None:
                perms.text = _shared_letters(perms.text, deletable_root=unmountable and not rest)
        for mount_type in response.iter(f"{{{NC}}}mount-type"):
            mount_type.text = "shared"
    return ET.tostring(root, xml_declaration=True, encoding="utf-8")


_ID_TAGS = (f"{{{OC}}}fileid", f"{{{OC}}}id")


def _number(value: str) -> str | None:
    """The owner's numeric file id in an ``oc:fileid`` (``42``) or ``oc:id``
    (``00000042oc…``) value."""
    digits = value[: len(value) - len(value.lstrip("0123456789"))]
    return str(int(digits)) if digits else None


def _respond(start_response, status: int, headers: list, chunks: list[bytes]) -> list[bytes]:
    length = sum(len(c) for c in chunks)
    if not any(k.lower() == "content-length" for k, _ in headers):
        headers = [*headers, ("Content-Length", str(length))]
    start_response(status_line(status), headers)
    return chunks


def _stream(response: requests.Response) -> Iterator[bytes]:
    try:
        yield from response.iter_content(65536)
    finally:
        response.close()
