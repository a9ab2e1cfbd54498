"""OCS shares on one site: user, group and public-link shares, listing filters, updates.

Reference: docs/protocols.md §2.2, §2.3, §2.5 and §8. Deliberate differences from Nextcloud:
- user shares are accepted when made (Nextcloud's default setting), so ``shares/pending`` is
  always empty and accepting is a no-op that still checks the share reaches the caller;
- resharing of received items is not implemented (``reshares=true`` adds nothing);
- a federated share's ``token`` (its shared secret) is never returned (Nextcloud returns it).
"""

from __future__ import annotations

import datetime

import requests
from localmesh_helpers import parse_multistatus
from sharing_client import SHARING, Client

NOTEBOOK = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def _owner_with_folder(mesh, new_user, name="proj"):
    owner = Client(mesh.site("a").url, new_user("a"))
    owner.mkdir(name)
    owner.put(f"{name}/analysis.ipynb", NOTEBOOK)
    return owner


def test_user_share_appears_in_the_recipients_tree_and_shared_with_me(mesh, new_user):
    owner = _owner_with_folder(mesh, new_user)
    recipient = Client(mesh.site("a").url, new_user("a"))
    reply = owner.share("/proj", 0, recipient.user, permissions=1)
    assert reply.status == 200
    share = reply.data
    assert isinstance(share["id"], str)  # Nextcloud 32 sends share ids as JSON strings
    assert (share["share_type"], share["permissions"]) == (0, 1)
    assert (share["path"], share["item_type"], share["share_with"]) == (
        "/proj",
        "folder",
        recipient.user,
    )
    assert share["mimetype"] == "httpd/unix-directory"

    received = recipient.ocs("GET", SHARING + "/shares", params={"shared_with_me": "true"}).data
    assert [(s["id"], s["path"], s["uid_owner"]) for s in received] == [
        (share["id"], "/proj", owner.user)
    ]
    got = recipient.dav("GET", "proj/analysis.ipynb")
    assert got.status_code == 200 and got.content == NOTEBOOK
    # Read-only share: the recipient cannot write into it.
    assert recipient.dav("PUT", "proj/new.ipynb", data=NOTEBOOK).status_code == 403


def test_file_shares_never_carry_create_or_delete(mesh, new_user):
    owner = _owner_with_folder(mesh, new_user)
    other = new_user("a")
    reply = owner.share("/proj/analysis.ipynb", 0, other.user, permissions=31)
    assert reply.status == 200
    assert reply.data["permissions"] == 19  # 31 minus create (4) and delete (8)
    assert reply.data["item_type"] == "file"
    assert owner.share("/proj", 0, other.user).data["permissions"] == 31


def test_create_refusals_say_what_is_wrong(mesh, new_user):
    owner = _owner_with_folder(mesh, new_user)
    other = new_user("a")
    past = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()
    cases = [
        ({"path": "/proj", "shareType": 0, "shareWith": "nobody-here"}, 404, "valid user"),
        ({"path": "/proj", "shareType": 1, "shareWith": "no-such-group"}, 404, "valid group"),
        ({"path": "/proj", "shareType": 9, "shareWith": other.user}, 400, "Unknown share type"),
        ({"shareType": 0, "shareWith": other.user}, 404, "file or folder path"),
        ({"path": "/nope", "shareType": 0, "shareWith": other.user}, 404, "Wrong path"),
        ({"path": "/../x", "shareType": 0, "shareWith": other.user}, 404, "Wrong path"),
        ({"path": "/", "shareType": 0, "shareWith": other.user}, 403, "root folder"),
        ({"path": "/proj", "shareType": 0, "shareWith": owner.user}, 403, "yourself"),
        (
            {"path": "/proj", "shareType": 0, "shareWith": other.user, "permissions": 2},
            403,
            "read permissions",
        ),
        (
            {"path": "/proj", "shareType": 0, "shareWith": other.user, "permissions": 64},
            404,
            "Invalid permissions",
        ),
        (
            {"path": "/proj", "shareType": 0, "shareWith": other.user, "expireDate": "tomorrow"},
            404,
            "Invalid date",
        ),
        (
            {"path": "/proj", "shareType": 0, "shareWith": other.user, "expireDate": past},
            404,
            "in the past",
        ),
    ]
    for data, status, message in cases:
        reply = owner.ocs("POST", SHARING + "/shares", data=data)
        assert (reply.status, reply.meta["statuscode"]) == (status, status), data
        assert message in reply.meta["message"], data
    assert owner.ocs("GET", SHARING + "/shares").data == []  # nothing half-made
    assert owner.share("/proj", 0, other.user).status == 200
    again = owner.share("/proj", 0, other.user)
    assert again.status == 403 and "already shared" in again.meta["message"]


def test_group_share_reaches_members_only(mesh, new_user):
    group = f"g-{new_user('a').user}"
    owner = _owner_with_folder(mesh, new_user)
    member = Client(mesh.site("a").url, new_user("a", groups=(group,)))
    outsider = Client(mesh.site("a").url, new_user("a"))
    reply = owner.share("/proj", 1, group, permissions=15)
    assert reply.status == 200 and reply.data["share_with"] == group
    assert member.dav("GET", "proj/analysis.ipynb").content == NOTEBOOK
    assert member.dav("PUT", "proj/by-member.txt", data=b"hi").status_code == 201
    assert owner.dav("GET", "proj/by-member.txt").content == b"hi"
    assert outsider.dav("GET", "proj/analysis.ipynb").status_code == 404
    shared = member.ocs("GET", SHARING + "/shares", params={"shared_with_me": "true"}).data
    assert [s["share_type"] for s in shared] == [1]
    # A member may not delete the group's share; the owner may.
    assert member.ocs("DELETE", f"{SHARING}/shares/{reply.data['id']}").status == 403
    assert owner.ocs("DELETE", f"{SHARING}/shares/{reply.data['id']}").status == 200
    assert member.dav("GET", "proj/analysis.ipynb").status_code == 404


def test_public_link_with_password_and_expiry(mesh, new_user):
    owner = _owner_with_folder(mesh, new_user)
    expiry = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
    reply = owner.share("/proj", 3, password="s3cret-link-pw", expireDate=expiry)
    assert reply.status == 200
    link = reply.data
    assert link["permissions"] == 17  # Nextcloud adds the share bit to a read-only link
    assert link["expiration"] == f"{expiry} 00:00:00"
    assert link["url"].endswith("/index.php/s/" + link["token"])
    assert link["password"] and "s3cret-link-pw" not in reply.response.text  # a hash only
    public = f"{mesh.site('a').url}/public.php/webdav/analysis.ipynb"
    good = requests.get(public, auth=(link["token"], "s3cret-link-pw"), timeout=30)
    assert good.status_code == 200 and good.content == NOTEBOOK
    assert requests.get(public, auth=(link["token"], "wrong"), timeout=30).status_code == 401
    assert (
        requests.put(
            public, data=b"x", auth=(link["token"], "s3cret-link-pw"), timeout=30
        ).status_code
        == 403
    )  # read-only link


def test_public_upload_link_allows_writes_only_on_folders(mesh, new_user):
    owner = _owner_with_folder(mesh, new_user)
    upload = owner.share("/proj", 3, publicUpload="true")
    assert upload.data["permissions"] == 31
    put = requests.put(
        f"{mesh.site('a').url}/public.php/webdav/dropped.txt",
        data=b"dropped",
        auth=(upload.data["token"], ""),
        timeout=30,
    )
    assert put.status_code == 201
    assert owner.dav("GET", "proj/dropped.txt").content == b"dropped"
    on_file = owner.share("/proj/analysis.ipynb", 3, publicUpload="true")
    assert on_file.status == 404 and "folders" in on_file.meta["message"]


def test_update_changes_permissions_password_expiry_and_note(mesh, new_user):
    owner = _owner_with_folder(mesh, new_user)
    recipient = Client(mesh.site("a").url, new_user("a"))
    share = owner.share("/proj", 0, recipient.user, permissions=1).data
    url = f"{SHARING}/shares/{share['id']}"
    assert recipient.dav("PUT", "proj/x.txt", data=b"x").status_code == 403
    updated = owner.ocs("PUT", url, data={"permissions": 15, "note": "go ahead"})
    assert (updated.data["permissions"], updated.data["note"]) == (15, "go ahead")
    assert recipient.dav("PUT", "proj/x.txt", data=b"x").status_code == 201
    assert owner.ocs("PUT", url).status == 400  # no parameter given
    assert recipient.ocs("PUT", url, data={"permissions": 31}).status == 404  # not the owner
    link = owner.share("/proj", 3).data
    link_url = f"{SHARING}/shares/{link['id']}"
    assert owner.ocs("PUT", link_url, data={"password": "pw-now-long-enough"}).status == 200
    public = f"{mesh.site('a').url}/public.php/webdav/analysis.ipynb"
    assert requests.get(public, auth=(link["token"], ""), timeout=30).status_code == 401
    assert (
        requests.get(public, auth=(link["token"], "pw-now-long-enough"), timeout=30).status_code
        == 200
    )
    later = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    dated = owner.ocs("PUT", link_url, data={"expireDate": later})
    assert dated.data["expiration"] == f"{later} 00:00:00"
    assert owner.ocs("PUT", link_url, data={"expireDate": ""}).data["expiration"] is None


def test_get_and_delete_by_owner_and_recipient(mesh, new_user):
    owner = _owner_with_folder(mesh, new_user)
    recipient = Client(mesh.site("a").url, new_user("a"))
    stranger = Client(mesh.site("a").url, new_user("a"))
    share = owner.share("/proj", 0, recipient.user).data
    url = f"{SHARING}/shares/{share['id']}"
    assert [s["id"] for s in owner.ocs("GET", url).data] == [share["id"]]  # a list, as NC
    assert recipient.ocs("GET", url).status == 200
    assert stranger.ocs("GET", url).status == 404
    assert stranger.ocs("DELETE", url).status == 404
    # The recipient leaves the share: it disappears from their tree, the owner keeps the folder.
    assert recipient.ocs("DELETE", url).status == 200
    assert recipient.dav("GET", "proj/analysis.ipynb").status_code == 404
    assert owner.dav("GET", "proj/analysis.ipynb").status_code == 200
    assert owner.ocs("GET", url).status == 404


def test_listing_filters_path_and_subfiles(mesh, new_user):
    owner = _owner_with_folder(mesh, new_user)
    other = new_user("a")
    folder = owner.share("/proj", 0, other.user).data
    child = owner.share("/proj/analysis.ipynb", 3).data
    everything = owner.ocs("GET", SHARING + "/shares").data
    assert {s["id"] for s in everything} == {folder["id"], child["id"]}
    by_path = owner.ocs("GET", SHARING + "/shares", params={"path": "/proj"}).data
    assert [s["id"] for s in by_path] == [folder["id"]]
    below = owner.ocs("GET", SHARING + "/shares", params={"path": "/proj", "subfiles": "true"})
    assert [s["id"] for s in below.data] == [child["id"]]
    not_dir = owner.ocs(
        "GET", SHARING + "/shares", params={"path": "/proj/analysis.ipynb", "subfiles": "true"}
    )
    assert not_dir.status == 400 and not_dir.meta["message"] == "Not a directory"
    missing = owner.ocs("GET", SHARING + "/shares", params={"path": "/nope"})
    assert missing.status == 404
    with_reshares = owner.ocs("GET", SHARING + "/shares", params={"reshares": "true"}).data
    assert {s["id"] for s in with_reshares} == {folder["id"], child["id"]}


def test_pending_local_shares(mesh, new_user):
    owner = _owner_with_folder(mesh, new_user)
    recipient = Client(mesh.site("a").url, new_user("a"))
    share = owner.share("/proj", 0, recipient.user).data
    assert recipient.ocs("GET", SHARING + "/shares/pending").data == []
    assert recipient.ocs("POST", f"{SHARING}/shares/pending/{share['id']}").status == 200
    assert owner.ocs("POST", f"{SHARING}/shares/pending/{share['id']}").status == 404
    assert recipient.ocs("POST", f"{SHARING}/shares/pending/999999").status == 404


def test_shares_of_deleted_items_are_not_listed(mesh, new_user):
    owner = _owner_with_folder(mesh, new_user)
    other = Client(mesh.site("a").url, new_user("a"))
    owner.share("/proj", 0, other.user)
    assert owner.dav("DELETE", "proj").status_code == 204
    assert owner.ocs("GET", SHARING + "/shares").data == []
    assert other.ocs("GET", SHARING + "/shares", params={"shared_with_me": "true"}).data == []
    hrefs = [item.href for item in parse_multistatus(other.listing().content)]
    assert hrefs == [f"/remote.php/dav/files/{other.user}/"]  # no dangling mount


def test_odd_names_share_and_open(mesh, new_user):
    odd = "Data #1 50% ü+?"
    owner = Client(mesh.site("a").url, new_user("a"))
    owner.mkdir(requests.utils.quote(odd))
    owner.put(requests.utils.quote(f"{odd}/n b.ipynb"), NOTEBOOK)
    recipient = Client(mesh.site("a").url, new_user("a"))
    reply = owner.share(f"/{odd}", 0, recipient.user)
    assert reply.status == 200 and reply.data["path"] == f"/{odd}"
    got = recipient.dav("GET", requests.utils.quote(f"{odd}/n b.ipynb"))
    assert got.status_code == 200 and got.content == NOTEBOOK


def test_sharees_find_users_and_groups_exactly_and_partially(mesh, new_user):
    searcher = Client(mesh.site("a").url, new_user("a"))
    target = new_user("a", display_name="Grace Hopper", groups=("navy-lab",))
    exact = searcher.ocs("GET", SHARING + "/sharees", params={"search": target.user}).data
    assert [u["value"] for u in exact["exact"]["users"]] == [
        {"shareType": 0, "shareWith": target.user}
    ]
    partial = searcher.ocs("GET", SHARING + "/sharees", params={"search": "hopp"}).data
    assert {"shareType": 0, "shareWith": target.user} in [u["value"] for u in partial["users"]]
    groups = searcher.ocs("GET", SHARING + "/sharees", params={"search": "navy-lab"}).data
    assert groups["exact"]["groups"] == [
        {"label": "navy-lab", "value": {"shareType": 1, "shareWith": "navy-lab"}}
    ]
    only_groups = searcher.ocs(
        "GET", SHARING + "/sharees", params={"search": "hopp", "shareType[]": "1"}
    ).data
    assert only_groups["users"] == []
    me = searcher.ocs("GET", SHARING + "/sharees", params={"search": searcher.user}).data
    assert me["exact"]["users"] == []  # never offered to share with yourself


def test_sharees_turn_a_typed_cloud_id_into_an_exact_remote(mesh, new_user):
    searcher = Client(mesh.site("a").url, new_user("a"))
    address = f"bob@{mesh.site('b').url}"
    remotes = searcher.ocs("GET", SHARING + "/sharees", params={"search": address}).data
    assert [r["value"] for r in remotes["exact"]["remotes"]] == [
        {"shareType": 6, "shareWith": address, "server": mesh.site("b").url}
    ]


def test_shares_follow_their_item_when_the_owner_renames_it(mesh, new_user):
    owner = _owner_with_folder(mesh, new_user)
    recipient = Client(mesh.site("a").url, new_user("a"))
    user_share = owner.share("/proj", 0, recipient.user).data
    link = owner.share("/proj", 3).data
    moved = owner.dav("MOVE", "proj", headers={"Destination": owner.dav_url("renamed")})
    assert moved.status_code == 201
    assert owner.ocs("GET", f"{SHARING}/shares/{user_share['id']}").data[0]["path"] == "/renamed"
    assert recipient.dav("GET", "proj/analysis.ipynb").content == NOTEBOOK  # same mount name
    public = requests.get(
        f"{mesh.site('a').url}/public.php/webdav/analysis.ipynb",
        auth=(link["token"], ""),
        timeout=30,
    )
    assert public.content == NOTEBOOK
    # A new item at the old path is not shared: shares point at the item, not the name.
    owner.mkdir("proj")
    by_path = owner.ocs("GET", SHARING + "/shares", params={"path": "/proj"}).data
    assert by_path == []
