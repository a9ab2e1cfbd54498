"""A real JupyterLab server for one mesh user, as a browser test needs it.

Started by ``tests/jupyter_process.py`` like a hub's single-user server, with its own
settings and workspace directories besides. Our labextension is found where
``pip install`` (or ``jupyter labextension develop``) put it, exactly as for a user.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from jupyter_process import JupyterProcess, launch

#: Where the browser tests leave their screenshots.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"


@dataclass(kw_only=True)
class Lab(JupyterProcess):
    user: str
    site: str

    @property
    def lab_url(self) -> str:
        """Opens JupyterLab with a fresh workspace, logged in by token."""
        return f"{self.url}lab?reset&token={self.token}"

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"}
        return self.http.request(method, self.url + path, headers=headers, timeout=60, **kwargs)

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


def start_lab(
    base: Path,
    *,
    site_url: str,
    site_name: str,
    user: str,
    password: str,
    directory_url: str,
) -> Lab:
    settings_dir = base / "settings"
    for folder in (settings_dir, base / "workspaces"):
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
    # Do not ask about the news feed: the prompt would cover the panel in screenshots.
    notification = settings_dir / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    started = launch(
        base,
        app="jupyterlab",
        config=config,
        token=secrets.token_hex(16),
        site_url=site_url,
        user=user,
        password=password,
        directory_url=directory_url,
    )
    lab = Lab(**started, user=user, site=site_name)
    assert lab.url  # waits until it answers, so tests start with a running server
    return lab
