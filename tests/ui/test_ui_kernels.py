"""Kernels on the EFSS in a real browser: the demo notebook runs against the data beside it.

Alice (the demo user of the session's local mesh) opens ``Project Mesh/analysis.ipynb`` in
her JupyterLab and runs all cells: the table computed from ``data/measurements.csv`` appears.
Then cells added to the notebook show that a file a cell writes is on the EFSS when the cell
has finished, that a file changed over WebDAV between two cells is seen by the second, and
that a change made on both sides keeps both versions (and says so under the cell). Her
password is not in the kernel's environment.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from ui_lab import start_lab

from cs3_jupyter.dav.client import DavClient
from cs3_jupyter.transport.auth import make_auth

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
FOLDER = "Project Mesh"


@pytest.fixture
def alice(mesh, tmp_path_factory):
    """The demo's alice with her own JupyterLab, and her sync client's view (WebDAV)."""
    lab = start_lab(
        tmp_path_factory.mktemp("lab-alice"),
        site_url=mesh.site("a").url,
        site_name="a",
        user="alice",
        password="alice-pass",
        directory_url=mesh.directory_url,
    )
    dav = DavClient(mesh.site("a").url, "alice", make_auth("alice", "alice-pass"))
    yield lab, dav
    lab.stop()


@pytest.fixture
def page(browser, alice):
    lab, _ = alice
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(90_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{lab.url}lab/tree/{FOLDER}/analysis.ipynb?reset&token={lab.token}")
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def _run_all(page) -> None:
    """Run every cell and wait until the last one has finished (JupyterLab's own promise)."""
    page.evaluate(
        """async () => {
            const panel = window.jupyterapp.shell.currentWidget;
            await panel.sessionContext.ready;
            await window.jupyterapp.commands.execute('notebook:run-all-cells');
        }"""
    )


def _run_new_cell(page, code: str) -> dict[str, Any]:
    """Append a code cell, run it, wait until it has finished; its outputs as text."""
    return page.evaluate(
        """async (code) => {
            const app = window.jupyterapp;
            const notebook = app.shell.currentWidget.content;
            const cells = notebook.model.sharedModel;
            cells.insertCell(cells.cells.length, {cell_type: 'code', source: code});
            notebook.activeCellIndex = cells.cells.length - 1;
            await app.commands.execute('notebook:run-cell');
            const outputs = notebook.model.cells.get(cells.cells.length - 1).toJSON().outputs;
            const text = {stdout: '', stderr: ''};
            for (const out of outputs) {
                if (out.output_type === 'stream') text[out.name] += [].concat(out.text).join('');
                if (out.output_type === 'error') text.stderr += out.ename + ': ' + out.evalue;
            }
            return text;
        }""",
        code,
    )


def test_the_demo_notebook_runs_against_its_efss_folder(page, alice):
    _, dav = alice
    _run_all(page)
    table = page.locator(".jp-OutputArea-output table")
    expect(table).to_contain_text("Geneva")
    expect(table).to_contain_text("Oslo")
    expect(table.locator("tr")).to_have_count(4)  # header + three stations
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kernel-demo-notebook.png"))

    # A file a cell writes is on the EFSS when the cell has finished (no waiting).
    out = _run_new_cell(
        page, "open('result.csv', 'w').write('station,mean\\nGeneva,8.1\\n'); print('written')"
    )
    assert out["stdout"] == "written\n", out
    assert dav.download(f"{FOLDER}/result.csv")[0] == b"station,mean\nGeneva,8.1\n"

    # A file changed over WebDAV between two cells is seen by the second.
    dav.put(f"{FOLDER}/data/note.txt", b"first")
    assert _run_new_cell(page, "print(open('data/note.txt').read())")["stdout"] == "first\n"
    dav.put(f"{FOLDER}/data/note.txt", b"changed on the EFSS")
    second = _run_new_cell(page, "print(open('data/note.txt').read())")
    assert second["stdout"] == "changed on the EFSS\n"

    # Changed on both sides: a background job of the kernel and a colleague over WebDAV.
    _run_new_cell(
        page,
        "import threading; threading.Timer(0.2, lambda: open('data/note.txt', 'w')"
        ".write('kernel version')).start()",
    )
    time.sleep(1.0)
    dav.put(f"{FOLDER}/data/note.txt", b"colleague version")
    told = _run_new_cell(page, "print(open('data/note.txt').read())")
    assert told["stdout"] == "colleague version\n"
    assert "'data/note.txt' was changed both by this kernel and on the EFSS" in told["stderr"]
    names = {entry.name for entry in dav.listdir(f"{FOLDER}/data")[1]}
    copies = [n for n in names if n.startswith("note (conflict from kernel ")]
    assert len(copies) == 1, names
    assert dav.download(f"{FOLDER}/data/{copies[0]}")[0] == b"kernel version"
    assert dav.download(f"{FOLDER}/data/note.txt")[0] == b"colleague version"
    expect(
        page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").last
    ).to_contain_text("conflict from kernel")
    page.screenshot(path=str(ARTIFACTS / "kernel-conflict-note.png"))

    # The password never reached the kernel.
    pid = int(_run_new_cell(page, "import os; print(os.getpid())")["stdout"])
    environ = Path(f"/proc/{pid}/environ").read_bytes()
    assert b"alice-pass" not in environ
    assert b"CS3_PASSWORD" not in environ
    assert b"CS3_EFSS_TOKEN=" in environ

    for leftover in ("result.csv", "data/note.txt", f"data/{copies[0]}"):
        dav.delete(f"{FOLDER}/{leftover}")
