"""Server records (OCS share objects, remote shares, contacts) turned into our API's models.

The shapes returned here are exactly the schemas of ``handlers/openapi.yaml``. Fields a
server may hold but a browser must never see (link password hashes, share tokens, OCM
shared secrets) are simply never copied: each model is built field by field.
"""

from __future__ import annotations

import posixpath
from datetime import datetime, timezone
from typing import Any

from .errors import SharingError
from .ids import FederatedId, domain_of, parse_federated_id
from .ocs import opaque_id

# OCS share types (docs/protocols.md §2.2) and our names for them.
SHARE_TYPES = {0: "user", 1: "group", 3: "link", 6: "federated"}
OCS_TYPES = {name: code for code, name in SHARE_TYPES.items()}

# OCS permission bits.
READ, UPDATE = 1, 2
VIEW_PERMISSIONS = READ
EDIT_PERMISSIONS = {"file": 3, "directory": 15}


def permission_name(bits: Any) -> str:
    """``edit`` when the update bit is set, else ``view``."""
    try:
        return "edit" if int(bits) & UPDATE else "view"
    except (TypeError, ValueError):
        return "view"


def ocs_path(path: str) -> str:
    """A contents-API path (``proj/a.ipynb``) as the OCS API wants it (``/proj/a.ipynb``)."""
    return "/" + path.strip("/")


def api_path(path: Any) -> str:
    """An OCS/mount path as a contents-API path: no leading or trailing slash."""
    return str(path or "").strip("/")


def item_type(value: Any) -> str:
    """OCS says ``folder``/``dir``/a directory mimetype, we say ``directory``."""
    text = str(value or "").lower()
    return "directory" if text in {"folder", "dir", "httpd/unix-directory"} else "file"


def timestamp(value: Any) -> str | None:
    """Unix seconds as an ISO-8601 UTC string, or None."""
    try:
        return datetime.fromtimestamp(int(value), tz=timezone.utc).isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _day(value: Any) -> str | None:
    """``YYYY-MM-DD`` from OCS's ``YYYY-MM-DD 00:00:00``."""
    return str(value)[:10] if value else None


def person(user: str, display_name: Any, domain: str) -> dict[str, Any]:
    return {
        "id": user,
        "display_name": str(display_name or user),
        "site": domain,
        "federated_id": f"{user}@{domain}",
    }


def federated_person(cloud_id: str, display_name: Any) -> dict[str, Any]:
    """A person from a cloud id (``bob@http://host:port``), named by domain, not URL."""
    try:
        fid: FederatedId = parse_federated_id(cloud_id)
    except SharingError:
        return {"id": cloud_id, "display_name": str(display_name or cloud_id), "site": ""}
    return person(fid.user, display_name if display_name != cloud_id else fid.user, fid.domain)


def share(data: dict[str, Any], my_domain: str) -> dict[str, Any] | None:
    """A share I made, or None for share types this API does not show (e-mail, Talk...)."""
    kind = SHARE_TYPES.get(int(data.get("share_type", -1)))
    if kind is None:
        return None
    with_id = str(data.get("share_with") or "")
    with_name = data.get("share_with_displayname")
    recipient: dict[str, Any] | None
    if kind == "link":
        recipient = None
    elif kind == "federated":
        recipient = federated_person(with_id, with_name)
    else:
        recipient = person(with_id, with_name, my_domain)
    model: dict[str, Any] = {
        "id": opaque_id(data.get("id")),
        "path": api_path(data.get("path")),
        "item_type": item_type(data.get("item_type")),
        "type": kind,
        "recipient": recipient,
        "permission": permission_name(data.get("permissions")),
        "expiration": _day(data.get("expiration")),
        "note": str(data.get("note") or ""),
        # Nextcloud puts the password *hash* in share_with for links: only say whether.
        "has_password": bool(data.get("password") or (kind == "link" and with_id)),
        "created": timestamp(data.get("stime")),
    }
    if kind == "link" and data.get("url"):
        model["url"] = str(data["url"])
    return model


def received_local(data: dict[str, Any], state: str, my_domain: str) -> dict[str, Any]:
    """A share made with me by someone on my own site (OCS gives note, expiry and date)."""
    target = api_path(data.get("file_target") or data.get("path"))
    return {
        "id": "local-" + opaque_id(data.get("id")),
        "kind": "local",
        "name": posixpath.basename(target) or target,
        "item_type": item_type(data.get("item_type")),
        "owner": person(str(data.get("uid_owner") or ""), data.get("displayname_owner"), my_domain),
        "permission": permission_name(data.get("permissions")),
        "state": state,
        "path": target if state == "accepted" else None,
        "created": timestamp(data.get("stime")),
        "note": str(data.get("note") or "") or None,
        "expiration": _day(data.get("expiration")),
        "problem": None,
    }


def received_remote(data: dict[str, Any], state: str) -> dict[str, Any]:
    """A share that reached me over OCM from another site (Nextcloud's remote_shares).

    Nextcloud's remote share rows carry no note, expiry or share date (OCM's share request
    has no note field, and Nextcloud keeps neither its ``description`` nor its
    ``expiration``): those are null (docs/protocols.md §2.4). ``mtime`` there is the shared
    file's modification time, so it is never shown as the share date.
    """
    # Nextcloud says what the item is only once the share is accepted (and mounted).
    kind = data.get("type") or data.get("resource_type") or data.get("mimetype")
    return {
        "id": "federated-" + opaque_id(data.get("id")),
        "kind": "federated",
        "name": api_path(data.get("name")).rsplit("/", 1)[-1],
        "item_type": item_type(kind) if kind else None,
        "owner": person(
            str(data.get("owner") or ""),
            data.get("owner_display_name") or data.get("ownerDisplayName"),
            domain_of(str(data.get("remote") or "")),
        ),
        "permission": (
            None if data.get("permissions") is None else permission_name(data["permissions"])
        ),
        "state": state,
        "path": api_path(data.get("mountpoint")) if state == "accepted" else None,
        "created": None,
        "note": None,
        "expiration": None,
        "problem": None,
    }


def contact(data: dict[str, Any]) -> dict[str, Any]:
    """A ScienceMesh accepted user (``find-accepted-users`` entry) as a contact."""
    user = str(data.get("user_id") or data.get("userID") or "")
    domain = domain_of(str(data.get("idp") or ""))
    return {
        "user": user,
        "display_name": str(data.get("display_name") or data.get("name") or user),
        "site": domain,
        "federated_id": f"{user}@{domain}",
    }
