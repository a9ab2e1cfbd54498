"""One SQLite database per site: the state that must survive a restart.

A single connection guarded by a re-entrant lock keeps this simple and safe under the
threaded WSGI server; the local mesh serves a handful of users, so serialising database
access costs nothing measurable while ruling out "database is locked" surprises.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class Database:
    """Thread-safe access to the site's SQLite file; modules add their own tables."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._lock = threading.RLock()
        self._depth = 0

    def add_schema(self, sql: str) -> None:
        """Create tables/indexes idempotently (use ``CREATE ... IF NOT EXISTS``)."""
        with self._lock:
            self._conn.executescript(sql)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self._lock:
            return self._conn.execute(sql, params).fetchone()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """All statements inside commit together or not at all; nesting joins the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def setting(self, key: str, make: Callable[[], str]) -> str:
        """A per-site constant (e.g. the instance id), created once and kept across restarts."""
        with self.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = db.query_one("SELECT value FROM meta WHERE key=?", (key,))
            if row:
                return row["value"]
            value = make()
            db.execute("INSERT INTO meta VALUES(?,?)", (key, value))
            return value

    @property
    def lock(self) -> threading.RLock:
        """Held by callers that must keep disk changes and rows in step (see files.py)."""
        return self._lock

    def close(self) -> None:
        with self._lock:
            self._conn.close()
