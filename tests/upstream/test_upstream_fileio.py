"""jupyter_server's ``tests/services/contents/test_fileio.py``: collected, all skipped.

Every test there exercises jupyter_server's helpers for writing local files (atomic
writes, umask and permission handling, local path mapping); no contents manager is built,
and CS3ContentsManager writes nothing to local disk. Each is listed so that a new upstream
test shows up here as a failure to look at, not silently.
"""

from __future__ import annotations

from tests.services.contents.test_fileio import *  # noqa: F403

_REASON = "tests jupyter_server's local-file helpers (fileio.py), which no WebDAV manager uses"

UPSTREAM_SKIPS = [
    (name, _REASON)
    for name in (
        "test_atomic_writing*",
        "test_path_to_invalid*",
        "test_file_manager_mixin*",
        "test_async_file_manager_mixin*",
        "test_AsyncFileManagerMixin_*",
        "test_path_traversal_when_sibling_dir_starts_with_root_dir*",
        "test_get_os_path_with_*",
    )
]
