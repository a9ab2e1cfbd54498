"""PROPFIND: the one request body we send and the parser for the multistatus we get back.

We always ask for an explicit property list: Reva only returns some properties when asked,
and ``allprop`` is larger than we need. The parser reads each ``propstat`` on its own,
because servers put the properties they cannot supply into a second ``propstat`` with a
404 status while the response as a whole is a 207. The parser is expat, hardened as
``defusedxml`` hardens it, and stricter (see :class:`_Multistatus`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from xml.parsers import expat

from .errors import ProtocolError, TooLarge
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
    (OC, "fileid"),
    (OC, "permissions"),
    (OC, "size"),
    (OC, "checksums"),
)

_VERSION_PROPS = (
    (DAV, "getetag"),
    (DAV, "getlastmodified"),
    (DAV, "getcontentlength"),
    (NC, "version-label"),
)

_PREFIX = {DAV: "d", OC: "oc", NC: "nc"}


def _propfind_body(props: tuple[tuple[str, str], ...]) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<d:propfind xmlns:d="{DAV}" xmlns:oc="{OC}" xmlns:nc="{NC}"><d:prop>'
        + "".join(f"<{_PREFIX[ns]}:{name}/>" for ns, name in props)
        + "</d:prop></d:propfind>"
    ).encode()


PROPFIND_BODY = _propfind_body(_PROPS)
#: For listings shown to a user: what a model needs and what the site then verifies (ETag,
#: id). No checksums (a fingerprint or a save check asks the file's own PROPFIND; a
#: download's answer carries them too) and no folder sizes (a folder's model has none):
#: a third fewer elements per entry to produce, send and parse.
LIGHT_PROPFIND_BODY = _propfind_body(
    tuple(prop for prop in _PROPS if prop not in ((OC, "size"), (OC, "checksums")))
)
#: For listings of a file's versions: their times, sizes and names (labels).
VERSIONS_PROPFIND_BODY = _propfind_body(_VERSION_PROPS)

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
    fileid: str | None = None
    permissions: str | None = None
    #: By algorithm (``SHA1``...); None when they were not asked for (a light listing).
    checksums: dict[str, str] | None = field(default_factory=dict)
    #: The site's clock (whole seconds, its ``Date``) when it said this: with Nextcloud's
    #: once-a-second ETags, whether an ETag still names one content depends on it.
    seen_at: int | None = None
    #: A version's name (``nc:version-label``), in listings of file versions only.
    label: str | None = None

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


_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


class Timestamp(datetime):
    """A site's date that makes its ISO form once.

    jupyter_server turns each model into JSON on its event loop and asks every entry's
    ``created`` and ``last_modified`` for ``isoformat()``: for a 10,000-entry folder that was a
    third of the 50 ms the loop was blocked. A listing keeps one object per distinct date, and
    ``created`` is often the ``last_modified`` object, so the string is made once per object.
    A datetime is immutable, so the remembered string cannot go stale.
    """

    __slots__ = ("_iso",)

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        if sep != "T" or timespec != "auto":
            return super().isoformat(sep, timespec)
        try:
            return self._iso
        except AttributeError:
            self._iso: str = super().isoformat()
            return self._iso


def quote_etag(value: str) -> str:
    """ETags in their quoted form: some servers quote them in one place and not another,
    and an ``If-Match`` must carry the form the server compares with."""
    value = value.strip()
    if value.startswith(('"', "W/")):
        return value
    return f'"{value}"'


def parse_http_date(value: str) -> datetime:
    """RFC 1123 dates as servers send them in ``getlastmodified`` and ``Last-Modified``.

    The usual ``Mon, 25 Mar 2024 09:30:00 GMT`` is read directly (the general parser costs
    a noticeable share of a large listing); anything else goes to the general parser.
    """
    parts = value.split()
    if len(parts) == 6 and parts[5] == "GMT" and parts[2] in _MONTHS:
        try:
            hour, minute, second = parts[4].split(":")
            return Timestamp(
                int(parts[3]),
                _MONTHS[parts[2]],
                int(parts[1]),
                int(hour),
                int(minute),
                int(second),
                tzinfo=timezone.utc,
            )
        except ValueError:
            pass
    parsed = parsedate_to_datetime(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def _parse_iso(value: str) -> datetime | None:
    try:
        parsed = Timestamp.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    # Nextcloud reports the epoch when it does not know the creation time.
    return parsed if parsed > _EPOCH else None


def parse_checksums(texts: list[str]) -> dict[str, str]:
    # Nextcloud: one <oc:checksum> per algorithm; ownCloud/Reva: one holding "A:x B:y".
    found: dict[str, str] = {}
    for text in texts:
        for pair in text.split():
            algo, sep, digest = pair.partition(":")
            if sep and digest:
                found[algo.upper()] = digest.lower()
    return found


# Element names as the parser reports them: namespace URI, a space, the local name.
_MULTISTATUS, _RESPONSE, _HREF = "DAV: multistatus", "DAV: response", "DAV: href"
_PROPSTAT, _STATUS = "DAV: propstat", "DAV: status"
_COLLECTION, _CHECKSUM = "DAV: collection", f"{OC} checksum"
_RESOURCETYPE, _GETETAG, _GETLASTMODIFIED = (
    "DAV: resourcetype",
    "DAV: getetag",
    "DAV: getlastmodified",
)
_CREATIONDATE, _GETCONTENTLENGTH = "DAV: creationdate", "DAV: getcontentlength"
_FILEID, _PERMISSIONS, _SIZE, _CHECKSUMS = (
    f"{OC} fileid",
    f"{OC} permissions",
    f"{OC} size",
    f"{OC} checksums",
)
_VERSION_LABEL = f"{NC} version-label"

#: A property as parsed: its text, and the texts of the elements inside it (tag, text, ...).
_Prop = tuple[str, list[str]]


class _Refused(Exception):
    """The document declares a DTD or an entity: never part of a PROPFIND answer."""


def _refuse(*args: object) -> None:
    raise _Refused


def _refuse_external(
    context: str, base: str | None, system_id: str | None, public_id: str | None
) -> int:
    raise _Refused


class _Multistatus:
    """Entries straight from expat's events, as the answer arrives.

    Depth tells every element's role, so no element tree and no stack are kept: 1 is the
    multistatus, 2 a response, 3 its href or a propstat, 4 a propstat's prop or status, 5 a
    property, 6 what a property holds (``d:collection``, ``oc:checksum``); deeper elements
    (properties we never use) are ignored. 10,000 entries are about 170,000 elements, so
    the handlers do as little as they can: text is only joined where it is used.

    Safety: expat is the parser defusedxml hardens, hardened here the same way and more
    strictly: a document type declaration (where entity bombs and external entities are
    declared) is refused outright, as are entity declarations and external references,
    and parameter entities are never parsed. A multistatus never has any of them.
    """

    def __init__(self, max_entries: int | None) -> None:
        self.max_entries = max_entries
        self.entries: list[Entry] = []
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = _refuse
        parser.EntityDeclHandler = _refuse
        parser.UnparsedEntityDeclHandler = _refuse
        parser.ExternalEntityRefHandler = _refuse_external
        parser.buffer_text = True
        parser.buffer_size = 1 << 16
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._data
        self._parser = parser
        self._depth = 0
        self._text: list[str] = []
        self._href = ""
        self._status = ""
        self._props: dict[str, _Prop] = {}  # of the current propstat
        self._granted: dict[str, _Prop] = {}  # of the current response's 200 propstats
        self._inner: list[str] = []
        self._dates: dict[str, datetime] = {}
        self._created: dict[str, datetime | None] = {}

    def feed(self, block: bytes) -> None:
        self._parser.Parse(block, False)

    def close(self) -> list[Entry]:
        self._parser.Parse(b"", True)
        return self.entries

    def _start(self, tag: str, attrib: dict[str, str]) -> None:
        depth = self._depth = self._depth + 1
        if depth > 6:
            return
        self._text = []
        if depth == 5:
            self._inner = []
        elif depth == 2:
            self._href, self._granted = "", {}
        elif depth == 3:
            self._props, self._status = {}, ""
        elif depth == 1 and tag != _MULTISTATUS:
            raise ProtocolError("The site answered a PROPFIND without a multistatus document.")

    def _data(self, text: str) -> None:
        self._text.append(text)

    def _end(self, tag: str) -> None:
        depth = self._depth
        self._depth = depth - 1
        if depth == 5:
            self._props[tag] = ("".join(self._text).strip(), self._inner)
        elif depth == 6:
            self._inner += (tag, "".join(self._text).strip())
        elif depth == 4:
            if tag == _STATUS:
                self._status = "".join(self._text)
        elif depth == 3:
            if tag == _HREF:
                self._href = "".join(self._text).strip()
            elif tag == _PROPSTAT:
                parts = self._status.split()
                if len(parts) >= 2 and parts[1] == "200":
                    self._granted.update(self._props)
        elif depth == 2 and tag == _RESPONSE and self._href:
            self.entries.append(self._entry())
            if self.max_entries is not None and len(self.entries) > self.max_entries:
                raise TooLarge(f"The site sent a listing of more than {self.max_entries} entries.")

    def _entry(self) -> Entry:
        href = self._href
        entry = Entry(href_path=href_path(href), is_dir=href.endswith("/"))
        for name, (text, inner) in self._granted.items():
            try:
                self._set(entry, name, text, inner)
            except (TypeError, ValueError):
                pass  # unreadable: as if not sent, rather than lose the whole listing
        return entry

    def _set(self, entry: Entry, name: str, text: str, inner: list[str]) -> None:
        if name == _GETETAG:
            entry.etag = quote_etag(text) if text else None
        elif name == _GETLASTMODIFIED:
            if text:
                date = self._dates.get(text)
                if date is None:
                    date = self._dates[text] = parse_http_date(text)
                entry.last_modified = date
        elif name == _RESOURCETYPE:
            entry.is_dir = _COLLECTION in inner
        elif name == _GETCONTENTLENGTH:
            if text:
                entry.size = int(text)
        elif name == _PERMISSIONS:
            entry.permissions = text
        elif name == _FILEID:
            entry.fileid = text or None
        elif name == _CHECKSUMS:
            entry.checksums = parse_checksums(
                [inner[i + 1] for i in range(0, len(inner), 2) if inner[i] == _CHECKSUM]
            )
        elif name == _CREATIONDATE:
            if text:
                if text not in self._created:
                    self._created[text] = _parse_iso(text)
                entry.created = self._created[text]
        elif name == _SIZE:
            if text and entry.size is None:
                entry.size = int(text)
        elif name == _VERSION_LABEL:
            entry.label = text or None


def parse_multistatus(body: bytes | Iterable[bytes], max_entries: int | None = None) -> list[Entry]:
    """All ``d:response`` elements of a 207 body, in the order the server sent them.

    ``body`` may be the answer's blocks as they arrive, so parsing overlaps the transfer.
    More than ``max_entries`` is refused while parsing, before the entries cost memory.
    """
    target = _Multistatus(max_entries)
    try:
        for block in [body] if isinstance(body, bytes) else body:
            target.feed(block)
        return target.close()
    except expat.ExpatError as err:
        raise ProtocolError(f"The site sent a listing that is not valid XML ({err}).") from None
    except _Refused:
        raise ProtocolError("The site sent a listing with forbidden XML constructs.") from None
