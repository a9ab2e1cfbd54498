"""The file browser says whose EFSS home it shows and marks what is shared, in a real browser.

alice (site a) shares a notebook with bob (site b), and accepts one bob shares with her.
Her file browser names her and her site above the listing, marks the item she shares
("Shared by you with …") and the one she received ("Shared with you by …"), and none
other; a share made or revoked in the Share dialog shows or removes its mark at once.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from ui_lab import ARTIFACTS

pytestmark = pytest.mark.browser


def _share(owner, path: str, recipient) -> dict:
    response = owner.lab.api(
        "POST",
        "cs3/api/shares",
        json={
            "path": path,
            "type": "federated",
            "recipient": recipient.federated_id,
            "permission": "edit",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def _accept_all(person) -> list[dict]:
    pending = person.lab.api("GET", "cs3/api/received", params={"state": "pending"}).json()
    accepted = []
    for share in pending:
        response = person.lab.api("POST", f"cs3/api/received/{share['id']}/accept")
        assert response.status_code == 200, response.text
        accepted.append(response.json())
    return accepted


def _screenshot_listing(page, name: str) -> None:
    """The file browser from its header to its last item (not the empty space below)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser = page.page.locator("#filebrowser").bounding_box()
    last = page.page.locator(".jp-DirListing-item").last.bounding_box()
    assert browser and last
    clip = {**browser, "height": last["y"] + last["height"] + 8 - browser["y"]}
    page.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), clip=clip)


def test_the_home_is_named_and_shared_items_are_marked(person, lab_page):
    alice = person("a", "alice")
    bob = person("b", "bob")
    for name in ("results.ipynb", "private.ipynb", "later.ipynb"):
        alice.lab.put_notebook(name, f"# {name}")
    bob.lab.put_notebook("from-bob.ipynb", "# for alice")
    _share(alice, "results.ipynb", bob)
    _share(bob, "from-bob.ipynb", alice)
    (received,) = _accept_all(alice)

    a = lab_page(alice)
    a.show_files()
    home = a.page.locator(".jp-FileBrowser .jp-ScienceMesh-home")
    site_name = alice.lab.api("GET", "cs3/api/whoami").json()["site"]["name"]
    expect(home).to_have_text(f"{alice.user} @ {site_name}")
    assert alice.federated_id in home.get_attribute("title")

    # The panel's model loads after the listing: the marks follow without a reload.
    mine = a.file_item("results.ipynb")
    expect(mine).to_have_attribute("data-sciencemesh-share", "by-me")
    mark = mine.get_by_role("img", name=re.compile(r"^Shared by you with .*" + re.escape(bob.user)))
    expect(mark).to_be_visible()
    theirs = a.file_item(received["path"])
    expect(theirs).to_have_attribute("data-sciencemesh-share", "with-me")
    expect(
        theirs.get_by_role("img", name=re.compile(r"^Shared with you by .*" + re.escape(bob.user)))
    ).to_be_visible()
    expect(a.file_item("private.ipynb").locator(".jp-ScienceMesh-shareMark")).to_have_count(0)
    expect(a.file_item("private.ipynb")).not_to_have_attribute("data-sciencemesh-share", "by-me")
    _screenshot_listing(a, "file-browser-marks-light")
    a.set_theme("JupyterLab Dark")
    _screenshot_listing(a, "file-browser-marks-dark")
    assert a.axe(".jp-ScienceMesh-home") == []
    assert a.axe(".jp-DirListing-content") == []
    a.set_theme("JupyterLab Light")

    # Shared from the dialog: marked at once. Revoked: the mark goes.
    a.share_from_context_menu("later.ipynb")
    a.dialog().get_by_role("combobox", name="Share with").fill(bob.federated_id)
    a.dialog().get_by_role("combobox", name="Share with").press("Enter")
    a.dialog().get_by_role("button", name="Share", exact=True).click()
    expect(a.dialog().locator("section li")).to_have_count(1)
    a.close_dialog()
    later = a.file_item("later.ipynb")
    expect(later).to_have_attribute("data-sciencemesh-share", "by-me")
    a.refresh_panel()
    a.open_section("shared")
    row = a.panel().locator('details[data-section="shared"] li', has_text="later.ipynb")
    row.get_by_role("button", name="Revoke").click()
    row.get_by_role("group").get_by_role("button", name="Revoke").click()  # confirms
    expect(row).to_have_count(0)
    a.show_files()
    expect(later.locator(".jp-ScienceMesh-shareMark")).to_have_count(0)
    expect(mine).to_have_attribute("data-sciencemesh-share", "by-me")
