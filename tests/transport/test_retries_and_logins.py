"""The transport against real local-mesh sites: which requests are sent again, how often, and
how the first contact with a Nextcloud-like site logs in once instead of racing.

The faults are the site's own (``flaky``: fail the first N matching requests;
``nextcloud_login``: logins cost time and parallel logins of one user fail with 500), and
``mesh.stats`` counts what really reached the site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from cs3_localmesh.mesh import Mesh

from cs3_jupyter.dav import errors
from cs3_jupyter.dav.client import DavClient
from cs3_jupyter.sharing.http import SiteHTTP
from cs3_jupyter.sharing.ocs import OCSClient
from cs3_jupyter.transport import Limits
from cs3_jupyter.transport.auth import make_auth


@pytest.fixture
def faults(mesh: Mesh) -> Iterator[Callable[..., None]]:
    """``faults(kind, **params)`` on site a, cleared (with the counters) afterwards."""

    def set_fault(kind: str, **params: object) -> None:
        mesh.set_fault("a", kind, **params)

    mesh.reset_stats("a")
    yield set_fault
    mesh.clear_faults("a")


@pytest.fixture
def client(mesh: Mesh, new_user) -> DavClient:
    user = new_user("a")
    dav = DavClient(mesh.site("a").url, user.user, make_auth(user.user, user.password))
    dav.put("f.txt", b"one")
    return dav


def test_a_read_is_sent_again_after_a_server_error(mesh, client, faults):
    faults("flaky", code=500, first=2, methods="PROPFIND")
    mesh.reset_stats("a")
    before = client.transport.pool.retries
    assert [c.path for c in client.listdir("")[1]] == ["f.txt"]
    assert mesh.stats("a")["PROPFIND"] == 3
    assert client.transport.pool.retries - before == 2


def test_retries_are_bounded_and_the_error_names_the_status(mesh, client, faults):
    faults("flaky", code=502, first=100, methods="PROPFIND")
    mesh.reset_stats("a")
    with pytest.raises(errors.SiteUnavailable) as failure:
        client.stat("f.txt")
    assert "502" in failure.value.message
    assert mesh.stats("a")["PROPFIND"] == 1 + Limits().retries


def test_a_plain_write_is_never_sent_twice(mesh, client, faults):
    faults("flaky", code=503, first=1, methods="PUT")
    mesh.reset_stats("a")
    with pytest.raises(errors.SiteUnavailable):
        client.put("f.txt", b"two")
    assert mesh.stats("a")["PUT"] == 1
    assert client.download("f.txt")[0] == b"one"


def test_a_conditional_write_is_sent_again_only_when_the_site_said_not_now(mesh, client, faults):
    etag = client.stat("f.txt").etag
    faults("flaky", code=503, first=1, methods="PUT")
    mesh.reset_stats("a")
    written = client.put("f.txt", b"two", if_match=etag)
    assert mesh.stats("a")["PUT"] == 2
    assert client.download("f.txt")[:2] == (b"two", written.etag)
    # A 500 may come after the write landed: a conditional write is not repeated then.
    mesh.clear_faults("a")
    faults("flaky", code=500, first=1, methods="PUT")
    mesh.reset_stats("a")
    with pytest.raises(errors.SiteUnavailable):
        client.put("f.txt", b"three", if_match=written.etag)
    assert mesh.stats("a")["PUT"] == 1


def test_first_contact_logs_in_once_and_parallel_requests_use_the_cookie(mesh, new_user, faults):
    user = new_user("a")
    faults("nextcloud_login", seconds=0.4)
    dav = DavClient(mesh.site("a").url, user.user, make_auth(user.user, user.password))
    with ThreadPoolExecutor(6) as pool:
        listings = list(pool.map(lambda _: dav.listdir(""), range(6)))
    assert all(folder.is_dir for folder, _ in listings)
    # The sharing client of the same user shares the session, and so the login.
    ocs = OCSClient(SiteHTTP(mesh.site("a").url, user.user, dav.auth))
    with ThreadPoolExecutor(4) as pool:
        ids = set(pool.map(lambda _: ocs.current_user()["id"], range(4)))
    assert ids == {user.user}
    stats = mesh.stats("a")
    assert stats.get("logins") == 1
    assert "login_races" not in stats
    assert dav.transport.pool.retries == 0


def test_parallel_first_logins_do_race_on_such_a_site(mesh, new_user, faults):
    """The site really fails parallel logins: without the cookie every request logs in."""
    import requests

    user = new_user("a")
    faults("nextcloud_login", seconds=0.4)
    url = f"{mesh.site('a').url}/remote.php/dav/files/{user.user}/"

    def propfind(_: int) -> int:
        return requests.request(
            "PROPFIND", url, auth=(user.user, user.password), headers={"Depth": "0"}, timeout=10
        ).status_code

    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(propfind, range(4)))
    assert 500 in statuses and 207 in statuses
