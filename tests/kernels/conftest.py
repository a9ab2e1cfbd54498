"""Fixtures of the kernel tests (helpers in kernel_helpers.py)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cs3_localmesh.mesh import Mesh
from jupyter_process import JupyterProcess
from kernel_helpers import Person, start_server

from cs3_jupyter.dav.client import DavClient
from cs3_jupyter.transport.auth import make_auth


@pytest.fixture(scope="module")
def person(mesh: Mesh, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Person]]:
    """``person(site="a", **kernel_config)``: a fresh user with their own Jupyter server."""
    started: list[JupyterProcess] = []

    def make(site: str = "a", **kernel_config: Any) -> Person:
        info = mesh.add_user(site, f"k{secrets.token_hex(3)}")
        base = tmp_path_factory.mktemp(f"jupyter-{info.user}")
        server = start_server(mesh, base, info, site, kernel_config)
        started.append(server)
        dav = DavClient(mesh.site(site).url, info.user, make_auth(info.user, info.password))
        return Person(info, server, dav, base)

    yield make
    for server in started:
        server.stop()
