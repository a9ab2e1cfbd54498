"""The extension as jupyter_server loads it: the sharing service exists before any request,
once, on the contents manager's WebDAV client; and an unexpected failure in any of our
handlers is jupyter_server's plain JSON 500, without a traceback even when the server is
told to serve tracebacks (so our handlers need no error writer of their own).

In-process server (pytest-jupyter) configured for a real local-mesh user.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from cs3_jupyter.contents.manager import CS3ContentsManager
from cs3_jupyter.handlers import config as config_handler
from cs3_jupyter.handlers.sharing_base import SERVICE_KEY
from cs3_jupyter.sharing.service import SharingService


@pytest.fixture
def jp_server_config(mesh: Any, new_user: Any) -> dict[str, Any]:
    user = new_user("a")
    return {
        "ServerApp": {"jpserver_extensions": {"cs3_jupyter": True}},
        "CS3Site": {
            "url": mesh.site("a").url,
            "user": user.user,
            "password": user.app_password,
            "mesh_directory_url": mesh.directory_url,
        },
    }


async def test_the_sharing_service_is_built_at_load_once_on_the_contents_client(
    jp_serverapp: Any, jp_fetch: Any
) -> None:
    settings = jp_serverapp.web_app.settings
    service = settings[SERVICE_KEY]
    assert isinstance(service, SharingService)  # before any request
    manager = jp_serverapp.contents_manager
    assert isinstance(manager, CS3ContentsManager)
    assert service.shares.dav is manager.client  # one WebDAV client, one credential

    for _ in range(2):
        me = json.loads((await jp_fetch("cs3", "api", "whoami")).body)
        assert me["user"] == manager.site.user
    assert settings[SERVICE_KEY] is service


async def _failure(jp_fetch: Any, *path: str) -> tuple[int, str]:
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch(*path)
    assert err.value.response is not None
    return err.value.code, err.value.response.body.decode()


@pytest.mark.parametrize("serve_traceback", [False, True])
async def test_an_unexpected_failure_is_a_json_500_without_traceback(
    jp_serverapp: Any, jp_fetch: Any, monkeypatch: pytest.MonkeyPatch, serve_traceback: bool
) -> None:
    # A bug cannot be produced on purpose through real input (every input is checked), so
    # the failure is injected into the service and into the config report.
    jp_serverapp.web_app.settings["serve_traceback"] = serve_traceback
    service = jp_serverapp.web_app.settings[SERVICE_KEY]

    def broken(*args: Any) -> Any:
        raise RuntimeError("internal detail /srv/secret-path")

    monkeypatch.setattr(service.account, "whoami", broken)
    monkeypatch.setattr(config_handler, "server_report", broken)
    for path in (("cs3", "api", "whoami"), ("cs3", "api", "config")):
        status, body = await _failure(jp_fetch, *path)
        assert status == 500
        answer = json.loads(body)
        assert answer["message"] == "Unhandled error"
        assert not answer.get("traceback")
        assert "Traceback" not in body and "secret-path" not in body and "RuntimeError" not in body
