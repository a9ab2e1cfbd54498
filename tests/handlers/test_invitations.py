"""ScienceMesh invitations through our REST API: alice@a invites, bob@b accepts at his site.

Site b then really calls site a's OCM ``/invite-accepted``; both sites record the contact.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest


@pytest.fixture
def must_invite_at_b(mesh: Any):
    """Site b accepts federated shares only from its users' contacts (Reva's must-invite)."""
    mesh.set_fault("b", "must_invite")
    yield
    mesh.clear_faults("b")


def test_invitation_round_trip_makes_contacts_on_both_sides(mesh: Any, people: Any) -> None:
    alice, bob = people.alice, people.bob
    alice_name, bob_name = people.infos["alice"].user, people.infos["bob"].user
    a_host = mesh.site("a").host

    invitation = alice.ok("POST", "/invitations", 201, json={"description": "let's share"})
    assert invitation["token"]
    assert invitation["token"] in invitation["link"]
    assert invitation["expiration"]

    # Bob pastes the link he was sent: it names the token and alice's site.
    contact = bob.ok("POST", "/invitations/accept", 201, json={"token": invitation["link"]})
    assert contact == {
        "user": alice_name,
        "display_name": "Alice A",
        "site": a_host,
        "federated_id": f"{alice_name}@{a_host}",
    }
    assert contact in bob.ok("GET", "/contacts")
    assert f"{bob_name}@{people.b_host}" in [
        c["federated_id"] for c in alice.ok("GET", "/contacts")
    ]

    found = bob.ok("GET", "/recipients", params={"q": alice_name})
    (entry,) = [r for r in found if r["source"] == "contact"]
    assert (entry["type"], entry["id"], entry["site"]) == (
        "federated",
        f"{alice_name}@{a_host}",
        a_host,
    )

    again = bob.api(
        "POST", "/invitations/accept", json={"token": invitation["token"], "site": a_host}
    )
    assert again.status_code == 409
    assert again.json()["reason"] == "already_accepted"


def test_must_invite_site_takes_shares_only_from_contacts(
    mesh: Any, people: Any, new_user: Any, jupyter_for: Any, must_invite_at_b: None
) -> None:
    a_host = mesh.site("a").host
    stranger = jupyter_for("a", new_user("a"))
    folder = f"proj-{secrets.token_hex(3)}"
    made = stranger.request("PUT", f"api/contents/{folder}", json={"type": "directory"})
    assert made.status_code == 201
    body = {
        "path": folder,
        "type": "federated",
        "recipient": f"{people.infos['bob'].user}@{people.b_host}",
        "permission": "view",
    }

    refused = stranger.api("POST", "/shares", json=body)
    assert refused.status_code == 404
    assert refused.json()["reason"] == "unknown_recipient"
    assert "contacts" in refused.json()["message"]

    invitation = stranger.ok("POST", "/invitations", 201)
    people.bob.ok(
        "POST", "/invitations/accept", 201, json={"token": invitation["token"], "site": a_host}
    )
    share = stranger.ok("POST", "/shares", 201, json=body)
    assert share["recipient"]["site"] == people.b_host


def test_removing_a_contact(mesh: Any, people: Any, new_user: Any, jupyter_for: Any) -> None:
    a_host = mesh.site("a").host
    dora_info = new_user("a", display_name="Dora D")
    dora = jupyter_for("a", dora_info)
    invitation = dora.ok("POST", "/invitations", 201, json={})
    people.bob.ok(
        "POST", "/invitations/accept", 201, json={"token": invitation["token"], "site": a_host}
    )

    people.bob.ok("DELETE", f"/contacts/{a_host}/{dora_info.user}", 204)

    assert all(c["user"] != dora_info.user for c in people.bob.ok("GET", "/contacts"))
    again = people.bob.api("DELETE", f"/contacts/{a_host}/{dora_info.user}")
    assert again.status_code == 404
    assert again.json()["reason"] == "not_found"


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"token": "no-such-token", "site": "A_HOST"}, 404, "invalid_token"),
        ({"token": "whatever", "site": "nowhere.example.org"}, 404, "site_not_in_mesh"),
        ({"token": "whatever"}, 400, "bad_request"),
        ({"token": "", "site": "A_HOST"}, 400, "bad_request"),
        ({"token": "x", "site": "A_HOST", "extra": 1}, 400, "bad_request"),
    ],
)
def test_accepting_a_bad_invitation_says_why(
    mesh: Any, people: Any, body: dict, status: int, reason: str
) -> None:
    body = {k: (mesh.site("a").host if v == "A_HOST" else v) for k, v in body.items()}
    answer = people.bob.api("POST", "/invitations/accept", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["reason"] == reason
    assert answer.json()["message"]
