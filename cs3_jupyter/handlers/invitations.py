"""``/cs3/api/invitations``: create a ScienceMesh invitation, or accept someone else's."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .sharing_base import SharingHandler


class InvitationsHandler(SharingHandler):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        self.write_json(await self.call(self.sharing().contacts.create_invitation, body), 201)


class AcceptInvitationHandler(SharingHandler):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        self.write_json(await self.call(self.sharing().contacts.accept_invitation, body), 201)
