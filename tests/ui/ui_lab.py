"""A real JupyterLab server for one mesh user, as a browser test needs it.

Started as a subprocess on an ephemeral 127.0.0.1 port with its own config, data, settings
and workspace directories (nothing from the machine leaks in) and the ``CS3_*`` environment
a hub would give a single-user server. Our labextension is found where ``pip install`` (or
``jupyter labextension develop``) put it, exactly as for a user.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

STARTUP_TIMEOUT = 90.0


@dataclass
class Lab:
    url: str  # http://127.0.0.1:PORT/
    token: str
    user: str
    site: str
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def lab_url(self) -> str:
        """Opens JupyterLab with a fresh workspace, logged in by token."""
        return f"{self.url}lab?reset&token={self.token}"

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"}
        return requests.request(method, self.url + path, headers=headers, timeout=60, **kwargs)

    def put_notebook(self, path: str, source: str) -> None:
        """Save a one-cell notebook through the contents API (so it lands on the EFSS)."""
        notebook = {
            "cells": [{"cell_type": "markdown", "metadata": {}, "source": source}],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        response = self.api(
            "PUT", f"api/contents/{path}", json={"type": "notebook", "content": notebook}
        )
        assert response.status_code in (200, 201), response.text

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_lab(
    base: Path,
    *,
    site_url: str,
    site_name: str,
    user: str,
    password: str,
    directory_url: str,
) -> Lab:
    config_dir = base / "config"
    settings_dir = base / "settings"
    for folder in (config_dir, settings_dir, base / "workspaces", base / "root"):
        folder.mkdir(parents=True, exist_ok=True)
    config = {
        "ServerApp": {
            "jpserver_extensions": {
                "cs3_jupyter": True,
                "jupyterlab": True,
                "jupyter_lsp": False,
                "jupyter_server_terminals": False,
            },
            "open_browser": False,
        },
        # No calls to the internet from the test page: no news feed, no update check.
        "LabApp": {
            "news_url": None,
            "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate",
            "user_settings_dir": str(settings_dir),
            "workspaces_dir": str(base / "workspaces"),
            # Lets a test switch the theme for the dark screenshots.
            "expose_app_in_browser": True,
        },
    }
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(config))
    # Do not ask about the news feed: the prompt would cover the panel in screenshots.
    notification = settings_dir / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    token = secrets.token_hex(16)
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("CS3_", "JUPYTER"))
    }
    env.update(
        JUPYTER_CONFIG_DIR=str(config_dir),
        JUPYTER_CONFIG_PATH=str(config_dir),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_PLATFORM_DIRS="1",
        CS3_SITE_URL=site_url,
        CS3_USER=user,
        CS3_PASSWORD=password,
        CS3_MESH_DIRECTORY_URL=directory_url,
    )
    args = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=0",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={base / 'root'}",
        f"--IdentityProvider.token={token}",
    ]
    if os.geteuid() == 0:
        args.append("--allow-root")
    log = base / "jupyterlab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=base)
    info_file = base / "runtime" / f"jpserver-{process.pid}.json"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    info: dict[str, Any] | None = None
    while info is None:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"JupyterLab did not start:\n{log.read_text()[-3000:]}")
        try:
            info = json.loads(info_file.read_text())
        except (OSError, ValueError):  # not written yet, or half written
            time.sleep(0.05)
    return Lab(url=info["url"], token=token, user=user, site=site_name, log=log, process=process)
