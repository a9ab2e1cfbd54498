"""The server extension loads from its entry points and serves an authenticated API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

import cs3_jupyter


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"cs3_jupyter": True}}}


async def test_version_endpoint_reports_package_version(jp_fetch):
    response = await jp_fetch("cs3", "api", "version")
    body = json.loads(response.body)
    assert body["version"] == cs3_jupyter.__version__
    assert body["site_configured"] is False


async def test_version_endpoint_requires_a_token(jp_fetch):
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("cs3", "api", "version", headers={"Authorization": ""})
    assert err.value.code == 403


def test_entry_points_name_both_halves():
    (server_point,) = cs3_jupyter._jupyter_server_extension_points()
    assert server_point["module"] == "cs3_jupyter.app"
    (lab_path,) = cs3_jupyter._jupyter_labextension_paths()
    assert lab_path == {"src": "labextension", "dest": "jupyter-sciencemesh"}


def test_the_labextension_version_follows_the_python_package():
    package = Path(__file__).resolve().parents[1] / "labextension" / "package.json"
    assert json.loads(package.read_text())["version"] == cs3_jupyter.__version__
