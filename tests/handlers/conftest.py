"""Real Jupyter servers, one per mesh user, for testing our REST API end to end.

Each server is a ``jupyter server`` subprocess on an ephemeral port of 127.0.0.1, with its
own config/runtime/data directories (nothing from the machine leaks in) and ``CS3_*``
environment variables pointing at its user's site of the local mesh, exactly as a hub
would configure a single-user server. Its log goes to a file so tests can check that no
secret was ever logged.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from openapi_schema_validator import OAS31Validator

import cs3_jupyter.handlers
from cs3_jupyter.localmesh.users import UserInfo

STARTUP_TIMEOUT = 60.0
API = "cs3/api"

# --- the contract: real responses are checked against openapi.yaml ---------------------

SPEC_FILE = Path(cs3_jupyter.handlers.__file__).parent / "openapi.yaml"


@cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_FILE.read_text())


def _resolve(node: Any) -> Any:
    """The schema with every local ``$ref`` replaced by what it points to."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = spec()
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return _resolve(target)
        return {key: _resolve(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item) for item in node]
    return node


def _operation(method: str, path: str) -> dict[str, Any]:
    for template, item in spec()["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return item[method.lower()]
    raise AssertionError(f"{method} {path} is not in openapi.yaml")


def check_response(method: str, path: str, status: int, body: Any) -> None:
    """Assert that ``body`` is what openapi.yaml promises for this operation and status."""
    responses = _operation(method, path.split("?", 1)[0])["responses"]
    response = _resolve(responses.get(str(status)) or responses.get("default"))
    assert response is not None, f"{method} {path}: status {status} is not documented"
    content = response.get("content")
    if content is None:
        assert body is None, f"{method} {path}: {status} should have no body"
        return
    schema = content["application/json"]["schema"]
    OAS31Validator(schema).validate(body)


@pytest.fixture(scope="session")
def openapi() -> dict[str, Any]:
    """The parsed openapi.yaml."""
    return spec()


# --- Jupyter servers -------------------------------------------------------------------


@dataclass
class Jupyter:
    """A Jupyter server for one mesh user, and a small HTTP client for it.

    The server is launched at creation and waited for on first use, so a fixture can start
    several at once. Every response body is kept in ``bodies`` for the secret-leak checks.
    """

    token: str
    user: str
    site: str
    log: Path
    info_file: Path
    process: subprocess.Popen[bytes]
    secrets: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    http: requests.Session = field(default_factory=requests.Session)
    _url: str = ""

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/``, once the server has written its runtime file."""
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
                raise RuntimeError(f"jupyter server did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.05)
        return self._url

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"token {self.token}", **kwargs.pop("headers", {})}
        response = self.http.request(method, self.url + path, headers=headers, timeout=60, **kwargs)
        self.bodies.append(response.text)
        return response

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Call our API; every answer is checked against openapi.yaml on the way."""
        response = self.request(method, f"{API}{path}", **kwargs)
        body = response.json() if response.content else None
        check_response(method, path, response.status_code, body)
        return response

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        """Call our API, assert the status, return the JSON (None for 204)."""
        response = self.api(method, path, **kwargs)
        assert response.status_code == status, (response.status_code, response.text)
        return response.json() if response.content else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.http.close()


def _write_config(config_dir: Path, manage_contents: bool) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    config = {
        "ServerApp": {
            # Only what the tests need: JupyterLab and friends would double the startup time.
            "jpserver_extensions": {
                "cs3_jupyter": True,
                "jupyterlab": False,
                "jupyter_lsp": False,
                "notebook_shim": False,
                "jupyter_server_terminals": False,
            },
            "open_browser": False,
        },
        "CS3JupyterApp": {"manage_contents": manage_contents},
    }
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(config))


def start_jupyter(
    base: Path,
    *,
    site_url: str,
    user: str,
    password: str,
    directory_url: str,
    token: str,
    site_name: str,
    manage_contents: bool = True,
    extra_env: dict[str, str] | None = None,
) -> Jupyter:
    base.mkdir(parents=True, exist_ok=True)
    runtime = base / "runtime"
    root = base / "root"
    root.mkdir(exist_ok=True)
    _write_config(base / "config", manage_contents)
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("CS3_", "JUPYTER_"))
    }
    env.update(
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_CONFIG_PATH=str(base / "config"),
        JUPYTER_RUNTIME_DIR=str(runtime),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_PLATFORM_DIRS="1",
        CS3_SITE_URL=site_url,
        CS3_USER=user,
        CS3_PASSWORD=password,
        CS3_MESH_DIRECTORY_URL=directory_url,
        **(extra_env or {}),
    )
    log = base / "jupyter.log"
    args = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=0",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        "--ServerApp.log_level=DEBUG",
    ]
    if os.geteuid() == 0:
        args.append("--allow-root")
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=base)
    return Jupyter(
        token=token,
        user=user,
        site=site_name,
        log=log,
        info_file=runtime / f"jpserver-{process.pid}.json",
        process=process,
        secrets=[password, token],
    )


@pytest.fixture(scope="session")
def jupyter_for(mesh: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """``jupyter_for(site_name, user_info)`` starts a Jupyter server for that mesh user."""
    started: list[Jupyter] = []

    def start(site_name: str, user: Any, **kwargs: Any) -> Jupyter:
        base = tmp_path_factory.mktemp(f"jupyter-{site_name}-{user.user}")
        password = user.app_password or user.password
        server = start_jupyter(
            base,
            site_url=mesh.site(site_name).url,
            user=user.user,
            password=password,
            directory_url=mesh.directory_url,
            token=f"jt-{user.user}-{os.urandom(8).hex()}",
            site_name=site_name,
            **kwargs,
        )
        server.secrets.extend(s for s in (user.password, user.app_password, user.token) if s)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@dataclass
class People:
    alice: Any  # Jupyter for alice@a
    bob: Any  # Jupyter for bob@b
    carol: Any  # Jupyter for carol@a, in alice's group
    group: str
    b_host: str
    infos: dict[str, UserInfo]


@pytest.fixture(scope="session")
def people(mesh: Any, jupyter_for: Any) -> Iterator[People]:
    """Alice and Carol at site a (one group), Bob at site b, each with a Jupyter server.

    Fresh users for this test session; tests isolate themselves with fresh folders.
    """
    tag = secrets.token_hex(3)
    group = f"team-{tag}"
    infos = {
        "alice": mesh.add_user("a", f"alice-{tag}", display_name="Alice A", groups=(group,)),
        "carol": mesh.add_user("a", f"carol-{tag}", display_name="Carol C", groups=(group,)),
        "bob": mesh.add_user("b", f"bob-{tag}", display_name="Bob B"),
    }
    servers = {
        name: jupyter_for("b" if name == "bob" else "a", info) for name, info in infos.items()
    }
    yield People(
        alice=servers["alice"],
        bob=servers["bob"],
        carol=servers["carol"],
        group=group,
        b_host=mesh.site("b").host,
        infos=infos,
    )
