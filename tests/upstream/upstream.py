"""jupyter_server's own contents tests, fetched at test time, and the sites they run against.

The tests are those of the jupyter_server release that is installed, taken from its sdist on
PyPI by ``pip download`` (never copied into this repository) and unpacked once per version
into the temporary directory. Their package is named ``tests`` and imports itself by that
name, so its folder goes first on ``sys.path`` (our own test folders are not packages).

Two sites, each a real server on 127.0.0.1:

* the local mesh (Nextcloud-like: versions, ``oc:`` properties, chunked uploads, ETags kept
  within a second), with the ``check-changes`` variant: the upstream tests make files and
  folders on "the disk" directly, and the test's disk is the site's own storage folder,
  which the site then notices the way Nextcloud does with ``filesystem_check_changes = 1``;
* plain wsgidav over a folder: WebDAV without any EFSS extension (no versions, no ``oc:``
  properties, no chunked uploads, no checksums), which reads its disk directly.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def upstream_tests() -> Path:
    """The unpacked sdist of the installed jupyter_server (downloaded on first use)."""
    from jupyter_server import __version__ as JUPYTER_SERVER_VERSION

    cache = Path(tempfile.gettempdir()) / f"cs3-jupyter-upstream-{os.getuid()}"
    unpacked = cache / f"jupyter_server-{JUPYTER_SERVER_VERSION}"
    if (unpacked / "tests" / "services" / "contents").is_dir():
        return unpacked
    cache.mkdir(parents=True, exist_ok=True)
    downloads = Path(tempfile.mkdtemp(dir=cache))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-binary",
            ":all:",
            "--no-deps",
            "--dest",
            str(downloads),
            f"jupyter_server=={JUPYTER_SERVER_VERSION}",
        ],
        check=True,
        timeout=600,
    )
    [archive] = downloads.glob("jupyter_server-*.tar.gz")
    staging = Path(tempfile.mkdtemp(dir=cache))
    with tarfile.open(archive) as tar:
        tar.extractall(staging, filter="data")
    (staging / unpacked.name).rename(unpacked)
    return unpacked


@dataclass(frozen=True)
class SiteUser:
    """One fresh user (or, on plain WebDAV, a fresh root folder) on a site."""

    kind: str  # "mesh" or "plain"
    url: str
    user: str
    password: str
    webdav_root: str
    #: The site's own storage folder for this user's files: the upstream tests' local disk.
    storage: Path

    def site_config(self) -> dict[str, Any]:
        """``c.CS3Site`` for this user."""
        return {
            "url": self.url,
            "user": self.user,
            "password": self.password,
            "webdav_root": self.webdav_root,
        }


class PlainDav:
    """wsgidav's own filesystem provider on an ephemeral port, in a subprocess."""

    user = "jupyter"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.password = "plain-" + os.urandom(8).hex()
        self.url = ""
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> PlainDav:
        self.root.mkdir(parents=True, exist_ok=True)
        port_file = self.root.parent / "plain-dav.port"
        port_file.unlink(missing_ok=True)
        self._process = subprocess.Popen(
            [sys.executable, __file__, str(self.root), str(port_file), self.password],
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the plain WebDAV server did not start")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{port_file.read_text().strip()}"
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)


def _serve(root: str, port_file: str, password: str) -> None:
    """The subprocess: plain wsgidav, Basic auth for one user, nothing else."""
    from cheroot import wsgi
    from wsgidav.wsgidav_app import WsgiDAVApp

    app = WsgiDAVApp(
        {
            "provider_mapping": {"/": root},
            "simple_dc": {"user_mapping": {"*": {PlainDav.user: {"password": password}}}},
            "http_authenticator": {
                "accept_basic": True,
                "accept_digest": False,
                "default_to_digest": False,
            },
            "logging": {"enable": False},
            "verbose": 0,
        }
    )
    server = wsgi.Server(("127.0.0.1", 0), app, numthreads=8)
    server.prepare()
    Path(port_file).write_text(str(server.bind_addr[1]))
    server.serve()


if __name__ == "__main__":
    _serve(*sys.argv[1:4])
