"""Each user's files: bytes on disk, identity and change tracking in SQLite.

What clients rely on, and why it lives here rather than in the WebDAV layer:
- a numeric file id that survives renames and restarts (shares and versions point at it);
- an ETag that changes on *every* content change (stricter than Nextcloud, whose ETags
  change at most once a second) and on every ancestor folder, so a client that compares a
  folder's ETag knows whether anything below it changed;
- a file appears at its path only once completely written (uploads are staged in a
  temporary file and renamed into place), and an overwrite keeps the old bytes as a version.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import string
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .db import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS files(
    fileid INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL, path TEXT NOT NULL, parent TEXT, name TEXT NOT NULL,
    is_dir INTEGER NOT NULL, etag TEXT NOT NULL, mtime REAL NOT NULL, ctime REAL NOT NULL,
    size INTEGER NOT NULL, sha1 TEXT,
    UNIQUE(user, path));
CREATE INDEX IF NOT EXISTS files_by_parent ON files(user, parent);
CREATE TABLE IF NOT EXISTS versions(
    fileid INTEGER NOT NULL, vid INTEGER NOT NULL, mtime REAL NOT NULL, size INTEGER NOT NULL,
    etag TEXT NOT NULL, author TEXT NOT NULL, PRIMARY KEY(fileid, vid));
"""


class FileTreeError(Exception):
    """Base of the errors the WebDAV layer maps to HTTP statuses."""


class NotFound(FileTreeError):
    pass


class ParentMissing(FileTreeError):
    """The parent folder does not exist (or is a file)."""


class AlreadyExists(FileTreeError):
    pass


class IsAFolder(FileTreeError):
    pass


class QuotaExceeded(FileTreeError):
    pass


class PreconditionFailed(FileTreeError):
    """If-Match / If-None-Match did not hold at the moment of writing."""


@dataclass(frozen=True)
class Entry:
    """One file or folder as the database knows it."""

    fileid: int
    user: str
    path: str  # relative to the user's home, no leading/trailing slash; "" is the home
    is_dir: bool
    etag: str  # unquoted
    mtime: float
    ctime: float
    size: int  # recursive for folders
    sha1: str | None

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Version:
    fileid: int
    vid: int  # unix seconds of the version's mtime, made unique per file
    mtime: float
    size: int
    etag: str
    author: str


#: Nextcloud refuses names longer than this (and most file systems stop at 255 bytes).
MAX_NAME_BYTES = 250


def normpath(path: str) -> str:
    """Canonical relative path; rejects ``.``/``..``, control characters and overlong names.

    Control characters are refused because they cannot appear in the XML of a PROPFIND answer.
    """
    parts = [p for p in path.strip("/").split("/") if p != ""] if path.strip("/") else []
    for part in parts:
        if part in (".", ".."):
            raise ValueError("'.' and '..' are not valid names")
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in part):
            raise ValueError("names cannot contain control characters")
        if len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise ValueError(f"names are limited to {MAX_NAME_BYTES} bytes")
    return "/".join(parts)


def parent_of(path: str) -> str | None:
    if path == "":
        return None
    return path.rsplit("/", 1)[0] if "/" in path else ""


def ancestors(path: str) -> list[str]:
    """Parent first, home last."""
    result = []
    current = parent_of(path)
    while current is not None:
        result.append(current)
        current = parent_of(current)
    return result


def is_within(path: str, root: str) -> bool:
    """``path`` equals ``root`` or lies below it (plain string prefix checks get ``a/bc`` wrong)."""
    return root == "" or path == root or path.startswith(root + "/")


def _new_etag() -> str:
    return secrets.token_hex(8)


class Upload:
    """Bytes being received into a temporary file; nothing is visible until committed."""

    def __init__(self, tmp_dir: Path, limit: int | None) -> None:
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        self._file = os.fdopen(fd, "wb")
        self.path = Path(name)
        self.size = 0
        self._sha1 = hashlib.sha1(usedforsecurity=False)
        self._limit = limit

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self._limit is not None and self.size > self._limit:
            raise QuotaExceeded("not enough free space")
        self._sha1.update(data)
        self._file.write(data)

    def writelines(self, chunks: Iterable[bytes]) -> None:
        for chunk in chunks:
            self.write(chunk)

    def close(self) -> None:
        self._file.close()

    @property
    def sha1(self) -> str:
        return self._sha1.hexdigest()

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


class FileTree:
    """The site's storage. Mutations hold the database lock so disk and rows move together."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self._db = db
        self.root = data_dir / "files"
        self.tmp_dir = data_dir / "tmp"
        self.versions_dir = data_dir / "versions"
        for folder in (self.root, self.tmp_dir, self.versions_dir):
            folder.mkdir(parents=True, exist_ok=True)
        db.add_schema(SCHEMA)
        alphabet = string.ascii_lowercase + string.digits
        self.instance_id = db.setting(
            "instance_id", lambda: "oc" + "".join(secrets.choice(alphabet) for _ in range(10))
        )

    # --- reading -------------------------------------------------------------------------

    def oc_id(self, fileid: int) -> str:
        """Nextcloud's globally unique id: the file id padded to 8 digits + the instance id."""
        return f"{fileid:08d}{self.instance_id}"

    def disk_path(self, user: str, path: str) -> Path:
        return self.root / user / path if path else self.root / user

    def stat(self, user: str, path: str) -> Entry | None:
        row = self._db.query_one("SELECT * FROM files WHERE user=? AND path=?", (user, path))
        return _entry(row) if row else None

    def by_id(self, fileid: int) -> Entry | None:
        row = self._db.query_one("SELECT * FROM files WHERE fileid=?", (fileid,))
        return _entry(row) if row else None

    def children(self, user: str, path: str) -> list[Entry]:
        rows = self._db.query(
            "SELECT * FROM files WHERE user=? AND parent=? ORDER BY name", (user, path)
        )
        return [_entry(row) for row in rows]

    def open(self, entry: Entry) -> BinaryIO:
        return open(self.disk_path(entry.user, entry.path), "rb")  # the caller closes it

    def used_bytes(self, user: str) -> int:
        home = self.stat(user, "")
        return home.size if home else 0

    # --- writing -------------------------------------------------------------------------

    def ensure_home(self, user: str) -> Entry:
        with self._db.transaction():
            home = self.stat(user, "")
            if home:
                return home
            self.disk_path(user, "").mkdir(parents=True, exist_ok=True)
            self._insert(user, "", is_dir=True, size=0, sha1=None, mtime=time.time())
            return self._require(user, "")

    def new_upload(self, limit: int | None = None) -> Upload:
        """Stage incoming bytes; ``limit`` is the most the user may still store (quota)."""
        return Upload(self.tmp_dir, limit)

    def commit(
        self,
        user: str,
        path: str,
        upload: Upload,
        *,
        mtime: float | None = None,
        author: str | None = None,
        if_match: list[str] | None = None,
        if_none_match: list[str] | None = None,
    ) -> tuple[Entry, bool]:
        """Put a finished upload at ``path`` atomically; returns (entry, created).

        The ETag conditions are checked again here, inside the transaction, because the HTTP
        layer checks them before the body arrives: two saves based on the same ETag must not
        both win just because their bodies were still uploading.
        """
        upload.close()
        try:
            with self._db.transaction():
                self._require_parent(user, path)
                existing = self.stat(user, path)
                if existing and existing.is_dir:
                    raise IsAFolder("a folder exists at this path")
                _check_conditions(existing, if_match, if_none_match)
                now = time.time()
                mtime = now if mtime is None else mtime
                target = self.disk_path(user, path)
                if existing:
                    self._keep_version(existing, author or user)
                    os.replace(upload.path, target)
                    self._db.execute(
                        "UPDATE files SET etag=?, mtime=?, size=?, sha1=? WHERE fileid=?",
                        (_new_etag(), mtime, upload.size, upload.sha1, existing.fileid),
                    )
                else:
                    os.replace(upload.path, target)
                    self._insert(
                        user, path, is_dir=False, size=upload.size, sha1=upload.sha1, mtime=mtime
                    )
                self._propagate(user, path)
                return self._require(user, path), existing is None
        finally:
            upload.path.unlink(missing_ok=True)

    def write_bytes(self, user: str, path: str, data: bytes, **kwargs) -> Entry:
        """Convenience for seeding and tests of this module."""
        upload = self.new_upload()
        upload.write(data)
        return self.commit(user, path, upload, **kwargs)[0]

    def mkdir(self, user: str, path: str, *, mtime: float | None = None) -> Entry:
        with self._db.transaction():
            self._require_parent(user, path)
            if self.stat(user, path):
                raise AlreadyExists("the path already exists")
            self.disk_path(user, path).mkdir()
            self._insert(
                user,
                path,
                is_dir=True,
                size=0,
                sha1=None,
                mtime=time.time() if mtime is None else mtime,
            )
            self._propagate(user, path)
            return self._require(user, path)

    def delete(self, user: str, path: str) -> None:
        if path == "":
            raise ValueError("the home folder cannot be deleted")
        with self._db.transaction():
            entry = self._require(user, path)
            ids = self._subtree_ids(user, path)
            target = self.disk_path(user, path)
            if entry.is_dir:
                shutil.rmtree(target)
            else:
                target.unlink()
            self._forget(ids)
            self._propagate(user, path)

    def move(
        self, src_user: str, src: str, dst_user: str, dst: str, *, overwrite: bool = True
    ) -> Entry:
        """Rename, keeping file ids and ETags; an existing destination is replaced if allowed."""
        with self._db.transaction():
            self._check_transfer(src_user, src, dst_user, dst)
            if self.stat(dst_user, dst):
                if not overwrite:
                    raise PreconditionFailed("the destination exists")
                self.delete(dst_user, dst)
            os.rename(self.disk_path(src_user, src), self.disk_path(dst_user, dst))
            rows = self._db.query(
                "SELECT fileid, path FROM files WHERE user=? AND (path=? OR substr(path,1,?)=?)",
                (src_user, src, len(src) + 1, src + "/"),
            )
            for row in rows:
                new_path = dst + row["path"][len(src) :]
                self._db.execute(
                    "UPDATE files SET user=?, path=?, parent=?, name=? WHERE fileid=?",
                    (
                        dst_user,
                        new_path,
                        parent_of(new_path),
                        new_path.rsplit("/", 1)[-1],
                        row["fileid"],
                    ),
                )
            self._propagate(src_user, src)
            self._propagate(dst_user, dst)
            return self._require(dst_user, dst)

    def copy(
        self, src_user: str, src: str, dst_user: str, dst: str, *, overwrite: bool = True
    ) -> Entry:
        """Deep copy with new ids and ETags; an existing destination is replaced if allowed."""
        with self._db.transaction():
            entry = self._check_transfer(src_user, src, dst_user, dst)
            if self.stat(dst_user, dst):
                if not overwrite:
                    raise PreconditionFailed("the destination exists")
                self.delete(dst_user, dst)
            source = self.disk_path(src_user, src)
            target = self.disk_path(dst_user, dst)
            if entry.is_dir:
                shutil.copytree(source, target)
            else:
                shutil.copyfile(source, target)
            rows = self._db.query(
                "SELECT * FROM files WHERE user=? AND (path=? OR substr(path,1,?)=?) "
                "ORDER BY length(path)",
                (src_user, src, len(src) + 1, src + "/"),
            )
            now = time.time()
            for row in rows:
                self._insert(
                    dst_user,
                    dst + row["path"][len(src) :],
                    is_dir=bool(row["is_dir"]),
                    size=row["size"],
                    sha1=row["sha1"],
                    mtime=now,
                )
            self._propagate(dst_user, dst)
            return self._require(dst_user, dst)

    def bump(self, user: str, path: str) -> None:
        """Mark ``path`` and its ancestors changed (for writes made outside this class)."""
        with self._db.transaction():
            self._db.execute(
                "UPDATE files SET etag=?, mtime=? WHERE user=? AND path=?",
                (_new_etag(), time.time(), user, path),
            )
            self._propagate(user, path)

    # --- versions ------------------------------------------------------------------------

    def versions(self, fileid: int) -> list[Version]:
        rows = self._db.query("SELECT * FROM versions WHERE fileid=? ORDER BY vid DESC", (fileid,))
        return [Version(**dict(row)) for row in rows]

    def version_path(self, fileid: int, vid: int) -> Path:
        return self.versions_dir / str(fileid) / str(vid)

    def restore_version(self, fileid: int, vid: int, author: str) -> Entry:
        """Make an old version current again; the content it replaces becomes a version."""
        with self._db.transaction():
            entry = self.by_id(fileid)
            row = self._db.query_one(
                "SELECT * FROM versions WHERE fileid=? AND vid=?", (fileid, vid)
            )
            if entry is None or row is None:
                raise NotFound("no such version")
            upload = self.new_upload()
            with open(self.version_path(fileid, vid), "rb") as source:
                while chunk := source.read(1 << 20):
                    upload.write(chunk)
            return self.commit(entry.user, entry.path, upload, mtime=row["mtime"], author=author)[0]

    # --- internals -----------------------------------------------------------------------

    def _require(self, user: str, path: str) -> Entry:
        entry = self.stat(user, path)
        if entry is None:
            raise NotFound("no such file or folder")
        return entry

    def _require_parent(self, user: str, path: str) -> Entry:
        parent = parent_of(path)
        entry = self.stat(user, parent) if parent is not None else None
        if entry is None or not entry.is_dir:
            raise ParentMissing("the parent folder does not exist")
        return entry

    def _check_transfer(self, src_user: str, src: str, dst_user: str, dst: str) -> Entry:
        entry = self._require(src_user, src)
        if src == "" or dst == "":
            raise ValueError("the home folder cannot be moved or replaced")
        if src_user == dst_user and is_within(dst, src):
            raise ValueError("cannot move or copy a folder into itself")
        self._require_parent(dst_user, dst)
        return entry

    def _insert(
        self, user: str, path: str, *, is_dir: bool, size: int, sha1: str | None, mtime: float
    ) -> int:
        cursor = self._db.execute(
            "INSERT INTO files(user, path, parent, name, is_dir, etag, mtime, ctime, size, sha1) "
            "VALUES(?,?,?,?,?,?,?,?,?,?)",
            (
                user,
                path,
                parent_of(path),
                path.rsplit("/", 1)[-1],
                int(is_dir),
                _new_etag(),
                mtime,
                time.time(),
                size,
                sha1,
            ),
        )
        return int(cursor.lastrowid or 0)

    def _subtree_ids(self, user: str, path: str) -> list[int]:
        rows = self._db.query(
            "SELECT fileid FROM files WHERE user=? AND (path=? OR substr(path,1,?)=?)",
            (user, path, len(path) + 1, path + "/"),
        )
        return [row["fileid"] for row in rows]

    def _forget(self, ids: list[int]) -> None:
        for fileid in ids:
            self._db.execute("DELETE FROM files WHERE fileid=?", (fileid,))
            self._db.execute("DELETE FROM versions WHERE fileid=?", (fileid,))
            shutil.rmtree(self.versions_dir / str(fileid), ignore_errors=True)

    def _propagate(self, user: str, path: str) -> None:
        """New ETag, mtime and recursive size for every ancestor, nearest first."""
        now = time.time()
        for folder in ancestors(path):
            self._db.execute(
                "UPDATE files SET etag=?, mtime=?, size=(SELECT COALESCE(SUM(size),0) FROM files "
                "WHERE user=? AND parent=?) WHERE user=? AND path=?",
                (_new_etag(), now, user, folder, user, folder),
            )

    def _keep_version(self, entry: Entry, author: str) -> None:
        last = self._db.query_one(
            "SELECT MAX(vid) AS vid FROM versions WHERE fileid=?", (entry.fileid,)
        )
        vid = int(entry.mtime)
        if last and last["vid"] is not None and vid <= last["vid"]:
            vid = last["vid"] + 1
        folder = self.versions_dir / str(entry.fileid)
        folder.mkdir(exist_ok=True)
        # A hard link, not a move: if replacing the file then fails, nothing is lost.
        os.link(self.disk_path(entry.user, entry.path), folder / str(vid))
        self._db.execute(
            "INSERT INTO versions VALUES(?,?,?,?,?,?)",
            (entry.fileid, vid, entry.mtime, entry.size, entry.etag, author),
        )


def _check_conditions(
    existing: Entry | None, if_match: list[str] | None, if_none_match: list[str] | None
) -> None:
    if if_match is not None and (
        existing is None or ("*" not in if_match and existing.etag not in if_match)
    ):
        raise PreconditionFailed("the file changed since you read it")
    if (
        if_none_match is not None
        and existing is not None
        and ("*" in if_none_match or existing.etag in if_none_match)
    ):
        raise PreconditionFailed("the file exists")


def _entry(row) -> Entry:
    return Entry(
        fileid=row["fileid"],
        user=row["user"],
        path=row["path"],
        is_dir=bool(row["is_dir"]),
        etag=row["etag"],
        mtime=row["mtime"],
        ctime=row["ctime"],
        size=row["size"],
        sha1=row["sha1"],
    )
