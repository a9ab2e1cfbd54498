"""A short-lived memory of what the site said, so JupyterLab's polling stays cheap.

JupyterLab re-lists the open folder every few seconds and asks about a file before each
save; the handler asks ``file_exists`` before every PUT. Within ``ttl`` seconds those are
answered from here. Freshness is decided by age only, never by comparing ETags (Nextcloud
keeps an ETag for up to a second across changes). Our own writes update or drop entries at
once, so the user never sees their own change late.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..dav.paths import split
from ..dav.props import Entry

_PRUNE_ABOVE = 5000


@dataclass
class _Listing:
    at: float
    names: list[str]


class StatCache:
    """Entries by relative path, folder listings as lists of child names, and paths the
    site said do not exist (so a chunked upload's existence check per chunk, or repeated
    probes, do not each cost a request)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Entry]] = {}
        self._listings: dict[str, _Listing] = {}
        self._missing: dict[str, float] = {}

    def _fresh(self, at: float) -> bool:
        return time.monotonic() - at < self.ttl

    def entry(self, path: str) -> Entry | None:
        """The entry for ``path`` if we learnt it less than ``ttl`` seconds ago."""
        found = self._entries.get(path)
        if found and self._fresh(found[0]):
            return found[1]
        return None

    def children(self, path: str) -> list[Entry] | None:
        """The children of folder ``path`` if its listing and all its entries are fresh."""
        listing = self._listings.get(path)
        if not listing or not self._fresh(listing.at):
            return None
        entries = [self.entry(f"{path}/{name}" if path else name) for name in listing.names]
        if any(entry is None for entry in entries):
            return None
        return entries  # type: ignore[return-value]

    def missing(self, path: str) -> bool:
        """True if, less than ``ttl`` seconds ago, the site said ``path`` does not exist:
        it answered 404, or listed the parent folder without it."""
        at = self._missing.get(path)
        if at is not None and self._fresh(at):
            return True
        parent, name = split(path)
        listing = self._listings.get(parent)
        return (
            bool(path)
            and listing is not None
            and self._fresh(listing.at)
            and (name not in listing.names)
        )

    def remember_missing(self, path: str) -> None:
        self._missing[path] = time.monotonic()

    def remember(self, entry: Entry) -> None:
        self._missing.pop(entry.path, None)
        self._entries[entry.path] = (time.monotonic(), entry)

    def remember_listing(self, folder: Entry, children: list[Entry]) -> None:
        now = time.monotonic()
        if len(self._entries) > _PRUNE_ABOVE:
            self._prune()
        self._entries[folder.path] = (now, folder)
        self._missing.pop(folder.path, None)
        for child in children:
            self._entries[child.path] = (now, child)
            self._missing.pop(child.path, None)
        self._listings[folder.path] = _Listing(now, [child.name for child in children])

    def _prune(self) -> None:
        # A long session lists many folders; stale entries are useless, so drop them.
        for path in [p for p, (at, _) in self._entries.items() if not self._fresh(at)]:
            del self._entries[path]
        for path in [p for p, listing in self._listings.items() if not self._fresh(listing.at)]:
            del self._listings[path]
        for path in [p for p, at in self._missing.items() if not self._fresh(at)]:
            del self._missing[path]

    def forget(self, path: str) -> None:
        """Drop ``path``, everything below it, and its parent (whose listing and date changed)."""
        prefix = path + "/"
        for table in (self._entries, self._listings, self._missing):
            for key in [k for k in table if k == path or k.startswith(prefix) or not path]:
                del table[key]
        parent = split(path)[0]
        self._entries.pop(parent, None)
        self._listings.pop(parent, None)
