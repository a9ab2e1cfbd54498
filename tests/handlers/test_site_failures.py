"""When a site is down, nothing vanishes without a word (issue "the panel, round 2").

Real sites of the local mesh answer 503 (``mesh.set_fault``) while real Jupyter servers are
asked what their panel asks: the user's own site failing is an error naming it (never an
empty list), another site failing keeps its shares listed with the reason, a site that fails
is never said to lack OCM, and the site list shows the state of now.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import requests

RESOURCES = ("/received", "/shares", "/contacts", "/whoami")


@dataclass
class Pair:
    ada: Any  # Jupyter server of ada at site a
    ben: Any  # Jupyter server of ben at site b
    ada_user: str
    ben_user: str
    b_host: str


@pytest.fixture(scope="module")
def pair(mesh: Any, jupyter_for: Any) -> Pair:
    tag = secrets.token_hex(3)
    ada = mesh.add_user("a", f"ada-{tag}", display_name="Ada A")
    ben = mesh.add_user("b", f"ben-{tag}", display_name="Ben B")
    return Pair(
        jupyter_for("a", ada), jupyter_for("b", ben), ada.user, ben.user, mesh.site("b").host
    )


@contextmanager
def site_down(mesh: Any, site: str, code: int = 503) -> Iterator[None]:
    mesh.set_fault(site, "status", code=code)
    try:
        yield
    finally:
        mesh.clear_faults(site)


def refused(server: Any, path: str, status: int, reason: str) -> str:
    response = server.api("GET", path)
    assert response.status_code == status, response.text
    assert response.json()["reason"] == reason
    return str(response.json()["message"])


def test_my_own_site_down_is_an_error_naming_it_never_an_empty_list(mesh: Any, pair: Pair) -> None:
    for path in RESOURCES:
        pair.ben.ok("GET", path)
    with site_down(mesh, "b"):
        messages = {path: refused(pair.ben, path, 502, "site_error") for path in RESOURCES}
    for path, message in messages.items():
        assert pair.b_host in message, (path, message)
        assert "503" in message, (path, message)
    assert "contacts" in messages["/contacts"]
    assert "invitation" not in messages["/contacts"]
    for path in RESOURCES:
        pair.ben.ok("GET", path)


def test_a_site_that_fails_is_down_not_without_ocm_and_never_stale_green(
    mesh: Any, pair: Pair
) -> None:
    before = {s["domain"]: s for s in pair.ada.ok("GET", "/mesh/sites")}
    assert before[pair.b_host]["reachable"] is True
    with site_down(mesh, "b"):
        during = {s["domain"]: s for s in pair.ada.ok("GET", "/mesh/sites")}
    after = {s["domain"]: s for s in pair.ada.ok("GET", "/mesh/sites")}
    b = during[pair.b_host]
    assert b["reachable"] is False  # at once, not after a cache expires
    assert "503" in b["error"] and "Open Cloud Mesh" not in b["error"]
    assert b["checked_at"] >= before[pair.b_host]["checked_at"]
    assert during[mesh.site("a").host]["reachable"] is True
    assert after[pair.b_host]["reachable"] is True


def test_a_share_whose_owners_site_is_down_stays_listed_with_the_reason(
    mesh: Any, pair: Pair, new_user: Any
) -> None:
    # Dave at site b shares a folder with ada at site a, straight through b's OCS API.
    dave = new_user("b", display_name="Dave D")
    b = requests.Session()
    b.auth = (dave.user, dave.password)
    dav = f"{mesh.site('b').url}/remote.php/dav/files/{dave.user}"
    assert b.request("MKCOL", f"{dav}/Climate data", timeout=30).status_code == 201
    assert b.put(f"{dav}/Climate data/t.csv", data=b"t\n1\n", timeout=30).status_code == 201
    shared = b.post(
        f"{mesh.site('b').url}/ocs/v2.php/apps/files_sharing/api/v1/shares",
        params={"format": "json"},
        headers={"OCS-APIRequest": "true"},
        data={
            "path": "/Climate data",
            "shareType": 6,
            "shareWith": f"{pair.ada_user}@{mesh.site('a').url}",
        },
        timeout=30,
    )
    assert shared.status_code == 200, shared.text
    (pending,) = [r for r in pair.ada.ok("GET", "/received") if r["name"] == "Climate data"]
    accepted = pair.ada.ok("POST", f"/received/{pending['id']}/accept")
    assert accepted["problem"] is None

    with site_down(mesh, "b"):
        listed = pair.ada.ok("GET", "/received")
    (row,) = [r for r in listed if r["id"] == pending["id"]]
    assert row["state"] == "accepted" and row["path"] == accepted["path"]
    assert row["problem"]["reason"] == "owner_site_unreachable"
    assert pair.b_host in row["problem"]["message"] and "503" in row["problem"]["message"]
    # Shares from sites that answer are not flagged.
    assert all(r["problem"] is None for r in listed if r["owner"]["site"] != pair.b_host)

    (row,) = [r for r in pair.ada.ok("GET", "/received") if r["id"] == pending["id"]]
    assert row["problem"] is None
