"""ETags, checksums and versions as Nextcloud 32 keeps them (docs/protocols.md §8).

Nextcloud keeps a file's ETag when a write leaves its modification time in the second it
already had, and keeps one version per second. The local mesh does the same by default, so
a client's defence against it can be tested; the ``etag-every-write`` variant behaves like
Reva/oCIS instead. Also here: version labels, the ``check-changes`` variant (files changed on
the site's disk) and downloads that stay consistent while a file is overwritten.
"""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import requests
from localmesh_helpers import NC, OC, D, parse_multistatus

_LABEL = (
    '<d:propertyupdate xmlns:d="DAV:" xmlns:nc="http://nextcloud.org/ns"><d:set><d:prop>'
    "<nc:version-label>{}</nc:version-label></d:prop></d:set></d:propertyupdate>"
)
_VERSION_PROPS = (
    '<d:propfind xmlns:d="DAV:" xmlns:nc="http://nextcloud.org/ns"><d:prop>'
    "<d:getlastmodified/><nc:version-label/></d:prop></d:propfind>"
)


def at_the_start_of_a_second() -> None:
    """Wait for a fresh clock second, so the next few requests land within one."""
    time.sleep(1.02 - time.time() % 1)


def _versions(session, user) -> tuple[str, list]:
    fileid = session.stat("nb.ipynb").text(f"{{{OC}}}fileid")
    base = f"{session.base}/remote.php/dav/versions/{user.user}/versions/{fileid}"
    listing = session.http.request(
        "PROPFIND", base, headers={"Depth": "1"}, data=_VERSION_PROPS, timeout=10
    )
    assert listing.status_code == 207
    return base, parse_multistatus(listing.content)[1:]


def test_a_write_in_the_same_second_keeps_the_etag_so_a_stale_if_match_passes(new_user, dav):
    session = dav(new_user())
    at_the_start_of_a_second()
    first = session.put("f.txt", b"from A").headers["ETag"]
    second = session.put("f.txt", b"from A, longer").headers["ETag"]
    assert second == first
    stale = session.put("f.txt", b"from B", headers={"If-Match": first})
    assert stale.status_code == 204  # what Nextcloud 32 does: A's second write is lost


def test_a_write_with_another_file_time_gets_a_new_etag_even_in_the_same_second(new_user, dav):
    session = dav(new_user())
    at_the_start_of_a_second()
    first = session.put("f.txt", b"v1").headers["ETag"]
    moved = session.put("f.txt", b"v2", headers={"X-OC-MTime": str(int(time.time()) - 1)})
    assert moved.headers["ETag"] != first
    assert session.put("f.txt", b"v3", headers={"If-Match": first}).status_code == 412


def test_every_write_gets_a_new_etag_with_the_reva_like_variant(new_user, dav, variant):
    variant("etag-every-write")
    session = dav(new_user())
    at_the_start_of_a_second()
    first = session.put("f.txt", b"v1").headers["ETag"]
    assert session.put("f.txt", b"v2").headers["ETag"] != first


def test_writes_of_one_second_collapse_into_one_version(new_user, dav):
    user = new_user()
    session = dav(user)
    session.put("nb.ipynb", b"old", headers={"X-OC-MTime": "1000000000"})
    at_the_start_of_a_second()
    for n in range(3):
        session.put("nb.ipynb", b"v%d" % n)
    base, items = _versions(session, user)
    names = sorted(item.href.rsplit("/", 1)[-1] for item in items)
    assert names[0] == "1000000000"  # the content of another second is kept
    assert len(names) == 2  # the three contents of this second are one: the current one
    assert session.http.get(f"{base}/1000000000", timeout=10).content == b"old"


def test_a_labelled_current_version_keeps_its_label_and_bytes_once_replaced(new_user, dav):
    user = new_user()
    session = dav(user)
    session.put("nb.ipynb", b"captured", headers={"X-OC-MTime": "1000000000"})
    base, [_current] = _versions(session, user)
    labelled = session.http.request(
        "PROPPATCH", f"{base}/1000000000", data=_LABEL.format("checkpoint"), timeout=10
    )
    assert labelled.status_code == 207
    session.put("nb.ipynb", b"later", headers={"X-OC-MTime": "1000000001"})

    _, items = _versions(session, user)
    labels = {item.href.rsplit("/", 1)[-1]: item.text(f"{{{NC}}}version-label") for item in items}
    assert labels == {"1000000000": "checkpoint", "1000000001": None}
    assert session.http.get(f"{base}/1000000000", timeout=10).content == b"captured"
    removed = session.http.request(
        "PROPPATCH", f"{base}/1000000000", data=_LABEL.format(""), timeout=10
    )
    assert removed.status_code == 207
    _, items = _versions(session, user)
    assert all(item.text(f"{{{NC}}}version-label") is None for item in items)


def test_the_checksum_a_client_sends_is_kept_until_a_write_without_one(new_user, dav):
    session = dav(new_user())
    sha1 = hashlib.sha1(b"ours").hexdigest()  # noqa: S324
    session.put("f.txt", b"ours", headers={"OC-Checksum": f"SHA1:{sha1}"})
    assert session.request("GET", "f.txt").headers["OC-Checksum"] == f"SHA1:{sha1}"
    session.put("f.txt", b"theirs")
    assert "OC-Checksum" not in session.request("GET", "f.txt").headers
    item = session.propfind("f.txt", [f"{{{OC}}}checksums"], depth="0")[0]
    assert f"{{{OC}}}checksums" in item.missing


def test_changes_made_on_the_disk_are_noticed_with_check_changes(mesh, new_user, dav, variant):
    user = new_user()
    session = dav(user)
    session.put("gone.txt", b"x")
    home = Path(mesh.data_dir) / "a" / "files" / user.user
    (home / "made on disk").mkdir()
    (home / "made on disk" / "inner.txt").write_bytes(b"inner")
    (home / "gone.txt").unlink()
    variant("check-changes")

    names = {item.href.rstrip("/").rsplit("/", 1)[-1] for item in session.propfind("")[1:]}
    assert names == {"made on disk"}
    assert session.request("GET", "made on disk/inner.txt").content == b"inner"
    assert session.put("made on disk/new.txt", b"new").status_code == 201
    (home / "made on disk" / "inner.txt").write_bytes(b"changed on disk")
    assert session.request("GET", "made on disk/inner.txt").content == b"changed on disk"
    item = session.stat("made on disk/inner.txt")
    assert item.text(f"{{{D}}}getcontentlength") == str(len(b"changed on disk"))


def test_a_download_during_overwrites_always_matches_its_headers(new_user, dav):
    """Size, ETag and body of a GET describe one content, however an overwrite is timed."""
    user = new_user()
    session = dav(user)
    contents = {b"a" * 30_000, b"b" * 10_000}
    session.put("big.bin", b"a" * 30_000)
    stop = threading.Event()

    def overwrite() -> None:
        writer = dav(user)
        n = 0
        while not stop.is_set():
            writer.put("big.bin", sorted(contents)[n % 2], headers={"X-OC-MTime": str(10**9 + n)})
            n += 1

    thread = threading.Thread(target=overwrite)
    thread.start()
    etags: dict[str, bytes] = {}
    try:
        for _ in range(1000):
            try:
                response = session.request("GET", "big.bin")
            except requests.exceptions.ChunkedEncodingError as err:
                raise AssertionError(f"the body did not match its Content-Length: {err}") from None
            assert response.content in contents
            assert len(response.content) == int(response.headers["Content-Length"])
            assert etags.setdefault(response.headers["ETag"], response.content) == response.content
    finally:
        stop.set()
        thread.join(30)
