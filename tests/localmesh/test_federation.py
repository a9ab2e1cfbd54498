"""Federated shares between two local-mesh sites over real HTTP, end to end.

Reference: docs/protocols.md §2.4, §3.4-§3.8 and §8 (what two Nextcloud 32 sites were seen to do).
Deliberate differences: the sender's OCS reply never carries the shared secret as ``token``
(Nextcloud's does), and ``remote_shares`` never lists ``share_token``.
"""

from __future__ import annotations

from urllib.parse import quote

from cs3_localmesh.users import UserInfo
from localmesh_helpers import NC, parse_multistatus
from sharing_client import SHARING, Client, cloud_id

NOTEBOOK = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def _pair(mesh, new_user, folder: str = "proj"):
    """alice at a with ``folder/analysis.ipynb``; bob at b."""
    alice = Client(mesh.site("a").url, new_user("a"))
    bob_info = new_user("b")
    bob = Client(mesh.site("b").url, bob_info)
    alice.mkdir(quote(folder))
    alice.put(quote(f"{folder}/analysis.ipynb"), NOTEBOOK)
    return alice, bob, cloud_id(bob_info, mesh.site("b").url)


def _share_and_accept(alice: Client, bob: Client, address: str, path: str = "/proj", **fields):
    created = alice.share(path, 6, address, **fields)
    assert created.status == 200, created.meta
    pending = bob.pending_remote()
    assert len(pending) == 1
    assert bob.accept_remote(pending[0]["id"]).status == 200
    return created.data, pending[0]


def _hrefs(response) -> dict:
    return {item.href: item for item in parse_multistatus(response.content)}


def test_federated_round_trip(mesh, new_user):
    alice, bob, address = _pair(mesh, new_user)
    share, pending = _share_and_accept(alice, bob, address)
    assert (share["share_type"], share["share_with"], share["token"]) == (6, address, None)
    assert pending["owner"] == alice.user and pending["name"] == "/proj"

    accepted = bob.ocs("GET", SHARING + "/remote_shares").data
    assert [(r["mountpoint"], r["accepted"], r["type"]) for r in accepted] == [("/proj", 1, "dir")]
    assert accepted[0]["permissions"] == 31
    assert bob.pending_remote() == []

    # B sees the share inside its own WebDAV tree, as a shared mount.
    listing = bob.listing()
    assert listing.status_code == 207
    mount = _hrefs(listing)[f"/remote.php/dav/files/{bob.user}/proj/"]
    assert mount.text(f"{{{NC}}}mount-type") == "shared"
    assert bob.dav("GET", "proj/analysis.ipynb").content == NOTEBOOK

    # B writes through its own site; A sees the bytes and the very ETag B was given. (B's
    # client sends its file time, so the ETag changes even within the second of A's write.)
    head = bob.dav("HEAD", "proj/analysis.ipynb")
    write = bob.dav(
        "PUT",
        "proj/analysis.ipynb",
        data=b"changed by bob",
        headers={"If-Match": head.headers["ETag"], "X-OC-MTime": "1000000000"},
    )
    assert write.status_code == 204
    assert alice.dav("GET", "proj/analysis.ipynb").content == b"changed by bob"
    at_a = alice.dav("HEAD", "proj/analysis.ipynb").headers["ETag"]
    assert write.headers["ETag"] == at_a
    assert bob.dav("HEAD", "proj/analysis.ipynb").headers["ETag"] == at_a

    # A stale If-Match through the federation is refused, and nothing is lost.
    stale = bob.dav(
        "PUT", "proj/analysis.ipynb", data=b"lost?", headers={"If-Match": head.headers["ETag"]}
    )
    assert stale.status_code == 412
    assert alice.dav("GET", "proj/analysis.ipynb").content == b"changed by bob"

    # A makes the share read-only: B's next write is refused at once.
    made_ro = alice.ocs("PUT", f"{SHARING}/shares/{share['id']}", data={"permissions": 1})
    assert made_ro.data["permissions"] == 1
    assert bob.dav("PUT", "proj/new.txt", data=b"x").status_code == 403
    assert bob.dav("PUT", "proj/analysis.ipynb", data=b"x").status_code == 403
    assert bob.dav("GET", "proj/analysis.ipynb").status_code == 200

    # A unshares: B is told and loses the mount.
    assert alice.ocs("DELETE", f"{SHARING}/shares/{share['id']}").status == 200
    assert bob.ocs("GET", SHARING + "/remote_shares").data == []
    assert bob.dav("GET", "proj/analysis.ipynb").status_code == 404
    assert f"/remote.php/dav/files/{bob.user}/proj/" not in _hrefs(bob.listing())


def test_decline_removes_the_share_at_the_sender(mesh, new_user):
    alice, bob, address = _pair(mesh, new_user)
    created = alice.share("/proj", 6, address)
    assert created.status == 200
    pending = bob.pending_remote()
    declined = bob.ocs("DELETE", f"{SHARING}/remote_shares/pending/{pending[0]['id']}")
    assert declined.status == 200
    assert bob.pending_remote() == []
    assert alice.ocs("GET", SHARING + "/shares").data == []


def test_recipient_unmounting_an_accepted_share_removes_it_at_the_sender(mesh, new_user):
    alice, bob, address = _pair(mesh, new_user)
    _, pending = _share_and_accept(alice, bob, address)
    assert bob.ocs("GET", f"{SHARING}/remote_shares/{pending['id']}").status == 200
    assert bob.ocs("DELETE", f"{SHARING}/remote_shares/{pending['id']}").status == 200
    assert bob.ocs("GET", SHARING + "/remote_shares").data == []
    assert alice.ocs("GET", SHARING + "/shares").data == []
    assert bob.ocs("GET", f"{SHARING}/remote_shares/{pending['id']}").status == 404


def test_remote_share_ids_are_private_to_their_user(mesh, new_user):
    alice, bob, address = _pair(mesh, new_user)
    alice.share("/proj", 6, address)
    pending = bob.pending_remote()
    other = Client(mesh.site("b").url, new_user("b"))
    assert other.accept_remote(pending[0]["id"]).status == 404
    assert other.ocs("DELETE", f"{SHARING}/remote_shares/pending/{pending[0]['id']}").status == 404
    assert bob.accept_remote(999999).status == 404
    assert len(bob.pending_remote()) == 1


def test_recipient_addresses_nextcloud_would_refuse(mesh, new_user):
    alice, bob, address = _pair(mesh, new_user)
    no_scheme = alice.share("/proj", 6, f"{bob.user}@{mesh.site('b').host}")
    # Nextcloud 32 tries https for a bare host; a plain-http site then cannot be reached.
    assert (no_scheme.status, no_scheme.meta["message"]) == (403, "Failed to create share.")
    nobody = alice.share("/proj", 6, f"nobody-at-b@{mesh.site('b').url}")
    assert nobody.status == 403
    same_site = alice.share("/proj", 6, f"{alice.user}@{mesh.site('a').url}")
    assert same_site.status == 403
    not_an_address = alice.share("/proj", 6, "bob")
    assert not_an_address.status == 404
    down = alice.share("/proj", 6, f"{bob.user}@http://127.0.0.1:9")
    assert down.status == 403
    assert alice.ocs("GET", SHARING + "/shares").data == []
    assert bob.pending_remote() == []
    assert alice.share("/proj", 6, address).status == 200
    assert alice.share("/proj", 6, address).status == 403  # already shared with this user


def test_file_share_and_mountpoint_clash(mesh, new_user):
    alice, bob, address = _pair(mesh, new_user)
    bob.put("analysis.ipynb", b"bob's own")
    share, _ = _share_and_accept(alice, bob, address, "/proj/analysis.ipynb", permissions=1)
    assert share["item_type"] == "file" and share["permissions"] == 1
    accepted = bob.ocs("GET", SHARING + "/remote_shares").data
    assert accepted[0]["mountpoint"] == "/analysis.ipynb (2)"
    assert accepted[0]["type"] == "file"
    assert bob.dav("GET", "analysis.ipynb").content == b"bob's own"
    assert bob.dav("GET", quote("analysis.ipynb (2)")).content == NOTEBOOK
    assert bob.dav("PUT", quote("analysis.ipynb (2)"), data=b"x").status_code == 403


def test_odd_names_travel_through_the_federation(mesh, new_user):
    odd = "Data #1 50% ü+?"
    alice, bob, address = _pair(mesh, new_user, folder=odd)
    _share_and_accept(alice, bob, address, f"/{odd}")
    assert bob.ocs("GET", SHARING + "/remote_shares").data[0]["mountpoint"] == f"/{odd}"
    assert bob.dav("GET", quote(f"{odd}/analysis.ipynb")).content == NOTEBOOK
    assert bob.dav("PUT", quote(f"{odd}/new file+1.txt"), data=b"new").status_code == 201
    assert alice.dav("GET", quote(f"{odd}/new file+1.txt")).content == b"new"


def test_demo_seed_has_pending_and_accepted_shares_and_a_contact(mesh):
    """The session mesh runs with ``seed="demo"``: what the demo opens on."""
    alice = Client(mesh.site("a").url, UserInfo("alice", "alice-pass", "", ""))
    bob = Client(mesh.site("b").url, UserInfo("bob", "bob-pass", "", ""))
    carol = Client(mesh.site("a").url, UserInfo("carol", "carol-pass", "", ""))
    assert [p["name"] for p in alice.pending_remote()] == ["/Bob results"]
    received = alice.ocs("GET", SHARING + "/remote_shares").data
    assert [(r["mountpoint"], r["permissions"]) for r in received] == [("/Climate data", 1)]
    csv = alice.dav("GET", quote("Climate data/measurements.csv"))
    assert csv.status_code == 200 and csv.text.startswith("date,station,temperature_c")
    assert bob.dav("GET", quote("Project Mesh/analysis.ipynb")).json()["nbformat"] == 4
    assert carol.dav("GET", quote("Project Mesh/data/measurements.csv")).status_code == 200
    contacts = alice.sciencemesh("GET", "find-accepted-users").json()
    assert [(c["user_id"], c["idp"]) for c in contacts] == [("bob", mesh.site("b").host)]


def test_notifications_are_best_effort_when_the_sender_fails(mesh, new_user):
    """Accepting must not depend on the sender's OCM API being up (Nextcloud behaves so too);
    the data path (public WebDAV) is separate and keeps working."""
    alice, bob, address = _pair(mesh, new_user)
    assert alice.share("/proj", 6, address).status == 200
    mesh.set_fault("a", "status", code=503, prefix="/index.php/ocm")
    try:
        assert bob.accept_remote(bob.pending_remote()[0]["id"]).status == 200
    finally:
        mesh.clear_faults("a")
    assert bob.dav("GET", "proj/analysis.ipynb").content == NOTEBOOK
    assert [s["share_type"] for s in alice.ocs("GET", SHARING + "/shares").data] == [6]


def test_recipient_site_failing_means_no_share_and_a_clear_refusal(mesh, new_user):
    alice, bob, address = _pair(mesh, new_user)
    mesh.set_fault("b", "status", code=503)
    try:
        refused = alice.share("/proj", 6, address)
    finally:
        mesh.clear_faults("b")
    assert (refused.status, refused.meta["message"]) == (403, "Failed to create share.")
    assert alice.ocs("GET", SHARING + "/shares").data == []
    assert bob.pending_remote() == []


def test_a_shared_single_file_is_listed_and_read_in_the_recipients_home(mesh, new_user):
    alice, bob, address = _pair(mesh, new_user)
    alice.put("report.ipynb", NOTEBOOK)
    _share_and_accept(alice, bob, address, path="/report.ipynb")

    listing = bob.listing()
    assert listing.status_code == 207
    entry = _hrefs(listing)[f"/remote.php/dav/files/{bob.user}/report.ipynb"]
    assert entry.text(f"{{{NC}}}mount-type") == "shared"
    assert bob.dav("GET", "report.ipynb").content == NOTEBOOK
