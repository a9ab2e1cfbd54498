"""OCS (the ownCloud/Nextcloud "Open Collaboration Services" API) on the user's own site.

Servers disagree on small things and this module absorbs all of them (docs/protocols.md §2.1):
v1 says success with statuscode 100 and always HTTP 200, v2 with 200 and mirrors the code
in the HTTP status; failures are ``failure`` (Nextcloud) or ``error`` (Reva); ids come as
JSON strings or ints. Callers get the ``data`` part or an :class:`OCSError`.
"""

from __future__ import annotations

from typing import Any

from .errors import SharingError
from .http import SiteHTTP, json_body

SHARES_API = "/ocs/v2.php/apps/files_sharing/api/v1"
_OK_CODES = {100, 200}
_HEADERS = {"OCS-APIRequest": "true", "Accept": "application/json"}


class OCSError(Exception):
    """A refusal from the OCS API: ``code`` is the OCS statuscode (or HTTP status)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def opaque_id(value: Any) -> str:
    """Share ids are strings on some servers and ints on others: always a string here."""
    return str(value)


class OCSClient:
    """Calls ``/ocs/v2.php/...`` and unwraps the envelope."""

    def __init__(self, http: SiteHTTP) -> None:
        self.http = http

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
    ) -> Any:
        """One OCS request; returns ``ocs.data``, raises :class:`OCSError` on a refusal."""
        query = {"format": "json", **(params or {})}
        response = self.http.request(method, path, params=query, data=data, headers=_HEADERS)
        if response.status_code >= 500 and not _is_json(response):
            raise SharingError(
                502,
                "site_error",
                f"Your site {self.http.domain} is not working right now (it answered HTTP "
                f"{response.status_code}); try again later.",
            )
        body = json_body(response, self.http.domain, "sharing")
        try:
            meta = body["ocs"]["meta"]
            code = int(meta.get("statuscode") or response.status_code)
            status = str(meta.get("status", "")).lower()
        except (KeyError, TypeError, ValueError):
            raise SharingError(
                502, "site_error", f"{self.http.domain} sent an answer that is not OCS."
            ) from None
        if status == "ok" and code in _OK_CODES and response.status_code < 400:
            return body["ocs"].get("data")
        raise OCSError(code, str(meta.get("message") or "").strip())

    def shares(self, method: str, sub: str = "", **kwargs: Any) -> Any:
        """A call below the files_sharing API (``/shares``, ``/remote_shares``, ``/sharees``)."""
        return self.call(method, SHARES_API + sub, **kwargs)

    def current_user(self) -> dict[str, Any]:
        data = self.call("GET", "/ocs/v2.php/cloud/user")
        return data if isinstance(data, dict) else {}


def _is_json(response: Any) -> bool:
    return "json" in response.headers.get("Content-Type", "")
