"""The mount contract the sharing side plugs into, on a site started inside the test.

The site is real (cheroot on 127.0.0.1, real HTTP); only the share resolvers are the test's
own, so the WebDAV layer's side of the contract is checked whatever the sharing code does.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from cs3_localmesh.mounts import LocalMount, Mount, TokenShare
from cs3_localmesh.server import SiteServer
from cs3_localmesh.site import Site
from cs3_localmesh.users import UserInfo, hash_password
from localmesh_helpers import OC, Dav


@pytest.fixture
def site(tmp_path) -> Iterator[Site]:
    site = Site("t", tmp_path)
    server = SiteServer(site, threads=4)
    server.start()
    yield site
    server.stop()
    site.db.close()


def users(site: Site) -> tuple[UserInfo, UserInfo]:
    owner = site.add_user("owner")
    recipient = site.add_user("recipient")
    site.files.mkdir("owner", "proj")
    site.files.write_bytes("owner", "proj/nb.ipynb", b"{}")
    return owner, recipient


def test_deleting_a_mount_point_unshares_and_leaves_the_owners_files(site):
    _owner, recipient = users(site)
    mounts: list[Mount] = [LocalMount("proj", "owner", "proj", 31, share_id="7")]
    unmounted = []
    site.mounts.register_resolver(lambda user: list(mounts) if user == "recipient" else [])

    def unmount(user: str, mount: Mount) -> None:
        unmounted.append((user, mount.share_id))
        mounts.remove(mount)

    session = Dav(site.url, recipient)
    before = session.propfind("")[1]
    assert before.text(f"{{{OC}}}permissions").startswith("SRG")
    assert "D" not in before.text(f"{{{OC}}}permissions")  # no unmounter yet: cannot unshare
    assert session.request("DELETE", "proj").status_code == 403

    site.mounts.register_unmounter(unmount)
    assert "D" in session.propfind("")[1].text(f"{{{OC}}}permissions")
    assert session.request("DELETE", "proj").status_code == 204
    assert unmounted == [("recipient", "7")]
    assert session.request("GET", "proj/nb.ipynb").status_code == 404
    assert site.files.stat("owner", "proj/nb.ipynb") is not None  # the owner keeps it


def test_a_mount_shadows_an_own_item_of_the_same_name(site):
    _owner, recipient = users(site)
    site.files.mkdir("recipient", "proj")
    site.files.write_bytes("recipient", "proj/own.txt", b"mine")
    site.mounts.register_resolver(
        lambda user: [LocalMount("proj", "owner", "proj", 1)] if user == "recipient" else []
    )
    session = Dav(site.url, recipient)
    names = [item.href for item in session.propfind("proj")]
    assert names == [
        "/remote.php/dav/files/recipient/proj/",
        "/remote.php/dav/files/recipient/proj/nb.ipynb",
    ]
    assert len([i for i in session.propfind("") if i.href.endswith("/proj/")]) == 1


def test_token_share_of_a_single_file_with_a_password(site):
    users(site)
    site.token_shares.register_resolver(
        lambda token: (
            TokenShare("owner", "proj/nb.ipynb", 3, hash_password("pw")) if token == "tok" else None
        )
    )
    url = f"{site.url}/public.php/webdav/"
    assert requests.get(url, auth=("tok", ""), timeout=10).status_code == 401
    assert requests.get(url, auth=("tok", "pw"), timeout=10).content == b"{}"
    written = requests.put(url, data=b"new", auth=("tok", "pw"), timeout=10)
    assert written.status_code == 204
    assert written.headers["ETag"] == f'"{site.files.stat("owner", "proj/nb.ipynb").etag}"'
    by_path = requests.get(f"{site.url}/public.php/dav/files/tok/", auth=("", "pw"), timeout=10)
    assert by_path.content == b"new"
    assert requests.request("DELETE", url, auth=("tok", "pw"), timeout=10).status_code == 403


def test_share_token_also_works_as_a_bearer_token_like_ocm_multi_receivers_send_it(site):
    users(site)
    site.token_shares.register_resolver(
        lambda token: TokenShare("owner", "proj", 1) if token == "secret" else None
    )
    url = f"{site.url}/public.php/webdav/nb.ipynb"
    assert requests.get(url, headers={"Authorization": "Bearer secret"}, timeout=10).ok
    assert (
        requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=10).status_code == 401
    )


def test_move_cannot_leave_the_share_a_token_opens(site):
    users(site)
    site.files.mkdir("owner", "other")
    shares = {"t1": TokenShare("owner", "proj", 31), "t2": TokenShare("owner", "other", 31)}
    site.token_shares.register_resolver(shares.get)
    base = f"{site.url}/public.php/dav/files"
    moved = requests.request(
        "MOVE", f"{base}/t1/nb.ipynb", headers={"Destination": f"{base}/t2/nb.ipynb"}, timeout=10
    )
    assert moved.status_code == 502
    assert site.files.stat("owner", "proj/nb.ipynb") is not None
    inside = requests.request(
        "MOVE",
        f"{base}/t1/nb.ipynb",
        headers={"Destination": f"{base}/t1/renamed.ipynb"},
        timeout=10,
    )
    assert inside.status_code == 201
    assert site.files.stat("owner", "proj/renamed.ipynb") is not None
