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
POOL = 32  # the discovery's threads per site list
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


def _probed(sites: list[HostileSite]) -> set[str]:
    """The site URLs asked so far (a probe may ask two discovery paths of one site)."""
    return {
        f"{site.url}/crowd/{path.split('/')[2]}"
        for site in sites
        for path in list(site.paths)
        if path.startswith("/crowd/")
    }


def test_waves_not_started_by_the_deadline_are_cancelled(silent_sites: list[HostileSite]) -> None:
    discovery = Discovery(limits=Limits(timeout=PROBE_DEADLINE, probe_deadline=PROBE_DEADLINE))
    urls = [f"{site.url}/crowd/s{n}" for n in range(PER_HOST) for site in silent_sites]

    results = discovery.discover_many(urls)
    probed_at_return = _probed(silent_sites)
    # The probes running at the return end at their own deadline; nothing starts after. (Up to
    # a pool's worth of them, 32, may not have reached their site yet when the list returned.)
    time.sleep(4 * PROBE_DEADLINE + 1)
    probed_later = _probed(silent_sites)

    assert len(probed_later - probed_at_return) <= POOL, (len(probed_at_return), len(probed_later))
    assert len(probed_later) < SITES
    assert set(results) == set(urls)
    assert all(isinstance(result, SharingError) for result in results.values())
    # Sites never asked are not said to have failed to answer.
    not_checked = {url for url, result in results.items() if "was not checked" in str(result)}
    assert not_checked, "no wave was cancelled"
    assert not not_checked & probed_later, "a site said to be not checked was asked"
