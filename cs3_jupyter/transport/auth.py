"""How requests to the user's site are authenticated: Basic, a bearer token, or a token file.

Hubs that refresh OIDC tokens write them into a file; :class:`TokenFileAuth` re-reads the
file whenever its modification time changes and, after a 401, once more before giving up,
so a refreshed token is picked up without restarting the server.

The secret only ever lives in the ``Authorization`` header of an outgoing request. A token
file is read defensively, because whatever it holds goes into a header: one trailing line
break is dropped (editors and ``echo`` add one), any other control character refuses the
token (a line break inside would inject a header, and ``requests`` would quote the whole
value in its error), and every problem is a :class:`CredentialUnusable` whose message names
the setting, never the content.
"""

from __future__ import annotations

import logging
import os
import stat
import threading

from requests.auth import AuthBase, HTTPBasicAuth
from requests.models import PreparedRequest

from .errors import CredentialUnusable

log = logging.getLogger(__name__)

_SETTING = "The token file configured in CS3Site.token_file (CS3_TOKEN_FILE)"


def _has_control_characters(text: str) -> bool:
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)


class BearerAuth(AuthBase):
    """A fixed bearer token."""

    def __init__(self, token: str) -> None:
        self._token = token.removesuffix("\n")

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        if _has_control_characters(self._token):
            raise CredentialUnusable(
                "",
                "The token in CS3Site.token (CS3_TOKEN) holds control characters, so it "
                "cannot be sent; ask your administrator to check it.",
            )
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
        self._warned_mode = False

    def _refuse(self, why: str) -> CredentialUnusable:
        return CredentialUnusable("", f"{_SETTING} {why}; ask your administrator to check it.")

    def _read(self) -> str:
        try:
            with open(self._path, "rb") as handle:
                mode = os.fstat(handle.fileno()).st_mode
                if not stat.S_ISREG(mode):
                    raise self._refuse("is not a regular file")
                raw = handle.read(64 * 1024 + 1)
        except IsADirectoryError:
            raise self._refuse("is a folder, not a file") from None
        except OSError:
            raise self._refuse("cannot be read") from None
        if len(raw) > 64 * 1024:
            raise self._refuse("is too large to hold a token")
        if mode & (stat.S_IRWXG | stat.S_IRWXO) and not self._warned_mode:
            self._warned_mode = True
            log.warning(
                "%s can be read by other users (mode %o); make it readable by its owner only.",
                _SETTING,
                stat.S_IMODE(mode),
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self._refuse("is not UTF-8 text") from None
        if text.endswith("\r\n"):
            text = text[:-2]
        elif text.endswith("\n"):
            text = text[:-1]
        if not text.strip():
            raise self._refuse("is empty")
        if _has_control_characters(text):
            raise self._refuse("holds control characters (a line break inside the token?)")
        return text

    def _load(self, force: bool) -> str:
        with self._lock:
            try:
                mtime = os.stat(self._path).st_mtime_ns
            except OSError:
                raise self._refuse("cannot be read") from None
            if force or mtime != self._mtime:
                self._token = self._read()
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
