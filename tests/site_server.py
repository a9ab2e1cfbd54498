"""A real ``jupyter server`` subprocess for one user of one site, for transport-level tests.

Like the REST API tests' servers (``tests/jupyter_process.py``), with only our extension;
adds what those tests need: plain calls to any route, and the process's memory as Linux
reports it (``/proc/<pid>/status``), so a test can bound what a hostile site costs us.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from jupyter_process import JupyterProcess, launch, server_config


@dataclass(kw_only=True)
class SiteServer(JupyterProcess):
    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"token {self.token}", **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 120)
        return self.http.request(method, self.url + path, headers=headers, **kwargs)

    def memory_kb(self) -> dict[str, int]:
        """``VmRSS`` (now) and ``VmHWM`` (peak) of the server process, in kB."""
        out = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
        return out

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(
    base: Path,
    *,
    site_url: str,
    user: str,
    password: str = "",
    directory_url: str = "",
    extra_env: dict[str, str] | None = None,
) -> SiteServer:
    config = server_config()
    started = launch(
        base,
        app="jupyter_server",
        config=config,
        token=secrets.token_hex(16),
        site_url=site_url,
        user=user,
        password=password,
        directory_url=directory_url,
        extra_env=extra_env,
        extra_args=("--ServerApp.log_level=DEBUG",),
    )
    return SiteServer(**started)
