"""The wheels a user installs: built from source, installed where there is no Node.js.

This is what `pip install jupyter-sciencemesh` gives a hub image: the prebuilt labextension
and the server extension must both be enabled and OK with no further step, and nothing of the
local mesh (its code, its WebDAV server, its admin API) may come with it. The local mesh is a
second distribution (`localmesh/`) that the demo and Binder install beside the product. Both
wheels are built from a copy of the working tree (so a stale local build cannot hide a broken
one) and installed into a fresh virtual environment whose PATH has no `node`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import requests

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
def wheels(tmp_path_factory) -> dict[str, Path]:
    """The product's and the local mesh's wheels, built from a copy of the tree."""
    root = tmp_path_factory.mktemp("wheel")
    source = _source_copy(root / "src")
    dist = root / "dist"
    for project in (source, source / "localmesh"):
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(project)])
    (product,) = dist.glob("jupyter_sciencemesh-*.whl")
    (localmesh,) = dist.glob("jupyter_sciencemesh_localmesh-*.whl")
    return {"root": root, "product": product, "localmesh": localmesh}


def _wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def _requirements(wheel: Path) -> list[str]:
    """The Requires-Dist lines of a wheel's metadata, lower-cased names first."""
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        text = archive.read(metadata).decode()
    return [
        line.split(":", 1)[1].strip().lower()
        for line in text.splitlines()
        if line.startswith("Requires-Dist:")
    ]


def test_product_wheel_carries_the_extension_and_no_local_mesh(wheels):
    names = _wheel_files(wheels["product"])
    assert "cs3_jupyter/labextension/package.json" in names
    assert any(n.endswith("jupyter_server_config.d/cs3_jupyter.json") for n in names)
    assert not [n for n in names if "localmesh" in n or n.startswith("cs3_jupyter/demo")]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), "the license ships"
    # Only the product's own runtime needs; the mesh's WebDAV server is not one of them.
    runtime = [r for r in _requirements(wheels["product"]) if "extra ==" not in r]
    assert runtime, "the product declares its dependencies"
    for name in ("wsgidav", "cheroot"):
        assert not [r for r in runtime if r.startswith(name)], f"{name} in {runtime}"
    with zipfile.ZipFile(wheels["product"]) as archive:
        (entry_points,) = [n for n in archive.namelist() if n.endswith("entry_points.txt")]
        assert "cs3-localmesh" not in archive.read(entry_points).decode()


def test_local_mesh_wheel_is_the_mesh_and_depends_on_the_product(wheels):
    names = _wheel_files(wheels["localmesh"])
    assert "cs3_localmesh/mesh.py" in names and "cs3_localmesh/demo.py" in names
    assert not [n for n in names if n.startswith("cs3_jupyter/")]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), "the license ships"
    requirements = _requirements(wheels["localmesh"])
    for name in ("jupyter-sciencemesh", "wsgidav", "cheroot"):
        assert [r for r in requirements if r.split(">")[0].split("=")[0].strip() == name], name


@pytest.fixture(scope="module")
def installed(wheels) -> dict[str, str]:
    """A fresh venv with the product's wheel (and JupyterLab) installed; its node-less env."""
    root = wheels["root"]
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    _run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            str(wheels["product"]),
            "jupyterlab",
        ]
    )
    # Only the venv on PATH: no node, npm or jlpm can be found.
    env = {"PATH": str(venv / "bin"), "HOME": str(root), "LANG": "C.UTF-8"}
    assert shutil.which("node", path=env["PATH"]) is None
    return env


def test_product_alone_has_no_local_mesh(installed):
    """A hub image gets neither the mesh's command nor its package."""
    assert shutil.which("cs3-localmesh", path=installed["PATH"]) is None
    probe = (
        "import importlib.util as u; print(u.find_spec('cs3_localmesh'), u.find_spec('wsgidav'))"
    )
    assert _run(["python", "-c", probe], env=installed).split() == ["None", "None"]


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


def test_local_mesh_installs_beside_the_product_and_serves(installed, wheels, tmp_path):
    """What Binder's postBuild does: the second wheel on top; its command starts sites."""
    _run(["python", "-m", "pip", "install", "-q", str(wheels["localmesh"])], env=installed)
    ready, log = tmp_path / "ready.json", tmp_path / "mesh.log"
    command = ["cs3-localmesh", "serve", "--data-dir", str(tmp_path / "mesh")]
    command += ["--seed", "minimal", "--ready-file", str(ready)]
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=installed, stdout=output, stderr=output)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert ready.exists(), log.read_text()
        site = json.loads(ready.read_text())["sites"][0]["url"]
        answer = requests.get(site + "/status.php", timeout=10)
        assert answer.status_code == 200 and answer.json()["installed"] is True
    finally:
        server.terminate()
        server.wait(timeout=30)


def _version() -> str:
    from cs3_jupyter import __version__

    return __version__
