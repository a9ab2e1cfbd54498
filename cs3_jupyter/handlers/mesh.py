"""``GET /cs3/api/mesh/sites``: the mesh directory's sites and whether each speaks OCM."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .sharing_base import SharingHandler


class MeshSitesHandler(SharingHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(await self.call(self.sharing().mesh.sites))
