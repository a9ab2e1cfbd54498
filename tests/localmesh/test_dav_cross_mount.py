"""COPY and MOVE across a federated mount's boundary, as Nextcloud does them.

Nextcloud copies between the recipient's own storage and a federated share (or two shares)
by reading and writing anew; a MOVE also deletes the source. The owner's site enforces its
permissions on its side; nothing is written when either side refuses. Deliberately stricter
than Nextcloud: a mount point is never a COPY/MOVE destination (403), where Nextcloud would
unshare it and put the copy in its place.
"""

from __future__ import annotations

from urllib.parse import quote

from localmesh_helpers import OC, parse_multistatus
from sharing_client import Client, cloud_id

LETTERS = (
    '<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">'
    "<d:prop><oc:permissions/></d:prop></d:propfind>"
)


def received(mesh, new_user, *, permissions: int = 31, single_file: bool = False):
    """An owner at site a shares ``fed`` (a folder, or one file) with bob at site b."""
    owner = Client(mesh.site("a").url, new_user("a"))
    bob_info = new_user("b")
    bob = Client(mesh.site("b").url, bob_info)
    owner.mkdir("fed")
    owner.mkdir("fed/sub")
    owner.put(quote("fed/sub/a b#1.ipynb"), b"A")
    owner.put("fed/sub/two.txt", b"2")
    owner.put("story.ipynb", b"the story")
    shared = "/story.ipynb" if single_file else "/fed"
    bob_id = cloud_id(bob_info, mesh.site("b").url)
    created = owner.share(shared, 6, bob_id, permissions=permissions)
    assert created.status == 200, created.meta
    (pending,) = bob.pending_remote()
    assert bob.accept_remote(pending["id"]).status == 200
    return owner, bob


def copy(client: Client, source: str, target: str, method: str = "COPY", **headers: str):
    return client.dav(
        method, quote(source), headers={"Destination": client.dav_url(quote(target)), **headers}
    )


def letters(client: Client, path: str) -> str:
    response = client.dav("PROPFIND", quote(path), headers={"Depth": "0"}, data=LETTERS)
    assert response.status_code == 207, response.text
    (item,) = parse_multistatus(response.content)
    return item.text(f"{{{OC}}}permissions")


def test_a_file_is_copied_out_of_a_federated_share_into_the_recipients_own_files(mesh, new_user):
    owner, bob = received(mesh, new_user)
    done = copy(bob, "fed/sub/a b#1.ipynb", "mine.ipynb")
    assert done.status_code == 201, done.text
    assert done.headers["OC-ETag"] and done.headers["OC-FileId"]
    assert bob.dav("GET", "mine.ipynb").content == b"A"
    assert "S" not in letters(bob, "mine.ipynb")  # bob's own now
    assert owner.dav("GET", quote("fed/sub/a b#1.ipynb")).content == b"A"
    # An existing destination: refused with Overwrite F, replaced with T.
    assert copy(bob, "fed/sub/two.txt", "mine.ipynb", Overwrite="F").status_code == 412
    assert bob.dav("GET", "mine.ipynb").content == b"A"
    assert copy(bob, "fed/sub/two.txt", "mine.ipynb").status_code == 204
    assert bob.dav("GET", "mine.ipynb").content == b"2"


def test_a_single_file_share_is_copied_from_its_mount_point(mesh, new_user):
    """JupyterLab's "Duplicate" of a notebook shared alone: COPY from the mount point."""
    owner, bob = received(mesh, new_user, single_file=True)
    assert copy(bob, "story.ipynb", "story-Copy1.ipynb").status_code == 201
    assert bob.dav("GET", "story-Copy1.ipynb").content == b"the story"
    assert owner.dav("GET", "story.ipynb").content == b"the story"
    assert bob.dav("GET", "story.ipynb").content == b"the story"  # still shared


def test_a_folder_is_copied_out_of_a_share_item_by_item(mesh, new_user):
    _owner, bob = received(mesh, new_user)
    assert copy(bob, "fed/sub", "copied").status_code == 201
    assert bob.dav("GET", quote("copied/a b#1.ipynb")).content == b"A"
    assert bob.dav("GET", "copied/two.txt").content == b"2"


def test_a_file_is_copied_into_a_federated_share_and_lands_at_the_owner(mesh, new_user):
    owner, bob = received(mesh, new_user)
    bob.put("notes.txt", b"bob's notes")
    done = copy(bob, "notes.txt", "fed/sub/notes.txt")
    assert done.status_code == 201, done.text
    assert owner.dav("GET", "fed/sub/notes.txt").content == b"bob's notes"
    assert owner.dav("HEAD", "fed/sub/notes.txt").headers["ETag"] == done.headers["ETag"]
    assert bob.dav("GET", "notes.txt").content == b"bob's notes"


def test_moves_across_the_boundary_take_the_source_away(mesh, new_user):
    owner, bob = received(mesh, new_user)
    assert copy(bob, "fed/sub/two.txt", "two.txt", "MOVE").status_code == 201
    assert bob.dav("GET", "two.txt").content == b"2"
    assert owner.dav("GET", "fed/sub/two.txt").status_code == 404
    assert copy(bob, "two.txt", "fed/two-back.txt", "MOVE").status_code == 201
    assert owner.dav("GET", "fed/two-back.txt").content == b"2"
    assert bob.dav("GET", "two.txt").status_code == 404


def test_a_read_only_share_refuses_before_anything_is_written(mesh, new_user):
    owner, bob = received(mesh, new_user, permissions=1)
    bob.put("notes.txt", b"bob's notes")
    assert copy(bob, "notes.txt", "fed/notes.txt").status_code == 403
    assert owner.dav("GET", "fed/notes.txt").status_code == 404
    assert copy(bob, "fed/sub/two.txt", "two.txt", "MOVE").status_code == 403
    assert bob.dav("GET", "two.txt").status_code == 404
    assert owner.dav("GET", "fed/sub/two.txt").content == b"2"
    # Reading is allowed, so is copying out.
    assert copy(bob, "fed/sub/two.txt", "two.txt").status_code == 201


def test_a_mount_point_is_never_replaced(mesh, new_user):
    owner, bob = received(mesh, new_user, single_file=True)
    bob.put("other.ipynb", b"other")
    assert copy(bob, "other.ipynb", "story.ipynb").status_code == 403
    assert copy(bob, "other.ipynb", "story.ipynb", "MOVE").status_code == 403
    assert bob.dav("GET", "story.ipynb").content == b"the story"
    assert owner.dav("GET", "story.ipynb").content == b"the story"
    assert bob.dav("GET", "other.ipynb").content == b"other"


def test_the_recipients_quota_holds_for_copies_out_of_a_share(mesh, new_user):
    _owner, bob = received(mesh, new_user)
    mesh.set_fault("b", "quota", user=bob.user, bytes=0)
    try:
        assert copy(bob, "fed/sub/two.txt", "two.txt").status_code == 507
    finally:
        mesh.clear_faults("b")
    assert bob.dav("GET", "two.txt").status_code == 404


def test_a_missing_destination_folder_is_409(mesh, new_user):
    _owner, bob = received(mesh, new_user)
    assert copy(bob, "fed/sub/two.txt", "nowhere/two.txt").status_code == 409
    bob.put("notes.txt", b"n")
    assert copy(bob, "notes.txt", "fed/nowhere/notes.txt").status_code == 409


IDS = (
    '<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">'
    "<d:prop><oc:fileid/><oc:id/></d:prop></d:propfind>"
)


def ids(client: Client, path: str) -> tuple[str, str]:
    response = client.dav("PROPFIND", quote(path), headers={"Depth": "0"}, data=IDS)
    assert response.status_code == 207, response.text
    (item,) = parse_multistatus(response.content)
    return item.text(f"{{{OC}}}fileid"), item.text(f"{{{OC}}}id")


def test_items_of_a_federated_share_have_ids_of_the_recipients_site(mesh, new_user):
    """As on Nextcloud, the recipient's site numbers them itself, so an id never names two
    items there, and its versions area keeps no versions of them (404)."""
    owner, bob = received(mesh, new_user)
    bob.put("own.txt", b"mine")
    _, own_oc_id = ids(bob, "own.txt")
    instance = own_oc_id.lstrip("0123456789")
    for path in ("fed", "fed/sub", "fed/sub/two.txt"):
        fileid, oc_id = ids(bob, path)
        assert (fileid, oc_id) == ids(bob, path)  # stable
        assert fileid not in {ids(bob, "own.txt")[0], ids(owner, path)[0]}
        assert oc_id == f"{int(fileid):08d}{instance}"
    fileid, oc_id = ids(bob, "fed/sub/two.txt")
    versions = f"{mesh.site('b').url}/remote.php/dav/versions/{bob.user}/versions/{fileid}/"
    assert bob.http.request("PROPFIND", versions, headers={"Depth": "1"}).status_code == 404
    written = bob.dav("PUT", "fed/sub/two.txt", data=b"22")
    assert written.status_code == 204
    assert written.headers["OC-FileId"] == oc_id
