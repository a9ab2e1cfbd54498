"""The WebDAV client against the local mesh's real WebDAV server (no Jupyter involved)."""

from __future__ import annotations

import socket
import time

import pytest

from cs3_jupyter.dav import errors
from cs3_jupyter.dav.client import DavClient
from cs3_jupyter.dav.upload import ChunkedUpload
from cs3_jupyter.dav.versions import list_versions, restore_version
from cs3_jupyter.transport.auth import make_auth


@pytest.fixture
def user(new_user):
    return new_user("a")


@pytest.fixture
def client(mesh, user) -> DavClient:
    return DavClient(mesh.site("a").url, user.user, make_auth(user.user, user.app_password))


def test_listing_maps_hrefs_back_to_relative_paths(client):
    client.mkcol("folder")
    client.put("folder/a b#1.txt", b"1")
    client.mkcol("folder/sub")
    folder, children = client.listdir("folder")
    assert folder.path == "folder" and folder.is_dir
    assert sorted((c.path, c.is_dir) for c in children) == [
        ("folder/a b#1.txt", False),
        ("folder/sub", True),
    ]


def test_a_light_listing_leaves_out_checksums_and_folder_sizes_and_says_so(client):
    sha1 = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
    client.mkcol("light")
    client.put("light/n.txt", b"hello", mtime=1_700_000_000, sha1=sha1)
    full_folder, (full,) = client.listdir("light")
    light_folder, (light,) = client.listdir("light", light=True)
    assert full.checksums == {"SHA1": sha1} and full_folder.size == 5
    assert light.checksums is None and light_folder.size is None  # not asked, not "none"
    for name in ("path", "etag", "size", "fileid", "permissions", "last_modified", "created"):
        assert getattr(light, name) == getattr(full, name), name
    # The download's answer names the checksums of exactly the bytes it carries.
    assert client.download("light/n.txt").checksums == {"SHA1": sha1}


def test_the_legacy_root_works_because_hrefs_are_stripped_of_the_servers_base(mesh, user):
    legacy = DavClient(
        mesh.site("a").url,
        user.user,
        make_auth(user.user, user.password),
        files_root="/remote.php/webdav/",
    )
    legacy.put("x.txt", b"x")
    _, children = legacy.listdir("")
    assert [c.path for c in children] == ["x.txt"]
    with pytest.raises(errors.NotSupported):
        legacy.dav_url("uploads")


def test_stat_reports_what_the_manager_needs(client):
    sha1 = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
    client.put("n.txt", b"hello", mtime=1_700_000_000, sha1=sha1)
    entry = client.stat("n.txt")
    assert entry.size == 5
    assert entry.etag and entry.etag.startswith('"')
    assert entry.fileid
    assert entry.writable
    assert int(entry.last_modified.timestamp()) == 1_700_000_000
    assert entry.checksums.get("SHA1") == sha1  # kept as we sent it, as Nextcloud does
    assert entry.seen_at is not None and abs(entry.seen_at - time.time()) < 60


def test_put_reports_the_new_etag_and_honoured_mtime(client):
    result = client.put("m.txt", b"x", mtime=1_600_000_000)
    assert result.etag == client.stat("m.txt").etag
    assert result.last_modified and int(result.last_modified.timestamp()) == 1_600_000_000


def test_stale_if_match_is_refused_and_keeps_the_newer_content(client):
    # With an older file time the next write is in a later second: a new ETag, on Nextcloud too.
    first = client.put("c.txt", b"one", mtime=1_600_000_000)
    client.put("c.txt", b"two", if_match=first.etag)
    with pytest.raises(errors.PreconditionFailed):
        client.put("c.txt", b"three", if_match=first.etag)
    assert client.download("c.txt")[0] == b"two"


def test_put_below_a_missing_folder_is_a_conflict(client):
    with pytest.raises(errors.Conflict):
        client.put("no/such/folder.txt", b"x")


def test_move_and_copy_never_overwrite_unless_asked(client):
    client.put("a.txt", b"a")
    client.put("b.txt", b"b")
    with pytest.raises(errors.AlreadyExists):
        client.move("a.txt", "b.txt")
    with pytest.raises(errors.AlreadyExists):
        client.copy("a.txt", "b.txt")
    client.copy("a.txt", "b.txt", overwrite=True)
    assert client.download("b.txt")[0] == b"a"


def test_mkcol_on_an_existing_folder_says_so(client):
    client.mkcol("f")
    with pytest.raises(errors.AlreadyExists):
        client.mkcol("f")


def test_root_cannot_be_deleted_or_moved(client):
    with pytest.raises(errors.BadPath):
        client.delete("")
    with pytest.raises(errors.BadPath):
        client.move("", "elsewhere")


def test_bearer_token_authenticates(mesh, user):
    bearer = DavClient(mesh.site("a").url, user.user, make_auth(user.user, token=user.token))
    assert bearer.listdir("")[0].is_dir


def test_refused_credentials_name_the_user_but_never_the_secret(mesh, user):
    wrong = DavClient(mesh.site("a").url, user.user, make_auth(user.user, "bad-secret-123"))
    with pytest.raises(errors.AuthenticationFailed) as failure:
        wrong.stat("")
    assert user.user in failure.value.message
    assert "bad-secret-123" not in str(failure.value)


def test_a_closed_port_is_site_unavailable_naming_the_host(user):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = DavClient(f"http://127.0.0.1:{port}", user.user, make_auth(user.user, "pw"))
    with pytest.raises(errors.SiteUnavailable) as failure:
        client.stat("")
    assert f"127.0.0.1:{port}" in failure.value.message


def test_versions_list_and_restore(client):
    client.put("v.txt", b"first", mtime=1_700_000_000)
    client.put("v.txt", b"second", mtime=1_700_000_100)
    entry = client.stat("v.txt")
    versions = list_versions(client, entry.fileid, "v.txt")
    ids = [v.id for v in versions]
    assert "1700000000" in ids
    restore_version(client, entry.fileid, "1700000000", "v.txt")
    assert client.download("v.txt")[0] == b"first"


def test_chunked_upload_assembles_in_numeric_order_and_can_be_aborted(client):
    upload = ChunkedUpload(client, "big.bin")
    upload.start()
    for number in range(1, 12):  # 10 and 11 sort before 2 as text
        upload.put_part(number, f"<{number}>".encode())
    result = upload.finish(mtime=1_700_000_000)
    expected = b"".join(f"<{n}>".encode() for n in range(1, 12))
    assert client.download("big.bin")[0] == expected
    assert result.etag == client.stat("big.bin").etag
    aborted = ChunkedUpload(client, "never.bin")
    aborted.start()
    aborted.put_part(1, b"x")
    aborted.abort()
    with pytest.raises(errors.NotFound):
        client.stat("never.bin")


def test_a_write_the_site_refuses_with_400_is_a_bad_name(client, mesh):
    """Sites refuse names they do not store (characters, length) with 400 on the write."""
    mesh.set_fault("a", "status", code=400, prefix="/remote.php/dav/files")
    try:
        with pytest.raises(errors.BadPath, match=r"refused the name 'odd name\.txt'"):
            client.put("odd name.txt", b"x")
        with pytest.raises(errors.BadPath, match="refused the name 'odd folder'"):
            client.mkcol("odd folder")
    finally:
        mesh.clear_faults("a")
