"""Every way a call to a site can fail below HTTP status codes, as four exception types.

The transport classifies a failure once (here the classes, in :mod:`.client` the mapping
from ``requests``/``urllib3``/socket exceptions); the WebDAV and sharing layers only turn
a class into their own error type (:meth:`~cs3_jupyter.dav.client.DavClient` →
``DavError``, :class:`~cs3_jupyter.sharing.http.SiteHTTP` → ``SharingError``). Messages are
written for a user, name the site as ``host:port`` and never hold a URL, header or body.
"""

from __future__ import annotations


class TransportError(Exception):
    """Base: ``site`` is ``host[:port]``; ``message`` is safe to show and to log."""

    #: The HTTP status a gateway (our server) answers for this failure.
    gateway_status = 502

    def __init__(self, site: str, message: str) -> None:
        super().__init__(message)
        self.site = site
        self.message = message


class SiteUnreachable(TransportError):
    """No usable connection: refused, reset, DNS, TLS verification."""


class SiteTimedOut(TransportError):
    """The site did not answer, or did not finish answering, in the time allowed."""

    gateway_status = 504


class BadAnswer(TransportError):
    """An answer we will not use: cut short, badly encoded, too large, or redirected away."""


class AnswerTooLarge(BadAnswer):
    """An answer larger than the cap its caller set (``limit`` bytes); not read to the end.

    Its own type so a caller can say which of its limits (and which setting) it was.
    """

    def __init__(self, site: str, message: str, limit: int) -> None:
        super().__init__(site, message)
        self.limit = limit


class CredentialUnusable(TransportError):
    """The configured credential cannot be sent (unreadable or malformed token file)."""

    gateway_status = 401
