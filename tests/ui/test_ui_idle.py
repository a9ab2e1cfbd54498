"""An idle JupyterLab tab costs the EFSS next to nothing, in a real browser.

A hub has one open tab per user, so what a tab does while nobody uses it is multiplied:
the panel checks for received shares once per poll interval while the page is visible
(set to a few seconds here, through JupyterLab's settings API, so the test is short),
nothing while it is hidden, and asks for the mesh sites' status only when that section is
opened. Every request the panel makes reaches the EFSS through ``/cs3/api``, so the test
counts what the page sends there. ``make bench`` counts the same at the sites themselves
(benchmarks/idle.py).

Headless chromium never hides a page, so hiding is emulated at the Page Visibility API
(``document.visibilityState`` and the ``visibilitychange`` event, as a tab switch gives
them; benchmarks.idle.VISIBILITY): the only part not real here, and the one the browser
cannot provide headless.
"""

from __future__ import annotations

import time

import pytest

from benchmarks.idle import VISIBILITY

pytestmark = pytest.mark.browser

POLL_S = 2


def _watch(page) -> list[str]:
    """Paths of the page's requests to our REST API, as they are sent."""
    sent: list[str] = []
    page.page.on(
        "request",
        lambda request: (
            sent.append(request.url.split("/cs3/api/", 1)[1].split("?")[0])
            if "/cs3/api/" in request.url
            else None
        ),
    )
    return sent


def _idle_page(person, lab_page):
    alice = person("a", "idle")
    answer = alice.lab.api(
        "PUT",
        "lab/api/settings/jupyter-sciencemesh:plugin",
        json={"raw": f'{{"pollInterval": {POLL_S}}}'},
    )
    assert answer.status_code == 204, answer.text
    page = lab_page(alice)
    # The panel's first load is done once it names the user above the file listing.
    page.page.locator(".jp-ScienceMesh-homeText", has_text=alice.user).wait_for()
    page.page.evaluate(VISIBILITY)
    return page


def test_received_shares_are_checked_once_per_interval_and_never_while_hidden(person, lab_page):
    page = _idle_page(person, lab_page)
    sent = _watch(page)

    page.page.wait_for_timeout((4 * POLL_S + 1) * 1000)  # the page's events arrive meanwhile
    checks = sent.count("received")
    # Polling works (so the silence below means something), at most once per interval.
    assert 1 <= checks <= 5, sent
    assert set(sent) == {"received"}, sent

    assert page.page.evaluate("() => window.sciencemeshBenchVisibility('hidden')") == "hidden"
    sent.clear()
    page.page.wait_for_timeout(4 * POLL_S * 1000)
    assert sent == [], "the panel asked while the tab was hidden"

    page.page.evaluate("() => window.sciencemeshBenchVisibility('visible')")
    deadline = time.monotonic() + 4 * POLL_S
    while "received" not in sent and time.monotonic() < deadline:
        page.page.wait_for_timeout(200)
    assert "received" in sent, "no check once the tab was visible again"


def test_mesh_site_status_is_asked_only_when_its_section_is_open(person, lab_page):
    page = _idle_page(person, lab_page)
    sent = _watch(page)
    page.show_panel()
    page.refresh_panel()
    assert "received" in sent
    assert "mesh/sites" not in sent, "site status asked with its section closed"

    page.open_section("sites")
    page.panel().locator('ul[aria-label="Mesh sites"] li').first.wait_for()
    assert sent.count("mesh/sites") == 1, sent
