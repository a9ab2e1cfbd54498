"""What one open JupyterLab tab doing nothing costs the EFSS, visible and hidden.

A hub multiplies this by its users: every request an idle tab makes per minute is a request
per second at the site for every sixty people who left a tab open. The demo mesh (two sites;
alice's home holds a folder shared with her from the other site, so listing it costs that
site a PROPFIND through the federation, as on Nextcloud) serves a real JupyterLab as alice,
opened in Debian's chromium. After the page has loaded and settled, the sites' request
counters are reset and read again after a window with the tab visible, then after a window
with the tab hidden.

Headless chromium never hides a page (a tab behind another, a minimized window: both stay
'visible', checked with chromium 156), so hiding is emulated at the Page Visibility API:
:data:`VISIBILITY` makes ``document.visibilityState``/``hidden`` report what the bench sets
and fires ``visibilitychange`` and ``blur``/``focus``, the signals a tab switch gives a page.

``python -m benchmarks.idle [--window 60]`` runs it alone; ``python -m benchmarks`` includes it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cs3_localmesh.mesh import Mesh
from cs3_localmesh.seed import DEMO_USERS

from .jupyter import JupyterServer

if TYPE_CHECKING:
    from playwright.sync_api import Page

#: The issue's method: one minute per phase.
FULL_WINDOW_S = 60.0
QUICK_WINDOW_S = 20.0
#: After the page load: the panel's first load and the file browser's first listing.
SETTLE_S = 8.0
#: After hiding: JupyterLab's file browser polls once more before it stands by (Lumino's
#: default linger of one tick, every 10 s); counted from after that, as the steady state.
HIDE_SETTLE_S = 12.0
HOME_SITE, SHARE_SITE = "a", "b"
USER = DEMO_USERS[0][0]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
#: Page script: the Page Visibility state as a user switching tabs would set it;
#: ``window.sciencemeshBenchVisibility('hidden' | 'visible')`` switches.
VISIBILITY = """(() => {
  let state = 'visible';
  const proto = Document.prototype;
  Object.defineProperty(proto, 'visibilityState', { get: () => state, configurable: true });
  Object.defineProperty(proto, 'hidden', { get: () => state === 'hidden', configurable: true });
  window.sciencemeshBenchVisibility = next => {
    state = next;
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event(next === 'hidden' ? 'blur' : 'focus'));
    return document.visibilityState;
  };
})();"""


@dataclass
class Phase:
    """Requests each site saw during one window, by ``METHOD /route``."""

    window_s: float
    routes: dict[str, dict[str, int]] = field(default_factory=dict)

    def per_minute(self, site: str | None = None) -> float:
        sites = [site] if site else list(self.routes)
        total = sum(sum(self.routes[name].values()) for name in sites)
        return total * 60.0 / self.window_s

    def detail(self) -> str:
        """``a: 6 PROPFIND /remote.php/dav; b: ...`` per minute, or ``none``."""
        parts = []
        for site, routes in sorted(self.routes.items()):
            kinds = ", ".join(
                f"{count * 60.0 / self.window_s:g} {route}"
                for route, count in sorted(routes.items())
            )
            if kinds:
                parts.append(f"site {site}: {kinds}")
        return "; ".join(parts) or "none"


@dataclass
class IdleResult:
    visible: Phase
    hidden: Phase
    #: The file browser's own poll of the open folder, per minute (the visible budget).
    browser_polls: float


def _start_lab(base: Path, mesh: Mesh) -> JupyterServer:
    """JupyterLab for the demo user, quiet (no news, no update check)."""
    settings = base / "settings"
    notification = settings / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    lab = {
        "news_url": None,
        "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "user_settings_dir": str(settings),
        "workspaces_dir": str(base / "workspaces"),
    }
    return JupyterServer(
        base,
        site_url=mesh.site(HOME_SITE).url,
        user=USER,
        password=f"{USER}-pass",
        app="jupyterlab",
        sections={"LabApp": lab},
        env={"CS3_MESH_DIRECTORY_URL": mesh.directory_url},
    )


def _count(mesh: Mesh, page: Page, window_s: float) -> Phase:
    for site in (HOME_SITE, SHARE_SITE):
        mesh.reset_stats(site)
    page.wait_for_timeout(window_s * 1000)  # Playwright delivers the page's events meanwhile
    return Phase(window_s, {site: mesh.route_stats(site) for site in (HOME_SITE, SHARE_SITE)})


def measure(window_s: float, progress: Callable[[str], None] = print) -> IdleResult:
    """Start the demo mesh, JupyterLab and chromium; count an idle tab's requests."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise RuntimeError("the idle-tab benchmark needs Debian's chromium (make browser)")
    with tempfile.TemporaryDirectory(prefix="cs3-idle-") as scratch:
        progress("idle tab: demo mesh")
        mesh = Mesh(Path(scratch) / "mesh", n_sites=2, seed="demo").start()
        lab = None
        try:
            progress("idle tab: JupyterLab")
            lab = _start_lab(Path(scratch) / "lab", mesh)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium, args=CHROMIUM_FLAGS, headless=True
                )
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                context.add_init_script(VISIBILITY)
                page = context.new_page()
                # The file browser's poll: a listing of the open folder (the home).
                polls: list[str] = []
                page.on(
                    "request",
                    lambda r: (
                        polls.append(r.url)
                        if r.method == "GET" and "/api/contents" in r.url
                        else None
                    ),
                )
                page.goto(f"{lab.url}lab?reset&token={lab.token}")
                page.locator(".jp-DirListing-content").wait_for(timeout=60_000)
                page.wait_for_timeout(SETTLE_S * 1000)
                progress(f"idle tab: {window_s:g} s visible")
                polls.clear()
                visible = _count(mesh, page, window_s)
                browser_polls = len(polls) * 60.0 / window_s
                progress(f"idle tab visible: {visible.per_minute():g}/min, {visible.detail()}")
                state = page.evaluate("() => window.sciencemeshBenchVisibility('hidden')")
                if state != "hidden":
                    raise RuntimeError(f"the tab could not be hidden: {state!r}")
                page.wait_for_timeout(HIDE_SETTLE_S * 1000)
                progress(f"idle tab: {window_s:g} s hidden")
                hidden = _count(mesh, page, window_s)
                browser.close()
        finally:
            if lab:
                lab.stop()
            mesh.stop()
    return IdleResult(visible, hidden, browser_polls)


def benchmark(window_s: float, progress: Callable[[str], None] = print) -> tuple[str, IdleResult]:
    """The report's section: requests/min per idle tab, visible and hidden, with budgets."""
    result = measure(window_s, progress)
    visible, hidden = result.visible, result.hidden
    polls = result.browser_polls
    lines = [
        f"Idle JupyterLab tab (demo mesh: alice's home at site {HOME_SITE} holds a folder "
        f"shared from site {SHARE_SITE}); requests at the sites over {window_s:g} s per phase, "
        "per minute; hidden counted after JupyterLab's file browser's one lingering poll.",
        "",
        "| idle tab | requests/min at the EFSS | budget | detail (per minute) |",
        "|---|---|---|---|",
        f"| visible | {visible.per_minute():g} | the file browser's {polls:g} listings of the "
        "open folder (a PROPFIND each, and the site's own PROPFIND at the share's site per "
        "listing) + one check of received shares | "
        f"{visible.detail()} |",
        f"| hidden | {hidden.per_minute():g} | 0 | {hidden.detail()} |",
    ]
    return "\n".join(lines), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.idle", description=__doc__)
    parser.add_argument(
        "--window", type=float, default=FULL_WINDOW_S, help="seconds per phase (default 60)"
    )
    args = parser.parse_args(argv)
    text, _ = benchmark(args.window, lambda step: print(f"... {step}", file=sys.stderr, flush=True))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
