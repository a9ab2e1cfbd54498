"""File versions as Nextcloud keeps them: ``<dav>/versions/<user>/versions/<fileid>/<id>``.

Nextcloud makes a version on every write by itself, named by the replaced content's
modification time (one per second); the listing also holds the current content under its
own time. We list them, name one (``nc:version-label``: a named version is kept when old
versions expire), and restore one by moving it to ``<dav>/versions/<user>/restore/target``.
A site without this area answers 404/405/501 and we report :class:`~.errors.NotSupported`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from xml.sax.saxutils import escape

from . import errors, paths
from .client import DavClient
from .props import NC, VERSIONS_PROPFIND_BODY, parse_multistatus

_STATUS = re.compile(rb"<(?:\w+:)?status>\s*HTTP/1\.[01] (\d{3})")


@dataclass
class Version:
    """One version of a file: an opaque id (a timestamp on Nextcloud), when it was made and
    its name, if someone gave it one."""

    id: str
    last_modified: datetime
    size: int | None
    label: str | None = None


def _base(client: DavClient, fileid: str) -> str:
    return f"{client.dav_url('versions')}versions/{quote(fileid, safe='')}"


def _not_supported(client: DavClient, err: errors.DavError) -> errors.DavError:
    if err.status in (404, 405, 501):
        return errors.NotSupported(f"{client.site_name} keeps no file versions.")
    return err


def list_versions(client: DavClient, fileid: str, path: str) -> list[Version]:
    """The versions of the file with id ``fileid``, newest first, the current content
    included where the site lists it (``path`` only names the file in errors)."""
    try:
        response = client.request(
            "PROPFIND",
            _base(client, fileid) + "/",
            path=path,
            headers={"Depth": "1", "Content-Type": "application/xml; charset=utf-8"},
            data=VERSIONS_PROPFIND_BODY,
            max_bytes=client.limits.max_listing_bytes,
        )
    except (errors.NotFound, errors.ProtocolError) as err:
        raise _not_supported(client, err) from None
    entries = parse_multistatus(response.content, client.limits.max_listing_entries)
    if not entries:
        return []
    folder = min(entries, key=lambda e: len(e.href_path.rstrip("/")))
    found = []
    for entry in entries:
        rest = paths.relative_to(folder.href_path, entry.href_path)
        if entry is folder or not rest or "/" in rest:
            continue
        found.append(Version(rest, entry.last_modified, entry.size, entry.label))
    return sorted(found, key=lambda v: v.last_modified, reverse=True)


def label_version(client: DavClient, fileid: str, version_id: str, label: str, path: str) -> None:
    """Name a version (the current content too, whose name it keeps once replaced); an
    empty ``label`` removes the name."""
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><d:propertyupdate xmlns:d="DAV:" '
        f'xmlns:nc="{NC}"><d:set><d:prop><nc:version-label>{escape(label)}</nc:version-label>'
        "</d:prop></d:set></d:propertyupdate>"
    ).encode()
    try:
        response = client.request(
            "PROPPATCH",
            f"{_base(client, fileid)}/{quote(version_id, safe='')}",
            path=path,
            headers={"Content-Type": "application/xml; charset=utf-8"},
            data=body,
        )
    except (errors.NotFound, errors.ProtocolError) as err:
        raise _not_supported(client, err) from None
    # A 207 answer says per property whether it was set.
    refused = [code for code in _STATUS.findall(response.content) if code != b"200"]
    if refused:
        raise errors.PermissionDenied(
            f"{client.site_name} did not let us name a version of '{path}' "
            f"(HTTP {refused[0].decode()}).",
            int(refused[0]),
        )


def restore_version(client: DavClient, fileid: str, version_id: str, path: str) -> None:
    """Make version ``version_id`` the current content (the replaced one becomes a version)."""
    restore = f"{client.dav_url('versions')}restore/target"
    client.request(
        "MOVE",
        f"{_base(client, fileid)}/{quote(version_id, safe='')}",
        path=path,
        headers={"Destination": restore},
    )
