"""What the site said a moment ago: never a model, only a hint or a follow-up's answer.

A listing or a model always comes from the site at the moment it is asked for (a file
browser that polls must show what changed elsewhere). What the site said is still worth
keeping a few seconds, for two kinds of use:

* *hints* the site then checks (:attr:`CS3ContentsManager.hints`): a file's ETag,
  permissions and id from the listing the user just opened it from, verified by the ETag
  of the download (one request instead of two); the ETag a rename's ``MOVE`` answer must
  repeat; the version a save's ``If-Match`` names;
* the follow-up questions of one REST request (:meth:`CS3ContentsManager.request_memo`):
  the handler asks ``file_exists`` before a save, ``new_untitled`` asks ``dir_exists``
  before listing; the answer the site gave a moment before in the same request is reused.

Freshness is decided by age only, never by comparing ETags (Nextcloud keeps an ETag for up
to a second across changes). Our own writes drop what they change at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..dav.paths import split
from ..dav.props import Entry

_PRUNE_ABOVE = 64


@dataclass(frozen=True)
class Listing:
    """A folder and its children by name, as one listing described them."""

    folder: Entry
    children: dict[str, Entry]

    @classmethod
    def of(cls, folder: Entry, children: list[Entry]) -> Listing:
        """Built where the entries are parsed (a worker thread): thousands of entries are
        indexed there, and remembering the result on the event loop costs one assignment."""
        return cls(folder, {child.name: child for child in children})


class StatCache:
    """Entries by relative path, listings by folder, and paths the site said do not exist,
    each for ``ttl`` seconds. Used from the event loop only (no locking)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Entry]] = {}
        self._listings: dict[str, tuple[float, Listing]] = {}
        self._missing: dict[str, float] = {}

    def _fresh(self, at: float) -> bool:
        return time.monotonic() - at < self.ttl

    def entry(self, path: str) -> Entry | None:
        """The newest description of ``path`` less than ``ttl`` seconds old: its own, the
        one in its parent's listing, or (a folder) the one its own listing began with."""
        newest: tuple[float, Entry] | None = self._entries.get(path)
        own_listing = self._listings.get(path)
        if own_listing is not None and (newest is None or own_listing[0] > newest[0]):
            newest = (own_listing[0], own_listing[1].folder)
        if path:
            parent, name = split(path)
            listing = self._listings.get(parent)
            listed = listing[1].children.get(name) if listing is not None else None
            if (
                listing is not None
                and listed is not None
                and (newest is None or listing[0] > newest[0])
            ):
                newest = (listing[0], listed)
        if newest is not None and self._fresh(newest[0]):
            return newest[1]
        return None

    def listing(self, path: str) -> Listing | None:
        """The listing of folder ``path`` if it is less than ``ttl`` seconds old."""
        found = self._listings.get(path)
        if found is not None and self._fresh(found[0]):
            return found[1]
        return None

    def missing(self, path: str) -> bool:
        """True if, less than ``ttl`` seconds ago, the site said ``path`` does not exist:
        it answered 404, or listed the parent folder without it."""
        if not path:
            return False
        at = self._missing.get(path)
        if at is not None and self._fresh(at):
            return True
        own = self._entries.get(path)
        parent, name = split(path)
        listing = self._listings.get(parent)
        return (
            listing is not None
            and self._fresh(listing[0])
            and name not in listing[1].children
            and (own is None or own[0] < listing[0])
        )

    def remember_missing(self, path: str) -> None:
        self._entries.pop(path, None)
        self._missing[path] = time.monotonic()

    def remember(self, entry: Entry) -> None:
        self._missing.pop(entry.path, None)
        self._entries[entry.path] = (time.monotonic(), entry)

    def remember_listing(self, listing: Listing) -> None:
        if len(self._listings) > _PRUNE_ABOVE or len(self._entries) > 100 * _PRUNE_ABOVE:
            self._prune()
        path = listing.folder.path
        self._missing.pop(path, None)
        self._listings[path] = (time.monotonic(), listing)

    def _prune(self) -> None:
        # A long session lists many folders; what is too old is useless, so drop it.
        for table in (self._entries, self._listings):
            for key in [k for k, (at, _) in table.items() if not self._fresh(at)]:
                del table[key]
        for key in [k for k, at in self._missing.items() if not self._fresh(at)]:
            del self._missing[key]

    def forget(self, path: str) -> None:
        """Drop ``path``, everything below it, and its parent (whose listing and date changed)."""
        prefix = path + "/"
        for table in (self._entries, self._listings, self._missing):
            for key in [k for k in table if k == path or k.startswith(prefix) or not path]:
                del table[key]
        parent = split(path)[0]
        self._entries.pop(parent, None)
        self._listings.pop(parent, None)
