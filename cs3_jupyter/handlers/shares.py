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
        self.write_json(await self.call(self.sharing().shares.listing, path))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        share, created = await self.call(self.sharing().shares.create, body)
        # A repeated request (a double click) answers the share it already made.
        self.write_json(share, 201 if created else 200)


class ShareHandler(SharingHandler):
    @web.authenticated
    @authorized
    async def patch(self, id: str) -> None:
        body = self.json_body()
        self.write_json(await self.call(self.sharing().shares.update, id, body))

    @web.authenticated
    @authorized
    async def delete(self, id: str) -> None:
        await self.call(self.sharing().shares.delete, id)
        self.no_content()
