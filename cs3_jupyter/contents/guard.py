"""The conflict guard: a save replaces only the version its client loaded.

What the site offers to build it on (docs/protocols.md §8): ``If-Match`` with an ETag, and
on Nextcloud an ETag that a write keeps when it leaves the file's modification time in the
second that time already had (Nextcloud compares whole-second storage times). So an ETag
names one content only once the clock has left that second: a version whose modification
time is older than the site's clock when we learnt of it (:attr:`Version.settled`) can only
change into one with another ETag, and ``If-Match`` alone protects a save based on it. For
any other version, the site's description is asked for right before the save and compared
as a whole (ETag, size, time and checksum; a write elsewhere changes at least the checksum
our writes leave, which Nextcloud drops on a write that sends none).

Our own writes are made settled on arrival: each carries ``X-OC-MTime`` one second behind
the site's clock (:func:`write_time`), so its ETag is new (the time moved) and any later
write, in any second, gets another.

Which version is "the one the client loaded": the ``hash`` the client sends with its save
(the one from the model it read), else the version this server last gave out *with its
content* or wrote itself (:class:`Guard`). Reads without content never move it; they can
only find that the site has moved on (:meth:`Guard.observe`), which makes the next save
without a ``hash`` a conflict even where the ETag did not change.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace

from ..dav.props import Entry


@dataclass(frozen=True)
class Version:
    """One content of a file as the site described it."""

    etag: str | None
    size: int | None
    #: Modification time, whole seconds (what the site compares).
    mtime: int
    #: The client-facing fingerprint of this content (:func:`.models.fingerprint`).
    hash: str
    #: The site's clock (whole seconds) when it described this version.
    seen_at: int | None
    #: Checksums the site reported; None when not known (our own write, not yet listed).
    checksums: dict[str, str] | None = None

    @property
    def settled(self) -> bool:
        """Whether every later write will change the ETag: the site's clock had left the
        version's second when it described it."""
        return self.seen_at is not None and self.seen_at > self.mtime

    def describes(self, entry: Entry) -> bool:
        """Whether ``entry`` is this very content, as far as the site's description tells."""
        if (entry.etag, entry.size, int(entry.last_modified.timestamp())) != (
            self.etag,
            self.size,
            self.mtime,
        ):
            return False
        return (
            self.checksums is None or entry.checksums is None or self.checksums == entry.checksums
        )

    def seen(self, entry: Entry) -> Version:
        """This version, as described again by ``entry`` (which :meth:`describes` it)."""
        seen_at = max(self.seen_at or 0, entry.seen_at or 0) or None
        checksums = dict(entry.checksums) if entry.checksums is not None else self.checksums
        return replace(self, seen_at=seen_at, checksums=checksums)


def version_of(entry: Entry, hash_: str) -> Version:
    return Version(
        etag=entry.etag,
        size=entry.size,
        mtime=int(entry.last_modified.timestamp()),
        hash=hash_,
        seen_at=entry.seen_at,
        checksums=dict(entry.checksums) if entry.checksums is not None else None,
    )


def write_time(site_now: float, keep_apart: set[int]) -> int:
    """The ``X-OC-MTime`` of our next write of a file.

    One second behind the site's clock: the write then lands in a later second than its own
    time, so Nextcloud gives it a new ETag, and every later write (its storage time is at
    least this second) another one. Times of checkpointed versions (``keep_apart``) are
    avoided, since Nextcloud keeps one version per second and a content with that time
    would take the checkpoint's place; stepping forward instead costs the next save one
    check (the version is not settled).
    """
    when = math.floor(site_now) - 1
    while when in keep_apart:
        when += 1
    return when


class Guard:
    """Per path: the version this server's clients hold, and whether the site moved on.

    Thread-safe (the manager's coroutines and worker threads share it); in memory only, so
    after a restart a save without ``hash`` of a file not read since is not guarded (a
    deliberate overwrite, as an upload after "Overwrite?" must be).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[str, Version] = {}
        self._stale: set[str] = set()
        #: Saves of ours whose answer never came (timed out): (SHA1, size) sent, by path.
        self._uncertain: dict[str, set[tuple[str, int]]] = {}

    def loaded(self, path: str) -> Version | None:
        with self._lock:
            return self._loaded.get(path)

    def stale(self, path: str) -> bool:
        with self._lock:
            return path in self._stale

    def load(self, path: str, version: Version) -> None:
        """A client now holds ``version``: served with its content, or written by us."""
        with self._lock:
            self._loaded[path] = version
            self._stale.discard(path)
            self._uncertain.pop(path, None)

    def observe(self, path: str, entry: Entry) -> None:
        """The site described ``path`` (a read without content): settle or flag the guard."""
        with self._lock:
            loaded = self._loaded.get(path)
            if loaded is None:
                return
            if loaded.describes(entry):
                self._loaded[path] = loaded.seen(entry)
            else:
                self._stale.add(path)

    def sent(self, path: str, sha1: str, size: int) -> None:
        """A save of ours may have landed without our hearing of it."""
        with self._lock:
            self._uncertain.setdefault(path, set()).add((sha1, size))

    def ours(self, path: str, entry: Entry) -> bool:
        """Whether ``entry`` is a save of ours whose answer we never got: by the checksum we
        sent, or, on a site that keeps none, by its size (all that is left to go by)."""
        with self._lock:
            sent = self._uncertain.get(path, set())
        checksums = entry.checksums or {}
        sha1 = checksums.get("SHA1")
        if sha1 is not None:
            return any(sha1 == ours for ours, _ in sent)
        return not checksums and any(entry.size == size for _, size in sent)

    def forget(self, path: str) -> None:
        """``path`` and everything below it are gone (deleted or moved away)."""
        prefix = path + "/"
        with self._lock:
            for table in (self._loaded, self._uncertain):
                for key in [k for k in table if k == path or k.startswith(prefix) or not path]:
                    del table[key]
            self._stale = {
                p for p in self._stale if not (p == path or p.startswith(prefix) or not path)
            }

    def rename(self, old: str, new: str, etag: str | None) -> None:
        """A file moved: its clients now hold it under the new name (with the ETag the site
        gave it there, when it said so)."""
        with self._lock:
            loaded = self._loaded.pop(old, None)
            stale = old in self._stale
            self._stale.discard(old)
            self._uncertain.pop(old, None)
            if loaded is not None:
                self._loaded[new] = replace(loaded, etag=etag or loaded.etag)
                if stale:
                    self._stale.add(new)
