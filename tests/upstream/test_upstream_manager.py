"""jupyter_server's ``tests/services/contents/test_manager.py``, unmodified, against our
manager instead of the stock file managers (on the local mesh and on plain WebDAV)."""

from __future__ import annotations

import pytest
from nbformat.sign import NotebookNotary
from tests.services.contents.test_manager import *  # noqa: F403

_LOCAL_DISK_HELPER = (
    "tests a helper of the stock manager that reads the local disk's file times "
    "(filemanager._get_created_timestamp); no contents manager is involved"
)
_SYMLINK = "symbolic links on the local disk; WebDAV sites have none"

UPSTREAM_SKIPS = [
    (
        "test_missing_root_dir*",
        "the stock manager refuses a root_dir missing on the local disk; "
        "our files are on the site, root_dir is not read",
    ),
    (
        "test_invalid_root_dir*",
        "the stock manager refuses a root_dir that is a local file; our "
        "files are on the site, root_dir is not read",
    ),
    ("test_get_os_path*", "the stock manager's mapping of API paths to local paths"),
    ("test_checkpoint_subdir*", "where the stock file checkpoints put their files on local disk"),
    ("test_bad_symlink*", _SYMLINK),
    ("test_recursive_symlink*", _SYMLINK),
    ("test_good_symlink*", _SYMLINK),
    (
        "test_403*",
        "changes a local file's permissions with chmod and writes it through the stock "
        "manager's local-file API (cm.open); the mesh's read-only shares are tested in "
        "tests/contents/test_faults.py",
    ),
    (
        "test_delete_non_empty_folder*-False-None]",
        "derives the expected outcome from the local "
        "disk's device numbers (whether send2trash could move the folder there)",
    ),
    (
        "test_regression_is_hidden*",
        "patches jupyter_core's is_hidden, which the stock manager "
        "calls on the local disk, to raise; ours decides hiddenness from the name",
    ),
    (
        "test_created_timestamp*",
        "changes the file's time on the local disk behind the manager "
        "(os.utime) and then saves: on a site that is a change made elsewhere, which the "
        "conflict guard refuses to overwrite (409, tests/contents/test_conflicts.py)",
    ),
    ("test_created_timestamp_fallback_to_epoch*", "mocks os.lstat of the stock manager's file"),
    ("test_base_model_invalid_timestamp_fallback*", "mocks os.lstat of the stock manager's file"),
    ("test_get_created_timestamp_*", _LOCAL_DISK_HELPER),
]


@pytest.fixture
def jp_contents_manager(make_manager, efss):
    return make_manager(root_dir=str(efss.storage))


@pytest.fixture
def jp_file_contents_manager_class(make_manager):
    """Upstream builds managers as ``cls(root_dir=...)``; ours come from the same call."""
    return make_manager


@pytest.fixture
def file_manager_with_notary(make_manager, efss, tmp_path):
    notary_dir = tmp_path / "notary"
    notary_dir.mkdir()
    manager = make_manager(root_dir=str(efss.storage))
    manager.notary = NotebookNotary(data_dir=str(notary_dir))
    return manager
