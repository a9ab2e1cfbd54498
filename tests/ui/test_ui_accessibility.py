"""The panel, the Share dialog and the invitation forms pass axe-core, in both themes, and
fit a small window.

axe-core 4 (npm, the labextension's dev dependency) runs inside the real page: no critical,
serious or moderate violation may be found, with every part of the UI showing content
(a pending share, the mesh sites, a contact with its removal question open, a fresh
invitation and the accept form with its error; the dialog with its suggestion list and the
public link form open). At 1024 x 700 nothing is cut off and the token of a new invitation is
in view.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

THEMES = ("JupyterLab Light", "JupyterLab Dark")


def _make_contacts(inviter, invitee) -> None:
    """The invitee accepts the inviter's invitation (through the API): contacts both ways."""
    created = inviter.lab.api("POST", "cs3/api/invitations", json={})
    assert created.status_code == 201, created.text
    accepted = invitee.lab.api(
        "POST",
        "cs3/api/invitations/accept",
        json={"token": created.json()["token"], "site": inviter.site_host},
    )
    assert accepted.status_code == 201, accepted.text


def test_panel_dialog_and_invitation_forms_pass_axe(person, lab_page):
    alice = person("a", "alice")
    bob = person("b", "bob")
    bob.lab.put_notebook("for-alice.ipynb", "# hello")
    response = bob.lab.api(
        "POST",
        "cs3/api/shares",
        json={
            "path": "for-alice.ipynb",
            "type": "federated",
            "recipient": alice.federated_id,
            "permission": "edit",
        },
    )
    assert response.status_code == 201, response.text
    _make_contacts(bob, alice)
    alice.lab.put_notebook("axe.ipynb", "# axe")

    a = lab_page(alice)
    a.refresh_panel()
    expect(a.panel().locator('li[data-state="pending"]')).to_have_count(1)
    for section in ("sites", "contacts"):
        a.open_section(section)
    contact = a.panel().locator('details[data-section="contacts"] li', has_text=bob.user)
    contact.get_by_role("button", name="Remove").click()
    expect(contact.get_by_role("group")).to_be_visible()  # "Remove … from your contacts?"
    a.panel().get_by_role("button", name="Invite a colleague").click()
    expect(a.panel().get_by_role("textbox", name="Invitation token")).to_be_visible()
    a.panel().get_by_role("button", name="Accept an invitation").click()
    accept_form = a.panel().locator('[data-form="accept-invitation"]')
    accept_form.get_by_role("button", name="Accept", exact=True).click()
    expect(accept_form.get_by_role("alert")).to_contain_text("Paste the token")
    for theme in THEMES:
        a.set_theme(theme)
        assert a.axe("#jupyter-sciencemesh-panel") == [], theme

    a.set_theme("JupyterLab Light")
    a.share_from_context_menu("axe.ipynb")
    a.dialog().locator("summary", has_text="Public link").click()
    combobox = a.dialog().get_by_role("combobox", name="Share with")
    combobox.fill(bob.federated_id)
    expect(a.dialog().get_by_role("option").first).to_be_visible()
    for theme in THEMES:
        a.set_theme(theme)
        # Switching the theme takes the focus away, which closes the list: open it again.
        combobox.focus()
        combobox.press("ArrowUp")
        expect(a.dialog().locator('[role="option"][aria-selected="true"]')).to_be_visible()
        assert a.axe(".jp-Dialog") == [], theme
    a.set_theme("JupyterLab Light")
    a.close_dialog()


def test_a_small_window_cuts_nothing_off(person, lab_page):
    alice = person("a", "alice")
    alice.lab.put_notebook("small.ipynb", "# small")
    a = lab_page(alice)
    a.page.set_viewport_size({"width": 1024, "height": 700})

    # The sidebar tab has a name (read out, and its tooltip) and opens a named region.
    tab = a.page.get_by_role("tab", name="ScienceMesh: shared with me, shared by me")
    expect(tab).to_have_attribute("data-jptablabel", "ScienceMesh")
    tab.click()
    expect(a.page.get_by_role("region", name="ScienceMesh section")).to_be_visible()

    # With every section open, the new invitation's token is in view and has the focus.
    for section in ("sites", "contacts"):
        a.open_section(section)
    a.panel().get_by_role("button", name="Invite a colleague").click()
    token = a.panel().get_by_role("textbox", name="Invitation token")
    expect(token).to_be_focused()
    expect(token).to_be_in_viewport(ratio=1)
    expect(a.panel().get_by_role("button", name="Copy", exact=True)).to_be_in_viewport(ratio=1)
    assert a.fits_width(a.panel().locator(".jp-ScienceMesh-content"))
    a.screenshot("panel-invitation-1024x700", a.page)

    # The Share dialog with its public link form: inside the window, nothing wider than
    # it, and the form's last control reachable.
    a.share_from_context_menu("small.ipynb")
    a.dialog().locator("summary", has_text="Public link").click()
    content = a.page.locator(".jp-Dialog-content")
    box = content.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= 700, box
    assert a.fits_width(content) and a.fits_width(a.page.locator(".jp-Dialog-body"))
    create = a.dialog().get_by_role("button", name="Create public link")
    create.scroll_into_view_if_needed()
    expect(create).to_be_in_viewport(ratio=1)
    a.screenshot("share-dialog-1024x700", a.page)
    a.close_dialog()
