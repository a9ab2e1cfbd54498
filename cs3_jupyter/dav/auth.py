"""How requests to the site are authenticated: Basic, a bearer token, or a token file.

Hubs that refresh OIDC tokens write them into a file; :class:`TokenFileAuth` re-reads the
file whenever its modification time changes and, after a 401, once more before giving up,
so a refreshed token is picked up without restarting the server. The secret itself only
ever lives in the ``Authorization`` header of the outgoing request.
"""

from __future__ import annotations

import os
import threading

from requests.auth import AuthBase, HTTPBasicAuth
from requests.models import PreparedRequest

from .errors import AuthenticationFailed


class BearerAuth(AuthBase):
    """A fixed bearer token."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def refresh(self, failed: PreparedRequest) -> bool:
        """A fixed token cannot get better: a 401 is final."""
        return False


class TokenFileAuth(AuthBase):
    """A bearer token read from a file, re-read when the file changes or after a 401."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._mtime: int | None = None
        self._token = ""

    def _load(self, force: bool) -> str:
        with self._lock:
            try:
                mtime = os.stat(self._path).st_mtime_ns
            except OSError:
                raise AuthenticationFailed(
                    "The token file configured in CS3Site.token_file cannot be read; "
                    "ask your administrator to check it."
                ) from None
            if force or mtime != self._mtime:
                with open(self._path, encoding="utf-8") as handle:
                    self._token = handle.read().strip()
                self._mtime = mtime
            return self._token

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._load(force=False)}"
        return request

    def refresh(self, failed: PreparedRequest) -> bool:
        """Re-read the file; True if it now holds another token than the refused request."""
        fresh = f"Bearer {self._load(force=True)}"
        return fresh != failed.headers.get("Authorization")


class BasicAuth(HTTPBasicAuth):
    """User and password (or app password)."""

    def refresh(self, failed: PreparedRequest) -> bool:
        return False


Auth = BearerAuth | TokenFileAuth | BasicAuth


def make_auth(user: str, password: str = "", token: str = "", token_file: str = "") -> Auth:
    """The credential to use, in the order documented on ``CS3Site``: file, token, password."""
    if token_file:
        return TokenFileAuth(token_file)
    if token:
        return BearerAuth(token)
    return BasicAuth(user, password)
