"""The sharing service: what the REST handlers call, one method per API operation.

It validates input, talks to the user's own site (OCS shares, ScienceMesh invitations), to
the mesh directory and to other sites' OCM discovery, and returns plain dicts shaped as in
``handlers/openapi.yaml``. Methods block on the network: call them from a worker thread.
Every failure a user can act on is a :class:`SharingError` with a message for them.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any
from urllib.parse import quote

from defusedxml import ElementTree

from . import models
from .directory import MeshDirectory, MeshSite
from .errors import SharingError, bad_request
from .http import SiteHTTP
from .ids import cloud_id_for, parse_federated_id
from .invites import InvitesClient, parse_invitation
from .ocm import Discovery, OCMProvider
from .ocs import OCSClient, OCSError

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NEW_SHARE_KEYS = {"path", "type", "recipient", "permission", "expiration", "note", "password"}
_UPDATE_KEYS = {"permission", "expiration", "note", "password"}
_PROPFIND_TYPE = (
    b'<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/>'
    b"</d:prop></d:propfind>"
)
_MAX_SITE_MESSAGE = 200


def _text(body: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = body.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise bad_request(f"'{key}' must be a non-empty string.")
    return value


def _permission(body: dict[str, Any]) -> str:
    value = body.get("permission")
    if value not in ("view", "edit"):
        raise bad_request("'permission' must be 'view' or 'edit'.")
    return value


def _expiration(value: Any) -> str:
    """``YYYY-MM-DD`` in the future; an empty string for "no expiry"."""
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not _DATE.match(value):
        raise bad_request("'expiration' must be a date written YYYY-MM-DD.")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise bad_request(f"{value} is not a date.") from None
    if day <= date.today():
        raise bad_request("The expiry date must be in the future.")
    return value


def _site_says(err: OCSError) -> str:
    return f" The site said: {err.message[:_MAX_SITE_MESSAGE]}" if err.message else ""


def _received_id(value: str) -> tuple[str, str]:
    kind, _, raw = value.partition("-")
    if kind not in ("local", "federated") or not raw:
        raise SharingError(404, "not_found", "There is no such received share.")
    return kind, raw


class SharingService:
    """Sharing for one user at their own site, within one mesh."""

    def __init__(
        self,
        http: SiteHTTP,
        directory: MeshDirectory,
        discovery: Discovery,
        webdav_root: str = "/remote.php/dav/files/{user}/",
    ) -> None:
        self.http = http
        self.ocs = OCSClient(http)
        self.invites = InvitesClient(http)
        self.directory = directory
        self.discovery = discovery
        self.webdav_root = webdav_root.replace("{user}", quote(http.user, safe=""))

    @property
    def domain(self) -> str:
        return self.http.domain

    # --- who and where -------------------------------------------------------------------

    def whoami(self) -> dict[str, Any]:
        try:
            data = self.ocs.current_user()
        except OCSError as err:
            raise self._ocs_failure(err, "read your account") from None
        user = str(data.get("id") or self.http.user)
        mine = self._my_site()
        return {
            "user": user,
            "display_name": str(data.get("display-name") or data.get("displayname") or user),
            "site": {
                "name": mine.name if mine else self.domain,
                "url": self.http.url,
                "domain": self.domain,
            },
            "federated_id": f"{user}@{self.domain}",
        }

    def mesh_sites(self) -> list[dict[str, Any]]:
        """Every directory site with its discovery state, probed in parallel (one deadline)."""
        sites = self.directory.sites()
        found = self.discovery.discover_many(site.url for site in sites)
        return [self._describe_site(site, found[site.url]) for site in sites]

    def _describe_site(
        self, site: MeshSite, provider: OCMProvider | SharingError
    ) -> dict[str, Any]:
        model: dict[str, Any] = {
            "name": site.name,
            "url": site.url,
            "domain": site.domain,
            "reachable": True,
            "ocm_version": None,
            "capabilities": [],
            "is_mine": site.domain == self.domain,
        }
        if isinstance(provider, SharingError):
            model["reachable"] = provider.reason != "site_unreachable"
            model["error"] = provider.message
            return model
        model["ocm_version"] = provider.api_version or None
        model["capabilities"] = list(provider.capabilities)
        return model

    def _my_site(self) -> MeshSite | None:
        try:
            return self.directory.find(self.domain)
        except SharingError:
            return None

    def _mesh_site(self, site: str) -> MeshSite:
        """A site of the mesh by domain/URL/name that speaks OCM, or a clear error."""
        found = self.directory.find(site)
        if found is None:
            raise SharingError(
                404,
                "site_not_in_mesh",
                f"{site} is not a site of the ScienceMesh this server knows; check the spelling "
                "or ask the person for their full address.",
            )
        self.discovery.discover(found.url)
        return found

    # --- shares I made -------------------------------------------------------------------

    def list_shares(self, path: str = "") -> list[dict[str, Any]]:
        params = {"path": models.ocs_path(path)} if path.strip("/") else {}
        try:
            data = self.ocs.shares("GET", "/shares", params=params)
        except OCSError as err:
            if err.code in (404, 998):
                raise SharingError(
                    404, "not_found", f"{path} does not exist in your files."
                ) from None
            raise self._ocs_failure(err, "list your shares") from None
        found = (models.share(item, self.domain) for item in data or ())
        return [share for share in found if share is not None]

    def create_share(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise bad_request("Send a JSON object describing the share.")
        unknown = set(body) - _NEW_SHARE_KEYS
        if unknown:
            raise bad_request(f"Unknown field(s): {', '.join(sorted(unknown))}.")
        path = _text(body, "path", required=True).strip("/")
        kind = body.get("type")
        if kind not in models.OCS_TYPES:
            raise bad_request("'type' must be one of user, group, link, federated.")
        permission = _permission(body)
        expiration = _expiration(body.get("expiration"))
        note = _text(body, "note")
        password = _text(body, "password")
        if password and kind != "link":
            raise bad_request("Only public links can have a password.")
        if not path:
            raise SharingError(
                403,
                "cannot_share_path",
                "Your home folder itself cannot be shared; pick a file or folder inside it.",
            )
        form: dict[str, Any] = {"path": models.ocs_path(path)}
        if kind != "link":
            recipient = _text(body, "recipient", required=True).strip()
            kind, form["shareWith"] = self._recipient(kind, recipient)
        form["shareType"] = models.OCS_TYPES[kind]
        item = self._item_type(path)
        form["permissions"] = (
            models.EDIT_PERMISSIONS[item] if permission == "edit" else models.VIEW_PERMISSIONS
        )
        if expiration:
            form["expireDate"] = expiration
        if note:
            form["note"] = note
        if password:
            form["password"] = password
        try:
            data = self.ocs.shares("POST", "/shares", data=form)
        except OCSError as err:
            raise self._create_failure(err, kind, body.get("recipient")) from None
        share = models.share(data or {}, self.domain)
        if share is None:
            raise SharingError(502, "site_error", f"{self.domain} sent an unexpected share.")
        return share

    def _recipient(self, kind: str, recipient: str) -> tuple[str, str]:
        """The share type and OCS ``shareWith`` for a recipient as the user gave it."""
        if kind != "federated":
            return kind, recipient
        fid = parse_federated_id(recipient)
        if fid.domain == self.domain:
            # bob@<my site> is just bob: share locally, no federation needed.
            return "user", fid.user
        site = self._mesh_site(fid.site)
        return kind, cloud_id_for(fid.user, site.url)

    def _item_type(self, path: str) -> str:
        """``file`` or ``directory`` (edit permissions differ), or why it cannot be shared."""
        url = self.webdav_root.rstrip("/") + "/" + quote(path, safe="/")
        response = self.http.request(
            "PROPFIND",
            url,
            data=_PROPFIND_TYPE,
            headers={"Depth": "0", "Content-Type": "application/xml; charset=utf-8"},
        )
        if response.status_code == 404:
            raise SharingError(
                404,
                "cannot_share_path",
                f"{path} does not exist in your files, so it cannot be shared.",
            )
        if response.status_code != 207:
            raise SharingError(
                502, "site_error", f"{self.domain} could not tell what {path} is; try again."
            )
        try:
            tree = ElementTree.fromstring(response.content)
        except ElementTree.ParseError:
            raise SharingError(
                502, "site_error", f"{self.domain} sent an unreadable file listing."
            ) from None
        is_dir = tree.find(".//{DAV:}resourcetype/{DAV:}collection") is not None
        return "directory" if is_dir else "file"

    def _create_failure(self, err: OCSError, kind: str, recipient: Any) -> SharingError:
        if err.code in (404, 998) and kind in ("user", "group"):
            return SharingError(
                404,
                "unknown_recipient",
                f"There is no {kind} called {recipient!s} on your site.",
            )
        if kind == "federated" and err.code in (400, 403, 404, 998):
            return SharingError(
                404,
                "unknown_recipient",
                f"The share to {recipient!s} was refused; check that this person exists at "
                f"that site and that you are in their contacts.{_site_says(err)}",
            )
        if err.code in (403, 404, 998):
            return SharingError(
                403, "cannot_share_path", f"This item cannot be shared.{_site_says(err)}"
            )
        return self._ocs_failure(err, "create the share")

    def update_share(self, share_id: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not body:
            raise bad_request("Send a JSON object with the fields to change.")
        unknown = set(body) - _UPDATE_KEYS
        if unknown:
            raise bad_request(f"Unknown field(s): {', '.join(sorted(unknown))}.")
        current = self._my_share(share_id)
        # OCS changes one field per request (docs/protocols.md §2.2).
        changes: list[dict[str, Any]] = []
        if "permission" in body:
            permission = _permission(body)
            bits = (
                models.EDIT_PERMISSIONS[current["item_type"]]
                if permission == "edit"
                else models.VIEW_PERMISSIONS
            )
            changes.append({"permissions": bits})
        if "expiration" in body:
            changes.append({"expireDate": _expiration(body["expiration"])})
        if "note" in body:
            changes.append({"note": _text(body, "note")})
        if "password" in body:
            if current["type"] != "link":
                raise bad_request("Only public links can have a password.")
            changes.append({"password": _text(body, "password")})
        data: Any = None
        for change in changes:
            try:
                data = self.ocs.shares("PUT", f"/shares/{quote(share_id, safe='')}", data=change)
            except OCSError as err:
                raise self._ocs_failure(err, "update the share") from None
        share = models.share(data or {}, self.domain)
        return share if share is not None else self._my_share(share_id)

    def delete_share(self, share_id: str) -> None:
        self._my_share(share_id)
        try:
            self.ocs.shares("DELETE", f"/shares/{quote(share_id, safe='')}")
        except OCSError as err:
            raise self._ocs_failure(err, "revoke the share") from None

    def _my_share(self, share_id: str) -> dict[str, Any]:
        """One of my shares, by id; 404 for anything else (someone else's share included)."""
        for share in self.list_shares():
            if share["id"] == share_id:
                return share
        raise SharingError(404, "not_found", "You have no share with this id.")

    # --- shares with me ------------------------------------------------------------------

    def received(self, state: str = "all") -> list[dict[str, Any]]:
        if state not in ("pending", "accepted", "all"):
            raise bad_request("'state' must be pending, accepted or all.")
        # (state, kind, OCS listing): up to four independent lists, fetched at once because
        # the panel polls this.
        lists = [
            ("pending", "local", "/shares/pending", None),
            ("pending", "federated", "/remote_shares/pending", None),
            ("accepted", "local", "/shares", {"shared_with_me": "true"}),
            ("accepted", "federated", "/remote_shares", None),
        ]
        wanted = [item for item in lists if state in ("all", item[0])]
        with ThreadPoolExecutor(max_workers=len(wanted)) as pool:
            results = list(pool.map(lambda item: self._ocs_list(item[2], item[3]), wanted))
        out: list[dict[str, Any]] = []
        for (item_state, kind, _, _), items in zip(wanted, results, strict=True):
            for item in items:
                if kind == "local":
                    out.append(models.received_local(item, item_state, self.domain))
                else:
                    out.append(models.received_remote(item, item_state))
        return out

    def accept(self, received_id: str) -> dict[str, Any]:
        kind, raw = _received_id(received_id)
        sub = "/shares/pending/" if kind == "local" else "/remote_shares/pending/"
        try:
            self.ocs.shares("POST", sub + quote(raw, safe=""))
        except OCSError as err:
            raise self._received_failure(err, "accept") from None
        for item in self.received("accepted"):
            if item["id"] == received_id:
                return item
        raise SharingError(
            502, "site_error", "The share was accepted but does not show up in your files yet."
        )

    def decline(self, received_id: str) -> None:
        kind, raw = _received_id(received_id)
        pending = {item["id"] for item in self.received("pending")}
        quoted = quote(raw, safe="")
        if kind == "local":
            # Nextcloud leaves a received share (pending or not) by deleting it as recipient.
            sub = "/shares/" + quoted
        elif received_id in pending:
            sub = "/remote_shares/pending/" + quoted
        else:
            sub = "/remote_shares/" + quoted
        try:
            self.ocs.shares("DELETE", sub)
        except OCSError as err:
            raise self._received_failure(err, "decline") from None

    def _received_failure(self, err: OCSError, action: str) -> SharingError:
        if err.code in (404, 998):
            return SharingError(
                404, "not_found", "There is no such share for you to " + action + "."
            )
        return self._ocs_failure(err, f"{action} the share")

    def _ocs_list(self, sub: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        try:
            data = self.ocs.shares("GET", sub, params=params)
        except OCSError as err:
            raise self._ocs_failure(err, "list the shares you received") from None
        return [item for item in data or () if isinstance(item, dict)]

    # --- recipients, contacts, invitations -----------------------------------------------

    def recipients(self, query: str) -> list[dict[str, Any]]:
        q = query.strip()
        if not q:
            raise bad_request("Type part of a name to search for.")
        # Three independent look-ups (discovery, contacts, sharees): asked at once, since the
        # share dialog searches as the user types.
        with ThreadPoolExecutor(max_workers=3) as pool:
            typed_job = pool.submit(self._typed_recipient, q)
            contacts_job = pool.submit(self._contacts_if_any)
            local_job = pool.submit(self._local_recipients, q)
            typed, contacts, local = typed_job.result(), contacts_job.result(), local_job.result()
        out: list[dict[str, Any]] = [typed] if typed else []
        for item in contacts:
            haystack = f"{item['federated_id']} {item['display_name']}".lower()
            if q.lower() in haystack and all(r["id"] != item["federated_id"] for r in out):
                out.append(
                    {
                        "type": "federated",
                        "id": item["federated_id"],
                        "label": f"{item['display_name']} ({item['federated_id']})",
                        "site": item["site"],
                        "source": "contact",
                    }
                )
        return out + local

    def _typed_recipient(self, q: str) -> dict[str, Any] | None:
        """``user@site`` for a mesh site that speaks OCM; discovery errors are raised."""
        if "@" not in q:
            return None
        try:
            fid = parse_federated_id(q)
            site = self.directory.find(fid.site)
        except SharingError:
            return None
        if site is None or site.domain == self.domain:
            return None
        self.discovery.discover(site.url)
        address = f"{fid.user}@{site.domain}"
        return {
            "type": "federated",
            "id": address,
            "label": f"{address} ({site.name})",
            "site": site.domain,
            "source": "typed",
        }

    def _local_recipients(self, q: str) -> list[dict[str, Any]]:
        try:
            data = self.ocs.shares(
                "GET", "/sharees", params={"search": q, "itemType": "file", "perPage": "25"}
            )
        except OCSError as err:
            raise self._ocs_failure(err, "search for people") from None
        data = data if isinstance(data, dict) else {}
        exact = data.get("exact")
        exact = exact if isinstance(exact, dict) else {}
        out: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for group_key, kind in (("users", "user"), ("groups", "group")):
            for entry in [*(exact.get(group_key) or ()), *(data.get(group_key) or ())]:
                value = entry.get("value") if isinstance(entry, dict) else None
                if not isinstance(value, dict) or not value.get("shareWith"):
                    continue
                ident = str(value["shareWith"])
                if (ident == self.http.user and kind == "user") or (kind, ident) in seen:
                    continue
                seen.add((kind, ident))
                out.append(
                    {
                        "type": kind,
                        "id": ident,
                        "label": str(entry.get("label") or ident),
                        "site": self.domain,
                        "source": "local",
                    }
                )
        return out

    def contacts(self) -> list[dict[str, Any]]:
        return [models.contact(user) for user in self.invites.accepted_users()]

    def _contacts_if_any(self) -> list[dict[str, Any]]:
        """Contacts, or none on a site without ScienceMesh: search still finds local people."""
        try:
            return self.contacts()
        except SharingError as err:
            if err.reason == "not_supported":
                return []
            raise

    def delete_contact(self, site: str, user: str) -> None:
        wanted = models.contact({"user_id": user, "idp": site})
        for raw in self.invites.accepted_users():
            found = models.contact(raw)
            if found["federated_id"] == wanted["federated_id"]:
                self.invites.delete_accepted_user(str(raw.get("idp")), str(raw.get("user_id")))
                return
        raise SharingError(404, "not_found", f"{user}@{site} is not one of your contacts.")

    def create_invitation(self, body: Any) -> dict[str, Any]:
        body = body if body is not None else {}
        if not isinstance(body, dict) or set(body) - {"description"}:
            raise bad_request("Only a 'description' can be given for an invitation.")
        data = self.invites.generate(_text(body, "description"))
        token = str(data.get("token") or "")
        if not token:
            raise SharingError(502, "site_error", f"{self.domain} did not create an invitation.")
        expiration = data.get("expiration")
        return {
            "token": token,
            "link": str(data.get("invite_link") or data.get("inviteLink") or ""),
            "expiration": models.timestamp(expiration)
            if str(expiration or "").isdigit()
            else (str(expiration) if expiration else None),
        }

    def accept_invitation(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or set(body) - {"token", "site"}:
            raise bad_request("Send the invitation 'token' and the inviter's 'site'.")
        token, named_site = parse_invitation(_text(body, "token", required=True))
        site_text = _text(body, "site").strip() or named_site
        if not site_text:
            raise bad_request("Say which site the invitation comes from ('site').")
        site = self._mesh_site(site_text)
        if site.domain == self.domain:
            raise bad_request("This invitation comes from your own site; no need to accept it.")
        before = {c["federated_id"] for c in self.contacts()}
        self.invites.accept(token, site.domain)
        after = [c for c in self.contacts() if c["site"] == site.domain]
        new = [c for c in after if c["federated_id"] not in before]
        if new or after:
            return (new or after)[0]
        raise SharingError(
            502, "site_error", "The invitation was accepted but the contact did not appear."
        )

    # --- plumbing ------------------------------------------------------------------------

    def _ocs_failure(self, err: OCSError, action: str) -> SharingError:
        if err.code in (403, 997):
            return SharingError(403, "forbidden", f"Your site did not let you {action}.")
        if err.code in (404, 998):
            return SharingError(404, "not_found", f"Could not {action}: not found.")
        if 400 <= err.code < 500:
            return SharingError(400, "bad_request", f"Could not {action}.{_site_says(err)}")
        return SharingError(502, "site_error", f"Your site failed to {action}; try again later.")
