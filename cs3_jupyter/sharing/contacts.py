"""ScienceMesh contacts and the invitations that make them (protocols in ``invites.py``)."""

from __future__ import annotations

from typing import Any

from . import models, validate
from .errors import SharingError, bad_request
from .invites import InvitesClient, parse_invitation
from .mesh import Mesh


class Contacts:
    def __init__(self, invites: InvitesClient, mesh: Mesh, domain: str) -> None:
        self.invites = invites
        self.mesh = mesh
        self.domain = domain

    def listing(self) -> list[dict[str, Any]]:
        return [models.contact(user) for user in self.invites.accepted_users()]

    def listing_if_any(self) -> list[dict[str, Any]]:
        """Contacts, or none on a site without ScienceMesh (search still finds local people)."""
        try:
            return self.listing()
        except SharingError as err:
            if err.reason == "not_supported":
                return []
            raise

    def delete(self, site: str, user: str) -> None:
        site = validate.identifier(site, "contact site")
        user = validate.identifier(user, "contact")
        wanted = models.contact({"user_id": user, "idp": site})
        for raw in self.invites.accepted_users():
            found = models.contact(raw)
            if found["federated_id"] == wanted["federated_id"]:
                self.invites.delete_accepted_user(str(raw.get("idp")), str(raw.get("user_id")))
                return
        raise SharingError(404, "not_found", f"{user}@{site} is not one of your contacts.")

    def create_invitation(self, body: Any) -> dict[str, Any]:
        body = validate.body_object(
            body if body is not None else {}, {"description"}, "with an optional 'description'"
        )
        description = validate.field(
            body, "description", max_chars=validate.MAX_DESCRIPTION_CHARS, multiline=True
        )
        data = self.invites.generate(description)
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
        body = validate.body_object(
            body, {"token", "site"}, "with the invitation 'token' and the inviter's 'site'"
        )
        raw = validate.field(body, "token", max_chars=validate.MAX_TOKEN_CHARS, required=True)
        token, named_site = parse_invitation(raw)
        site_text = (
            validate.field(body, "site", max_chars=validate.MAX_RECIPIENT_CHARS).strip()
            or named_site
        )
        if not site_text:
            raise bad_request("Say which site the invitation comes from ('site').")
        site = self.mesh.require_site(site_text)
        if site.domain == self.domain:
            raise bad_request("This invitation comes from your own site; no need to accept it.")
        before = {c["federated_id"] for c in self.listing()}
        self.invites.accept(token, site.domain)
        after = [c for c in self.listing() if c["site"] == site.domain]
        new = [c for c in after if c["federated_id"] not in before]
        if new or after:
            return (new or after)[0]
        raise SharingError(
            502, "site_error", "The invitation was accepted but the contact did not appear."
        )
