"""``/cs3/api/contacts``: my ScienceMesh contacts (from accepted invitations)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .sharing_base import SharingHandler


class ContactsHandler(SharingHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(await self.call(self.sharing().contacts.listing))


class ContactHandler(SharingHandler):
    @web.authenticated
    @authorized
    async def delete(self, site: str, user: str) -> None:
        await self.call(self.sharing().contacts.delete, site, user)
        self.no_content()
