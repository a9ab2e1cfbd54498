"""Open Cloud Mesh on the wire: discovery documents, the OCM API a site serves, and its client.

Nextcloud flavour first (docs/protocols.md §3, §8): discovery at ``/ocm-provider/`` with the
API at ``<site>/index.php/ocm`` and shared data at ``/public.php/webdav/`` (Basic
``<secret>:``). The newer ``/.well-known/ocm`` document is served as well, because clients
must cope with both. What a share, a notification or an accepted invitation *does* is
decided in ``federation.py`` and ``sciencemesh.py``; this module checks and moves JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from .webapp import HttpError, Request, Response, Router, json_response, serve

if TYPE_CHECKING:
    from .site import Site

log = logging.getLogger(__name__)

OCM_PATH = "/index.php/ocm"
WEBDAV_PATH = "/public.php/webdav/"
TIMEOUT = 10.0


class OcmError(Exception):
    """A peer could not be reached or refused; the message is safe to log and show."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


# -- addresses -------------------------------------------------------------------------
def split_cloud_id(cloud_id: str) -> tuple[str, str]:
    """(user, remote) like Nextcloud: the last ``@`` before the first ``:`` or ``/``.

    So ``bob@http://127.0.0.1:8082`` gives ``("bob", "http://127.0.0.1:8082")`` and
    ``alice@uni.example@cloud.example.org`` gives ``("alice@uni.example", "cloud.example.org")``.
    """
    stops = [i for i in (cloud_id.find(":"), cloud_id.find("/")) if i >= 0]
    at = cloud_id.rfind("@", 0, min(stops) if stops else len(cloud_id))
    user, remote = cloud_id[:at], cloud_id[at + 1 :].rstrip("/")
    if at <= 0 or not remote:
        raise ValueError("not a federated cloud id (user@server)")
    return user, remote


def host_of(remote: str) -> str:
    """``host[:port]`` of a remote given with or without a scheme, lower-cased."""
    netloc = urlsplit(remote if "://" in remote else "//" + remote).netloc
    return netloc.lower()


# -- discovery documents ------------------------------------------------------------------
def resource_types() -> list[dict[str, Any]]:
    # Only user recipients are implemented for incoming shares, so only "user" is advertised.
    protocols = {"webdav": WEBDAV_PATH}
    return [
        {"name": kind, "shareTypes": ["user"], "protocols": protocols}
        for kind in ("file", "folder")
    ]


def provider_document(site_url: str) -> dict[str, Any]:
    """``/ocm-provider/`` as Nextcloud 32 serves it, minus the signing key (we do not sign)."""
    return {
        "enabled": True,
        "apiVersion": "1.0-proposal1",
        "version": "1.1.0",
        "endPoint": site_url + OCM_PATH,
        "provider": "Nextcloud",
        "resourceTypes": resource_types(),
        "capabilities": ["/invite-accepted", "/notifications", "/shares"],
    }


def wellknown_document(site_url: str, must_invite: bool) -> dict[str, Any]:
    """``/.well-known/ocm`` in the OCM 1.2 shape (words for capabilities, criteria)."""
    return {
        "enabled": True,
        "apiVersion": "1.2.0",
        "endPoint": site_url + OCM_PATH,
        "provider": "cs3_jupyter localmesh",
        "resourceTypes": resource_types(),
        "capabilities": ["notifications", "invites"],
        "criteria": ["must-invite"] if must_invite else [],
    }


class DiscoveryApp:
    """Serves both discovery documents; mounted at ``/ocm-provider`` and ``/.well-known/ocm``."""

    def __init__(self, prefix: str, site: Site, must_invite: Callable[[], bool]) -> None:
        self.prefix = prefix
        self.site = site
        self.must_invite = must_invite

    def handle(self, request: Request) -> Response:
        if request.path != "/":
            raise HttpError(404, "Not found")
        if request.method != "GET":
            raise HttpError(405, "Method not allowed")
        if self.prefix == "/ocm-provider":
            return json_response(
                200,
                provider_document(self.site.url),
                [("X-NEXTCLOUD-OCM-PROVIDERS", "true")],
            )
        return json_response(200, wellknown_document(self.site.url, self.must_invite()))

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> list[bytes]:
        return serve(self.prefix, environ, start_response, self.handle, error_response)


# -- the OCM API this site serves ---------------------------------------------------------
def error_response(request: Request, error: HttpError) -> Response:
    """The OCM spec's error body: ``{"message", "validationErrors"?}``."""
    body: dict[str, Any] = {"message": error.message}
    if error.extra.get("validation"):
        body["validationErrors"] = [
            {"name": name, "message": "REQUIRED"} for name in error.extra["validation"]
        ]
    return json_response(error.status, body)


def require(body: dict[str, Any], *names: str) -> None:
    missing = [n for n in names if body.get(n) in (None, "")]
    if missing:
        raise HttpError(400, "Missing arguments", validation=missing)


class OcmApp:
    """``POST /shares``, ``/notifications``, ``/invite-accepted`` under ``/index.php/ocm``.

    ``on_share``, ``on_notification`` and ``on_invite`` receive the validated JSON body and
    return the response payload, raising :class:`HttpError` to refuse.
    """

    def __init__(
        self,
        on_share: Callable[[dict[str, Any]], dict[str, Any]],
        on_notification: Callable[[dict[str, Any]], dict[str, Any]],
        on_invite: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> None:
        self.router = Router()
        self.router.add("POST", "/shares", self._wrap(on_share, 201))
        self.router.add("POST", "/notifications", self._wrap(on_notification, 201))
        self.router.add("POST", "/invite-accepted", self._wrap(on_invite, 200))

    @staticmethod
    def _wrap(handler: Callable[[dict[str, Any]], dict[str, Any]], status: int):
        def run(request: Request) -> Response:
            if request.content_type != "application/json":
                raise HttpError(400, "Content-Type must be application/json")
            return json_response(status, handler(request.json()))

        return run

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> list[bytes]:
        return serve(OCM_PATH, environ, start_response, self.router.dispatch, error_response)


# -- talking to other sites ----------------------------------------------------------------
class OcmClient:
    """Outgoing OCM calls of one site, over one pooled session, never holding a lock."""

    def __init__(self) -> None:
        self.session = requests.Session()

    def discover(self, base_url: str) -> dict[str, Any]:
        """The peer's discovery document: ``/.well-known/ocm``, else ``/ocm-provider/``."""
        for path in ("/.well-known/ocm", "/ocm-provider/"):
            try:
                reply = self.session.get(base_url + path, timeout=TIMEOUT)
            except requests.RequestException as exc:
                raise OcmError(f"{base_url} is unreachable ({type(exc).__name__})") from None
            if reply.ok:
                try:
                    doc = reply.json()
                except ValueError:
                    continue
                if isinstance(doc, dict) and doc.get("endPoint"):
                    return doc
        raise OcmError(f"{base_url} does not speak OCM")

    def discover_remote(self, remote: str) -> tuple[str, dict[str, Any]]:
        """(base URL, discovery) for a remote given with or without a scheme.

        Without one, https is tried first and http second, as Nextcloud does when it looks
        up a sender; a recipient typed without a scheme is refused earlier (see federation).
        """
        if "://" in remote:
            candidates = [remote.rstrip("/")]
        else:
            candidates = [f"https://{remote}", f"http://{remote}"]
        failure: OcmError | None = None
        for base in candidates:
            try:
                return base, self.discover(base)
            except OcmError as exc:
                failure = exc
        assert failure is not None
        raise failure

    def post(self, endpoint: str, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST JSON to ``<endPoint>/<action>``; raises :class:`OcmError` unless 2xx."""
        url = endpoint.rstrip("/") + "/" + action
        try:
            reply = self.session.post(url, json=payload, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise OcmError(f"{url} is unreachable ({type(exc).__name__})") from None
        try:
            body = reply.json() if reply.content else {}
        except ValueError:
            body = {}
        if not reply.ok:
            message = body.get("message") if isinstance(body, dict) else None
            raise OcmError(f"{action} refused: {message or reply.status_code}", reply.status_code)
        return body if isinstance(body, dict) else {}
