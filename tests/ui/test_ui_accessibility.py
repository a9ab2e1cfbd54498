"""The panel, the Share dialog and the invitation forms pass axe-core, in both themes.

axe-core 4 (npm, the labextension's dev dependency) runs inside the real page: no critical,
serious or moderate violation may be found, with every part of the UI showing content
(a pending share, the mesh sites, contacts with a fresh invitation and the accept form; the
dialog with its suggestion list and the public link form open).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

THEMES = ("JupyterLab Light", "JupyterLab Dark")


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
    alice.lab.put_notebook("axe.ipynb", "# axe")

    a = lab_page(alice)
    a.refresh_panel()
    expect(a.panel().locator('li[data-state="pending"]')).to_have_count(1)
    for section in ("sites", "contacts"):
        a.open_section(section)
    a.panel().get_by_role("button", name="Invite a colleague").click()
    expect(a.panel().get_by_role("textbox", name="Invitation token")).to_be_visible()
    a.panel().get_by_role("button", name="Accept an invitation").click()
    expect(a.panel().locator('[data-form="accept-invitation"]')).to_be_visible()
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
