"""WebDAV at /remote.php/dav/files/<user>/ behaves as Nextcloud 32 does for a client.

Where the local mesh deliberately differs from Nextcloud the test says so and why.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time

import pytest
import requests
from defusedxml import ElementTree
from localmesh_helpers import NC, OC, D, parse_multistatus

SABRE = "http://sabredav.org/ns"


def sabre_error(response: requests.Response) -> tuple[str, str]:
    root = ElementTree.fromstring(response.content)
    return root.findtext(f"{{{SABRE}}}exception"), root.findtext(f"{{{SABRE}}}message")


def test_status_php_answers_without_login(mesh):
    body = requests.get(mesh.site("a").url + "/status.php", timeout=10).json()
    assert body["installed"] is True
    assert body["maintenance"] is False
    assert body["productname"] == "Nextcloud"


def test_missing_or_wrong_credentials_get_401_with_basic_challenge(mesh, new_user):
    user = new_user()
    url = f"{mesh.site('a').url}/remote.php/dav/files/{user.user}/"
    for auth in (None, (user.user, "wrong")):
        response = requests.request("PROPFIND", url, auth=auth, timeout=10)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith('Basic realm="Nextcloud"')
        assert sabre_error(response)[0] == "Sabre\\DAV\\Exception\\NotAuthenticated"
        assert "wrong" not in response.text


def test_xhr_callers_get_a_challenge_browsers_do_not_prompt_for(mesh):
    response = requests.request(
        "PROPFIND",
        mesh.site("a").url + "/remote.php/dav/files/alice/",
        headers={"X-Requested-With": "XMLHttpRequest"},
        timeout=10,
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("DummyBasic")


@pytest.mark.parametrize("credential", ["password", "app_password", "token"])
def test_password_app_password_and_bearer_token_all_log_in(mesh, new_user, credential):
    user = new_user()
    url = f"{mesh.site('a').url}/remote.php/dav/files/{user.user}/"
    secret = getattr(user, credential)
    kwargs = (
        {"headers": {"Authorization": f"Bearer {secret}", "Depth": "0"}}
        if credential == "token"
        else {"auth": (user.user, secret), "headers": {"Depth": "0"}}
    )
    assert requests.request("PROPFIND", url, timeout=10, **kwargs).status_code == 207


def test_another_users_tree_is_not_found(mesh, new_user, dav):
    alice, eve = new_user(), new_user()
    response = dav(eve).http.request(
        "PROPFIND", f"{mesh.site('a').url}/remote.php/dav/files/{alice.user}/", timeout=10
    )
    assert response.status_code == 404


def test_put_then_get_round_trips_with_nextcloud_write_headers(new_user, dav):
    session = dav(new_user())
    data = bytes(range(256)) * 1000
    sha1 = hashlib.sha1(data).hexdigest()  # noqa: S324
    created = session.put("data.bin", data, headers={"OC-Checksum": f"SHA1:{sha1}"})
    assert created.status_code == 201
    etag = created.headers["ETag"]
    assert re.fullmatch(r'"[^"]+"', etag)
    assert created.headers["OC-ETag"] == etag
    assert re.fullmatch(r"\d{8}oc[a-z0-9]+", created.headers["OC-FileId"])
    got = session.request("GET", "data.bin")
    assert got.status_code == 200
    assert got.content == data
    assert got.headers["ETag"] == etag
    assert got.headers["OC-Checksum"] == f"SHA1:{sha1}"  # the one the client sent
    # A sync client's write (its own file time) gets a new ETag; no checksum sent, none kept.
    replaced = session.put("data.bin", b"new", headers={"X-OC-MTime": "1000000000"})
    assert replaced.status_code == 204
    assert replaced.headers["ETag"] != etag
    got = session.request("GET", "data.bin")
    assert got.content == b"new"
    assert "OC-Checksum" not in got.headers


def test_streamed_put_without_content_length_is_stored_whole(new_user, dav):
    session = dav(new_user())
    chunks = [b"a" * 70000, b"b" * 5, b"c" * 123]
    assert session.put("streamed.txt", iter(chunks)).status_code == 201
    assert session.request("GET", "streamed.txt").content == b"".join(chunks)


def test_range_get_returns_the_requested_bytes(new_user, dav):
    session = dav(new_user())
    session.put("r.txt", b"0123456789")
    response = session.request("GET", "r.txt", headers={"Range": "bytes=2-4"})
    assert response.status_code == 206
    assert response.content == b"234"


def test_propfind_reports_nextcloud_properties(mesh, new_user, dav):
    session = dav(new_user())
    session.mkcol("nb")
    sha1 = hashlib.sha1(b"{}").hexdigest()  # noqa: S324
    session.put("nb/a.ipynb", b"{}", headers={"OC-Checksum": f"SHA1:{sha1} MD5:ab12"})
    session.put("nb/b.txt", b"no checksum sent")
    folder, child, unchecked = session.propfind("nb", [*_ALL_PROPS])
    assert folder.href == session.root + "nb/"
    assert folder.props[f"{{{D}}}resourcetype"].find(f"{{{D}}}collection") is not None
    assert re.fullmatch(r'"[^"]+"', folder.text(f"{{{D}}}getetag"))
    assert folder.text(f"{{{OC}}}permissions") == "RGDNVCK"
    assert folder.text(f"{{{OC}}}size") == str(2 + len(b"no checksum sent"))
    assert f"{{{D}}}getcontentlength" in folder.missing
    assert folder.text(f"{{{D}}}getcontenttype") == "httpd/unix-directory"
    assert child.href == session.root + "nb/a.ipynb"
    assert child.text(f"{{{OC}}}permissions") == "RGDNVW"
    assert child.text(f"{{{D}}}getcontentlength") == "2"
    assert child.text(f"{{{D}}}getcontenttype") == "application/x-ipynb+json"
    fileid = child.text(f"{{{OC}}}fileid")
    assert child.text(f"{{{OC}}}id").startswith(f"{int(fileid):08d}oc")
    # Nextcloud keeps what the client sent, one element per algorithm, and nothing else.
    checksums = child.props[f"{{{OC}}}checksums"].findall(f"{{{OC}}}checksum")
    assert [c.text for c in checksums] == [f"SHA1:{sha1}", "MD5:ab12"]
    assert f"{{{OC}}}checksums" in unchecked.missing
    assert child.text(f"{{{NC}}}mount-type") in (None, "")
    assert f"{{{OC}}}no-such-prop" in child.missing


def test_quota_properties_only_when_asked_for(new_user, dav):
    session = dav(new_user())
    session.put("f.txt", b"12345")
    allprop = session.request("PROPFIND", "", headers={"Depth": "0"})
    assert b"quota-used-bytes" not in allprop.content
    home = session.stat("", [f"{{{D}}}quota-used-bytes", f"{{{D}}}quota-available-bytes"])
    assert home.text(f"{{{D}}}quota-used-bytes") == "5"
    assert home.text(f"{{{D}}}quota-available-bytes") == "-3"  # unlimited


def test_missing_depth_means_one_like_sabre(new_user, dav):
    session = dav(new_user())
    session.mkcol("x")
    session.put("x/deep.txt")
    hrefs = [item.href for item in session.propfind("", depth=None)]
    assert hrefs == [session.root, session.root + "x/"]
    deep = [item.href for item in session.propfind("", depth="infinity")]
    assert session.root + "x/deep.txt" in deep


def test_etag_changes_on_every_write_and_propagates_to_all_ancestors(new_user, dav, variant):
    """With the Reva/oCIS-like variant; Nextcloud 32 changes a file's ETag at most once a
    second (test_dav_etags.py)."""
    variant("etag-every-write")
    session = dav(new_user())
    session.mkcol("a")
    session.mkcol("a/b")
    session.mkcol("other")
    session.put("a/b/f.txt", b"1")

    def etags():
        return {
            item.href: item.text(f"{{{D}}}getetag")
            for item in session.propfind("", depth="infinity")
        }

    before = etags()
    for n in range(3):  # back-to-back writes in the same second each change the ETag
        session.put("a/b/f.txt", str(n))
        after = etags()
        for path in ("", "a/", "a/b/", "a/b/f.txt"):
            assert after[session.root + path] != before[session.root + path], path
        assert after[session.root + "other/"] == before[session.root + "other/"]
        before = after


def test_if_match_guards_saves(new_user, dav):
    session = dav(new_user())
    # An older file time, as a sync client sends: the next write is in a later second.
    etag = session.put("f.txt", b"v1", headers={"X-OC-MTime": "1000000000"}).headers["ETag"]
    current = session.put("f.txt", b"v2", headers={"If-Match": etag})
    assert current.status_code == 204
    stale = session.put("f.txt", b"v3", headers={"If-Match": etag})
    assert stale.status_code == 412
    assert sabre_error(stale)[0] == "Sabre\\DAV\\Exception\\PreconditionFailed"
    assert session.request("GET", "f.txt").content == b"v2"
    exists = session.put("f.txt", b"v4", headers={"If-None-Match": "*"})
    assert exists.status_code == 412
    missing = session.put("new.txt", b"x", headers={"If-Match": etag})
    assert missing.status_code == 412
    assert session.request("GET", "new.txt").status_code == 404


def test_x_oc_mtime_is_accepted_and_reported(new_user, dav):
    session = dav(new_user())
    response = session.put("old.txt", b"x", headers={"X-OC-MTime": "1000000000"})
    assert response.headers["X-OC-MTime"] == "accepted"
    item = session.stat("old.txt")
    assert item.text(f"{{{D}}}getlastmodified") == "Sun, 09 Sep 2001 01:46:40 GMT"
    bad = session.put("old.txt", b"y", headers={"X-OC-MTime": "yesterday"})
    assert bad.status_code == 400
    assert session.request("GET", "old.txt").content == b"x"


def test_put_into_a_missing_folder_is_404_as_on_nextcloud_32(new_user, dav):
    session = dav(new_user())
    assert session.put("nope/f.txt").status_code == 404
    assert session.mkcol("nope/sub").status_code == 409
    session.put("file")
    assert session.put("file/f.txt").status_code == 409


def test_mkcol_on_existing_path_is_405(new_user, dav):
    session = dav(new_user())
    assert session.mkcol("d").status_code == 201
    assert session.mkcol("d").status_code == 405


def test_move_keeps_the_file_id_and_copy_makes_a_new_one(new_user, dav):
    session = dav(new_user())
    session.put("a.txt", b"A")
    fileid = session.stat("a.txt").text(f"{{{OC}}}fileid")
    moved = session.move("a.txt", "b.txt")
    assert moved.status_code == 201
    assert moved.headers["OC-FileId"].startswith(f"{int(fileid):08d}")
    assert moved.headers["ETag"] == moved.headers["OC-ETag"]
    assert session.request("GET", "a.txt").status_code == 404
    assert session.stat("b.txt").text(f"{{{OC}}}fileid") == fileid
    copied = session.move("b.txt", "c.txt", copy=True)
    assert copied.status_code == 201
    assert session.stat("c.txt").text(f"{{{OC}}}fileid") != fileid
    assert session.request("GET", "c.txt").content == b"A"


def test_move_and_copy_respect_overwrite_and_destination_parent(new_user, dav):
    session = dav(new_user())
    session.put("a.txt", b"A")
    session.put("b.txt", b"B")
    for copy in (False, True):
        refused = session.move("a.txt", "b.txt", copy=copy, Overwrite="F")
        assert refused.status_code == 412
        assert session.request("GET", "b.txt").content == b"B"
    assert session.move("a.txt", "missing/a.txt").status_code == 409
    assert session.move("a.txt", "b.txt", copy=True).status_code == 204
    assert session.request("GET", "b.txt").content == b"A"
    assert session.move("a.txt", "b.txt", Overwrite="X").status_code == 400


def test_moving_a_folder_moves_its_content_and_keeps_ids(new_user, dav):
    session = dav(new_user())
    session.mkcol("p")
    session.put("p/in.txt", b"i")
    inner_id = session.stat("p/in.txt").text(f"{{{OC}}}fileid")
    assert session.move("p", "q").status_code == 201
    assert session.stat("q/in.txt").text(f"{{{OC}}}fileid") == inner_id
    assert session.move("q", "q/sub").status_code == 403


def test_delete_removes_file_and_folder_trees(new_user, dav):
    session = dav(new_user())
    session.mkcol("t")
    session.put("t/f.txt")
    assert session.request("DELETE", "t").status_code == 204
    assert session.request("GET", "t/f.txt").status_code == 404
    missing = session.request("DELETE", "t")
    assert missing.status_code == 404
    assert sabre_error(missing)[0] == "Sabre\\DAV\\Exception\\NotFound"
    assert session.request("DELETE", "").status_code == 403


ODD_NAMES = [
    "with space.ipynb",
    "ünïcødé ñ.txt",
    "hash#1.txt",
    "100%.txt",
    "what?.txt",
    "a+b.txt",
    "semi;colon.txt",
    "quote'\"s.txt",
    "日本語.ipynb",
    "amp&lt.txt",
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_names_round_trip_through_put_propfind_move_and_get(new_user, dav, name):
    session = dav(new_user())
    session.mkcol("dir")
    assert session.put(f"dir/{name}", name.encode()).status_code == 201
    hrefs = [item.href for item in session.propfind("dir")]
    assert hrefs == [session.root + "dir/", session.root + "dir/" + name]
    raw_href = session.propfind("dir")[1].raw_href
    assert re.fullmatch(r"[A-Za-z0-9/!*'(),$_|.%-]*", raw_href), raw_href  # all else escaped
    assert session.move(f"dir/{name}", f"renamed {name}").status_code == 201
    assert session.request("GET", f"renamed {name}").content == name.encode()


def test_locking_is_not_offered_like_nextcloud_core(new_user, dav):
    session = dav(new_user())
    session.put("f.txt")
    options = session.request("OPTIONS", "")
    assert options.status_code == 200
    assert "2" not in [level.strip() for level in options.headers["DAV"].split(",")]
    assert session.request("LOCK", "f.txt").status_code == 501


def test_legacy_webdav_root_is_the_callers_home(mesh, new_user, dav):
    user = new_user()
    dav(user).put("legacy.txt", b"L")
    response = requests.get(
        f"{mesh.site('a').url}/remote.php/webdav/legacy.txt",
        auth=(user.user, user.password),
        timeout=10,
    )
    assert response.content == b"L"
    listing = requests.request(
        "PROPFIND",
        f"{mesh.site('a').url}/remote.php/webdav/",
        auth=(user.user, user.password),
        headers={"Depth": "1"},
        timeout=10,
    )
    hrefs = [item.href for item in parse_multistatus(listing.content)]
    assert "/remote.php/webdav/legacy.txt" in hrefs


def test_unknown_endpoint_is_404_with_an_error_body(mesh):
    response = requests.get(mesh.site("a").url + "/no/such/thing", timeout=10)
    assert response.status_code == 404
    assert "Traceback" not in response.text


_ALL_PROPS = [
    f"{{{D}}}resourcetype",
    f"{{{D}}}getetag",
    f"{{{D}}}getcontentlength",
    f"{{{D}}}getcontenttype",
    f"{{{OC}}}fileid",
    f"{{{OC}}}id",
    f"{{{OC}}}permissions",
    f"{{{OC}}}size",
    f"{{{OC}}}checksums",
    f"{{{NC}}}mount-type",
    f"{{{OC}}}no-such-prop",
]


@pytest.mark.parametrize("name", ["x" * 251, "tab\there.txt", "new\nline.txt"])
def test_unusable_names_are_refused_with_a_reason_and_nothing_is_created(new_user, dav, name):
    """Control characters could not be listed in PROPFIND XML; NC also caps names at 250."""
    session = dav(new_user())
    refused = session.put(name, b"x")
    assert refused.status_code == 400
    assert "Invalid path" in sabre_error(refused)[1]
    assert len(session.propfind("")) == 1  # only the home itself
    session.put("ok.txt")
    assert session.move("ok.txt", name).status_code == 400
    assert session.request("GET", "ok.txt").status_code == 200


def test_two_saves_based_on_the_same_etag_cannot_both_win(new_user, dav):
    """The If-Match check is repeated when the body is complete, so a save whose body was
    still uploading when another one landed is refused instead of silently overwriting it."""
    user = new_user()
    # An older file time, so the winner's write gets a new ETag even within this second.
    etag = dav(user).put("nb.ipynb", b"base", headers={"X-OC-MTime": "1000000000"}).headers["ETag"]
    both_sent_headers = threading.Barrier(2, timeout=30)

    def body(tag: bytes):
        yield tag
        both_sent_headers.wait()
        time.sleep(0.2)  # lets both requests pass the early If-Match check (not an assertion)
        yield b"-end"

    results: dict[bytes, int] = {}

    def save(tag: bytes) -> None:
        response = dav(user).put("nb.ipynb", body(tag), headers={"If-Match": etag})
        results[tag] = response.status_code

    threads = [threading.Thread(target=save, args=(tag,)) for tag in (b"A", b"B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results.values()) == [204, 412]
    winner = next(tag for tag, status in results.items() if status == 204)
    assert dav(user).request("GET", "nb.ipynb").content == winner + b"-end"


def test_successful_writes_answer_without_a_body_like_nextcloud(new_user, dav):
    session = dav(new_user())
    for response in (session.mkcol("d"), session.put("d/f.txt", b"x")):
        assert response.status_code == 201
        assert response.content == b""
