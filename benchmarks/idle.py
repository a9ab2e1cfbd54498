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
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import requests
from cs3_localmesh.mesh import Mesh
from cs3_localmesh.seed import DEMO_USERS

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


class JupyterLab:
    """A JupyterLab server for the demo user, quiet (no news, no update check)."""

    def __init__(self, base: Path, mesh: Mesh) -> None:
        self.token = secrets.token_hex(16)
        config, settings = base / "config", base / "settings"
        notification = settings / "@jupyterlab" / "apputils-extension"
        notification.mkdir(parents=True)
        (notification / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
        config.mkdir()
        (base / "root").mkdir()
        lab = {
            "news_url": None,
            "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate",
            "user_settings_dir": str(settings),
            "workspaces_dir": str(base / "workspaces"),
        }
        (config / "jupyter_server_config.json").write_text(
            json.dumps({"ServerApp": {"open_browser": False}, "LabApp": lab})
        )
        site = mesh.site(HOME_SITE)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CS3_", "JUPYTER"))}
        env.update(
            JUPYTER_CONFIG_DIR=str(config),
            JUPYTER_CONFIG_PATH=str(config),
            JUPYTER_RUNTIME_DIR=str(base / "runtime"),
            JUPYTER_DATA_DIR=str(base / "data"),
            JUPYTER_PLATFORM_DIRS="1",
            CS3_SITE_URL=site.url,
            CS3_USER=USER,
            CS3_PASSWORD=f"{USER}-pass",
            CS3_MESH_DIRECTORY_URL=mesh.directory_url,
        )
        args = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.port=0",
            f"--ServerApp.root_dir={base / 'root'}",
            f"--IdentityProvider.token={self.token}",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ]
        self._log = (base / "lab.log").open("wb")
        self.process = subprocess.Popen(args, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        info = base / "runtime" / f"jpserver-{self.process.pid}.json"
        deadline = time.monotonic() + 90
        self.url = ""
        while not self.url:
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"JupyterLab did not start; see {base / 'lab.log'}")
            try:
                url = json.loads(info.read_text())["url"]
                if requests.get(url + "api/status", params={"token": self.token}, timeout=5).ok:
                    self.url = url
            except (OSError, ValueError, KeyError, requests.ConnectionError):
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log.close()


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
            lab = JupyterLab(Path(scratch) / "lab", mesh)
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
                    lambda r: polls.append(r.url)
                    if r.method == "GET" and "/api/contents" in r.url
                    else None,
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


def rows(result: IdleResult) -> list[str]:
    """The two rows of the report, with their budgets and what was asked."""
    visible, hidden = result.visible, result.hidden
    return [
        "| idle tab | requests/min at the EFSS | budget | detail (per minute) |",
        "|---|---|---|---|",
        f"| visible | {visible.per_minute():g} | {result.browser_polls:g} (the file browser's "
        f"poll of the open folder) | {visible.detail()} |",
        f"| hidden | {hidden.per_minute():g} | 0 | {hidden.detail()} |",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.idle", description=__doc__)
    parser.add_argument(
        "--window", type=float, default=FULL_WINDOW_S, help="seconds per phase (default 60)"
    )
    args = parser.parse_args(argv)
    result = measure(args.window, lambda step: print(f"... {step}", file=sys.stderr, flush=True))
    print("\n".join(rows(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
