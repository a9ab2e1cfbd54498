"""Users, groups and their credentials; HTTP authentication like Nextcloud's.

A user logs in with Basic (password or app password) or Bearer (a static test token, standing
in for OIDC). Secrets are stored only as hashes, so a leaked data dir reveals nothing usable.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie

from .db import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS users(
    name TEXT PRIMARY KEY, display_name TEXT NOT NULL, password_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS app_passwords(
    secret_hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name));
CREATE TABLE IF NOT EXISTS tokens(
    secret_hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name));
CREATE TABLE IF NOT EXISTS groups(name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS group_members(
    grp TEXT NOT NULL REFERENCES groups(name), user TEXT NOT NULL REFERENCES users(name),
    PRIMARY KEY(grp, user));
"""

#: User and group ids double as directory names, so keep them to a safe alphabet.
_ID_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$")
# Few iterations on purpose: this is a test site, and every request re-checks the password.
_PBKDF2_ITERATIONS = 2000


@dataclass(frozen=True)
class UserInfo:
    """A user's credentials as handed out once at creation (tests and the demo log in with them)."""

    user: str
    password: str
    app_password: str
    token: str
    site: str = ""


def hash_password(password: str) -> str:
    """Salted PBKDF2; also used by the sharing code for public-link passwords."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _PBKDF2_ITERATIONS)
    return f"pbkdf2${_PBKDF2_ITERATIONS}${salt.hex()}${digest.hex()}"


def verify_password(stored: str, password: str) -> bool:
    """Constant-time check of ``password`` against a :func:`hash_password` value."""
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2":
            return False
        candidate = hashlib.pbkdf2_hmac(
            "sha256", password.encode(), bytes.fromhex(salt), int(iterations)
        )
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)


def _secret_hash(secret: str) -> str:
    # App passwords and tokens are long random strings: a plain hash is enough.
    return hashlib.sha256(secret.encode()).hexdigest()


def valid_id(name: str) -> bool:
    return bool(_ID_RE.match(name))


def basic_credentials(environ: dict) -> tuple[str, str] | None:
    """(user, password) from a Basic ``Authorization`` header, or None."""
    header = environ.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


class LoginRace(Exception):
    """A second login of one user while the first is still running (Nextcloud on SQLite)."""


@dataclass
class LoginSessions:
    """Nextcloud-like login sessions, used when the ``nextcloud_login`` fault is set.

    A Basic-auth request without a valid session cookie is a login: it costs the password
    check's time and sets a session cookie; concurrent logins of one user fail (the
    caller answers 500). Requests carrying the cookie of a session of their own user pass.
    """

    cookie: str
    _sessions: dict[str, str] = field(default_factory=dict)
    _running: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def has_session(self, environ: dict, user: str) -> bool:
        try:
            jar = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        except CookieError:
            return False
        morsel = jar.get(self.cookie)
        with self._lock:
            return morsel is not None and self._sessions.get(morsel.value) == user

    def login(self, user: str, cost: float) -> str:
        """Log ``user`` in; the new session id, or :class:`LoginRace` if one is running."""
        with self._lock:
            racing = user in self._running
            self._running.add(user)
        try:
            time.sleep(cost)
        finally:
            if not racing:
                with self._lock:
                    self._running.discard(user)
        if racing:
            raise LoginRace(user)
        session = secrets.token_urlsafe(16)
        with self._lock:
            self._sessions[session] = user
        return session


def challenge_headers(environ: dict, realm: str) -> list[tuple[str, str]]:
    """The 401 challenge; like Nextcloud, XHR callers get one browsers do not prompt for."""
    scheme = "DummyBasic" if environ.get("HTTP_X_REQUESTED_WITH") == "XMLHttpRequest" else "Basic"
    return [("WWW-Authenticate", f'{scheme} realm="{realm}", charset="UTF-8"')]


class Users:
    """The site's accounts. All methods are thread-safe (the database serialises them)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        db.add_schema(SCHEMA)

    def add_user(
        self,
        name: str,
        password: str | None = None,
        display_name: str | None = None,
        groups: tuple[str, ...] | list[str] = (),
    ) -> UserInfo:
        """Create a user with a password, one app password and one bearer token."""
        if not valid_id(name):
            raise ValueError("user ids may contain letters, digits and _ . @ - only")
        password = password or secrets.token_urlsafe(12)
        app_password = secrets.token_urlsafe(24)
        token = secrets.token_urlsafe(32)
        with self._db.transaction() as db:
            if db.query_one("SELECT 1 FROM users WHERE name=?", (name,)):
                raise ValueError(f"user {name!r} already exists")
            db.execute(
                "INSERT INTO users(name, display_name, password_hash) VALUES(?,?,?)",
                (name, display_name or name.capitalize(), hash_password(password)),
            )
            db.execute("INSERT INTO app_passwords VALUES(?,?)", (_secret_hash(app_password), name))
            db.execute("INSERT INTO tokens VALUES(?,?)", (_secret_hash(token), name))
            for group in groups:
                self.add_member(group, name)
        return UserInfo(name, password, app_password, token)

    def add_member(self, group: str, user: str) -> None:
        if not valid_id(group):
            raise ValueError("group ids may contain letters, digits and _ . @ - only")
        with self._db.transaction() as db:
            db.execute("INSERT OR IGNORE INTO groups VALUES(?)", (group,))
            db.execute("INSERT OR IGNORE INTO group_members VALUES(?,?)", (group, user))

    def create_app_password(self, user: str) -> str:
        secret = secrets.token_urlsafe(24)
        self._db.execute("INSERT INTO app_passwords VALUES(?,?)", (_secret_hash(secret), user))
        return secret

    def exists(self, name: str) -> bool:
        return self._db.query_one("SELECT 1 FROM users WHERE name=?", (name,)) is not None

    def display_name(self, name: str) -> str | None:
        row = self._db.query_one("SELECT display_name FROM users WHERE name=?", (name,))
        return row["display_name"] if row else None

    def names(self) -> list[str]:
        return [row["name"] for row in self._db.query("SELECT name FROM users ORDER BY name")]

    def groups(self) -> list[str]:
        return [row["name"] for row in self._db.query("SELECT name FROM groups ORDER BY name")]

    def groups_of(self, user: str) -> list[str]:
        rows = self._db.query("SELECT grp FROM group_members WHERE user=? ORDER BY grp", (user,))
        return [row["grp"] for row in rows]

    def members(self, group: str) -> list[str]:
        rows = self._db.query("SELECT user FROM group_members WHERE grp=? ORDER BY user", (group,))
        return [row["user"] for row in rows]

    def check_password(self, user: str, password: str) -> bool:
        """True for the user's password or one of their app passwords."""
        row = self._db.query_one("SELECT password_hash FROM users WHERE name=?", (user,))
        if row is None:
            return False
        if self._db.query_one(
            "SELECT 1 FROM app_passwords WHERE secret_hash=? AND user=?",
            (_secret_hash(password), user),
        ):
            return True
        return verify_password(row["password_hash"], password)

    def user_for_token(self, token: str) -> str | None:
        row = self._db.query_one(
            "SELECT user FROM tokens WHERE secret_hash=?", (_secret_hash(token),)
        )
        return row["user"] if row else None

    def authenticate(self, environ: dict) -> str | None:
        """The user id the request's Basic or Bearer credentials prove, else None."""
        header = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return self.user_for_token(value.strip())
        creds = basic_credentials(environ)
        if creds and self.check_password(*creds):
            return creds[0]
        return None
