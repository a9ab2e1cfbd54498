"""What every sharing handler shares: the per-server sharing service and error mapping.

The service is built once per server from ``CS3Site`` (so there is one pooled HTTP session
for the user's site) and its blocking calls run in worker threads: the event loop never
waits for a site. A :class:`SharingError` becomes ``{"message", "reason"}`` with its
status; the message was written for the researcher and holds no secret.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from tornado.ioloop import IOLoop

from ..config import CS3Site
from ..dav.client import DavClient
from ..sharing.directory import MeshDirectory
from ..sharing.errors import SharingError
from ..sharing.http import SiteHTTP
from ..sharing.ocm import Discovery
from ..sharing.service import SharingService
from ..transport.auth import make_auth
from .base import CS3APIHandler

T = TypeVar("T")

SERVICE_KEY = "cs3_sharing_service"


def build_service(site: CS3Site, contents_manager: Any = None) -> SharingService:
    """The sharing service for the configured site and user.

    When the server's files come from the same site (our contents manager), its WebDAV
    client's credential is reused, so a refreshed token file is seen by both; the
    transport gives both one connection pool and one login cookie per site and user.
    """
    if not site.configured:
        raise SharingError(
            409,
            "not_configured",
            "No EFSS site is configured for this server, so there is nothing to share from.",
        )
    verify: bool | str = site.ca_bundle or site.verify_tls
    limits = site.limits()
    dav = getattr(contents_manager, "client", None)
    if isinstance(dav, DavClient) and (dav.site_url, dav.user) == (site.url, site.user):
        auth = dav.auth
    else:
        auth = make_auth(site.user, site.password, site.token, site.token_file)
    http = SiteHTTP(site.url, site.user, auth, verify=verify, limits=limits)
    return SharingService(
        http,
        MeshDirectory(
            site.mesh_directory_url, tuple(site.mesh_sites), verify=verify, limits=limits
        ),
        Discovery(verify=verify, limits=limits),
        site.webdav_root,
    )


class SharingHandler(CS3APIHandler):
    """Base of the sharing resources: ``await self.call(service_method, *args)``."""

    def service(self) -> SharingService:
        service = self.settings.get(SERVICE_KEY)
        if service is None:
            service = self.settings[SERVICE_KEY] = build_service(
                self.settings["cs3_site"], self.contents_manager
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
        return await IOLoop.current().run_in_executor(None, method, *args)

    def json_body(self) -> Any:
        """The request's JSON, or None for an empty body; bad JSON is a 400."""
        if not self.request.body:
            return None
        try:
            return json.loads(self.request.body)
        except ValueError:
            raise SharingError(400, "bad_request", "The request body is not valid JSON.") from None

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
