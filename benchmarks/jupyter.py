"""A real ``jupyter server`` for the benchmarks that need one, in its own process.

With our extension it serves the bench user's files on the site (through the delaying
proxy when there is one); without it, the stock contents manager serves ``root`` on local
disk, as the comparison for what Jupyter itself costs.
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
from pathlib import Path
from typing import Any

import requests


def _children(pid: int) -> Iterator[int]:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    yield int(entry.name)
            except (OSError, IndexError, ValueError):
                continue


class JupyterServer:
    """``jupyter server`` on 127.0.0.1 with a token; ``site_url`` empty: local disk only.

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
        config = base / "config"
        config.mkdir(parents=True)
        self.root = base / "root"
        self.root.mkdir()
        extensions = {"cs3_jupyter": True} if site_url else {}
        (config / "jupyter_server_config.json").write_text(
            json.dumps({"ServerApp": {"jpserver_extensions": extensions}, **(sections or {})})
        )
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("CS3_", "JUPYTER"))}
        environment.update(**(env or {}))
        environment.update(
            JUPYTER_CONFIG_DIR=str(config),
            JUPYTER_CONFIG_PATH=str(config),
            JUPYTER_RUNTIME_DIR=str(base / "runtime"),
            JUPYTER_DATA_DIR=str(base / "data"),
            JUPYTER_PLATFORM_DIRS="1",
        )
        if site_url:
            environment.update(CS3_SITE_URL=site_url, CS3_USER=user, CS3_PASSWORD=password)
        args = [
            sys.executable,
            "-m",
            app,
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.port=0",
            f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.open_browser=False",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ]
        self.log = (base / "server.log").open("wb")
        self.process = subprocess.Popen(
            args, env=environment, stdout=self.log, stderr=subprocess.STDOUT
        )
        info = base / "runtime" / f"jpserver-{self.process.pid}.json"
        deadline = time.monotonic() + 90
        while not info.exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("the Jupyter server did not start")
            time.sleep(0.1)
        self.url = json.loads(info.read_text())["url"]
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {self.token}"

    def kernel_access(self, notebook: str) -> tuple[str, str]:
        """Start a kernel for ``notebook``; (CS3_EFSS_URL, CS3_EFSS_TOKEN) from its environment."""
        answer = self.http.post(
            self.url + "api/sessions",
            json={"path": notebook, "type": "notebook", "kernel": {"name": "python3"}},
            timeout=120,
        )
        answer.raise_for_status()
        for pid in _children(self.process.pid):
            raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            env = dict(item.decode().split("=", 1) for item in raw if b"=" in item)
            if "CS3_EFSS_TOKEN" in env:
                return env["CS3_EFSS_URL"], env["CS3_EFSS_TOKEN"]
        raise RuntimeError("no kernel with CS3_EFSS_TOKEN among the server's children")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
