"""Staging area for Nextcloud chunked uploads (v2): chunks on disk, bookkeeping in SQLite.

Nothing here is visible in the user's files until the final MOVE assembles the chunks; an
abandoned upload only costs disk space until it expires.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from .db import Database
from .files import NotFound, Upload

SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads(
    user TEXT NOT NULL, id TEXT NOT NULL, destination TEXT, touched REAL NOT NULL,
    PRIMARY KEY(user, id));
"""

#: Nextcloud lets uploads sit idle this long before cleaning them up.
DEFAULT_TTL = 24 * 3600
_NAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


class UploadStore:
    def __init__(self, db: Database, data_dir: Path) -> None:
        self._db = db
        self.root = data_dir / "uploads"
        self.root.mkdir(parents=True, exist_ok=True)
        db.add_schema(SCHEMA)

    def _dir(self, user: str, upload_id: str) -> Path:
        return self.root / user / upload_id

    def exists(self, user: str, upload_id: str) -> bool:
        return self._row(user, upload_id) is not None

    def _row(self, user: str, upload_id: str):
        return self._db.query_one("SELECT * FROM uploads WHERE user=? AND id=?", (user, upload_id))

    def create(self, user: str, upload_id: str, destination: str | None) -> None:
        if not _NAME_RE.match(upload_id) or upload_id.startswith("."):
            raise ValueError("upload ids may contain letters, digits, '.', '_' and '-' only")
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO uploads VALUES(?,?,?,?)", (user, upload_id, destination, time.time())
            )
            self._dir(user, upload_id).mkdir(parents=True)

    def ids(self, user: str) -> list[str]:
        rows = self._db.query("SELECT id FROM uploads WHERE user=? ORDER BY id", (user,))
        return [row["id"] for row in rows]

    def destination(self, user: str, upload_id: str) -> str | None:
        row = self._row(user, upload_id)
        return row["destination"] if row else None

    def chunk_names(self, user: str, upload_id: str) -> list[str]:
        """In assembly order: numerically when every name is a number, else by name."""
        folder = self._dir(user, upload_id)
        names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
        if all(name.isdigit() for name in names):
            return sorted(names, key=int)
        return sorted(names)

    def chunk_path(self, user: str, upload_id: str, name: str) -> Path:
        return self._dir(user, upload_id) / name

    def store_chunk(self, user: str, upload_id: str, name: str, upload: Upload) -> None:
        if not self.exists(user, upload_id):
            raise NotFound("no such upload")
        if not _NAME_RE.match(name) or name.startswith("."):
            raise ValueError("chunk names may contain letters, digits, '.', '_' and '-' only")
        upload.close()
        shutil.move(upload.path, self.chunk_path(user, upload_id, name))
        self._touch(user, upload_id)

    def total_size(self, user: str, upload_id: str) -> int:
        return sum(
            self.chunk_path(user, upload_id, name).stat().st_size
            for name in self.chunk_names(user, upload_id)
        )

    def assemble_into(self, user: str, upload_id: str, upload: Upload) -> None:
        """Copy the chunks, in order, into a staged upload (which enforces the quota)."""
        for name in self.chunk_names(user, upload_id):
            with open(self.chunk_path(user, upload_id, name), "rb") as chunk:
                while data := chunk.read(1 << 20):
                    upload.write(data)

    def delete(self, user: str, upload_id: str) -> None:
        with self._db.transaction() as db:
            db.execute("DELETE FROM uploads WHERE user=? AND id=?", (user, upload_id))
            shutil.rmtree(self._dir(user, upload_id), ignore_errors=True)

    def expire(self, idle_seconds: float = DEFAULT_TTL) -> int:
        """Remove uploads untouched for ``idle_seconds``; returns how many went."""
        cutoff = time.time() - idle_seconds
        rows = self._db.query("SELECT user, id FROM uploads WHERE touched <= ?", (cutoff,))
        for row in rows:
            self.delete(row["user"], row["id"])
        return len(rows)

    def _touch(self, user: str, upload_id: str) -> None:
        self._db.execute(
            "UPDATE uploads SET touched=? WHERE user=? AND id=?", (time.time(), user, upload_id)
        )
