"""File versions as Nextcloud keeps them: ``<dav>/versions/<user>/versions/<fileid>/<id>``.

Nextcloud makes a version on every write by itself; we only list them and restore one by
moving it to ``<dav>/versions/<user>/restore/target``. A site without this area answers
404/405/501 and we report :class:`~.errors.NotSupported`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from . import errors, paths
from .client import DavClient
from .props import PROPFIND_BODY, parse_multistatus


@dataclass
class Version:
    """One version of a file: an opaque id (a timestamp on Nextcloud) and when it was made."""

    id: str
    last_modified: datetime
    size: int | None


def _base(client: DavClient, fileid: str) -> str:
    return f"{client.dav_url('versions')}versions/{quote(fileid, safe='')}"


def list_versions(client: DavClient, fileid: str, path: str) -> list[Version]:
    """The versions of the file with id ``fileid`` (``path`` only names it in errors)."""
    try:
        response = client.request(
            "PROPFIND",
            _base(client, fileid) + "/",
            path=path,
            headers={"Depth": "1", "Content-Type": "application/xml; charset=utf-8"},
            data=PROPFIND_BODY,
        )
    except (errors.NotFound, errors.ProtocolError) as err:
        if err.status in (404, 405, 501):
            raise errors.NotSupported(f"{client.site_name} keeps no file versions.") from None
        raise
    entries = parse_multistatus(response.content)
    if not entries:
        return []
    folder = min(entries, key=lambda e: len(e.href_path.rstrip("/")))
    found = []
    for entry in entries:
        rest = paths.relative_to(folder.href_path, entry.href_path)
        if entry is folder or not rest or "/" in rest:
            continue
        found.append(Version(id=rest, last_modified=entry.last_modified, size=entry.size))
    return sorted(found, key=lambda v: v.last_modified, reverse=True)


def restore_version(client: DavClient, fileid: str, version_id: str, path: str) -> None:
    """Make version ``version_id`` the current content (the replaced one becomes a version)."""
    restore = f"{client.dav_url('versions')}restore/target"
    client.request(
        "MOVE",
        f"{_base(client, fileid)}/{quote(version_id, safe='')}",
        path=path,
        headers={"Destination": restore},
    )


def delete_version(client: DavClient, fileid: str, version_id: str, path: str) -> None:
    """Delete one version; sites that do not allow it answer 403/405/501 (NotSupported)."""
    try:
        client.request("DELETE", f"{_base(client, fileid)}/{quote(version_id, safe='')}", path=path)
    except (errors.PermissionDenied, errors.ProtocolError) as err:
        if err.status in (403, 405, 501):
            raise errors.NotSupported(
                f"{client.site_name} does not let clients delete file versions; use its web "
                "interface."
            ) from None
        raise
