"""The share tables of one site: what its users shared, and what reached them from other sites.

Two kinds of rows, as in Nextcloud: ``shares`` are made on this site (user, group, public
link and outgoing federated shares, all owned by a local user); ``remote_shares`` arrived
over OCM from another site and point back at it. Everything lives in the site's SQLite, so
a restart keeps every share. Protocol rules (who may do what) live in ``ocs.py`` and
``ocm.py``; this module only stores and finds.
"""

from __future__ import annotations

import secrets
import sqlite3
import string
import time
from dataclasses import dataclass

from .db import Database

# OCS share types this site implements (docs/protocols.md §2.2).
USER, GROUP, LINK, FEDERATED = 0, 1, 3, 6
SHARE_TYPES = (USER, GROUP, LINK, FEDERATED)

SCHEMA = """
CREATE TABLE IF NOT EXISTS shares (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    share_type INTEGER NOT NULL,
    owner TEXT NOT NULL,
    file_id INTEGER NOT NULL,
    item_type TEXT NOT NULL,
    share_with TEXT,
    permissions INTEGER NOT NULL,
    stime INTEGER NOT NULL,
    expiration TEXT,
    token TEXT UNIQUE,
    password_hash TEXT,
    note TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL DEFAULT '',
    file_target TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS shares_owner ON shares(owner, file_id);
CREATE INDEX IF NOT EXISTS shares_with ON shares(share_type, share_with);
CREATE TABLE IF NOT EXISTS remote_shares (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    remote TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    share_token TEXT NOT NULL,
    name TEXT NOT NULL,
    owner TEXT NOT NULL,
    owner_display_name TEXT NOT NULL DEFAULT '',
    resource_type TEXT NOT NULL,
    webdav_url TEXT NOT NULL,
    ocm_endpoint TEXT NOT NULL,
    mountpoint TEXT NOT NULL,
    accepted INTEGER NOT NULL DEFAULT 0,
    stime INTEGER NOT NULL,
    UNIQUE (remote, remote_id, user)
);
"""


@dataclass(frozen=True)
class Share:
    """A share made on this site. It follows its item by file id, across renames, like NC."""

    id: int
    share_type: int
    owner: str
    file_id: int
    item_type: str  # "file" | "folder"
    share_with: str | None
    permissions: int
    stime: int
    expiration: str | None  # "YYYY-MM-DD"
    token: str | None  # public link token, or the shared secret of a federated share
    password_hash: str | None
    note: str
    label: str
    file_target: str  # where the recipient sees it, e.g. "/proj"

    @property
    def expired(self) -> bool:
        return self.expiration is not None and self.expiration < time.strftime("%Y-%m-%d")


@dataclass(frozen=True)
class RemoteShare:
    """A federated share received from another site (Nextcloud's "external share")."""

    id: int
    user: str
    remote: str  # sender's base URL with a trailing slash, as Nextcloud shows it
    remote_id: str  # the sender's providerId
    share_token: str  # the shared secret: never shown to the user
    name: str  # "/proj"
    owner: str
    owner_display_name: str
    resource_type: str
    webdav_url: str  # where the shared item's data lives at the sender
    ocm_endpoint: str  # the sender's OCM API, for notifications
    mountpoint: str
    accepted: bool
    stime: int


def new_token(length: int = 15) -> str:
    """A link token in Nextcloud's alphabet (letters and digits, 15 characters)."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_secret() -> str:
    """A shared secret for a federated share: long enough to be the only credential."""
    return secrets.token_urlsafe(32)


def _share(row: sqlite3.Row) -> Share:
    return Share(**dict(row))


def _remote(row: sqlite3.Row) -> RemoteShare:
    return RemoteShare(**{**dict(row), "accepted": bool(row["accepted"])})


class ShareStore:
    """Rows of ``shares`` and ``remote_shares``; callers decide what is allowed."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.add_schema(SCHEMA)

    # -- shares made here ------------------------------------------------------------
    def create(
        self,
        *,
        share_type: int,
        owner: str,
        file_id: int,
        item_type: str,
        share_with: str | None,
        permissions: int,
        file_target: str,
        expiration: str | None = None,
        token: str | None = None,
        password_hash: str | None = None,
        note: str = "",
        label: str = "",
    ) -> Share:
        cursor = self.db.execute(
            "INSERT INTO shares (share_type, owner, file_id, item_type, share_with, permissions,"
            " stime, expiration, token, password_hash, note, label, file_target)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                share_type,
                owner,
                file_id,
                item_type,
                share_with,
                permissions,
                int(time.time()),
                expiration,
                token,
                password_hash,
                note,
                label,
                file_target,
            ),
        )
        share = self.get(int(cursor.lastrowid or 0))
        assert share is not None
        return share

    def get(self, share_id: int) -> Share | None:
        row = self.db.query_one("SELECT * FROM shares WHERE id = ?", (share_id,))
        return _share(row) if row else None

    def by_token(self, token: str) -> Share | None:
        row = self.db.query_one("SELECT * FROM shares WHERE token = ?", (token,))
        return _share(row) if row else None

    def owned_by(self, owner: str) -> list[Share]:
        rows = self.db.query("SELECT * FROM shares WHERE owner = ? ORDER BY id", (owner,))
        return [_share(r) for r in rows]

    def shared_with(self, user: str, groups: list[str]) -> list[Share]:
        """User and group shares that reach ``user`` (never their own)."""
        marks = ",".join("?" * len(groups)) or "NULL"
        rows = self.db.query(
            f"SELECT * FROM shares WHERE owner != ? AND ((share_type = {USER} AND share_with = ?)"
            f" OR (share_type = {GROUP} AND share_with IN ({marks}))) ORDER BY id",
            (user, user, *groups),
        )
        return [_share(r) for r in rows]

    def update(self, share_id: int, **fields: object) -> Share:
        if fields:
            columns = ", ".join(f"{name} = ?" for name in fields)
            self.db.execute(
                f"UPDATE shares SET {columns} WHERE id = ?", (*fields.values(), share_id)
            )
        share = self.get(share_id)
        assert share is not None
        return share

    def delete(self, share_id: int) -> None:
        self.db.execute("DELETE FROM shares WHERE id = ?", (share_id,))

    # -- shares received over OCM ------------------------------------------------------
    def add_remote(
        self,
        *,
        user: str,
        remote: str,
        remote_id: str,
        share_token: str,
        name: str,
        owner: str,
        owner_display_name: str,
        resource_type: str,
        webdav_url: str,
        ocm_endpoint: str,
        mountpoint: str,
    ) -> RemoteShare:
        cursor = self.db.execute(
            "INSERT INTO remote_shares (user, remote, remote_id, share_token, name, owner,"
            " owner_display_name, resource_type, webdav_url, ocm_endpoint, mountpoint,"
            " stime) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                user,
                remote,
                remote_id,
                share_token,
                name,
                owner,
                owner_display_name,
                resource_type,
                webdav_url,
                ocm_endpoint,
                mountpoint,
                int(time.time()),
            ),
        )
        received = self.remote(int(cursor.lastrowid or 0))
        assert received is not None
        return received

    def remote(self, share_id: int) -> RemoteShare | None:
        row = self.db.query_one("SELECT * FROM remote_shares WHERE id = ?", (share_id,))
        return _remote(row) if row else None

    def remote_by_provider_id(self, remote_id: str, secret: str) -> list[RemoteShare]:
        """Received shares a notification may speak about: the sender proves it with the secret."""
        rows = self.db.query(
            "SELECT * FROM remote_shares WHERE remote_id = ? AND share_token = ?",
            (remote_id, secret),
        )
        return [_remote(r) for r in rows]

    def remotes_of(self, user: str, *, accepted: bool) -> list[RemoteShare]:
        rows = self.db.query(
            "SELECT * FROM remote_shares WHERE user = ? AND accepted = ? ORDER BY id",
            (user, int(accepted)),
        )
        return [_remote(r) for r in rows]

    def accept_remote(self, share_id: int, mountpoint: str) -> RemoteShare:
        self.db.execute(
            "UPDATE remote_shares SET accepted = 1, mountpoint = ? WHERE id = ?",
            (mountpoint, share_id),
        )
        received = self.remote(share_id)
        assert received is not None
        return received

    def delete_remote(self, share_id: int) -> None:
        self.db.execute("DELETE FROM remote_shares WHERE id = ?", (share_id,))
