"""The OCS API of a site (``/ocs/v1.php`` and ``/ocs/v2.php``), Nextcloud flavour.

This module owns what every OCS call shares: the ``OCS-APIRequest`` check, authentication,
the v1/v2 envelopes in JSON or XML and their HTTP status mapping (docs/protocols.md §2.1, §8).
The endpoints themselves are in ``ocs_shares.py`` (shares, remote shares, sharees) and
below (``cloud/capabilities``, ``cloud/user``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from .users import challenge_headers
from .webapp import HttpError, Request, Response, Router, serve

if TYPE_CHECKING:
    from .sharing_side import SharingSide

OK_CODE = {1: 100, 2: 200}
NOT_LOGGED_IN = 997
SHARING_PREFIX = "/apps/files_sharing/api/v1"


class OcsResult:
    """What an OCS handler returns: the ``data`` part, optionally with a non-default status."""

    def __init__(self, data: Any, message: str = "OK") -> None:
        self.data = data
        self.message = message


OcsHandler = Callable[..., OcsResult]


def http_status(version: int, code: int) -> int:
    """Nextcloud's mapping from the OCS status code to the HTTP status."""
    if code == NOT_LOGGED_IN:
        return 401  # both versions, as observed on Nextcloud 32
    if version == 1:
        return 200
    if code in (100, 200):
        return 200
    if code == 998:
        return 404
    if code in (996, 999):
        return 500
    if code < 200 or code > 600:
        return 400
    return code


def wants_json(request: Request) -> bool:
    fmt = (request.query.get("format") or [""])[-1].lower()
    if fmt:
        return fmt == "json"
    return "application/json" in request.header("Accept").lower()


def _xml_value(parent: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            child = ET.SubElement(parent, name if name[:1].isalpha() else "element")
            _xml_value(child, item)
    elif isinstance(value, list):
        for item in value:
            _xml_value(ET.SubElement(parent, "element"), item)
    elif isinstance(value, bool):
        parent.text = "1" if value else ""  # PHP's rendering of booleans
    elif value is not None:
        parent.text = str(value)


def envelope(
    request: Request, version: int, code: int, message: str, data: Any
) -> tuple[bytes, str]:
    """The ``{"ocs": {"meta", "data"}}`` document in the format the client asked for."""
    meta: dict[str, Any] = {
        "status": "ok" if code in (100, 200) else "failure",
        "statuscode": code,
        "message": message,
    }
    if version == 1:
        meta.update(totalitems="", itemsperpage="")  # v1 always carries them, as strings
    doc = {"ocs": {"meta": meta, "data": data}}
    if wants_json(request):
        return json.dumps(doc).encode(), "application/json; charset=utf-8"
    root = ET.Element("ocs")
    _xml_value(root, doc["ocs"])
    body = b'<?xml version="1.0"?>\n' + ET.tostring(root, encoding="utf-8")
    return body, "application/xml; charset=utf-8"


class OcsApp:
    """WSGI app mounted at ``/ocs``; handles both ``v1.php`` and ``v2.php``."""

    PREFIX = "/ocs"

    def __init__(self, sharing: SharingSide) -> None:
        self.sharing = sharing
        self.router = Router()
        # Public endpoints get user None; all others are refused before the handler runs.
        self.public: set[Callable[..., Any]] = set()
        self._add("GET", "/cloud/capabilities", self.capabilities, public=True)
        self._add("GET", "/cloud/user", self.cloud_user)
        sharing.ocs_routes(self._add)

    def _add(self, method: str, pattern: str, handler: OcsHandler, public: bool = False) -> None:
        if public:
            self.public.add(handler)

        def run(request: Request, **params: str) -> Response:
            user = self.sharing.site.users.authenticate(request.environ)
            if user is None and handler not in self.public:
                raise HttpError(NOT_LOGGED_IN, "Current user is not logged in")
            result = handler(request, user, **params)
            return self._render(request, OK_CODE[request.environ["ocs.version"]], result)

        self.router.add(method, pattern, run)

    def _render(self, request: Request, code: int, result: OcsResult) -> Response:
        version = request.environ["ocs.version"]
        body, ctype = envelope(request, version, code, result.message, result.data)
        return Response(http_status(version, code), body, ctype)

    def _fail(self, request: Request, error: HttpError) -> Response:
        version = request.environ.get("ocs.version", 2)
        code = error.status
        body, ctype = envelope(request, version, code, error.message, [])
        if error.status in (412, 405, 413):
            status = error.status  # refused before the OCS layer: HTTP says it
        else:
            status = http_status(version, code)
        headers = challenge_headers(request.environ, "Nextcloud") if status == 401 else []
        return Response(status, body, ctype, headers)

    def handle(self, request: Request) -> Response:
        head, _, rest = request.path.lstrip("/").partition("/")
        if head not in ("v1.php", "v2.php"):
            raise HttpError(
                404,
                "Invalid query, please check the syntax. API specifications are here:"
                " http://www.freedesktop.org/wiki/Specifications/open-collaboration-services.",
            )
        request.environ["ocs.version"] = 1 if head == "v1.php" else 2
        request.path = "/" + rest
        if not request.header("OCS-APIRequest"):
            # Nextcloud refuses OCS calls without it (CSRF protection), even with Basic auth.
            raise HttpError(412, "CSRF check failed")
        return self.router.dispatch(request)

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> list[bytes]:
        return serve(self.PREFIX, environ, start_response, self.handle, self._fail)

    # -- cloud/* ---------------------------------------------------------------------
    def capabilities(self, request: Request, user: str | None) -> OcsResult:
        return OcsResult(self.sharing.capabilities())

    def cloud_user(self, request: Request, user: str) -> OcsResult:
        return OcsResult(self.sharing.user_info(user))
