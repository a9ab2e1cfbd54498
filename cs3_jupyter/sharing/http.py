"""HTTP to EFSS sites: one pooled session per site and user, credentials, failures named.

Two kinds of callers: :class:`SiteHTTP` talks to the user's *own* site with the user's
credential; :func:`anonymous_get` reads public documents of *other* sites (OCM discovery,
the mesh directory) and never carries a credential, so the user's password or token can
only ever reach their own site.

Everything here is blocking (``requests``); the Jupyter handlers call it from worker threads.
Transport failures become :class:`SharingError` with the site's domain and no URL, header or
body, so no secret can leak into a message.
"""

from __future__ import annotations

import threading
from typing import Any

import requests

from ..dav.auth import Auth
from ..dav.errors import AuthenticationFailed
from .errors import SharingError
from .ids import domain_of

#: Discovery and directory reads are quick or useless: a dead site must not stall the UI.
PROBE_TIMEOUT = 5.0

_sessions: dict[tuple[str, str], requests.Session] = {}
_sessions_lock = threading.Lock()


def pooled_session(url: str, user: str) -> requests.Session:
    """The one keep-alive session for ``user`` at ``url`` (Nextcloud's cookie saves a
    slow password check on every later request)."""
    key = (url.rstrip("/"), user)
    with _sessions_lock:
        session = _sessions.get(key)
        if session is None:
            session = _sessions[key] = requests.Session()
        return session


def _transport_error(domain: str, err: requests.RequestException) -> SharingError:
    if isinstance(err, requests.Timeout):
        return SharingError(
            504, "site_unreachable", f"{domain} did not answer in time; try again later."
        )
    if isinstance(err, requests.exceptions.SSLError):
        return SharingError(
            502, "site_unreachable", f"{domain} presented a TLS certificate we cannot verify."
        )
    return SharingError(502, "site_unreachable", f"{domain} cannot be reached right now.")


class SiteHTTP:
    """Authenticated requests to the user's own site, relative to its base URL.

    The credential objects are the WebDAV client's (:mod:`cs3_jupyter.dav.auth`), so both
    halves log in the same way and refresh a token file the same way.
    """

    def __init__(
        self,
        url: str,
        user: str,
        auth: Auth,
        *,
        timeout: float = 30.0,
        verify: bool | str = True,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.domain = domain_of(url)
        self.user = user
        self.auth = auth
        self.timeout = timeout
        self.verify = verify
        #: Pass the WebDAV client's session to share its connections and login cookie.
        self.session = session if session is not None else pooled_session(self.url, user)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send one request; a 401 is retried once if the credential could be refreshed."""
        try:
            for attempt in (1, 2):
                try:
                    response = self.session.request(
                        method,
                        self.url + path,
                        auth=self.auth,
                        timeout=self.timeout,
                        verify=self.verify,
                        allow_redirects=False,
                        **kwargs,
                    )
                except requests.RequestException as err:
                    raise _transport_error(self.domain, err) from None
                if response.status_code != 401:
                    return response
                if attempt == 1 and not self.auth.refresh(response.request):
                    break
        except AuthenticationFailed as err:
            raise SharingError(401, "site_auth_failed", err.message) from None
        raise SharingError(
            401,
            "site_auth_failed",
            f"{self.domain} refused your login; your session may have expired. "
            "Log in to JupyterHub again or ask your admin.",
        )


_anonymous = requests.Session()


def anonymous_get(
    url: str, *, verify: bool | str = True, timeout: float = PROBE_TIMEOUT
) -> requests.Response:
    """GET a public document of any site, without credentials, following redirects."""
    try:
        return _anonymous.get(
            url, timeout=timeout, verify=verify, headers={"Accept": "application/json"}
        )
    except requests.RequestException as err:
        raise _transport_error(domain_of(url), err) from None


def json_body(response: requests.Response, domain: str, what: str) -> Any:
    """The JSON of a response, or a 502 saying the site answered something else."""
    try:
        return response.json()
    except ValueError:
        raise SharingError(
            502, "site_error", f"{domain} sent an unreadable answer to the {what} request."
        ) from None
