"""The OCM API of a local-mesh site, spoken to directly as another server would.

Reference: docs/protocols.md §3.3-§3.6, §3.10 and §8. Deliberate differences from Nextcloud 32:
- ``/.well-known/ocm`` answers (OCM 1.2 shape) where Nextcloud 32 says 404: clients must
  handle both, and the newer document is what current Reva/oCIS sites serve;
- discovery carries no ``publicKey`` and inbound requests are not signature-checked: the
  local mesh does not sign (signing is optional before OCM 1.3);
- only ``user`` share types are accepted and advertised (Nextcloud also lists ``group``);
- must-invite (a Reva criterion) refuses with 403 per the OCM spec where Reva says 401.
"""

from __future__ import annotations

import uuid

import pytest
import requests
from sharing_client import Client

JSON = {"Content-Type": "application/json"}


def _ocm(mesh, site: str) -> str:
    return mesh.site(site).url + "/index.php/ocm"


def _share_body(mesh, recipient: str, **overrides):
    body = {
        "shareWith": f"{recipient}@{mesh.site('b').host}",
        "name": "results",
        "providerId": uuid.uuid4().hex,
        "owner": f"mallory@{mesh.site('a').host}",
        "ownerDisplayName": "Mallory",
        "sender": f"mallory@{mesh.site('a').host}",
        "senderDisplayName": "Mallory",
        "shareType": "user",
        "resourceType": "folder",
        "protocol": {"name": "webdav", "options": {"sharedSecret": uuid.uuid4().hex}},
    }
    body.update(overrides)
    return body


def test_ocm_provider_discovery_has_the_nextcloud_shape(mesh):
    url = mesh.site("a").url
    reply = requests.get(url + "/ocm-provider/", timeout=30)
    assert reply.status_code == 200
    assert reply.headers["X-NEXTCLOUD-OCM-PROVIDERS"] == "true"
    doc = reply.json()
    assert doc["apiVersion"] == "1.0-proposal1"
    assert doc["endPoint"] == url + "/index.php/ocm"
    assert [t["name"] for t in doc["resourceTypes"]] == ["file", "folder"]
    assert doc["resourceTypes"][0]["protocols"] == {"webdav": "/public.php/webdav/"}
    assert set(doc["capabilities"]) == {"/invite-accepted", "/notifications", "/shares"}


def test_well_known_ocm_has_the_newer_shape_and_shows_must_invite(mesh):
    url = mesh.site("b").url
    doc = requests.get(url + "/.well-known/ocm", timeout=30).json()
    assert doc["enabled"] is True and doc["apiVersion"].startswith("1.2")
    assert doc["endPoint"] == url + "/index.php/ocm"
    assert doc["criteria"] == []
    mesh.set_fault("b", "must_invite")
    try:
        strict = requests.get(url + "/.well-known/ocm", timeout=30).json()
    finally:
        mesh.clear_faults("b")
    assert strict["criteria"] == ["must-invite"]


def test_incoming_share_is_stored_as_pending_for_the_recipient(mesh, new_user):
    bob = new_user("b")
    body = _share_body(mesh, bob.user)
    reply = requests.post(_ocm(mesh, "b") + "/shares", json=body, timeout=30)
    assert reply.status_code == 201
    assert reply.json() == {"recipientDisplayName": bob.user.capitalize()}
    pending = Client(mesh.site("b").url, bob).pending_remote()
    assert len(pending) == 1
    item = pending[0]
    assert isinstance(item["id"], int)  # remote share ids are integers on Nextcloud 32
    assert item["share_type"] == 0  # and the type shows as 0, not 6
    assert item["remote"] == mesh.site("a").url + "/"
    assert (item["owner"], item["name"], item["accepted"]) == ("mallory", "/results", 0)
    assert item["remote_id"] == body["providerId"]
    assert item["mountpoint"] == "{{TemporaryMountPointName#/results}}"
    # Deliberate difference: Nextcloud lists the share_token (the shared secret); we never do.
    assert "share_token" not in item
    assert body["protocol"]["options"]["sharedSecret"] not in reply.text


def test_incoming_share_in_the_ocm_1_1_multi_shape(mesh, new_user):
    bob = new_user("b")
    protocol = {
        "name": "multi",
        "webdav": {"sharedSecret": "s" * 20, "permissions": ["read"], "uri": "abc123"},
    }
    body = _share_body(mesh, bob.user, protocol=protocol, resourceType="file", name="a.ipynb")
    reply = requests.post(_ocm(mesh, "b") + "/shares", json=body, timeout=30)
    assert reply.status_code == 201
    assert [p["name"] for p in Client(mesh.site("b").url, bob).pending_remote()] == ["/a.ipynb"]


@pytest.mark.parametrize(
    ("uri", "kind", "name", "read"),
    [
        ("{a}/public.php/webdav/", "folder", "lab", "lab/notes.txt"),  # absolute
        ("notes.txt", "file", "notes.txt", "notes.txt"),  # relative to a's advertised prefix
    ],
)
def test_multi_shape_share_is_read_at_its_uri_once_accepted(mesh, new_user, uri, kind, name, read):
    """The data of a ``multi`` share is read at its ``uri`` (here inside a link of a's, whose
    token serves as the secret), through bob's own WebDAV like any federated mount."""
    owner = Client(mesh.site("a").url, new_user("a"))
    owner.mkdir("lab")
    owner.put("lab/notes.txt", b"from a link")
    token = owner.share("/lab", 3).data["token"]
    bob_info = new_user("b")
    webdav = {"sharedSecret": token, "permissions": ["read"], "uri": uri.format(a=owner.url)}
    body = _share_body(
        mesh,
        bob_info.user,
        protocol={"name": "multi", "webdav": webdav},
        name=name,
        resourceType=kind,
    )
    assert requests.post(_ocm(mesh, "b") + "/shares", json=body, timeout=30).status_code == 201
    bob = Client(mesh.site("b").url, bob_info)
    assert bob.accept_remote(bob.pending_remote()[0]["id"]).status == 200
    assert bob.dav("GET", read).content == b"from a link"


def test_incoming_share_refusals(mesh, new_user):
    bob = new_user("b")
    url = _ocm(mesh, "b") + "/shares"
    as_form = requests.post(url, data=_share_body(mesh, bob.user), timeout=30)
    assert as_form.status_code == 400 and "application/json" in as_form.json()["message"]
    missing = {k: v for k, v in _share_body(mesh, bob.user).items() if k != "providerId"}
    refused = requests.post(url, json=missing, timeout=30)
    assert refused.status_code == 400
    assert refused.json()["validationErrors"] == [{"name": "providerId", "message": "REQUIRED"}]
    unknown = requests.post(url, json=_share_body(mesh, "nobody-at-b"), timeout=30)
    assert unknown.status_code == 400
    elsewhere = _share_body(mesh, bob.user, shareWith=f"{bob.user}@{mesh.site('a').host}")
    assert requests.post(url, json=elsewhere, timeout=30).status_code == 400
    group = requests.post(url, json=_share_body(mesh, bob.user, shareType="group"), timeout=30)
    assert group.status_code == 501
    no_secret = _share_body(mesh, bob.user, protocol={"name": "webdav", "options": {}})
    assert requests.post(url, json=no_secret, timeout=30).status_code == 400
    not_json = requests.post(url, data=b"{oops", headers=JSON, timeout=30)
    assert not_json.status_code == 400
    assert Client(mesh.site("b").url, bob).pending_remote() == []


def test_must_invite_refuses_strangers_and_admits_contacts(mesh, new_user):
    bob = new_user("b")
    mesh.set_fault("b", "must_invite")
    try:
        stranger = requests.post(
            _ocm(mesh, "b") + "/shares", json=_share_body(mesh, bob.user), timeout=30
        )
        assert stranger.status_code == 403
        alice = new_user("a")
        token = Client(mesh.site("a").url, alice).sciencemesh("POST", "generate-invite").json()
        accepted = Client(mesh.site("b").url, bob).sciencemesh(
            "POST",
            "accept-invite",
            json={"token": token["token"], "providerDomain": mesh.site("a").host},
        )
        assert accepted.status_code == 200
        body = _share_body(
            mesh,
            bob.user,
            owner=f"{alice.user}@{mesh.site('a').host}",
            sender=f"{alice.user}@{mesh.site('a').host}",
        )
        contact = requests.post(_ocm(mesh, "b") + "/shares", json=body, timeout=30)
        assert contact.status_code == 201
    finally:
        mesh.clear_faults("b")


def test_notifications_need_a_known_share_and_its_secret(mesh, new_user):
    bob = new_user("b")
    body = _share_body(mesh, bob.user)
    assert requests.post(_ocm(mesh, "b") + "/shares", json=body, timeout=30).status_code == 201
    url = _ocm(mesh, "b") + "/notifications"
    secret = body["protocol"]["options"]["sharedSecret"]
    note = {
        "notificationType": "SHARE_UNSHARED",
        "resourceType": "folder",
        "providerId": body["providerId"],
        "notification": {"sharedSecret": "not-the-secret"},
    }
    assert requests.post(url, json=note, timeout=30).status_code == 400
    assert len(Client(mesh.site("b").url, bob).pending_remote()) == 1
    no_secret = {**note, "notification": {}}
    assert requests.post(url, json=no_secret, timeout=30).status_code == 400
    odd = {**note, "notificationType": "REQUEST_RESHARE", "notification": {"sharedSecret": secret}}
    assert requests.post(url, json=odd, timeout=30).status_code == 501
    note["notification"] = {"sharedSecret": secret}
    assert requests.post(url, json=note, timeout=30).status_code == 201
    assert Client(mesh.site("b").url, bob).pending_remote() == []


def test_invite_accepted_checks_token_fields_trust_and_repeats(mesh, new_user):
    alice = new_user("a")
    token = Client(mesh.site("a").url, alice).sciencemesh("POST", "generate-invite").json()
    url = _ocm(mesh, "a") + "/invite-accepted"
    body = {
        "recipientProvider": mesh.site("b").host,
        "token": token["token"],
        "userID": "zoe",
        "email": "zoe@example.org",
        "name": "Zoe",
    }
    assert requests.post(url, json={**body, "token": "nope"}, timeout=30).status_code == 400
    missing = requests.post(url, json={k: v for k, v in body.items() if k != "userID"}, timeout=30)
    assert missing.status_code == 400
    assert missing.json()["validationErrors"] == [{"name": "userID", "message": "REQUIRED"}]
    untrusted = {**body, "recipientProvider": "evil.example.org"}
    assert requests.post(url, json=untrusted, timeout=30).status_code == 403
    first = requests.post(url, json=body, timeout=30)
    assert first.status_code == 200
    assert first.json() == {"userID": alice.user, "email": "", "name": alice.user.capitalize()}
    assert requests.post(url, json=body, timeout=30).status_code == 409
    contacts = Client(mesh.site("a").url, alice).sciencemesh("GET", "find-accepted-users").json()
    assert contacts == [
        {
            "display_name": "Zoe",
            "idp": mesh.site("b").host,
            "user_id": "zoe",
            "mail": "zoe@example.org",
        }
    ]


def test_unknown_ocm_route_and_wrong_method(mesh):
    assert requests.post(_ocm(mesh, "a") + "/nothing", json={}, timeout=30).status_code == 404
    assert requests.get(_ocm(mesh, "a") + "/shares", timeout=30).status_code == 405
