"""Switchable failures, so tests can see how clients cope with what real sites do to them.

Kinds and their parameters:
- ``status``: ``code`` (e.g. 503), optional URL ``prefix`` -> every matching request gets it;
- ``delay``: ``seconds``, optional URL ``prefix`` -> matching requests are answered late;
- ``readonly``: ``user``, ``path`` -> that folder and all below lose W/C/K; writes get 403;
- ``quota``: ``user``, ``bytes`` -> writes that would store more get 507;
- ``lock``: ``user``, ``path`` -> writes to it or below get 423;
- ``must_invite``: no parameters -> incoming OCM shares need an accepted ScienceMesh contact
  (added for the sharing side; see federation.py);
- ``variant``: ``name`` -> answer like another server family where docs/protocols.md says they
  differ, so clients can be tested against each shape (see VARIANTS).
They live in memory only: a restart starts healthy.
"""

from __future__ import annotations

import random
import threading
from typing import Any

from .files import is_within, normpath

_REQUIRED = {
    "status": {"code"},
    "delay": {"seconds"},
    "readonly": {"user", "path"},
    "quota": {"user", "bytes"},
    "lock": {"user", "path"},
    "must_invite": set(),
    "variant": {"name"},
    "flaky": {"code"},
    "nextcloud_login": {"seconds"},
}

#: Behaviours of other EFSS families (docs/protocols.md §1.4-§1.7) a site can switch to.
VARIANTS = {
    "no-g-letter": "oc:permissions without G, as ownCloud 10 and Reva send them",
    "checksums-one-element": "oc:checksums as one element 'SHA1:.. MD5:..' (ownCloud 10/Reva)",
    "put-parent-409": "PUT into a missing folder is 409 (RFC 4918, newer sabre/dav) not 404",
    "depth-infinity-412": "PROPFIND Depth: infinity refused with 412 (ownCloud >= 10.10)",
    "etag-every-write": "a new ETag and a version on every write (Reva/oCIS), not once a second",
    "check-changes": "notice files changed on the disk directly (filesystem_check_changes = 1)",
}
_OPTIONAL = {
    "status": {"prefix"},
    "delay": {"prefix"},
    "flaky": {"first", "fraction", "seed", "prefix", "methods"},
}


class Faults:
    """The site's active faults. Thread-safe; checks are cheap when nothing is set."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: list[tuple[str, dict[str, Any]]] = []

    def set(self, kind: str, **params: Any) -> None:
        """Add a fault; raises ValueError naming what is wrong with the parameters."""
        if kind not in _REQUIRED:
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(sorted(_REQUIRED))}")
        missing = _REQUIRED[kind] - params.keys()
        extra = params.keys() - _REQUIRED[kind] - _OPTIONAL.get(kind, set())
        if missing or extra:
            raise ValueError(
                f"fault {kind!r} needs {sorted(_REQUIRED[kind])}"
                f" (optional {sorted(_OPTIONAL.get(kind, set()))})"
            )
        params = dict(params)
        if kind == "status":
            params["code"] = int(params["code"])
            if not 400 <= params["code"] <= 599:
                raise ValueError("status fault code must be 4xx or 5xx")
        if kind in ("delay", "nextcloud_login"):
            params["seconds"] = float(params["seconds"])
        if kind == "flaky":
            params = self._flaky(params)
        if kind == "quota":
            params["bytes"] = int(params["bytes"])
        if "path" in params:
            params["path"] = normpath(str(params["path"]))
        if kind == "variant" and params["name"] not in VARIANTS:
            raise ValueError(f"unknown variant; known: {', '.join(sorted(VARIANTS))}")
        with self._lock:
            self._active.append((kind, params))

    @staticmethod
    def _flaky(params: dict[str, Any]) -> dict[str, Any]:
        code = int(params["code"])
        if not 500 <= code <= 599:
            raise ValueError("flaky fault code must be 5xx")
        if "first" not in params and "fraction" not in params:
            raise ValueError("flaky fault needs 'first' and/or 'fraction'")
        fraction = float(params.get("fraction", 0))
        if not 0 <= fraction <= 1:
            raise ValueError("flaky fault fraction must be between 0 and 1")
        methods = str(params.get("methods", ""))
        return {
            "code": code,
            "first": int(params.get("first", 0)),
            "fraction": fraction,
            "prefix": str(params.get("prefix", "/")),
            "methods": {m.strip().upper() for m in methods.split(",") if m.strip()},
            "random": random.Random(params.get("seed", 0)),
            "failed": 0,
        }

    def clear(self) -> None:
        with self._lock:
            self._active.clear()

    def _of(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return [params for k, params in self._active if k == kind]

    def status(self, url_path: str) -> int | None:
        for params in self._of("status"):
            if url_path.startswith(params.get("prefix", "/")):
                return params["code"]
        return None

    def flaky(self, method: str, url_path: str) -> int | None:
        """The status a flaky fault forces on this request, if any (counts it as failed)."""
        with self._lock:
            for kind, params in self._active:
                if kind != "flaky" or not url_path.startswith(params["prefix"]):
                    continue
                if params["methods"] and method.upper() not in params["methods"]:
                    continue
                if params["failed"] < params["first"] or (
                    params["fraction"] and params["random"].random() < params["fraction"]
                ):
                    params["failed"] += 1
                    return int(params["code"])
        return None

    def login_cost(self) -> float | None:
        """Seconds a Nextcloud-like login costs, or None when logins are not simulated."""
        costs = [params["seconds"] for params in self._of("nextcloud_login")]
        return max(costs) if costs else None

    def delay(self, url_path: str) -> float:
        return sum(
            params["seconds"]
            for params in self._of("delay")
            if url_path.startswith(params.get("prefix", "/"))
        )

    def readonly(self, user: str, path: str) -> bool:
        return any(p["user"] == user and is_within(path, p["path"]) for p in self._of("readonly"))

    def quota(self, user: str) -> int | None:
        limits = [p["bytes"] for p in self._of("quota") if p["user"] == user]
        return min(limits) if limits else None

    def must_invite(self) -> bool:
        return bool(self._of("must_invite"))

    def locked(self, user: str, path: str) -> bool:
        return any(p["user"] == user and is_within(path, p["path"]) for p in self._of("lock"))

    def variant(self, name: str) -> bool:
        return any(p["name"] == name for p in self._of("variant"))
