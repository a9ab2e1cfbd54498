"""A new user's day with files, in a real browser: JupyterLab on the EFSS.

A fresh user opens JupyterLab; the file browser is their EFSS home. They create a notebook,
type in it and save, rename it, duplicate it, upload a file over 100 MB, delete, and see a
change made behind JupyterLab's back reported by JupyterLab's own "File Changed" dialog.
After each step the sync-client view of the same home (plain WebDAV) must agree.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable

import nbformat
import pytest
from playwright.sync_api import expect
from ui_lab import ARTIFACTS, start_lab

from cs3_jupyter.dav.client import DavClient
from cs3_jupyter.dav.errors import NotFound
from cs3_jupyter.transport.auth import make_auth

pytestmark = pytest.mark.browser

MiB = 1 << 20


def _eventually(check: Callable[[], bool], what: str, limit: float = 60) -> None:
    """Wait for something the browser triggers asynchronously (no assertion on the time)."""
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.2)


def _names(dav: DavClient) -> set[str]:
    return {entry.name for entry in dav.listdir("")[1]}


def _text_of(dav: DavClient, path: str) -> str:
    try:
        return dav.download(path)[0].decode()
    except NotFound:
        return ""


@pytest.fixture
def newcomer(mesh, tmp_path_factory):
    """A fresh user with their own JupyterLab, and their sync client's view (WebDAV)."""
    info = mesh.add_user("a", f"newcomer{time.monotonic_ns() % 10**6}")
    lab = start_lab(
        tmp_path_factory.mktemp("lab-files"),
        site_url=mesh.site("a").url,
        site_name="a",
        user=info.user,
        password=info.app_password,
        directory_url=mesh.directory_url,
    )
    dav = DavClient(mesh.site("a").url, info.user, make_auth(info.user, info.password))
    yield info, lab, dav
    lab.stop()


@pytest.fixture
def page_errors() -> list[str]:
    """JavaScript errors the page raised; none may be left when the test ends."""
    return []


@pytest.fixture
def page(browser, newcomer, page_errors):
    _, lab, _ = newcomer
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    context.set_default_timeout(60_000)
    page = context.new_page()
    errors = page_errors
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(lab.lab_url)
    page.locator(".jp-DirListing-content").wait_for()
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def _item(page, name: str):
    return page.locator(
        ".jp-DirListing-item", has=page.locator(".jp-DirListing-itemText", has_text=name)
    )


def _context_command(page, name: str, command: str) -> None:
    _item(page, name).click(button="right")
    page.locator(f'.lm-Menu-item[data-command="{command}"]').click()


def _command(page, command: str, args: dict | None = None) -> None:
    """Run a JupyterLab command as a menu item would (its result stays in the page)."""
    page.evaluate(
        "([command, args]) => { window.jupyterapp.commands.execute(command, args); }",
        [command, args or {}],
    )


def _refresh(page) -> None:
    _command(page, "filebrowser:refresh")


def test_a_new_users_files_live_on_the_efss(page, newcomer):
    _, _, dav = newcomer

    # The file browser is the EFSS home: a file the sync client put there shows up (after
    # the few seconds the server may reuse a listing).
    dav.put("from-laptop.txt", b"synced from my laptop\n")
    _eventually(lambda: _refresh(page) or _item(page, "from-laptop.txt").count() == 1, "listed")

    # New notebook, type, save (JupyterLab offers to name it on the first save).
    _command(page, "notebook:create-new", {"kernelName": "python3"})
    page.locator(".jp-NotebookPanel .jp-Cell .cm-content").first.click()
    page.keyboard.type("answer = 6 * 7")
    page.keyboard.press("Control+s")
    naming = page.locator(".jp-Dialog")
    naming.locator("input").first.fill("analysis.ipynb")
    naming.get_by_role("button", name="Rename and Save").click()
    _eventually(lambda: "answer = 6 * 7" in _text_of(dav, "analysis.ipynb"), "notebook saved")
    saved = nbformat.reads(dav.download("analysis.ipynb")[0].decode(), as_version=4)
    assert saved.cells[0].source == "answer = 6 * 7"
    assert "Untitled.ipynb" not in _names(dav)

    # Rename it in the file browser: the site has the new name only.
    _command(page, "filebrowser:activate")
    _context_command(page, "analysis.ipynb", "filebrowser:rename")
    name_box = page.locator(".jp-DirListing-editor")
    name_box.fill("results.ipynb")
    name_box.press("Enter")
    _eventually(lambda: "results.ipynb" in _names(dav), "rename reached the site")
    assert "analysis.ipynb" not in _names(dav)

    # Someone changes it behind JupyterLab's back; the next save shows JupyterLab's dialog
    # instead of silently overwriting, and "Overwrite" then really writes.
    stored = json.loads(dav.download("results.ipynb")[0])
    stored["cells"][0]["source"] = "answer = 'changed on my laptop'"
    later = int(time.time()) + 120
    dav.put("results.ipynb", json.dumps(stored).encode(), mtime=later)
    page.locator(".jp-NotebookPanel .jp-Cell .cm-content").first.click()
    page.keyboard.press("End")
    page.keyboard.type("  # mine")
    page.keyboard.press("Control+s")
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("File Changed")
    assert "changed on my laptop" in _text_of(dav, "results.ipynb")
    dialog.get_by_role("button", name="Overwrite").click()
    _eventually(lambda: "# mine" in _text_of(dav, "results.ipynb"), "overwrite saved")

    # Duplicate: a server-side copy appears next to it.
    _context_command(page, "results.ipynb", "filebrowser:duplicate")
    _eventually(lambda: "results-Copy1.ipynb" in _names(dav), "copy reached the site")

    # Delete (JupyterLab asks first): gone from the site's files too.
    _refresh(page)
    _context_command(page, "from-laptop.txt", "filebrowser:delete")
    # The site keeps deleted files in its trash bin, and JupyterLab says so.
    page.locator(".jp-Dialog").get_by_role("button", name="Move to Trash").click()
    _eventually(lambda: "from-laptop.txt" not in _names(dav), "delete reached the site")
    assert _names(dav) == {"results.ipynb", "results-Copy1.ipynb"}


def test_uploading_a_file_over_100_mb_from_the_browser(page, newcomer, tmp_path):
    """JupyterLab sends it in 1 MiB chunks; the site gets it whole and byte-identical."""
    _, _, dav = newcomer
    big = tmp_path / "measurements.bin"
    with big.open("wb") as out:
        for i in range(101):
            out.write(hashlib.sha256(str(i).encode()).digest() * (MiB // 32))
    with page.expect_file_chooser() as chooser:
        page.locator(".jp-FileBrowser-toolbar").get_by_title("Upload Files").click()
    chooser.value.set_files(str(big))
    # JupyterLab asks before uploading anything over 15 MB.
    warning = page.locator(".jp-Dialog", has_text="Large file size warning")
    warning.get_by_role("button", name="Upload").click()
    _eventually(lambda: "measurements.bin" in _names(dav), "upload finished", limit=240)
    received = hashlib.sha256()
    response = dav.open_download("measurements.bin")
    try:
        for block in response.iter_content(MiB):
            received.update(block)
    finally:
        response.close()
    assert received.hexdigest() == hashlib.sha256(big.read_bytes()).hexdigest()


# Chromium does not hand a fetch's Blob body to Playwright, so the page records what
# JupyterLab sends: its requests go through window.fetch, wrapped here before it starts.
RECORD_SAVES = """
const sendRequest = window.fetch;
window.cs3Saves = [];
window.fetch = async (request, init) => {
  if (request instanceof Request && request.method === 'PUT' &&
      request.url.includes('/api/contents/')) {
    window.cs3Saves.push({url: request.url, body: JSON.parse(await request.clone().text())});
  }
  return sendRequest(request, init);
};
"""


def test_each_save_names_the_version_it_replaces(page, newcomer):
    """The labextension sends, with each save of an open document, the ``hash`` of the
    version the editor loaded (then of the one it saved), so the server can refuse a save
    that would replace a version this editor never saw."""
    _, _, dav = newcomer
    dav.put("notes.txt", b"first line\n")
    page.context.add_init_script(RECORD_SAVES)
    page.reload()
    page.locator(".jp-DirListing-content").wait_for()
    with page.expect_response(
        lambda r: "/api/contents/notes.txt" in r.url and "content=1" in r.url
    ) as opened:
        _command(page, "docmanager:open", {"path": "notes.txt"})
    loaded = opened.value.json()
    editor = page.locator(".jp-FileEditor .cm-content")
    expect(editor).to_contain_text("first line")

    for words in ("second line", "third line"):
        editor.click()
        page.keyboard.press("Control+End")
        page.keyboard.type(words)
        page.keyboard.press("Control+s")
        _eventually(lambda words=words: words in _text_of(dav, "notes.txt"), f"{words} saved")

    sent = [
        save["body"]
        for save in page.evaluate("window.cs3Saves")
        if "/api/contents/notes.txt" in save["url"]
    ]
    assert [body["content"].count("line") for body in sent] == [2, 3]
    first, second = sent
    assert (first["hash"], first["hash_algorithm"]) == (loaded["hash"], loaded["hash_algorithm"])
    # The second save names the version the first one made, not the one first loaded.
    assert second["hash"] != first["hash"]


def _open_text(page, path: str) -> dict:
    """Open a text file in the editor; returns the model JupyterLab loaded (with its hash)."""
    with page.expect_response(
        lambda r: f"/api/contents/{path}" in r.url and "content=1" in r.url
    ) as opened:
        _command(page, "docmanager:open", {"path": path})
    return opened.value.json()


def _type_and_save(page, words: str) -> None:
    page.locator(".jp-FileEditor .cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(words)
    page.keyboard.press("Control+s")


def test_a_colleagues_save_between_check_and_save_is_not_overwritten(page, newcomer, page_errors):
    """Two JupyterLab tabs on one server edit one file. Tab Y saves; tab X's save must not
    replace Y's version although X's own check came first: X's save names the version X
    loaded, so the server refuses it (409) and JupyterLab says so; Y's text stays.

    The timing (Y's save landing between X's check and X's save) cannot be produced on
    demand, so X's pre-save check is answered with the version X loaded: the one thing
    mocked here."""
    _, lab, dav = newcomer
    dav.put("shared.txt", b"our draft\n")
    _refresh(page)
    loaded = _open_text(page, "shared.txt")
    expect(page.locator(".jp-FileEditor .cm-content")).to_contain_text("our draft")

    other = page.context.new_page()
    other.goto(lab.lab_url)
    other.locator(".jp-DirListing-content").wait_for()
    _open_text(other, "shared.txt")
    _type_and_save(other, "the colleague's line")
    _eventually(lambda: "colleague" in _text_of(dav, "shared.txt"), "the other tab saved")
    other.close()

    def check_sees_the_loaded_version(route) -> None:
        answer = route.fetch()
        model = answer.json()
        model.update(hash=loaded["hash"], last_modified=loaded["last_modified"])
        route.fulfill(response=answer, json=model)

    page.route(
        lambda url: "/api/contents/shared.txt" in url and "content=0" in url,
        check_sees_the_loaded_version,
    )
    _type_and_save(page, "my line")

    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("File Save Error for shared.txt")
    expect(dialog).to_contain_text("Nothing was overwritten")
    assert _text_of(dav, "shared.txt") == "our draft\nthe colleague's line"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "save-refused-conflict.png"))
    # JupyterLab leaves the failed save's rejection unhandled after its dialog: expected here.
    # (Playwright delivers page events while it is called: wait through the page.)
    _eventually(
        lambda: page.wait_for_timeout(100) or bool(page_errors), "the failed save's rejection"
    )
    assert all("Nothing was overwritten" in error for error in page_errors), page_errors
    page_errors.clear()
