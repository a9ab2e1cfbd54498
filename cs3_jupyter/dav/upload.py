"""Nextcloud chunking v2: a large file arrives in numbered parts and appears only at the end.

The parts go to ``<dav>/uploads/<user>/<upload-id>/<n>`` and a final ``MOVE`` of ``.file``
assembles them at the target, so nothing is visible there until the upload is complete and
no part is ever held anywhere but in the request that carries it. ownCloud 10 serves the
same URL family; sites without it answer the first ``MKCOL`` with an error and we report
:class:`~.errors.NotSupported` so the caller can choose another way.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from . import errors, paths
from .client import DavClient, WriteResult, write_result


class ChunkedUpload:
    """One upload in progress to ``target`` (a relative path)."""

    def __init__(self, client: DavClient, target: str) -> None:
        self._client = client
        self.target = paths.normalize(target)
        self.upload_id = f"cs3jupyter-{uuid.uuid4().hex}"
        self._folder = client.dav_url("uploads") + self.upload_id
        self._headers = {"Destination": client.url(self.target)}

    def start(self) -> None:
        """Create the upload folder on the site."""
        try:
            self._client.request("MKCOL", self._folder, path=self.target, headers=self._headers)
        except (errors.NotFound, errors.ProtocolError) as err:
            # 404/405/501: no uploads area here. Auth, quota and outages still propagate.
            if err.status in (404, 405, 501):
                raise errors.NotSupported(
                    f"{self._client.site_name} offers no chunked uploads."
                ) from None
            raise

    def put_part(self, number: int, data: bytes | Iterable[bytes]) -> None:
        """Store part ``number`` (1-based; the site assembles parts in numeric order)."""
        self._client.request(
            "PUT", f"{self._folder}/{number}", path=self.target, headers=self._headers, data=data
        )

    def finish(self, mtime: int | None = None, sha1: str | None = None) -> WriteResult:
        """Assemble the parts at the target (replacing what is there) in one ``MOVE``;
        ``sha1`` of the whole file goes along as ``OC-Checksum``, as with a PUT."""
        headers = {**self._headers, "Overwrite": "T"}
        if mtime is not None:
            headers["X-OC-MTime"] = str(mtime)
        if sha1:
            headers["OC-Checksum"] = f"SHA1:{sha1}"
        response = self._client.request(
            "MOVE", f"{self._folder}/.file", path=self.target, headers=headers
        )
        self._client.clock.observe(response.headers)
        return write_result(response, mtime)

    def abort(self) -> None:
        """Drop the parts; errors are ignored because the site expires old uploads anyway."""
        try:
            self._client.request("DELETE", self._folder, path=self.target)
        except errors.DavError:
            pass
