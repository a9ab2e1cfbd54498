"""Our REST namespace (``/cs3/api/...``), described in ``openapi.yaml`` beside this file.

Each resource has its own module; :func:`api_handlers` is the single list of routes, so the
OpenAPI test can compare the file with what is really served.
"""

from __future__ import annotations

from typing import Any

from .info import VersionHandler


def api_handlers() -> list[tuple[str, type, dict[str, Any]]]:
    """All routes, relative to ``/cs3/api``."""
    return [
        ("/version", VersionHandler, {}),
    ]
