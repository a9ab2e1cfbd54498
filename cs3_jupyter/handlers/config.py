"""``GET /cs3/api/config``: what this running server does with cs3_jupyter's settings.

For admins checking a deployment (``jupyter cs3-config`` asks this): the running server's own
answer, not a guess from config files that may have changed since it started. No secrets.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..config_report import server_report
from .base import CS3APIHandler


class ConfigHandler(CS3APIHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(server_report(self.serverapp))
