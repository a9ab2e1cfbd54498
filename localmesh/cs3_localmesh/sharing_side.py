"""Plugs the sharing side of a site (OCS, OCM, ScienceMesh, the directory) into a Site.

``install(site, sites)`` is the one call the mesh makes per site (plugins.py); ``sites`` is
every site of the mesh, for the directory, which is also each site's trust list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .daverrors import SabreError
from .directory import PATH as DIRECTORY_PATH
from .directory import Directory, Provider
from .federation import Federation
from .linkpage import PREFIX as LINK_PAGE_PATH
from .linkpage import LinkPage
from .mounts import LocalMount, Mount, RemoteMount, TokenShare
from .ocm import OCM_PATH, DiscoveryApp, OcmApp, OcmClient, provider_document
from .ocs import OcsApp
from .ocs_shares import MIN_PASSWORD_LENGTH, ShareApi
from .sciencemesh import PREFIX as SCIENCEMESH_PATH
from .sciencemesh import Contacts, ScienceMesh
from .shares import FEDERATED, LINK, USER, ShareStore

if TYPE_CHECKING:
    from .site import Site


class SharingSide:
    """The sharing modules of one site, wired to each other and to the site."""

    def __init__(self, site: Site, providers: Callable[[], list[Provider]]) -> None:
        self.site = site
        self.store = ShareStore(site.db)
        self.contacts = Contacts(site.db)
        self.client = OcmClient()
        self.directory = Directory(providers)
        self.federation = Federation(
            site=site,
            store=self.store,
            contacts=self.contacts,
            client=self.client,
            must_invite=site.faults.must_invite,
        )
        self.share_api = ShareApi(
            site=site, store=self.store, federation=self.federation, contacts=self.contacts
        )
        self.sciencemesh = ScienceMesh(
            site=site, contacts=self.contacts, directory=self.directory, client=self.client
        )

    def install(self) -> None:
        site = self.site
        site.route(OcsApp.PREFIX, OcsApp(self))
        for prefix in ("/ocm-provider", "/.well-known/ocm"):
            site.route(prefix, DiscoveryApp(prefix, site, site.faults.must_invite))
        site.route(
            OCM_PATH,
            OcmApp(
                on_share=self.federation.receive,
                on_notification=self.federation.notified,
                on_invite=self.sciencemesh.invite_accepted,
            ),
        )
        site.route(SCIENCEMESH_PATH, self.sciencemesh)
        site.route(DIRECTORY_PATH, self.directory)
        site.route(LINK_PAGE_PATH, LinkPage(site, self.store, self.share_api.item))
        site.mounts.register_resolver(self.mounts)
        site.mounts.register_unmounter(self.unmount)
        site.token_shares.register_resolver(self.token_share)

    # -- what the WebDAV layer asks ------------------------------------------------------
    def mounts(self, user: str) -> list[Mount]:
        return [*self.share_api.local_mounts(user), *self.federation.mounts(user)]

    def unmount(self, user: str, mount: Mount) -> None:
        """The recipient deleted a mount point over WebDAV: on Nextcloud that leaves the share.

        A federated share is dropped here and the sender is told (it deletes its share); a
        user share is deleted. A group share is the group's, so one member cannot remove it.
        """
        if isinstance(mount, RemoteMount):
            received = self.store.remote(int(mount.share_id)) if mount.share_id.isdigit() else None
            if received is not None and received.user == user and received.accepted:
                self.federation.decline(received)
        elif isinstance(mount, LocalMount):
            share = self.store.get(int(mount.share_id)) if mount.share_id.isdigit() else None
            if share is None:
                return
            if share.share_type != USER or share.share_with != user:
                raise SabreError(403, "A group share can only be removed by its owner")
            self.store.delete(share.id)

    def token_share(self, token: str) -> TokenShare | None:
        """What a link token or an OCM shared secret opens at ``/public.php/webdav/``."""
        share = self.store.by_token(token)
        if share is None or share.share_type not in (LINK, FEDERATED) or share.expired:
            return None
        entry = self.share_api.item(share)
        if entry is None:
            return None
        return TokenShare(
            owner=share.owner,
            path=entry.path,
            permissions=share.permissions,
            password_hash=share.password_hash,
        )

    # -- what OcsApp asks -------------------------------------------------------------------
    def ocs_routes(self, add: Callable[..., None]) -> None:
        self.share_api.routes(add)

    def capabilities(self) -> dict[str, Any]:
        """What this site implements, and nothing it does not (no trash bin, no locking)."""
        return {
            "version": {
                "major": 32,
                "minor": 0,
                "micro": 1,
                "string": "32.0.1",
                "edition": "",
                "extendedSupport": False,
            },
            "capabilities": {
                "core": {"pollinterval": 60, "webdav-root": "remote.php/webdav"},
                "dav": {"chunking": "1.0"},
                "files": {"bigfilechunking": True, "versioning": True, "undelete": False},
                "files_sharing": {
                    "api_enabled": True,
                    "resharing": False,
                    "group_sharing": True,
                    "default_permissions": 31,
                    "public": {
                        "enabled": True,
                        "password": {"enforced": False, "askForOptionalPassword": False},
                        "expire_date": {"enabled": True, "enforced": False},
                        "multiple_links": True,
                        "upload": True,
                        "send_mail": False,
                    },
                    "user": {"send_mail": False, "expire_date": {"enabled": True}},
                    "federation": {
                        "outgoing": True,
                        "incoming": True,
                        "expire_date": {"enabled": True},
                    },
                    "sharee": {"query_lookup_default": False, "always_show_unique": True},
                },
                "ocm": provider_document(self.site.url),
                # Only the length rule is enforced here, so only it is claimed.
                "password_policy": {
                    "minLength": MIN_PASSWORD_LENGTH,
                    "enforceNonCommonPassword": False,
                    "enforceNumericCharacters": False,
                    "enforceSpecialCharacters": False,
                    "enforceUpperLowerCase": False,
                },
            },
        }

    def user_info(self, user: str) -> dict[str, Any]:
        used = self.site.files.used_bytes(user)
        left = self.site.quota_left(user)
        if left is None:
            quota: dict[str, Any] = {
                "free": None,
                "used": used,
                "total": None,
                "relative": 0,
                "quota": -3,
            }  # Nextcloud's "unlimited"
        else:
            total = used + left
            quota = {
                "free": left,
                "used": used,
                "total": total,
                "relative": round(100 * used / total, 2) if total else 0,
                "quota": total,
            }
        name = self.site.users.display_name(user) or user
        return {
            "enabled": True,
            "id": user,
            "display-name": name,
            "displayname": name,
            "email": None,
            "quota": quota,
            "groups": self.site.users.groups_of(user),
            "language": "en",
            "locale": "",
            "backend": "Database",
        }


def install(site: Site, sites: list[Site]) -> SharingSide:
    """The plugin entry point (see plugins.py): ``sites`` is the whole mesh, this one included."""
    side = SharingSide(site, lambda: [Provider(s.name, s.url) for s in sites])
    side.install()
    return side
