"""The mesh directory: which sites make up the ScienceMesh.

Three sources, whichever the deployment has (docs/protocols.md §4.1):

* a ScienceMesh/Mentix ``ProviderInfo`` JSON list (sites with an ``OCM`` service);
* an OCM Directory Service document ``{"servers": [{"url", "displayName"}]}``, plain or as
  the payload of a JWS (whose signature we do not check: the list only decides what to
  show and probe, never whom to trust), or Reva's list of such federations;
* a static list of site URLs from the configuration.

A site is named by its domain (``host[:port]``), which is what people type after ``@``.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .errors import SharingError
from .http import anonymous_get, json_body
from .ids import domain_of


@dataclass(frozen=True)
class MeshSite:
    name: str
    url: str
    domain: str


def _site_from_url(url: str, name: str = "") -> MeshSite:
    url = url.strip().rstrip("/")
    return MeshSite(name=name or domain_of(url), url=url, domain=domain_of(url))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _from_provider_info(entry: dict[str, Any]) -> MeshSite | None:
    for service in entry.get("services") or ():
        endpoint = service.get("endpoint") or {}
        if str((endpoint.get("type") or {}).get("name", "")).upper() != "OCM":
            continue
        url = _origin(str(endpoint.get("path") or ""))
        if not url and service.get("host"):
            url = "https://" + str(service["host"])
        if not url:
            return None
        name = str(entry.get("full_name") or entry.get("name") or "")
        site = _site_from_url(url, name)
        domain = str(entry.get("domain") or "")
        return MeshSite(site.name, site.url, domain_of(domain) if domain else site.domain)
    return None


def _jws_payload(token: str) -> Any:
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None


def parse_directory(doc: Any) -> list[MeshSite]:
    """Every site a directory document lists, in its order; unknown shapes give nothing."""
    if isinstance(doc, str):
        doc = _jws_payload(doc.strip())
    if isinstance(doc, dict):
        doc = [doc]
    sites: list[MeshSite] = []
    for entry in doc if isinstance(doc, list) else ():
        if not isinstance(entry, dict):
            continue
        if "servers" in entry:
            for server in entry.get("servers") or ():
                if isinstance(server, dict) and server.get("url"):
                    sites.append(
                        _site_from_url(str(server["url"]), str(server.get("displayName") or ""))
                    )
        else:
            site = _from_provider_info(entry)
            if site is not None:
                sites.append(site)
    unique: dict[str, MeshSite] = {}
    for site in sites:
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
    ) -> None:
        self.directory_url = directory_url
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
        response = anonymous_get(self.directory_url, verify=self.verify)
        domain = domain_of(self.directory_url)
        if response.status_code != 200:
            raise SharingError(
                502, "site_error", f"The mesh directory at {domain} is not available right now."
            )
        text = response.text.strip()
        doc: Any = (
            text if text and text[0] not in "[{" else json_body(response, domain, "directory")
        )
        return parse_directory(doc)
