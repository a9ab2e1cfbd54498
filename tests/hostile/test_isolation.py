"""One hung site never blocks unrelated requests: real Jupyter servers, real hung calls.

The hostile site (``hostile_site.py``) holds every "silent" connection open until the test
releases it, and the servers under test get 60 s deadlines, so the hung calls are surely
still pending while the unrelated ones run. What is asserted is order, not speed: every
unrelated request is answered while all the hung ones are still waiting. The latencies are
printed for the report.

* ``neighbour``: the user's own site is healthy (local mesh site "a"); the mesh directory
  lists eight sites that never answer, and the user has accepted a federated share whose
  owner's site never answers (the own site forwards requests into the share there, as
  Nextcloud does). Hung: eight mesh site lists and four contents calls into the share.
  Unrelated: Jupyter's own status, the user's outgoing shares (OCS at the own site), a
  listing of a healthy folder of the home (same site and user as the hung contents calls).
* ``stranded``: the user's own site is the hostile one and never answers. Hung: eight
  contents calls and eight sharing calls, as many as the transport lets one site hold.
  Unrelated: Jupyter's own status, this server's settings, and the site list of a healthy
  mesh (anonymous reads of other sites share nothing with the user's own site).
* ``newcomer``: like ``neighbour``, but its very first request to its site is the one into
  the share that hangs. The first request goes alone (the others wait for its login cookie);
  the next request must go in its place after ``Limits.first_contact_patience`` instead of
  waiting for the hung one's deadline.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from cs3_localmesh.users import UserInfo
from hostile_site import DIRECTORY_SITES, HostileSite
from site_server import SiteServer, start_server

#: Far longer than the test: a hung call can only end by the test's release.
LONG = "60"
ENV = {"CS3_TIMEOUT": LONG, "CS3_REQUEST_DEADLINE": LONG, "CS3_PROBE_DEADLINE": LONG}
HUNG_MESH_CALLS = 8
#: The local mesh serves each site with 8 threads, and every call into the share holds one
#: of site a's while it waits for the owner: 4 leave the site room for the unrelated calls.
HUNG_SHARE_CALLS = [
    "api/contents/hung",
    "api/contents/hung/notes.txt?type=file&format=text&content=1",
    "api/contents/hung/run.ipynb?type=notebook&content=1",
    "files/hung/data.bin",
]
#: As many listings and share lists as the transport lets one site hold (site_concurrency 8
#: sent, 8 more waiting; any beyond that are refused at once as "busy").
SITE_CONCURRENCY = 8
HUNG_OWN_SITE_CALLS = [f"api/contents/f{n}" for n in range(8)] + ["cs3/api/shares"] * 8
#: Results for the report printed at the end: (server, call, status, seconds).
MEASURED: list[tuple[str, str, int, float]] = []


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileSite]:
    site = HostileSite().start()
    yield site
    site.stop()
    for row in MEASURED:
        print("while hung: {:<10} {:<45} HTTP {} in {:6.3f} s".format(*row))


def _ocs(method: str, url: str, user, **kwargs) -> requests.Response:
    return requests.request(
        method,
        url,
        auth=(user.user, user.password),
        headers={"OCS-APIRequest": "true"},
        params={"format": "json"},
        timeout=30,
        **kwargs,
    )


def _accept_share_from(hostile: HostileSite, site_url: str, site_host: str, user) -> None:
    """The hostile site shares a folder with ``user`` (OCM, as a remote server would), and
    the user accepts it: their own site now forwards requests under ``hung`` to the hostile
    site, into its ``/m/silent/`` paths."""
    body = {
        "shareWith": f"{user.user}@{site_host}",
        "name": "hung",
        "providerId": uuid.uuid4().hex,
        "owner": f"mallory@{hostile.url}",
        "sender": f"mallory@{hostile.url}",
        "shareType": "user",
        "resourceType": "folder",
        "protocol": {
            "name": "multi",
            "webdav": {
                "sharedSecret": uuid.uuid4().hex,
                "permissions": ["read"],
                "uri": f"{hostile.url}/m/silent/dav",
            },
        },
    }
    sent = requests.post(site_url + "/index.php/ocm/shares", json=body, timeout=30)
    assert sent.status_code == 201, sent.text
    api = site_url + "/ocs/v2.php/apps/files_sharing/api/v1/remote_shares/pending"
    (pending,) = _ocs("GET", api, user).json()["ocs"]["data"]
    assert _ocs("POST", f"{api}/{pending['id']}", user).status_code == 200


@pytest.fixture(scope="module")
def sharer(hostile: HostileSite, mesh) -> UserInfo:
    """A user of site "a" with a healthy folder ``work`` and the hostile site's share ``hung``."""
    user = mesh.add_user("a", "hung-neighbour")
    site = mesh.site("a")
    _accept_share_from(hostile, site.url, site.host, user)
    dav = f"{site.url}/remote.php/dav/files/{user.user}"
    auth = (user.user, user.password)
    assert requests.request("MKCOL", dav + "/work", auth=auth, timeout=30).status_code == 201
    assert requests.put(dav + "/work/a.txt", b"a", auth=auth, timeout=30).status_code == 201
    return user


def _sharer_server(hostile: HostileSite, mesh, sharer: UserInfo, base: Path) -> SiteServer:
    return start_server(
        base,
        site_url=mesh.site("a").url,
        user=sharer.user,
        password=sharer.password,
        directory_url=hostile.url + "/directory.json",
        extra_env={**ENV, "CS3_MESH_DIRECTORY_TTL": "0"},
    )


@pytest.fixture(scope="module")
def neighbour(hostile: HostileSite, mesh, sharer, tmp_path_factory) -> Iterator[SiteServer]:
    server = _sharer_server(hostile, mesh, sharer, tmp_path_factory.mktemp("neighbour"))
    assert server.call("GET", "cs3/api/whoami").status_code == 200  # logged in
    yield server
    server.stop()


@pytest.fixture
def newcomer(hostile: HostileSite, mesh, sharer, tmp_path) -> Iterator[SiteServer]:
    """A server that has not talked to its site yet."""
    server = _sharer_server(hostile, mesh, sharer, tmp_path)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stranded(hostile: HostileSite, mesh, tmp_path_factory) -> Iterator[SiteServer]:
    server = start_server(
        tmp_path_factory.mktemp("stranded"),
        site_url=hostile.url,
        user="u",
        password="stranded-pw",
        directory_url=mesh.directory_url,
        extra_env=ENV,
    )
    hostile.mode = "ok"  # the first contact (sent alone, for the login cookie) is answered
    assert server.call("GET", "api/contents/f0").status_code == 404
    yield server
    server.stop()


def _hang(
    server: SiteServer, hostile: HostileSite, paths: list[str], held: int
) -> tuple[ThreadPoolExecutor, list[Future[requests.Response]]]:
    """Start the calls in ``paths`` at once; return when ``held`` connections are held."""
    hostile.hold()
    hostile.mode = "silent"
    pool = ThreadPoolExecutor(len(paths))
    hung = [pool.submit(server.call, "GET", path) for path in paths]
    assert hostile.wait_holding(held, timeout=60), f"only {hostile.holding} held"
    return pool, hung


def _unrelated(server: SiteServer, name: str, path: str) -> requests.Response:
    """One unrelated call. Its timeout only keeps a failing run short: at half the hung
    calls' deadline, a call that times out was waiting for what the hung calls hold."""
    started = time.monotonic()
    answer = server.call("GET", path, timeout=int(LONG) / 2)
    MEASURED.append((name, path, answer.status_code, time.monotonic() - started))
    return answer


def _release(hostile: HostileSite, pool: ThreadPoolExecutor, hung: list[Future]) -> list:
    hostile.release()
    try:
        return [call.result(timeout=60) for call in hung]
    finally:
        pool.shutdown()
        hostile.mode = "ok"


def test_hung_mesh_sites_and_a_hung_share_do_not_block_unrelated_requests(neighbour, hostile):
    calls = ["cs3/api/mesh/sites"] * HUNG_MESH_CALLS + HUNG_SHARE_CALLS
    # The mesh calls share one probe per site: one held connection per directory site.
    pool, hung = _hang(neighbour, hostile, calls, DIRECTORY_SITES + len(HUNG_SHARE_CALLS))
    try:
        status = _unrelated(neighbour, "neighbour", "api/status")
        shares = _unrelated(neighbour, "neighbour", "cs3/api/shares")
        listing = _unrelated(neighbour, "neighbour", "api/contents/work")
        still_pending = sum(not call.done() for call in hung)
    finally:
        answers = _release(hostile, pool, hung)
    assert status.status_code == 200
    assert shares.status_code == 200, shares.text
    assert [item["name"] for item in listing.json()["content"]] == ["a.txt"]
    # Every unrelated answer came while all the hung calls were still waiting.
    assert still_pending == len(calls)
    # Released, the hung calls end with clear answers, never a 500.
    for answer in answers[:HUNG_MESH_CALLS]:
        assert answer.status_code == 200
        assert all(site.get("error") for site in answer.json())
    assert all(answer.status_code in (502, 504) for answer in answers[HUNG_MESH_CALLS:]), [
        (answer.status_code, answer.text[:200]) for answer in answers[HUNG_MESH_CALLS:]
    ]
    assert "Traceback" not in neighbour.log_text()


def test_a_hung_own_site_does_not_block_what_does_not_need_it(stranded, hostile, mesh):
    pool, hung = _hang(stranded, hostile, HUNG_OWN_SITE_CALLS, SITE_CONCURRENCY)
    try:
        status = _unrelated(stranded, "stranded", "api/status")
        config = _unrelated(stranded, "stranded", "cs3/api/config")
        sites = _unrelated(stranded, "stranded", "cs3/api/mesh/sites")
        still_pending = sum(not call.done() for call in hung)
    finally:
        answers = _release(hostile, pool, hung)
    assert status.status_code == 200 and config.status_code == 200
    assert sites.status_code == 200, sites.text
    healthy = {site["url"]: site for site in sites.json()}
    assert {s.url for s in mesh.sites} <= set(healthy)
    assert all(healthy[s.url]["ocm_version"] for s in mesh.sites)
    assert still_pending >= SITE_CONCURRENCY
    for answer in answers:
        assert answer.status_code in (502, 504), answer.text[:300]
        assert "stranded-pw" not in answer.text
        json.loads(answer.text)  # a JSON error, not a page with a traceback
    assert "Traceback" not in stranded.log_text()


def test_a_first_call_that_hangs_does_not_hold_back_the_calls_after_it(newcomer, hostile):
    """The first request to a site is sent alone (the others wait for its login cookie); if
    it hangs, the next call must go ahead instead of waiting for the hung call's deadline."""
    pool, hung = _hang(newcomer, hostile, ["api/contents/hung"], 1)
    try:
        listing = _unrelated(newcomer, "newcomer", "api/contents/work")
        still_pending = not hung[0].done()
    finally:
        (answer,) = _release(hostile, pool, hung)
    assert [item["name"] for item in listing.json()["content"]] == ["a.txt"]
    assert still_pending
    assert answer.status_code in (502, 504)
    assert "Traceback" not in newcomer.log_text()
