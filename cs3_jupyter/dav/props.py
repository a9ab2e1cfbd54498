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
    checksums: dict[str, str] = field(default_factory=dict)
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


def _tag(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


# Clark names, built once: a 10,000-entry listing compares them 200,000 times.
_MULTISTATUS, _RESPONSE, _HREF = _tag(DAV, "multistatus"), _tag(DAV, "response"), _tag(DAV, "href")
_PROPSTAT, _PROP, _STATUS = _tag(DAV, "propstat"), _tag(DAV, "prop"), _tag(DAV, "status")
_COLLECTION, _CHECKSUM = _tag(DAV, "collection"), _tag(OC, "checksum")
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


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
            return datetime(
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
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    # Nextcloud reports the epoch when it does not know the creation time.
    return parsed if parsed > _EPOCH else None


def _parse_checksums(texts: list[str]) -> dict[str, str]:
    # Nextcloud: one <oc:checksum> per algorithm; ownCloud/Reva: one holding "A:x B:y".
    found: dict[str, str] = {}
    for text in texts:
        for pair in text.split():
            algo, sep, digest = pair.partition(":")
            if sep and digest:
                found[algo.upper()] = digest.lower()
    return found


def _set_resourcetype(entry: Entry, text: str, inner: dict[str, list[str]]) -> None:
    entry.is_dir = _COLLECTION in inner


def _set_etag(entry: Entry, text: str, inner: dict[str, list[str]]) -> None:
    entry.etag = quote_etag(text) if text else None


def _set_last_modified(entry: Entry, text: str, inner: dict[str, list[str]]) -> None:
    if text:
        entry.last_modified = parse_http_date(text)


def _set_created(entry: Entry, text: str, inner: dict[str, list[str]]) -> None:
    entry.created = _parse_iso(text) if text else None


def _set_length(entry: Entry, text: str, inner: dict[str, list[str]]) -> None:
    if text:
        entry.size = int(text)


def _set_folder_size(entry: Entry, text: str, inner: dict[str, list[str]]) -> None:
    if text and entry.size is None:
        entry.size = int(text)


def _set_fileid(entry: Entry, text: str, inner: dict[str, list[str]]) -> None:
    entry.fileid = text or None


def _set_permissions(entry: Entry, text: str, inner: dict[str, list[str]]) -> None:
    entry.permissions = text


def _set_checksums(entry: Entry, text: str, inner: dict[str, list[str]]) -> None:
    entry.checksums = _parse_checksums(inner.get(_CHECKSUM, []))


def _set_label(entry: Entry, text: str, inner: dict[str, list[str]]) -> None:
    entry.label = text or None


_SETTERS = {
    _tag(DAV, "resourcetype"): _set_resourcetype,
    _tag(DAV, "getetag"): _set_etag,
    _tag(DAV, "getlastmodified"): _set_last_modified,
    _tag(DAV, "creationdate"): _set_created,
    _tag(DAV, "getcontentlength"): _set_length,
    _tag(OC, "size"): _set_folder_size,
    _tag(OC, "fileid"): _set_fileid,
    _tag(OC, "permissions"): _set_permissions,
    _tag(OC, "checksums"): _set_checksums,
    _tag(NC, "version-label"): _set_label,
}


#: One property as the parser saw it: tag, own text, texts of the elements inside it by tag.
_Prop = tuple[str, str, dict[str, list[str]]]


class _Multistatus:
    """Parser target that builds entries straight from the parser's events.

    No element tree: a 10,000-entry listing would be 200,000 elements, and allocating
    them triggers full garbage collections that pause every thread, the event loop too.
    Only what a PROPFIND answer can hold is tracked: response > href, propstat > prop, status.
    """

    def __init__(self, max_entries: int | None) -> None:
        self.max_entries = max_entries
        self.entries: list[Entry] = []
        self._stack: list[str] = []
        self._text: list[str] = []
        self._href = ""
        self._granted: list[list[_Prop]] = []  # props of this response's 200 propstats
        self._props: list[_Prop] = []
        self._status = ""
        self._inner: dict[str, list[str]] = {}

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if not self._stack and tag != _MULTISTATUS:
            raise ProtocolError("The site answered a PROPFIND without a multistatus document.")
        self._stack.append(tag)
        self._text = []
        if tag == _RESPONSE:
            self._href, self._granted = "", []
        elif tag == _PROPSTAT:
            self._props, self._status = [], ""
        elif len(self._stack) >= 2 and self._stack[-2] == _PROP:
            self._inner = {}

    def data(self, text: str) -> None:
        self._text.append(text)

    def end(self, tag: str) -> None:
        text = "".join(self._text).strip()
        self._text = []
        self._stack.pop()
        parent = self._stack[-1] if self._stack else ""
        if parent == _PROP:
            self._props.append((tag, text, self._inner))
        elif _PROP in self._stack[-3:]:  # inside a property (checksums, resourcetype)
            self._inner.setdefault(tag, []).append(text)
        elif tag == _HREF and parent == _RESPONSE:
            self._href = text
        elif tag == _STATUS and parent == _PROPSTAT:
            self._status = text
        elif tag == _PROPSTAT:
            parts = self._status.split()
            if len(parts) >= 2 and parts[1] == "200":
                self._granted.append(self._props)
        elif tag == _RESPONSE and self._href:
            entry = Entry(href_path=href_path(self._href), is_dir=self._href.endswith("/"))
            for props in self._granted:
                for name, value, inner in props:
                    setter = _SETTERS.get(name)
                    if setter is not None:
                        try:
                            setter(entry, value, inner)
                        except (TypeError, ValueError):
                            pass  # unreadable: as if not sent, rather than lose the listing
            self.entries.append(entry)
            if self.max_entries is not None and len(self.entries) > self.max_entries:
                raise TooLarge(f"The site sent a listing of more than {self.max_entries} entries.")

    def close(self) -> list[Entry]:
        return self.entries


def parse_multistatus(body: bytes, max_entries: int | None = None) -> list[Entry]:
    """All ``d:response`` elements of a 207 body, in the order the server sent them.

    More than ``max_entries`` is refused while parsing, before the entries cost memory.
    """
    target = _Multistatus(max_entries)
    parser = ElementTree.XMLParser(target=target)
    try:
        parser.feed(body)
        parser.close()
        return target.entries
    except ElementTree.ParseError as err:
        raise ProtocolError(f"The site sent a listing that is not valid XML ({err}).") from None
    except DefusedXmlException:
        raise ProtocolError("The site sent a listing with forbidden XML constructs.") from None
