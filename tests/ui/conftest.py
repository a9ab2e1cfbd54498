"""Browser-test fixtures: Debian's chromium driven by Playwright, and real JupyterLab servers
for users of the session's local mesh (see ../conftest.py).

Nothing is mocked: the pages talk to real JupyterLab servers, which talk to real local-mesh
sites over HTTP. The browser is the system's chromium (``apt-get install chromium``); no
browser build is ever downloaded.
"""

from __future__ import annotations

import itertools
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cs3_localmesh.mesh import Mesh
from playwright.sync_api import Browser, Page, sync_playwright
from ui_lab import ARTIFACTS, Lab, start_lab

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_CORE = Path(__file__).resolve().parents[2] / "labextension/node_modules/axe-core/axe.min.js"
_counter = itertools.count(1)

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def jp_asyncio_loop() -> None:
    """Replaces pytest-jupyter's per-test loop here: these tests run no in-process server (their
    JupyterLab servers are subprocesses), and that fixture would close the event loop that
    Playwright's sync API keeps running for the session's browser."""


@pytest.fixture(autouse=True)
def jp_server_cleanup() -> None:
    """No in-process ServerApp to clean up (see jp_asyncio_loop above)."""


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail(
            "The browser tests need Debian's chromium: run `make browser` "
            "(or `apt-get install chromium`)."
        )
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope: Playwright's sync API keeps an event loop running while it is open, which
    # must not outlive this directory's tests (the rest of the suite runs pytest-jupyter's loops).
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True
        )
        yield launched
        launched.close()


@dataclass
class Person:
    """A mesh user with their own JupyterLab."""

    user: str
    site: str
    site_host: str
    site_url: str
    lab: Lab

    @property
    def federated_id(self) -> str:
        return f"{self.user}@{self.site_host}"


@pytest.fixture(scope="session")
def person(
    mesh: Mesh, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str, str], Person]]:
    """``person(site, name_hint)``: a fresh user at that site, with a running JupyterLab."""
    started: list[Lab] = []

    def make(site: str, hint: str) -> Person:
        name = f"{hint}{next(_counter)}-{secrets.token_hex(2)}"
        info = mesh.add_user(site, name, display_name=f"{hint.title()} {site.upper()}")
        lab = start_lab(
            tmp_path_factory.mktemp(f"lab-{name}"),
            site_url=mesh.site(site).url,
            site_name=site,
            user=info.user,
            password=info.app_password or info.password,
            directory_url=mesh.directory_url,
        )
        started.append(lab)
        return Person(
            user=info.user,
            site=site,
            site_host=mesh.site(site).host,
            site_url=mesh.site(site).url,
            lab=lab,
        )

    yield make
    for lab in started:
        lab.stop()


class LabPage:
    """One user's JupyterLab in the browser, with the few moves the tests repeat."""

    def __init__(self, page: Page, owner: Person) -> None:
        self.page = page
        self.owner = owner
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(f"{error}\n{error.stack}"))

    def open(self) -> LabPage:
        self.page.goto(self.owner.lab.lab_url)
        self.page.locator(".jp-DirListing-content").wait_for()
        return self

    def show_panel(self) -> None:
        tab = self.page.locator('.jp-SideBar li[data-id="jupyter-sciencemesh-panel"]')
        if tab.get_attribute("aria-selected") != "true":
            tab.click()
        self.page.locator("#jupyter-sciencemesh-panel .jp-ScienceMesh-content").wait_for()

    def panel(self):
        return self.page.locator("#jupyter-sciencemesh-panel")

    def refresh_panel(self) -> None:
        self.show_panel()
        button = self.panel().get_by_role("button", name="Refresh")
        button.click()
        # The panel is busy while loading and no longer once everything is in.
        self.page.wait_for_function(
            "() => document.querySelector('#jupyter-sciencemesh-panel "
            ".jp-ScienceMesh-content').getAttribute('aria-busy') === 'false'"
        )

    def open_section(self, section: str) -> None:
        details = self.panel().locator(f'details[data-section="{section}"]')
        if details.get_attribute("open") is None:
            details.locator("summary").click()

    def file_item(self, name: str):
        return self.page.locator(
            ".jp-DirListing-item", has=self.page.locator(".jp-DirListing-itemText", has_text=name)
        )

    def show_files(self) -> None:
        tab = self.page.locator('.jp-SideBar li[data-id="filebrowser"]')
        if tab.get_attribute("aria-selected") != "true":
            tab.click()
        self.page.locator(".jp-DirListing-content").wait_for()

    def share_from_context_menu(self, name: str) -> None:
        self.show_files()
        self.file_item(name).click(button="right")
        self.page.locator('.lm-Menu-item[data-command="sciencemesh:share"]').click()
        self.dialog().wait_for()

    def dialog(self):
        return self.page.locator(".jp-Dialog .jp-ScienceMesh-shareForm")

    def close_dialog(self) -> None:
        self.page.locator(".jp-Dialog").get_by_role("button", name="Close").last.click()
        self.page.locator(".jp-Dialog").wait_for(state="detached")

    def set_theme(self, theme: str) -> None:
        self.page.evaluate(
            "theme => window.jupyterapp.commands.execute('apputils:change-theme', {theme})",
            theme,
        )
        self.page.wait_for_function(
            "theme => document.body.dataset.jpThemeName === theme", arg=theme
        )
        # JupyterLab shows its splash while a theme loads; a second switch before the splash
        # is gone makes JupyterLab itself throw (it removes the splash twice).
        self.page.locator("#jupyterlab-splash").wait_for(state="detached")

    def contrast(self, locator) -> float:
        """WCAG contrast ratio of the element's text against the background it is drawn on.

        Both colours come from the computed styles: the text colour is blended over the
        nearest ancestor background that is not transparent (theme colours may be
        translucent, e.g. rgba(255, 255, 255, 0.87)).
        """
        return locator.evaluate(
            """el => {
              const rgba = text => text.match(/[\\d.]+/g).map(Number);
              let node = el, bg = null;
              while (node && node.nodeType === 1) {
                const [r, g, b, a = 1] = rgba(getComputedStyle(node).backgroundColor);
                if (a > 0) { bg = [r, g, b]; break; }
                node = node.parentElement;
              }
              bg = bg || [255, 255, 255];
              const [r, g, b, a = 1] = rgba(getComputedStyle(el).color);
              const fg = [r, g, b].map((c, i) => c * a + bg[i] * (1 - a));
              const lum = ([r, g, b]) => {
                const lin = c => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
                return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
              };
              const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
              return (hi + 0.05) / (lo + 0.05);
            }"""
        )

    def axe(self, selector: str) -> list[dict]:
        """axe-core's critical, serious and moderate violations inside ``selector``.

        axe-core comes from the labextension's npm dev dependencies (``jlpm install``), the
        same copy every developer and CI has; it is injected into the page only for the check.
        """
        if not self.page.evaluate("() => 'axe' in window"):
            self.page.add_script_tag(path=str(AXE_CORE))
        found = self.page.evaluate(
            """async selector => (await axe.run(selector, {resultTypes: ['violations']}))
                 .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.map(n => n.target.join(' '))}))""",
            selector,
        )
        return [v for v in found if v["impact"] in ("critical", "serious", "moderate")]

    def fits_width(self, locator) -> bool:
        """Whether the element's content fits its width (no horizontal scrolling or clipping)."""
        return locator.evaluate("el => el.scrollWidth <= el.clientWidth + 1")

    def screenshot(self, name: str, locator=None) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS / f"{name}.png"
        (locator or self.page).screenshot(path=str(target))
        return target


@pytest.fixture
def lab_page(browser: Browser) -> Iterator[Callable[[Person], LabPage]]:
    """``lab_page(person)``: that person's JupyterLab open in a fresh browser context."""
    contexts = []
    pages: list[LabPage] = []

    def make(owner: Person) -> LabPage:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = LabPage(context.new_page(), owner)
        pages.append(page)
        return page.open()

    yield make
    errors = [f"{p.owner.user}: {e}" for p in pages for e in p.errors]
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
