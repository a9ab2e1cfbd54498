"""The mesh directory: which sites make up the ScienceMesh.

Three sources, whichever the deployment has (docs/protocols.md §4.1):

* a ScienceMesh/Mentix ``ProviderInfo`` JSON list (sites with an ``OCM`` service);
* an OCM Directory Service document ``{"servers": [{"url", "displayName"}]}``, plain or as
  the payload of a JWS (whose signature we do not check: the list only decides what to
  show and probe, never whom to trust), or Reva's list of such federations;
* a static list of site URLs from the configuration.

A site is named by its domain (``host[:port]``), which is what people type after ``@``.
The document comes from the network and what we take from it is shown to the user: at most
``Limits.max_directory_sites`` sites, URLs without user info, names of a sane length.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..transport import Limits
from ..transport.urls import strip_userinfo
from .errors import SharingError
from .http import json_body, read_public
from .ids import domain_of

_MAX_NAME = 200


@dataclass(frozen=True)
class MeshSite:
    name: str
    url: str
    domain: str


def _site_from_url(url: str, name: str = "") -> MeshSite:
    url = strip_userinfo(url.strip()[:_MAX_NAME]).rstrip("/")
    return MeshSite(name=name[:_MAX_NAME] or domain_of(url), url=url, domain=domain_of(url))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _from_provider_info(entry: dict[str, Any]) -> MeshSite | None:
    services = entry.get("services")
    for service in services[:64] if isinstance(services, list) else ():
        endpoint = service.get("endpoint") if isinstance(service, dict) else None
        kind = endpoint.get("type") if isinstance(endpoint, dict) else None
        if not isinstance(kind, dict) or str(kind.get("name", "")).upper() != "OCM":
            continue
        assert isinstance(service, dict) and isinstance(endpoint, dict)
        url = _origin(str(endpoint.get("path") or ""))
        if not url and service.get("host"):
            url = "https://" + str(service["host"])
        if not url:
            return None
        name = str(entry.get("full_name") or entry.get("name") or "")
        site = _site_from_url(url, name)
        domain = str(entry.get("domain") or "")[:_MAX_NAME]
        return MeshSite(site.name, site.url, domain_of(domain) if domain else site.domain)
    return None


def _jws_payload(token: str) -> Any:
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, RecursionError):
        return None


def parse_directory(doc: Any, max_sites: int = 1000) -> list[MeshSite]:
    """The first ``max_sites`` sites a directory document lists, in its order; unknown
    shapes give nothing."""
    if isinstance(doc, str):
        doc = _jws_payload(doc.strip())
    if isinstance(doc, dict):
        doc = [doc]
    sites: list[MeshSite] = []
    for entry in doc if isinstance(doc, list) else ():
        if not isinstance(entry, dict):
            continue
        if "servers" in entry:
            servers = entry.get("servers")
            for server in servers[:max_sites] if isinstance(servers, list) else ():
                if isinstance(server, dict) and server.get("url"):
                    sites.append(
                        _site_from_url(str(server["url"]), str(server.get("displayName") or ""))
                    )
        else:
            site = _from_provider_info(entry)
            if site is not None:
                sites.append(site)
        if len(sites) >= max_sites:
            break
    unique: dict[str, MeshSite] = {}
    for site in sites[:max_sites]:
        unique.setdefault(site.domain, site)
    return list(unique.values())


class MeshDirectory:
    """The sites of the mesh, from a directory URL and/or static URLs, cached with a TTL."""

    def __init__(
        self,
        directory_url: str = "",
        static_sites: tuple[str, ...] = (),
        *,
        ttl: float = 300.0,
        verify: bool | str = True,
        limits: Limits | None = None,
    ) -> None:
        self.directory_url = strip_userinfo(directory_url)
        self.limits = limits or Limits()
        self.static_sites = tuple(_site_from_url(u) for u in static_sites if u.strip())
        self.ttl = ttl
        self.verify = verify
        self._sites: list[MeshSite] | None = None
        self._expires = 0.0
        self._lock = threading.Lock()

    def sites(self) -> list[MeshSite]:
        """All sites. An unreadable directory raises, unless static sites can stand in."""
        with self._lock:
            if self._sites is not None and self._expires > time.monotonic():
                return list(self._sites)
        fetched: list[MeshSite] = []
        if self.directory_url:
            try:
                fetched = self._fetch()
            except SharingError:
                if not self.static_sites:
                    raise
        merged = {site.domain: site for site in (*self.static_sites, *fetched)}
        with self._lock:
            self._sites = list(merged.values())
            self._expires = time.monotonic() + self.ttl
            return list(self._sites)

    def find(self, text: str) -> MeshSite | None:
        """The site named by a domain, a URL or a directory name; None when not in the mesh."""
        wanted = domain_of(text)
        for site in self.sites():
            if site.domain == wanted or site.name.lower() == text.strip().lower():
                return site
        return None

    def _fetch(self) -> list[MeshSite]:
        domain = domain_of(self.directory_url)
        try:
            response = read_public(self.directory_url, limits=self.limits, verify=self.verify)
        except SharingError as err:
            # The transport names the host; say it was the directory that failed.
            raise SharingError(
                err.status, err.reason, f"The mesh directory could not be read: {err.message}"
            ) from None
        if response.status_code != 200:
            raise SharingError(
                502, "site_error", f"The mesh directory at {domain} is not available right now."
            )
        text = response.text.strip()
        doc: Any = (
            text if text and text[0] not in "[{" else json_body(response, domain, "mesh directory")
        )
        return parse_directory(doc, self.limits.max_directory_sites)
