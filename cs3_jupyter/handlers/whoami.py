"""``GET /cs3/api/whoami``: the user, their site and the federated id others share with."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .sharing_base import SharingHandler


class WhoAmIHandler(SharingHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(await self.call(self.sharing().account.whoami))
