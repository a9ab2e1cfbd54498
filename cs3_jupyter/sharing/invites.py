"""ScienceMesh invitations and contacts on the user's own site (docs/protocols.md §4.2).

Before two people at different sites can share, one generates an invitation token and the
other accepts it at their own site, which tells the inviter's site over OCM
(``/ocm/invite-accepted``). Both then list each other as "accepted users": our contacts.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .errors import SharingError
from .http import SiteHTTP, json_body

PREFIX = "/sciencemesh"


def parse_invitation(text: str) -> tuple[str, str]:
    """``(token, inviter's site or "")`` from whatever the invitee pasted.

    People receive invitations in three forms: the bare token, the invite link
    (``...?token=<t>&providerDomain=<site>``, Reva/WAYF), or the OCM 1.2.2 invite string,
    base64 of ``<token>@<site>``. All three are accepted so nobody has to pick the parts out.
    """
    value = text.strip()
    query = parse_qs(urlsplit(value).query) if "token=" in value else {}
    if query.get("token"):
        return query["token"][0], (query.get("providerDomain") or [""])[0]
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return value, ""
    token, at, site = decoded.rpartition("@")
    if at and token and site and decoded.isprintable():
        return token, site
    return value, ""


class InvitesClient:
    def __init__(self, http: SiteHTTP) -> None:
        self.http = http

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        action: str,
        found: bool = False,
    ) -> Any:
        """One request to ``action`` (words for messages: "list your contacts"); a 404 means
        the site has no such endpoint, unless ``found`` says the endpoint answers 404 for a
        missing item itself."""
        response = self.http.request(
            method,
            PREFIX + path,
            data=json.dumps(body) if body is not None else None,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        if response.status_code == 404 and not found:
            raise SharingError(
                501,
                "not_supported",
                f"{self.http.domain} does not offer ScienceMesh invitations and contacts.",
            )
        if response.status_code >= 500:
            raise SharingError(
                502,
                "site_error",
                f"Your site {self.http.domain} failed to {action} (HTTP "
                f"{response.status_code}); try again later.",
            )
        if response.status_code >= 400:
            raise _refusal(response.status_code, _message(response))
        text = response.text.strip()
        # Reva writes its JSON before setting a content type, so read by content, not header.
        return json_body(response, self.http.domain, "invitation") if text else None

    def generate(self, description: str = "") -> dict[str, Any]:
        body = {"description": description} if description else {}
        return self._call("POST", "/generate-invite", body, action="create an invitation") or {}

    def accept(self, token: str, provider_domain: str) -> Any:
        return self._call(
            "POST",
            "/accept-invite",
            {"token": token, "providerDomain": provider_domain},
            action="complete the invitation (the inviting site may be down)",
        )

    def accepted_users(self) -> list[dict[str, Any]]:
        users = self._call("GET", "/find-accepted-users", action="list your contacts")
        return [u for u in users or () if isinstance(u, dict)]

    def delete_accepted_user(self, idp: str, user_id: str) -> None:
        body = {"idp": idp, "user_id": user_id}
        self._call("DELETE", "/delete-accepted-user", body, action="remove the contact", found=True)


def _message(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:200]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or "")[:200]
    return ""


def _refusal(status: int, detail: str) -> SharingError:
    lowered = detail.lower()
    if "expired" in lowered:
        return SharingError(410, "expired_token", "This invitation has expired; ask for a new one.")
    if status == 409:
        return SharingError(409, "already_accepted", "You have already accepted this invitation.")
    if status in (400, 404) and "token" in lowered:
        return SharingError(
            404,
            "invalid_token",
            "This invitation is not valid at that site: it may have expired or been mistyped. "
            "Check the token and the site, or ask for a new invitation.",
        )
    if status == 403:
        return SharingError(
            403, "forbidden", "The inviting site does not trust your site, so it refused."
        )
    # The site's own text is only matched above, never echoed: it may quote the token.
    return SharingError(400, "bad_request", "The site refused this invitation request.")
