"""No input makes the sharing API answer 500, and a bad one never reaches a site.

Each case is sent to a real Jupyter server over HTTP exactly as a hostile or buggy client
would send it; the answer must be a 400 (or 404 for an id) with a reason, no traceback,
and, where it matters, the user's site must not have seen a request at all (mesh.stats).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def vic(mesh: Any, jupyter_for: Any) -> Any:
    info = mesh.add_user("a", f"vic-{secrets.token_hex(3)}")
    server = jupyter_for("a", info)
    made = server.request("PUT", "api/contents/vics-folder", json={"type": "directory"})
    assert made.status_code == 201, made.text
    return server


def answer(server: Any, method: str, path: str, status: int, reason: str, **kwargs: Any) -> str:
    response = server.api(method, path, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["reason"] == reason, body
    assert body["message"]
    assert "Traceback" not in response.text
    return str(body["message"])


def raw(body: str | bytes) -> dict[str, Any]:
    """Request kwargs that send exactly these bytes as a JSON body."""
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    return {"data": data, "headers": JSON}


def share(**fields: Any) -> dict[str, Any]:
    return {"path": "vics-folder", "type": "link", "permission": "view", **fields}


@pytest.mark.parametrize(
    "body",
    [
        # A lone surrogate is valid JSON but not text: requests cannot send it on.
        raw('{"path": "vics-folder\\ud800", "type": "link", "permission": "view"}'),
        raw('{"path": "vics-folder", "type": "link", "permission": "view", "note": "\\udfff"}'),
        raw("[" * 200_000 + "]" * 200_000),  # nested far beyond any parser's recursion limit
        raw(b'{"path": "\xff\xfe", "type": "link"}'),  # not UTF-8
        raw(
            '{"path": "vics-folder", "type": "link", "permission": "view", "note": "'
            + "x" * 70_000
            + '"}'
        ),  # larger than any sharing body needs
        {"json": share(note="x" * 10_001)},
        {"json": share(path=5)},
        {"json": share(path=["vics-folder"])},
        {"json": share(permission=1)},
        {"json": share(type=None)},
        {"json": share(expiration=20991231)},
        {"json": share(expiration="2099-02-30")},
        {"json": share(password={"a": 1})},
        {"json": share(password="x" * 513)},
        {"json": share(note=None, recipient=7, type="user")},
        {"json": share(type="federated", recipient="bob@" + "b" * 600)},
        {"json": share(path="vics-folder\tx")},
        {"json": share(path="n" * 255)},  # no site keeps a name of 255 bytes or more
        {"json": {"path": "vics-folder", "type": "link", "permission": "view", "x" * 100: 1}},
    ],
)
def test_bad_share_bodies_are_400_and_never_500(vic: Any, body: dict[str, Any]) -> None:
    answer(vic, "POST", "/shares", 400, "bad_request", **body)


@pytest.mark.parametrize("path", ["../../uploads/alice", "vics-folder/../../x", "..", "a/../b"])
def test_a_path_that_leaves_my_files_is_refused_before_any_site_hears_of_it(
    vic: Any, mesh: Any, path: str
) -> None:
    mesh.reset_stats("a")
    message = answer(vic, "POST", "/shares", 400, "bad_request", json=share(path=path))
    assert ".." in message
    assert mesh.stats("a").get("total", 0) == 0
    answer(vic, "GET", "/shares", 400, "bad_request", params={"path": path})
    assert mesh.stats("a").get("total", 0) == 0


@pytest.mark.parametrize(
    "body",
    [
        raw('{"note": "\\ud83d"}'),
        raw("{" * 100_000),
        {"json": {"note": ["a list"]}},
        {"json": {"permission": True}},
        {"json": {"expiration": 5}},
        {"json": {"password": 5}},
        {"json": ["note"]},
    ],
)
def test_bad_updates_are_400(vic: Any, body: dict[str, Any]) -> None:
    link = vic.ok("POST", "/shares", 201, json=share(note=f"n-{secrets.token_hex(3)}"))
    answer(vic, "PATCH", f"/shares/{link['id']}", 400, "bad_request", **body)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/invitations", {"json": {"description": 5}}),
        ("POST", "/invitations", {"json": {"description": "d" * 1001}}),
        ("POST", "/invitations", raw('{"description": "\\udc00"}')),
        ("POST", "/invitations/accept", {"json": {"token": 5}}),
        ("POST", "/invitations/accept", {"json": {"token": "t" * 4097, "site": "x"}}),
        ("POST", "/invitations/accept", {"json": {"token": "abc", "site": ["x"]}}),
        ("POST", "/invitations/accept", {"json": {"token": "abc\n", "site": "x"}}),
        ("POST", "/invitations/accept", raw("[" * 50_000)),
    ],
)
def test_bad_invitation_bodies_are_400(vic: Any, method: str, path: str, body: Any) -> None:
    answer(vic, method, path, 400, "bad_request", **body)


def test_bad_queries_are_400(vic: Any) -> None:
    answer(vic, "GET", "/recipients", 400, "bad_request", params={"q": "x" * 257})
    # A lone surrogate, percent-encoded: Tornado itself refuses it (its own 400, no reason).
    surrogate = vic.api("GET", "/recipients?q=%ED%A0%80bob")
    assert surrogate.status_code == 400, surrogate.text
    assert "Traceback" not in surrogate.text
    answer(vic, "GET", "/shares", 400, "bad_request", params={"path": "n" * 5000})
    answer(vic, "GET", "/received", 400, "bad_request", params={"state": "x" * 10_000})


def test_ids_that_cannot_exist_are_404(vic: Any) -> None:
    long_id = "9" * 300
    answer(vic, "PATCH", f"/shares/{long_id}", 404, "not_found", json={"note": "n"})
    answer(vic, "DELETE", f"/shares/{long_id}", 404, "not_found")
    answer(vic, "POST", f"/received/local-{long_id}/accept", 404, "not_found")
    answer(vic, "POST", "/received/local-%01/decline", 404, "not_found")
    answer(vic, "DELETE", f"/contacts/{'s' * 300}/bob", 404, "not_found")


def test_a_refused_input_changes_nothing_and_a_good_one_still_works(vic: Any) -> None:
    before = vic.ok("GET", "/shares", params={"path": "vics-folder"})
    answer(vic, "POST", "/shares", 400, "bad_request", **raw('{"path": "vics-folder\\ud800"}'))
    assert vic.ok("GET", "/shares", params={"path": "vics-folder"}) == before
    made = vic.ok("POST", "/shares", 201, json=share(note="über ✓ 日本"))
    assert made["note"] == "über ✓ 日本"
    assert json.dumps(made)


def test_a_name_the_site_refuses_is_not_a_site_failure(vic: Any) -> None:
    # 251..254 bytes pass our bound; the local mesh (like Nextcloud) keeps no such name.
    response = vic.api("POST", "/shares", json=share(path="n" * 252))
    assert response.status_code in (400, 404), response.text
    assert response.json()["reason"] in ("bad_request", "cannot_share_path")
