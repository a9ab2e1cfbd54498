"""Sharing for one user at their own site: the parts the REST handlers call, wired once.

Each part has one job (``account``, ``mesh``, ``shares`` I made, ``received`` shares,
``contacts`` and invitations, ``recipients`` search) and returns plain dicts shaped as in
``handlers/openapi.yaml``. Everything blocks on the network: call it from a worker thread.
Every failure a user can act on is a :class:`SharingError` with a message for them.

Built once per Jupyter server, when the extension loads (``cs3_jupyter.app``): the parts
keep state that must outlive a request (discovery cache, the received shares seen last).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..dav.client import DavClient
from .account import Account
from .contacts import Contacts
from .directory import MeshDirectory
from .http import SiteHTTP
from .invites import InvitesClient
from .mesh import Mesh
from .ocm import Discovery
from .ocs import OCSClient
from .outgoing import OutgoingShares
from .received import ReceivedShares
from .recipients import RecipientSearch


@dataclass(frozen=True)
class SharingService:
    account: Account
    mesh: Mesh
    shares: OutgoingShares
    received: ReceivedShares
    contacts: Contacts
    recipients: RecipientSearch

    @classmethod
    def build(
        cls, http: SiteHTTP, dav: DavClient, directory: MeshDirectory, discovery: Discovery
    ) -> SharingService:
        """The parts for the user of ``http`` (their own site); ``dav`` reads their files."""
        domain = http.domain
        ocs = OCSClient(http)
        mesh = Mesh(directory, discovery, domain)
        contacts = Contacts(InvitesClient(http), mesh, domain)
        return cls(
            account=Account(ocs, mesh, http.user, http.url, domain),
            mesh=mesh,
            shares=OutgoingShares(ocs, dav, mesh, domain),
            received=ReceivedShares(ocs, mesh, domain),
            contacts=contacts,
            recipients=RecipientSearch(ocs, contacts, mesh, http.user, domain),
        )
