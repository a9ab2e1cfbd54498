"""What the sender writes arrives, links open, repeats make one share, errors say what is wrong.

Alice and Carol (site a) and Bob (site b) through their own Jupyter servers (``people``);
the links are opened the way a browser opens them.
"""

from __future__ import annotations

import datetime
import secrets
import socket
from typing import Any

import requests


def folder(server: Any) -> str:
    name = f"round2-{secrets.token_hex(3)}"
    made = server.request("PUT", f"api/contents/{name}", json={"type": "directory"})
    assert made.status_code == 201, made.text
    return name


def refused(server: Any, method: str, path: str, status: int, reason: str, **kw: Any) -> str:
    response = server.api(method, path, **kw)
    assert response.status_code == status, response.text
    assert response.json()["reason"] == reason
    return str(response.json()["message"])


def test_the_senders_note_expiry_and_share_date_reach_the_recipient(people: Any) -> None:
    name = folder(people.alice)
    soon = (datetime.date.today() + datetime.timedelta(days=9)).isoformat()
    started = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)
    people.alice.ok(
        "POST",
        "/shares",
        201,
        json={
            "path": name,
            "type": "user",
            "recipient": people.infos["carol"].user,
            "permission": "view",
            "note": "Start with cell 3",
            "expiration": soon,
        },
    )
    (got,) = [r for r in people.carol.ok("GET", "/received") if r["name"] == name]
    assert got["note"] == "Start with cell 3"
    assert got["expiration"] == soon
    created = datetime.datetime.fromisoformat(got["created"])
    assert started <= created <= datetime.datetime.now(datetime.timezone.utc)
    assert got["problem"] is None


def test_federated_shares_say_null_where_the_site_cannot_tell(people: Any) -> None:
    name = folder(people.alice)
    bob_id = f"{people.infos['bob'].user}@{people.b_host}"
    people.alice.ok(
        "POST",
        "/shares",
        201,
        json={"path": name, "type": "federated", "recipient": bob_id, "permission": "view"},
    )
    (pending,) = [r for r in people.bob.ok("GET", "/received") if r["name"] == name]
    accepted = people.bob.ok("POST", f"/received/{pending['id']}/accept")
    # Nextcloud's remote shares carry no note, expiry or share date; the file's mtime is not
    # passed off as the date it was shared.
    for row in (pending, accepted):
        assert (row["note"], row["expiration"], row["created"]) == (None, None, None)


def test_a_double_click_makes_one_share(people: Any) -> None:
    name = folder(people.alice)
    carol = people.infos["carol"].user
    body = {"path": name, "type": "user", "recipient": carol, "permission": "view"}
    first = people.alice.ok("POST", "/shares", 201, json=body)
    again = people.alice.ok("POST", "/shares", 200, json=body)
    assert again["id"] == first["id"]
    message = refused(
        people.alice, "POST", "/shares", 409, "already_shared", json={**body, "permission": "edit"}
    )
    assert carol in message

    bob_id = f"{people.infos['bob'].user}@{people.b_host}"
    fed = {"path": name, "type": "federated", "recipient": bob_id, "permission": "view"}
    assert (
        people.alice.ok("POST", "/shares", 201, json=fed)["id"]
        == people.alice.ok("POST", "/shares", 200, json=fed)["id"]
    )

    link = {"path": name, "type": "link", "permission": "view"}
    made = people.alice.ok("POST", "/shares", 201, json=link)
    assert people.alice.ok("POST", "/shares", 200, json=link)["id"] == made["id"]
    with_password = {**link, "password": f"pw-{secrets.token_hex(8)}"}
    people.alice.secrets.append(with_password["password"])
    people.alice.ok("POST", "/shares", 201, json=with_password)
    listed = people.alice.ok("GET", "/shares", params={"path": name})
    assert sorted(s["type"] for s in listed) == ["federated", "link", "link", "user"]


def test_a_weak_link_password_is_refused_with_the_sites_reason(people: Any) -> None:
    name = folder(people.alice)
    policy = people.alice.ok("GET", "/whoami")["link_policy"]
    assert policy["password_min_length"] == 10
    message = refused(
        people.alice,
        "POST",
        "/shares",
        400,
        "password_rejected",
        json={"path": name, "type": "link", "permission": "view", "password": "abc"},
    )
    assert "at least 10 characters" in message
    assert people.alice.ok("GET", "/shares", params={"path": name}) == []


def test_a_links_url_opens_in_a_browser(people: Any) -> None:
    name = folder(people.alice)
    saved = people.alice.request(
        "PUT",
        f"api/contents/{name}/notes.txt",
        json={"type": "file", "format": "text", "content": "hi"},
    )
    assert saved.status_code == 201
    link = people.alice.ok(
        "POST",
        "/shares",
        201,
        json={"path": f"{name}/notes.txt", "type": "link", "permission": "view"},
    )
    page = requests.get(link["url"], timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "notes.txt" in page.text
    download = requests.get(link["url"] + "/download", timeout=30)
    assert download.content == b"hi"


def test_an_invitation_link_opens_a_page_not_json(people: Any) -> None:
    invitation = people.alice.ok("POST", "/invitations", 201, json={})
    page = requests.get(invitation["link"], timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert invitation["token"] in page.text


def test_a_site_outside_the_mesh_is_named_as_such(people: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        outside = f"127.0.0.1:{sock.getsockname()[1]}"
    message = refused(
        people.alice, "GET", "/recipients", 404, "site_not_in_mesh", params={"q": f"bob@{outside}"}
    )
    assert outside in message and "No one" not in message
    name = folder(people.alice)
    refused(
        people.alice,
        "POST",
        "/shares",
        404,
        "site_not_in_mesh",
        json={
            "path": name,
            "type": "federated",
            "recipient": f"bob@{outside}",
            "permission": "view",
        },
    )


def test_a_local_user_id_with_an_at_sign_is_found_not_an_error(mesh: Any, people: Any) -> None:
    local = mesh.add_user("a", f"eve-{secrets.token_hex(3)}@lab.example")
    found = people.alice.ok("GET", "/recipients", params={"q": local.user})
    assert [(r["id"], r["source"], r["verified"]) for r in found] == [(local.user, "local", True)]
