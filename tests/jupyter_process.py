"""A Jupyter server or JupyterLab subprocess for one mesh user, as a hub would start it.

On an ephemeral 127.0.0.1 port, with its own config, runtime and data directories (nothing
from the machine leaks in) and the ``CS3_*`` environment a spawner gives a single-user
server. The REST API tests (``tests/handlers``) and the browser tests (``tests/ui``) build
on it; its log goes to a file so tests can check that no secret was ever logged.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

STARTUP_TIMEOUT = 90.0


def server_config(**sections: dict[str, Any]) -> dict[str, Any]:
    """Config of a plain Jupyter server with only our extension (JupyterLab and its friends
    would double the start-up time), plus the given sections (``CS3JupyterApp={...}``...)."""
    return {
        "ServerApp": {
            "jpserver_extensions": {
                "cs3_jupyter": True,
                "jupyterlab": False,
                "jupyter_lsp": False,
                "notebook_shim": False,
                "jupyter_server_terminals": False,
            },
            "open_browser": False,
        },
        **sections,
    }


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
    site_url: str,
    user: str,
    password: str,
    directory_url: str,
    extra_env: dict[str, str] | None = None,
    extra_args: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Start ``python -m <app>`` (``jupyter_server`` or ``jupyterlab``) for a mesh user.

    Returns the fields of a :class:`JupyterProcess` (token, log, process, info_file), so that
    subclasses with fields of their own can be built from it.
    """
    config_dir, runtime, root = base / "config", base / "runtime", base / "root"
    for folder in (config_dir, root):
        folder.mkdir(parents=True, exist_ok=True)
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(config))
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("CS3_", "JUPYTER"))
    }
    env.update(
        JUPYTER_CONFIG_DIR=str(config_dir),
        JUPYTER_CONFIG_PATH=str(config_dir),
        JUPYTER_RUNTIME_DIR=str(runtime),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_PLATFORM_DIRS="1",
        CS3_SITE_URL=site_url,
        CS3_USER=user,
        CS3_PASSWORD=password,
        CS3_MESH_DIRECTORY_URL=directory_url,
        **(extra_env or {}),
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
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=base)
    return {
        "token": token,
        "log": log,
        "process": process,
        "info_file": runtime / f"jpserver-{process.pid}.json",
    }
