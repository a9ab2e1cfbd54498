"""``/files/<path>``: a file's raw bytes, streamed from the site to the browser.

jupyter_server's generic files handler builds a whole contents model (the file base64
encoded in memory) and needs a local root; this one relays the site's response in blocks,
so a large file costs one block of memory and no local disk. Headers follow the stock
handler: ``?download=1`` makes it an attachment, and served HTML/SVG is sandboxed.
"""

from __future__ import annotations

import asyncio
import mimetypes

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import JupyterHandler
from tornado import web

from ..dav import paths

AUTH_RESOURCE = "contents"
_BLOCK = 1 << 20


def _content_type(name: str) -> str:
    if name.lower().endswith(".ipynb"):
        return "application/x-ipynb+json"
    mime, encoding = mimetypes.guess_type(name)
    if encoding == "gzip":
        return "application/gzip"
    if encoding is not None or mime is None:
        return "application/octet-stream"
    if mime == "text/plain":
        return "text/plain; charset=UTF-8"
    return mime


class CS3FilesHandler(JupyterHandler):
    """Serve a file of the user's EFSS home without holding it in memory."""

    auth_resource = AUTH_RESOURCE

    @property
    def content_security_policy(self) -> str:
        # Served HTML/SVG must not run scripts with the Jupyter server's origin.
        return super().content_security_policy + "; sandbox allow-scripts"

    @web.authenticated
    @authorized
    async def head(self, path: str) -> None:
        await self._serve(path, include_body=False)

    @web.authenticated
    @authorized
    async def get(self, path: str) -> None:
        await self._serve(path, include_body=True)

    async def _serve(self, path: str, include_body: bool) -> None:
        # /files/ responses may be rendered by the browser: same-site requests only.
        self.check_xsrf_cookie()
        from .manager import CS3ContentsManager  # here: the manager module imports this one

        manager = self.contents_manager
        assert isinstance(manager, CS3ContentsManager)  # only that manager installs this handler
        if not manager.allow_hidden and await manager.is_hidden(path):
            raise web.HTTPError(404)
        path = manager.normalize(path)
        # Ask what it is and start the download together: one round trip for the common case.
        entry, response = await asyncio.gather(
            manager.entry(path),
            manager.call(manager.client.open_download, path),
            return_exceptions=True,
        )
        problem: BaseException | None = None
        if isinstance(entry, BaseException):
            problem = entry
        elif entry.is_dir:
            problem = web.HTTPError(400, f"'{path}' is a folder, not a file.")
        if isinstance(response, BaseException):
            raise problem or response
        if problem is not None:
            await manager.call(response.close)
            raise problem
        try:
            name = paths.split(path)[1]
            if self.get_argument("download", None):
                self.set_attachment_header(name)
            self.set_header("Content-Type", _content_type(name))
            if "Content-Length" in response.headers:
                self.set_header("Content-Length", response.headers["Content-Length"])
            if not include_body:
                return
            blocks = response.iter_content(_BLOCK)
            while block := await manager.call(next, blocks, b""):
                self.write(block)
                await self.flush()
        finally:
            await manager.call(response.close)
