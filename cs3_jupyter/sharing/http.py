"""The sharing side's two ways to reach a site, on top of :mod:`cs3_jupyter.transport`.

:class:`SiteHTTP` talks to the user's *own* site with the user's credential (the same
pooled session and login cookie as the WebDAV client); :func:`read_public` reads public
documents of *other* sites (OCM discovery, the mesh directory) and never carries a
credential, so the user's password or token can only ever reach their own site.

Transport failures become :class:`SharingError` (502, or 504 for time, 401 for an unusable
credential) whose message names the site and holds no URL, header or body.
"""

from __future__ import annotations

from typing import Any

import requests

from ..transport import Limits, Transport
from ..transport.auth import Auth
from ..transport.errors import BadAnswer, CredentialUnusable, SiteTimedOut, TransportError
from .errors import SharingError
from .ids import domain_of


def sharing_error(err: TransportError) -> SharingError:
    """The sharing error for a transport failure."""
    if isinstance(err, CredentialUnusable):
        return SharingError(401, "site_auth_failed", err.message)
    if isinstance(err, SiteTimedOut):
        return SharingError(504, "site_unreachable", err.message)
    if isinstance(err, BadAnswer):
        return SharingError(502, "site_error", err.message)
    return SharingError(502, "site_unreachable", err.message)


class SiteHTTP:
    """Authenticated requests to the user's own site, relative to its base URL.

    The credential objects are the WebDAV client's (:mod:`cs3_jupyter.transport.auth`), so
    both halves log in the same way and refresh a token file the same way.
    """

    def __init__(
        self,
        url: str,
        user: str,
        auth: Auth,
        *,
        verify: bool | str = True,
        limits: Limits | None = None,
    ) -> None:
        self.transport = Transport(
            url,
            user=user,
            auth=auth,
            limits=limits,
            verify=verify,
            translate=sharing_error,
        )
        #: The site's base URL, never with user info.
        self.url = self.transport.base
        self.domain = domain_of(self.url)
        self.user = user
        self.auth = auth

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send one request (body read, at most ``max_answer_bytes``); 401 is an error."""
        response: requests.Response = self.transport.request(method, path, **kwargs)
        if response.status_code == 401:
            raise SharingError(
                401,
                "site_auth_failed",
                f"{self.domain} refused your login; your session may have expired. "
                "Log in to JupyterHub again or ask your admin.",
            )
        return response


def read_public(
    url: str,
    *,
    limits: Limits | None = None,
    verify: bool | str = True,
    deadline: float | None = None,
) -> requests.Response:
    """GET a public document of any site, without credentials, within the probe bounds.

    At most ``max_document_bytes`` and ``probe_deadline`` (or ``deadline``); a redirect is
    followed only within the site (a document must not be fetched from, and shown for,
    another service).
    """
    limits = limits or Limits()
    transport = Transport(url, limits=limits, verify=verify, translate=sharing_error, probe=True)
    response: requests.Response = transport.request(
        "GET",
        url,
        headers={"Accept": "application/json"},
        max_bytes=limits.max_document_bytes,
        deadline=deadline,
    )
    return response


def json_body(response: requests.Response, domain: str, what: str) -> Any:
    """The JSON of a response, or a 502 saying the site answered something else."""
    try:
        return response.json()
    except (ValueError, RecursionError):
        raise SharingError(
            502, "site_error", f"{domain} sent an unreadable answer to the {what} request."
        ) from None
