"""Who the user is at their site, and the site's rules for public links.

The link rules come from the site's capabilities (Nextcloud's ``files_sharing.public`` and
``password_policy``), so the share dialog can say them before the user types a password the
site would refuse. Capabilities change only when an admin changes settings: cached.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .errors import SharingError
from .mesh import Mesh
from .ocs import OCSClient, OCSError
from .refusals import ocs_failure

CAPABILITIES_TTL = 300.0


def _dig(doc: Any, *keys: str) -> Any:
    for key in keys:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc


def link_policy(capabilities: Any) -> dict[str, Any] | None:
    """What the site requires of a public link, or None when it does not say."""
    caps = _dig(capabilities, "capabilities")
    public = _dig(caps, "files_sharing", "public")
    if not isinstance(public, dict):
        return None
    min_length = _dig(caps, "password_policy", "minLength")
    days = _dig(public, "expire_date", "days")
    return {
        "password_required": bool(_dig(public, "password", "enforced")),
        "password_min_length": min_length if isinstance(min_length, int) else None,
        "expiration_required": bool(_dig(public, "expire_date", "enforced")),
        "expiration_max_days": days if isinstance(days, int) and days > 0 else None,
    }


class Account:
    def __init__(self, ocs: OCSClient, mesh: Mesh, user: str, url: str, domain: str) -> None:
        self.ocs = ocs
        self.mesh = mesh
        self.user = user
        self.url = url
        self.domain = domain
        self._capabilities: tuple[float, Any] | None = None
        self._lock = threading.Lock()

    def whoami(self) -> dict[str, Any]:
        with ThreadPoolExecutor(max_workers=2) as pool:
            capabilities = pool.submit(self.capabilities)
            try:
                data = self.ocs.current_user()
            except OCSError as err:
                raise ocs_failure(err, self.domain, "read your account") from None
            policy = link_policy(capabilities.result())
        user = str(data.get("id") or self.user)
        mine = self.mesh.my_site()
        return {
            "user": user,
            "display_name": str(data.get("display-name") or data.get("displayname") or user),
            "site": {
                "name": mine.name if mine else self.domain,
                "url": self.url,
                "domain": self.domain,
            },
            "federated_id": f"{user}@{self.domain}",
            "link_policy": policy,
        }

    def capabilities(self) -> Any:
        """The site's OCS capabilities (cached), or None when it cannot say right now."""
        with self._lock:
            cached = self._capabilities
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        try:
            doc = self.ocs.call("GET", "/ocs/v2.php/cloud/capabilities")
        except (OCSError, SharingError):
            return None  # the account itself decides whether whoami fails
        with self._lock:
            self._capabilities = (time.monotonic() + CAPABILITIES_TTL, doc)
        return doc

    def link_policy(self) -> dict[str, Any] | None:
        return link_policy(self.capabilities())
