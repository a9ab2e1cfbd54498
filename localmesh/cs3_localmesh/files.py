"""Each user's files: bytes on disk, identity and change tracking in SQLite.

What clients rely on, and why it lives here rather than in the WebDAV layer:
- a numeric file id that survives renames and restarts (shares and versions point at it);
- a file's ETag as Nextcloud 32 keeps it (docs/protocols.md §8): a write that leaves the
  file's modification time in the same clock second as before keeps the old ETag, so a
  conditional write cannot tell two writes of one second apart; with the ``etag-every-write``
  variant (as Reva/oCIS) every write gets a new one. Every ancestor folder gets a new ETag on
  any change below it, so a client comparing a folder's ETag knows whether anything changed;
- a file appears at its path only once completely written (uploads are staged in a
  temporary file and renamed into place), and an overwrite keeps the old bytes as a version,
  named by the old content's modification time: as on Nextcloud, two contents of the same
  second collapse into one version (again not with ``etag-every-write``);
- the checksum a client sent with ``OC-Checksum`` is kept (not verified) and dropped on a
  write that sends none, as Nextcloud does; the SHA1 of the bytes is kept apart for the
  ownCloud-shaped variant, which computes checksums itself;
- with the ``check-changes`` variant, files and folders made or removed directly on the disk
  are noticed when they are next looked at, as Nextcloud does with
  ``filesystem_check_changes = 1``.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import string
import tempfile
import time
from collections.abc import Callable, Iterable
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
CREATE TABLE IF NOT EXISTS version_labels(
    fileid INTEGER NOT NULL, vid INTEGER NOT NULL, label TEXT NOT NULL, PRIMARY KEY(fileid, vid));
"""

#: Columns added after the first release; data dirs made before get them on start.
_ADDED_COLUMNS = {"files": [("checksum", "TEXT")]}


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
    sha1: str | None  # of the bytes, computed here
    checksum: str | None = None  # as the writer sent it in OC-Checksum ("SHA1:ab.. MD5:..")

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


def _no_variant(name: str) -> bool:
    return False


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
        _add_columns(db)
        #: Asks whether a variant (faults.VARIANTS) is on; the site plugs in its faults.
        self.variant: Callable[[str], bool] = _no_variant
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
        if self.variant("check-changes"):
            self._notice_path(user, path)
        row = self._db.query_one("SELECT * FROM files WHERE user=? AND path=?", (user, path))
        return _entry(row) if row else None

    def by_id(self, fileid: int) -> Entry | None:
        row = self._db.query_one("SELECT * FROM files WHERE fileid=?", (fileid,))
        return _entry(row) if row else None

    def children(self, user: str, path: str) -> list[Entry]:
        if self.variant("check-changes"):
            self._notice_path(user, path)
            self._notice_children(user, path)
        rows = self._db.query(
            "SELECT * FROM files WHERE user=? AND parent=? ORDER BY name", (user, path)
        )
        return [_entry(row) for row in rows]

    def open(self, entry: Entry) -> BinaryIO:
        return open(self.disk_path(entry.user, entry.path), "rb")  # the caller closes it

    def open_current(self, user: str, path: str) -> tuple[Entry, BinaryIO] | None:
        """The entry and an open handle of exactly its bytes, for serving a download.

        Both are taken under the database lock, which every write holds while it swaps the
        file and updates its row: the size and ETag sent always describe the body sent,
        however a concurrent overwrite is timed (the handle keeps the old bytes readable).
        """
        with self._db.transaction():
            entry = self.stat(user, path)
            if entry is None or entry.is_dir:
                return None
            return entry, self.open(entry)

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
        checksum: str | None = None,
    ) -> tuple[Entry, bool]:
        """Put a finished upload at ``path`` atomically; returns (entry, created).

        The ETag conditions are checked again here, inside the transaction, because the HTTP
        layer checks them before the body arrives: two saves based on the same ETag must not
        both win just because their bodies were still uploading. ``checksum`` is what the
        client sent as ``OC-Checksum`` (None: it sent none, and an old one is dropped).
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
                    self._keep_version(existing, author or user, mtime)
                    os.replace(upload.path, target)
                    etag = existing.etag if self._keeps_etag(existing, now, mtime) else _new_etag()
                    self._db.execute(
                        "UPDATE files SET etag=?, mtime=?, size=?, sha1=?, checksum=? "
                        "WHERE fileid=?",
                        (etag, mtime, upload.size, upload.sha1, checksum, existing.fileid),
                    )
                else:
                    os.replace(upload.path, target)
                    self._insert(
                        user,
                        path,
                        is_dir=False,
                        size=upload.size,
                        sha1=upload.sha1,
                        mtime=mtime,
                        checksum=checksum,
                    )
                _set_disk_mtime(target, mtime)
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
            mtime = time.time() if mtime is None else mtime
            self._insert(user, path, is_dir=True, size=0, sha1=None, mtime=mtime)
            _set_disk_mtime(self.disk_path(user, path), mtime)
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
                copied = dst + row["path"][len(src) :]
                self._insert(
                    dst_user,
                    copied,
                    is_dir=bool(row["is_dir"]),
                    size=row["size"],
                    sha1=row["sha1"],
                    mtime=now,
                    checksum=row["checksum"],
                )
                _set_disk_mtime(self.disk_path(dst_user, copied), now)
            self._propagate(dst_user, dst)
            return self._require(dst_user, dst)

    # --- versions ------------------------------------------------------------------------

    def versions(self, fileid: int) -> list[Version]:
        rows = self._db.query("SELECT * FROM versions WHERE fileid=? ORDER BY vid DESC", (fileid,))
        return [Version(**dict(row)) for row in rows]

    def version_path(self, fileid: int, vid: int) -> Path:
        return self.versions_dir / str(fileid) / str(vid)

    def current_vid(self, entry: Entry) -> int:
        """The name the current content has in the versions listing (and keeps once replaced).

        Nextcloud names it by its modification time; with ``etag-every-write`` names are
        unique per file, so a content of the same second as the last version gets the next.
        """
        vid = int(entry.mtime)
        if self.variant("etag-every-write"):
            last = self._db.query_one(
                "SELECT MAX(vid) AS vid FROM versions WHERE fileid=?", (entry.fileid,)
            )
            if last and last["vid"] is not None and vid <= last["vid"]:
                vid = last["vid"] + 1
        return vid

    def version_labels(self, fileid: int) -> dict[int, str]:
        rows = self._db.query("SELECT vid, label FROM version_labels WHERE fileid=?", (fileid,))
        return {row["vid"]: row["label"] for row in rows}

    def set_version_label(self, fileid: int, vid: int, label: str) -> None:
        """Name a version (or the current content, whose name it keeps); "" removes the name.

        As on Nextcloud, a named version is kept when old versions expire, and the name
        belongs to the version's timestamp: a later content of the same second inherits it.
        """
        with self._db.transaction():
            if label:
                self._db.execute(
                    "INSERT OR REPLACE INTO version_labels VALUES(?,?,?)", (fileid, vid, label)
                )
            else:
                self._db.execute(
                    "DELETE FROM version_labels WHERE fileid=? AND vid=?", (fileid, vid)
                )

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
        self,
        user: str,
        path: str,
        *,
        is_dir: bool,
        size: int,
        sha1: str | None,
        mtime: float,
        checksum: str | None = None,
    ) -> int:
        cursor = self._db.execute(
            "INSERT INTO files(user, path, parent, name, is_dir, etag, mtime, ctime, size, sha1, "
            "checksum) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
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
                checksum,
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
            self._db.execute("DELETE FROM version_labels WHERE fileid=?", (fileid,))
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

    def _keeps_etag(self, existing: Entry, now: float, mtime: float) -> bool:
        """Nextcloud's rule: the ETag survives a write that leaves the modification time in
        the clock second it already had (it compares whole-second storage times)."""
        if self.variant("etag-every-write"):
            return False
        return int(existing.mtime) == int(now) == int(mtime)

    def _keep_version(self, entry: Entry, author: str, new_mtime: float) -> None:
        """Keep the bytes being replaced as the version named by their modification time.

        Nextcloud stores at most one version per second: a content whose time is taken by
        another version replaces it, and one of the same second as the new content is not
        kept at all (the listing names the current content by that second).
        """
        vid = self.current_vid(entry)
        if not self.variant("etag-every-write"):
            self._drop_version(entry.fileid, vid)
            if vid == int(new_mtime):
                return
        folder = self.versions_dir / str(entry.fileid)
        folder.mkdir(exist_ok=True)
        # A hard link, not a move: if replacing the file then fails, nothing is lost.
        os.link(self.disk_path(entry.user, entry.path), folder / str(vid))
        self._db.execute(
            "INSERT INTO versions VALUES(?,?,?,?,?,?)",
            (entry.fileid, vid, entry.mtime, entry.size, entry.etag, author),
        )

    def _drop_version(self, fileid: int, vid: int) -> None:
        self._db.execute("DELETE FROM versions WHERE fileid=? AND vid=?", (fileid, vid))
        self.version_path(fileid, vid).unlink(missing_ok=True)

    # --- changes made on the disk (variant check-changes) --------------------------------

    def _notice_path(self, user: str, path: str) -> None:
        """Bring the rows of ``path`` and its ancestors in line with the disk, top down."""
        home = self.disk_path(user, "")
        if not home.is_dir():
            return
        with self._db.transaction():
            parts = path.split("/") if path else []
            for depth in range(1, len(parts) + 1):
                current = "/".join(parts[:depth])
                row = self._db.query_one(
                    "SELECT * FROM files WHERE user=? AND path=?", (user, current)
                )
                if not self._notice_one(user, current, _entry(row) if row else None):
                    return

    def _notice_children(self, user: str, path: str) -> None:
        folder = self.disk_path(user, path)
        if not folder.is_dir():
            return
        with self._db.transaction():
            known = {
                row["name"]: _entry(row)
                for row in self._db.query(
                    "SELECT * FROM files WHERE user=? AND parent=?", (user, path)
                )
            }
            on_disk = {item.name for item in os.scandir(folder)}
            for name in sorted(known.keys() | on_disk):
                child = f"{path}/{name}" if path else name
                self._notice_one(user, child, known.get(name))

    def _notice_one(self, user: str, path: str, row: Entry | None) -> bool:
        """Reconcile one item; returns whether it exists now."""
        disk = self.disk_path(user, path)
        exists = disk.exists() and not disk.is_symlink()
        if row is not None and (not exists or row.is_dir != disk.is_dir()):
            self._forget(self._subtree_ids(user, path))
            self._propagate(user, path)
            row = None
        if not exists:
            return False
        info = disk.stat()
        if row is None:
            self._insert_found(user, path, disk)
            self._propagate(user, path)
        elif not row.is_dir and (row.size != info.st_size or int(row.mtime) != int(info.st_mtime)):
            self._db.execute(
                "UPDATE files SET etag=?, mtime=?, size=?, sha1=?, checksum=NULL WHERE fileid=?",
                (_new_etag(), info.st_mtime, info.st_size, _sha1_of(disk), row.fileid),
            )
            self._propagate(user, path)
        return True

    def _insert_found(self, user: str, path: str, disk: Path) -> int:
        """Add what is at ``path`` on the disk (a folder with everything below); its size."""
        info = disk.stat()
        if not disk.is_dir():
            self._insert(
                user,
                path,
                is_dir=False,
                size=info.st_size,
                sha1=_sha1_of(disk),
                mtime=info.st_mtime,
            )
            return info.st_size
        fileid = self._insert(user, path, is_dir=True, size=0, sha1=None, mtime=info.st_mtime)
        size = sum(
            self._insert_found(user, f"{path}/{item.name}", Path(item.path))
            for item in sorted(os.scandir(disk), key=lambda item: item.name)
            if not item.is_symlink()
        )
        self._db.execute("UPDATE files SET size=? WHERE fileid=?", (size, fileid))
        return size


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


def _add_columns(db: Database) -> None:
    for table, columns in _ADDED_COLUMNS.items():
        present = {row["name"] for row in db.query(f"PRAGMA table_info({table})")}
        for name, kind in columns:
            if name not in present:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")


def _set_disk_mtime(path: Path, mtime: float) -> None:
    """The disk keeps the time clients see, so changes made on the disk stand out."""
    os.utime(path, (mtime, mtime))


def _sha1_of(path: Path) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


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
        checksum=row["checksum"],
    )
