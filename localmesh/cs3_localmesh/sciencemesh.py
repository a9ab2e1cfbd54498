"""ScienceMesh invitations and contacts, in the shapes of Reva's ``/sciencemesh`` API.

alice@A generates a token; bob@B accepts it at his own site, which calls A's OCM
``/invite-accepted``; from then on each is the other's contact (docs/protocols.md §3.6, §4.2).
Contacts feed the recipient search and, when a site requires it (must-invite), decide
whether a federated share may arrive at all. Tokens and contacts live in the site's SQLite.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .db import Database
from .directory import PATH as DIRECTORY_PATH
from .directory import Directory
from .ocm import OcmClient, OcmError, host_of, require
from .webapp import HttpError, Request, Response, Router, json_response, serve

if TYPE_CHECKING:
    from .site import Site

PREFIX = "/sciencemesh"
INVITE_LIFETIME = 24 * 3600  # Reva's default

SCHEMA = """
CREATE TABLE IF NOT EXISTS invites (
    token TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    recipient TEXT NOT NULL DEFAULT '',
    expiration INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS contacts (
    user TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    idp TEXT NOT NULL,
    server TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    created INTEGER NOT NULL,
    PRIMARY KEY (user, contact_id, idp)
);
"""


@dataclass(frozen=True)
class Contact:
    user: str  # the local user whose contact this is
    contact_id: str  # the contact's user id at their site
    idp: str  # their site's domain, host:port
    server: str  # their site's base URL, with scheme
    name: str
    email: str
    created: int

    @property
    def cloud_id(self) -> str:
        """The address to share with: with the scheme, as Nextcloud needs for plain http."""
        return f"{self.contact_id}@{self.server}"


class Contacts:
    """Invitation tokens and the contacts they produced."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.add_schema(SCHEMA)

    def new_invite(self, user: str, description: str, recipient: str) -> dict[str, Any]:
        token = str(uuid.uuid4())
        expiration = int(time.time()) + INVITE_LIFETIME
        self.db.execute(
            "INSERT INTO invites VALUES (?,?,?,?,?)",
            (token, user, description, recipient, expiration),
        )
        return {"token": token, "description": description, "expiration": expiration}

    def invites_of(self, user: str) -> list[dict[str, Any]]:
        rows = self.db.query(
            "SELECT token, description, expiration FROM invites WHERE user = ? ORDER BY rowid",
            (user,),
        )
        return [dict(r) for r in rows]

    def invite(self, token: str) -> dict[str, Any] | None:
        row = self.db.query_one("SELECT * FROM invites WHERE token = ?", (token,))
        return dict(row) if row else None

    def add(self, user: str, contact_id: str, server: str, name: str, email: str) -> bool:
        """Record a contact; False if it was already there."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO contacts VALUES (?,?,?,?,?,?,?)",
            (user, contact_id, host_of(server), server, name, email, int(time.time())),
        )
        return cursor.rowcount == 1

    def of(self, user: str) -> list[Contact]:
        rows = self.db.query("SELECT * FROM contacts WHERE user = ? ORDER BY created", (user,))
        return [Contact(**dict(r)) for r in rows]

    def knows(self, user: str, contact_id: str, remote: str) -> bool:
        row = self.db.query_one(
            "SELECT 1 FROM contacts WHERE user = ? AND contact_id = ? AND idp = ?",
            (user, contact_id, host_of(remote)),
        )
        return row is not None

    def remove(self, user: str, contact_id: str, idp: str) -> bool:
        cursor = self.db.execute(
            "DELETE FROM contacts WHERE user = ? AND contact_id = ? AND idp = ?",
            (user, contact_id, host_of(idp)),
        )
        return cursor.rowcount == 1


class ScienceMesh:
    """The ``/sciencemesh`` endpoints and the OCM ``/invite-accepted`` receiver."""

    def __init__(
        self,
        *,
        site: Site,
        contacts: Contacts,
        directory: Directory,
        client: OcmClient,
    ) -> None:
        self.site = site
        self.contacts = contacts
        self.directory = directory
        self.client = client
        self.router = Router()
        for method, path, handler, public in (
            ("POST", "/generate-invite", self.generate_invite, False),
            ("POST", "/accept-invite", self.accept_invite, False),
            ("GET", "/find-accepted-users", self.find_accepted_users, False),
            ("DELETE", "/delete-accepted-user", self.delete_accepted_user, False),
            ("GET", "/list-invite", self.list_invite, False),
            ("GET", "/list-providers", self.list_providers, False),
            ("GET", "/federations", self.federations, True),
            ("POST", "/discover", self.discover, True),
        ):
            self.router.add(method, path, self._guard(handler, public))

    def _guard(self, handler: Callable[..., Response], public: bool) -> Callable[..., Response]:
        def run(request: Request) -> Response:
            user = self.site.users.authenticate(request.environ)
            if user is None and not public:
                raise HttpError(401, "Unauthorized")
            return handler(request, user)

        return run

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> list[bytes]:
        return serve(
            PREFIX,
            environ,
            start_response,
            self.router.dispatch,
            lambda _req, err: json_response(err.status, {"message": err.message}),
        )

    # -- user-facing -------------------------------------------------------------------
    def _link(self, token: str) -> str:
        query = urlencode({"token": token, "providerDomain": self.site.host})
        return f"{self.site.url}{DIRECTORY_PATH}?{query}"

    def generate_invite(self, request: Request, user: str) -> Response:
        body = request.json() if request.body else {}
        invite = self.contacts.new_invite(
            user, str(body.get("description") or ""), str(body.get("recipient") or "")
        )
        return json_response(200, {**invite, "invite_link": self._link(invite["token"])})

    def list_invite(self, request: Request, user: str) -> Response:
        invites = self.contacts.invites_of(user)
        return json_response(200, [{**i, "invite_link": self._link(i["token"])} for i in invites])

    def accept_invite(self, request: Request, user: str) -> Response:
        body = request.json_or_form()
        token, domain = str(body.get("token") or ""), str(body.get("providerDomain") or "")
        if not token or not domain:
            raise HttpError(400, "token and providerDomain are required")
        provider = self.directory.find(domain)
        if provider is None:
            raise HttpError(400, "the provider is not in the mesh directory")
        payload = {
            "recipientProvider": self.site.host,
            "token": token,
            "userID": user,
            "email": "",
            "name": self.site.users.display_name(user) or user,
        }
        try:
            inviter = self.client.post(provider.ocm_endpoint, "invite-accepted", payload)
        except OcmError as exc:
            if exc.status == 409:
                raise HttpError(409, "invitation already accepted") from None
            if exc.status in (400, 404):
                raise HttpError(400, "invalid or non existing token") from None
            if exc.status == 403:
                raise HttpError(403, "the provider does not trust this site") from None
            raise HttpError(502, "the provider could not be reached") from None
        inviter_id = str(inviter.get("userID") or "")
        if not inviter_id:
            raise HttpError(502, "the provider's answer names no user")
        self.contacts.add(
            user,
            inviter_id,
            provider.url,
            str(inviter.get("name") or inviter_id),
            str(inviter.get("email") or ""),
        )
        return Response(200)

    def find_accepted_users(self, request: Request, user: str) -> Response:
        term = (request.arg("term") or "").lower()
        found = [
            {"display_name": c.name, "idp": c.idp, "user_id": c.contact_id, "mail": c.email}
            for c in self.contacts.of(user)
            if term in c.contact_id.lower() or term in c.name.lower()
        ]
        return json_response(200, found)

    def delete_accepted_user(self, request: Request, user: str) -> Response:
        body = request.json_or_form()
        contact_id, idp = str(body.get("user_id") or ""), str(body.get("idp") or "")
        if not contact_id or not idp:
            raise HttpError(400, "user_id and idp are required")
        if not self.contacts.remove(user, contact_id, idp):
            raise HttpError(404, "no such contact")
        return Response(200)

    def list_providers(self, request: Request, user: str) -> Response:
        term = (request.arg("search") or "").lower()
        providers = [
            {"full_name": info["full_name"], "domain": info["domain"]}
            for info in self.directory.document()
        ]
        found = [
            p for p in providers if term in p["full_name"].lower() or term in p["domain"].lower()
        ]
        return json_response(200, found)

    def federations(self, request: Request, user: str | None) -> Response:
        servers = [
            {"displayName": info["full_name"], "url": info["homepage"], "inviteAcceptDialog": ""}
            for info in self.directory.document()
        ]
        return json_response(200, [{"federation": "localmesh", "servers": servers}])

    def discover(self, request: Request, user: str | None) -> Response:
        domain = str(request.json_or_form().get("domain") or "")
        provider = self.directory.find(domain) if domain else None
        if provider is None:
            raise HttpError(404, "provider not found")
        try:
            doc = self.client.discover(provider.url)
        except OcmError:
            raise HttpError(404, "the provider does not answer OCM discovery") from None
        dialog = doc.get("inviteAcceptDialog")
        if not dialog:
            raise HttpError(404, "the provider has no invite accept dialog")
        return json_response(200, {"inviteAcceptDialog": dialog})

    # -- server-to-server ----------------------------------------------------------------
    def invite_accepted(self, body: dict[str, Any]) -> dict[str, Any]:
        """OCM ``/invite-accepted``: the invitee's site tells us our user's token was used."""
        require(body, "recipientProvider", "token", "userID", "name")
        invite = self.contacts.invite(str(body["token"]))
        if invite is None or invite["expiration"] < time.time():
            raise HttpError(400, "Invalid or non existing token")
        provider = self.directory.find(str(body["recipientProvider"]))
        if provider is None:
            raise HttpError(403, "The recipient provider is not trusted")
        user = invite["user"]
        if provider.domain == self.site.host and str(body["userID"]) == user:
            raise HttpError(400, "You cannot accept your own invitation")
        added = self.contacts.add(
            user, str(body["userID"]), provider.url, str(body["name"]), str(body.get("email") or "")
        )
        if not added:
            raise HttpError(409, "Invitation already accepted")
        return {"userID": user, "email": "", "name": self.site.users.display_name(user) or user}
