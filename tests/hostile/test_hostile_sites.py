"""Real Jupyter servers against a hostile site (``hostile_site.py``): every misbehaviour gets a
clear 502/504 within its deadline, costs the server at most 64 MB, shows no secret and no
traceback, and never a 500.

Two servers, as a hub would start them: ``efss`` has the hostile site as its own EFSS
(contents API and OCS), ``meshed`` a healthy local-mesh site and hostile mesh sites (discovery,
directory). Short deadlines keep the run short: 2 s per read, 6 s per call, 3 s per probe.
Memory is the server process's own (``VmHWM`` after clearing it, minus ``VmRSS`` before).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_site import HostileSite, secret_server
from site_server import SiteServer, start_server

PASSWORD = "hostile-secret-pw"
TIMEOUT, DEADLINE, PROBE = 2, 6, 3
ENV = {
    "CS3_TIMEOUT": str(TIMEOUT),
    "CS3_REQUEST_DEADLINE": str(DEADLINE),
    "CS3_PROBE_DEADLINE": str(PROBE),
}
MAX_GROWTH_KB = 64 * 1024
#: Results for the report printed at the end: (case, status, seconds, growth MB).
MEASURED: list[tuple[str, int, float, float]] = []


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileSite]:
    secret, secret_url = secret_server()
    site = HostileSite(secret_url).start()
    yield site
    site.stop()
    secret.shutdown()
    secret.server_close()
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
        extra_env={**ENV, "CS3_MESH_SITES": ",".join(f"{hostile.url}/s{n}" for n in range(8))},
    )
    assert server.call("GET", "cs3/api/shares").status_code == 200
    yield server
    server.stop()


def _case(
    server: SiteServer, hostile: HostileSite, mode: str, method: str, path: str
) -> tuple[int, str, float, int]:
    """Run one call in ``mode``: (status, body, seconds, memory growth in kB)."""
    pid = server.process.pid
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    before = server.memory_kb()["VmRSS"]
    log_start = len(server.log_text())
    hostile.mode = mode
    started = time.monotonic()
    try:
        answer = server.call(method, path)
    finally:
        hostile.mode = "ok"
    seconds = time.monotonic() - started
    growth = server.memory_kb()["VmHWM"] - before
    log = server.log_text()[log_start:]
    assert "Traceback" not in log and "Unhandled" not in log, log[-3000:]
    assert PASSWORD not in log and PASSWORD not in answer.text
    assert "SECRET-REFLECTED" not in answer.text
    MEASURED.append(
        (f"{mode} {method} {path.split('?')[0]}", answer.status_code, seconds, growth / 1024)
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


@pytest.mark.parametrize(
    "mode",
    ["huge", "endless", "trickle", "silent", "cut", "deep_json", "redirect_away", "redirect_loop"],
)
def test_hostile_mesh_sites_cannot_stall_or_fill_the_site_list(meshed, hostile, mode):
    status, body, seconds, growth = _case(meshed, hostile, mode, "GET", "cs3/api/mesh/sites")
    assert status == 200, body
    sites = {s["url"]: s for s in __import__("json").loads(body)}
    hostile_sites = [s for url, s in sites.items() if url.startswith(hostile.url)]
    assert len(hostile_sites) == 8
    assert all(not s["ocm_version"] and s.get("error") for s in hostile_sites)
    # Directory (one probe) then all sites in parallel (one probe deadline), plus slack.
    assert seconds < 2 * PROBE + 4
    assert growth <= MAX_GROWTH_KB
