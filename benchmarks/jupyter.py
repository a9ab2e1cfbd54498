"""A real Jupyter server (or JupyterLab) in its own process, for the benchmarks and the tests.

On an ephemeral 127.0.0.1 port, with its own config, runtime and data directories (nothing
from the machine leaks in) and only the ``CS3_*`` environment it is given. ``launch`` and
``JupyterProcess`` are the one way both start a server; the tests add a mesh user's
settings on top (``tests/jupyter_process.py``), the benchmarks use ``JupyterServer``: with
our extension it serves the bench user's files on the site (through the delaying proxy when
there is one); without it, the stock contents manager serves ``root`` on local disk, as the
comparison for what Jupyter itself costs.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

STARTUP_TIMEOUT = 90.0


@dataclass(kw_only=True)
class JupyterProcess:
    """The running process; ``url`` waits (once) until it answers."""

    token: str
    log: Path
    process: subprocess.Popen[bytes]
    info_file: Path
    http: requests.Session = field(default_factory=requests.Session)
    _url: str = ""

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/``, once the server has written its runtime file and answers."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._url:
            # Jupyter writes its runtime file just *before* its event loop starts listening,
            # so the server is ready once the file exists and /api/status answers.
            try:
                url = json.loads(self.info_file.read_text())["url"]
                status = self.http.get(
                    url + "api/status", headers={"Authorization": f"token {self.token}"}, timeout=5
                )
                if status.status_code == 200:
                    self._url = url
            except (OSError, ValueError, KeyError, requests.ConnectionError):
                pass
            if self._url:
                break
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Jupyter did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.05)
        return self._url

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.http.close()


def launch(
    base: Path,
    *,
    app: str,
    config: dict[str, Any],
    token: str,
    env: dict[str, str],
    extra_args: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Start ``python -m <app>`` (``jupyter_server`` or ``jupyterlab``) serving ``base/root``.

    ``env`` is all of the ``CS3_*`` environment it gets. Returns the fields of a
    :class:`JupyterProcess` (token, log, process, info_file), so that subclasses with fields
    of their own can be built from it.
    """
    config_dir, runtime, root = base / "config", base / "runtime", base / "root"
    for folder in (config_dir, root):
        folder.mkdir(parents=True, exist_ok=True)
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(config))
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("CS3_", "JUPYTER"))
    }
    environment.update(
        JUPYTER_CONFIG_DIR=str(config_dir),
        JUPYTER_CONFIG_PATH=str(config_dir),
        JUPYTER_RUNTIME_DIR=str(runtime),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_PLATFORM_DIRS="1",
        **env,
    )
    args = [
        sys.executable,
        "-m",
        app,
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=0",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        *extra_args,
    ]
    if os.geteuid() == 0:
        args.append("--allow-root")
    log = base / f"{app}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            args, env=environment, stdout=out, stderr=subprocess.STDOUT, cwd=base
        )
    return {
        "token": token,
        "log": log,
        "process": process,
        "info_file": runtime / f"jpserver-{process.pid}.json",
    }


def _children(pid: int) -> Iterator[int]:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    yield int(entry.name)
            except (OSError, IndexError, ValueError):
                continue


class JupyterServer:
    """A benchmark's server, started and answering; ``site_url`` empty: local disk only.

    ``app="jupyterlab"`` serves JupyterLab as well (for a browser); ``sections`` adds config
    sections (``{"LabApp": {...}}``), ``env`` environment variables (``CS3_*`` settings).
    """

    def __init__(
        self,
        base: Path,
        *,
        site_url: str = "",
        user: str = "",
        password: str = "",
        app: str = "jupyter_server",
        sections: dict[str, dict[str, Any]] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.token = secrets.token_hex(16)
        self.root = base / "root"
        extensions = {"cs3_jupyter": True} if site_url else {}
        config = {
            "ServerApp": {"jpserver_extensions": extensions, "open_browser": False},
            **(sections or {}),
        }
        environment = dict(env or {})
        if site_url:
            environment.update(CS3_SITE_URL=site_url, CS3_USER=user, CS3_PASSWORD=password)
        self._process = JupyterProcess(
            **launch(base, app=app, config=config, token=self.token, env=environment)
        )
        self.url = self._process.url
        self.http = self._process.http
        self.http.headers["Authorization"] = f"token {self.token}"

    def kernel_access(self, notebook: str) -> tuple[str, str]:
        """Start a kernel for ``notebook``; (CS3_EFSS_URL, CS3_EFSS_TOKEN) from its environment."""
        answer = self.http.post(
            self.url + "api/sessions",
            json={"path": notebook, "type": "notebook", "kernel": {"name": "python3"}},
            timeout=120,
        )
        answer.raise_for_status()
        for pid in _children(self._process.process.pid):
            raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            env = dict(item.decode().split("=", 1) for item in raw if b"=" in item)
            if "CS3_EFSS_TOKEN" in env:
                return env["CS3_EFSS_URL"], env["CS3_EFSS_TOKEN"]
        raise RuntimeError("no kernel with CS3_EFSS_TOKEN among the server's children")

    def stop(self) -> None:
        self._process.stop()
