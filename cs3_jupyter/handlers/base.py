"""The one base class of our handlers: authentication, authorization, JSON errors.

Domain errors raised by the services below carry an HTTP status and a message written for
the user; this class turns them into ``{"message": ..., "reason": ...}`` JSON bodies.
Anything unexpected is logged server-side and answered with a generic 500: tracebacks never
reach the browser.
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

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # APIHandler.write_error would include a traceback when serve_traceback is on; our
        # errors are for researchers, so we always send just the message.
        exc_info = kwargs.get("exc_info")
        message = self._reason
        reason = None
        if exc_info:
            exc = exc_info[1]
            log_message = getattr(exc, "log_message", None)
            if log_message:
                message = (
                    log_message % getattr(exc, "args", ()) if "%" in log_message else log_message
                )
            reason = getattr(exc, "reason", None)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": message or "Unknown error", "reason": reason}))
