"""A total deadline for one call, enforced even while a thread is blocked reading a socket.

``requests`` only knows per-read timeouts: a site that sends one byte every two seconds
never trips a 30 s timeout and holds the calling thread forever. Each call therefore gets
a :class:`Call` that knows when it must end; a single watchdog thread shuts the call's
socket down at that moment, which wakes the blocked read with an error, and the transport
reports the call as timed out. File transfers earn more time as their bytes move (at
``min_rate`` bytes per second), so a big download on a slow link is not cut off while a
trickle is.

The socket is found through the connection classes below: every connection made and every
request sent registers its socket with the call running in that thread.
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_local = threading.local()


class Call:
    """One call's time budget and the connection it is using right now."""

    def __init__(self, seconds: float, min_rate: int = 0) -> None:
        self.started = time.monotonic()
        self.seconds = seconds
        #: Bytes per second that earn a transfer more time (0: a fixed deadline).
        self.min_rate = min_rate
        #: Bytes moved so far (sent or received), updated by the transport.
        self.moved = 0
        self.expired = False
        self.done = False
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()

    def ends_at(self) -> float:
        extra = self.moved / self.min_rate if self.min_rate else 0.0
        return self.started + self.seconds + extra

    def remaining(self) -> float:
        return self.ends_at() - time.monotonic()

    def attach(self, sock: socket.socket) -> None:
        with self._lock:
            self._socket = sock
            if self.expired:
                _shut(sock)

    def expire(self) -> None:
        """Called by the watchdog: end whatever read or write the call is blocked in."""
        with self._lock:
            if self.done:
                return
            self.expired = True
            if self._socket is not None:
                _shut(self._socket)

    def finish(self) -> None:
        with self._lock:
            self.done = True
            self._socket = None

    # The transport runs each attempt inside ``with call:`` so connections find it.
    def __enter__(self) -> Call:
        _local.call = self
        return self

    def __exit__(self, *exc: object) -> None:
        _local.call = None


def _shut(sock: socket.socket) -> None:
    try:
        # The plain socket's shutdown, also for TLS sockets: it wakes a blocked read
        # without touching the TLS object another thread is using.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _Watchdog:
    """One daemon thread that expires calls whose time is up."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Call]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, call: Call) -> None:
        with self._wake:
            heapq.heappush(self._heap, (call.ends_at(), next(self._order), call))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="cs3-deadlines", daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._heap:
                    self._wake.wait()
                when, _, call = self._heap[0]
                wait = when - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._heap)
            if call.done:
                continue
            if call.ends_at() > time.monotonic():  # bytes moved meanwhile: more time
                with self._wake:
                    heapq.heappush(self._heap, (call.ends_at(), next(self._order), call))
                continue
            call.expire()


WATCHDOG = _Watchdog()


def _register(connection: HTTPConnection) -> None:
    """Tell the running call which socket it uses (kept by the call: ``http.client`` drops
    the connection's own reference when the site says ``Connection: close``)."""
    call: Call | None = getattr(_local, "call", None)
    if call is not None and connection.sock is not None:
        call.attach(connection.sock)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _register(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self)  # a reused keep-alive connection is not connected again
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _register(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class WatchedAdapter(HTTPAdapter):
    """``requests``' adapter whose connections report to the running :class:`Call`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }
