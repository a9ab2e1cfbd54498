"""Every way sharing can fail gets a status and a message a researcher can act on.

Erin's Jupyter server knows two extra "mesh sites" besides the directory's: one where
nothing listens (unreachable) and one that is a real HTTP server without OCM (Bob's
Jupyter server), so those errors come from real network behaviour, not from mocks.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from typing import Any

import pytest
from cs3_localmesh.users import UserInfo


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Erin:
    def __init__(self, server: Any, dead_host: str, no_ocm_host: str, folder: str) -> None:
        self.server = server
        self.dead_host = dead_host
        self.no_ocm_host = no_ocm_host
        self.folder = folder


@pytest.fixture(scope="module")
def erin(people: Any, jupyter_for: Any, mesh: Any) -> Erin:
    dead = f"127.0.0.1:{closed_port()}"
    no_ocm = people.bob.url.rstrip("/")
    info = mesh.add_user("a", f"erin-{secrets.token_hex(3)}")
    server = jupyter_for("a", info, extra_env={"CS3_MESH_SITES": f"http://{dead},{no_ocm}"})
    folder = "erins-folder"
    made = server.request("PUT", f"api/contents/{folder}", json={"type": "directory"})
    assert made.status_code == 201
    return Erin(server, dead, no_ocm.split("://", 1)[1], folder)


def refused(server: Any, method: str, path: str, status: int, reason: str, **kwargs: Any) -> str:
    """Assert the error shape and return the message."""
    response = server.api(method, path, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["reason"] == reason
    assert body["message"]
    assert "Traceback" not in response.text
    return body["message"]


def share(erin: Erin, **fields: Any) -> dict[str, Any]:
    return {"path": erin.folder, "permission": "view", **fields}


def test_unknown_local_user_and_group(erin: Erin) -> None:
    message = refused(
        erin.server,
        "POST",
        "/shares",
        404,
        "unknown_recipient",
        json=share(erin, type="user", recipient="nobody-here"),
    )
    assert "nobody-here" in message
    refused(
        erin.server,
        "POST",
        "/shares",
        404,
        "unknown_recipient",
        json=share(erin, type="group", recipient="no-such-group"),
    )


def test_unknown_user_at_another_site(erin: Erin, people: Any) -> None:
    refused(
        erin.server,
        "POST",
        "/shares",
        404,
        "unknown_recipient",
        json=share(erin, type="federated", recipient=f"nobody@{people.b_host}"),
    )


def test_site_not_in_the_mesh(erin: Erin) -> None:
    message = refused(
        erin.server,
        "POST",
        "/shares",
        404,
        "site_not_in_mesh",
        json=share(erin, type="federated", recipient="bob@cloud.elsewhere.example"),
    )
    assert "cloud.elsewhere.example" in message


def test_unreachable_site(erin: Erin) -> None:
    message = refused(
        erin.server,
        "POST",
        "/shares",
        502,
        "site_unreachable",
        json=share(erin, type="federated", recipient=f"bob@{erin.dead_host}"),
    )
    assert erin.dead_host in message
    refused(
        erin.server,
        "GET",
        "/recipients",
        502,
        "site_unreachable",
        params={"q": f"bob@{erin.dead_host}"},
    )
    sites = {s["domain"]: s for s in erin.server.ok("GET", "/mesh/sites")}
    assert sites[erin.dead_host]["reachable"] is False
    assert sites[erin.dead_host]["error"]


def test_site_without_ocm(erin: Erin) -> None:
    refused(
        erin.server,
        "POST",
        "/shares",
        502,
        "site_without_ocm",
        json=share(erin, type="federated", recipient=f"bob@{erin.no_ocm_host}"),
    )
    sites = {s["domain"]: s for s in erin.server.ok("GET", "/mesh/sites")}
    assert sites[erin.no_ocm_host]["reachable"] is True
    assert sites[erin.no_ocm_host]["ocm_version"] is None
    assert "Open Cloud Mesh" in sites[erin.no_ocm_host]["error"]


def test_paths_that_cannot_be_shared(erin: Erin) -> None:
    refused(
        erin.server,
        "POST",
        "/shares",
        404,
        "cannot_share_path",
        json={"path": "no/such/thing.ipynb", "type": "link", "permission": "view"},
    )
    refused(
        erin.server,
        "POST",
        "/shares",
        403,
        "cannot_share_path",
        json={"path": "/", "type": "link", "permission": "view"},
    )
    refused(erin.server, "GET", "/shares", 404, "not_found", params={"path": "no/such/folder"})


@pytest.mark.parametrize(
    "body",
    [
        {"type": "link", "permission": "view"},  # no path
        {"path": "erins-folder", "type": "link", "permission": "admin"},
        {"path": "erins-folder", "type": "email", "permission": "view"},
        {"path": "erins-folder", "type": "user", "permission": "view"},  # no recipient
        {"path": "erins-folder", "type": "link", "permission": "view", "expiration": "2001-01-01"},
        {"path": "erins-folder", "type": "link", "permission": "view", "expiration": "soon"},
        {
            "path": "erins-folder",
            "type": "user",
            "recipient": "x",
            "permission": "view",
            "password": "only-for-links",
        },
        {"path": "erins-folder", "type": "link", "permission": "view", "colour": "red"},
        {
            "path": "erins-folder",
            "type": "federated",
            "recipient": "no-at-sign",
            "permission": "view",
        },
        ["not", "an", "object"],
    ],
)
def test_bad_share_requests_are_400(erin: Erin, body: Any) -> None:
    refused(erin.server, "POST", "/shares", 400, "bad_request", json=body)


def test_body_that_is_not_json_is_400(erin: Erin) -> None:
    refused(erin.server, "POST", "/shares", 400, "bad_request", data="{not json")


def test_unknown_or_foreign_share_ids_are_404(erin: Erin, people: Any) -> None:
    folder = f"alices-{secrets.token_hex(3)}"
    made = people.alice.request("PUT", f"api/contents/{folder}", json={"type": "directory"})
    assert made.status_code == 201
    alices = people.alice.ok(
        "POST", "/shares", 201, json={"path": folder, "type": "link", "permission": "view"}
    )
    for share_id in ("999999", "not-a-number", alices["id"]):
        refused(
            erin.server, "PATCH", f"/shares/{share_id}", 404, "not_found", json={"note": "mine now"}
        )
        refused(erin.server, "DELETE", f"/shares/{share_id}", 404, "not_found")
    assert people.alice.ok("GET", "/shares", params={"path": folder})[0]["note"] == ""
    refused(erin.server, "PATCH", f"/shares/{alices['id']}", 400, "bad_request", json={})


def test_unknown_received_ids_and_states(erin: Erin) -> None:
    for received_id in ("bogus", "federated-999999", "local-999999"):
        refused(erin.server, "POST", f"/received/{received_id}/accept", 404, "not_found")
    refused(erin.server, "POST", "/received/federated-999999/decline", 404, "not_found")
    refused(erin.server, "GET", "/received", 400, "bad_request", params={"state": "later"})
    refused(erin.server, "GET", "/recipients", 400, "bad_request", params={"q": "  "})


def test_site_failing_is_502_naming_the_site(erin: Erin, mesh: Any) -> None:
    mesh.set_fault("a", "status", code=503, prefix="/ocs/")
    try:
        message = refused(erin.server, "GET", "/shares", 502, "site_error")
    finally:
        mesh.clear_faults("a")
    assert mesh.site("a").host in message
    erin.server.ok("GET", "/shares")


def test_refused_site_login_is_401(mesh: Any, jupyter_for: Any) -> None:
    real = mesh.add_user("a", f"frank-{secrets.token_hex(3)}")
    wrong = UserInfo(user=real.user, password="not-the-password", app_password="", token="")
    server = jupyter_for("a", wrong)
    message = refused(server, "GET", "/whoami", 401, "site_auth_failed")
    assert "not-the-password" not in message


def test_site_without_sciencemesh_still_finds_local_people(erin: Erin, mesh: Any, people: Any):
    # Plain Nextcloud has no /sciencemesh API: invitations are unavailable, search still works.
    mesh.set_fault("a", "status", code=404, prefix="/sciencemesh")
    try:
        refused(erin.server, "GET", "/contacts", 501, "not_supported")
        refused(erin.server, "POST", "/invitations", 501, "not_supported", json={})
        found = erin.server.ok("GET", "/recipients", params={"q": people.infos["carol"].user})
    finally:
        mesh.clear_faults("a")
    assert [r["id"] for r in found] == [people.infos["carol"].user]


def test_a_slow_site_does_not_block_the_server(erin: Erin, mesh: Any) -> None:
    # While one sharing request waits for a slow site, the same server keeps answering others:
    # site I/O runs in worker threads, never on Jupyter's event loop.
    mesh.set_fault("a", "delay", seconds=3, prefix="/ocs/")
    mesh.reset_stats("a")
    slow: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: slow.update(r=erin.server.api("GET", "/shares")))
    try:
        worker.start()
        while mesh.stats("a").get("GET", 0) == 0 and worker.is_alive():
            time.sleep(0.02)  # until the slow request has reached the site
        assert erin.server.ok("GET", "/version")["site_configured"] is True
        assert worker.is_alive(), "the slow request finished first: the loop may have waited"
    finally:
        worker.join(30)
        mesh.clear_faults("a")
    assert slow["r"].status_code == 200


def test_a_bad_update_changes_nothing(erin: Erin) -> None:
    link = erin.server.ok(
        "POST", "/shares", 201, json={"path": erin.folder, "type": "link", "permission": "view"}
    )
    refused(
        erin.server,
        "PATCH",
        f"/shares/{link['id']}",
        400,
        "bad_request",
        json={"permission": "edit", "note": "new", "expiration": "not-a-date"},
    )
    (after,) = [s for s in erin.server.ok("GET", "/shares") if s["id"] == link["id"]]
    assert (after["permission"], after["note"], after["expiration"]) == ("view", "", None)
