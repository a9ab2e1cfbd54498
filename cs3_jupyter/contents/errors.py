"""The one translation from WebDAV failures to the HTTP errors Jupyter's API sends.

Statuses follow one rule: what the site refused keeps its meaning (401, 403, 404,
409, 423, 507); a site that cannot be reached or answers nonsense is a bad gateway (502),
one that is too slow a gateway timeout (504). The message is the one the dav layer wrote
for a user; it names the site and the path, never a credential.
"""

from __future__ import annotations

from tornado.web import HTTPError

from ..dav import errors

_STATUS: list[tuple[type[errors.DavError], int]] = [
    (errors.BadPath, 400),
    (errors.AuthenticationFailed, 401),
    (errors.PermissionDenied, 403),
    (errors.NotFound, 404),
    (errors.AlreadyExists, 409),
    (errors.Conflict, 409),
    (errors.PreconditionFailed, 409),
    (errors.Locked, 423),
    (errors.QuotaExceeded, 507),
    (errors.SiteTimeout, 504),
    (errors.NotSupported, 501),
]


def to_http_error(err: errors.DavError) -> HTTPError:
    """The ``HTTPError`` for ``err``; its ``log_message`` is what the user reads."""
    for kind, status in _STATUS:
        if isinstance(err, kind):
            return HTTPError(status, err.message)
    # SiteUnavailable, ProtocolError and anything new: the gateway (us) got no good answer.
    return HTTPError(502, err.message)
