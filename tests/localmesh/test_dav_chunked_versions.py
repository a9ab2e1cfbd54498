"""Nextcloud chunked upload v2 and file versions, as the contents manager uses them."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from localmesh_helpers import NC, OC, D, parse_multistatus
from sharing_client import SHARING, Client


@pytest.fixture
def upload(dav):
    """``upload(user)`` -> (session, base URL of the user's uploads folder)."""

    def make(user):
        session = dav(user)
        base = f"{session.base}/remote.php/dav/uploads/{user.user}"
        return session, base

    return make


def test_chunked_upload_assembles_in_numeric_order_and_appears_at_once(new_user, upload):
    session, base = upload(new_user())
    session.mkcol("nb")
    destination = session.url("nb/big file.ipynb")
    headers = {"Destination": destination}
    assert session.http.request("MKCOL", f"{base}/up-1", headers=headers).status_code == 201
    parts = {1: b"first-", 2: b"second-", 10: b"tenth"}  # 10 sorts after 2 numerically
    for number, data in sorted(parts.items(), reverse=True):
        put = session.http.put(f"{base}/up-1/{number}", data=data, headers=headers)
        assert put.status_code == 201
    listing = session.http.request("PROPFIND", f"{base}/up-1/", headers={"Depth": "1"})
    assert len(parse_multistatus(listing.content)) == 4
    assert session.request("GET", "nb/big file.ipynb").status_code == 404  # nothing yet
    done = session.http.request(
        "MOVE",
        f"{base}/up-1/.file",
        headers={**headers, "OC-Total-Length": "18", "X-OC-MTime": "1500000000"},
    )
    assert done.status_code == 201
    assert done.headers["ETag"] == done.headers["OC-ETag"]
    assert done.headers["X-OC-MTime"] == "accepted"
    assert session.request("GET", "nb/big file.ipynb").content == b"first-second-tenth"
    item = session.stat("nb/big file.ipynb")
    assert item.text(f"{{{D}}}getetag") == done.headers["ETag"]
    assert session.http.request("PROPFIND", f"{base}/up-1/").status_code == 404  # cleaned up


def test_chunked_upload_over_an_existing_file_honours_if_match(new_user, upload):
    session, base = upload(new_user())
    etag = session.put("f.bin", b"old").headers["ETag"]
    headers = {"Destination": session.url("f.bin")}
    session.http.request("MKCOL", f"{base}/u2", headers=headers)
    session.http.put(f"{base}/u2/1", data=b"new", headers=headers)
    stale = session.http.request("MOVE", f"{base}/u2/.file", headers={**headers, "If-Match": '"x"'})
    assert stale.status_code == 412
    ok = session.http.request("MOVE", f"{base}/u2/.file", headers={**headers, "If-Match": etag})
    assert ok.status_code == 204
    assert session.request("GET", "f.bin").content == b"new"


def test_deleting_the_upload_folder_aborts(new_user, upload):
    session, base = upload(new_user())
    headers = {"Destination": session.url("never.bin")}
    session.http.request("MKCOL", f"{base}/u3", headers=headers)
    session.http.put(f"{base}/u3/1", data=b"x", headers=headers)
    assert session.http.delete(f"{base}/u3").status_code == 204
    gone = session.http.request("MOVE", f"{base}/u3/.file", headers=headers)
    assert gone.status_code == 404
    assert session.request("GET", "never.bin").status_code == 404


def test_idle_uploads_expire(mesh, new_user, upload):
    session, base = upload(new_user())
    headers = {"Destination": session.url("late.bin")}
    session.http.request("MKCOL", f"{base}/u4", headers=headers)
    session.http.put(f"{base}/u4/1", data=b"x", headers=headers)
    assert mesh.expire_uploads("a", idle_seconds=3600) == 0  # still fresh
    assert mesh.expire_uploads("a", idle_seconds=0) >= 1
    assert session.http.request("MOVE", f"{base}/u4/.file", headers=headers).status_code == 404


def test_chunked_upload_over_quota_is_507_and_stores_nothing(mesh, new_user, upload):
    user = new_user()
    session, base = upload(user)
    headers = {"Destination": session.url("q.bin")}
    session.http.request("MKCOL", f"{base}/u5", headers=headers)
    session.http.put(f"{base}/u5/1", data=b"x" * 8, headers=headers)
    mesh.set_fault("a", "quota", user=user.user, bytes=5)
    try:
        early = session.http.put(
            f"{base}/u5/2", data=b"y", headers={**headers, "OC-Total-Length": "9"}
        )
        assert early.status_code == 507
        late = session.http.request("MOVE", f"{base}/u5/.file", headers=headers)
        assert late.status_code == 507
        assert session.request("GET", "q.bin").status_code == 404
    finally:
        mesh.clear_faults("a")


def test_uploads_of_another_user_are_not_found(mesh, new_user, dav):
    owner, other = new_user(), new_user()
    url = f"{mesh.site('a').url}/remote.php/dav/uploads/{owner.user}/x"
    assert dav(other).http.request("MKCOL", url).status_code == 404


def test_every_overwrite_keeps_a_version_that_can_be_listed_and_restored(new_user, dav):
    user = new_user()
    session = dav(user)
    # Distinct file times, as a sync client's writes have (versions are one per second).
    for n in (1, 2, 3):
        session.put("nb.ipynb", b"v%d" % n, headers={"X-OC-MTime": str(1_000_000_000 + n)})
    fileid = session.stat("nb.ipynb").text(f"{{{OC}}}fileid")
    base = f"{session.base}/remote.php/dav/versions/{user.user}"
    listing = session.http.request(
        "PROPFIND",
        f"{base}/versions/{fileid}",
        headers={"Depth": "1"},
        data='<d:propfind xmlns:d="DAV:" xmlns:nc="http://nextcloud.org/ns"><d:prop>'
        "<d:getcontentlength/><d:getetag/><d:getlastmodified/><nc:version-author/>"
        "</d:prop></d:propfind>",
    )
    assert listing.status_code == 207
    items = parse_multistatus(listing.content)[1:]
    # Like Nextcloud: the current content is listed too, and version ETags are unquoted.
    assert len(items) == 3
    assert all('"' not in item.text(f"{{{D}}}getetag") for item in items)
    assert {item.text(f"{{{NC}}}version-author") for item in items} == {user.user}
    names = [item.href.rstrip("/").rsplit("/", 1)[-1] for item in items]
    contents = {n: session.http.get(f"{base}/versions/{fileid}/{n}") for n in names}
    assert sorted(r.content for r in contents.values() if r.status_code == 200) == [b"v1", b"v2"]
    assert [r.status_code for r in contents.values()].count(404) == 1  # the current one
    oldest = next(n for n, r in contents.items() if r.content == b"v1")
    restored = session.http.request(
        "MOVE",
        f"{base}/versions/{fileid}/{oldest}",
        headers={"Destination": f"{base}/restore/target"},
    )
    assert restored.status_code == 201
    assert session.request("GET", "nb.ipynb").content == b"v1"
    assert session.stat("nb.ipynb").text(f"{{{OC}}}fileid") == fileid
    after = session.http.request("PROPFIND", f"{base}/versions/{fileid}", headers={"Depth": "1"})
    # The folder, the current content (v1 again, listed under v1's time), v3 kept, v2.
    assert len(parse_multistatus(after.content)) == 4


def test_versions_of_someone_elses_file_are_not_found(mesh, new_user, dav):
    owner, other = new_user(), new_user()
    dav(owner).put("private.txt", b"p")
    fileid = dav(owner).stat("private.txt").text(f"{{{OC}}}fileid")
    url = f"{mesh.site('a').url}/remote.php/dav/versions/{other.user}/versions/{fileid}"
    assert dav(other).http.request("PROPFIND", url).status_code == 404


def test_recipients_of_a_user_share_see_versions_and_restore_only_with_edit_rights(mesh, new_user):
    owner, recipient = (
        Client(mesh.site("a").url, new_user()),
        Client(mesh.site("a").url, new_user()),
    )
    owner.mkdir("s")
    for mtime, data in (("1000000001", b"one"), ("1000000002", b"two")):
        written = owner.dav("PUT", "s/nb.ipynb", data=data, headers={"X-OC-MTime": mtime})
        assert written.status_code in (201, 204)
    reply = owner.share("/s", 0, recipient.user, permissions=1)
    fileid = owner.dav("PROPFIND", "s/nb.ipynb", headers={"Depth": "0"}).text
    fileid = re.search(r"<oc:fileid>(\d+)<", fileid).group(1)
    base = f"{mesh.site('a').url}/remote.php/dav/versions/{recipient.user}"
    listing = recipient.http.request(
        "PROPFIND", f"{base}/versions/{fileid}", headers={"Depth": "1"}
    )
    assert listing.status_code == 207
    old = [i.href for i in parse_multistatus(listing.content)[1:]]
    first = next(
        h for h in old if recipient.http.get(mesh.site("a").url + quote(h)).content == b"one"
    )
    restore = {"Destination": f"{base}/restore/target"}
    moved = recipient.http.request("MOVE", mesh.site("a").url + quote(first), headers=restore)
    assert moved.status_code == 403  # read-only share
    owner.ocs("PUT", f"{SHARING}/shares/{reply.data['id']}", data={"permissions": 3})
    moved = recipient.http.request("MOVE", mesh.site("a").url + quote(first), headers=restore)
    assert moved.status_code == 201
    assert owner.dav("GET", "s/nb.ipynb").content == b"one"
