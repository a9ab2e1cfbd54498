"""jupyter-fs on the same WebDAV site: its fsspec manager over ``webdav4``.

jupyter-fs 1.2 reads ``created`` as a Unix timestamp, but ``webdav4`` reports datetimes
(``created``, ``modified``), so every listing fails with a TypeError. The subclass below
converts them to timestamps; it sends no request of its own, so the request counts are
jupyter-fs's and webdav4's.
"""

from __future__ import annotations

import warnings
from typing import Any

import fsspec
from webdav4.fsspec import WebdavFileSystem

with warnings.catch_warnings():
    # jupyter-fs 1.2 declares a trait the way traitlets deprecates; not ours to fix, and
    # the test suite turns warnings into errors.
    warnings.filterwarnings("ignore", "metadata .* was set from", DeprecationWarning)
    from jupyterfs.manager import FSSpecManager

PROTOCOL = "benchdav"


def _timestamps(info: dict[str, Any]) -> dict[str, Any]:
    info = dict(info)
    for key, target in (("created", "created"), ("modified", "mtime")):
        if hasattr(info.get(key), "timestamp"):
            info[target] = info[key].timestamp()
    return info


class _TimestampedWebdav(WebdavFileSystem):
    protocol = (PROTOCOL,)

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        return _timestamps(super().info(path, **kwargs))

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> Any:
        found = super().ls(path, detail=detail, **kwargs)
        return [_timestamps(item) for item in found] if detail else found


def manager(url: str, user: str, password: str) -> FSSpecManager:
    """A jupyter-fs manager whose root is the user's WebDAV home at ``url``."""
    fsspec.register_implementation(PROTOCOL, _TimestampedWebdav, clobber=True)
    return FSSpecManager(
        f"{PROTOCOL}://",
        base_url=f"{url.rstrip('/')}/remote.php/dav/files/{user}/",
        auth=(user, password),
    )
