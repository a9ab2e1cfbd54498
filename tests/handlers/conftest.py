"""Real Jupyter servers, one per mesh user, for testing our REST API end to end.

Each server is a ``jupyter server`` subprocess (``tests/jupyter_process.py``) configured
for its user's site of the local mesh, exactly as a hub would configure a single-user
server. Its log goes to a file so tests can check that no secret was ever logged.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from cs3_localmesh.users import UserInfo
from jupyter_process import JupyterProcess, launch, server_config
from openapi_schema_validator import OAS31Validator

import cs3_jupyter.handlers

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


@dataclass(kw_only=True)
class Jupyter(JupyterProcess):
    """A Jupyter server for one mesh user, and a small HTTP client for it.

    The server is launched at creation and waited for on first use, so a fixture can start
    several at once. Every response body is kept in ``bodies`` for the secret-leak checks.
    """

    user: str
    site: str
    secrets: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)

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
    config = server_config(CS3JupyterApp={"manage_contents": manage_contents})
    started = launch(
        base,
        app="jupyter_server",
        config=config,
        token=token,
        site_url=site_url,
        user=user,
        password=password,
        directory_url=directory_url,
        extra_env=extra_env,
        extra_args=("--ServerApp.log_level=DEBUG",),
    )
    return Jupyter(**started, user=user, site=site_name, secrets=[password, token])


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
