"""The ``/_localmesh/`` admin API that :class:`~cs3_localmesh.mesh.Mesh` drives.

Guarded by a per-run admin token (header ``X-Localmesh-Admin``) written only to the ready
file, so no user credential ever doubles as an admin key.

- ``POST /users`` ``{"user", "password"?, "display_name"?, "groups"?}`` -> 201 credentials
- ``POST /faults`` ``{"kind", ...params}`` -> 204; ``DELETE /faults`` -> 204
- ``GET /stats`` -> requests by method; ``GET /stats/routes`` -> by method and route;
  ``DELETE /stats`` -> 204
- ``POST /uploads/expire`` ``{"idle_seconds"}`` -> ``{"expired": n}`` (chunked uploads idle
  that long are dropped, as the site's own sweep does after 24 h)
"""

from __future__ import annotations

import hmac
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .site import Site

_MAX_BODY = 1 << 16


def _json(start_response, status: str, payload: Any = None) -> list[bytes]:
    body = b"" if payload is None else json.dumps(payload).encode()
    headers = [("Content-Length", str(len(body)))]
    if payload is not None:
        headers.append(("Content-Type", "application/json"))
    start_response(status, headers)
    return [body]


def _read_json(environ: dict) -> dict:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ValueError("bad Content-Length") from None
    if length > _MAX_BODY:
        raise ValueError("body too large")
    data = json.loads(environ["wsgi.input"].read(length) or b"{}")
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def admin_app(site: Site):
    def app(environ: dict, start_response) -> list[bytes]:
        given = environ.get("HTTP_X_LOCALMESH_ADMIN", "")
        if not hmac.compare_digest(given.encode(), site.admin_token.encode()):
            return _json(start_response, "403 Forbidden", {"message": "admin token required"})
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "").rstrip("/")
        try:
            if (method, path) == ("POST", "/users"):
                data = _read_json(environ)
                info = site.add_user(
                    str(data.get("user", "")),
                    password=data.get("password"),
                    display_name=data.get("display_name"),
                    groups=[str(g) for g in data.get("groups", ())],
                )
                return _json(start_response, "201 Created", asdict(info))
            if (method, path) == ("POST", "/faults"):
                data = _read_json(environ)
                kind = str(data.pop("kind", ""))
                site.faults.set(kind, **data)
                return _json(start_response, "204 No Content")
            if (method, path) == ("DELETE", "/faults"):
                site.faults.clear()
                return _json(start_response, "204 No Content")
            if (method, path) == ("POST", "/uploads/expire"):
                idle = float(_read_json(environ).get("idle_seconds", 0))
                return _json(start_response, "200 OK", {"expired": site.uploads.expire(idle)})
            if (method, path) == ("GET", "/stats"):
                return _json(start_response, "200 OK", site.stats.snapshot())
            if (method, path) == ("GET", "/stats/routes"):
                return _json(start_response, "200 OK", site.stats.routes())
            if (method, path) == ("DELETE", "/stats"):
                site.stats.reset()
                return _json(start_response, "204 No Content")
        except (ValueError, TypeError) as exc:
            return _json(start_response, "400 Bad Request", {"message": str(exc)})
        return _json(start_response, "404 Not Found", {"message": "no such admin endpoint"})

    return app
