"""Checkpoints of files bob received from alice's site, as JupyterLab asks for them.

JupyterLab lists a file's checkpoints when it opens it and creates one when there is none;
anything but success (or 403) there is a "File Load Error" and the notebook never gets a
kernel. A file in a federated share has no versions at the recipient's site (Nextcloud's
versions belong to the owner's site), so its checkpoints are copies, kept in bob's own home
where neither alice nor anyone else the file is shared with sees them. Whether a file has
versions is decided per file: bob's own files still get named versions afterwards.

Real parts: two local-mesh sites federating over HTTP, and one Jupyter server per user.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import nbformat

from cs3_jupyter.dav.client import DavClient
from cs3_jupyter.dav.versions import list_versions
from cs3_jupyter.transport.auth import make_auth

LABEL = "Jupyter checkpoint"  # CS3Checkpoints.label's default


def notebook(text: str) -> dict[str, Any]:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    return json.loads(nbformat.writes(nb))


def save(server: Any, path: str, text: str, expect: int = 200) -> None:
    response = server.request(
        "PUT",
        f"api/contents/{path}",
        json={"type": "notebook", "format": "json", "content": notebook(text)},
    )
    assert response.status_code == expect, (response.status_code, response.text)


def opened(server: Any, path: str) -> str:
    """What JupyterLab shows after opening ``path`` (the first cell's text)."""
    response = server.request("GET", f"api/contents/{path}", params={"content": "1"})
    assert response.status_code == 200, (response.status_code, response.text)
    return response.json()["content"]["cells"][0]["source"]


def call(server: Any, method: str, path: str, expect: int) -> Any:
    response = server.request(method, f"api/contents/{path}")
    assert response.status_code == expect, (method, path, response.status_code, response.text)
    return response.json() if response.content else None


def dav(mesh: Any, people: Any, name: str) -> DavClient:
    info = people.infos[name]
    site = "b" if name == "bob" else "a"
    return DavClient(mesh.site(site).url, info.user, make_auth(info.user, info.password))


def share_with_bob(people: Any, path: str) -> str:
    """Alice shares ``path`` with bob at site b (edit); bob accepts; his mount path."""
    bob_id = f"{people.infos['bob'].user}@{people.b_host}"
    people.alice.ok(
        "POST",
        "/shares",
        201,
        json={"path": path, "type": "federated", "recipient": bob_id, "permission": "edit"},
    )
    pending = people.bob.ok("GET", "/received", params={"state": "pending"})
    (item,) = [p for p in pending if p["name"] == path.rsplit("/", 1)[-1]]
    return people.bob.ok("POST", f"/received/{item['id']}/accept")["path"]


def hidden_names(client: DavClient, folder: str) -> list[str]:
    return [c.name for c in client.listdir(folder)[1] if c.name.startswith(".")]


def jupyterlab_opens(server: Any, path: str) -> list[dict[str, Any]]:
    """Open, list, create when there is none: JupyterLab's own sequence; the checkpoints."""
    opened(server, path)
    found = call(server, "GET", f"{path}/checkpoints", 200)
    if not found:
        call(server, "POST", f"{path}/checkpoints", 201)
    return call(server, "GET", f"{path}/checkpoints", 200)


def round_trip(server: Any, path: str) -> None:
    """Create, list, restore and delete a checkpoint of ``path`` through Jupyter's API."""
    (first,) = jupyterlab_opens(server, path)
    save(server, path, "bob's second thoughts")
    assert opened(server, path) == "bob's second thoughts"
    second = call(server, "POST", f"{path}/checkpoints", 201)
    assert call(server, "GET", f"{path}/checkpoints", 200) == [first, second]
    call(server, "POST", f"{path}/checkpoints/{first['id']}", 204)
    assert opened(server, path) == "alice's draft"
    call(server, "DELETE", f"{path}/checkpoints/{first['id']}", 204)
    assert call(server, "GET", f"{path}/checkpoints", 200) == [second]
    call(server, "POST", f"{path}/checkpoints/{second['id']}", 204)
    assert opened(server, path) == "bob's second thoughts"
    call(server, "DELETE", f"{path}/checkpoints/{second['id']}", 204)
    assert call(server, "GET", f"{path}/checkpoints", 200) == []
    # After the restore, bob's next save is not taken for somebody else's change.
    save(server, path, "bob's final word")


def test_a_single_file_received_from_another_site_has_checkpoints(mesh, people):
    """The browser story's case: one notebook shared, mounted at the root of bob's home."""
    name = f"story-{secrets.token_hex(3)}.ipynb"
    save(people.alice, name, "alice's draft", expect=201)
    mount = share_with_bob(people, name)

    round_trip(people.bob, mount)

    assert opened(people.alice, name) == "bob's final word"
    # Nothing of bob's checkpoints is at alice's site.
    assert hidden_names(dav(mesh, people, "alice"), "") == []


def test_a_file_in_a_received_folder_has_private_checkpoints(mesh, people):
    folder = f"proj-{secrets.token_hex(3)}"
    made = people.alice.request("PUT", f"api/contents/{folder}", json={"type": "directory"})
    assert made.status_code == 201, made.text
    save(people.alice, f"{folder}/analysis.ipynb", "alice's draft", expect=201)
    mount = share_with_bob(people, folder)
    path = f"{mount}/analysis.ipynb"

    round_trip(people.bob, path)

    # Bob's checkpoints are his: not in the shared folder, where alice and everyone else the
    # folder is shared with would see them.
    assert hidden_names(dav(mesh, people, "alice"), folder) == []
    assert hidden_names(dav(mesh, people, "bob"), mount) == []


def test_a_received_file_first_does_not_stop_versions_for_bobs_own_files(mesh, people):
    """The choice is made per file: one file without versions changes nothing for others."""
    name = f"first-{secrets.token_hex(3)}.ipynb"
    save(people.alice, name, "alice's draft", expect=201)
    mount = share_with_bob(people, name)
    assert len(jupyterlab_opens(people.bob, mount)) == 1

    own = f"mine-{secrets.token_hex(3)}.ipynb"
    save(people.bob, own, "bob's own notebook", expect=201)
    opened(people.bob, own)
    mesh.reset_stats("b")
    checkpoint = call(people.bob, "POST", f"{own}/checkpoints", 201)
    # A named version: one PROPPATCH, as for anybody's first file.
    assert mesh.stats("b") == {"PROPPATCH": 1, "total": 1}
    bob = dav(mesh, people, "bob")
    entry = bob.stat(own)
    assert entry.fileid is not None
    labels = {v.id: v.label for v in list_versions(bob, entry.fileid, own)}
    assert labels[checkpoint["id"]] == LABEL


def test_a_received_files_checkpoints_cost_few_requests(mesh, people):
    """Counted at bob's site: the versions question is asked once per file, and a copy is
    one COPY once bob's private folder exists (made by the first one)."""
    for n in range(2):
        name = f"count{n}-{secrets.token_hex(3)}.ipynb"
        save(people.alice, name, "alice's draft", expect=201)
        mount = share_with_bob(people, name)
        opened(people.bob, mount)
        mesh.reset_stats("b")
        assert call(people.bob, "GET", f"{mount}/checkpoints", 200) == []
        # The versions folder (404: none) and bob's folder of copies.
        assert mesh.stats("b") == {"PROPFIND": 2, "total": 2}
        mesh.reset_stats("b")
        call(people.bob, "POST", f"{mount}/checkpoints", 201)
        if n:
            assert mesh.stats("b") == {"COPY": 1, "total": 1}
        mesh.reset_stats("b")
        assert len(call(people.bob, "GET", f"{mount}/checkpoints", 200)) == 1
        assert mesh.stats("b") == {"PROPFIND": 1, "total": 1}


def test_a_received_files_checkpoints_follow_a_rename_and_go_with_the_file(mesh, people):
    folder = f"moving-{secrets.token_hex(3)}"
    made = people.alice.request("PUT", f"api/contents/{folder}", json={"type": "directory"})
    assert made.status_code == 201, made.text
    save(people.alice, f"{folder}/old.ipynb", "alice's draft", expect=201)
    mount = share_with_bob(people, folder)
    (checkpoint,) = jupyterlab_opens(people.bob, f"{mount}/old.ipynb")

    renamed = people.bob.request(
        "PATCH", f"api/contents/{mount}/old.ipynb", json={"path": f"{mount}/new.ipynb"}
    )
    assert renamed.status_code == 200, renamed.text
    save(people.bob, f"{mount}/new.ipynb", "bob's version")
    assert call(people.bob, "GET", f"{mount}/new.ipynb/checkpoints", 200) == [checkpoint]
    call(people.bob, "POST", f"{mount}/new.ipynb/checkpoints/{checkpoint['id']}", 204)
    assert opened(people.bob, f"{mount}/new.ipynb") == "alice's draft"

    bob = dav(mesh, people, "bob")
    private = ".ipynb_checkpoints/shared-with-me"
    before = {c.name for c in bob.listdir(private)[1]}
    call(people.bob, "DELETE", f"{mount}/new.ipynb", 204)
    after = {c.name for c in bob.listdir(private)[1]}
    assert len(before - after) == 1 and not after - before


def test_checkpoints_made_within_one_second_are_listed_in_the_order_made(mesh, people):
    """JupyterLab takes the last one listed for the latest (its "Revert to checkpoint")."""
    name = f"quick-{secrets.token_hex(3)}.ipynb"
    save(people.alice, name, "alice's draft", expect=201)
    mount = share_with_bob(people, name)
    opened(people.bob, mount)
    made = [call(people.bob, "POST", f"{mount}/checkpoints", 201) for _ in range(6)]
    assert call(people.bob, "GET", f"{mount}/checkpoints", 200) == made
