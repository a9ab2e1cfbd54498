"""Invitations and public links through the ScienceMesh panel and the Share dialog,
in a real browser against real JupyterLab servers and local-mesh sites."""

from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_invitation_round_trip_makes_two_contacts(person, lab_page):
    alice = person("a", "alice")
    bob = person("b", "bob")

    a = lab_page(alice)
    a.show_panel()
    a.open_section("contacts")
    a.panel().get_by_role("button", name="Invite a colleague").click()
    token_box = a.panel().locator('[data-form="invite"] input')
    expect(token_box).not_to_have_value("")
    token = token_box.input_value()
    a.screenshot("panel-invitation-light", a.panel())

    b = lab_page(bob)
    b.show_panel()
    b.open_section("contacts")
    b.panel().get_by_role("button", name="Accept an invitation").click()
    form = b.panel().locator('form[data-form="accept-invitation"]')
    form.get_by_label("Invitation token").fill(token)
    form.get_by_label("From site").fill(alice.site_host)
    form.get_by_role("button", name="Accept", exact=True).click()
    contacts_b = b.panel().locator('details[data-section="contacts"] li')
    expect(contacts_b.filter(has_text=alice.user)).to_be_visible()

    a.refresh_panel()
    expect(
        a.panel().locator('details[data-section="contacts"] li').filter(has_text=bob.user)
    ).to_be_visible()


def test_public_link_with_password_from_the_command_palette(person, lab_page):
    alice = person("a", "alice")
    alice.lab.put_notebook("public.ipynb", "for everyone")
    a = lab_page(alice)
    a.page.set_viewport_size({"width": 420, "height": 800})  # a narrow window
    a.show_files()
    a.file_item("public.ipynb").click()
    a.page.keyboard.press("Control+Shift+C")
    a.page.locator(".lm-CommandPalette-input").fill("Share")
    a.page.locator('.lm-CommandPalette-item[data-command="sciencemesh:share"]').click()
    a.dialog().wait_for()

    a.dialog().locator("summary", has_text="Public link").click()
    form = a.dialog().locator('form[data-form="link"]')
    form.get_by_label("Password (optional)").fill("correct horse")
    form.get_by_role("button", name="Create public link").click()
    link = form.get_by_role("textbox", name="Public link")
    expect(link).to_have_value(re.compile(r"^https?://"))
    url = link.input_value()
    listed = a.dialog().locator("section li", has_text="Public link (password protected)")
    expect(listed).to_be_visible()
    a.screenshot("share-dialog-link-light", a.page.locator(".jp-Dialog-content"))
    assert a.fits_width(a.page.locator(".jp-Dialog-body"))
    a.close_dialog()

    # The link is real: its token opens the notebook at the site's public WebDAV with the
    # password, and not without it. The URL itself never carries the password.
    assert "correct horse" not in url
    token = url.rstrip("/").rsplit("/", 1)[1]
    public = f"{alice.site_url}/public.php/webdav/"
    assert requests.get(public, auth=(token, "wrong"), timeout=30).status_code == 401
    opened = requests.get(public, auth=(token, "correct horse"), timeout=30)
    assert opened.status_code == 200
    assert "for everyone" in opened.text


def test_panel_remembers_which_sections_are_open(person, lab_page):
    carol = person("a", "carol")
    c = lab_page(carol)
    c.show_panel()
    c.open_section("sites")
    c.panel().locator('details[data-section="received"] summary').click()  # close it
    # Sites of the mesh are listed, mine marked.
    mine = c.panel().locator('details[data-section="sites"] li[data-mine="true"]')
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("your site")
    assert c.fits_width(c.panel())

    # JupyterLab saves the workspace (layout and state) in the background: wait until it has.
    deadline = time.monotonic() + 30
    while '"sites": true' not in carol.lab.api("GET", "lab/api/workspaces/default").text:
        assert time.monotonic() < deadline, "the panel state never reached the workspace"
        time.sleep(0.2)
    c.page.goto(f"{carol.lab.url}lab?token={carol.lab.token}")  # same workspace, no reset
    c.panel().locator(".jp-ScienceMesh-content").wait_for()
    expect(c.panel().locator('details[data-section="sites"]')).to_have_attribute("open", "")
    expect(c.panel().locator('details[data-section="received"]')).not_to_have_attribute("open", "")
