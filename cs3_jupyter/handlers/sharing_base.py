"""What every sharing handler shares: the server's sharing service and error mapping.

The service is built once when the extension loads (``cs3_jupyter.app``) and its blocking
calls run in worker threads: the event loop never waits for a site. A :class:`SharingError`
becomes ``{"message", "reason"}`` with its status; the message was written for the
researcher and holds no secret. Anything else is jupyter_server's generic JSON 500.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from tornado.ioloop import IOLoop

from ..sharing.errors import SharingError, bad_request
from ..sharing.service import SharingService
from .base import CS3APIHandler

T = TypeVar("T")

SERVICE_KEY = "cs3_sharing_service"

#: Sharing bodies are a few short fields; anything bigger is a mistake or an attack.
MAX_BODY_BYTES = 64 * 1024

#: The sharing calls' own threads, more than one slow site can hold: the transport lets one
#: site keep at most 2 x CS3Site.site_concurrency calls (running or waiting), each within its
#: deadline, so calls to other sites always find a free thread. Blocked threads cost little.
_WORKERS = ThreadPoolExecutor(32, thread_name_prefix="cs3-sharing")


class SharingHandler(CS3APIHandler):
    """Base of the sharing resources: ``await self.call(self.sharing().part.method, ...)``."""

    def sharing(self) -> SharingService:
        service: SharingService | None = self.settings.get(SERVICE_KEY)
        if service is None:
            raise SharingError(
                409,
                "not_configured",
                "No EFSS site is configured for this server, so there is nothing to share from.",
            )
        return service

    def files_changed(self, path: str = "") -> None:
        """A sharing action of ours changed what the user's own file tree shows (a share was
        mounted there, or left): the contents manager must not answer from what it remembers,
        or the file browser would not show (or reveal) it until its cache expires. ``""``
        means anywhere."""
        forget = getattr(self.contents_manager, "forget", None)
        if callable(forget):
            forget(path)

    async def call(self, method: Callable[..., T], *args: Any) -> T:
        return await IOLoop.current().run_in_executor(_WORKERS, method, *args)

    def json_body(self) -> Any:
        """The request's JSON, or None for an empty body; anything unreadable is a 400.

        Not jupyter_server's ``get_json_body``: that one answers 500 for a body that is not
        UTF-8 and logs the raw body (which may hold a link password) when it is not JSON.
        """
        body = self.request.body
        if not body:
            return None
        if len(body) > MAX_BODY_BYTES:
            raise bad_request(f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB.")
        try:
            return json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError):
            # UnicodeDecodeError is a ValueError; RecursionError is JSON nested too deep.
            raise bad_request("The request body is not valid JSON.") from None

    # Tornado's documented hooks: a SharingError is an expected outcome, logged briefly and
    # answered with its own status; everything else goes to the base class (generic 500).
    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, SharingError):
            self.log.info(
                "cs3 sharing: %s %s -> %s %s",
                self.request.method,
                self.request.path,
                value.status,
                value.reason,
            )
            return
        super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = (kwargs.get("exc_info") or (None, None, None))[1]
        if isinstance(exc, SharingError):
            self.set_status(exc.status)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"message": exc.message, "reason": exc.reason}))
            return
        super().write_error(status_code, **kwargs)

    def no_content(self) -> None:
        self.set_status(204)
        self.finish()
