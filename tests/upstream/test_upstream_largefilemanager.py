"""jupyter_server's ``tests/services/contents/test_largefilemanager.py``, unmodified: chunked
saves and bad saves, against our manager instead of the stock large-file manager."""

from __future__ import annotations

import pytest
from tests.services.contents.test_largefilemanager import *  # noqa: F403

UPSTREAM_SKIPS = [
    (
        "test_save_in_subdirectory",
        "makes the folder it saves into with pathlib's mkdir on the manager's root_dir (a "
        "temporary folder, not the site's storage), so the folder does not exist on the site",
    ),
]


@pytest.fixture
def jp_large_contents_manager(make_manager, tmp_path):
    return make_manager(root_dir=str(tmp_path))
