"""``GET /cs3/api/recipients?q=``: people and groups to share with, for the share dialog."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .sharing_base import SharingHandler


class RecipientsHandler(SharingHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        query = self.get_query_argument("q", "")
        self.write_json(await self.call(self.sharing().recipients.search, query))
