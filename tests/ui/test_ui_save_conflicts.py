"""No lost update when one user edits a file from several JupyterLab tabs and servers.

Real JupyterLab documents save here, as a user's Ctrl+S does (JupyterLab's own document
context: its check, the save with our labextension's version, its fetch after the save),
against real Jupyter servers on the local mesh. A save JupyterLab reports as done must
survive; any other save must be shown to the user: the File Changed dialog, or a File Save
Error. Nothing is mocked; one test holds a request in the browser to choose the moment a
colleague's save lands, and lets it go unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, Route, expect
from ui_lab import ARTIFACTS, Lab, start_lab

from cs3_jupyter.dav.client import DavClient
from cs3_jupyter.transport.auth import make_auth

pytestmark = pytest.mark.browser

SAVES = 200

# One writer per page, through JupyterLab's document context for the file (what Ctrl+S runs);
# it answers JupyterLab's dialogs as a user would: "Revert" in File Changed (then it makes its
# change again on what it loaded), "Close" on a File Save Error (then it reloads, and again).
WRITER = """
window.cs3Writer = (() => {
  const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
  const button = (dialog, label) =>
    [...dialog.querySelectorAll('button')].find(b => b.textContent.trim() === label);
  async function shownDialog() {
    for (let waited = 0; waited < 20000; waited += 20) {
      const dialog = document.querySelector('.jp-Dialog');
      if (dialog) { return dialog; }
      await sleep(20);
    }
    return null;
  }
  const state = {saved: [], changed: 0, refused: 0, refusals: [], done: false, error: null};
  let context = null;

  async function append(line) {
    const source = context.model.sharedModel;
    source.setSource(source.getSource() + line + '\\n');
    let settled = false, failure = null, changed = false;
    context.save().then(() => { settled = true; }, err => { settled = true; failure = err; });
    while (!settled) {
      const dialog = document.querySelector('.jp-Dialog');
      if (dialog && dialog.textContent.includes('has changed on disk') && !changed) {
        changed = true;
        button(dialog, 'Revert').click();
      }
      await sleep(20);
    }
    if (failure) {
      // JupyterLab rejects the save and then shows its error dialog.
      const dialog = await shownDialog();
      if (!dialog) { throw failure; }
      state.refusals.push(dialog.querySelector('.jp-Dialog-body').textContent);
      button(dialog, 'Close').click();
      while (dialog.isConnected) { await sleep(20); }
      await context.revert();
      return 'refused';
    }
    return changed ? 'changed' : 'saved';
  }

  return {
    state,
    async open(path) {
      const widget = await window.jupyterapp.commands.execute(
        'docmanager:open', {path, factory: 'Editor'});
      await widget.context.ready;
      context = widget.context;
    },
    async run(name, count) {
      try {
        while (state.saved.length < count) {
          const line = `${name} save ${state.saved.length}`;
          const outcome = await append(line);
          if (outcome === 'saved') { state.saved.push(line); } else { state[outcome]++; }
        }
      } catch (err) {
        state.error = String(err && err.stack || err);
      }
      state.done = true;
    }
  };
})();
"""


@pytest.fixture(scope="module")
def one_user_two_servers(mesh, tmp_path_factory) -> Iterator[tuple[list[Lab], DavClient]]:
    """One user with two JupyterLab servers (say a hub session and a laptop), and the user's
    sync-client view of the home (plain WebDAV)."""
    info = mesh.add_user("a", f"busy{time.monotonic_ns() % 10**6}")
    labs = [
        start_lab(
            tmp_path_factory.mktemp(f"lab-busy-{n}"),
            site_url=mesh.site("a").url,
            site_name="a",
            user=info.user,
            password=info.app_password,
            directory_url=mesh.directory_url,
        )
        for n in (1, 2)
    ]
    yield labs, DavClient(mesh.site("a").url, info.user, make_auth(info.user, info.password))
    for lab in labs:
        lab.stop()


@pytest.fixture
def tabs(browser: Browser) -> Iterator[Callable[[Lab], Page]]:
    """``tab(lab)``: that JupyterLab in a new browser tab (its own window, as tabs are never
    throttled in the background here); no JavaScript error may be left at the end."""
    contexts, errors = [], []

    def open_tab(lab: Lab) -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.set_default_timeout(60_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(lab.lab_url)
        page.locator(".jp-DirListing-content").wait_for()
        return page

    yield open_tab
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def _open_editor(page: Page, path: str) -> None:
    page.evaluate(
        "async path => { await window.jupyterapp.commands.execute('docmanager:open', {path}); }",
        path,
    )
    page.locator(".jp-FileEditor .cm-content").wait_for()


def _type_and_save(page: Page, words: str) -> None:
    page.locator(".jp-FileEditor .cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(words)
    page.keyboard.press("Control+s")


def _wait(check: Callable[[], bool], what: str, limit: float = 60) -> None:
    """Wait for something the browser does asynchronously (no assertion on the time)."""
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.1)


def test_a_colleagues_save_right_after_mine_is_never_silently_overwritten(
    one_user_two_servers, tabs
):
    """Tab X saves; a colleague (tab Y, same server) opens the file and saves before X's
    JupyterLab has asked for the hash of what it saved. X's next save must not replace Y's
    text without a word: JupyterLab must show File Changed (or a File Save Error)."""
    (lab, _), dav = one_user_two_servers
    dav.put("report.txt", b"draft")
    x, y = tabs(lab), tabs(lab)
    _open_editor(x, "report.txt")
    expect(x.locator(".jp-FileEditor .cm-content")).to_contain_text("draft")

    # JupyterLab asks for the file without content twice per save: its check before, and its
    # fetch after. The second one is held until the colleague's save has landed.
    held: list[Route] = []
    checks: list[str] = []

    def hold_the_fetch_after_the_save(route: Route) -> None:
        checks.append(route.request.url)
        if len(checks) == 2:
            held.append(route)
        else:
            route.continue_()

    x.route(
        lambda url: "/api/contents/report.txt" in url and "content=0" in url,
        hold_the_fetch_after_the_save,
    )
    _type_and_save(x, " mine")
    _wait(lambda: x.wait_for_timeout(50) or bool(held), "X's fetch after its save")
    assert dav.download("report.txt")[0] == b"draft mine"

    _open_editor(y, "report.txt")
    expect(y.locator(".jp-FileEditor .cm-content")).to_contain_text("draft mine")
    _type_and_save(y, " and the colleague's")
    _wait(lambda: b"colleague" in dav.download("report.txt")[0], "Y's save landed")
    held[0].continue_()
    _wait(lambda: x.wait_for_timeout(50) or not _dirty(x), "X's save finished")

    _type_and_save(x, " more of mine")
    dialog = x.locator(".jp-Dialog")
    expect(dialog).to_contain_text("File Changed")
    assert dav.download("report.txt")[0] == b"draft mine and the colleague's"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    x.screenshot(path=str(ARTIFACTS / "save-after-colleague-file-changed.png"))
    # Revert shows the colleague's text; nothing of theirs was lost.
    dialog.get_by_role("button", name="Revert").click()
    expect(x.locator(".jp-FileEditor .cm-content")).to_contain_text("the colleague's")


def _dirty(page: Page) -> bool:
    return page.locator(".jp-mod-dirty").count() > 0


def test_200_saves_from_two_tabs_and_two_servers_lose_none(one_user_two_servers, tabs):
    """Three JupyterLab tabs (two on one server, one on the other) append a line each and
    save, as fast as JupyterLab lets them, until 200 saves were reported done. Every line a
    tab was told it saved is in the file at the end; nothing was saved twice."""
    labs, dav = one_user_two_servers
    dav.put("busy.txt", b"")
    pages = [tabs(labs[0]), tabs(labs[0]), tabs(labs[1])]
    shares = [SAVES // 3 + (1 if n < SAVES % 3 else 0) for n in range(3)]
    for page in pages:
        page.evaluate(WRITER)
        page.evaluate("path => window.cs3Writer.open(path)", "busy.txt")
    started = time.monotonic()
    for n, (page, count) in enumerate(zip(pages, shares, strict=True)):
        page.evaluate("([name, count]) => { window.cs3Writer.run(name, count); }", [f"T{n}", count])
    states: list[dict] = []

    def all_done() -> bool:
        states[:] = [page.evaluate("window.cs3Writer.state") for page in pages]
        return all(state["done"] for state in states)

    _wait(lambda: pages[0].wait_for_timeout(500) or all_done(), "200 saves", limit=600)
    elapsed = time.monotonic() - started
    assert [state["error"] for state in states] == [None, None, None]
    saved = [line for state in states for line in state["saved"]]
    assert len(saved) == SAVES
    final = dav.download("busy.txt")[0].decode().splitlines()
    lost = [line for line in saved if line not in final]
    assert lost == [], f"{len(lost)} of {SAVES} saves JupyterLab reported done were lost"
    assert sorted(final) == sorted(saved)  # nothing else, nothing twice
    refusals = {text for state in states for text in state["refusals"]}
    assert all("Nothing was overwritten" in text for text in refusals), refusals
    print(
        f"\n{SAVES} saves in {elapsed:.1f} s; File Changed {[s['changed'] for s in states]}, "
        f"File Save Error {[s['refused'] for s in states]}"
    )
