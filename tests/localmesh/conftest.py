"""Fixtures for the local mesh tests (helpers live in localmesh_helpers.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cs3_localmesh.mesh import Mesh
from cs3_localmesh.users import UserInfo
from localmesh_helpers import Dav


@pytest.fixture
def dav(mesh: Mesh) -> Callable[[UserInfo], Dav]:
    """``dav(user_info)``: a WebDAV session for that user at their site."""
    return lambda user: Dav(mesh.site(user.site).url, user)


@pytest.fixture
def variant(mesh: Mesh):
    """``variant(name)`` switches site a; every switch is cleared after the test."""
    yield lambda name: mesh.set_fault("a", "variant", name=name)
    mesh.clear_faults("a")
