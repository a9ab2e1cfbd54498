"""The wheel a user installs: built from source, installed where there is no Node.js.

This is what `pip install jupyter-sciencemesh` gives a hub image: the prebuilt labextension
and the server extension must both be enabled and OK with no further step. It builds the
wheel from a copy of the working tree (so a stale local build cannot hide a broken one) and
installs it into a fresh virtual environment whose PATH has no `node`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.timeout(600)


def _run(cmd: list[str], **kwargs) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)  # no colour codes


def _source_copy(dest: Path) -> Path:
    """The files git would ship (tracked + new, not ignored): no node_modules, no build."""
    names = _run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO
    ).split("\0")
    for name in filter(None, names):
        source = REPO / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, str]:
    """A fresh venv with the wheel (and JupyterLab) installed; returns its node-less env."""
    root = tmp_path_factory.mktemp("wheel")
    source = _source_copy(root / "src")
    dist = root / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(source)])
    (wheel,) = dist.glob("jupyter_sciencemesh-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "cs3_jupyter/labextension/package.json" in names
    assert any(n.endswith("jupyter_server_config.d/cs3_jupyter.json") for n in names)

    venv = root / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel), "jupyterlab"])
    # Only the venv on PATH: no node, npm or jlpm can be found.
    env = {"PATH": str(venv / "bin"), "HOME": str(root), "LANG": "C.UTF-8"}
    assert shutil.which("node", path=env["PATH"]) is None
    return env


def test_labextension_is_enabled_and_ok_without_node(installed):
    out = _run(["jupyter", "labextension", "list"], env=installed)
    line = next(line for line in out.splitlines() if "jupyter-sciencemesh" in line)
    assert "enabled" in line and "OK" in line


def test_server_extension_is_enabled_and_ok(installed):
    out = _run(["jupyter", "server", "extension", "list"], env=installed)
    assert "cs3_jupyter enabled" in out
    assert f"cs3_jupyter {_version()} OK" in out


def test_jupyterlab_starts_with_the_extension(installed):
    # --no-browser-test: the browser part of browser_check downloads its own browser, which
    # cannot work here; our real-browser tests (tests/ui) load the extension in Chromium.
    args = ["python", "-m", "jupyterlab.browser_check", "--no-browser-test"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    out = _run(args, env=installed)
    assert "cs3_jupyter | extension was successfully loaded" in out


def _version() -> str:
    from cs3_jupyter import __version__

    return __version__
