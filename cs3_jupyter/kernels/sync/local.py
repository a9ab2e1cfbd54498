"""The local side of a working copy: what is on disk, and the few careful ways we change it.

Only regular files and folders count. Symbolic links and other special files are never
followed nor synced: a kernel must not be able to make the sync client upload a file from
outside its working copy (``ln -s ~/.ssh/id_rsa key``).
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

CHUNK = 1 << 20


@dataclass(frozen=True)
class LocalFile:
    """A file's size and modification time: how a change is noticed without reading it."""

    size: int
    mtime_ns: int


def ignored(name: str, patterns: Iterable[str]) -> bool:
    """Whether a file or folder name matches one of the ignore patterns (``fnmatch`` style)."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def scan(root: str, patterns: Iterable[str]) -> tuple[dict[str, LocalFile], set[str]]:
    """Every regular file (relative path -> LocalFile) and folder below ``root``."""
    patterns = tuple(patterns)
    files: dict[str, LocalFile] = {}
    folders: set[str] = set()
    pending = [""]
    while pending:
        rel = pending.pop()
        try:
            entries = list(os.scandir(os.path.join(root, rel) if rel else root))
        except (FileNotFoundError, NotADirectoryError):
            continue  # removed while we looked: the next scan sees it gone
        for entry in entries:
            if ignored(entry.name, patterns):
                continue
            path = f"{rel}/{entry.name}" if rel else entry.name
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            if stat.S_ISDIR(info.st_mode):
                folders.add(path)
                pending.append(path)
            elif stat.S_ISREG(info.st_mode):
                files[path] = LocalFile(info.st_size, info.st_mtime_ns)
    return files, folders


def stat_file(path: str) -> LocalFile | None:
    """The file's current size and mtime, or None if it is not a regular file any more."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return LocalFile(info.st_size, info.st_mtime_ns)


def sha1_of(path: str) -> str:
    """Hex SHA-1 of a file, read in chunks (files can be large)."""
    digest = hashlib.sha1(usedforsecurity=False)
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def conflict_name(name: str, when: datetime, taken: set[str]) -> str:
    """``data (conflict from kernel 2026-12-04 153012).csv``: a free name beside ``name``.

    The extension stays last so the copy opens with the same application; a dot file keeps
    its whole name as the stem.
    """
    stem, dot, ext = name.rpartition(".")
    if not stem:
        stem, dot, ext = name, "", ""
    label = f"conflict from kernel {when:%Y-%m-%d %H%M%S}"
    candidate = f"{stem} ({label}){dot}{ext}"
    number = 2
    while candidate in taken:
        candidate = f"{stem} ({label} {number}){dot}{ext}"
        number += 1
    return candidate
