"""What can go wrong when talking WebDAV to an EFSS site, as exceptions that carry meaning.

Each class names a situation (not a status code) so callers can decide what it means for
them: a 412 on a save is "someone else changed the file", on a MOVE it is "the target
exists". Messages are written for a user and never contain a credential: the client builds
them from the site's host name and the path, never from URLs with user info or headers.
"""

from __future__ import annotations


class DavError(Exception):
    """Base class: ``status`` is the site's HTTP status (None when there was no answer)."""

    status: int | None = None

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class BadPath(DavError):
    """The path is not acceptable (a name no site stores, or one leaving the user's root)."""


class OutsideRoot(BadPath):
    """The path leads outside the user's root (``..``); Jupyter answers 404 for those."""


class AuthenticationFailed(DavError):
    """401: the credential was refused (after one refresh when it came from a token file)."""

    status = 401


class PermissionDenied(DavError):
    """403: the user may not do this here (read-only share, read-only folder)."""

    status = 403


class NotFound(DavError):
    """404: no such file or folder (or, on a PUT, a missing parent folder)."""

    status = 404


class AlreadyExists(DavError):
    """The target exists and we asked not to overwrite it (412 on MOVE/COPY, 405 on MKCOL)."""


class Conflict(DavError):
    """409: the parent folder is missing or the operation does not fit the target's type."""

    status = 409


class PreconditionFailed(DavError):
    """412 on a write guarded by ``If-Match``: the file changed on the site since we saw it."""

    status = 412


class Locked(DavError):
    """423: the file is locked on the site (another app or user is editing it)."""

    status = 423


class QuotaExceeded(DavError):
    """507: the user's storage quota on the site is used up."""

    status = 507


class SiteUnavailable(DavError):
    """The site did not answer usefully: connection refused, TLS failure, or a 5xx status."""


class SiteTimeout(DavError):
    """The site did not answer within the configured timeout."""


class ProtocolError(DavError):
    """The site answered with something we cannot understand (bad XML, missing headers)."""


class TooLarge(ProtocolError):
    """An answer beyond one of this server's limits (bytes or entries): not read, not parsed."""


class NotSupported(DavError):
    """The site does not offer this feature (no versions, no chunked uploads)."""
