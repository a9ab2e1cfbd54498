"""Run a local mesh in a subprocess and drive it: the API for tests, benchmarks and the demo.

The sites run in their own process (``python -m cs3_localmesh serve``) so that a
test's event loop, a Jupyter server and the sites never share a GIL-bound thread pool, and so
that stopping and restarting on the same data dir is a real restart.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from .users import UserInfo


@dataclass(frozen=True)
class SiteInfo:
    name: str  # "a", "b", ...
    url: str  # "http://127.0.0.1:PORT"

    @property
    def host(self) -> str:
        return self.url.split("://", 1)[-1]


class MeshError(RuntimeError):
    pass


class Mesh:
    """N sites on 127.0.0.1. ``ports=None`` picks free ports; ``seed`` adds the demo users."""

    def __init__(
        self,
        data_dir: Path | str,
        n_sites: int = 2,
        ports: list[int] | None = None,
        seed: str | None = "demo",
    ) -> None:
        self.data_dir = Path(data_dir)
        self.n_sites = n_sites
        self.ports = ports
        self.seed = seed
        self.sites: list[SiteInfo] = []
        self.directory_url = ""
        self._process: subprocess.Popen | None = None
        self._admin_token = ""
        self._http = requests.Session()
        self._log = self.data_dir / "localmesh.log"
        self._ready = self.data_dir / "ready.json"

    # --- lifecycle -----------------------------------------------------------------------

    def start(self, timeout: float = 60) -> Mesh:
        if self._process is not None:
            raise MeshError("the mesh is already running")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._ready.unlink(missing_ok=True)
        command = [
            sys.executable,
            "-m",
            "cs3_localmesh",
            "serve",
            "--sites",
            str(self.n_sites),
            "--data-dir",
            str(self.data_dir),
            "--seed",
            self.seed or "none",
            "--ready-file",
            str(self._ready),
            "--parent-pid",
            str(os.getpid()),
        ]
        if self.ports:
            command += ["--ports", ",".join(str(p) for p in self.ports)]
        with open(self._log, "ab") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not self._ready.exists():
            if self._process.poll() is not None:
                self._process = None
                raise MeshError(f"the mesh exited early:\n{self._log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise MeshError(f"the mesh did not start within {timeout} s:\n{self._log_tail()}")
            time.sleep(0.05)
        ready = json.loads(self._ready.read_text())
        self.sites = [SiteInfo(s["name"], s["url"]) for s in ready["sites"]]
        self.directory_url = ready["directory_url"]
        self._admin_token = ready["admin_token"]
        return self

    def stop(self, timeout: float = 20) -> None:
        """Stop the sites (SIGTERM, they shut down cleanly); the data dir is kept."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self._ready.unlink(missing_ok=True)

    def __enter__(self) -> Mesh:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- queries and admin ---------------------------------------------------------------

    def site(self, name: str) -> SiteInfo:
        for site in self.sites:
            if site.name == name:
                return site
        raise KeyError(f"no site {name!r} in this mesh")

    def add_user(
        self,
        site: str,
        user: str,
        password: str | None = None,
        display_name: str | None = None,
        groups: tuple[str, ...] = (),
    ) -> UserInfo:
        data = self._admin(
            "POST",
            site,
            "/users",
            {
                "user": user,
                "password": password,
                "display_name": display_name,
                "groups": list(groups),
            },
        )
        return UserInfo(**data)

    def set_fault(self, site: str, kind: str, **params: Any) -> None:
        self._admin("POST", site, "/faults", {"kind": kind, **params})

    def clear_faults(self, site: str) -> None:
        self._admin("DELETE", site, "/faults")

    def stats(self, site: str) -> dict[str, int]:
        return self._admin("GET", site, "/stats")

    def route_stats(self, site: str) -> dict[str, int]:
        """Requests by method and route (``{"GET /ocs/v2.php": 2, ...}``) since the last reset."""
        return self._admin("GET", site, "/stats/routes")

    def reset_stats(self, site: str) -> None:
        self._admin("DELETE", site, "/stats")

    def expire_uploads(self, site: str, idle_seconds: float = 0) -> int:
        """Drop chunked uploads idle for ``idle_seconds`` (the site does this after 24 h)."""
        return self._admin("POST", site, "/uploads/expire", {"idle_seconds": idle_seconds})[
            "expired"
        ]

    def _admin(self, method: str, site: str, path: str, payload: dict | None = None) -> Any:
        if self._process is None:
            raise MeshError("the mesh is not running")
        response = self._http.request(
            method,
            f"{self.site(site).url}/_localmesh{path}",
            json=payload,
            timeout=30,
            headers={"X-Localmesh-Admin": self._admin_token},
        )
        if response.status_code >= 400:
            try:
                message = response.json().get("message", response.reason)
            except ValueError:
                message = response.reason
            raise MeshError(f"{method} {path} at site {site}: {message}")
        return response.json() if response.content else None

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
