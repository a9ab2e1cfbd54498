"""OCM discovery: does a site speak Open Cloud Mesh, which version, with what capabilities.

Newer servers answer ``/.well-known/ocm``; Nextcloud 32 answers only ``/ocm-provider/``
(and 404 on the well-known path), so both are tried in that order (docs/protocols.md §3.3, §8).
Results, failures included, are cached for a while: the mesh panel and recipient search
ask often, and a dead site must not cost a timeout on every keystroke.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import SharingError
from .http import anonymous_get
from .ids import domain_of

DISCOVERY_PATHS = ("/.well-known/ocm", "/ocm-provider/")


@dataclass(frozen=True)
class OCMProvider:
    """What a site's discovery document says about it."""

    api_version: str
    end_point: str
    provider: str = ""
    capabilities: tuple[str, ...] = ()
    resource_types: tuple[str, ...] = ()
    invite_accept_dialog: str = ""


def parse_discovery(doc: Any) -> OCMProvider | None:
    """The provider described by a discovery document, or None when it says OCM is off."""
    if not isinstance(doc, dict) or doc.get("enabled") is False or not doc.get("endPoint"):
        return None
    types = doc.get("resourceTypes") or []
    return OCMProvider(
        api_version=str(doc.get("apiVersion") or doc.get("version") or ""),
        end_point=str(doc["endPoint"]),
        provider=str(doc.get("provider") or ""),
        capabilities=tuple(str(c) for c in doc.get("capabilities") or ()),
        resource_types=tuple(str(t.get("name")) for t in types if isinstance(t, dict)),
        invite_accept_dialog=str(doc.get("inviteAcceptDialog") or ""),
    )


@dataclass
class _Entry:
    expires: float
    provider: OCMProvider | None = None
    error: SharingError | None = field(default=None)


class Discovery:
    """Cached OCM discovery of any site by base URL (anonymous requests only)."""

    def __init__(
        self, ttl: float = 300.0, failure_ttl: float = 30.0, verify: bool | str = True
    ) -> None:
        self.ttl = ttl
        self.failure_ttl = failure_ttl
        self.verify = verify
        self._cache: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def discover(self, site_url: str) -> OCMProvider:
        """The site's OCM provider; :class:`SharingError` if unreachable or without OCM."""
        key = site_url.rstrip("/")
        with self._lock:
            entry = self._cache.get(key)
        if entry is None or entry.expires < time.monotonic():
            entry = self._probe(key)
            with self._lock:
                self._cache[key] = entry
        if entry.error is not None:
            raise entry.error
        assert entry.provider is not None
        return entry.provider

    def _probe(self, url: str) -> _Entry:
        domain = domain_of(url)
        try:
            for path in DISCOVERY_PATHS:
                response = anonymous_get(url + path, verify=self.verify)
                if response.status_code != 200:
                    continue
                try:
                    provider = parse_discovery(response.json())
                except ValueError:
                    continue
                if provider is not None:
                    return _Entry(time.monotonic() + self.ttl, provider)
        except SharingError as err:
            return _Entry(time.monotonic() + self.failure_ttl, error=err)
        error = SharingError(
            502,
            "site_without_ocm",
            f"{domain} does not offer Open Cloud Mesh sharing, so it cannot receive shares "
            "from other sites.",
        )
        return _Entry(time.monotonic() + self.failure_ttl, error=error)
