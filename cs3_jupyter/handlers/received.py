"""``/cs3/api/received``: shares others made with me; accept or decline them."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .sharing_base import SharingHandler


class ReceivedHandler(SharingHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        state = self.get_query_argument("state", "all")
        self.write_json(await self.call(self.sharing().received.listing, state))


class AcceptHandler(SharingHandler):
    @web.authenticated
    @authorized
    async def post(self, id: str) -> None:
        share = await self.call(self.sharing().received.accept, id)
        self.files_changed(share.get("path") or "")
        self.write_json(share)


class DeclineHandler(SharingHandler):
    @web.authenticated
    @authorized
    async def post(self, id: str) -> None:
        await self.call(self.sharing().received.decline, id)
        self.files_changed()  # leaving an accepted share removes its mount, wherever it was
        self.no_content()
