"""The one base class of our handlers: authentication, authorization, JSON answers.

Errors use jupyter_server's own ``APIHandler.write_error`` (JSON ``{"message", "reason"}``,
never a traceback, even with ``serve_traceback`` on; tests/handlers/test_errors_stock.py
holds it to that). Domain errors of the sharing layer are mapped in ``sharing_base``.
"""

from __future__ import annotations

import json
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin

#: The resource name used by jupyter_server's authorizer for every cs3_jupyter route.
AUTH_RESOURCE = "cs3"


class CS3APIHandler(ExtensionHandlerMixin, APIHandler):
    """Base for every handler under ``/cs3/api``."""

    auth_resource = AUTH_RESOURCE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("name", "cs3_jupyter")
        super().__init__(*args, **kwargs)

    def write_json(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))
