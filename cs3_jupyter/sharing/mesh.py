"""The mesh as this user sees it: which sites exist, which can take part in sharing now.

Combines the directory (which sites) with OCM discovery (is each one up and speaking OCM),
for the panel's site list and for every operation that names another site.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from .directory import MeshDirectory, MeshSite
from .errors import SharingError
from .ocm import Discovery, Result


def _iso(unix: float) -> str:
    return datetime.fromtimestamp(unix, tz=timezone.utc).isoformat()


class Mesh:
    """The sites of the mesh, seen from the user's own site (``my_domain``)."""

    def __init__(self, directory: MeshDirectory, discovery: Discovery, my_domain: str) -> None:
        self.directory = directory
        self.discovery = discovery
        self.my_domain = my_domain

    def sites(self) -> list[dict[str, Any]]:
        """Every directory site with its discovery state, probed in parallel (one deadline)."""
        sites = self.directory.sites()
        found = self.discovery.discover_many((site.url for site in sites), fresh=True)
        return [self._describe(site, found[site.url]) for site in sites]

    def _describe(self, site: MeshSite, found: Result) -> dict[str, Any]:
        model: dict[str, Any] = {
            "name": site.name,
            "url": site.url,
            "domain": site.domain,
            "reachable": True,
            "ocm_version": None,
            "capabilities": [],
            "is_mine": site.domain == self.my_domain,
            "checked_at": _iso(self.discovery.checked_at(site.url) or time.time()),
        }
        if isinstance(found, SharingError):
            model["reachable"] = found.reason != "site_unreachable"
            model["error"] = found.message
        else:
            model["ocm_version"] = found.api_version or None
            model["capabilities"] = list(found.capabilities)
        return model

    def find(self, text: str) -> MeshSite | None:
        """A site by domain, URL or directory name; None when it is not in the mesh."""
        return self.directory.find(text)

    def my_site(self) -> MeshSite | None:
        try:
            return self.directory.find(self.my_domain)
        except SharingError:
            return None

    def require_site(self, text: str) -> MeshSite:
        """A site of the mesh that speaks OCM right now, or a clear error naming it."""
        found = self.directory.find(text)
        if found is None:
            raise not_in_mesh(text)
        self.discovery.discover(found.url)
        return found

    def unreachable(self, site_urls: Iterable[str]) -> dict[str, SharingError]:
        """Which of these sites cannot be reached now, and why (asked now, in parallel)."""
        found = self.discovery.discover_many(site_urls, fresh=True)
        return {
            url: result
            for url, result in found.items()
            if isinstance(result, SharingError) and result.reason == "site_unreachable"
        }


def not_in_mesh(site: str) -> SharingError:
    return SharingError(
        404,
        "site_not_in_mesh",
        f"{site} is not a site of the ScienceMesh this server knows, or not one that can be "
        "reached from here; check the spelling or ask the person for their full address.",
    )
