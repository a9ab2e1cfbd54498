"""When a site stops answering, the panel says so where the user looks, in a real browser.

bob's own site (b) answers 503 to everything: his panel must show one clear alert at its
top, with a way to try again, instead of empty sections; what it showed before stays listed.
Once the site is back, Try again brings everything back and the alert goes away. And when
the other site is down, a share received from there stays listed, marked, with the reason.
The file browser, too, says why it cannot list the files (JupyterLab alone says nothing
and shows an empty or an old listing).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_own_site_down_is_shown_in_the_panel(person, lab_page, mesh):
    alice = person("a", "alice")
    bob = person("b", "bob")
    alice.lab.put_notebook("kept.ipynb", "kept")
    response = alice.lab.api(
        "POST",
        "cs3/api/shares",
        json={
            "path": "kept.ipynb",
            "type": "federated",
            "recipient": bob.federated_id,
            "permission": "view",
        },
    )
    assert response.status_code == 201, response.text

    b = lab_page(bob)
    b.refresh_panel()
    pending = b.panel().locator('li[data-state="pending"]', has_text="kept.ipynb")
    expect(pending).to_be_visible()

    mesh.set_fault("b", "status", code=503)
    try:
        b.refresh_panel()
        alert = b.panel().locator(".jp-ScienceMesh-content > [role=alert]")
        expect(alert).to_be_visible()
        expect(alert).not_to_contain_text("Traceback")
        # The share seen before is still listed: nothing vanishes without a word.
        expect(pending).to_be_visible()
        b.screenshot("panel-own-site-down-light", b.panel())
        b.set_theme("JupyterLab Dark")
        b.screenshot("panel-own-site-down-dark", b.panel())
        b.set_theme("JupyterLab Light")
        for text in (alert, b.panel().locator("[role=alert]").last):
            assert b.contrast(text) >= 4.5
    finally:
        mesh.clear_faults("b")

    alert.get_by_role("button", name="Try again").click()
    expect(b.panel().locator(".jp-ScienceMesh-content > [role=alert]")).to_have_count(0)
    expect(pending).to_be_visible()


def test_a_share_from_a_site_that_is_down_stays_listed(person, lab_page, mesh):
    alice = person("a", "alice")
    dave = person("b", "dave")
    dave.lab.put_notebook("climate.ipynb", "# Climate data")
    response = dave.lab.api(
        "POST",
        "cs3/api/shares",
        json={
            "path": "climate.ipynb",
            "type": "federated",
            "recipient": alice.federated_id,
            "permission": "view",
        },
    )
    assert response.status_code == 201, response.text
    received = alice.lab.api("GET", "cs3/api/received").json()
    (share,) = [s for s in received if s["name"] == "climate.ipynb"]
    accepted = alice.lab.api("POST", f"cs3/api/received/{share['id']}/accept")
    assert accepted.status_code == 200, accepted.text

    a = lab_page(alice)
    mesh.set_fault("b", "status", code=503)
    try:
        a.refresh_panel()
        row = a.panel().locator("li", has_text="climate.ipynb")
        expect(row).to_have_attribute("data-problem", "owner_site_unreachable")
        expect(row).to_contain_text(dave.site_host)
        a.screenshot("panel-owner-site-down-light", a.panel())
    finally:
        mesh.clear_faults("b")


def test_the_file_browser_says_why_it_cannot_list_the_files(person, lab_page, mesh):
    bob = person("b", "bob")
    bob.lab.put_notebook("kept.ipynb", "kept")
    b = lab_page(bob)
    b.show_files()
    expect(b.file_item("kept.ipynb")).to_be_visible()
    alert = b.page.locator("#filebrowser [role=alert]")
    expect(alert).to_be_hidden()

    mesh.set_fault("b", "status", code=503)
    try:
        b.page.locator('#filebrowser [data-command="filebrowser:refresh"]').click()
        expect(alert).to_be_visible()
        expect(alert).to_contain_text(f"{bob.site_host} failed with HTTP 503")
        # What was listed before stays; the alert says it could not be brought up to date.
        expect(b.file_item("kept.ipynb")).to_be_visible()
        b.screenshot("file-browser-site-down-light", b.page.locator("#filebrowser"))
        assert b.contrast(alert) >= 4.5
    finally:
        mesh.clear_faults("b")

    alert.get_by_role("button", name="Try again").click()
    expect(alert).to_be_hidden()
    expect(b.file_item("kept.ipynb")).to_be_visible()
