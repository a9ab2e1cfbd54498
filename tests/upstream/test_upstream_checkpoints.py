"""jupyter_server's ``tests/services/contents/test_checkpoints.py``, unmodified, with our
manager and its checkpoints (named versions on the mesh, site-side copies on plain WebDAV)
instead of the stock large-file manager and its file checkpoints."""

from __future__ import annotations

import pytest
from tests.services.contents.test_checkpoints import *  # noqa: F403

from tests.conftest import contents  # noqa: F401  (upstream's fixture)

UPSTREAM_SKIPS: list[tuple[str, str]] = []


@pytest.fixture
def contents_manager(make_manager, contents):  # noqa: F811
    return make_manager(root_dir=str(contents["contents_dir"]))
