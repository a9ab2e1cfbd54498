"""Fixtures that point jupyter_server's own contents tests at CS3ContentsManager.

The test modules here import upstream's modules unmodified (see upstream.py) and override
only the fixtures that choose a contents manager and where "the disk" is: every test runs
once against the local mesh and once against plain WebDAV (``efss``), with a fresh user or
root folder, and its local disk is that site's storage folder for the user. A module lists
the upstream tests it skips in ``UPSTREAM_SKIPS`` as (test name pattern, reason): only tests
that inspect a local disk in ways a WebDAV site cannot show.
"""

from __future__ import annotations

import fnmatch
import itertools
import os
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cs3_localmesh.mesh import Mesh
from traitlets.config import Config
from upstream import PlainDav, SiteUser, upstream_tests

from cs3_jupyter.contents.manager import CS3ContentsManager

MANAGER = "cs3_jupyter.contents.manager.CS3ContentsManager"
UPSTREAM = upstream_tests()
sys.path.insert(0, str(UPSTREAM))
# Upstream's conftest (imported by its modules) sets a Jupyter path variable for its own
# runs; it must not change the paths of the rest of this test session.
_saved = os.environ.get("JUPYTER_PLATFORM_DIRS")
import tests.conftest  # noqa: E402,F401  (upstream's, first on sys.path)

if _saved is None:
    os.environ.pop("JUPYTER_PLATFORM_DIRS", None)
else:
    os.environ["JUPYTER_PLATFORM_DIRS"] = _saved

_counter = itertools.count(1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip what a module's ``UPSTREAM_SKIPS`` lists, with its reason."""
    for item in items:
        module = getattr(item, "module", None)
        name = getattr(item, "originalname", item.name)
        for pattern, reason in getattr(module, "UPSTREAM_SKIPS", ()):
            if fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(item.name, pattern):
                item.add_marker(pytest.mark.skip(reason=f"upstream test skipped: {reason}"))
                break


@pytest.fixture(scope="session")
def upstream_mesh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mesh]:
    """One Nextcloud-like site that also notices files changed on its disk."""
    mesh = Mesh(tmp_path_factory.mktemp("upstream-mesh"), n_sites=1).start()
    mesh.set_fault("a", "variant", name="check-changes")
    yield mesh
    mesh.stop()


@pytest.fixture(scope="session")
def plain_dav(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlainDav]:
    server = PlainDav(tmp_path_factory.mktemp("plain-dav") / "root").start()
    yield server
    server.stop()


@pytest.fixture(params=["mesh", "plain"])
def efss(request: pytest.FixtureRequest) -> SiteUser:
    """A fresh user on the local mesh, or a fresh root folder on plain WebDAV."""
    name = f"up{next(_counter)}-{secrets.token_hex(3)}"
    if request.param == "mesh":
        mesh: Mesh = request.getfixturevalue("upstream_mesh")
        info = mesh.add_user("a", name)
        storage = Path(mesh.data_dir) / "a" / "files" / name
        return SiteUser(
            "mesh",
            mesh.site("a").url,
            info.user,
            info.app_password,
            "/remote.php/dav/files/{user}/",
            storage,
        )
    plain: PlainDav = request.getfixturevalue("plain_dav")
    storage = plain.root / name
    storage.mkdir()
    return SiteUser("plain", plain.url, plain.user, plain.password, f"/{name}/", storage)


@pytest.fixture
def jp_server_config(efss: SiteUser) -> dict[str, Any]:
    return {
        "ServerApp": {"contents_manager_class": MANAGER, "jpserver_extensions": {}},
        "CS3Site": efss.site_config(),
    }


@pytest.fixture
def contents_dir(efss: SiteUser) -> Path:
    """Where upstream's ``contents`` fixture and tests put files: the site's storage."""
    return efss.storage


@pytest.fixture
def make_manager(efss: SiteUser) -> Iterator[Callable[..., CS3ContentsManager]]:
    """``make_manager(**traits)``: our manager for the test's user, built as upstream builds
    its own (``root_dir`` and all); each is closed after the test."""
    made: list[CS3ContentsManager] = []

    def make(**traits: Any) -> CS3ContentsManager:
        config = Config({"CS3Site": efss.site_config()})
        manager = CS3ContentsManager(config=config, **traits)
        # Upstream's helpers make folders and files on the disk through this mapping of an
        # API path; the disk they reach is the site's storage for this user.
        manager._get_os_path = lambda api_path: str(efss.storage / api_path.strip("/"))  # type: ignore[attr-defined]
        made.append(manager)
        return manager

    yield make
    for manager in made:
        manager.shutdown()
