"""``GET /cs3/api/version``: lets the frontend check it talks to a matching server."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import CS3APIHandler


class VersionHandler(CS3APIHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        site = self.settings["cs3_site"]
        self.write_json(
            {
                "version": self.settings["cs3_version"],
                "site_configured": site.configured,
            }
        )
