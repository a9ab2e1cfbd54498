"""Federated (OCM) ids: the one place that splits ``user@site`` and builds it back.

User ids may contain ``@`` themselves (``alice@uni.example@cloud.example.org``), and the
site part may carry a scheme, a port and even a path (``bob@http://127.0.0.1:8082``,
``carol@cloud.example.org/nextcloud``). So the split is at the last ``@`` before the site,
and the site is kept as given; :attr:`FederatedId.domain` is its comparable form.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import SharingError

_SCHEMES = ("http://", "https://")


def domain_of(site: str) -> str:
    """``host[:port][/path]`` of a site given as a URL or a bare domain, lower-cased host.

    The comparable name of a site: the mesh directory, discovery documents and federated
    ids spell the same site with or without scheme and trailing slash. User info
    (``user:password@``) is never part of it.
    """
    text = site.strip()
    if not text.lower().startswith(_SCHEMES):
        text = "//" + text
    parts = urlsplit(text)
    host = parts.netloc.rpartition("@")[2]
    return (host.lower() + parts.path).rstrip("/")


@dataclass(frozen=True)
class FederatedId:
    """A user at a site, e.g. ``FederatedId("bob", "http://127.0.0.1:8082")``."""

    user: str
    site: str

    @property
    def domain(self) -> str:
        return domain_of(self.site)

    def __str__(self) -> str:
        return f"{self.user}@{self.site}"


def parse_federated_id(text: str) -> FederatedId:
    """Split ``user@site``; raise a 400 :class:`SharingError` when it is not one.

    With a scheme in the site part, the separating ``@`` is the one right before the
    scheme (so ``a@b@https://host`` is user ``a@b``); without one it is the last ``@``.
    """
    value = text.strip()
    lowered = value.lower()
    scheme_at = min((i for i in (lowered.find(s) for s in _SCHEMES) if i >= 0), default=-1)
    if scheme_at > 0 and value[scheme_at - 1] == "@":
        cut = scheme_at - 1
    else:
        cut = value.rfind("@")
    user, site = value[:cut], value[cut + 1 :]
    if cut <= 0 or not domain_of(site) or any(c.isspace() for c in value):
        raise SharingError(
            400,
            "bad_request",
            f"{text!r} is not a federated id: write it as user@site, e.g. bob@cloud.example.org.",
        )
    return FederatedId(user, site.rstrip("/"))


def cloud_id_for(user: str, site_url: str) -> str:
    """The cloud id to give a sharing server for ``user`` at the site ``site_url``.

    Nextcloud tries https first for a bare host and fails on plain-http sites, so the
    scheme is kept exactly when the site is plain http (docs/protocols.md §8).
    """
    url = site_url.strip().rstrip("/")
    if url.lower().startswith("http://"):
        return f"{user}@{url}"
    return f"{user}@{domain_of(url)}"
