"""ScienceMesh invitations, contacts and the mesh directory of the local mesh.

Reference: docs/protocols.md §4 (Reva's ``/sciencemesh`` API, Mentix ``ProviderInfo``). Deliberate
differences from Reva:
- JSON answers carry ``application/json`` (Reva sends some as ``text/plain``);
- accepting with a provider that is not in the directory is 400 (Reva answers 500);
- ``invite-accepted`` does not require ``email`` (our users have none);
- no site has an invite accept dialog, so ``discover`` always answers 404 here.
"""

from __future__ import annotations

import requests
from sharing_client import SHARING, Client, cloud_id


def _invite(mesh, inviter: Client) -> dict:
    reply = inviter.sciencemesh("POST", "generate-invite", json={"description": "for the paper"})
    assert reply.status_code == 200
    return reply.json()


def test_invitation_round_trip_makes_both_users_contacts(mesh, new_user):
    alice = Client(mesh.site("a").url, new_user("a", display_name="Alice A"))
    bob = Client(mesh.site("b").url, new_user("b", display_name="Bob B"))
    invite = _invite(mesh, alice)
    assert invite["description"] == "for the paper"
    assert invite["invite_link"] == (
        f"{mesh.directory_url}?token={invite['token']}&providerDomain="
        + requests.utils.quote(mesh.site("a").host, safe="")
    )
    accepted = bob.sciencemesh(
        "POST",
        "accept-invite",
        json={"token": invite["token"], "providerDomain": mesh.site("a").host},
    )
    assert accepted.status_code == 200
    assert bob.sciencemesh("GET", "find-accepted-users").json() == [
        {"display_name": "Alice A", "idp": mesh.site("a").host, "user_id": alice.user, "mail": ""}
    ]
    assert alice.sciencemesh("GET", "find-accepted-users").json() == [
        {"display_name": "Bob B", "idp": mesh.site("b").host, "user_id": bob.user, "mail": ""}
    ]
    again = bob.sciencemesh(
        "POST",
        "accept-invite",
        data={"token": invite["token"], "providerDomain": mesh.site("a").host},  # form works too
    )
    assert again.status_code == 409


def test_contacts_feed_the_recipient_search_and_can_be_shared_with(mesh, new_user):
    alice = Client(mesh.site("a").url, new_user("a"))
    bob_info = new_user("b", display_name="Bartholomew")
    bob = Client(mesh.site("b").url, bob_info)
    invite = _invite(mesh, alice)
    ok = bob.sciencemesh(
        "POST",
        "accept-invite",
        json={"token": invite["token"], "providerDomain": mesh.site("a").host},
    )
    assert ok.status_code == 200
    found = alice.ocs("GET", SHARING + "/sharees", params={"search": "barth"}).data
    address = cloud_id(bob_info, mesh.site("b").url)
    assert [r["value"] for r in found["remotes"]] == [
        {"shareType": 6, "shareWith": address, "server": mesh.site("b").url}
    ]
    alice.mkdir("paper")
    assert alice.share("/paper", 6, address).status == 200
    assert [p["name"] for p in bob.pending_remote()] == ["/paper"]


def test_accept_invite_refusals(mesh, new_user):
    bob = Client(mesh.site("b").url, new_user("b"))
    host = mesh.site("a").host
    bad_token = bob.sciencemesh(
        "POST", "accept-invite", json={"token": "x", "providerDomain": host}
    )
    assert bad_token.status_code == 400
    assert bob.sciencemesh("POST", "accept-invite", json={"token": "x"}).status_code == 400
    unknown = bob.sciencemesh(
        "POST", "accept-invite", json={"token": "x", "providerDomain": "elsewhere.example.org"}
    )
    assert unknown.status_code == 400 and "directory" in unknown.json()["message"]
    anonymous = requests.post(
        f"{mesh.site('b').url}/sciencemesh/accept-invite",
        json={"token": "x", "providerDomain": host},
        timeout=30,
    )
    assert anonymous.status_code == 401
    assert bob.sciencemesh("GET", "find-accepted-users").json() == []


def test_nobody_accepts_their_own_invitation(mesh, new_user):
    alice = Client(mesh.site("a").url, new_user("a"))
    invite = _invite(mesh, alice)
    own = alice.sciencemesh(
        "POST",
        "accept-invite",
        json={"token": invite["token"], "providerDomain": mesh.site("a").host},
    )
    assert own.status_code == 400
    assert alice.sciencemesh("GET", "find-accepted-users").json() == []
    colleague = Client(mesh.site("a").url, new_user("a"))  # same site, another user: fine
    same_site = colleague.sciencemesh(
        "POST",
        "accept-invite",
        json={"token": invite["token"], "providerDomain": mesh.site("a").host},
    )
    assert same_site.status_code == 200


def test_list_invite_and_delete_accepted_user(mesh, new_user):
    alice = Client(mesh.site("a").url, new_user("a"))
    bob = Client(mesh.site("b").url, new_user("b"))
    first, second = _invite(mesh, alice), _invite(mesh, alice)
    listed = alice.sciencemesh("GET", "list-invite").json()
    assert [i["token"] for i in listed] == [first["token"], second["token"]]
    assert bob.sciencemesh("GET", "list-invite").json() == []
    bob.sciencemesh(
        "POST",
        "accept-invite",
        json={"token": first["token"], "providerDomain": mesh.site("a").host},
    )
    gone = {"idp": mesh.site("b").host, "user_id": bob.user}
    assert alice.sciencemesh("DELETE", "delete-accepted-user", json=gone).status_code == 200
    assert alice.sciencemesh("GET", "find-accepted-users").json() == []
    assert alice.sciencemesh("DELETE", "delete-accepted-user", json=gone).status_code == 404
    assert alice.sciencemesh("DELETE", "delete-accepted-user", json={}).status_code == 400


def test_providers_federations_and_discover(mesh, new_user):
    alice = Client(mesh.site("a").url, new_user("a"))
    providers = alice.sciencemesh("GET", "list-providers").json()
    assert [p["domain"] for p in providers] == [mesh.site("a").host, mesh.site("b").host]
    only_b = alice.sciencemesh("GET", "list-providers", params={"search": "SITE B"}).json()
    assert [p["domain"] for p in only_b] == [mesh.site("b").host]
    federations = requests.get(f"{mesh.site('a').url}/sciencemesh/federations", timeout=30)
    assert federations.status_code == 200  # public, like Reva's WAYF endpoints
    servers = federations.json()[0]["servers"]
    assert [s["url"] for s in servers] == [mesh.site("a").url, mesh.site("b").url]
    discover = requests.post(
        f"{mesh.site('a').url}/sciencemesh/discover",
        json={"domain": mesh.site("b").host},
        timeout=30,
    )
    assert discover.status_code == 404
    anonymous = requests.get(f"{mesh.site('a').url}/sciencemesh/list-providers", timeout=30)
    assert anonymous.status_code == 401


def test_directory_lists_every_site_as_providerinfo_with_an_ocm_service(mesh):
    reply = requests.get(mesh.directory_url, timeout=30)
    assert reply.status_code == 200
    providers = reply.json()
    assert [p["domain"] for p in providers] == [s.host for s in mesh.sites]
    for provider, site in zip(providers, mesh.sites, strict=True):
        ocm = [s for s in provider["services"] if s["endpoint"]["type"]["name"] == "OCM"]
        assert ocm[0]["endpoint"]["path"] == site.url + "/index.php/ocm/"
        assert ocm[0]["host"] == site.host
    # Every site serves the same list, so any of them can be the directory.
    other = requests.get(mesh.site("b").url + "/mesh/directory.json", timeout=30).json()
    assert other == providers
