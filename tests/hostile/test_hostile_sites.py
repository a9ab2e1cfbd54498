"""Real Jupyter servers against a hostile site (``hostile_site.py``): every misbehaviour gets a
clear 502/504 within its deadline, costs the server at most 64 MB, shows no secret and no
traceback, and never a 500.

Two servers, as a hub would start them: ``efss`` has the hostile site as its own EFSS
(contents API and OCS), ``meshed`` a healthy local-mesh site and a mesh directory on the
hostile site (discovery, directory). Short deadlines keep the run short: 2 s per read, 6 s
per call, 3 s per probe. Memory is the server process's own (``VmHWM`` after clearing it,
minus ``VmRSS`` before).

Nothing a case asks may be answered from what the server remembers of an earlier case:
``meshed`` reads its directory on every request (``CS3Site.mesh_directory_ttl`` 0), and each
mesh case bumps the directory's ``generation``, so its eight sites are URLs the server has
never probed (the discovery cache remembers failures for 10 s); the test checks the hostile
site was asked for each of them during the case.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_site import HostileSite, SecretService
from site_server import SiteServer, start_server

PASSWORD = "hostile-secret-pw"
TIMEOUT, DEADLINE, PROBE = 2, 6, 3
ENV = {
    "CS3_TIMEOUT": str(TIMEOUT),
    "CS3_REQUEST_DEADLINE": str(DEADLINE),
    "CS3_PROBE_DEADLINE": str(PROBE),
}
MAX_GROWTH_KB = 64 * 1024
#: A mesh site list waits one probe deadline (+1 s) for all sites; this much more is slack
#: for a loaded machine, far below what an unbounded read would take.
SLACK = 2
#: Results for the report printed at the end: (case, status, seconds, growth MB).
MEASURED: list[tuple[str, int, float, float]] = []


@pytest.fixture(scope="module")
def secret() -> Iterator[SecretService]:
    service = SecretService()
    yield service
    service.stop()


@pytest.fixture(scope="module")
def hostile(secret: SecretService) -> Iterator[HostileSite]:
    site = HostileSite(secret.url).start()
    yield site
    site.stop()
    for row in MEASURED:
        print("hostile case {:<40} HTTP {} in {:5.2f} s, memory +{:5.1f} MB".format(*row))


@pytest.fixture(scope="module")
def efss(hostile: HostileSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    server = start_server(
        tmp_path_factory.mktemp("efss"),
        site_url=hostile.url,
        user="u",
        password=PASSWORD,
        directory_url=hostile.url + "/ok/directory.json",
        extra_env=ENV,
    )
    hostile.mode = "ok"
    assert server.call("GET", "api/status").status_code == 200
    yield server
    server.stop()


@pytest.fixture(scope="module")
def meshed(
    hostile: HostileSite, mesh, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SiteServer]:
    user = mesh.add_user("a", "hostile-neighbour")
    server = start_server(
        tmp_path_factory.mktemp("meshed"),
        site_url=mesh.site("a").url,
        user=user.user,
        password=user.password,
        directory_url=hostile.url + "/directory.json",
        extra_env={**ENV, "CS3_MESH_DIRECTORY_TTL": "0"},
    )
    assert server.call("GET", "cs3/api/shares").status_code == 200
    yield server
    server.stop()


def _case(
    server: SiteServer,
    hostile: HostileSite,
    mode: str,
    method: str,
    path: str,
    *,
    part: str = "mode",
) -> tuple[int, str, float, int]:
    """Run one call with ``mode`` as the hostile site's ``part`` (``mode`` or
    ``directory_mode``): (status, body, seconds, memory growth in kB)."""
    pid = server.process.pid
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    before = server.memory_kb()["VmRSS"]
    log_start = len(server.log_text())
    setattr(hostile, part, mode)
    started = time.monotonic()
    try:
        answer = server.call(method, path)
    finally:
        setattr(hostile, part, "ok")
    seconds = time.monotonic() - started
    growth = server.memory_kb()["VmHWM"] - before
    log = server.log_text()[log_start:]
    assert "Traceback" not in log and "Unhandled" not in log, log[-3000:]
    assert PASSWORD not in log and PASSWORD not in answer.text
    assert SecretService.MARKER not in answer.text and SecretService.MARKER not in log
    where = "directory " if part == "directory_mode" else ""
    MEASURED.append(
        (f"{where}{mode} {method} {path.split('?')[0]}", answer.status_code, seconds, growth / 1024)
    )
    return answer.status_code, answer.text, seconds, growth


CONTENTS_CASES = [
    "huge",
    "endless",
    "trickle",
    "silent",
    "cut",
    "bad_chunked",
    "bad_gzip",
    "bad_xml",
    "xml_bomb",
    "many_entries",
    "redirect_away",
    "redirect_loop",
]


@pytest.mark.parametrize("mode", CONTENTS_CASES)
def test_a_listing_from_a_hostile_efss_is_a_clear_gateway_error(efss, hostile, mode):
    status, body, seconds, growth = _case(efss, hostile, mode, "GET", f"api/contents/{mode}")
    assert status in (502, 504), body
    assert "127.0.0.1" in body  # the message names the site
    assert seconds < DEADLINE * 1.5 + 3
    assert growth <= MAX_GROWTH_KB


@pytest.mark.parametrize("mode", ["huge", "endless", "trickle", "cut", "bad_gzip", "redirect_away"])
def test_opening_a_file_from_a_hostile_efss_is_a_clear_gateway_error(efss, hostile, mode):
    path = f"api/contents/{mode}.txt?type=file&format=text&content=1"
    status, body, seconds, growth = _case(efss, hostile, mode, "GET", path)
    assert status in (502, 504), body
    assert seconds < DEADLINE * 1.5 + 3
    assert growth <= MAX_GROWTH_KB


def test_a_trickling_download_ends_at_its_deadline(efss, hostile):
    status, _, seconds, growth = _case(efss, hostile, "trickle", "GET", "files/trickle.bin")
    assert status in (502, 504) or seconds < DEADLINE * 1.5 + 3
    assert seconds < DEADLINE * 1.5 + 3
    assert growth <= MAX_GROWTH_KB


@pytest.mark.parametrize(
    "mode", ["huge", "endless", "trickle", "cut", "bad_gzip", "deep_json", "redirect_loop"]
)
def test_sharing_calls_to_a_hostile_efss_are_clear_gateway_errors(efss, hostile, mode):
    status, body, seconds, growth = _case(efss, hostile, mode, "GET", "cs3/api/shares")
    assert status in (502, 504), body
    assert seconds < DEADLINE * 1.5 + 3
    assert growth <= MAX_GROWTH_KB


#: What each hostile discovery must be reported as, in words a user understands.
SITE_ERRORS = {
    "huge": "larger than",
    "endless": "larger than",
    "trickle": "did not",
    "silent": "did not",
    "cut": "broke off",
    "deep_json": "does not offer Open Cloud Mesh",
    "redirect_away": "redirected the request to another site",
    "provider_redirect_away": "redirected the request to another site",
    "redirect_loop": "redirects in a loop",
}


@pytest.mark.parametrize("mode", list(SITE_ERRORS))
def test_hostile_mesh_sites_cannot_stall_or_fill_the_site_list(meshed, hostile, secret, mode):
    hostile.generation += 1  # eight site URLs this server has never probed
    asked_before = len(hostile.paths)
    status, body, seconds, growth = _case(meshed, hostile, mode, "GET", "cs3/api/mesh/sites")
    assert status == 200, body
    sites = {s["url"]: s for s in json.loads(body)}
    assert set(sites) == set(hostile.site_urls())
    asked = set(hostile.paths[asked_before:])
    for url in hostile.site_urls():  # probed live, during this case
        assert url.removeprefix(hostile.url) + "/.well-known/ocm" in asked
        site = sites[url]
        assert not site["ocm_version"] and not site["capabilities"]
        assert SITE_ERRORS[mode] in site["error"], site
        assert hostile.url.removeprefix("http://") in site["error"]  # names the site
    assert secret.hits == 0  # no redirect was followed
    assert seconds < PROBE + 1 + SLACK
    assert growth <= MAX_GROWTH_KB


@pytest.mark.parametrize(
    "mode",
    ["huge", "endless", "trickle", "silent", "cut", "deep_json", "redirect_away", "redirect_loop"],
)
def test_a_hostile_mesh_directory_is_a_clear_gateway_error(meshed, hostile, secret, mode):
    status, body, seconds, growth = _case(
        meshed, hostile, mode, "GET", "cs3/api/mesh/sites", part="directory_mode"
    )
    assert status in (502, 504), body
    error = json.loads(body)
    assert "mesh directory" in error["message"]
    assert hostile.url.removeprefix("http://") in error["message"]
    assert secret.hits == 0
    assert seconds < PROBE + SLACK
    assert growth <= MAX_GROWTH_KB
