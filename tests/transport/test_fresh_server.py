"""A freshly started Jupyter server against a Nextcloud-like site (logins cost time, parallel
first logins of one user fail with 500): the sharing panel's first call must work, and a
site URL with user info must neither break nor leak."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from site_server import SiteServer, start_server


@pytest.fixture
def nextcloud_logins(mesh) -> Iterator[None]:
    mesh.set_fault("a", "nextcloud_login", seconds=0.5)
    mesh.reset_stats("a")
    yield
    mesh.clear_faults("a")


@pytest.fixture
def servers() -> Iterator[list[SiteServer]]:
    started: list[SiteServer] = []
    yield started
    for server in started:
        server.stop()


def test_the_panels_first_call_succeeds_with_one_login(
    mesh, new_user, tmp_path, nextcloud_logins, servers
):
    user = new_user("a")
    server = start_server(
        tmp_path, site_url=mesh.site("a").url, user=user.user, password=user.password
    )
    servers.append(server)
    answer = server.call("GET", "cs3/api/received?state=pending")
    assert answer.status_code == 200, answer.text
    stats = mesh.stats("a")
    assert stats.get("logins") == 1 and "login_races" not in stats


def test_a_site_url_with_user_info_works_and_shows_it_nowhere(mesh, new_user, tmp_path, servers):
    user = new_user("a")
    site = mesh.site("a")
    server = start_server(
        tmp_path,
        site_url=f"http://{user.user}:{user.password}@{site.host}",
        user=user.user,
        directory_url=mesh.directory_url.replace("http://", "http://dir:dir-secret@"),
    )
    servers.append(server)
    me = server.call("GET", "cs3/api/whoami")
    assert me.status_code == 200, me.text
    assert me.json()["federated_id"] == f"{user.user}@{site.host}"
    sites = server.call("GET", "cs3/api/mesh/sites")
    listing = server.call("GET", "api/contents")
    assert listing.status_code == 200
    for text in (me.text, sites.text, listing.text, server.log_text()):
        assert user.password not in text and "dir-secret" not in text
