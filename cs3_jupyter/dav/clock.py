"""The site's clock, read from the ``Date`` header of its answers.

Nextcloud keeps a file's ETag when a write leaves its modification time in the second it
already had (docs/protocols.md §8), so whether an ETag still identifies one content depends
on *the site's* seconds, not ours. Every answer's ``Date`` tells us the site's second at
that moment; with the time elapsed since, it gives a lower bound of the site's clock now
that needs no synchronised clocks (``Date`` is the site's time when it answered, which was
before we received it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

#: Assumed at most this far ahead of the site before it has sent any ``Date`` (NTP-synced
#: servers are far closer); only used until the first answer.
_UNKNOWN_SKEW = 2.0


def date_of(headers: Mapping[str, str]) -> int | None:
    """The site's clock second an answer was made in (its ``Date``), if it sent one."""
    value = headers.get("Date")
    if not value:
        return None
    try:
        return int(parsedate_to_datetime(value).timestamp())
    except (TypeError, ValueError, OverflowError):
        return None


class SiteClock:
    """The newest ``Date`` seen and when we saw it; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._site: float | None = None
        self._at = 0.0

    def observe(self, headers: Mapping[str, str]) -> int | None:
        """Note an answer's ``Date``; returns it (whole seconds) for the caller to keep."""
        second = date_of(headers)
        if second is not None:
            with self._lock:
                if self._site is None or second > self._now():
                    self._site, self._at = float(second), time.monotonic()
        return second

    def now(self) -> float:
        """A time the site's clock has certainly reached (never ahead of it)."""
        with self._lock:
            return self._now()

    def _now(self) -> float:
        if self._site is None:
            return time.time() - _UNKNOWN_SKEW
        return self._site + (time.monotonic() - self._at)
