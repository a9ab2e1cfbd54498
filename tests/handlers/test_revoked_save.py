"""A save after the owner stopped sharing says so, and keeps nothing of the owner's changed.

Bob has a notebook from alice open (a single shared file, or one inside a shared folder);
alice revokes the share; bob presses Save. The file is gone from bob's site, so the save must
fail, and the message must let bob understand why ("changed by a colleague" would send him
looking for a version that does not exist) and what to do to keep his work.

Real parts: two local-mesh sites federating over HTTP, one Jupyter server per user.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from test_sharing_story import (
    pending_for_bob,
    read_markdown,
    save_notebook,
    share_with_bob,
)


def _shared_notebook(people: Any, single_file: bool) -> tuple[dict[str, Any], str, str]:
    """(alice's share, alice's path of the notebook, bob's path of it), bob having opened it."""
    alice, bob = people.alice, people.bob
    name = f"revoked-{secrets.token_hex(3)}"
    if single_file:
        path = f"{name}.ipynb"
        save_notebook(alice, path, "alice wrote this", expect=201)
        shared = path
    else:
        made = alice.request("PUT", f"api/contents/{name}", json={"type": "directory"})
        assert made.status_code == 201, made.text
        path = f"{name}/analysis.ipynb"
        save_notebook(alice, path, "alice wrote this", expect=201)
        shared = name
    share = share_with_bob(people, shared, "edit")
    item = pending_for_bob(people, shared.rsplit("/", 1)[-1])
    mount = bob.ok("POST", f"/received/{item['id']}/accept")["path"]
    bobs = mount if single_file else f"{mount}/analysis.ipynb"
    assert read_markdown(bob, bobs) == "alice wrote this"  # bob opens it
    return share, path, bobs


@pytest.mark.parametrize("single_file", [True, False], ids=["file", "folder"])
def test_a_save_after_a_revoke_says_the_share_ended(people: Any, single_file: bool) -> None:
    share, alices, bobs = _shared_notebook(people, single_file)
    people.alice.ok("DELETE", f"/shares/{share['id']}", 204)

    refused = save_notebook(people.bob, bobs, "bob's edit", expect=409)
    message = refused.json()["message"]
    assert "no longer" in message and "stopped sharing" in message, message
    assert "Save As" in message  # what to do to keep the work
    assert "changed" not in message  # not the conflict message
    assert read_markdown(people.alice, alices) == "alice wrote this"
