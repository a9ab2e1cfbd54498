"""The sharing story of the ScienceMesh panel and Share dialog, in a real browser.

alice (site a) shares a notebook with bob at site b from the file browser's context menu;
bob's panel shows it pending; bob accepts and opens it; alice sees it under "Shared by me"
and revokes it, after confirming. Screenshots of the panel and the dialog, light and dark,
are saved under test-artifacts/ui/ on every run.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_share_with_a_colleague_at_another_site(person, lab_page):
    alice = person("a", "alice")
    bob = person("b", "bob")
    alice.lab.put_notebook("story.ipynb", "# Results to review")

    # alice: right-click the notebook, "Share…", pick bob@site-b, edit rights.
    a = lab_page(alice)
    a.share_from_context_menu("story.ipynb")
    recipient = a.dialog().get_by_role("combobox", name="Share with")
    recipient.fill(bob.federated_id)
    option = a.dialog().get_by_role("option").first
    expect(option).to_contain_text(bob.user)
    expect(option).to_have_attribute("aria-selected", "true")
    # The highlighted suggestion is readable in both themes (WCAG AA: 4.5:1), each line of it.
    for theme in ("JupyterLab Dark", "JupyterLab Light"):
        a.set_theme(theme)
        for part in (
            option.locator(".jp-ScienceMesh-name"),
            option.locator(".jp-ScienceMesh-meta"),
        ):
            assert a.contrast(part) >= 4.5, (theme, part.inner_text(), a.contrast(part))
    a.set_theme("JupyterLab Dark")
    a.screenshot("share-dialog-suggestion-dark", a.page.locator(".jp-Dialog-content"))
    a.set_theme("JupyterLab Light")
    recipient.press("Enter")  # picks the highlighted suggestion
    a.dialog().get_by_label("Permission").select_option("edit")
    a.dialog().get_by_role("button", name="Share", exact=True).click()
    access = a.dialog().locator("section li")
    expect(access).to_have_count(1)
    expect(access).to_contain_text(bob.user)
    a.screenshot("share-dialog-light", a.page.locator(".jp-Dialog-content"))
    a.set_theme("JupyterLab Dark")
    a.screenshot("share-dialog-dark", a.page.locator(".jp-Dialog-content"))
    a.set_theme("JupyterLab Light")
    a.close_dialog()

    # bob: the share waits in the panel; accept it, then open it.
    b = lab_page(bob)
    # A notification tells bob on arrival, before he opens the panel.
    expect(b.page.get_by_text("A share is waiting for you to accept it.")).to_be_visible()
    b.refresh_panel()
    pending = b.panel().locator('li[data-state="pending"]', has_text="story.ipynb")
    expect(pending).to_be_visible()
    expect(pending).to_contain_text(alice.user)
    b.screenshot("panel-pending-light", b.panel())
    b.set_theme("JupyterLab Dark")
    b.screenshot("panel-pending-dark", b.panel())
    b.set_theme("JupyterLab Light")
    pending.get_by_role("button", name="Accept").click()
    accepted = b.panel().locator('li[data-state="accepted"]', has_text="story.ipynb")
    expect(accepted).to_be_visible()
    # The keyboard stays with the share: Open, in its new place, has the focus.
    expect(accepted.get_by_role("button", name="Open")).to_be_focused()
    # Open opens the notebook itself, not only the file browser at it.
    accepted.get_by_role("button", name="Open").click()
    notebook = b.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(notebook.locator(".jp-MarkdownOutput")).to_contain_text("Results to review")
    expect(b.page.locator(".jp-mod-current .lm-TabBar-tabLabel")).to_have_text("story.ipynb")
    # The notebook names no kernel, so JupyterLab asks for one: none is needed here.
    b.page.locator(".jp-Dialog").get_by_role("button", name="No Kernel").click()

    # alice: the share is listed under "Shared by me"; revoke it.
    a.refresh_panel()
    mine = a.panel().locator('details[data-section="shared"] li', has_text="story.ipynb")
    expect(mine).to_contain_text(bob.user)
    a.screenshot("panel-shared-by-me-light", a.panel())
    # Revoke asks first, in the row; Escape keeps the share.
    mine.get_by_role("button", name="Revoke").click()
    question = mine.get_by_role("group", name=re.compile(r"Stop sharing .story\.ipynb. with"))
    expect(question).to_be_visible()
    a.screenshot("panel-revoke-question-light", a.panel())
    expect(question.get_by_role("button", name="Revoke")).to_be_focused()
    a.page.keyboard.press("Escape")
    expect(question).to_have_count(0)
    expect(mine).to_have_count(1)
    expect(mine.get_by_role("button", name="Revoke")).to_be_focused()
    # Confirmed, it is revoked.
    mine.get_by_role("button", name="Revoke").click()
    question.get_by_role("button", name="Revoke").click()
    expect(mine).to_have_count(0)
    # The keyboard is not thrown back to the page (the next row takes it once React re-renders).
    a.page.wait_for_function("() => document.activeElement !== document.body")

    # bob: once revoked, he is told (not left wondering), and dismisses it.
    b.refresh_panel()
    ended = b.panel().locator('li[data-state="revoked"]', has_text="story.ipynb")
    expect(ended).to_be_visible()
    expect(b.panel().locator('li[data-state="accepted"]', has_text="story.ipynb")).to_have_count(0)
    b.screenshot("panel-revoked-light", b.panel())
    ended.get_by_role("button", name="Dismiss").click()
    expect(b.panel().locator("li", has_text="story.ipynb")).to_have_count(0)


def test_unknown_recipient_is_explained_in_the_dialog(person, lab_page, mesh):
    alice = person("a", "alice")
    bob_site = mesh.site("b").host
    alice.lab.put_notebook("draft.ipynb", "draft")
    a = lab_page(alice)
    a.share_from_context_menu("draft.ipynb")
    recipient = a.dialog().get_by_role("combobox", name="Share with")
    recipient.fill("nobody-here")
    recipient.press("Enter")  # the keyboard alone submits the form
    error = a.dialog().get_by_role("alert")
    expect(error).to_contain_text("nobody-here")
    expect(error).not_to_contain_text(re.compile("Traceback|Error:"))
    # Someone unknown at another site of the mesh: the site's refusal, in words.
    recipient.fill(f"nobody-there@{bob_site}")
    expect(a.dialog().get_by_role("option").first).to_contain_text("nobody-there")
    recipient.press("Enter")  # picks the typed address
    recipient.press("Enter")  # shares
    expect(error).to_contain_text("nobody-there")
    expect(error).to_contain_text("refused")
    # An address at a site outside the mesh: said so, not "no one called ...".
    recipient.fill("bob@127.0.0.1:9")
    recipient.press("Enter")
    expect(error).to_contain_text("127.0.0.1:9 is not a site of the ScienceMesh")
    expect(error).not_to_contain_text("No one called")
    a.screenshot("share-dialog-site-not-in-mesh-light", a.page.locator(".jp-Dialog-content"))
    # Nothing was shared.
    expect(a.dialog().locator("section li")).to_have_count(0)
    a.close_dialog()


def test_the_senders_note_and_expiry_reach_the_recipient(person, lab_page):
    alice = person("a", "alice")
    carol = person("a", "carol")
    alice.lab.put_notebook("review.ipynb", "# Please review")
    response = alice.lab.api(
        "POST",
        "cs3/api/shares",
        json={
            "path": "review.ipynb",
            "type": "user",
            "recipient": carol.user,
            "permission": "view",
            "note": "Section 2 needs your eyes",
            "expiration": "2031-06-30",
        },
    )
    assert response.status_code == 201, response.text

    c = lab_page(carol)
    c.refresh_panel()
    row = c.panel().locator("li", has_text="review.ipynb")
    expect(row).to_contain_text("Note: Section 2 needs your eyes")
    until = c.page.evaluate("() => new Date(2031, 5, 30).toLocaleDateString()")
    shared_on = c.page.evaluate("() => new Date().toLocaleDateString()")
    expect(row).to_contain_text(f"until {until}")
    expect(row).to_contain_text(f"shared on {shared_on}")
    c.screenshot("panel-received-note-light", c.panel())


def _wait_for_focus_in_dialog(page) -> None:
    """Wait (Playwright's default timeout) until the keyboard focus is inside the dialog."""
    try:
        page.wait_for_function("() => !!document.activeElement?.closest('.jp-Dialog')")
    except PlaywrightTimeout as error:  # say where the focus is instead
        raise AssertionError(f"the focus left the dialog: {_focused(page)}") from error


def _focused(page) -> str:
    """What has the keyboard focus: a short description for the assertions' messages."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el || el === document.body) return 'body';
          return (el.closest('.jp-Dialog') ? 'dialog:' : 'page:') +
            (el.getAttribute('aria-label') || (el.labels?.[0]?.textContent) ||
             el.title || el.textContent || el.tagName).trim();
        }"""
    )


def test_the_share_dialog_with_the_keyboard_only(person, lab_page):
    alice = person("a", "alice")
    bob = person("b", "bob")
    alice.lab.put_notebook("keys.ipynb", "# Shared by keyboard")
    a = lab_page(alice)
    a.show_files()
    a.file_item("keys.ipynb").click()
    # From the file browser: its context menu, by keyboard.
    a.page.keyboard.press("Shift+F10")
    a.page.locator('.lm-Menu-item[data-command="sciencemesh:share"]').click()
    # The dialog focuses its field once React has rendered it: wait for that, not for the frame.
    expect(a.dialog().get_by_role("combobox", name="Share with")).to_be_focused()

    # Pick bob from the suggestions and share, with Enter only.
    a.page.keyboard.type(bob.federated_id)
    expect(a.dialog().get_by_role("option").first).to_contain_text(bob.user)
    a.page.keyboard.press("Enter")
    a.page.keyboard.press("Enter")
    expect(a.dialog().locator("section li")).to_have_count(1)
    _wait_for_focus_in_dialog(a.page)

    # Tab goes through every control, the header's close button included, and stays inside.
    seen = set()
    for _ in range(40):
        a.page.keyboard.press("Tab")
        seen.add(_focused(a.page))
    assert all(place.startswith("dialog:") for place in seen), seen
    assert "dialog:Cancel" in seen, seen  # the close button in the dialog's header
    assert "dialog:Close" in seen, seen

    # A public link: the new link gets the focus, ready to copy.
    a.dialog().locator("summary", has_text="Public link").focus()
    a.page.keyboard.press("Enter")
    create = a.dialog().get_by_role("button", name="Create public link")
    create.focus()
    a.page.keyboard.press("Enter")
    expect(a.dialog().get_by_role("textbox", name="Public link")).to_be_focused()

    # Escape closes the dialog and the keyboard is back on the file.
    a.page.keyboard.press("Escape")
    a.page.locator(".jp-Dialog").wait_for(state="detached")
    expect(a.page.locator(".jp-DirListing-itemText:focus")).to_have_text("keys.ipynb")
