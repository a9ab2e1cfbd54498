"""The trash bin: a deleted item moves to a hidden per-user namespace of the FileTree.

Moving (rather than copying out) keeps file ids, ETags and versions, so a restored notebook
is the same file with its history. The namespace ``.trash-<user>`` cannot clash with a user,
whose ids never start with a dot. Items are named like Nextcloud's: ``<name>.d<unix time>``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .db import Database
from .files import Entry, FileTree, NotFound, parent_of

SCHEMA = """
CREATE TABLE IF NOT EXISTS trash_items(
    user TEXT NOT NULL, name TEXT NOT NULL, original_path TEXT NOT NULL,
    deleted_at REAL NOT NULL, PRIMARY KEY(user, name));
"""


@dataclass(frozen=True)
class TrashItem:
    name: str  # "<original name>.d<unix time>"
    original_path: str
    deleted_at: float


def namespace(user: str) -> str:
    return f".trash-{user}"


class TrashBin:
    def __init__(self, db: Database, files: FileTree) -> None:
        self._db = db
        self._files = files
        db.add_schema(SCHEMA)

    def trash(self, user: str, path: str) -> str:
        """Move ``path`` of ``user`` into their trash; returns the trash item's name."""
        ns = namespace(user)
        with self._db.transaction():
            self._files.ensure_home(ns)
            now = time.time()
            base = f"{path.rsplit('/', 1)[-1]}.d{int(now)}"
            name, n = base, 1
            while self._files.stat(ns, name) is not None:
                n += 1
                name = f"{base}-{n}"
            self._files.move(user, path, ns, name)
            self._db.execute("INSERT INTO trash_items VALUES(?,?,?,?)", (user, name, path, now))
            return name

    def items(self, user: str) -> list[TrashItem]:
        rows = self._db.query(
            "SELECT * FROM trash_items WHERE user=? ORDER BY deleted_at DESC", (user,)
        )
        return [TrashItem(r["name"], r["original_path"], r["deleted_at"]) for r in rows]

    def item(self, user: str, name: str) -> TrashItem | None:
        row = self._db.query_one("SELECT * FROM trash_items WHERE user=? AND name=?", (user, name))
        return TrashItem(row["name"], row["original_path"], row["deleted_at"]) if row else None

    def restore(self, user: str, name: str) -> Entry:
        """Back to where it was; into the home when that folder is gone; never over a file."""
        with self._db.transaction():
            item = self.item(user, name)
            if item is None:
                raise NotFound("no such item in the trash bin")
            target = item.original_path
            parent = parent_of(target) or ""
            folder = self._files.stat(user, parent)
            if folder is None or not folder.is_dir:
                target = target.rsplit("/", 1)[-1]
            candidate, n = target, 1
            while self._files.stat(user, candidate) is not None:
                n += 1
                candidate = _renamed(target, n)
            entry = self._files.move(namespace(user), name, user, candidate)
            self._forget(user, name)
            return entry

    def purge(self, user: str, name: str) -> None:
        with self._db.transaction():
            if self.item(user, name) is None:
                raise NotFound("no such item in the trash bin")
            self._files.delete(namespace(user), name)
            self._forget(user, name)

    def empty(self, user: str) -> None:
        with self._db.transaction():
            for item in self.items(user):
                self.purge(user, item.name)

    def _forget(self, user: str, name: str) -> None:
        self._db.execute("DELETE FROM trash_items WHERE user=? AND name=?", (user, name))


def _renamed(path: str, n: int) -> str:
    """``a/nb.ipynb`` -> ``a/nb (restored 2).ipynb``: the extension stays last."""
    folder, _, name = path.rpartition("/")
    stem, dot, ext = name.partition(".") if not name.startswith(".") else (name, "", "")
    renamed = f"{stem} (restored {n}){dot}{ext}"
    return f"{folder}/{renamed}" if folder else renamed
