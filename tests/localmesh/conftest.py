"""Fixtures for the local mesh tests (helpers live in localmesh_helpers.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from localmesh_helpers import Dav

from cs3_jupyter.localmesh.mesh import Mesh
from cs3_jupyter.localmesh.users import UserInfo


@pytest.fixture
def dav(mesh: Mesh) -> Callable[[UserInfo], Dav]:
    """``dav(user_info)``: a WebDAV session for that user at their site."""
    return lambda user: Dav(mesh.site(user.site).url, user)
