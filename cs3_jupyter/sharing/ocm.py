"""OCM discovery: does a site speak Open Cloud Mesh, which version, with what capabilities.

Newer servers answer ``/.well-known/ocm``; Nextcloud 32 answers only ``/ocm-provider/``
(and 404 on the well-known path), so both are tried in that order (docs/protocols.md §3.3, §8).
A site that answers with a server error is down, not "without OCM": only a site that
answered and has no discovery document is said not to offer OCM.

Results, failures included, are cached briefly (30 s, failures 10 s): the recipient search
asks on every keystroke, and a dead site must not cost a timeout each time. What the panel
shows as a site's state (the mesh site list, received shares' owners) is asked ``fresh``,
so a site that went down is never shown as reachable from an old answer. Callers asking about
the same site at the same time share one probe, and one probe (both paths) takes at most
``Limits.probe_deadline``: a site that trickles or hangs cannot hold more worker threads,
or for longer, than that.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field
from typing import Any

from ..transport import Limits
from .errors import SharingError
from .http import read_public
from .ids import domain_of

DISCOVERY_PATHS = ("/.well-known/ocm", "/ocm-provider/")


@dataclass(frozen=True)
class OCMProvider:
    """What a site's discovery document says about it."""

    api_version: str
    end_point: str
    provider: str = ""
    capabilities: tuple[str, ...] = ()
    resource_types: tuple[str, ...] = ()
    invite_accept_dialog: str = ""


_MAX_TEXT = 256


def _short(value: Any) -> str:
    """A field of a document from another site, as text of a sane length."""
    return str(value)[:_MAX_TEXT]


def _listed(value: Any, most: int) -> list[Any]:
    return list(value[:most]) if isinstance(value, list) else []


def parse_discovery(doc: Any, max_items: int = 64) -> OCMProvider | None:
    """The provider described by a discovery document, or None when it says OCM is off.

    At most ``max_items`` capabilities and resource types are taken: the document comes
    from any site of the mesh, and what we take is shown to the user.
    """
    if not isinstance(doc, dict) or doc.get("enabled") is False or not doc.get("endPoint"):
        return None
    types = _listed(doc.get("resourceTypes"), max_items)
    return OCMProvider(
        api_version=_short(doc.get("apiVersion") or doc.get("version") or ""),
        end_point=_short(doc["endPoint"]),
        provider=_short(doc.get("provider") or ""),
        capabilities=tuple(_short(c) for c in _listed(doc.get("capabilities"), max_items)),
        resource_types=tuple(_short(t.get("name")) for t in types if isinstance(t, dict)),
        invite_accept_dialog=_short(doc.get("inviteAcceptDialog") or ""),
    )


@dataclass
class _Entry:
    expires: float
    provider: OCMProvider | None = None
    error: SharingError | None = field(default=None)
    #: Unix time of the probe this answer comes from.
    checked_at: float = field(default_factory=time.time)


Result = OCMProvider | SharingError


class Discovery:
    """Cached OCM discovery of any site by base URL (anonymous requests only)."""

    def __init__(
        self,
        ttl: float = 30.0,
        failure_ttl: float = 10.0,
        verify: bool | str = True,
        limits: Limits | None = None,
    ) -> None:
        self.ttl = ttl
        self.failure_ttl = failure_ttl
        self.verify = verify
        self.limits = limits or Limits()
        self._cache: dict[str, _Entry] = {}
        self._running: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def discover(self, site_url: str, *, fresh: bool = False) -> OCMProvider:
        """The site's OCM provider; :class:`SharingError` if unreachable or without OCM.

        ``fresh`` asks the site now instead of answering from the cache (joining a probe
        that is already running): for what the panel shows as a site's state.
        """
        key = site_url.rstrip("/")
        while True:
            with self._lock:
                entry = self._cache.get(key)
                if entry is not None and entry.expires >= time.monotonic() and not fresh:
                    break
                running = self._running.get(key)
                if running is None:
                    running = self._running[key] = threading.Event()
                    mine = True
                else:
                    mine = False
            if not mine:
                # Someone is probing this site now: share the answer instead of asking again.
                running.wait(self.limits.probe_deadline + 1)
                with self._lock:
                    entry = self._cache.get(key)
                if entry is None:
                    entry = self._timed_out(key)
                break
            try:
                entry = self._probe(key)
                with self._lock:
                    self._cache[key] = entry
            finally:
                with self._lock:
                    self._running.pop(key, None)
                running.set()
            break
        if entry.error is not None:
            raise entry.error
        assert entry.provider is not None
        return entry.provider

    def checked_at(self, site_url: str) -> float | None:
        """When the cached answer about the site was obtained (Unix time), if there is one."""
        with self._lock:
            entry = self._cache.get(site_url.rstrip("/"))
        return entry.checked_at if entry is not None else None

    def discover_many(self, site_urls: Iterable[str], *, fresh: bool = False) -> dict[str, Result]:
        """Every site's provider or error, probed in parallel within one probe deadline.

        A site that has not answered by then is reported as not answering; its probe goes
        on in the background until its own deadline and fills the cache. A mesh with more
        sites than the pool has threads probes them in waves: waves that have not started
        by then are cancelled (those sites are reported as not checked), so a list that
        returned leaves no work behind beyond the probes already running.
        """
        urls = list(dict.fromkeys(site_urls))
        out: dict[str, Result] = {}
        if not urls:
            return out

        def one(url: str) -> Result:
            try:
                return self.discover(url, fresh=fresh)
            except SharingError as err:
                return err

        pool = ThreadPoolExecutor(min(32, len(urls)), thread_name_prefix="cs3-discovery")
        jobs = {url: pool.submit(one, url) for url in urls}
        wait_for(jobs.values(), timeout=self.limits.probe_deadline + 1)
        pool.shutdown(wait=False, cancel_futures=True)
        for url, job in jobs.items():
            if job.cancelled():
                out[url] = self._not_checked(url)
            elif job.done():
                out[url] = job.result()
            else:
                late = self._timed_out(url).error
                assert late is not None
                out[url] = late
        return out

    def _not_checked(self, url: str) -> SharingError:
        return SharingError(
            504,
            "site_unreachable",
            f"{domain_of(url)} was not checked: the mesh lists more sites than could be "
            f"asked within {self.limits.probe_deadline:g} s.",
        )

    def _timed_out(self, url: str) -> _Entry:
        error = SharingError(
            504,
            "site_unreachable",
            f"{domain_of(url)} did not answer within {self.limits.probe_deadline:g} s.",
        )
        return _Entry(time.monotonic() + self.failure_ttl, error=error)

    def _probe(self, url: str) -> _Entry:
        domain = domain_of(url)
        limits = self.limits
        ends = time.monotonic() + limits.probe_deadline
        failing: SharingError | None = None
        try:
            for path in DISCOVERY_PATHS:
                left = ends - time.monotonic()
                if left <= 0:
                    return self._timed_out(url)
                response = read_public(url + path, limits=limits, verify=self.verify, deadline=left)
                if response.status_code >= 500 or response.status_code == 429:
                    # A site that fails is down, not "without OCM": try the other path, and
                    # say so if that fails too.
                    failing = SharingError(
                        502,
                        "site_unreachable",
                        f"{domain} is not working right now (it answered HTTP "
                        f"{response.status_code}); try again later.",
                    )
                    continue
                if response.status_code != 200:
                    continue
                try:
                    provider = parse_discovery(response.json(), limits.max_capabilities)
                except (ValueError, RecursionError):
                    continue
                if provider is not None:
                    return _Entry(time.monotonic() + self.ttl, provider)
        except SharingError as err:
            return _Entry(time.monotonic() + self.failure_ttl, error=err)
        if failing is not None:
            return _Entry(time.monotonic() + self.failure_ttl, error=failing)
        error = SharingError(
            502,
            "site_without_ocm",
            f"{domain} does not offer Open Cloud Mesh sharing, so it cannot receive shares "
            "from other sites.",
        )
        return _Entry(time.monotonic() + self.failure_ttl, error=error)
