"""DELETE keeps items in the trash bin (Nextcloud's /remote.php/dav/trashbin/<user>/)."""

from __future__ import annotations

from localmesh_helpers import NC, OC, parse_multistatus

TRASH_PROPS = (
    '<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" '
    'xmlns:nc="http://nextcloud.org/ns"><d:prop><d:resourcetype/><oc:fileid/>'
    "<nc:trashbin-filename/><nc:trashbin-original-location/><nc:trashbin-deletion-time/>"
    "</d:prop></d:propfind>"
)


def trash_listing(session) -> list:
    url = f"{session.base}/remote.php/dav/trashbin/{session.user.user}/trash"
    response = session.http.request("PROPFIND", url, headers={"Depth": "1"}, data=TRASH_PROPS)
    assert response.status_code == 207, response.text
    return parse_multistatus(response.content)[1:]


def test_deleted_items_are_listed_and_restored_with_their_ids(new_user, dav):
    session = dav(new_user())
    session.mkcol("nb")
    session.put("nb/a b.ipynb", b"A")
    fileid = session.stat("nb/a b.ipynb").text(f"{{{OC}}}fileid")
    assert session.request("DELETE", "nb/a b.ipynb").status_code == 204
    [item] = trash_listing(session)
    assert item.text(f"{{{NC}}}trashbin-filename") == "a b.ipynb"
    assert item.text(f"{{{NC}}}trashbin-original-location") == "nb/a b.ipynb"
    assert int(item.text(f"{{{NC}}}trashbin-deletion-time")) > 0
    assert item.text(f"{{{OC}}}fileid") == fileid
    restored = session.http.request(
        "MOVE",
        session.base + item.raw_href,
        headers={
            "Destination": f"{session.base}/remote.php/dav/trashbin/{session.user.user}/restore/x"
        },
    )
    assert restored.status_code == 201
    assert session.request("GET", "nb/a b.ipynb").content == b"A"
    assert session.stat("nb/a b.ipynb").text(f"{{{OC}}}fileid") == fileid
    assert trash_listing(session) == []


def test_restore_never_overwrites_and_falls_back_to_the_home(new_user, dav):
    session = dav(new_user())
    session.mkcol("gone")
    session.put("gone/x.ipynb", b"old")
    session.request("DELETE", "gone/x.ipynb")
    session.request("DELETE", "gone")
    session.put("x.ipynb", b"taken")
    restore = {
        "Destination": f"{session.base}/remote.php/dav/trashbin/{session.user.user}/restore/r"
    }
    file_item = next(
        i for i in trash_listing(session) if i.href.rstrip("/").split("/")[-1].startswith("x.ipynb")
    )
    assert (
        session.http.request("MOVE", session.base + file_item.raw_href, headers=restore).status_code
        == 201
    )
    assert session.request("GET", "x.ipynb").content == b"taken"
    assert session.request("GET", "x (restored 2).ipynb").content == b"old"


def test_purging_and_emptying_the_trash(new_user, dav):
    session = dav(new_user())
    for name in ("1.txt", "2.txt", "3.txt"):
        session.put(name)
        session.request("DELETE", name)
    first = trash_listing(session)[0]
    assert session.http.delete(session.base + first.raw_href).status_code == 204
    assert len(trash_listing(session)) == 2
    url = f"{session.base}/remote.php/dav/trashbin/{session.user.user}/trash"
    assert session.http.delete(url).status_code == 204
    assert trash_listing(session) == []


def test_trash_does_not_count_against_quota_and_is_private(mesh, new_user, dav):
    owner, other = new_user(), new_user()
    session = dav(owner)
    session.put("big.bin", b"x" * 100)
    session.request("DELETE", "big.bin")
    used = session.stat("", ["{DAV:}quota-used-bytes"]).text("{DAV:}quota-used-bytes")
    assert used == "0"
    url = f"{mesh.site('a').url}/remote.php/dav/trashbin/{owner.user}/trash"
    assert dav(other).http.request("PROPFIND", url).status_code == 404
