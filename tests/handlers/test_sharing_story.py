"""Sharing across the mesh, end to end, the way researchers do it.

Alice (site a) and Bob (site b) each have their own Jupyter server configured for their own
site, like two single-user servers of two institutions' hubs. Everything goes through our
REST API and Jupyter's contents API; the two sites are real local-mesh sites, and site a
really sends the share to site b over OCM.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import nbformat
import requests


def notebook(text: str) -> dict[str, Any]:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    return json.loads(nbformat.writes(nb))


def make_folder_with_notebook(server: Any, text: str) -> str:
    """A fresh folder holding ``analysis.ipynb``, created through the server's contents API."""
    folder = f"proj-{secrets.token_hex(3)}"
    made = server.request("PUT", f"api/contents/{folder}", json={"type": "directory"})
    assert made.status_code == 201, (made.status_code, made.text)
    save_notebook(server, f"{folder}/analysis.ipynb", text, expect=201)
    return folder


def save_notebook(server: Any, path: str, text: str, expect: int = 200) -> requests.Response:
    response = server.request(
        "PUT",
        f"api/contents/{path}",
        json={"type": "notebook", "format": "json", "content": notebook(text)},
    )
    assert response.status_code == expect, (response.status_code, response.text)
    return response


def read_markdown(server: Any, path: str) -> str:
    response = server.request("GET", f"api/contents/{path}", params={"content": "1"})
    assert response.status_code == 200, (response.status_code, response.text)
    return response.json()["content"]["cells"][0]["source"]


def share_with_bob(people: Any, folder: str, permission: str) -> dict[str, Any]:
    bob_id = f"{people.infos['bob'].user}@{people.b_host}"
    return people.alice.ok(
        "POST",
        "/shares",
        201,
        json={"path": folder, "type": "federated", "recipient": bob_id, "permission": permission},
    )


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items]


def pending_for_bob(people: Any, name: str) -> dict[str, Any]:
    pending = people.bob.ok("GET", "/received", params={"state": "pending"})
    (item,) = [p for p in pending if p["name"] == name]
    return item


def test_federated_edit_share_full_story(people: Any) -> None:
    alice, bob = people.alice, people.bob
    folder = make_folder_with_notebook(alice, "alice wrote this")

    share = share_with_bob(people, folder, "edit")
    assert share["type"] == "federated"
    assert share["permission"] == "edit"
    assert share["item_type"] == "directory"
    assert share["recipient"]["id"] == people.infos["bob"].user
    assert share["recipient"]["site"] == people.b_host
    assert [s["id"] for s in alice.ok("GET", "/shares", params={"path": folder})] == [share["id"]]

    item = pending_for_bob(people, folder)
    assert item["state"] == "pending"
    assert item["kind"] == "federated"
    assert item["path"] is None
    assert item["permission"] is None  # Nextcloud says it only once accepted: never guess
    assert item["owner"]["id"] == people.infos["alice"].user

    accepted = bob.ok("POST", f"/received/{item['id']}/accept")
    assert accepted["state"] == "accepted"
    assert accepted["permission"] == "edit"
    assert accepted["item_type"] == "directory"
    mount = accepted["path"]
    assert mount
    assert item["id"] in ids(bob.ok("GET", "/received", params={"state": "accepted"}))
    assert item["id"] not in ids(bob.ok("GET", "/received", params={"state": "pending"}))

    # Bob opens and saves the notebook through *his* contents manager, on *his* site.
    assert read_markdown(bob, f"{mount}/analysis.ipynb") == "alice wrote this"
    save_notebook(bob, f"{mount}/analysis.ipynb", "bob edited this")
    assert read_markdown(alice, f"{folder}/analysis.ipynb") == "bob edited this"

    assert item["id"] in ids(bob.ok("GET", "/received"))  # bob's panel polls its list
    alice.ok("DELETE", f"/shares/{share['id']}", 204)
    assert alice.ok("GET", "/shares", params={"path": folder}) == []
    gone = bob.request("GET", f"api/contents/{mount}")
    assert gone.status_code == 404
    # The share does not vanish from bob's list without a word: it says it was revoked,
    # until bob dismisses it.
    (revoked,) = [r for r in bob.ok("GET", "/received") if r["id"] == item["id"]]
    assert (revoked["state"], revoked["path"]) == ("revoked", None)
    assert revoked["problem"]["reason"] == "revoked"
    assert folder in revoked["problem"]["message"]
    assert item["id"] in ids(bob.ok("GET", "/received", params={"state": "revoked"}))
    bob.ok("POST", f"/received/{item['id']}/decline", 204)
    assert item["id"] not in ids(bob.ok("GET", "/received"))


def test_declined_share_disappears_on_both_sides(people: Any) -> None:
    folder = make_folder_with_notebook(people.alice, "not for bob after all")
    share_with_bob(people, folder, "view")
    item = pending_for_bob(people, folder)

    people.bob.ok("POST", f"/received/{item['id']}/decline", 204)

    assert all(r["name"] != folder for r in people.bob.ok("GET", "/received"))
    assert people.alice.ok("GET", "/shares", params={"path": folder}) == []


def test_read_only_share_refuses_bobs_save(people: Any) -> None:
    folder = make_folder_with_notebook(people.alice, "read me only")
    share = share_with_bob(people, folder, "view")
    assert share["permission"] == "view"
    accepted = people.bob.ok("POST", f"/received/{pending_for_bob(people, folder)['id']}/accept")
    assert accepted["permission"] == "view"
    path = f"{accepted['path']}/analysis.ipynb"

    assert read_markdown(people.bob, path) == "read me only"
    refused = save_notebook(people.bob, path, "bob tries anyway", expect=403)
    assert refused.json()["message"]
    assert read_markdown(people.alice, f"{folder}/analysis.ipynb") == "read me only"


def test_upgrading_a_share_to_edit_lets_bob_save(people: Any) -> None:
    folder = make_folder_with_notebook(people.alice, "first view, then edit")
    share = share_with_bob(people, folder, "view")
    accepted = people.bob.ok("POST", f"/received/{pending_for_bob(people, folder)['id']}/accept")

    updated = people.alice.ok("PATCH", f"/shares/{share['id']}", json={"permission": "edit"})

    assert updated["permission"] == "edit"
    save_notebook(people.bob, f"{accepted['path']}/analysis.ipynb", "now bob may")
    assert read_markdown(people.alice, f"{folder}/analysis.ipynb") == "now bob may"


def test_public_link_with_password(mesh, people: Any) -> None:
    folder = make_folder_with_notebook(people.alice, "for everyone with the password")
    password = f"pw-{secrets.token_hex(6)}"
    people.alice.secrets.append(password)

    link = people.alice.ok(
        "POST",
        "/shares",
        201,
        json={
            "path": f"{folder}/analysis.ipynb",
            "type": "link",
            "permission": "view",
            "password": password,
            "note": "see cell 1",
            "expiration": "2099-12-31",
        },
    )

    assert link["type"] == "link"
    assert link["recipient"] is None
    assert link["has_password"] is True
    assert link["note"] == "see cell 1"
    assert link["expiration"] == "2099-12-31"
    token = link["url"].rstrip("/").rsplit("/", 1)[-1]
    public = f"{mesh.site('a').url}/public.php/dav/files/{token}/"
    assert requests.get(public, timeout=30).status_code == 401
    assert requests.get(public, auth=("anyone", "wrong"), timeout=30).status_code == 401
    opened = requests.get(public, auth=("anyone", password), timeout=30)
    assert opened.status_code == 200
    assert "for everyone with the password" in opened.text

    # Dropping the password opens the link to anyone who has it.
    changed = people.alice.ok("PATCH", f"/shares/{link['id']}", json={"password": ""})
    assert changed["has_password"] is False
    assert requests.get(public, timeout=30).status_code == 200


def test_group_share_reaches_every_member_at_the_site(people: Any) -> None:
    folder = make_folder_with_notebook(people.alice, "for the team")

    share = people.alice.ok(
        "POST",
        "/shares",
        201,
        json={"path": folder, "type": "group", "recipient": people.group, "permission": "edit"},
    )

    assert share["type"] == "group"
    assert share["recipient"]["id"] == people.group
    (received,) = [r for r in people.carol.ok("GET", "/received") if r["name"] == folder]
    assert received["kind"] == "local"
    assert received["state"] == "accepted"
    assert received["owner"]["id"] == people.infos["alice"].user
    assert read_markdown(people.carol, f"{received['path']}/analysis.ipynb") == "for the team"
    save_notebook(people.carol, f"{received['path']}/analysis.ipynb", "carol was here")
    assert read_markdown(people.alice, f"{folder}/analysis.ipynb") == "carol was here"


def test_recipient_search_finds_local_users_groups_and_typed_addresses(mesh, people: Any) -> None:
    carol_id = people.infos["carol"].user
    a_host = people.alice.ok("GET", "/whoami")["site"]["domain"]
    found = people.alice.ok("GET", "/recipients", params={"q": carol_id})
    (carol,) = [r for r in found if r["id"] == carol_id]
    assert (carol["type"], carol["site"], carol["source"]) == ("user", a_host, "local")
    assert carol["verified"] is True

    groups = people.alice.ok("GET", "/recipients", params={"q": people.group})
    assert any(r["type"] == "group" and r["id"] == people.group for r in groups)

    # No site says whether a person exists elsewhere before a share is sent: a typed address
    # is offered to send to, marked as not verified, never as a known person.
    stranger = mesh.add_user("b", f"dora-{secrets.token_hex(3)}")
    typed = f"{stranger.user}@{people.b_host}"
    (entry,) = people.alice.ok("GET", "/recipients", params={"q": typed})
    assert entry["source"] == "typed"
    assert entry["verified"] is False
    assert "not verified" in entry["label"]
    assert entry["type"] == "federated"
    assert entry["id"] == typed
    assert entry["site"] == people.b_host


def test_whoami_and_mesh_sites(mesh, people: Any) -> None:
    me = people.bob.ok("GET", "/whoami")
    assert me["user"] == people.infos["bob"].user
    assert me["display_name"] == "Bob B"
    assert me["site"]["url"] == mesh.site("b").url
    assert me["federated_id"] == f"{people.infos['bob'].user}@{people.b_host}"

    sites = {s["domain"]: s for s in people.bob.ok("GET", "/mesh/sites")}
    assert set(sites) == {mesh.site("a").host, mesh.site("b").host}
    assert sites[people.b_host]["is_mine"] is True
    assert sites[mesh.site("a").host]["is_mine"] is False
    for site in sites.values():
        assert site["reachable"] is True
        assert site["ocm_version"]
        assert site["url"].startswith("http://127.0.0.1:")


def test_leaving_a_local_share(people: Any) -> None:
    folder = make_folder_with_notebook(people.alice, "carol may leave")
    carol_id = people.infos["carol"].user
    share = people.alice.ok(
        "POST",
        "/shares",
        201,
        json={"path": folder, "type": "user", "recipient": carol_id, "permission": "view"},
    )
    assert share["recipient"]["display_name"] == "Carol C"
    (received,) = [r for r in people.carol.ok("GET", "/received") if r["name"] == folder]
    assert received["id"].startswith("local-")

    people.carol.ok("POST", f"/received/{received['id']}/decline", 204)

    assert received["id"] not in ids(people.carol.ok("GET", "/received"))
    assert people.carol.request("GET", f"api/contents/{received['path']}").status_code == 404


def test_an_accepted_share_is_in_the_file_browser_at_once_and_gone_once_left(people: Any) -> None:
    """The file browser's listing is cached for a few seconds; our own accept and decline
    must not have to wait for that: the panel's "Open" reveals the item right after."""
    alice, bob = people.alice, people.bob
    folder = make_folder_with_notebook(alice, "for the browser")
    share_with_bob(people, folder, "view")
    item = pending_for_bob(people, folder)

    def names() -> set[str]:
        listing = bob.request("GET", "api/contents/", params={"content": "1"})
        assert listing.status_code == 200, listing.text
        return {entry["name"] for entry in listing.json()["content"]}

    before = names()  # bob's file browser shows his home: now it is cached
    mount = bob.ok("POST", f"/received/{item['id']}/accept")["path"]
    assert mount not in before
    assert mount in names()

    bob.ok("POST", f"/received/{item['id']}/decline", 204)
    assert mount not in names()
