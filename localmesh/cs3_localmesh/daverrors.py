"""Sabre-style XML error bodies, as Nextcloud sends them, for every WebDAV failure.

Clients (ours included) read ``s:message`` to explain a failure; a stack trace or an HTML page
would be useless to them and could leak internals, so every error leaves through here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from wsgidav.dav_error import DAVError
from wsgidav.mw.base_mw import BaseMiddleware
from wsgidav.util import SubAppStartResponse, get_rfc1123_time

from .files import (
    AlreadyExists,
    FileTreeError,
    IsAFolder,
    NotFound,
    ParentMissing,
    PreconditionFailed,
    QuotaExceeded,
)
from .statuses import reason, status_line

log = logging.getLogger("cs3_localmesh")

_EXCEPTIONS = {
    400: "Sabre\\DAV\\Exception\\BadRequest",
    401: "Sabre\\DAV\\Exception\\NotAuthenticated",
    403: "Sabre\\DAV\\Exception\\Forbidden",
    404: "Sabre\\DAV\\Exception\\NotFound",
    405: "Sabre\\DAV\\Exception\\MethodNotAllowed",
    409: "Sabre\\DAV\\Exception\\Conflict",
    412: "Sabre\\DAV\\Exception\\PreconditionFailed",
    415: "Sabre\\DAV\\Exception\\UnsupportedMediaType",
    416: "Sabre\\DAV\\Exception\\RequestedRangeNotSatisfiable",
    423: "OCA\\DAV\\Connector\\Sabre\\Exception\\FileLocked",
    501: "Sabre\\DAV\\Exception\\NotImplemented",
    503: "Sabre\\DAV\\Exception\\ServiceUnavailable",
    507: "Sabre\\DAV\\Exception\\InsufficientStorage",
}


def sabre_body(code: int, message: str) -> bytes:
    exception = _EXCEPTIONS.get(code, "Sabre\\DAV\\Exception")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">\n'
        f"  <s:exception>{escape(exception)}</s:exception>\n"
        f"  <s:message>{escape(message)}</s:message>\n"
        "</d:error>\n"
    ).encode()


def error_response(
    start_response,
    code: int,
    message: str,
    headers: Iterable[tuple[str, str]] = (),
    *,
    head: bool = False,
) -> list[bytes]:
    """Start a Sabre error response and return its body (empty for HEAD)."""
    body = b"" if head else sabre_body(code, message)
    start_response(
        status_line(code),
        [
            ("Content-Type", "application/xml; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Date", get_rfc1123_time()),
            *headers,
        ],
    )
    return [body]


class SabreError(DAVError):
    """A DAVError that renders as a Sabre body even when wsgidav renders it itself."""

    def __init__(self, code: int, message: str, headers: list[tuple[str, str]] | None = None):
        super().__init__(code, message, add_headers=headers)

    def get_response_page(self) -> tuple[str, bytes]:
        return "application/xml; charset=utf-8", sabre_body(self.value, self.context_info or "")


def from_tree_error(exc: Exception) -> SabreError:
    """Map a storage error to the status Nextcloud uses for it."""
    if isinstance(exc, NotFound):
        return SabreError(404, str(exc))
    if isinstance(exc, ParentMissing | IsAFolder):
        return SabreError(409, str(exc))
    if isinstance(exc, AlreadyExists):
        return SabreError(405, str(exc))
    if isinstance(exc, PreconditionFailed):
        return SabreError(412, str(exc))
    if isinstance(exc, QuotaExceeded):
        return SabreError(507, "Insufficient space")
    return SabreError(400, str(exc))


_BODY = {"content-type", "content-length"}


def _is_html_status_page(status: str, headers: list[tuple[str, str]]) -> bool:
    """wsgidav's HTML page for a success status (e.g. 201); Nextcloud sends no body there."""
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    return status.startswith("2") and content_type.startswith("text/html")


class SabreErrors(BaseMiddleware):
    """WSGI middleware inside wsgidav's stack, replacing its HTML ErrorPrinter."""

    def __call__(self, environ: dict, start_response) -> Iterator[bytes]:
        head = environ.get("REQUEST_METHOD") == "HEAD"
        sub_start = SubAppStartResponse()
        started = blank = False
        try:
            app_iter = self.next_app(environ, sub_start)
            try:
                for chunk in app_iter:
                    if not started:
                        blank = _is_html_status_page(sub_start.status, sub_start.response_headers)
                        headers = sub_start.response_headers
                        if blank:
                            headers = [(k, v) for k, v in headers if k.lower() not in _BODY]
                            headers.append(("Content-Length", "0"))
                        start_response(sub_start.status, headers)
                        started = True
                    if not blank:
                        yield chunk
            finally:
                if hasattr(app_iter, "close"):
                    app_iter.close()
            if not started:
                start_response(sub_start.status, sub_start.response_headers)
            return
        except DAVError as exc:
            code, message, headers = exc.value, exc.context_info or "", exc.add_headers or []
        except (FileTreeError, ValueError) as exc:
            error = from_tree_error(exc)
            code, message, headers = error.value, error.context_info, []
        except Exception:
            log.exception(
                "unexpected error in %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
            )
            code, message, headers = 500, "Internal server error", []
        if started:  # too late for a status: drop the connection rather than lie
            raise RuntimeError("error after the response started")
        if code in (304, 204):
            start_response(status_line(code), [("Content-Length", "0")])
            return
        if not isinstance(message, str) or code == 500:
            message = reason(code)
        yield from error_response(start_response, code, message, headers, head=head)
