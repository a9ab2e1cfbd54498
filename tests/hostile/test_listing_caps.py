"""A folder too large to list, on a healthy site: the user is told which folder, which limit
and which setting raises it, and the rest of the home keeps working.

The listing limits (``CS3Site.max_listing_bytes``, 16 MiB, and ``max_listing_entries``,
20,000) bound what any site can make the server read and parse. Here they are lowered so a
few hundred files cross them: a real Jupyter server on a local-mesh user whose folder
``many`` has more entries than allowed and ``big`` a larger listing than allowed (each
entry of a Nextcloud-shaped listing is ~600 bytes: docs/architecture.md, "Transport").
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from site_server import SiteServer, start_server

MAX_ENTRIES = 50
MAX_BYTES = 60_000


@pytest.fixture(scope="module")
def crowded(mesh, tmp_path_factory) -> Iterator[SiteServer]:
    user = mesh.add_user("a", "crowded")
    dav = f"{mesh.site('a').url}/remote.php/dav/files/{user.user}"
    http = requests.Session()
    http.auth = (user.user, user.password)
    files = {"many": 60, "big": 150, "fine": 10}
    for folder in files:
        assert http.request("MKCOL", f"{dav}/{folder}", timeout=30).status_code == 201
    paths = [f"{folder}/{n:03d}.txt" for folder, count in files.items() for n in range(count)]
    with ThreadPoolExecutor(4) as pool:
        for status in pool.map(
            lambda p: http.put(f"{dav}/{p}", b"x", timeout=30).status_code, paths
        ):
            assert status == 201
    server = start_server(
        tmp_path_factory.mktemp("crowded"),
        site_url=mesh.site("a").url,
        user=user.user,
        password=user.password,
        extra_env={
            "CS3_MAX_LISTING_ENTRIES": str(MAX_ENTRIES),
            "CS3_MAX_LISTING_BYTES": str(MAX_BYTES),
        },
    )
    yield server
    server.stop()


def test_a_folder_with_too_many_entries_names_the_folder_limit_and_setting(crowded):
    answer = crowded.call("GET", "api/contents/many")
    assert answer.status_code == 502
    message = answer.json()["message"]
    assert "The folder 'many'" in message
    assert f"more than {MAX_ENTRIES} entries" in message
    assert "CS3Site.max_listing_entries" in message and "CS3_MAX_LISTING_ENTRIES" in message
    assert "Traceback" not in crowded.log_text()


def test_a_folder_with_a_too_large_listing_names_the_folder_limit_and_setting(crowded):
    answer = crowded.call("GET", "api/contents/big")
    assert answer.status_code == 502
    message = answer.json()["message"]
    assert "The folder 'big'" in message
    assert f"larger than {MAX_BYTES:,} bytes" in message
    assert "CS3Site.max_listing_bytes" in message and "CS3_MAX_LISTING_BYTES" in message


def test_the_rest_of_the_home_lists_as_before(crowded):
    crowded.call("GET", "api/contents/big")
    answer = crowded.call("GET", "api/contents/fine")
    assert answer.status_code == 200
    assert len(answer.json()["content"]) == 10
