"""One pooled session per site and user, shared by every caller in the process.

The WebDAV client and the sharing client of one user talk to the same site; with one
``requests.Session`` between them they share keep-alive connections and the session cookie
the site sets at login. That cookie matters: Nextcloud checks the password of every
Basic-auth request that comes without it (about a second each), and parallel first logins
of one user race on SQLite sites, one of them failing with HTTP 500 (docs/protocols.md §8).
So the first call to a site is sent alone; the others wait for its answer (and the cookie)
and then go in parallel. They wait at most ``Limits.first_contact_patience`` for it: a first
call can hang for reasons that have nothing to do with logging in (a folder that is a
federated share whose owner's site does not answer: the user's site only answers once the
other site has), and must not hold every other call back until its deadline. The next
waiting call then goes alone in its place, and the first answer opens the gate.

Anonymous pools (other sites' public documents) keep no cookies at all.
"""

from __future__ import annotations

import threading
import time
from http.cookiejar import DefaultCookiePolicy

import requests

from .deadline import Call, WatchedAdapter
from .errors import SiteTimedOut
from .limits import Limits
from .urls import origin


class SitePool:
    """The session, the first-contact gate and the concurrency limit of one site and user."""

    def __init__(self, key: tuple[str, str, int, str | None], limits: Limits) -> None:
        self.key = key
        self.anonymous = key[3] is None
        self.session = requests.Session()
        adapter = WatchedAdapter(pool_connections=1, pool_maxsize=limits.site_concurrency)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        if self.anonymous:
            self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self.slots = threading.BoundedSemaphore(limits.site_concurrency)
        #: Calls waiting for a slot; at most ``site_concurrency`` may (see :meth:`take_slot`).
        self.waiting = 0
        self._concurrency = limits.site_concurrency
        self._patience = limits.first_contact_patience
        self._gate = threading.Condition()
        self._contacted = self.anonymous  # anonymous reads never log in: no gate
        #: When the call now going alone (the first contact) was sent; None: none is.
        self._leading_since: float | None = None
        #: Requests sent again after a failure, for tests and the log.
        self.retries = 0

    def take_slot(self, call: Call) -> bool:
        """A slot for one request; False when none came in time or too many already wait.

        A site that hangs keeps its slots busy; bounding the waiters too means it can hold
        at most twice ``site_concurrency`` threads of ours, never all of them.
        """
        if self.slots.acquire(blocking=False):
            return True
        with self._gate:
            if self.waiting >= self._concurrency:
                return False
            self.waiting += 1
        try:
            return self.slots.acquire(timeout=max(0.0, call.remaining()))
        finally:
            with self._gate:
                self.waiting -= 1

    def enter(self, call: Call, site: str) -> float | None:
        """Wait until this call may go. When it goes alone as the first contact, the token
        to give back to :meth:`leave`; None when it goes with the others."""
        if self._contacted:
            return None
        with self._gate:
            while not self._contacted:
                now = time.monotonic()
                since = self._leading_since
                if since is None or now - since >= self._patience:
                    # No first contact yet, or it is taking so long that something other
                    # than the login holds it up: this call goes alone in its place.
                    self._leading_since = now
                    return now
                remaining = call.remaining()
                if remaining <= 0:
                    raise SiteTimedOut(site, f"{site} did not answer the first request in time.")
                self._gate.wait(min(remaining, since + self._patience - now))
        return None

    def leave(self, token: float, answered: bool) -> None:
        """A first contact is over; with an answer (and so any cookie) the gate opens."""
        with self._gate:
            if answered:
                self._contacted = True
            elif self._leading_since == token:  # it failed: the next call may lead at once
                self._leading_since = None
            self._gate.notify_all()


_pools: dict[tuple[str, str, int, str | None], SitePool] = {}
_pools_lock = threading.Lock()


def pool_for(url: str, user: str | None, limits: Limits) -> SitePool:
    """The one pool for ``user`` (None: anonymous) at the origin of ``url``."""
    key = (*origin(url), user)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = SitePool(key, limits)
        return pool
