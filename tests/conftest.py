"""Shared fixtures: one real local mesh per test session, and fresh users for isolation.

The mesh runs in a subprocess on ephemeral 127.0.0.1 ports (see cs3_localmesh.mesh),
so every test talks real HTTP to real sites. Tests never share a user: ``new_user`` gives
each one an empty home, which keeps them independent without restarting the sites.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable, Iterator

import pytest
from cs3_localmesh.mesh import Mesh
from cs3_localmesh.users import UserInfo

_counter = itertools.count(1)


@pytest.fixture(scope="session")
def mesh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mesh]:
    """Two sites, "a" and "b", with the demo users (alice, carol at a; bob, dave at b)."""
    started = time.monotonic()
    running = Mesh(tmp_path_factory.mktemp("localmesh"), n_sites=2, seed="demo").start()
    print(f"\nlocal mesh with 2 sites started in {time.monotonic() - started:.2f} s")
    yield running
    running.stop()


@pytest.fixture
def new_user(mesh: Mesh) -> Callable[..., UserInfo]:
    """``new_user(site="a", **kw)``: a unique user with an empty home at that site."""

    def make(site: str = "a", **kwargs) -> UserInfo:
        name = f"u{next(_counter)}-{secrets.token_hex(3)}"
        return mesh.add_user(site, name, **kwargs)

    return make
