"""A real Jupyter server whose contents manager is ours, for a fresh user of mesh site "a".

Each test gets its own user (so its own empty home) and its own in-process Jupyter server
from pytest-jupyter; the mesh itself is shared by the session. ``api`` speaks the stock
contents REST API the way JupyterLab does, and ``dav`` is an independent WebDAV client for
the same user: the view a sync client or the web UI has, used to check what really landed
on the site and to change files behind Jupyter's back.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from cs3_jupyter.dav.client import DavClient
from cs3_jupyter.transport.auth import make_auth

MANAGER = "cs3_jupyter.contents.manager.CS3ContentsManager"


@pytest.fixture
def user(new_user: Any) -> Any:
    return new_user("a")


@pytest.fixture
def site_config(mesh: Any, user: Any) -> dict[str, Any]:
    """``c.CS3Site`` for the test's user; tests may change it before the server starts."""
    return {"url": mesh.site("a").url, "user": user.user, "password": user.app_password}


@pytest.fixture
def manager_config() -> dict[str, Any]:
    """Extra ``c.CS3ContentsManager`` settings; tests may override this fixture."""
    return {}


@pytest.fixture
def jp_server_config(site_config: dict[str, Any], manager_config: dict[str, Any]) -> Any:
    return {
        "ServerApp": {"contents_manager_class": MANAGER, "jpserver_extensions": {}},
        "CS3Site": site_config,
        "CS3ContentsManager": manager_config,
    }


@pytest.fixture
def dav(mesh: Any, user: Any) -> DavClient:
    return DavClient(mesh.site("a").url, user.user, make_auth(user.user, user.password))


class ContentsAPI:
    """``/api/contents`` as JupyterLab calls it; failures come back as (status, message)."""

    def __init__(self, fetch: Any) -> None:
        self._fetch = fetch

    async def call(
        self, method: str, path: str, body: Any = None, *, prefix: str = "api/contents", **params
    ) -> tuple[int, Any]:
        kwargs: dict[str, Any] = {"method": method, "raise_error": False}
        if body is not None:
            kwargs["body"] = json.dumps(body)
        elif method in ("POST", "PUT", "PATCH"):
            kwargs["body"] = ""
        response = await self._fetch(prefix, path, params=params, **kwargs)
        text = response.body.decode("utf-8") if response.body else ""
        try:
            payload = json.loads(text) if text else None
        except ValueError:
            payload = text
        return response.code, payload

    async def ok(self, method: str, path: str, body: Any = None, *, status: int = 200, **params):
        code, payload = await self.call(method, path, body, **params)
        assert code == status, (code, payload)
        return payload

    async def raw(self, *parts: str, **kwargs: Any) -> Any:
        """A plain request (for ``/files``), returning tornado's response."""
        return await self._fetch(*parts, **kwargs)

    async def get(self, path: str, **params: Any) -> dict[str, Any]:
        return await self.ok("GET", path, **params)

    async def save(self, path: str, model: dict[str, Any], status: int = 200) -> dict[str, Any]:
        return await self.ok("PUT", path, model, status=status)

    async def text(self, path: str, content: str, status: int = 201) -> dict[str, Any]:
        model = {"type": "file", "format": "text", "content": content}
        return await self.save(path, model, status=status)

    async def error(self, method: str, path: str, body: Any = None, **params) -> tuple[int, str]:
        code, payload = await self.call(method, path, body, **params)
        assert code >= 400, (code, payload)
        message = payload.get("message", "") if isinstance(payload, dict) else str(payload)
        return code, message


@pytest.fixture
def api(jp_fetch: Any) -> ContentsAPI:
    return ContentsAPI(jp_fetch)
