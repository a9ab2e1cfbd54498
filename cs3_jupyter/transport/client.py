"""The one way the product sends HTTP to an EFSS site: :class:`Transport`.

What a caller gets from :meth:`Transport.request`:

* an answer with any status (non-2xx included: what a status means is the caller's
  business), its body already read and at most ``max_bytes`` long, or a :class:`Stream`
  for ``stream=True`` that the caller iterates and closes;
* or a :class:`~.errors.TransportError` (translated into the caller's own error type by
  the ``translate`` function it gave), for every failure below HTTP: refused, reset, TLS,
  timed out, cut short, badly encoded, too large, redirected to another origin.

What it does on the way:

* one pooled session per site and user (:mod:`.pool`), first contact sent alone;
* a total deadline per call (:mod:`.deadline`), per-read timeouts besides;
* reads (``GET``, ``HEAD``, ``PROPFIND``, ``OPTIONS``, ``REPORT``) are sent again after a
  broken connection or HTTP 500/502/503/504, at most ``Limits.retries`` times with a
  growing pause and never past the deadline. Writes are sent again only when their caller
  marks them ``replayable`` (the protocol makes a repeat harmless) *and* the failure shows
  the site did not act: no connection could be opened, or it answered 503. A timeout is
  never retried (the site is slow; asking twice makes it slower);
* after a 401 the credential may refresh once (a token file that changed) and the request
  is sent again once;
* redirects are followed only for ``GET``/``HEAD`` and only within the site's origin (or
  its upgrade to https), at most five times.
"""

from __future__ import annotations

import http.client
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NoReturn
from urllib.parse import urljoin

import requests
import urllib3.exceptions
from requests.auth import AuthBase
from requests.models import PreparedRequest
from requests.utils import super_len

from .auth import Auth
from .deadline import WATCHDOG, Call
from .errors import (
    AnswerTooLarge,
    BadAnswer,
    CredentialUnusable,
    SiteTimedOut,
    SiteUnreachable,
    TransportError,
)
from .limits import Limits, size_text
from .pool import SitePool, pool_for
from .urls import may_redirect, site_name, strip_userinfo

log = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD", "PROPFIND", "OPTIONS", "REPORT"})
#: Statuses after which a read is sent again: the site (or a proxy before it) failed.
RETRY_STATUSES = frozenset({500, 502, 503, 504})
#: ...and after which a replayable write is: only "not now", which means nothing was done.
RETRY_WRITE_STATUSES = frozenset({503})
MAX_REDIRECTS = 5
_BLOCK = 64 * 1024

Translate = Callable[[TransportError], Exception]


class _Anonymous(AuthBase):
    """No credential, explicitly: keeps ``requests`` from taking one from ``~/.netrc``."""

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        return request


class _Failure(Exception):
    """A classified failure of one attempt, with what it says about retrying."""

    def __init__(self, error: TransportError, *, retry: bool, nothing_sent: bool) -> None:
        self.error = error
        self.retry = retry
        self.nothing_sent = nothing_sent


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything wrapped in it (urllib3 and requests nest their errors)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        item = todo.pop()
        if id(item) in seen or len(seen) > 20:
            continue
        seen.add(id(item))
        yield item
        todo.extend(arg for arg in item.args if isinstance(arg, BaseException))
        reason = getattr(item, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
        for linked in (item.__cause__, item.__context__):
            if linked is not None:
                todo.append(linked)


def classify(exc: BaseException, site: str, call: Call, timeout: float) -> _Failure:
    """The one mapping from what ``requests``/``urllib3``/sockets raise to our errors."""
    if isinstance(exc, TransportError):
        return _Failure(exc, retry=False, nothing_sent=True)
    if call.expired:
        return _Failure(
            SiteTimedOut(
                site,
                f"{site} did not finish answering within {call.seconds:g} s. Try again in a "
                "moment; if it keeps happening, the site may be overloaded or down.",
            ),
            retry=False,
            nothing_sent=False,
        )
    causes = list(_causes(exc))

    def has(*kinds: type[BaseException]) -> bool:
        return any(isinstance(c, kinds) for c in causes)

    # (urllib3's NewConnectionError is a ConnectTimeoutError too: ask for it first.)
    if has(urllib3.exceptions.NewConnectionError, ConnectionRefusedError):
        return _Failure(
            SiteUnreachable(
                site,
                f"Cannot connect to {site}: the connection was refused or the network is "
                "down. Check that the site is up and try again.",
            ),
            retry=True,
            nothing_sent=True,
        )
    if has(requests.exceptions.SSLError, urllib3.exceptions.SSLError):
        return _Failure(
            SiteUnreachable(
                site,
                f"The TLS certificate of {site} could not be verified, or its TLS connection "
                "failed. If the site uses a private CA, ask your administrator to set "
                "CS3Site.ca_bundle.",
            ),
            retry=False,
            nothing_sent=True,
        )
    if has(requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError):
        return _Failure(
            SiteTimedOut(
                site,
                f"{site} did not answer within {timeout:g} s. Try again in a moment; if it "
                "keeps happening, the site may be overloaded or down.",
            ),
            retry=False,
            nothing_sent=has(requests.exceptions.ConnectTimeout),
        )
    if has(requests.exceptions.ContentDecodingError, urllib3.exceptions.DecodeError):
        return _Failure(
            BadAnswer(site, f"{site} sent a compressed answer that cannot be decoded."),
            retry=False,
            nothing_sent=False,
        )
    if has(
        http.client.IncompleteRead,
        urllib3.exceptions.IncompleteRead,
        urllib3.exceptions.InvalidChunkLength,
        requests.exceptions.ChunkedEncodingError,
    ):
        return _Failure(
            BadAnswer(site, f"{site} broke off its answer; try again."),
            retry=True,
            nothing_sent=False,
        )
    if has(http.client.LineTooLong, http.client.HTTPException) and not has(
        http.client.RemoteDisconnected
    ):
        return _Failure(
            BadAnswer(site, f"{site} sent an answer that is not valid HTTP."),
            retry=False,
            nothing_sent=False,
        )
    if has(requests.ConnectionError, urllib3.exceptions.HTTPError, OSError):
        return _Failure(
            SiteUnreachable(site, f"The connection to {site} broke; try again."),
            retry=True,
            nothing_sent=False,
        )
    return _Failure(
        BadAnswer(site, f"{site} could not be talked to ({type(exc).__name__})."),
        retry=False,
        nothing_sent=False,
    )


def _replayable_body(data: Any) -> bool:
    return data is None or isinstance(data, bytes | str | dict | list | tuple)


class _CountingBody:
    """An upload body (iterable of bytes) that tells the call how far it got."""

    def __init__(self, body: Iterable[bytes], call: Call) -> None:
        self._body = body
        self._call = call

    def __iter__(self) -> Iterator[bytes]:
        for block in self._body:
            self._call.moved += len(block)
            yield block


class Stream:
    """A streamed answer: ``status_code``, ``headers``, ``iter_content(n)``, ``close()``.

    Iterating maps every failure to the caller's error type, and the call's deadline keeps
    running (extended as bytes arrive) until the stream is exhausted or closed.
    """

    def __init__(self, transport: Transport, response: requests.Response, call: Call) -> None:
        self._transport = transport
        self._response = response
        self._call = call
        self.status_code = response.status_code
        self.headers = response.headers

    def iter_content(self, chunk_size: int = _BLOCK) -> Iterator[bytes]:
        raw = self._response.raw
        try:
            for block in raw.stream(chunk_size, decode_content=True):
                self._call.moved = raw.tell()
                yield block
        except Exception as err:  # classified, never leaked
            self.close()
            transport = self._transport
            failure = classify(err, transport.site, self._call, transport.limits.timeout)
            transport.fail(failure.error)
        self.close()

    def close(self) -> None:
        self._call.finish()
        self._response.close()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Transport:
    """Requests to one site, as one user (``auth``) or anonymously (``auth=None``)."""

    def __init__(
        self,
        url: str,
        *,
        user: str | None = None,
        auth: Auth | None = None,
        limits: Limits | None = None,
        verify: bool | str = True,
        translate: Translate | None = None,
        probe: bool = False,
    ) -> None:
        #: The site's base URL, never with user info.
        self.base = strip_userinfo(url).rstrip("/")
        #: ``host[:port]``: how messages and logs name the site.
        self.site = site_name(self.base)
        self.auth = auth
        self.limits = limits or Limits()
        self.verify = verify
        self._translate: Translate = translate or (lambda err: err)
        #: Anonymous reads of public documents get the shorter probe deadline.
        self._deadline = self.limits.probe_deadline if probe else self.limits.deadline
        self.pool: SitePool = pool_for(self.base, user if auth is not None else None, self.limits)

    def fail(self, error: TransportError) -> NoReturn:
        raise self._translate(error) from None

    # -- the call ----------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
        params: Mapping[str, Any] | None = None,
        stream: bool = False,
        max_bytes: int | None = None,
        replayable: bool = False,
        deadline: float | None = None,
    ) -> Any:
        """Send one request (``url`` absolute, or a path below the site's base URL).

        Returns the ``requests.Response`` with its body read (``stream=False``) or a
        :class:`Stream` (``stream=True`` and a 2xx answer).
        """
        method = method.upper()
        if url.startswith("/"):
            url = self.base + url
        transfer = stream or not (data is None or isinstance(data, dict))
        call = Call(deadline or self._deadline, self.limits.min_transfer_rate if transfer else 0)
        if isinstance(data, bytes | str):
            call.moved = len(data)  # an upload earns its sending time up front
        elif data is not None and not _replayable_body(data):
            call.moved = super_len(data) if hasattr(data, "read") else 0
            if not call.moved:
                data = _CountingBody(data, call)
        WATCHDOG.watch(call)
        read = method in READ_METHODS
        body_again = _replayable_body(data)
        repeat = body_again and (read or replayable)
        statuses = RETRY_STATUSES if read else RETRY_WRITE_STATUSES
        attempt = 0
        refreshed = False
        streaming = False
        leads: float | None = None
        try:
            leads = self.pool.enter(call, self.site)
            while True:
                try:
                    response = self._attempt(
                        call, method, url, headers, data, params, stream, max_bytes
                    )
                except _Failure as failure:
                    retry = failure.retry if read else failure.nothing_sent
                    if repeat and retry and self._pause(call, attempt):
                        attempt += 1
                        continue
                    self.fail(failure.error)
                if leads is not None:
                    self.pool.leave(leads, answered=True)
                    leads = None
                status = response.status_code
                if status == 401 and body_again and not refreshed and self.auth is not None:
                    refreshed = True
                    if self._refresh(response):
                        response.close()
                        continue
                if status in statuses and repeat and self._pause(call, attempt):
                    log.info("%s answered HTTP %s to a %s; asking again", self.site, status, method)
                    response.close()
                    attempt += 1
                    continue
                if stream and status < 300:
                    streaming = True
                    return Stream(self, response, call)
                return response
        finally:
            if leads is not None:
                self.pool.leave(leads, answered=False)
            if not streaming:
                call.finish()

    def _attempt(
        self,
        call: Call,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        data: Any,
        params: Mapping[str, Any] | None,
        stream: bool,
        max_bytes: int | None,
    ) -> requests.Response:
        """One exchange, following allowed redirects; the body is read unless streamed."""
        pool = self.pool
        if not pool.take_slot(call):
            raise _Failure(
                SiteTimedOut(
                    self.site,
                    f"{self.site} is still busy with earlier requests from this server; try "
                    "again in a moment.",
                ),
                retry=False,
                nothing_sent=True,
            )
        try:
            for _ in range(MAX_REDIRECTS + 1):
                remaining = call.remaining()
                if remaining <= 0:
                    call.expired = True
                    raise classify(TimeoutError(), self.site, call, 0)
                wait = min(self.limits.timeout, remaining)
                try:
                    with call:
                        response = pool.session.request(
                            method,
                            url,
                            headers=dict(headers or {}),
                            data=data,
                            params=params,
                            auth=self.auth or _Anonymous(),
                            timeout=(wait, wait),
                            verify=self.verify,
                            allow_redirects=False,
                            stream=True,
                        )
                except CredentialUnusable as err:
                    raise _Failure(
                        CredentialUnusable(self.site, err.message), retry=False, nothing_sent=True
                    ) from None
                except Exception as err:  # classified, never leaked
                    raise classify(err, self.site, call, self.limits.timeout) from None
                location = response.headers.get("Location")
                if not (response.is_redirect and location and method in ("GET", "HEAD")):
                    if not (stream and response.status_code < 300):
                        self._read_body(response, call, max_bytes)
                    return response
                response.close()
                target = urljoin(url, location)
                if not may_redirect(url, target):
                    raise _Failure(
                        BadAnswer(
                            self.site,
                            f"{self.site} redirected the request to another site; that is not "
                            "followed.",
                        ),
                        retry=False,
                        nothing_sent=False,
                    )
                url, params = target, None
            raise _Failure(
                BadAnswer(self.site, f"{self.site} redirects in a loop."),
                retry=False,
                nothing_sent=False,
            )
        finally:
            pool.slots.release()

    def _read_body(self, response: requests.Response, call: Call, max_bytes: int | None) -> None:
        """Read the whole answer, at most ``max_bytes``, within the call's deadline.

        An answer that does not announce its length is held to ``max_listing_bytes`` (the
        largest cap for answers of unknown length) even where a larger cap was asked for:
        a real file server says how long a file is, an endless answer does not.
        """
        declared = response.headers.get("Content-Length", "").strip()
        cap = max_bytes or self.limits.max_answer_bytes
        if not declared.isdigit():
            cap = min(cap, self.limits.max_listing_bytes)
        too_large = declared.isdigit() and int(declared) > cap
        body = bytearray()
        try:
            if not too_large:
                for block in response.raw.stream(_BLOCK, decode_content=True):
                    body += block
                    if len(body) > cap:
                        too_large = True
                        break
        except Exception as err:  # classified, never leaked
            response.close()
            raise classify(err, self.site, call, self.limits.timeout) from None
        if too_large:
            response.close()
            message = (
                f"{self.site} sent an answer larger than {size_text(cap)}; it was not read to "
                "the end."
            )
            raise _Failure(AnswerTooLarge(self.site, message, cap), retry=False, nothing_sent=False)
        response._content = bytes(body)
        response._content_consumed = True  # type: ignore[attr-defined]  # requests' own flag

    def _refresh(self, response: requests.Response) -> bool:
        try:
            return bool(self.auth is not None and self.auth.refresh(response.request))
        except CredentialUnusable as err:
            self.fail(CredentialUnusable(self.site, err.message))

    def _pause(self, call: Call, attempt: int) -> bool:
        """Wait before attempt ``attempt + 2``; False when no attempt or time is left."""
        if attempt >= self.limits.retries:
            return False
        pause = self.limits.retry_backoff * (3**attempt)
        if call.remaining() <= pause:
            return False
        self.pool.retries += 1
        time.sleep(pause)
        return True
