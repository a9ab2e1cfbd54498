"""Shares I made: list, create, change and revoke them through the OCS share API.

Creating is safe to repeat (a double click): the same person share with the same settings
answers the existing share, a different one for the same person is a 409, and a link
without password identical to one made moments ago answers that link. What the item is
(file or folder, which decides the edit permission bits) comes from the WebDAV client.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ..dav.client import DavClient
from ..dav.errors import DavError
from . import models, validate
from .errors import SharingError, bad_request
from .ids import cloud_id_for, parse_federated_id
from .mesh import Mesh
from .ocs import OCSClient, OCSError
from .refusals import dav_failure, ocs_failure, site_says

NEW_SHARE_KEYS = {"path", "type", "recipient", "permission", "expiration", "note", "password"}
UPDATE_KEYS = {"permission", "expiration", "note", "password"}
#: A link identical to one made this recently is taken for a repeated click.
LINK_REPEAT_SECONDS = 30.0


class ShareRequest:
    """A new share as the user asked for it, checked field by field."""

    def __init__(self, body: Any) -> None:
        body = validate.body_object(body, NEW_SHARE_KEYS, "describing the share")
        self.path = validate.share_path(body.get("path"))
        self.kind = validate.share_type(body.get("type"))
        self.permission = validate.permission(body.get("permission"))
        self.expiration = validate.expiration(body.get("expiration"))
        self.note = validate.field(body, "note", max_chars=validate.MAX_NOTE_CHARS, multiline=True)
        self.password = validate.field(body, "password", max_chars=validate.MAX_PASSWORD_CHARS)
        if self.password and self.kind != "link":
            raise bad_request("Only public links can have a password.")
        self.recipient = ""
        if self.kind != "link":
            self.recipient = validate.field(
                body, "recipient", max_chars=validate.MAX_RECIPIENT_CHARS, required=True
            ).strip()


class UpdateRequest:
    """The changes asked for, all checked before the first one is sent."""

    def __init__(self, body: Any) -> None:
        body = validate.body_object(body, UPDATE_KEYS, "with the fields to change")
        if not body:
            raise bad_request("Send at least one field to change.")
        self.permission = validate.permission(body["permission"]) if "permission" in body else None
        self.expiration = validate.expiration(body["expiration"]) if "expiration" in body else None
        self.note = (
            validate.field(body, "note", max_chars=validate.MAX_NOTE_CHARS, multiline=True)
            if "note" in body
            else None
        )
        self.password = (
            validate.field(body, "password", max_chars=validate.MAX_PASSWORD_CHARS)
            if "password" in body
            else None
        )


def _created_seconds_ago(share: dict[str, Any]) -> float:
    try:
        return time.time() - datetime.fromisoformat(share["created"]).timestamp()
    except (TypeError, ValueError):
        return float("inf")


class OutgoingShares:
    """The user's own shares at their own site."""

    def __init__(self, ocs: OCSClient, dav: DavClient, mesh: Mesh, domain: str) -> None:
        self.ocs = ocs
        self.dav = dav
        self.mesh = mesh
        self.domain = domain

    def listing(self, path: str = "") -> list[dict[str, Any]]:
        path = validate.query_path(path)
        params = {"path": models.ocs_path(path)} if path else {}
        try:
            data = self.ocs.shares("GET", "/shares", params=params)
        except OCSError as err:
            if err.code in (404, 998):
                raise SharingError(
                    404, "not_found", f"{path} does not exist in your files."
                ) from None
            raise ocs_failure(err, self.domain, "list your shares") from None
        found = (models.share(item, self.domain) for item in data or ())
        return [share for share in found if share is not None]

    def create(self, body: Any) -> tuple[dict[str, Any], bool]:
        """``(share, created)``; ``created`` is False when an identical share is answered."""
        wanted = ShareRequest(body)
        if not wanted.path:
            raise SharingError(
                403,
                "cannot_share_path",
                "Your home folder itself cannot be shared; pick a file or folder inside it.",
            )
        form: dict[str, Any] = {"path": models.ocs_path(wanted.path)}
        kind, recipient_id = wanted.kind, ""
        if kind != "link":
            kind, form["shareWith"], recipient_id = self._recipient(kind, wanted.recipient)
        item = self._item_type(wanted.path)
        existing = self._same_share(wanted, kind, recipient_id)
        if existing is not None:
            return existing, False
        form["shareType"] = models.OCS_TYPES[kind]
        form["permissions"] = (
            models.EDIT_PERMISSIONS[item]
            if wanted.permission == "edit"
            else models.VIEW_PERMISSIONS
        )
        if wanted.expiration:
            form["expireDate"] = wanted.expiration
        if wanted.note:
            form["note"] = wanted.note
        if wanted.password:
            form["password"] = wanted.password
        try:
            data = self.ocs.shares("POST", "/shares", data=form)
        except OCSError as err:
            raise self._create_failure(err, kind, wanted) from None
        share = models.share(data or {}, self.domain)
        if share is None:
            raise SharingError(502, "site_error", f"{self.domain} sent an unexpected share.")
        return share, True

    def _recipient(self, kind: str, recipient: str) -> tuple[str, str, str]:
        """(share type, OCS ``shareWith``, the id our API shows) for a recipient as typed."""
        if kind != "federated":
            return kind, recipient, recipient
        fid = parse_federated_id(recipient)
        if fid.domain == self.domain:
            # bob@<my site> is just bob: share locally, no federation needed.
            return "user", fid.user, fid.user
        site = self.mesh.require_site(fid.site)
        return kind, cloud_id_for(fid.user, site.url), f"{fid.user}@{site.domain}"

    def _item_type(self, path: str) -> str:
        """``file`` or ``directory`` (edit permissions differ), or why it cannot be shared."""
        try:
            entry = self.dav.stat(path)
        except DavError as err:
            raise dav_failure(err, path) from None
        return "directory" if entry.is_dir else "file"

    def _same_share(
        self, wanted: ShareRequest, kind: str, recipient_id: str
    ) -> dict[str, Any] | None:
        """An existing share that makes this request a repeat, or a 409 for a conflicting one."""
        for share in self.listing(wanted.path):
            if share["type"] != kind:
                continue
            same_settings = (
                share["permission"] == wanted.permission
                and (share["expiration"] or "") == wanted.expiration
                and share["note"] == wanted.note
            )
            if kind == "link":
                if (
                    same_settings
                    and not wanted.password
                    and not share["has_password"]
                    and _created_seconds_ago(share) < LINK_REPEAT_SECONDS
                ):
                    return share
                continue
            person = share["recipient"] or {}
            shown = person.get("federated_id") if kind == "federated" else person.get("id")
            if shown != recipient_id:
                continue
            if same_settings:
                return share
            raise SharingError(
                409,
                "already_shared",
                f"{wanted.path} is already shared with {recipient_id}; change that share "
                "instead of making a second one.",
            )
        return None

    def _create_failure(self, err: OCSError, kind: str, wanted: ShareRequest) -> SharingError:
        if wanted.password and _about_password(err):
            return password_refused(err)
        if err.code in (404, 998) and kind in ("user", "group"):
            return SharingError(
                404,
                "unknown_recipient",
                f"There is no {kind} called {wanted.recipient} on your site.",
            )
        if kind == "federated" and err.code in (400, 403, 404, 998):
            return SharingError(
                404,
                "unknown_recipient",
                f"The share to {wanted.recipient} was refused; check that this person exists at "
                f"that site and that you are in their contacts.{site_says(err)}",
            )
        if err.code in (403, 404, 998):
            return SharingError(
                403, "cannot_share_path", f"This item cannot be shared.{site_says(err)}"
            )
        return ocs_failure(err, self.domain, "create the share")

    def update(self, share_id: str, body: Any) -> dict[str, Any]:
        share_id = validate.identifier(share_id, "share")
        wanted = UpdateRequest(body)
        current = self._mine(share_id)
        if wanted.password is not None and current["type"] != "link":
            raise bad_request("Only public links can have a password.")
        # OCS changes one field per request (docs/protocols.md §2.2).
        changes: list[dict[str, Any]] = []
        if wanted.permission is not None:
            edit = models.EDIT_PERMISSIONS[current["item_type"]]
            changes.append(
                {"permissions": edit if wanted.permission == "edit" else models.VIEW_PERMISSIONS}
            )
        if wanted.expiration is not None:
            changes.append({"expireDate": wanted.expiration})
        if wanted.note is not None:
            changes.append({"note": wanted.note})
        if wanted.password is not None:
            changes.append({"password": wanted.password})
        data: Any = None
        for change in changes:
            try:
                data = self.ocs.shares("PUT", f"/shares/{quote(share_id, safe='')}", data=change)
            except OCSError as err:
                if "password" in change and _about_password(err):
                    raise password_refused(err) from None
                raise ocs_failure(err, self.domain, "update the share") from None
        share = models.share(data or {}, self.domain)
        return share if share is not None else self._mine(share_id)

    def delete(self, share_id: str) -> None:
        share_id = validate.identifier(share_id, "share")
        self._mine(share_id)
        try:
            self.ocs.shares("DELETE", f"/shares/{quote(share_id, safe='')}")
        except OCSError as err:
            raise ocs_failure(err, self.domain, "revoke the share") from None

    def _mine(self, share_id: str) -> dict[str, Any]:
        """One of my shares, by id; 404 for anything else (someone else's share included)."""
        for share in self.listing():
            if share["id"] == share_id:
                return share
        raise SharingError(404, "not_found", "You have no share with this id.")


def _about_password(err: OCSError) -> bool:
    return 400 <= err.code < 500 and "password" in err.message.lower()


def password_refused(err: OCSError) -> SharingError:
    """Nextcloud's password policy refused a link password: say what it wants."""
    return SharingError(
        400, "password_rejected", f"Your site refused this link password.{site_says(err)}"
    )
