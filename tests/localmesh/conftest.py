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
