"""A mesh site list over more sites than the discovery pool has threads.

Probes run 32 at a time, in waves. When the list's one deadline passes, the waves that have
not started are cancelled: the list must leave no work behind that keeps asking sites after
it answered (with a mesh of hundreds of sites that do not answer, that work would go on for
minutes and hold threads). Real sockets on 127.0.0.1: 64 hostile sites, each on its own port
(sites are limited to a few calls at a time each, as different hosts would be), accept every
probe and never answer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from hostile_site import HostileSite

from cs3_jupyter.sharing.errors import SharingError
from cs3_jupyter.sharing.ocm import Discovery
from cs3_jupyter.transport import Limits

PROBE_DEADLINE = 0.3
HOSTS, PER_HOST = 64, 5  # below each host's limit of calls at a time
SITES = HOSTS * PER_HOST  # ten waves of 32: far more than fit in one probe deadline (+1 s)


@pytest.fixture
def silent_sites() -> Iterator[list[HostileSite]]:
    sites = [HostileSite().start() for _ in range(HOSTS)]
    for site in sites:
        site.mode = "silent"
    yield sites
    with ThreadPoolExecutor(len(sites)) as pool:  # each stop waits for its serve loop's poll
        list(pool.map(HostileSite.stop, sites))


def _asked(sites: list[HostileSite]) -> int:
    return sum(site.requests for site in sites)


def test_waves_not_started_by_the_deadline_are_cancelled(silent_sites: list[HostileSite]) -> None:
    discovery = Discovery(limits=Limits(timeout=PROBE_DEADLINE, probe_deadline=PROBE_DEADLINE))
    urls = [f"{site.url}/crowd/s{n}" for n in range(PER_HOST) for site in silent_sites]

    results = discovery.discover_many(urls)
    asked_at_return = _asked(silent_sites)
    # The probes running at the return end at their own deadline; nothing starts after.
    time.sleep(4 * PROBE_DEADLINE + 1)
    asked_later = _asked(silent_sites)

    assert asked_later == asked_at_return, (asked_at_return, asked_later)
    assert asked_at_return < SITES
    assert set(results) == set(urls)
    assert all(isinstance(result, SharingError) for result in results.values())
    # Sites never asked are not said to have failed to answer.
    messages = [str(result) for result in results.values()]
    assert sum("was not checked" in m for m in messages) == SITES - asked_at_return, messages[-1]
