"""A few lines of plain WSGI shared by the sharing side of a site (OCS, OCM, ScienceMesh).

Those endpoints are small JSON/form APIs; a framework would add a dependency for what a
request object, an error type and a route table do here. Every handler raises
:class:`HttpError` for anything the client did wrong, and :func:`serve` turns it into a
response, so no traceback or secret can reach a client through an unhandled path.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from .statuses import status_line

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20  # these APIs carry small forms and JSON, never file data

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict, StartResponse], Iterable[bytes]]


class HttpError(Exception):
    """A refusal with a status and a message that is safe to show to the client."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, start_response: StartResponse) -> list[bytes]:
        headers = [("Content-Type", self.content_type), ("Content-Length", str(len(self.body)))]
        start_response(status_line(self.status), headers + self.headers)
        return [self.body]


def json_response(
    status: int, payload: Any, headers: list[tuple[str, str]] | None = None
) -> Response:
    body = json.dumps(payload).encode()
    return Response(status, body, headers=headers or [])


class Request:
    """The parts of a WSGI environ the sharing APIs read, parsed once and lazily."""

    def __init__(self, environ: dict, path: str) -> None:
        self.environ = environ
        self.method: str = environ.get("REQUEST_METHOD", "GET").upper()
        self.path = path  # relative to the app's prefix, always starting with "/"
        self.query: dict[str, list[str]] = parse_qs(
            environ.get("QUERY_STRING", ""), keep_blank_values=True
        )
        self._body: bytes | None = None
        self._form: dict[str, list[str]] | None = None

    def header(self, name: str, default: str = "") -> str:
        key = "HTTP_" + name.upper().replace("-", "_")
        if name.lower() == "content-type":
            key = "CONTENT_TYPE"
        return self.environ.get(key, default) or default

    @property
    def content_type(self) -> str:
        return self.header("Content-Type").split(";")[0].strip().lower()

    @property
    def body(self) -> bytes:
        if self._body is None:
            try:
                length = int(self.environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                raise HttpError(400, "Invalid Content-Length") from None
            if length > MAX_BODY:
                raise HttpError(413, "Request body too large")
            self._body = self.environ["wsgi.input"].read(length) if length > 0 else b""
        return self._body

    def form(self) -> dict[str, list[str]]:
        """Form fields from the query string and, for urlencoded bodies, the body."""
        if self._form is None:
            merged = {k: list(v) for k, v in self.query.items()}
            if self.content_type == "application/x-www-form-urlencoded":
                body = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
                for key, values in body.items():
                    merged.setdefault(key, []).extend(values)
            self._form = merged
        return self._form

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.form().get(name)
        return values[-1] if values else default

    def args(self, name: str) -> list[str]:
        """A repeated field, in either PHP (``name[]``) or plain spelling."""
        form = self.form()
        return form.get(name + "[]", []) + form.get(name, [])

    def json(self) -> dict[str, Any]:
        """The body as a JSON object; anything else is the client's error."""
        try:
            value = json.loads(self.body or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise HttpError(400, "The body is not valid JSON") from None
        if not isinstance(value, dict):
            raise HttpError(400, "The body must be a JSON object")
        return value

    def json_or_form(self) -> dict[str, Any]:
        """JSON bodies and form posts alike (Reva accepts both on its invitation endpoints)."""
        if self.content_type == "application/json":
            return self.json()
        return {key: values[-1] for key, values in self.form().items()}


Handler = Callable[..., Response]


class Router:
    """Method + path-pattern table; ``{name}`` segments become keyword arguments."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern.rstrip("/") or "/")
        self._routes.append((method, re.compile(f"^{regex}/?$"), handler))

    def dispatch(self, request: Request) -> Response:
        allowed = False
        for method, regex, handler in self._routes:
            match = regex.match(request.path)
            if not match:
                continue
            if method != request.method:
                allowed = True
                continue
            return handler(request, **match.groupdict())
        if allowed:
            raise HttpError(405, "Method not allowed")
        raise HttpError(404, "Not found")


def relative_path(environ: dict, prefix: str) -> str:
    """The request path below ``prefix``, whether or not the router moved it to SCRIPT_NAME."""
    full = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")) or "/"
    # WSGI hands the path over as latin-1 decoded bytes; undo that to get real UTF-8 text.
    full = full.encode("latin-1").decode("utf-8", "replace")
    prefix = prefix.rstrip("/")
    if full.startswith(prefix):
        full = full[len(prefix) :]
    return full if full.startswith("/") else "/" + full


def serve(
    prefix: str,
    environ: dict,
    start_response: StartResponse,
    handle: Callable[[Request], Response],
    on_error: Callable[[Request, HttpError], Response],
) -> list[bytes]:
    """Run one request: parse, handle, and map every failure to a safe response."""
    request = Request(environ, relative_path(environ, prefix))
    try:
        response = handle(request)
    except HttpError as exc:
        response = on_error(request, exc)
    except Exception:
        # Never leak internals; the log keeps the details for whoever runs the mesh.
        log.exception("%s %s failed", request.method, request.path)
        response = on_error(request, HttpError(500, "Internal server error"))
    return response(start_response)
