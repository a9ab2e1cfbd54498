"""The one translation from WebDAV failures to the HTTP errors Jupyter's API sends.

Statuses follow one rule: what the site refused keeps its meaning (401, 403, 404,
409, 423, 507); a site that cannot be reached or answers nonsense is a bad gateway (502),
one that is too slow a gateway timeout (504). The message is the one the dav layer wrote
for a user; it names the site and the path, never a credential.

That message must reach the user as written, ``%`` included (a file called
``50% done.ipynb``): the errors of this package are :class:`ShownHTTPError`.
"""

from __future__ import annotations

from tornado.web import HTTPError

from ..dav import errors


class ShownHTTPError(HTTPError):
    """An ``HTTPError`` whose message the browser receives exactly as written.

    Tornado (6.5 and later) doubles every ``%`` of ``log_message`` when the error has no
    format arguments, and jupyter_server's ``APIHandler.write_error`` sends ``log_message``
    as the JSON ``message`` JupyterLab shows: a save of ``50% done.ipynb`` that fails would
    say ``50%% done.ipynb``. Tornado's own log line uses ``get_message()``, which never
    doubled anything. The one reader left behind is jupyter_server's HTML error page (of
    ``/files/``), which %-formats the message itself: for a message holding a ``%`` it
    falls back to the status text, where it used to show the message.
    """

    @property
    def log_message(self) -> str | None:
        return self._log_message

    @log_message.setter
    def log_message(self, value: str | None) -> None:
        self._log_message = value


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
            return ShownHTTPError(status, err.message)
    # SiteUnavailable, ProtocolError and anything new: the gateway (us) got no good answer.
    return ShownHTTPError(502, err.message)
