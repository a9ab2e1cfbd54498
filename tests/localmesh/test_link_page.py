"""What a person's browser gets from a site's links: the public link page at
``/index.php/s/<token>`` (as on Nextcloud: a download page, or a password form first), the
link password policy, and the invitation link's page on the mesh directory.

Reference: docs/protocols.md §8 (a link's url answers 200 with the link page on Nextcloud 32).
"""

from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path

import requests
from sharing_client import SHARING, Client, cloud_id

CSV = b"x,y\n1,2\n"


def _owner(mesh, new_user) -> Client:
    owner = Client(mesh.site("a").url, new_user("a", display_name="Olga Owner"))
    owner.mkdir("proj")
    owner.put("proj/data.csv", CSV)
    owner.mkdir("proj/raw")
    owner.put("proj/raw/run 1.txt", b"first run")
    return owner


def _links(page: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r"href='([^']+)'", page)]


def test_a_link_opens_a_page_to_browse_and_download(mesh, new_user):
    owner = _owner(mesh, new_user)
    link = owner.share("/proj", 3, note="see data.csv").data
    browser = requests.Session()

    page = browser.get(link["url"], timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Olga Owner" in page.text and "see data.csv" in page.text
    links = _links(page.text)
    (csv,) = [href for href in links if "data.csv" in href]
    assert browser.get(mesh.site("a").url + csv, timeout=30).content == CSV

    (raw,) = [href for href in links if "raw" in href and "download" not in href]
    inside = browser.get(mesh.site("a").url + raw, timeout=30)
    assert inside.status_code == 200
    (run,) = [href for href in _links(inside.text) if "run" in href]
    got = browser.get(mesh.site("a").url + run, timeout=30)
    assert got.content == b"first run"
    assert "attachment" in got.headers["Content-Disposition"]

    # Nothing outside the shared folder can be reached through the page.
    for sneaky in ("..", "../..", "proj/../.."):
        outside = browser.get(link["url"], params={"path": sneaky}, timeout=30)
        assert outside.status_code == 404


def test_a_single_file_link_offers_its_download(mesh, new_user):
    owner = _owner(mesh, new_user)
    link = owner.share("/proj/data.csv", 3).data
    page = requests.get(link["url"], timeout=30)
    assert page.status_code == 200
    (download,) = [href for href in _links(page.text) if href.endswith("/download")]
    assert requests.get(mesh.site("a").url + download, timeout=30).content == CSV


def test_a_password_protected_link_asks_for_the_password_first(mesh, new_user):
    owner = _owner(mesh, new_user)
    link = owner.share("/proj/data.csv", 3, password="correct horse battery").data
    browser = requests.Session()
    download = link["url"] + "/download"

    form = browser.get(link["url"], timeout=30)
    assert form.status_code == 200
    assert "type='password'" in form.text and "data.csv" in form.text
    assert CSV.decode() not in form.text
    assert browser.get(download, timeout=30).content != CSV

    wrong = browser.post(link["url"] + "/authenticate", data={"password": "nope"}, timeout=30)
    assert wrong.status_code == 403 and "wrong" in wrong.text
    assert browser.get(download, timeout=30).content != CSV

    right = browser.post(
        link["url"] + "/authenticate", data={"password": "correct horse battery"}, timeout=30
    )
    assert right.status_code == 200  # redirected back to the page, now open
    assert browser.get(download, timeout=30).content == CSV
    assert requests.get(download, timeout=30).content != CSV  # another browser: still closed

    # A new password closes the page again for everyone who opened it with the old one.
    url = f"{SHARING}/shares/{link['id']}"
    assert owner.ocs("PUT", url, data={"password": "another long password"}).status == 200
    assert browser.get(download, timeout=30).content != CSV


def test_unknown_expired_and_federated_tokens_have_no_page(mesh, new_user):
    owner = _owner(mesh, new_user)
    link = owner.share("/proj", 3).data
    assert owner.ocs("DELETE", f"{SHARING}/shares/{link['id']}").status == 200
    gone = requests.get(link["url"], timeout=30)
    assert gone.status_code == 404 and "no longer available" in gone.text
    assert requests.get(f"{mesh.site('a').url}/index.php/s/nope", timeout=30).status_code == 404

    # The shared secret of a federated share is a token too, but never a public link.
    recipient = new_user("b")
    federated = owner.share("/proj", 6, cloud_id(recipient, mesh.site("b").url)).data
    db = Path(mesh.data_dir) / "a" / "site.sqlite3"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        (secret,) = conn.execute(
            "SELECT token FROM shares WHERE id = ?", (int(federated["id"]),)
        ).fetchone()
    assert secret
    page = requests.get(f"{mesh.site('a').url}/index.php/s/{secret}", timeout=30)
    assert page.status_code == 404


def test_weak_link_passwords_are_refused_with_the_policys_reason(mesh, new_user):
    owner = _owner(mesh, new_user)
    weak = owner.share("/proj", 3, password="abc")
    assert weak.status == 400
    assert weak.meta["message"] == "Password needs to be at least 10 characters long."
    assert all(s["share_type"] != 3 for s in owner.ocs("GET", SHARING + "/shares").data)

    link = owner.share("/proj", 3).data
    update = owner.ocs("PUT", f"{SHARING}/shares/{link['id']}", data={"password": "short"})
    assert update.status == 400 and "at least 10" in update.meta["message"]
    capabilities = owner.ocs("GET", "/cloud/capabilities").data["capabilities"]
    assert capabilities["password_policy"]["minLength"] == 10


def test_the_invitation_link_opens_a_page_that_says_how_to_accept(mesh, new_user):
    inviter = Client(mesh.site("a").url, new_user("a", display_name="Ines Inviter"))
    invite = inviter.sciencemesh("POST", "generate-invite", json={}).json()
    page = requests.get(invite["invite_link"], timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert invite["token"] in page.text
    assert mesh.site("a").host in page.text
    assert "Accept" in page.text
    # Clients reading the directory still get its JSON.
    listing = requests.get(mesh.directory_url, timeout=30)
    assert listing.headers["Content-Type"].startswith("application/json")
    assert {p["domain"] for p in listing.json()} == {mesh.site("a").host, mesh.site("b").host}
