"""Shares as the WebDAV layer serves them: user shares mounted in the recipient's tree,
federated shares proxied to the owner's site, and what a share token opens.

Deliberate difference from Nextcloud (see localmesh/cs3_localmesh/davremote.py): items inside a
federated mount keep the owner site's file ids.
"""

from __future__ import annotations

from urllib.parse import quote

import requests
from localmesh_helpers import NC, OC, D, parse_multistatus
from sharing_client import SHARING, Client, cloud_id

PROPS = (
    '<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" '
    'xmlns:nc="http://nextcloud.org/ns"><d:prop><d:getetag/><d:resourcetype/>'
    "<oc:permissions/><nc:mount-type/><oc:owner-id/></d:prop></d:propfind>"
)


def listing(client: Client, path: str = "") -> dict:
    response = client.dav("PROPFIND", path, headers={"Depth": "1"}, data=PROPS)
    assert response.status_code == 207, response.text
    return {item.href: item for item in parse_multistatus(response.content)}


def local_pair(mesh, new_user, permissions: int):
    owner = Client(mesh.site("a").url, new_user("a"))
    recipient = Client(mesh.site("a").url, new_user("a"))
    owner.mkdir("proj")
    owner.put("proj/nb.ipynb", b"{}")
    reply = owner.share("/proj", 0, recipient.user, permissions=permissions)
    assert reply.status == 200, reply.meta
    return owner, recipient, reply.data


def test_user_share_is_mounted_with_shared_letters_and_same_etags(mesh, new_user):
    owner, recipient, _ = local_pair(mesh, new_user, permissions=31)
    home = listing(recipient)
    mount = home[f"/remote.php/dav/files/{recipient.user}/proj/"]
    assert mount.text(f"{{{NC}}}mount-type") == "shared"
    assert mount.text(f"{{{OC}}}owner-id") == owner.user
    letters = mount.text(f"{{{OC}}}permissions")
    assert letters.startswith("SRG") and letters.endswith("CK") and "NV" not in letters
    inside = listing(recipient, "proj")[f"/remote.php/dav/files/{recipient.user}/proj/nb.ipynb"]
    assert inside.text(f"{{{OC}}}permissions").startswith("S")
    assert "W" in inside.text(f"{{{OC}}}permissions")
    written = recipient.dav("PUT", "proj/nb.ipynb", data=b"by recipient")
    assert written.status_code == 204
    assert owner.dav("HEAD", "proj/nb.ipynb").headers["ETag"] == written.headers["ETag"]
    assert owner.dav("GET", "proj/nb.ipynb").content == b"by recipient"
    # A mount point cannot be renamed over WebDAV (unsharing by DELETE: test_dav_unmount.py).
    assert (
        recipient.dav(
            "MOVE", "proj", headers={"Destination": recipient.dav_url("elsewhere")}
        ).status_code
        == 403
    )


def test_read_only_user_share_refuses_every_write(mesh, new_user):
    owner, recipient, _ = local_pair(mesh, new_user, permissions=1)
    letters = listing(recipient, "proj")[
        f"/remote.php/dav/files/{recipient.user}/proj/nb.ipynb"
    ].text(f"{{{OC}}}permissions")
    assert not set("WDCK") & set(letters)
    assert recipient.dav("PUT", "proj/nb.ipynb", data=b"x").status_code == 403
    assert recipient.dav("MKCOL", "proj/sub").status_code == 403
    assert recipient.dav("DELETE", "proj/nb.ipynb").status_code == 403
    copy = recipient.dav(
        "COPY", "proj/nb.ipynb", headers={"Destination": recipient.dav_url("mine.ipynb")}
    )
    assert copy.status_code == 201  # reading is allowed, so is copying out
    assert recipient.dav("GET", "mine.ipynb").content == b"{}"
    assert owner.dav("GET", "proj/nb.ipynb").content == b"{}"


def test_owner_side_faults_apply_through_a_share(mesh, new_user):
    owner, recipient, _ = local_pair(mesh, new_user, permissions=31)
    mesh.set_fault("a", "lock", user=owner.user, path="proj/nb.ipynb")
    try:
        assert recipient.dav("PUT", "proj/nb.ipynb", data=b"x").status_code == 423
    finally:
        mesh.clear_faults("a")


def federated_pair(mesh, new_user, permissions: int = 31):
    owner = Client(mesh.site("a").url, new_user("a"))
    bob_info = new_user("b")
    bob = Client(mesh.site("b").url, bob_info)
    owner.mkdir("fed")
    owner.mkdir("fed/sub")
    owner.put(quote("fed/sub/a b#1.ipynb"), b"A")
    created = owner.share(
        "/fed", 6, cloud_id(bob_info, mesh.site("b").url), permissions=permissions
    )
    assert created.status == 200, created.meta
    pending = bob.pending_remote()
    assert bob.accept_remote(pending[0]["id"]).status == 200
    return owner, bob


def test_federated_listing_is_rewritten_into_the_recipients_tree(mesh, new_user):
    owner, bob = federated_pair(mesh, new_user)
    root = f"/remote.php/dav/files/{bob.user}/fed/"
    items = listing(bob, "fed/sub")
    assert set(items) == {root + "sub/", root + "sub/a b#1.ipynb"}
    item = items[root + "sub/a b#1.ipynb"]
    assert item.text(f"{{{NC}}}mount-type") == "shared"
    assert item.text(f"{{{OC}}}permissions").startswith("S")
    raw = bob.dav("PROPFIND", "fed/sub", headers={"Depth": "1"}).text
    assert quote("a b#1.ipynb") in raw and "/public.php/" not in raw
    at_owner = owner.dav("HEAD", quote("fed/sub/a b#1.ipynb")).headers["ETag"]
    assert item.text(f"{{{D}}}getetag") == at_owner


def test_federated_move_inside_the_mount_stays_at_the_owner(mesh, new_user):
    owner, bob = federated_pair(mesh, new_user)
    moved = bob.dav(
        "MOVE",
        quote("fed/sub/a b#1.ipynb"),
        headers={"Destination": bob.dav_url(quote("fed/renamed?.ipynb"))},
    )
    assert moved.status_code == 201
    assert owner.dav("GET", quote("fed/renamed?.ipynb")).content == b"A"
    # Across the mount's boundary: test_dav_cross_mount.py.


def test_federated_failures_at_the_owner_reach_the_recipient(mesh, new_user):
    _owner, bob = federated_pair(mesh, new_user)
    mesh.set_fault("a", "status", code=503, prefix="/public.php/")
    try:
        assert bob.dav("GET", quote("fed/sub/a b#1.ipynb")).status_code == 503
        assert "Traceback" not in bob.dav("GET", quote("fed/sub/a b#1.ipynb")).text
    finally:
        mesh.clear_faults("a")
    assert bob.dav("GET", quote("fed/sub/a b#1.ipynb")).content == b"A"


def test_link_token_opens_the_share_at_both_public_urls(mesh, new_user):
    owner = Client(mesh.site("a").url, new_user("a"))
    owner.mkdir("pub")
    owner.put("pub/x.txt", b"X")
    token = owner.share("/pub", 3).data["token"]
    site = mesh.site("a").url
    by_basic = requests.get(f"{site}/public.php/webdav/x.txt", auth=(token, ""), timeout=30)
    assert by_basic.content == b"X"
    by_path = requests.get(f"{site}/public.php/dav/files/{token}/x.txt", timeout=30)
    assert by_path.content == b"X"
    listed = requests.request(
        "PROPFIND",
        f"{site}/public.php/dav/files/{token}/",
        headers={"Depth": "1"},
        data=PROPS,
        timeout=30,
    )
    hrefs = {item.href: item for item in parse_multistatus(listed.content)}
    item = hrefs[f"/public.php/dav/files/{token}/x.txt"]
    assert "S" not in item.text(f"{{{OC}}}permissions")  # public views never say S
    assert (
        requests.get(f"{site}/public.php/webdav/x.txt", auth=("nope", ""), timeout=30).status_code
        == 401
    )
    assert (
        owner.ocs(
            "DELETE", f"{SHARING}/shares/" + owner.ocs("GET", SHARING + "/shares").data[0]["id"]
        ).status
        == 200
    )
    assert (
        requests.get(f"{site}/public.php/webdav/x.txt", auth=(token, ""), timeout=30).status_code
        == 401
    )


def test_chunked_upload_into_a_federated_share_lands_at_the_owner(mesh, new_user):
    owner, bob = federated_pair(mesh, new_user)
    uploads = f"{mesh.site('b').url}/remote.php/dav/uploads/{bob.user}/fed-up"
    headers = {"Destination": bob.dav_url(quote("fed/big one.bin"))}
    assert bob.http.request("MKCOL", uploads, headers=headers).status_code == 201
    for number, data in ((1, b"a" * 1000), (2, b"b" * 10)):
        assert bob.http.put(f"{uploads}/{number}", data=data, headers=headers).status_code == 201
    done = bob.http.request("MOVE", f"{uploads}/.file", headers=headers)
    assert done.status_code == 201, done.text
    assert owner.dav("GET", quote("fed/big one.bin")).content == b"a" * 1000 + b"b" * 10
    assert owner.dav("HEAD", quote("fed/big one.bin")).headers["ETag"] == done.headers["ETag"]


def test_chunked_upload_into_a_read_only_federated_share_is_refused(mesh, new_user):
    owner, bob = federated_pair(mesh, new_user, permissions=1)
    uploads = f"{mesh.site('b').url}/remote.php/dav/uploads/{bob.user}/ro-up"
    headers = {"Destination": bob.dav_url("fed/x.bin")}
    bob.http.request("MKCOL", uploads, headers=headers)
    bob.http.put(f"{uploads}/1", data=b"x", headers=headers)
    assert bob.http.request("MOVE", f"{uploads}/.file", headers=headers).status_code == 403
    assert owner.dav("GET", "fed/x.bin").status_code == 404
