"""PROPFIND: the one request body we send and the parser for the multistatus we get back.

We always ask for an explicit property list: Reva only returns some properties when asked,
and ``allprop`` is larger than we need. The parser reads each ``propstat`` on its own,
because servers put the properties they cannot supply into a second ``propstat`` with a
404 status while the response as a whole is a 207. All XML goes through ``defusedxml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from defusedxml import DefusedXmlException, ElementTree

from .errors import ProtocolError
from .paths import href_path

DAV = "DAV:"
OC = "http://owncloud.org/ns"
NC = "http://nextcloud.org/ns"

_PROPS = (
    (DAV, "resourcetype"),
    (DAV, "getetag"),
    (DAV, "getlastmodified"),
    (DAV, "creationdate"),
    (DAV, "getcontentlength"),
    (DAV, "getcontenttype"),
    (OC, "fileid"),
    (OC, "permissions"),
    (OC, "size"),
    (OC, "checksums"),
)

_PREFIX = {DAV: "d", OC: "oc", NC: "nc"}

PROPFIND_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f'<d:propfind xmlns:d="{DAV}" xmlns:oc="{OC}" xmlns:nc="{NC}"><d:prop>'
    + "".join(f"<{_PREFIX[ns]}:{name}/>" for ns, name in _PROPS)
    + "</d:prop></d:propfind>"
).encode()

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass
class Entry:
    """What the site told us about one file or folder.

    ``href_path`` is the decoded path the server used for it (its own namespace, which may
    differ from ours); callers turn it into a relative path by stripping the base.
    """

    href_path: str
    is_dir: bool
    #: Our relative path for it, filled in by the client once it knows the base.
    path: str = ""
    etag: str | None = None
    last_modified: datetime = _EPOCH
    created: datetime | None = None
    size: int | None = None
    content_type: str | None = None
    fileid: str | None = None
    permissions: str | None = None
    checksums: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.rpartition("/")[2]

    @property
    def writable(self) -> bool:
        """``W`` on files, ``C`` (create inside) on folders; no permissions sent means writable.

        Letters are tested one by one: sites differ in which others they send and in order.
        """
        if self.permissions is None:
            return True
        return ("C" if self.is_dir else "W") in self.permissions


def _tag(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def quote_etag(value: str) -> str:
    """ETags in their quoted form: some servers quote them in one place and not another,
    and an ``If-Match`` must carry the form the server compares with."""
    value = value.strip()
    if value.startswith(('"', "W/")):
        return value
    return f'"{value}"'


def parse_http_date(value: str) -> datetime:
    """RFC 1123 dates as servers send them in ``getlastmodified`` and ``Last-Modified``."""
    parsed = parsedate_to_datetime(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def _parse_iso(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    # Nextcloud reports the epoch when it does not know the creation time.
    return parsed if parsed > _EPOCH else None


def _parse_checksums(prop) -> dict[str, str]:
    # Nextcloud: one <oc:checksum> per algorithm; ownCloud/Reva: one holding "A:x B:y".
    found: dict[str, str] = {}
    for element in prop.iter(_tag(OC, "checksum")):
        for pair in (element.text or "").split():
            algo, sep, digest = pair.partition(":")
            if sep and digest:
                found[algo.upper()] = digest.lower()
    return found


def _apply(entry: Entry, prop) -> None:
    for child in prop:
        text = (child.text or "").strip()
        if child.tag == _tag(DAV, "resourcetype"):
            entry.is_dir = child.find(_tag(DAV, "collection")) is not None
        elif child.tag == _tag(DAV, "getetag") and text:
            entry.etag = quote_etag(text)
        elif child.tag == _tag(DAV, "getlastmodified") and text:
            entry.last_modified = parse_http_date(text)
        elif child.tag == _tag(DAV, "creationdate") and text:
            entry.created = _parse_iso(text)
        elif child.tag == _tag(DAV, "getcontentlength") and text:
            entry.size = int(text)
        elif child.tag == _tag(OC, "size") and text and entry.size is None:
            entry.size = int(text)
        elif child.tag == _tag(DAV, "getcontenttype") and text:
            entry.content_type = text
        elif child.tag == _tag(OC, "fileid") and text:
            entry.fileid = text
        elif child.tag == _tag(OC, "permissions"):
            entry.permissions = text
        elif child.tag == _tag(OC, "checksums"):
            entry.checksums = _parse_checksums(child)


def _propstat_ok(propstat) -> bool:
    status = propstat.findtext(_tag(DAV, "status")) or ""
    parts = status.split()
    return len(parts) >= 2 and parts[1] == "200"


def parse_multistatus(body: bytes) -> list[Entry]:
    """All ``d:response`` elements of a 207 body, in the order the server sent them."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as err:
        raise ProtocolError(f"The site sent a listing that is not valid XML ({err}).") from None
    except DefusedXmlException:
        raise ProtocolError("The site sent a listing with forbidden XML constructs.") from None
    if root.tag != _tag(DAV, "multistatus"):
        raise ProtocolError("The site answered a PROPFIND without a multistatus document.")
    entries = []
    for response in root.iter(_tag(DAV, "response")):
        href = response.findtext(_tag(DAV, "href"))
        if not href:
            continue
        entry = Entry(href_path=href_path(href.strip()), is_dir=href.strip().endswith("/"))
        for propstat in response.iter(_tag(DAV, "propstat")):
            prop = propstat.find(_tag(DAV, "prop"))
            if prop is not None and _propstat_ok(propstat):
                _apply(entry, prop)
        entries.append(entry)
    return entries
