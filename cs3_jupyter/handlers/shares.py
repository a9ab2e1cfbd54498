"""``/cs3/api/shares``: shares I made (user, group, public link, federated)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .sharing_base import SharingHandler


class SharesHandler(SharingHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        path = self.get_query_argument("path", "")
        self.write_json(await self.call(self.service().list_shares, path))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        self.write_json(await self.call(self.service().create_share, body), 201)


class ShareHandler(SharingHandler):
    @web.authenticated
    @authorized
    async def patch(self, id: str) -> None:
        body = self.json_body()
        self.write_json(await self.call(self.service().update_share, id, body))

    @web.authenticated
    @authorized
    async def delete(self, id: str) -> None:
        await self.call(self.service().delete_share, id)
        self.no_content()
